"""The bag of typed facts sources produce and checks read.

A fact is any frozen dataclass. Facts whose class sets ``KEEP = False``
(parsed syntax trees, whole file texts) stay inside the worker that made
them and are only seen by file checks; the rest reach project checks. Facts whose
class sets ``FORK_SAFE = False`` (a live database connection) are read only in the
process that made them: a check that reads one is never judged in a forked process.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, ClassVar, Protocol, TypeVar

T = TypeVar("T")


def keeps(fact: object) -> bool:
    return bool(getattr(type(fact), "KEEP", True))


#: whether this process hands the facts it makes to another one: set in a worker process of the file phase, never
#: in the main process (see ``will_send_facts``)
_SENDING = False


def will_send_facts() -> None:
    """This process is a worker: what it makes is pickled and sent to the main process. A source may then hand
    out what makes sending cheap (a cached code index as the bytes it was read from, ``Deferred``), which the main
    process, where facts stay until the run ends, has to decode anyway."""
    global _SENDING
    _SENDING = True


def sends_facts() -> bool:
    return _SENDING


class ModuleHead(Protocol):
    """What is known of a module before its facts are decoded: enough for a check to say whether it reads it."""

    @property
    def path(self) -> str: ...

    @property
    def language(self) -> str: ...


class Deferred(ABC):
    """A fact a worker read but left undecoded (a code index from the cache): sent to the main process as the
    bytes it was read from and decoded there; the worker decodes it only for a check that reads the module
    (``ModuleCheck.reads``). The Django sdist's 1,900 test modules are read by no module check, and decoding
    them in the worker as well as in the main process was most of the work two workers did that one did not."""

    #: the fact type it is decoded into
    STANDS_FOR: ClassVar[type]
    path: str
    language: str

    @abstractmethod
    def decoded(self) -> object:
        """The fact; ``ValueError`` saying why when the bytes do not hold one."""


def fork_safe(kind: type) -> bool:
    """Whether a process forked after a fact of ``kind`` was made can read it (a DuckDB connection cannot)."""
    return bool(getattr(kind, "FORK_SAFE", True))


class Facts:
    def __init__(self, facts: Iterable[object] = ()) -> None:
        self._by_type: dict[type, list[Any]] = defaultdict(list)
        for fact in facts:
            self.add(fact)

    def add(self, fact: object) -> None:
        self._by_type[type(fact)].append(fact)

    def extend(self, facts: Iterable[object]) -> None:
        for fact in facts:
            self.add(fact)

    def of(self, kind: type[T]) -> list[T]:
        """Every fact of ``kind`` (subclasses included), in insertion order."""
        out: list[T] = []
        for t, items in self._by_type.items():
            if issubclass(t, kind):
                out.extend(items)
        return out

    def counts(self) -> dict[str, int]:
        return {t.__name__: len(v) for t, v in sorted(self._by_type.items(), key=lambda kv: kv[0].__name__)}
