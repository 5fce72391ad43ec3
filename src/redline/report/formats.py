"""Pick the reporter for an output format, exhaustively."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from redline.core.outputset import replace_output_set
from redline.report.interface import OutputFormat, Reporter

if TYPE_CHECKING:
    from redline.core.result import AuditResult

#: the cost figures of an audit with --cost (``redline cost`` writes the same file itself)
COST_FILE = "cost.json"


def reporter_for(fmt: OutputFormat) -> Reporter:
    """The reporter of ``fmt``; each reporter's module is imported only for its own format (the map formats
    import the map model, HTML imports jinja2), so ``redline secrets`` imports no map, SBOM or threat code."""
    if fmt is OutputFormat.JSON:
        from redline.report.json_report import JsonReporter  # noqa: PLC0415

        return JsonReporter()
    if fmt is OutputFormat.SARIF:
        from redline.report.sarif import SarifReporter  # noqa: PLC0415

        return SarifReporter()
    if fmt is OutputFormat.MARKDOWN:
        from redline.report.markdown import MarkdownReporter  # noqa: PLC0415

        return MarkdownReporter()
    if fmt is OutputFormat.HTML:
        from redline.report.html import HtmlReporter  # noqa: PLC0415

        return HtmlReporter()
    if fmt is OutputFormat.CYCLONEDX:
        from redline.report.cyclonedx import CycloneDxReporter  # noqa: PLC0415

        return CycloneDxReporter()
    if fmt is OutputFormat.MAP_JSON:
        from redline.report.system_map import MapJsonReporter  # noqa: PLC0415

        return MapJsonReporter()
    if fmt is OutputFormat.MERMAID:
        from redline.report.system_map import MermaidReporter  # noqa: PLC0415

        return MermaidReporter()
    if fmt is OutputFormat.DOT:
        from redline.report.system_map import DotReporter  # noqa: PLC0415

        return DotReporter()
    if fmt is OutputFormat.THREATS_CSV:
        from redline.report.system_map import ThreatsCsvReporter  # noqa: PLC0415

        return ThreatsCsvReporter()
    assert_never(fmt)


def ready_reports(formats: Iterable[OutputFormat]) -> None:
    """Each chosen format's reporter loaded ahead (``Reporter.ready``), ``write_reports`` then finds it loaded."""
    for fmt in dict.fromkeys(formats):
        reporter_for(fmt).ready()


def write_reports(result: AuditResult, out_dir: Path, formats: Iterable[OutputFormat]) -> list[Path]:
    """Render every format first, then write them all as one set (``core.outputset``): nothing is written
    if one fails, and what an earlier run wrote there and this one did not is removed."""
    chosen = list(dict.fromkeys(formats))
    rendered = {r.filename: r.render(result) for r in map(reporter_for, chosen)}
    rendered.update(_companions(result, chosen))
    return replace_output_set(out_dir, rendered)


def _companions(result: AuditResult, formats: list[OutputFormat]) -> dict[str, bytes]:
    """Files that travel with the chosen formats, in the same set: the whole 30/60/90 plan beside summary.md,
    and the cost figures when billing exports were read."""
    out: dict[str, bytes] = {}
    if OutputFormat.MARKDOWN in formats:
        from redline.report.plan_md import PlanReporter  # noqa: PLC0415

        plan = PlanReporter()
        out[plan.filename] = plan.render(result)
    if result.cost is not None:
        from redline.report.cost_json import render_cost_json  # noqa: PLC0415

        out[COST_FILE] = render_cost_json(result.cost.document)
    return out
