"""Provider rules that need the provider's name beside the key (``datadog … api_key: <hex>``) also
see a value nested under a provider section:

    datadog:
      site: datadoghq.eu
      api_key: 3f0c…

Each scalar of a structured config file (``structure.key_values``) whose section names something is
rewritten as one synthetic line ``datadog_api_key: 3f0c…``; all such lines are scanned at once, and a
provider (non-generic) match whose secret is exactly the value is reported at the value's real place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from redline.checks.secrets.engine import SecretScanner
from redline.checks.secrets.structure import KeyValue

_MIN, _MAX = 16, 300


@dataclass(frozen=True, slots=True)
class NestedMatch:
    rule_id: str
    start: int  # byte offsets of the value in the real file
    end: int
    secret: str = field(repr=False)


def nested_provider_matches(scanner: SecretScanner, values: Sequence[KeyValue]) -> list[NestedMatch]:
    """Provider matches among a config file's ``values`` (``structure.key_values``) read with their section."""
    lines: list[bytes] = []
    where: list[tuple[int, int, str]] = []
    for kv in values:
        value = kv.value
        if not kv.parents or not _MIN <= len(value) <= _MAX or any(c.isspace() for c in value):
            continue
        lines.append(f"{kv.parents[-1]}_{kv.key}: {value}".encode())
        where.append((kv.start, kv.end, value))
    if not lines:
        return []
    synthetic = b"\n".join(lines) + b"\n"
    out = []
    for m in scanner.scan_bytes(synthetic).matches:
        if scanner.by_id[m.rule_id].family == "generic":
            continue
        start, end, value = where[m.line - 1]
        if m.secret == value:
            out.append(NestedMatch(m.rule_id, start, end, value))
    return out
