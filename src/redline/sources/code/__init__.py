"""Application code: one index per module (imports, calls, definitions, literals, loops, request data
flow), built once and cached by content; entry points are derived from the indexes."""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource


def file_sources() -> list[FileSource]:
    from redline.sources.code.source import CodeIndexSource  # noqa: PLC0415 - loaded with its family
    from redline.sources.code.templates import TemplateSource  # noqa: PLC0415 - loaded with its family
    from redline.sources.code.webxml import WebXmlSource  # noqa: PLC0415 - loaded with its family

    return [CodeIndexSource(), TemplateSource(), WebXmlSource()]


def project_sources() -> list[ProjectSource]:
    from redline.sources.code.entrypoints import EntryPointsSource  # noqa: PLC0415 - loaded with its family
    from redline.sources.code.ops_signals import OpsSignalsSource  # noqa: PLC0415 - loaded with its family
    from redline.sources.code.tspaths import PathAliasesSource  # noqa: PLC0415 - loaded with its family

    return [PathAliasesSource(), EntryPointsSource(), OpsSignalsSource()]
