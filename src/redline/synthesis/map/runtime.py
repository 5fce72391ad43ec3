"""What the running system says, joined to the map's components: the PostgreSQL snapshot (``--postgres``),
the traces (``--traces``) and the bill (``--cost``).

- the snapshot goes to the PostgreSQL component its address names (host = a component or alias), else
  to the only PostgreSQL on the map; a snapshot that matches nothing is drawn as a component of its own;
- traces go to the component named by ``service.name`` (its name or an alias), from its server and
  consumer spans: request count, mean rate, p95 and error rate;
- cost lines go to the component their allocation tag names, else to the managed resource whose name
  (``bucket``, ``identifier`` …, from Terraform) their resource id ends with.

What matches nothing is listed as a map problem, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from redline.core.map_model import Figure, Kind, Measured, Seen
from redline.sources.cost.model import CostDataset, CostLine
from redline.sources.postgres.model import Snapshot
from redline.sources.traces.store import SpanStore
from redline.synthesis.map.builder import Draft, MapBuilder
from redline.synthesis.map.classify import LOCAL_HOSTS, kube_host

TOP = 3
_SERVICE_SQL = """
WITH w AS (SELECT (max(start_us // 1000000) - min(start_us // 1000000) + 1)::DOUBLE AS secs FROM spans)
SELECT service, count(*) AS n, count(*) / any_value(w.secs) AS qps, avg(error::INTEGER) AS errors,
       quantile_cont(dur_us, 0.95) AS p95_us
FROM spans CROSS JOIN w
WHERE kind IN ('server', 'consumer')
GROUP BY service ORDER BY service
"""


def add_runtime(
    builder: MapBuilder, snapshots: Iterable[Snapshot], stores: Iterable[SpanStore], costs: Iterable[CostDataset]
) -> None:
    for snap in snapshots:
        add_snapshot(builder, snap)
    for store in stores:
        add_traces(builder, store)
    for ds in costs:
        add_cost(builder, ds)


# --- PostgreSQL -----------------------------------------------------------------------------------------


def add_snapshot(builder: MapBuilder, snap: Snapshot) -> None:
    host = snap.server.address.split("/", 1)[0].rsplit(":", 1)[0].strip("[]").lower()
    named = builder.find(kube_host(host)) if host and host not in LOCAL_HOSTS else None
    postgres = [d for d in builder.drafts.values() if d.technology == "postgresql"]
    if named is not None:
        target, how = named, f"host `{host}` of {snap.server.address}"
    elif len(postgres) == 1:
        target, how = postgres[0], f"the only PostgreSQL on the map ({snap.server.address})"
    else:
        target = builder.component(
            f"postgres/{snap.server.database}",
            Seen(f"postgres://{snap.server.address}", 0, "live snapshot (--postgres)"),
            Kind.DATASTORE,
            "postgresql",
        )
        target.deployed = True
        how = f"no component is {snap.server.address}" + (
            f" ({len(postgres)} PostgreSQL components, none named `{host}`)" if postgres else ""
        )
        builder.problem(f"PostgreSQL snapshot of {snap.server.address}: {how}; drawn as `{target.id}`")
    target.measured.append(Measured("postgres", how, _database_figures(snap)))


def _database_figures(snap: Snapshot) -> tuple[tuple[str, Figure], ...]:
    figures: list[tuple[str, Figure]] = [
        ("server version", snap.server.version_num),
        ("captured at", snap.server.captured_at),
        ("tables", sum(1 for t in snap.tables if not t.parent)),
        ("statement time (ms)", round(snap.database.statements_total_ms, 1)),
    ]
    for i, s in enumerate(sorted(snap.statements, key=lambda s: (-s.total_ms, s.queryid))[:TOP], 1):
        figures.append((f"top statement {i}", f"{s.total_ms:,.0f} ms in {s.calls:,} calls: {s.query[:120]}"))
    largest = sorted((t for t in snap.tables if not t.parent), key=lambda t: (-t.total_bytes, t.qualified))[:TOP]
    for i, t in enumerate(largest, 1):
        figures.append((f"largest table {i}", f"{t.qualified}: {t.total_bytes:,} bytes, {t.live_tuples:,} rows"))
    return tuple(figures)


# --- traces ---------------------------------------------------------------------------------------------


def add_traces(builder: MapBuilder, store: SpanStore) -> None:
    missed: list[str] = []
    for service, n, qps, errors, p95_us in store.query(_SERVICE_SQL):
        target = builder.find(str(service)) or builder.find(kube_host(str(service)))
        if target is None:
            missed.append(str(service))
            continue
        figures: tuple[tuple[str, Figure], ...] = (
            ("requests", int(n)),
            ("mean requests/s", round(float(qps), 3)),
            ("p95 (ms)", round(float(p95_us) / 1000, 3)),
            ("error rate", round(float(errors), 4)),
        )
        target.measured.append(Measured("traces", f"service.name `{service}`", figures))
    if missed:
        builder.problem(
            f"traces name {len(missed)} service(s) that are on no component: {', '.join(sorted(missed)[:10])}"
        )


# --- cost -----------------------------------------------------------------------------------------------


def add_cost(builder: MapBuilder, ds: CostDataset) -> None:
    by_name = {n: d for d in builder.drafts.values() for n in d.cloud_names}
    matched: dict[str, list[tuple[CostLine, str]]] = defaultdict(list)
    for line in ds.lines:
        draft, how = _cost_owner(builder, by_name, line)
        if draft is not None:
            matched[draft.id].append((line, how))
    for cid, lines in sorted(matched.items()):
        totals: dict[str, float] = defaultdict(float)
        for line, _how in lines:
            totals[line.currency] += line.cost
        months = sorted({line.month for line, _h in lines})
        ways = sorted({how for _l, how in lines})
        figures: list[tuple[str, Figure]] = [(f"cost ({cur})", round(v, 2)) for cur, v in sorted(totals.items())]
        figures += [("months", len(months)), ("from", f"{months[0]} to {months[-1]}"), ("cost lines", len(lines))]
        builder.drafts[cid].measured.append(Measured("cost", "; ".join(ways), tuple(figures)))


def _cost_owner(builder: MapBuilder, by_name: dict[str, Draft], line: CostLine) -> tuple[Draft | None, str]:
    if line.component_via == "tag":
        draft = builder.find(line.component)
        if draft is not None:
            return draft, f"allocation tag component = {line.component}"
    for value in (line.resource_id, line.resource_name):
        if not value:
            continue
        for name in (value, value.rsplit(":", 1)[-1], value.rsplit("/", 1)[-1]):  # ARNs, Azure and GCP ids
            if name in by_name:
                return by_name[name], f"resource id ends with `{name}` (Terraform)"
    return None, ""
