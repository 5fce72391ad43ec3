"""Gate policies: what fails a merge, evaluated once over a run and what came before it.

Each policy passes, fails (saying exactly why, naming what broke it) or is skipped (saying what it
needs). The inputs beyond the run (the reference items, the SLA breaches) are handed in by the caller
(``redline gate`` reads them from the baseline or the history store), so this module stays pure.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.core.groups import FindingGroup, item_key
from redline.core.model import Severity

if TYPE_CHECKING:
    from redline.core.inventory import LatencyInventory

#: how many offenders a message names before "and N more"
NAMED = 5


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Outcome:
    policy: str
    verdict: Verdict
    message: str


@dataclass(frozen=True)
class PolicySettings:
    new_findings: Severity | None = Severity.HIGH  # None = off
    against: str = "baseline"  # "baseline" (--baseline file) or "main" (the last recorded run on main_branch)
    main_branch: str = "main"
    kev: bool = True
    drift: bool = True
    drift_rules: tuple[str, ...] = ("TF119",)
    max_sla_breaches: int | None = 0  # None = off
    latency_tolerance: float | None = 0.10  # a route's p95 may exceed its [slo] objective by this share; None = off
    cost_tolerance: float | None = 0.05  # cost per request may rise this share over the baseline month; None = off
    cost_baseline_period: str = ""  # "YYYY-MM": the month cost per request is compared with
    audit_fail_on: tuple[str, ...] = ()  # budget policies `redline audit` fails on too (BUDGET_POLICIES)


#: the policies ``audit --fail-on`` accepts besides a severity
BUDGET_POLICIES = ("latency-budget", "cost-budget")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _tolerance(raw: Mapping[str, Any], key: str, default: float, where: Where) -> float | None:
    value = raw.get(key, default)
    if value == -1:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(f"{where.key(key)} must be a share >= 0 (0.1 = 10 %), or -1 for off")
    return float(value)


def _budget_settings(raw: Mapping[str, Any], where: Where) -> dict[str, Any]:
    period = raw.get("cost_baseline_period", "")
    if period and not _PERIOD.fullmatch(period):
        raise ConfigError(f"{where.key('cost_baseline_period')} must be a month, YYYY-MM")
    names = tuple(raw.get("audit_fail_on", ()))
    unknown = [n for n in names if n not in BUDGET_POLICIES]
    if unknown:
        raise ConfigError(f"{where.key('audit_fail_on')}: {unknown[0]!r} is not one of {', '.join(BUDGET_POLICIES)}")
    return {
        "latency_tolerance": _tolerance(raw, "latency_tolerance", 0.10, where),
        "cost_tolerance": _tolerance(raw, "cost_tolerance", 0.05, where),
        "cost_baseline_period": period,
        "audit_fail_on": names,
    }


def parse_policy(raw: Mapping[str, Any], where: Where) -> PolicySettings:
    new = raw.get("new_findings", "high")
    try:
        new_sev = None if new == "off" else Severity.parse(new)
    except ValueError as exc:
        raise ConfigError(f"{where.key('new_findings')}: {exc} or 'off'") from None
    against = raw.get("against", "baseline")
    if against not in ("baseline", "main"):
        raise ConfigError(f"{where.key('against')} must be 'baseline' or 'main'")
    breaches = raw.get("max_sla_breaches", 0)
    if breaches < -1:
        raise ConfigError(f"{where.key('max_sla_breaches')} must be >= 0 (or -1 for off)")
    return PolicySettings(
        new_sev,
        against,
        raw.get("main_branch", "main"),
        raw.get("kev", True),
        raw.get("drift", True),
        tuple(raw.get("drift_rules", ("TF119",))),
        None if breaches == -1 else breaches,
        **_budget_settings(raw, where),
    )


POLICY_SECTION: SectionSpec[PolicySettings] = SectionSpec(
    name="policy",
    keys={
        "new_findings": str,
        "against": str,
        "main_branch": str,
        "kev": bool,
        "drift": bool,
        "drift_rules": list,
        "max_sla_breaches": int,
        "latency_tolerance": (int, float),
        "cost_tolerance": (int, float),
        "cost_baseline_period": str,
        "audit_fail_on": list,
    },
    parse=parse_policy,
    doc="Gate policies for `redline gate`: `new_findings` (severity or 'off', default high) against "
    "`against` ('baseline' or 'main': the last recorded run on `main_branch`), `kev`, `drift` "
    "(`drift_rules`, default TF119), `max_sla_breaches` (default 0; -1 = off), `latency_tolerance` (a route's "
    "p95 over its [slo] objective by more than this share fails; default 0.10, -1 = off), `cost_tolerance` "
    "(cost per request over the `cost_baseline_period` month by more than this share fails; default 0.05), "
    "`audit_fail_on` (budget policies `redline audit` fails on too: latency-budget, cost-budget).",
)


@dataclass(frozen=True)
class Reference:
    """What ``new`` is measured against: item keys (``groups.item_key``) or finding fingerprints."""

    name: str  # e.g. "baseline .redline-baseline.json" or "run 12 on main (2026-12-01 10:00 UTC)"
    item_keys: Collection[str] = ()
    fingerprints: Collection[str] = ()

    def knows(self, group: FindingGroup) -> bool:
        return item_key(group.lead) in self.item_keys or any(f.fingerprint in self.fingerprints for f in group.members)


def _where(group: FindingGroup) -> str:
    loc = group.lead.location
    place = f"{loc.path}:{loc.start_line}" if loc.start_line else (loc.resource or loc.path)
    extra = f" (+{group.count - 1} more)" if group.count > 1 else ""
    return f"{group.lead.rule} {place}{extra}"


def _named(groups: Sequence[FindingGroup]) -> str:
    shown = ", ".join(_where(g) for g in groups[:NAMED])
    return shown + (f" and {len(groups) - NAMED} more" if len(groups) > NAMED else "")


def new_findings(items: Sequence[FindingGroup], settings: PolicySettings, ref: Reference | None) -> Outcome:
    name = "new-findings"
    if settings.new_findings is None:
        return Outcome(name, Verdict.SKIP, "off ([policy] new_findings = 'off')")
    if ref is None:
        need = (
            "--baseline FILE"
            if settings.against == "baseline"
            else f"a recorded run on {settings.main_branch} (redline audit --record on that branch)"
        )
        return Outcome(name, Verdict.SKIP, f"no reference to compare with: needs {need}")
    threshold = settings.new_findings
    new = [g for g in items if g.lead.severity >= threshold and not ref.knows(g)]
    if new:
        return Outcome(
            name, Verdict.FAIL, f"{len(new)} new item(s) at or above {threshold} since {ref.name}: {_named(new)}"
        )
    return Outcome(name, Verdict.PASS, f"no new item at or above {threshold} since {ref.name}")


def kev(items: Sequence[FindingGroup], settings: PolicySettings) -> Outcome:
    if not settings.kev:
        return Outcome("kev", Verdict.SKIP, "off ([policy] kev = false)")
    hits = [g for g in items if any(f.evidence.get("kev") for f in g.members)]
    if hits:
        return Outcome("kev", Verdict.FAIL, f"{len(hits)} vulnerability item(s) listed in CISA KEV: {_named(hits)}")
    return Outcome("kev", Verdict.PASS, "no KEV-listed vulnerability")


def drift(items: Sequence[FindingGroup], settings: PolicySettings) -> Outcome:
    if not settings.drift:
        return Outcome("drift", Verdict.SKIP, "off ([policy] drift = false)")
    hits = [g for g in items if g.lead.rule in settings.drift_rules]
    if hits:
        return Outcome("drift", Verdict.FAIL, f"{len(hits)} drifted resource item(s): {_named(hits)}")
    return Outcome("drift", Verdict.PASS, f"no drift ({', '.join(settings.drift_rules)})")


def sla(breaches: Sequence[str] | None, settings: PolicySettings) -> Outcome:
    """``breaches``: one line per open item past its SLA, from the history; None when there is none."""
    if settings.max_sla_breaches is None:
        return Outcome("sla", Verdict.SKIP, "off ([policy] max_sla_breaches = -1)")
    if breaches is None:
        return Outcome("sla", Verdict.SKIP, "no history store: needs recorded runs (redline audit --record)")
    allowed = settings.max_sla_breaches
    if len(breaches) > allowed:
        shown = "; ".join(breaches[:NAMED]) + (f"; and {len(breaches) - NAMED} more" if len(breaches) > NAMED else "")
        return Outcome("sla", Verdict.FAIL, f"{len(breaches)} open item(s) past their SLA (allowed {allowed}): {shown}")
    return Outcome("sla", Verdict.PASS, f"{len(breaches)} open item(s) past their SLA (allowed {allowed})")


def latency_budget(latency: LatencyInventory | None, settings: PolicySettings) -> Outcome:
    """Each route with a ``[slo]`` objective: its measured p95 against the objective plus the tolerance."""
    name = "latency-budget"
    tol = settings.latency_tolerance
    if tol is None:
        return Outcome(name, Verdict.SKIP, "off ([policy] latency_tolerance = -1)")
    if latency is None:
        return Outcome(name, Verdict.SKIP, "no traces: needs trace exports (--traces or [traces] paths)")
    routes = latency.with_objective()
    if not routes:
        return Outcome(name, Verdict.SKIP, 'no measured route has an objective: needs [slo."ROUTE"] p95_ms')
    over = [r for r in routes if r.p95_ms > (r.objective_ms or 0) * (1 + tol)]
    if not over:
        return Outcome(name, Verdict.PASS, f"{len(routes)} route(s) within their p95 objective (tolerance {tol:.0%})")
    shown = "; ".join(
        f"{r.service} '{r.route}' p95 {r.p95_ms:g} ms over its objective {r.objective_ms:g} ms by "
        f"{(r.p95_ms / (r.objective_ms or 1) - 1) * 100:.0f} %"
        for r in over[:NAMED]
    ) + (f"; and {len(over) - NAMED} more" if len(over) > NAMED else "")
    return Outcome(
        name, Verdict.FAIL, f"{len(over)} route(s) over their p95 objective beyond the tolerance of {tol:.0%}: {shown}"
    )


@dataclass(frozen=True)
class CostChange:
    """Cost per request of the latest month with requests against the baseline month, in one currency."""

    currency: str
    baseline_month: str
    baseline: float
    month: str
    current: float

    @property
    def ratio(self) -> float:
        return self.current / self.baseline if self.baseline else float("inf")


def cost_change(doc: Mapping[str, Any], period: str) -> CostChange | str:
    """From the cost document's daily rows (cost and requests per component and day): the change, or why
    it cannot be measured. The first currency with requests in both months decides (currencies never mix)."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for row in doc.get("daily", []):
        cell = sums[(str(row["currency"]), str(row["day"])[:7])]
        cell[0] += float(row.get("cost") or 0)
        cell[1] += float(row.get("requests") or 0)
    if not sums:
        return "needs request volume (--cost-requests) matched to the billed components"
    for currency in sorted({c for c, _m in sums}):
        months = sorted(m for c, m in sums if c == currency and sums[(c, m)][1] > 0)
        base = sums.get((currency, period))
        later = [m for m in months if m > period]
        if base is None or not base[1] or not later:
            continue
        now = sums[(currency, later[-1])]
        return CostChange(currency, period, base[0] / base[1], later[-1], now[0] / now[1])
    covered = ", ".join(sorted({m for _c, m in sums})) or "nothing"
    return f"needs requests and costs in the baseline month {period} and a later one (the exports cover {covered})"


