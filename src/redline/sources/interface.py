"""The extension point for sources.

A ``FileSource`` turns one file's text into a fact; it runs in worker
processes, once per file, and the fact is shared by every check.
A ``ProjectSource`` reads what is not one file (git history, a database,
several files that only make sense together) and runs once in the main process.
A project source that ``needs`` facts derives a fact from them (the evaluated
Terraform project from every ``.tf`` file, the build context of each Dockerfile):
it runs after the sources of what it needs, once, and checks and synthesis steps
read its fact instead of rebuilding (or caching) it themselves.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Skipped, ToolError
from redline.core.workspace import FileText, SourceFile


class SourceError(Exception):
    """The input cannot be parsed. The message is the reason, without the path."""


class NotCovered(SourceError):
    """The input is deliberately not read (generated, minified): listed as not covered, not an error."""


class FileSource(ABC):
    #: a short, stable name used in messages
    name: str = ""
    #: file kinds (see ``core.filekinds``) this source reads; override ``wants`` for more
    kinds: frozenset[str] = frozenset()
    #: the fact type it produces, so the pipeline can skip sources nobody needs
    produces: type = object

    def wants(self, file: SourceFile) -> bool:
        return file.kind in self.kinds

    @abstractmethod
    def parse(self, text: FileText) -> object | None:
        """Return the fact for this file, ``None`` when it is not this source's kind
        after all, or raise ``SourceError`` with the reason."""

    def read(self, text: FileText) -> object | None:
        """What the pipeline asks for: ``parse``, or in a worker a fact left undecoded (``core.facts.Deferred``)."""
        return self.parse(text)


@dataclass(frozen=True)
class ProjectContext:
    root: Path
    config: Config
    files: tuple[SourceFile, ...]  # what the workspace walk found
    facts: Facts = field(default_factory=Facts)  # what the file sources and earlier project sources produced


@dataclass
class ProjectOutput:
    facts: list[object]
    errors: list[ToolError]
    skipped: list[Skipped]


def parse_guarded(source: FileSource, text: FileText) -> object | None:
    """``source.read`` with the limits of the interpreter itself turned into reasons: a file nested
    100,000 deep or holding a 2-million-digit number is not covered, it does not crash the source."""
    try:
        return source.read(text)
    except RecursionError:
        raise SourceError("nested too deeply to read (not covered)") from None
    except MemoryError:
        raise SourceError("too large to hold in memory (not covered)") from None
    except ValueError as exc:
        if "integer string conversion" not in str(exc):
            raise
        raise SourceError("a number with too many digits (not covered)") from None


class ProjectSource(ABC):
    name: str = ""
    produces: type = object
    #: fact types it derives its fact from; their sources run first (and run because this one does)
    needs: tuple[type, ...] = ()

    @abstractmethod
    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        """Read the input. Report problems in the output; raise only on a bug."""


def empty_output() -> ProjectOutput:
    return ProjectOutput([], [], [])


def facts_only(facts: Iterable[object]) -> ProjectOutput:
    return ProjectOutput(list(facts), [], [])
