"""Shell scripts that start a JVM: the lines that run ``java``, so the runtime rules can see a JVM
that a Dockerfile starts through ``ENTRYPOINT ["/start.sh"]`` (the script is read, never run)."""

from __future__ import annotations

from dataclasses import dataclass

from redline.core.lazy_regex import lazy
from redline.core.workspace import FileText
from redline.sources.interface import FileSource

#: ``java`` (or ``exec /opt/jdk/bin/java``) as a command word, not inside another word
_JAVA = lazy(r"(?:^|[\s;&|(`])(?:exec\s+)?(?:\S*/)?java(?=\s|$)")


@dataclass(frozen=True)
class ShellScript:
    path: str
    java_lines: tuple[tuple[int, str], ...]  # (line, text) of each command line that runs `java`
    text_vars: tuple[tuple[str, str], ...] = ()  # NAME=value assignments (JAVA_OPTS=...) in the script


_ASSIGN = lazy(r"^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$")


def parse_script(path: str, text: str) -> ShellScript | None:
    """The script's ``java`` command lines (continuations joined), or ``None`` when it starts no JVM."""
    logical: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        logical.append((start, " ".join(p.strip() for p in pending)))
        pending = []
    java = tuple((n, t) for n, t in logical if _JAVA.search(t))
    if not java:
        return None
    assigns = tuple((m.group(1), m.group(2).strip().strip("\"'")) for _, t in logical if (m := _ASSIGN.match(t)))
    return ShellScript(path, java, assigns)


class ShellScriptSource(FileSource):
    name = "shell-scripts"
    kinds = frozenset({"shell"})
    produces = ShellScript

    def parse(self, text: FileText) -> ShellScript | None:
        if "java" not in text.text:
            return None  # cheap exit: most scripts start no JVM
        return parse_script(text.file.path, text.text)
