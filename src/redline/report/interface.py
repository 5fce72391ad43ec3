"""The extension point for reporters: one module per output format."""

from __future__ import annotations

from abc import ABC, abstractmethod

from redline.core.config import OutputFormat
from redline.core.result import AuditResult

__all__ = ["OutputFormat", "ReportError", "Reporter"]


class ReportError(Exception):
    """A reporter could not render the result."""


class Reporter(ABC):
    #: the file name written into the output directory
    filename: str = ""

    @abstractmethod
    def render(self, result: AuditResult) -> bytes:
        """Render deterministically (stable ordering, no timestamps unless in the result)."""

    def ready(self) -> None:
        """Load ahead what ``render`` will need (a library, a compiled template): the pipeline calls it in the
        main process while the workers parse, when that process has time to spare. Nothing by default."""
        return
