"""Procfiles (Heroku, Dokku, foreman, honcho): each line names a process type and the command that starts it.
``web: gunicorn app:app`` says how the web app is served where there may be no Dockerfile at all."""

from __future__ import annotations

from dataclasses import dataclass

from redline.core.lazy_regex import lazy
from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import FileSource

#: ``web: gunicorn app:app``; process type names are letters, digits, ``_`` and ``-``
_LINE = lazy(r"^([A-Za-z0-9_-]+)\s*:\s*(\S.*)$")


@dataclass(frozen=True)
class Procfile:
    path: str
    #: (process type, line, command) in file order
    processes: tuple[tuple[str, int, str], ...] = ()

    def commands(self, kind: str) -> tuple[str, ...]:
        return tuple(command for name, _, command in self.processes if name == kind)


def parse_procfile(path: str, text: str) -> Procfile:
    processes = tuple(
        (m.group(1), number, m.group(2).strip())
        for number, raw in enumerate(text.splitlines(), 1)
        if not raw.lstrip().startswith("#") and (m := _LINE.match(raw.strip()))
    )
    return Procfile(path, processes)


class ProcfileSource(FileSource):
    name = "procfile"
    produces = Procfile

    def wants(self, file: SourceFile) -> bool:
        return file.path.rsplit("/", 1)[-1] == "Procfile"

    def parse(self, text: FileText) -> Procfile | None:
        return parse_procfile(text.file.path, text.text)
