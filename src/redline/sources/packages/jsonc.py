"""JSON with comments and trailing commas (bun.lock's text format), read without eval."""

from __future__ import annotations

from typing import Any

from redline.sources.packages.common import load_json


def strip_jsonc(text: str) -> str:
    """Remove ``//`` and ``/* */`` comments and trailing commas outside strings."""
    out: list[str] = []
    i, n = 0, len(text)
    in_string = False
    pending_comma = -1  # index in ``out`` of a comma that may turn out to be trailing
    while i < n:
        ch = text[i]
        if in_string:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_string = False
            i += 1
            continue
        if ch == '"':
            in_string = True
            pending_comma = -1
            out.append(ch)
        elif ch == "/" and i + 1 < n and text[i + 1] == "/":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == "/" and i + 1 < n and text[i + 1] == "*":
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif ch == ",":
            pending_comma = len(out)
            out.append(ch)
        elif ch in "}]":
            if pending_comma >= 0:
                out[pending_comma] = " "
            pending_comma = -1
            out.append(ch)
        else:
            if not ch.isspace():
                pending_comma = -1
            out.append(ch)
        i += 1
    return "".join(out)


def load_jsonc(text: str) -> Any:
    return load_json(strip_jsonc(text))
