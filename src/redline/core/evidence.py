"""Typed evidence: the small, structured facts a finding carries beside its message.

Evidence is an immutable, hashable mapping from a key to a JSON value (str, int,
float, bool, None, a tuple of values, or a nested ``Evidence``). Reporters, the
SBOM and synthesis steps read values (``ev["epss"]["probability"]`` is a float),
never parse text. It is built from one form only: a mapping (``Evidence({"port": 22})``);
dicts inside become nested ``Evidence`` and lists become tuples, so a finding
stays frozen and its equality and hash agree.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeAlias, Union

Scalar: TypeAlias = str | int | float | bool | None
EvidenceValue: TypeAlias = Union[Scalar, tuple["EvidenceValue", ...], "Evidence"]
#: what a check may hand in: plain dicts and lists are frozen on the way in
EvidenceInputValue: TypeAlias = Union[Scalar, "Evidence", tuple[Any, ...], list[Any], Mapping[str, Any]]
EvidenceInput: TypeAlias = Mapping[str, EvidenceInputValue]

_SCALARS = (str, int, float, bool, type(None))


def _freeze(value: object, key: str) -> EvidenceValue:
    if isinstance(value, _SCALARS):
        return value  # type: ignore[return-value]
    if isinstance(value, Evidence):
        return value
    if isinstance(value, Mapping):
        return Evidence(value)
    if isinstance(value, (tuple, list)):
        return tuple(_freeze(v, key) for v in value)
    raise TypeError(f"evidence {key!r}: {type(value).__name__} is not a JSON value")


class Evidence(Mapping[str, EvidenceValue]):
    """A frozen mapping of evidence keys to JSON values, in the order they were given."""

    __slots__ = ("_hash", "_items")

    _items: dict[str, EvidenceValue]
    _hash: int | None

    def __init__(self, items: EvidenceInput | None = None, /) -> None:
        if items is not None and not isinstance(items, Mapping):
            raise TypeError(f"Evidence takes a mapping of key to value, not {type(items).__name__}")
        frozen: dict[str, EvidenceValue] = {}
        for key, value in (items or {}).items():
            if not isinstance(key, str):
                raise TypeError(f"evidence key {key!r} is not a string")
            frozen[key] = _freeze(value, key)
        object.__setattr__(self, "_items", frozen)
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Evidence is immutable")

    def __getitem__(self, key: str) -> EvidenceValue:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._items.items())))
        return self._hash  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Evidence):
            return self._items == other._items
        return NotImplemented

    def __repr__(self) -> str:
        return f"Evidence({self._items!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Evidence, (self._items,))

    def with_values(self, items: EvidenceInput) -> Evidence:
        """A copy with ``items`` added or replaced (later keys win)."""
        return Evidence({**self._items, **items})

    def without(self, *keys: str) -> Evidence:
        return Evidence({k: v for k, v in self._items.items() if k not in keys})

    def text(self, key: str, default: str = "") -> str:
        """The value at ``key`` when it is a string, else ``default``."""
        value = self._items.get(key)
        return value if isinstance(value, str) else default

    def number(self, key: str) -> float | None:
        value = self._items.get(key)
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def nested(self, key: str) -> Evidence:
        value = self._items.get(key)
        return value if isinstance(value, Evidence) else EMPTY

    def strings(self, key: str) -> tuple[str, ...]:
        """The value at ``key`` as a tuple of strings (one string counts as one)."""
        value = self._items.get(key)
        if isinstance(value, str):
            return (value,)
        if isinstance(value, tuple):
            return tuple(v for v in value if isinstance(v, str))
        return ()

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data: nested evidence as objects, tuples as arrays."""
        return {k: _to_json(v) for k, v in self._items.items()}


def _to_json(value: EvidenceValue) -> Any:
    if isinstance(value, Evidence):
        return value.to_json()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


EMPTY = Evidence()
