"""The nesting of the code index's function names: ``A.b.<anonymous:3>`` is inside ``A.b``, inside ``A``, inside
the module (""). What a name used in a function is resolved through: its own binding, else the nearest
enclosing scope's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

_T = TypeVar("_T")


def outward(function: str) -> Iterator[str]:
    """``function`` and the scopes it is nested in, innermost first, the module ("") last."""
    scope = function
    while True:
        yield scope
        if not scope:
            return
        scope = scope.rpartition(".")[0]


def nearest(table: Mapping[tuple[str, str], _T], function: str, name: str) -> _T | None:
    """What ``name`` is bound to in ``table`` (keyed by (function, name)) as seen from inside ``function``."""
    return next((table[(scope, name)] for scope in outward(function) if (scope, name) in table), None)


def within(function: str, scope: str) -> bool:
    """``function`` is ``scope`` itself or nested in it: ``f.g`` (Python) and ``A.b.<anonymous:3>`` (JS, Go) are
    within ``f`` and ``A.b``; ``fx`` is not within ``f``. The module scope ("") holds only its top-level code here."""
    return function == scope or function.startswith(scope + ".")
