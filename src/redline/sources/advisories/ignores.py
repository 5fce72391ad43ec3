"""``osv-scanner.toml``: advisories a project has recorded as not applying to it, with its reason.

OSV-Scanner reads ``[[IgnoredVulns]]`` (``id``, ``reason``, optional ``ignoreUntil``) from the file beside the
scanned lockfile. A project that wrote down "the checkout service does not import the affected package"
(opentelemetry-demo) made a decision redline should show, not overrule: the vulnerability check reports
such advisories as suppressed with that reason. An entry past its ``ignoreUntil`` no longer counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import PurePosixPath

from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import FileSource, SourceError
from redline.sources.packages.common import load_toml

FILE_NAME = "osv-scanner.toml"


@dataclass(frozen=True)
class ScannerIgnores:
    """The advisories one ``osv-scanner.toml`` ignores: (id, reason) pairs, expired entries left out."""

    path: str
    entries: tuple[tuple[str, str], ...]

    @property
    def directory(self) -> str:
        return str(PurePosixPath(self.path).parent)

    def reason_for(self, ids: tuple[str, ...] | list[str]) -> str | None:
        """The recorded reason when any of these ids (an advisory and its aliases) is ignored."""
        wanted = set(ids)
        return next((reason or "no reason given" for i, reason in self.entries if i in wanted), None)


def _expired(until: object, now: datetime) -> bool:
    if isinstance(until, datetime):
        return (until if until.tzinfo else until.replace(tzinfo=UTC)) < now
    if isinstance(until, date):
        return until < now.date()
    return False


class OsvScannerConfigSource(FileSource):
    name = "osv-scanner-config"
    produces = ScannerIgnores

    def wants(self, file: SourceFile) -> bool:
        return PurePosixPath(file.path).name == FILE_NAME

    def parse(self, text: FileText) -> ScannerIgnores | None:
        data = load_toml(text.text)  # the shared reader: bad, too deep or oversized-number TOML is a SourceError
        raw = data.get("IgnoredVulns", [])
        if not isinstance(raw, list):
            raise SourceError("IgnoredVulns is not an array of tables")
        now = datetime.now(UTC)
        entries = tuple(
            (str(e["id"]), str(e.get("reason", "")).strip())
            for e in raw
            if isinstance(e, dict) and isinstance(e.get("id"), str) and not _expired(e.get("ignoreUntil"), now)
        )
        return ScannerIgnores(text.file.path, entries) if entries else None
