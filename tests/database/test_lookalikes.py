"""Look-alikes that must not fire, and problems a test server cannot reach (wraparound, saturation),
checked on the planted database's snapshot with one fact changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from redline.core.config import Config
from redline.core.model import Finding
from redline.pipeline.database import audit_snapshot
from redline.sources.postgres.live import snapshot_database
from redline.sources.postgres.model import Index, Predicate, Snapshot
from redline.sources.postgres.settings import PostgresSettings

from . import workload
from .server import Server

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def snap(pg_server: Server) -> Iterator[Snapshot]:
    url = workload.build_planted(pg_server)
    yield snapshot_database(PostgresSettings(url=url))


def _rules(snap: Snapshot) -> list[tuple[str, str]]:
    found: tuple[Finding, ...] = audit_snapshot(snap, Config(), PostgresSettings()).result.findings
    return sorted((f.rule, f.location.resource) for f in found)


def _index(columns: tuple[str, ...], predicate: str = "", name: str = "extra_idx") -> Index:
    return Index(
        "public", "orders", name, columns, (), "btree", False, False, "", predicate, True, 10, 8192, 1, 100000.0, ""
    )


@pytest.mark.parametrize(
    ("columns", "predicate", "fires"),
    [
        (("status", "customer_id"), "", False),  # same equality columns in another order: covered
        (("customer_id",), "", False),  # 20 rows per customer already: a second column is not worth an index
        (("customer_id", "status", "created_at"), "", False),  # a longer index whose prefix serves it
        (("customer_id", "status"), "status > 0", True),  # a partial index does not serve every call
        (("status",), "", True),  # 10% of the table per status: still ~10 000 rows to filter
    ],
)
def test_existing_indexes_that_do_or_do_not_serve_the_statement(
    snap: Snapshot, columns: tuple[str, ...], predicate: str, fires: bool
) -> None:
    changed = replace(snap, indexes=(*snap.indexes, _index(columns, predicate)))
    assert (("DB103", "table public.orders") in _rules(changed)) is fires


def test_low_selectivity_predicates_get_no_proposal(snap: Snapshot) -> None:
    q1 = next(s.queryid for s in snap.statements if "customer_id" in s.query)
    only_status = tuple(replace(p, equality=("status",)) if p.queryid == q1 else p for p in snap.predicates)
    assert ("DB103", "table public.orders") not in _rules(replace(snap, predicates=only_status, whatifs=()))


def test_planner_refusing_the_hypothetical_index_drops_the_proposal(snap: Snapshot) -> None:
    refused = tuple(replace(w, uses_index=False, cost_after=w.cost_before) for w in snap.whatifs)
    assert refused and ("DB103", "table public.orders") not in _rules(replace(snap, whatifs=refused))


def test_unparsed_join_conditions_do_not_propose(snap: Snapshot) -> None:
    joined = (*snap.predicates, Predicate("nope", "public", "orders", ("id",), (), ()))
    assert _rules(replace(snap, predicates=joined)) == _rules(snap)


def test_unused_index_backing_a_foreign_key_is_kept(snap: Snapshot) -> None:
    from redline.sources.postgres.model import ForeignKey

    fk = ForeignKey("public", "orders", "orders_note_fk", ("note",))
    with_fk = replace(snap, foreign_keys=(*snap.foreign_keys, fk))
    assert ("DB109", "index public.orders_note_idx") in _rules(snap)
    assert ("DB109", "index public.orders_note_idx") not in _rules(with_fk)


def test_whole_database_limits(snap: Snapshot) -> None:
    db = snap.database
    assert not {r for r, _ in _rules(snap)} & {"DB111", "DB112", "DB114"}
    stressed = replace(
        snap,
        database=replace(
            db, xid_age=1_600_000_000, connections=db.max_connections - 4, blks_hit=8_000_000, blks_read=2_000_000
        ),
    )
    got = {r for r, _ in _rules(stressed)}
    assert {"DB111", "DB112", "DB114"} <= got
    below = replace(
        snap,
        database=replace(
            db, xid_age=900_000_000, connections=db.max_connections // 2, blks_hit=950_000, blks_read=40_000
        ),
    )
    assert not {r for r, _ in _rules(below)} & {"DB111", "DB112", "DB114"}


def test_bloat_estimate_without_pgstattuple_finds_the_same_index(snap: Snapshot) -> None:
    unmeasured = replace(snap, indexes=tuple(replace(i, leaf_density=None) for i in snap.indexes))
    bloat = [r for r in _rules(unmeasured) if r[0] == "DB107"]
    assert bloat == [("DB107", "index public.bloated_code_idx")]
