"""``report.html``: the one page a team lead reads first, self-contained and autoescaped (no network, no CDN).

Top to bottom: the map, the success scorecard, the 30/60/90 plan, the threat register, the findings by
priority (one row per root cause, filtered and paged in the page), the SBOM summary, the trends, then the
runtime evidence and what was not covered. Every scanned string reaches the page through Jinja2
autoescaping or, for the findings table, as JSON in a ``<script type="application/json">`` block (``<``,
``>`` and ``&`` escaped) rendered with textContent. The templates are split per section (``templates/``).
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redline import __version__
from redline.core.cache import read_entry, write_entry
from redline.core.groups import FindingGroup
from redline.core.result import AuditResult
from redline.report.context_summary import (
    ContextLine,
    context_lines,
    context_listed,
    context_total,
    how_ranked,
    items_by_reason,
)
from redline.report.html_rows import item_rows
from redline.report.interface import Reporter
from redline.report.latency_html import latency_section
from redline.report.plan_md import plan_by_horizon
from redline.report.scorecard import scorecard
from redline.report.sections import cost_tables, database_tables, monthly_cost_svg
from redline.report.serialize import summary_dict, where

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from redline.report.sbom_summary import SbomSummary
    from redline.report.trends_svg import Trend

TEMPLATE = "report.html.j2"


def _script_json(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _apart(result: AuditResult) -> list[dict[str, Any]]:
    """The sections of items listed apart (never among the findings): one per reason (tests, docs and samples;
    advisories the code does not reach), each item with ``--show-context``, else one row per rule
    (``report.context_summary``)."""
    listed = context_listed(result)
    sections = []
    for reason, items in items_by_reason(result.items):
        lines = context_lines(items)
        rows = [_listed_row(g) for g in items] if listed else [_rule_row(c) for c in lines]
        sections.append(
            {
                "key": reason.key,
                "title": reason.title,
                "what": reason.what,
                "places": reason.places,
                "ranked": how_ranked(reason, lines),
                "total": context_total(lines),
                "listed": listed,
                "rows": rows,
            }
        )
    return sections


def _rule_row(c: ContextLine) -> dict[str, Any]:
    return {"rule": c.rule, "n": c.items, "places": c.places, "where": c.where(), "folders": len(c.folders)}


def _listed_row(g: FindingGroup) -> dict[str, Any]:
    return {
        "sev": str(g.lead.severity),
        "rule": g.lead.rule,
        "where": where(g.lead.location),
        "n": g.count,
        "msg": g.lead.message,
    }


def context(result: AuditResult) -> dict[str, Any]:
    """Everything the templates read, computed once."""
    from markupsafe import Markup  # noqa: PLC0415 - with jinja2, only when a page is written

    map_html, threats_html = _map_sections(result)
    table = item_rows(result)
    rows = table["rows"]
    reasons = sorted(Counter(s.reason for s in result.skipped).items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "version": __version__,
        "root": result.root,
        "summary": summary_dict(result),
        "notices": [e for e in result.errors if not e.fatal and e.where == "vulnerability database"],
        "budget_failures": result.budget_failures,
        "map_html": map_html,
        "scorecard": scorecard(result),
        "plan": plan_by_horizon(result),
        "threats_html": threats_html,  # built with markupsafe.escape
        "rows_json": Markup(_script_json(table)),
        "row_count": len(rows),
        "components": sorted({r["comp"] for r in rows if r["comp"]}),
        "areas": sorted({r["area"] for r in rows}),
        "has_baseline": bool(result.baseline),
        "sbom": _sbom_summary(result),
        "history": result.history,
        "trends": _trends(result),
        "placements": result.topology.as_dict()["placements"] if result.topology is not None else [],
        "evidence_tables": [*database_tables(result), *cost_tables(result)],
        "cost_chart": Markup(monthly_cost_svg(result)),  # built from numbers and escaped labels only
        "latency_html": latency_section(result),  # inline SVG built from numbers and escaped labels only
        "errors": result.errors,
        "skipped": result.skipped,
        "skipped_reasons": reasons,
        "apart": _apart(result),
    }


def _sbom_summary(result: AuditResult) -> SbomSummary | None:
    if result.sbom is None:  # nothing to summarise: the summary module is not imported
        return None
    from redline.report.sbom_summary import summarise  # noqa: PLC0415

    return summarise(result.sbom)


def _trends(result: AuditResult) -> list[Trend]:
    if result.history is None:  # no recorded runs: nothing to draw
        return []
    from redline.report.trends_svg import trends  # noqa: PLC0415

    return trends(result.history)


def _map_sections(result: AuditResult) -> tuple[Markup, Markup]:
    """The map and threat register sections; empty (and the map model never imported) without either."""
    from markupsafe import Markup  # noqa: PLC0415

    if result.system_map is None and result.threats is None:
        return Markup(""), Markup("")
    from redline.report.map_html import map_section, threat_section  # noqa: PLC0415

    return map_section(result, lambda data: Markup(_script_json(data))), Markup(threat_section(result))


class HtmlReporter(Reporter):
    filename = "report.html"

    def render(self, result: AuditResult) -> bytes:
        return _template().render(**context(result)).encode()

    def ready(self) -> None:
        _template()


def _load(name: str) -> str:
    """A template's text: beside this module, or through ``importlib.resources`` when redline runs from a
    zip (importing it and its readers costs ~3 ms of every start-up that writes a page)."""
    try:
        return (Path(__file__).parent / "templates" / name).read_text("utf-8")
    except OSError:
        from importlib.resources import files  # noqa: PLC0415

        return files("redline.report").joinpath(f"templates/{name}").read_text("utf-8")


@cache
def _template() -> jinja2.Template:
    """The page template; jinja2 is imported only here, and its compiled form comes from the redline cache
    (compiling the template cost about as much as importing jinja2)."""
    import jinja2  # noqa: PLC0415 - a run that writes no HTML never pays for it

    class CachedBytecode(jinja2.BytecodeCache):
        """Compiled templates in the redline cache; jinja2 checks each entry's source checksum and
        Python version, and an unreadable or unwritable cache only means compiling again."""

        def load_bytecode(self, bucket: Any) -> None:
            raw = read_entry(f"jinja-{bucket.key}.bc")
            if raw:
                bucket.bytecode_from_string(raw)

        def dump_bytecode(self, bucket: Any) -> None:
            write_entry(f"jinja-{bucket.key}.bc", bucket.bytecode_to_string(), prefix="jinja-", keep=32)

    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        loader=jinja2.FunctionLoader(lambda name: (_load(name), None, lambda: True)),
        bytecode_cache=CachedBytecode(),
    )
    return env.get_template(TEMPLATE)
