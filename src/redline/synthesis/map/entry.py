"""Which modules of a shared build context each component runs.

Two components built from one context (``orders`` serving HTTP with ``gunicorn wsgi:app``, and
``orders-consumer`` running ``python -m app.consumer``) run different code. The command a component
runs (compose ``command:``, else its Dockerfile's ``ENTRYPOINT``/``CMD``) names its entry module; the
modules it imports, followed through the code index inside the context, are the code it runs. A
component whose entry cannot be told keeps every file of the context.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence

from redline.sources.code.model import CodeIndex

_APP_REF = re.compile(r"^([A-Za-z_][\w.]*):[A-Za-z_]\w*(?:\(\))?$")  # gunicorn/uvicorn ``wsgi:app``
_MODULE = re.compile(r"^[A-Za-z_][\w.]*$")
_APP_FLAGS = frozenset({"-A", "--app"})  # celery -A proj, flask --app proj


def entry_modules(words: Sequence[str]) -> list[str]:
    """Modules (dotted) or files (``*.py``) a command line runs; [] when it names none."""
    out: list[str] = []
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        if before == "-m" and _MODULE.match(word):
            out.append(word)
        elif before in _APP_FLAGS or word.startswith(("--app=", "-A=")):
            name = word.split("=", 1)[-1].split(":", 1)[0]
            if _MODULE.match(name):
                out.append(name)
        elif word.endswith(".py") and not word.startswith("-"):
            out.append(word)
        elif m := _APP_REF.match(word):
            out.append(m.group(1))
    return out


class ContextCode:
    """The Python modules of one build context, by dotted name, with what each imports."""

    def __init__(self, directory: str, indexes: Iterable[CodeIndex]) -> None:
        self.directory = directory
        self.files: dict[str, CodeIndex] = {i.path: i for i in indexes}

    def _file(self, name: str) -> str | None:
        rel = name.replace(".", "/")
        for root in (self.directory, posixpath.join(self.directory, "src")):
            for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
                path = posixpath.normpath(posixpath.join(root, candidate)) if root else candidate
                if path in self.files:
                    return path
        return None

    def _resolve(self, entry: str) -> str | None:
        if entry.endswith(".py"):
            path = posixpath.normpath(posixpath.join(self.directory, entry.lstrip("./"))) if self.directory else entry
            return path if path in self.files else None
        return self._file(entry)

    def reachable(self, entries: Sequence[str]) -> set[str] | None:
        """Files the entries run, imports followed; None when no entry resolves to a file of the context,
        or when the code loads modules by name (Django's settings and apps, Celery's autodiscovery): then
        no import chain says what runs."""
        todo = [p for e in entries if (p := self._resolve(e)) is not None]
        if not todo:
            return None
        seen: set[str] = set()
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            if _loads_by_name(self.files[path]):
                return None
            for _local, qualified in self.files[path].imports:
                parts = qualified.split(".")
                for n in range(len(parts), 0, -1):
                    found = self._file(".".join(parts[:n]))
                    if found is not None:
                        todo.append(found)
                        break
        return seen


def _loads_by_name(index: CodeIndex) -> bool:
    return any(q == "django" or q.startswith("django.") for _l, q in index.imports) or any(
        (c.target or c.raw).endswith("autodiscover_tasks") for c in index.calls
    )
