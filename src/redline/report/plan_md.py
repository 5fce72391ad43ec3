"""``plan.md``: the 30/60/90 plan (``core/plan.py``), and its short form for summary.md."""

from __future__ import annotations

from redline.core.plan import Horizon, PlanItem
from redline.core.result import AuditResult
from redline.report.interface import Reporter

#: items listed per horizon in summary.md (plan.md lists all)
SHORT = 5


def plan_items(result: AuditResult) -> list[PlanItem]:
    return result.plan  # built once per result


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(items: list[PlanItem]) -> list[str]:
    out = ["| # | what | why (closes) | owner | effort | done when |", "|---:|---|---|---|---|---|"]
    for n, i in enumerate(items, 1):
        places = ", ".join(i.places[:3]) + (f" +{len(i.places) - 3}" if len(i.places) > 3 else "")
        out.append(
            f"| {n} | {_cell(i.what)} | {_cell(i.why)}: {_cell(places)} | {_cell(i.owner)} | "
            f"{i.effort} ({i.effort_source}) | {_cell(i.done_when)} |"
        )
    return out


def plan_lines(items: list[PlanItem], limit: int | None = None) -> list[str]:
    out: list[str] = []
    for horizon in Horizon:
        chosen = [i for i in items if i.horizon is horizon]
        out += ["", f"### {horizon} ({len(chosen)} item(s))", ""]
        if not chosen:
            out.append("Nothing planned.")
            continue
        shown = chosen if limit is None else chosen[:limit]
        out += _table(shown)
        if len(shown) < len(chosen):
            out += ["", f"… and {len(chosen) - len(shown)} more in plan.md."]
    return out


class PlanReporter(Reporter):
    filename = "plan.md"

    def render(self, result: AuditResult) -> bytes:
        items = plan_items(result)
        head = [
            "# 30/60/90 plan",
            "",
            f"{len(items)} item(s), ranked by priority (user impact x exploitability x cost of delay, 1-125). "
            "Week 1: high priority and small effort. Month 1: infrastructure and security hardening. "
            "Quarter 1: resilience, performance, capacity and cost.",
        ]
        return ("\n".join([*head, *plan_lines(items)]) + "\n").encode()


def plan_summary(result: AuditResult) -> list[str]:
    """The plan's short form for summary.md: each horizon's first items; the whole plan is in plan.md."""
    items = plan_items(result)
    if not items:
        return []
    return [
        "",
        "## 30/60/90 plan",
        "",
        f"{len(items)} item(s) by priority; every item, with its done-condition, in plan.md.",
        *plan_lines(items, SHORT),
    ]


#: items shown per horizon in report.html (plan.md lists all)
HTML_SHOWN = 50


def plan_by_horizon(result: AuditResult) -> list[tuple[str, list[PlanItem], int]]:
    """(horizon, the items shown, how many in all) for report.html; empty when nothing is planned."""
    items = plan_items(result)
    if not items:
        return []
    by = [(h, [i for i in items if i.horizon is h]) for h in Horizon]
    return [(str(h), chosen[:HTML_SHOWN], len(chosen)) for h, chosen in by]
