"""Trace and span ids as lower-case hex, whatever the export wrote (hex, base64, 64-bit Jaeger ids)."""

from __future__ import annotations

import base64
import binascii
import string

_HEX = frozenset(string.hexdigits)


def hex_id(value: object, width: int) -> str:
    """``value`` as ``width`` hex digits: OTLP/JSON writes hex, protobuf-to-JSON converters write
    base64; Jaeger writes 64-bit trace ids as 16 digits (left-padded here so both join)."""
    if not isinstance(value, str) or not value:
        return ""
    if len(value) == width and _HEX.issuperset(value):
        return value.lower()
    if len(value) < width and _HEX.issuperset(value):
        return value.lower().rjust(width, "0")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return ""
    return raw.hex().rjust(width, "0") if raw else ""


def as_int(value: object) -> int | None:
    """OTLP/JSON writes 64-bit integers as strings; some exporters write numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
