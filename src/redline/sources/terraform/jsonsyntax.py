"""``*.tf.json`` (Terraform's JSON configuration syntax) -> the same ``Block`` facts as HCL.

JSON has no positions, so a block's lines are found by locating its labels in
the text (first match after the previous label) and its closing brace.
Without a provider schema, JSON cannot tell a nested block from a map
attribute: objects are kept as attributes *and* offered as nested blocks.
"""

from __future__ import annotations

import json
from typing import Any

from redline.sources.terraform.hcl import matching_brace, template_from_text
from redline.sources.terraform.syntax import Block

_LABELS = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "check": 1,
}


class JsonSyntaxError(ValueError):
    """The text is not a Terraform JSON configuration."""


def parse_tf_json(text: str) -> tuple[Block, ...]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise JsonSyntaxError("JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise JsonSyntaxError("a Terraform JSON file must hold an object at the top level")
    finder = _LineFinder(text)
    blocks: list[Block] = []
    for btype, content in data.items():
        if btype not in _LABELS or btype.startswith("//"):
            continue
        for labels, body in _expand(content, _LABELS[btype]):
            start, end = finder.find((btype, *labels))
            for one in body if isinstance(body, list) else [body]:
                if isinstance(one, dict):
                    blocks.append(_block(btype, tuple(labels), one, start, end))
    return tuple(blocks)


def _expand(content: Any, depth: int) -> list[tuple[list[str], Any]]:
    if depth == 0:
        return [([], content)]
    if isinstance(content, list):  # "provider": [{"aws": {...}}, {"aws": {...}}]
        return [item for c in content for item in _expand(c, depth)]
    if not isinstance(content, dict):
        return []
    out: list[tuple[list[str], Any]] = []
    for key, value in content.items():
        for labels, body in _expand(value, depth - 1):
            out.append(([key, *labels], body))
    return out


def _block(btype: str, labels: tuple[str, ...], body: dict[str, Any], start: int, end: int) -> Block:
    attrs: dict[str, Any] = {}
    nested: list[Block] = []
    for key, value in body.items():
        if key.startswith("//"):
            continue
        attrs[key] = _value(value)
        if btype == "locals":
            continue
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(i, dict) for i in items):
            nested.extend(_block(key, (), i, start, end) for i in items)
    return Block(btype, labels, attrs, tuple(nested), start, end, {})


def _value(value: Any) -> Any:
    if isinstance(value, str):
        return template_from_text(value)
    if isinstance(value, list):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    return value


class _LineFinder:
    def __init__(self, text: str) -> None:
        self.text = text

    def find(self, labels: tuple[str, ...]) -> tuple[int, int]:
        pos = 0
        for label in labels:
            hit = self.text.find(json.dumps(label), pos)
            if hit < 0:
                return 0, 0
            pos = hit + len(label) + 2
        brace = self.text.find("{", pos)
        start = self.text.count("\n", 0, pos) + 1
        if brace < 0:
            return start, start
        end_pos = matching_brace(self.text, brace + 1)
        return start, (self.text.count("\n", 0, end_pos) + 1) if end_pos >= 0 else start
