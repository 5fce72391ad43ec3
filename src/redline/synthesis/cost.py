"""The cost summary: totals by provider, service, component, tenant, feature and month, per currency, with
cost per request — the content of ``cost.json`` (schema: ``report/schema/cost.schema.json``; bump
``SCHEMA_VERSION`` on an incompatible change). ``redline cost`` builds it directly; the audit through
``CostSummaryStep`` when it was given exports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.inventory import CostSummary
from redline.core.model import Finding
from redline.sources.cost.measures import (
    Criterion,
    PerRequest,
    component_costs,
    daily_per_request,
    feature_costs,
    per_request_by_component,
    per_request_by_tenant,
    requests_by_component_month,
    rollup,
    tenant_costs,
)
from redline.sources.cost.model import CostDataset, CostLine
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

SCHEMA_VERSION = "1.0"
_DIMENSIONS: dict[str, Callable[[CostLine], tuple[str, ...]]] = {
    "provider": lambda ln: (ln.provider,),
    "service": lambda ln: (ln.service_name,),
    "component": lambda ln: (ln.component,),
    "environment": lambda ln: (ln.environment,),
    "month": lambda ln: (ln.month,),
    "charge_category": lambda ln: (ln.charge_category,),
}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _totals(ds: CostDataset) -> dict[str, list[dict[str, Any]]]:
    out = {
        name: [{"currency": cur, "key": key, "amount": _r(v)} for (cur, key), v in rollup(ds.lines, fn).items()]
        for name, fn in _DIMENSIONS.items()
    }
    tenants: dict[tuple[str, str], float] = defaultdict(float)
    for (cur, _m, _c, tenant), value in tenant_costs(ds).items():
        tenants[(cur, tenant)] += value
    out["tenant"] = [{"currency": c, "key": t, "amount": _r(v)} for (c, t), v in sorted(tenants.items())]
    features: dict[tuple[str, str], float] = defaultdict(float)
    for (cur, _m, feature), value in feature_costs(ds).items():
        features[(cur, feature)] += value
    out["feature"] = [{"currency": c, "key": f, "amount": _r(v)} for (c, f), v in sorted(features.items())]
    return out


def _per_request(item: PerRequest) -> dict[str, Any]:
    return {
        "cost": _r(item.cost),
        "requests": item.requests,
        "cost_per_request": _r(item.per_request),
        "change": _r(item.change),
    }


def _components(ds: CostDataset) -> list[dict[str, Any]]:
    per = {(p.currency, p.month, p.subject): p for p in per_request_by_component(ds)}
    reqs = requests_by_component_month(ds)
    rows = []
    for c in component_costs(ds):
        p = per.get((c.currency, c.month, c.component))
        rows.append(
            {
                "currency": c.currency,
                "month": c.month,
                "component": c.component,
                "direct": _r(c.direct),
                "shared": _r(c.shared),
                "total": _r(c.total),
                "requests": reqs.get((c.month, c.component), 0.0),
                "cost_per_request": _r(p.per_request) if p else None,
                "change": _r(p.change) if p else None,
            }
        )
    return rows


def _tenants(ds: CostDataset) -> list[dict[str, Any]]:
    rows = []
    for p in per_request_by_tenant(ds):
        component, _, tenant = p.subject.partition("/")
        rows.append(
            {"currency": p.currency, "month": p.month, "component": component, "tenant": tenant, **_per_request(p)}
        )
    return rows


def _criterion(c: Criterion) -> dict[str, Any]:
    return {
        "status": c.status,
        "reason": c.reason,
        "currency": c.currency,
        "baseline_month": c.baseline_month,
        "current_month": c.current_month,
        "baseline": _r(c.baseline),
        "current": _r(c.current),
        "change": _r(c.change),
    }


def cost_document(ds: CostDataset, criteria: Sequence[Criterion] = ()) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "metric": ds.settings.metric,
        "currencies": sorted({ln.currency for ln in ds.lines}),
        "exports": [
            {
                "path": f.path,
                "dialect": f.dialect,
                "version": f.version,
                "rows": f.rows,
                "null_cost_rows": f.null_cost_rows,
                "undated_rows": f.undated_rows,
            }
            for f in ds.files
        ],
        "request_sources": list(ds.request_sources),
        "not_covered": [{"path": p, "reason": r} for p, r in ds.problems],
        "totals": _totals(ds),
        "components": _components(ds),
        "tenants": _tenants(ds),
        "features": [
            {"currency": c, "month": m, "feature": f, "cost": _r(v)} for (c, m, f), v in feature_costs(ds).items()
        ],
        "daily": [
            {"currency": c, "day": d, "component": comp, "cost": _r(v), "requests": n, "cost_per_request": _r(v / n)}
            for c, d, comp, v, n in daily_per_request(ds)
        ],
        "criterion": [_criterion(c) for c in criteria],
    }


class CostSummaryStep(SynthesisStep):
    """Puts the summary of the audit's cost dataset (``redline audit --cost``) into the result's ``cost``."""

    name = "cost summary"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        datasets = facts.of(CostDataset)
        return SynthesisOutput(cost=CostSummary(cost_document(datasets[0])) if datasets else None)
