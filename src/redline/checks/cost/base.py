"""What every cost check shares: the dataset it reads, where its findings point, how money reads."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import PurePath

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Factor, Finding, Location, PriorityFactors, Skipped
from redline.sources.cost.model import CostDataset, CostLine

COST_REFS = ("https://focus.finops.org/focus-specification/",)


def money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def pct(share: float) -> str:
    return f"{share * 100:.1f} %"


def export_name(ds: CostDataset) -> str:
    """Where cost findings point: the export, or the folder of several (stable across runs)."""
    paths = [f.path for f in ds.files] or ["billing-export"]
    if len(paths) == 1:
        return PurePath(paths[0]).as_posix()
    parents = {PurePath(p).parent.as_posix() for p in paths}
    return parents.pop() if len(parents) == 1 else "billing-exports"


def latest_months(lines: Iterable[CostLine]) -> dict[str, str]:
    """currency → the latest month with charges in it."""
    out: dict[str, str] = {}
    for ln in lines:
        if ln.month > out.get(ln.currency, ""):
            out[ln.currency] = ln.month
    return out


def priority(amount: float, total: float) -> PriorityFactors:
    """Cost of delay grows with the money at stake relative to the whole bill."""
    share = amount / total if total > 0 else 0.0
    delay = 5 if share >= 0.2 else 4 if share >= 0.1 else 3 if share >= 0.05 else 2 if share >= 0.01 else 1
    return PriorityFactors(
        user_impact=Factor(1, "money only: no effect on users"),
        exploitability=Factor(5, "certain: the money is spent whether or not anyone acts"),
        cost_of_delay=Factor(delay, f"{share:.1%} of the bill, every month it stays"),
    )


class CostCheck(ProjectCheck):
    fact_types = (CostDataset,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterator[Finding | Skipped]:
        for ds in facts.of(CostDataset):
            yield from self.check_dataset(ds)

    @abstractmethod
    def check_dataset(self, ds: CostDataset) -> Iterable[Finding]:
        """Judge one dataset."""

    def location(self, ds: CostDataset, resource: str) -> Location:
        return Location(path=export_name(ds), resource=resource)
