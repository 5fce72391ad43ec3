"""Derived figures: cost per component with shared cost spread, per tenant, per feature, per request,
month over month, and the "cost per request down 20 %" criterion. Pure functions over the dataset.

Money is always keyed by currency: two currencies are never added.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from redline.sources.cost.model import UNALLOCATED, CostDataset, CostLine

Key = tuple[str, ...]
TARGET_REDUCTION = 0.20


def rollup(lines: Iterable[CostLine], key: Callable[[CostLine], Key]) -> dict[Key, float]:
    """Sum of the metric per (currency, *key)."""
    out: dict[Key, float] = defaultdict(float)
    for line in lines:
        out[(line.currency, *key(line))] += line.cost
    return dict(sorted(out.items()))


def month_of(day: str) -> str:
    return day[:7]


def requests_by_component_month(ds: CostDataset) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    for r in ds.requests:
        out[(month_of(r.day), r.service)] += r.count
    return dict(out)


def requests_by_tenant_month(ds: CostDataset) -> dict[tuple[str, str, str], float]:
    """(month, component, tenant) → requests, only where the input names the tenant."""
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in ds.requests:
        if r.tenant:
            out[(month_of(r.day), r.service, r.tenant)] += r.count
    return dict(out)


def feature_of_route(route: str, features: dict[str, tuple[str, ...]]) -> str:
    path = route.split(" ", 1)[-1]
    for name, prefixes in sorted(features.items()):
        for prefix in prefixes:
            if route.startswith(prefix) or path.startswith(prefix):
                return name
    return ""


@dataclass(frozen=True)
class ComponentCost:
    currency: str
    month: str
    component: str
    direct: float
    shared: float  # the component's part of unallocated cost

    @property
    def total(self) -> float:
        return self.direct + self.shared


def component_costs(ds: CostDataset) -> list[ComponentCost]:
    """Direct cost per component and month, plus its part of that month's unallocated cost."""
    direct = rollup(ds.lines, lambda ln: (ln.month, ln.component))
    reqs = requests_by_component_month(ds)
    out: list[ComponentCost] = []
    months = sorted({(cur, month) for cur, month, _ in direct})
    for cur, month in months:
        comps = {c: v for (k_cur, k_month, c), v in direct.items() if (k_cur, k_month) == (cur, month)}
        pool = comps.pop(UNALLOCATED, 0.0)
        weights = _weights(ds.settings.shared_spread, comps, {c: reqs.get((month, c), 0.0) for c in comps})
        if pool and not weights:
            out.append(ComponentCost(cur, month, UNALLOCATED, pool, 0.0))
        for comp, value in sorted(comps.items()):
            out.append(ComponentCost(cur, month, comp, value, pool * weights.get(comp, 0.0)))
    return out


def _weights(spread: str, direct: dict[str, float], requests: dict[str, float]) -> dict[str, float]:
    if spread == "none" or not direct:
        return {}
    if spread == "requests" and sum(requests.values()) > 0:
        basis = requests
    elif spread in ("requests", "direct") and sum(v for v in direct.values() if v > 0) > 0:
        basis = {c: max(v, 0.0) for c, v in direct.items()}
    else:
        basis = dict.fromkeys(direct, 1.0)
    total = sum(basis.values())
    return {c: v / total for c, v in basis.items()} if total else {}


@dataclass(frozen=True)
class PerRequest:
    currency: str
    month: str
    subject: str  # a component, or "component/tenant"
    cost: float
    requests: float
    previous: float | None  # cost per request of the month before, when measured

    @property
    def per_request(self) -> float:
        return self.cost / self.requests

    @property
    def change(self) -> float | None:
        if self.previous is None or self.previous <= 0:
            return None
        return self.per_request / self.previous - 1.0


def _with_previous(items: list[tuple[str, str, str, float, float]]) -> list[PerRequest]:
    out: list[PerRequest] = []
    last: dict[tuple[str, str], tuple[str, float]] = {}
    for cur, month, subject, cost, count in sorted(items):
        prev = last.get((cur, subject))
        previous = prev[1] if prev and _next_month(prev[0]) == month else None
        item = PerRequest(cur, month, subject, cost, count, previous)
        out.append(item)
        last[(cur, subject)] = (month, item.per_request)
    return out


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def per_request_by_component(ds: CostDataset) -> list[PerRequest]:
    reqs = requests_by_component_month(ds)
    items = [
        (c.currency, c.month, c.component, c.total, reqs[(c.month, c.component)])
        for c in component_costs(ds)
        if reqs.get((c.month, c.component), 0) > 0
    ]
    return _with_previous(items)


def tenant_costs(ds: CostDataset) -> dict[tuple[str, str, str, str], float]:
    """(currency, month, component, tenant) → cost: what is tagged with the tenant, plus the component's
    untagged cost spread by the tenant's share of the component's requests that month."""
    out: dict[tuple[str, str, str, str], float] = defaultdict(float)
    untagged: dict[tuple[str, str, str], float] = defaultdict(float)
    for ln in ds.lines:
        if ln.tenant:
            out[(ln.currency, ln.month, ln.component, ln.tenant)] += ln.cost
        elif ln.component != UNALLOCATED:
            untagged[(ln.currency, ln.month, ln.component)] += ln.cost
    by_tenant = requests_by_tenant_month(ds)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for (month, comp, _tenant), n in by_tenant.items():
        totals[(month, comp)] += n
    for (cur, month, comp), cost in untagged.items():
        total = totals.get((month, comp), 0.0)
        if not total:
            continue
        for (r_month, r_comp, tenant), n in by_tenant.items():
            if (r_month, r_comp) == (month, comp):
                out[(cur, month, comp, tenant)] += cost * n / total
    return dict(sorted(out.items()))


