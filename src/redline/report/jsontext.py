"""Indented JSON text written by C code. The standard library indents through its pure-Python encoder (on the
Django audit 0.03 s for findings.json and as much for the SARIF log); its C encoder writes the compact text,
which msgspec indents byte for byte as ``json.dumps(doc, indent=2)`` would have. A small document is indented
by the standard library still: importing msgspec (10 ms, with ``platform``, ``uuid`` and ``decimal``) would cost
a ``redline secrets`` run on a small tree more than the indenting does."""

from __future__ import annotations

import json
from typing import Any

#: compact text below this many characters is indented by the standard library
SMALL = 64_000


def indented(doc: Any, *, ensure_ascii: bool = False) -> str:
    """``json.dumps(doc, indent=2, ensure_ascii=ensure_ascii)``, the same text, faster for a large document."""
    compact = json.dumps(doc, ensure_ascii=ensure_ascii, separators=(",", ":"))
    if len(compact) < SMALL:
        return json.dumps(doc, indent=2, ensure_ascii=ensure_ascii)
    import msgspec  # noqa: PLC0415 - only a large document pays for the import

    return msgspec.json.format(compact.encode(), indent=2).decode()
