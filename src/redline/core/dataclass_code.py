"""The methods ``dataclasses`` generates, compiled once per interpreter and kept beside the package's bytecode.

``@dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__`` and frozen
``__setattr__``/``__delattr__`` as source text and compiles it with ``exec``: an audit defines 330 dataclasses, and
compiling their 1,760 methods was 0.24-0.36 s of its 0.55 s start-up, paid again on every run and by every command.

``dataclasses`` looks ``exec`` up in its module namespace before the builtins, so ``install`` puts one there that
compiles each text once and keeps the code, per module of the class, in ``__pycache__`` next to the package's
``.pyc`` files: the same place, written the same way, trusted as much as Python's own bytecode cache (never the
user's cache directory, which a CI cache restore can fill). The text is the key, so a class that changed is
compiled afresh; the file names the interpreter, so another one never reads it. The code is what ``exec`` would
have compiled from the same text with the same flags: classes behave exactly as without the cache.
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import marshal
import os
import sys
from pathlib import Path
from typing import Any


def default_path() -> Path:
    """Where the package's own bytecode is cached: its ``__pycache__``, or its place under ``sys.pycache_prefix``."""
    package = Path(__file__).resolve().parent.parent
    folder = (
        Path(sys.pycache_prefix) / package.relative_to(package.anchor)
        if sys.pycache_prefix
        else package / "__pycache__"
    )
    return folder / f"dataclasses.{sys.implementation.cache_tag}.bin"


class CodeCache:
    """Compiled method texts, by the module whose class they belong to; loaded when a dataclass is first made, each
    module's share decoded when its first class is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[str, bytes] | None = None  # module -> its marshalled {text: code}, as read
        self._loaded: dict[str, dict[str, Any]] = {}  # module -> {text: code}, decoded on first use
        self._used: dict[str, dict[str, Any]] = {}  # module -> what its classes compiled or reused this run
        self.compiled = 0  # texts compiled this run (none once every class is cached)

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
        """``exec`` as ``dataclasses`` calls it; text it has compiled before is not compiled again."""
        if not isinstance(source, str) or globals is None:
            builtins.exec(source, globals, locals)
            return
        module = str(globals.get("__name__", ""))
        code = self._module(module).get(source)
        if code is None:
            code = compile(source, "<string>", "exec", dont_inherit=True)  # the flags exec gives dataclasses' text
            self.compiled += 1
        self._used.setdefault(module, {})[source] = code
        builtins.exec(code, globals, locals)

    def _module(self, module: str) -> dict[str, Any]:
        if module not in self._loaded:
            blob = self._read().get(module)
            self._loaded[module] = _decoded(blob) if blob is not None else {}
        return self._loaded[module]

    def _read(self) -> dict[str, bytes]:
        if self._stored is None:
            self._stored = {}
            try:
                version, stored = marshal.loads(self.path.read_bytes())
            except (OSError, EOFError, ValueError, TypeError):  # none yet, or unreadable: compiled afresh
                return self._stored
            if version == sys.version and isinstance(stored, dict):
                self._stored = stored
        return self._stored

    def save(self) -> None:
        """Write the modules whose classes compiled anything (each with only what its classes use now, so a changed
        class leaves nothing stale behind); the others as they were. Nothing when all was cached, or when Python is
        told not to write bytecode."""
        changed = {module for module, used in self._used.items() if used.keys() != self._module(module).keys()}
        if not changed or sys.dont_write_bytecode:
            return
        stored = dict(self._read())
        for module in changed:
            stored[module] = marshal.dumps(self._used[module])
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(marshal.dumps((sys.version, stored)))
            os.replace(temporary, self.path)  # whole or not at all, whoever else writes it meanwhile
        except OSError:  # a read-only install: compiled on every run, as without the cache
            temporary.unlink(missing_ok=True)


def _decoded(blob: bytes) -> dict[str, Any]:
    try:
        codes = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return {}
    return codes if isinstance(codes, dict) else {}


def install(path: Path | None = None) -> CodeCache | None:
    """Serve ``dataclasses``' compiling from a cache at ``path``, saved when the interpreter exits; nothing when one
    is installed already, or on another interpreter than CPython."""
    if "exec" in vars(dataclasses) or sys.implementation.name != "cpython":
        return None
    cache = CodeCache(path or default_path())
    dataclasses.exec = cache.exec  # type: ignore[attr-defined]  # found before the builtin by its functions
    atexit.register(cache.save)
    return cache
