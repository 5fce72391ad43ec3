"""The extension point for reporters: one module per output format."""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod

from redline.core.result import AuditResult


class ReportError(Exception):
    """A reporter could not render the result."""


class OutputFormat(enum.Enum):
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"
    CYCLONEDX = "cyclonedx"


class Reporter(ABC):
    #: the file name written into the output directory
    filename: str = ""

    @abstractmethod
    def render(self, result: AuditResult) -> bytes:
        """Render deterministically (stable ordering, no timestamps unless in the result)."""