def per_request_by_tenant(ds: CostDataset) -> list[PerRequest]:
    reqs = requests_by_tenant_month(ds)
    items = [
        (cur, month, f"{comp}/{tenant}", cost, reqs[(month, comp, tenant)])
        for (cur, month, comp, tenant), cost in tenant_costs(ds).items()
        if reqs.get((month, comp, tenant), 0) > 0
    ]
    return _with_previous(items)


def feature_costs(ds: CostDataset) -> dict[tuple[str, str, str], float]:
    """(currency, month, feature) → cost: tagged with the feature, plus each component's cost spread
    over features by the share of its requests on the feature's routes."""
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for ln in ds.lines:
        if ln.feature:
            out[(ln.currency, ln.month, ln.feature)] += ln.cost
    features = dict(ds.settings.features)
    if features and ds.requests:
        share: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for r in ds.requests:
            share[(month_of(r.day), r.service)][feature_of_route(r.route, features)] += r.count
        untagged = rollup((ln for ln in ds.lines if not ln.feature), lambda ln: (ln.month, ln.component))
        for (cur, month, comp), cost in untagged.items():
            counts = share.get((month, comp))
            total = sum(counts.values()) if counts else 0.0
            for feature, n in (counts or {}).items():
                if feature and total:
                    out[(cur, month, feature)] += cost * n / total
    return dict(sorted(out.items()))


def daily_per_request(ds: CostDataset) -> list[tuple[str, str, str, float, float]]:
    """(currency, day, component, cost, requests) for days with both."""
    cost: dict[tuple[str, str, str], float] = defaultdict(float)
    for d in ds.daily:
        cost[(d.currency, d.day, d.component)] += d.cost
    reqs: dict[tuple[str, str], float] = defaultdict(float)
    for r in ds.requests:
        reqs[(r.day, r.service)] += r.count
    return [
        (cur, day, comp, value, reqs[(day, comp)])
        for (cur, day, comp), value in sorted(cost.items())
        if reqs.get((day, comp), 0) > 0
    ]


@dataclass(frozen=True)
class Criterion:
    """Cost per request versus a baseline month: met, not met, or not measured (with the reason)."""

    status: str  # met | not met | not measured
    reason: str
    currency: str = ""
    baseline_month: str = ""
    current_month: str = ""
    baseline: float | None = None
    current: float | None = None

    @property
    def change(self) -> float | None:
        if self.baseline is None or self.current is None or not self.baseline:
            return None
        return self.current / self.baseline - 1.0


def _overall(ds: CostDataset) -> dict[tuple[str, str], tuple[float, float]]:
    """(currency, month) → (cost of components that had requests, requests)."""
    out: dict[tuple[str, str], tuple[float, float]] = {}
    for item in per_request_by_component(ds):
        cost, count = out.get((item.currency, item.month), (0.0, 0.0))
        out[(item.currency, item.month)] = (cost + item.cost, count + item.requests)
    return out


def baseline_criterion(ds: CostDataset, baseline: str, target: float = TARGET_REDUCTION) -> list[Criterion]:
    """One verdict per currency: the latest month with requests against ``baseline``."""
    if not ds.requests:
        return [Criterion("not measured", "no request volume given (--requests): cost per request is unknown")]
    months = {ln.month for ln in ds.lines}
    if baseline not in months:
        return [
            Criterion(
                "not measured",
                f"the exports hold no charges in the baseline period {baseline} "
                f"(they cover {', '.join(sorted(months)) or 'nothing'})",
                baseline_month=baseline,
            )
        ]
    overall = _overall(ds)
    verdicts: list[Criterion] = []
    for cur in sorted({ln.currency for ln in ds.lines}):
        base = overall.get((cur, baseline))
        later = sorted(m for c, m in overall if c == cur and m > baseline)
        if base is None:
            verdicts.append(
                Criterion("not measured", f"no requests matched to {cur} costs in {baseline}", cur, baseline)
            )
            continue
        if not later:
            verdicts.append(
                Criterion(
                    "not measured",
                    f"no later month with requests and {cur} costs",
                    cur,
                    baseline,
                    baseline=base[0] / base[1],
                )
            )
            continue
        now = overall[(cur, later[-1])]
        b, c = base[0] / base[1], now[0] / now[1]
        met = b > 0 and c <= b * (1 - target)
        verdicts.append(
            Criterion(
                "met" if met else "not met",
                f"cost per request {'down' if c < b else 'up'} {abs(c / b - 1) * 100:.1f} % "
                f"(target: down {target * 100:.0f} %)"
                if b > 0
                else "baseline cost is zero",
                cur,
                baseline,
                later[-1],
                b,
                c,
            )
        )
    return verdicts
