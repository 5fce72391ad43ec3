"""Pick the reporter for an output format, exhaustively."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import assert_never

from redline.core.outputset import replace_output_set
from redline.core.result import AuditResult
from redline.report.cost_json import render_cost_json
from redline.report.cyclonedx import CycloneDxReporter
from redline.report.html import HtmlReporter
from redline.report.interface import OutputFormat, Reporter
from redline.report.json_report import JsonReporter
from redline.report.markdown import MarkdownReporter
from redline.report.plan_md import PlanReporter
from redline.report.sarif import SarifReporter
from redline.report.system_map import DotReporter, MapJsonReporter, MermaidReporter, ThreatsCsvReporter

#: the cost figures of an audit with --cost (``redline cost`` writes the same file itself)
COST_FILE = "cost.json"


def reporter_for(fmt: OutputFormat) -> Reporter:
    if fmt is OutputFormat.JSON:
        return JsonReporter()
    if fmt is OutputFormat.SARIF:
        return SarifReporter()
    if fmt is OutputFormat.MARKDOWN:
        return MarkdownReporter()
    if fmt is OutputFormat.HTML:
        return HtmlReporter()
    if fmt is OutputFormat.CYCLONEDX:
        return CycloneDxReporter()
    if fmt is OutputFormat.MAP_JSON:
        return MapJsonReporter()
    if fmt is OutputFormat.MERMAID:
        return MermaidReporter()
    if fmt is OutputFormat.DOT:
        return DotReporter()
    if fmt is OutputFormat.THREATS_CSV:
        return ThreatsCsvReporter()
    assert_never(fmt)


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
        plan = PlanReporter()
        out[plan.filename] = plan.render(result)
    if result.cost is not None:
        out[COST_FILE] = render_cost_json(result.cost.document)
    return out