def cost_budget(cost_doc: Mapping[str, Any] | None, settings: PolicySettings) -> Outcome:
    name = "cost-budget"
    tol = settings.cost_tolerance
    if tol is None:
        return Outcome(name, Verdict.SKIP, "off ([policy] cost_tolerance = -1)")
    if cost_doc is None:
        return Outcome(name, Verdict.SKIP, "no billing exports: needs --cost with --cost-requests")
    if not settings.cost_baseline_period:
        return Outcome(name, Verdict.SKIP, "no baseline: needs [policy] cost_baseline_period = 'YYYY-MM'")
    change = cost_change(cost_doc, settings.cost_baseline_period)
    if isinstance(change, str):
        return Outcome(name, Verdict.SKIP, change)
    text = (
        f"{change.currency} cost per request {change.current:.6g} in {change.month} vs {change.baseline:.6g} in "
        f"{change.baseline_month} ({(change.ratio - 1) * 100:+.1f} %, tolerance +{tol:.0%})"
    )
    if change.ratio > 1 + tol:
        return Outcome(name, Verdict.FAIL, f"cost per request regressed: {text}")
    return Outcome(name, Verdict.PASS, text)


def evaluate(
    items: Sequence[FindingGroup],
    settings: PolicySettings,
    ref: Reference | None,
    breaches: Sequence[str] | None,
    *,
    latency: LatencyInventory | None = None,
    cost_doc: Mapping[str, Any] | None = None,
) -> list[Outcome]:
    return [
        new_findings(items, settings, ref),
        kev(items, settings),
        drift(items, settings),
        sla(breaches, settings),
        latency_budget(latency, settings),
        cost_budget(cost_doc, settings),
    ]


def budget_outcomes(
    settings: PolicySettings, latency: LatencyInventory | None, cost_doc: Mapping[str, Any] | None
) -> list[Outcome]:
    """The budget policies ``redline audit`` was asked to fail on (``--fail-on latency-budget`` …)."""
    return [
        latency_budget(latency, settings) if name == "latency-budget" else cost_budget(cost_doc, settings)
        for name in settings.audit_fail_on
    ]
