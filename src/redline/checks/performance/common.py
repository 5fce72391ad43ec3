"""What every trace detector shares: the span store of the run, its settings, and one finding per
pattern (service + operation + target) however many traces show it, naming example trace and span ids."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.config import SectionSpec
from redline.core.facts import Facts
from redline.core.model import Finding, Location, Skipped
from redline.sources.traces.settings import TRACES_SECTION, TracesSettings
from redline.sources.traces.store import SpanStore

MAX_EXAMPLES = 3


@dataclass
class Occurrence:
    """One trace showing a pattern: its id, the span ids that show it, a measure (ms) and its file."""

    trace_id: str
    span_ids: Sequence[str]
    value_ms: float
    file_no: int
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class Pattern:
    """Every occurrence of one pattern across the trace set."""

    occurrences: list[Occurrence] = field(default_factory=list)

    def add(self, occurrence: Occurrence) -> None:
        self.occurrences.append(occurrence)

    def worst(self) -> list[Occurrence]:
        return sorted(self.occurrences, key=lambda o: (-o.value_ms, o.trace_id))[:MAX_EXAMPLES]

    def median(self, key: str = "") -> float:
        import statistics  # noqa: PLC0415 - statistics (fractions, decimal) only for a run with data to summarise

        values = [o.extra[key] if key else o.value_ms for o in self.occurrences]
        return float(statistics.median(values))

    @property
    def traces(self) -> int:
        return len({o.trace_id for o in self.occurrences})


class TraceCheck(ProjectCheck):
    """A detector over the span table. Without trace input (a plain ``redline audit``) it emits nothing."""

    fact_types = (SpanStore,)
    config_sections: tuple[SectionSpec[Any], ...] = (TRACES_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped]:
        settings = ctx.config.settings(TRACES_SECTION)
        for store in facts.of(SpanStore):
            yield from self.detect(store, settings)

    @abstractmethod
    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        """Findings over one span table."""


def location(store: SpanStore, pattern: Pattern, resource: str) -> Location:
    """The file of the worst example, and the pattern as the resource (stable across runs)."""
    return Location(path=store.file_of(pattern.worst()[0].file_no), resource=resource)


def examples(pattern: Pattern) -> dict[str, tuple[str, ...]]:
    """Trace ids and span ids a reader can open in Jaeger or Tempo (the worst occurrences first)."""
    worst = pattern.worst()
    return {
        "trace_ids": tuple(o.trace_id for o in worst),
        "span_ids": tuple(s for o in worst for s in o.span_ids[:10]),
    }


def ms(us: float) -> float:
    return round(us / 1000.0, 1)
