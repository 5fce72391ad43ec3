"""``summary.md``: counts by area and severity and the top findings, fit for a PR comment."""

from __future__ import annotations

from redline.core.model import Severity
from redline.core.result import AuditResult
from redline.report.interface import Reporter

TOP = 15


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _topology(result: AuditResult) -> list[str]:
    placements = result.extras.get("topology", {}).get("placements", [])
    if not placements:
        return []
    out = ["", "### Region topology", "", "| provider | account | region | zone | source | resources |",
           "|---|---|---|---|---|---:|"]
    out += [f"| {p['provider']} | {p['account'] or '-'} | {p['region']} | {p['zone'] or '-'} | {p['source']} | "
            f"{p['resources']} |" for p in placements]
    return out


class MarkdownReporter(Reporter):
    filename = "summary.md"

    def render(self, result: AuditResult) -> bytes:
        sev_order = list(reversed(Severity))
        counts = result.counts()
        gating = result.gating(result.config.fail_on)
        lines = ["## redline audit", ""]
        verdict = "failed" if result.gate_failed() else "passed"
        lines.append(f"Gate **{verdict}** at `{result.config.fail_on}`: {len(gating)} new finding(s) at or above it. "
                     f"{len(result.active)} finding(s) in {result.stats.files_scanned:,} files."
                     + (f" **{len(result.skipped)} input(s) not covered** (listed below; `fail_on_not_covered = "
                        f"{str(result.config.fail_on_not_covered).lower()}`)." if result.skipped else ""))
        lines += ["", "| area | " + " | ".join(str(s) for s in sev_order) + " |",
                  "|---|" + "---:|" * len(sev_order)]
        for area in sorted(counts):
            c = counts[area]
            lines.append(f"| {area} | " + " | ".join(str(c.get(str(s), 0)) for s in sev_order) + " |")
        if not counts:
            lines.append("| (none) |" + " 0 |" * len(sev_order))
        top = sorted(result.active, key=lambda f: (-f.severity, -f.priority.score, f.sort_key()))[:TOP]
        if top:
            lines += ["", f"### Top {len(top)} findings", "", "| severity | rule | where | message |",
                      "|---|---|---|---|"]
            for f in top:
                where = f.location.path + (f":{f.location.start_line}" if f.location.start_line else "")
                lines.append(f"| {f.severity} | {f.rule} | `{_cell(where)}` | {_cell(f.message)} |")
        lines += _topology(result)
        if result.fatal_errors:
            lines += ["", f"### Tool errors ({len(result.fatal_errors)})", ""]
            lines += [f"- `{_cell(e.where)}`: {_cell(e.reason)}" for e in result.fatal_errors[:TOP]]
        if result.skipped:
            lines += ["", f"<details><summary>Not covered: {len(result.skipped)} input(s)</summary>", ""]
            lines += [f"- `{_cell(s.path)}`: {_cell(s.reason)}" for s in result.skipped[:50]]
            if len(result.skipped) > 50:
                lines.append(f"- … and {len(result.skipped) - 50} more (see findings.json)")
            lines += ["", "</details>"]
        return ("\n".join(lines) + "\n").encode()
