"""Django/Jinja templates: the ``{% for %}`` loops of a template and what their bodies read from the loop
variable (``{{ book.author.name }}``), so a check can tell which relation a page touches once per row."""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.core.workspace import FileText
from redline.sources.interface import FileSource

_TOKEN = re.compile(r"\{%-?\s*(.*?)\s*-?%\}|\{\{-?\s*(.*?)\s*-?\}\}", re.DOTALL)
_FOR = re.compile(r"^for\s+([\w\s,]+?)\s+in\s+([\w.]+)")
_ATTR = re.compile(r"(?<![\w.'\"])([A-Za-z_]\w*)\.([A-Za-z_]\w*)")
#: a template larger than this is generated or a bundle, not a page someone wrote
_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class TemplateLoop:
    line: int
    targets: tuple[str, ...]
    iterable: str  # dotted, as written (``books``, ``author.books.all``)
    #: ``target.attribute`` reads inside the loop with the first line of each
    attrs: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class TemplateLoops:
    """The for-loops of one template file (only templates that have one are kept)."""

    path: str
    loops: tuple[TemplateLoop, ...]


def template_loops(path: str, text: str) -> TemplateLoops | None:
    """The for-loops of a template, or None when it has none."""
    done: list[TemplateLoop] = []
    open_loops: list[tuple[int, tuple[str, ...], str, dict[str, int]]] = []
    for match in _TOKEN.finditer(text):
        tag, expression = match.group(1), match.group(2)
        body = tag if tag is not None else expression or ""
        line = text.count("\n", 0, match.start()) + 1
        for name, attr in _ATTR.findall(body):
            for _, targets, _, attrs in open_loops:
                if name in targets:
                    attrs.setdefault(f"{name}.{attr}", line)
        if tag is None:
            continue
        start = _FOR.match(tag)
        if start:
            targets = tuple(t.strip() for t in start.group(1).split(",") if t.strip())
            open_loops.append((line, targets, start.group(2), {}))
        elif tag.startswith("endfor") and open_loops:
            first, targets, iterable, attrs = open_loops.pop()
            done.append(TemplateLoop(first, targets, iterable, tuple(sorted(attrs.items(), key=lambda kv: kv[1]))))
    if not done:
        return None
    return TemplateLoops(path, tuple(sorted(done, key=lambda lp: lp.line)))


class TemplateSource(FileSource):
    name = "templates"
    kinds = frozenset({"html"})
    produces = TemplateLoops

    def parse(self, text: FileText) -> TemplateLoops | None:
        if len(text.data) > _MAX_BYTES or "{%" not in text.text:
            return None
        return template_loops(text.file.path, text.text)
