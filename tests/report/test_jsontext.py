"""Indented JSON through C code: the same text ``json.dumps(doc, indent=2)`` writes, byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

from redline.report.jsontext import SMALL, indented

DOCS: list[Any] = [
    {},
    [],
    {"empty": [], "nested": {"list": [1, 2.5, -3e-07, 1e20, True, False, None], "object": {}}},
    {"text": 'quote " backslash \\ tab \t newline \n nul \0 line separator \u2028 é ✓ 😀', "ключ": "значение"},
    [[[]], [{}], {"a": [{"b": [[], {}]}]}],
    {"a, b": "c: d", "[": "]", "{": "}"},
    # large enough for msgspec to indent it: every case above, many times over
    {"rows": [{"id": i, "text": f"é ✓ \u2028 \0 {i}", "values": [i / 7, None, [], {}]} for i in range(SMALL // 40)]},
]


@pytest.mark.parametrize("doc", DOCS)
@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_the_text_json_dumps_writes(doc: Any, ensure_ascii: bool) -> None:
    assert indented(doc, ensure_ascii=ensure_ascii) == json.dumps(doc, indent=2, ensure_ascii=ensure_ascii)


def test_the_documents_take_both_paths() -> None:
    assert len(json.dumps(DOCS[-1], separators=(",", ":"))) >= SMALL > len(json.dumps(DOCS[-2]))
