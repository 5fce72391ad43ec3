"""Pick the reporter for an output format, exhaustively."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import assert_never

from redline.core.outputset import replace_output_set
from redline.core.result import AuditResult
from redline.report.cyclonedx import CycloneDxReporter
from redline.report.html import HtmlReporter
from redline.report.interface import OutputFormat, Reporter
from redline.report.json_report import JsonReporter
from redline.report.markdown import MarkdownReporter
from redline.report.sarif import SarifReporter
from redline.report.system_map import DotReporter, MapJsonReporter, MermaidReporter, ThreatsCsvReporter


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
    rendered = {r.filename: r.render(result) for r in map(reporter_for, dict.fromkeys(formats))}
    return replace_output_set(out_dir, rendered)
