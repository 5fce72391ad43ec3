"""The code index cache: one JSON entry per file content (and redline version) under the user cache
directory, so an unchanged file is never parsed twice, across runs and across checkouts. JSON, never
pickle: a cache directory is writable by whoever can write the home directory, and loading it must not
run code. A missing, corrupt or unwritable entry only means parsing again."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from typing import Any

from redline import __version__
from redline.core.cache import cache_dir
from redline.sources.code.model import (
    Arg,
    Assignment,
    CallSite,
    CodeIndex,
    Decorator,
    Definition,
    Literal,
    Loop,
    StringFact,
    Tainted,
)

#: bump when the index's shape or meaning changes; part of every key with the redline version
INDEX_FORMAT = 6


def index_key(language: str, path: str, data: bytes) -> str:
    """Content, language and path (the index records the path) under this redline version."""
    digest = hashlib.sha256()
    for part in (__version__, str(INDEX_FORMAT), language, path):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _entry(key: str) -> str:
    return os.path.join(cache_dir(), "code-index", f"v{__version__}-{INDEX_FORMAT}", key[:2], key + ".json")


def load(key: str) -> CodeIndex | None:
    try:
        with open(_entry(key), "rb") as fh:
            return decode(json.loads(fh.read()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(key: str, index: CodeIndex) -> None:
    path = _entry(key)
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(index), fh, separators=(",", ":"))
        os.replace(tmp, path)


def _lit(value: Any) -> Literal:
    if isinstance(value, list):
        return tuple(_lit(v) for v in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError("not a literal")


def _arg(raw: dict[str, Any]) -> Arg:
    return Arg(
        raw["keyword"], _lit(raw["literal"]), raw["name"], raw["call"], tuple(raw["call_args"]), tuple(raw["items"])
    )


def _decorator(raw: dict[str, Any]) -> Decorator:
    return Decorator(raw["raw"], raw["target"], raw["line"], tuple(_arg(a) for a in raw["args"]), raw["is_call"])


def _definition(raw: dict[str, Any]) -> Definition:
    return Definition(
        raw["name"],
        raw["qualname"],
        raw["kind"],
        raw["line"],
        raw["end_line"],
        tuple(_decorator(d) for d in raw["decorators"]),
        tuple(raw["bases"]),
        tuple(raw["params"]),
        tuple((n, tuple(v)) for n, v in raw["class_attrs"]),
        tuple((n, _arg(a)) for n, a in raw["param_defaults"]),
    )


def _call(raw: dict[str, Any]) -> CallSite:
    return CallSite(
        raw["raw"],
        raw["target"],
        raw["line"],
        raw["end_line"],
        raw["function"],
        tuple(_arg(a) for a in raw["args"]),
        raw["assigned_to"],
        tuple((where, source, tuple(via)) for where, source, via in raw["tainted"]),
        raw["built_by"],
        raw["awaited"],
        raw["loop"],
        tuple(raw["reads"]),
        raw["block"],
        raw["position"],
    )


def _loop(raw: dict[str, Any]) -> Loop:
    return Loop(
        raw["kind"],
        raw["line"],
        raw["function"],
        raw["end_line"],
        tuple(raw["targets"]),
        raw["iter"],
        tuple(raw["iter_args"]),
        tuple((a, line) for a, line in raw["attrs"]),
        tuple(raw["assigns"]),
        raw["parent"],
        raw["exits"],
        raw["iter_size"],
    )


def decode(raw: dict[str, Any]) -> CodeIndex:
    """The index a cache entry holds; KeyError/TypeError on an entry of another shape."""
    return CodeIndex(
        path=raw["path"],
        language=raw["language"],
        imports=tuple((a, b) for a, b in raw["imports"]),
        definitions=tuple(_definition(d) for d in raw["definitions"]),
        calls=tuple(_call(c) for c in raw["calls"]),
        strings=tuple(StringFact(**s) for s in raw["strings"]),
        loops=tuple(_loop(lp) for lp in raw["loops"]),
        tainted=tuple(Tainted(**t) for t in raw["tainted"]),
        assignments=tuple(
            Assignment(a["name"], a["line"], tuple(_lit(v) for v in a["values"])) for a in raw["assignments"]
        ),
        parser="cache",
    )
