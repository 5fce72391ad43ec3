"""Monotonically increasing keys on hash-partitioned tables: hashing throws the key's order away.

A hash partition key spreads rows evenly whatever it is, so the harm is not skew but lost order: a query
for a range of the key (recent rows, the next page of ids) cannot be pruned to one partition and reads every
partition, and old rows cannot be dropped a partition at a time. For a timestamp defaulting to the current
time that mismatch is the whole design (time-ordered data, queried and expired by time); for a sequence or
identity key it matters only when statements read ranges of it, so that case needs such a statement seen in
pg_stat_statements.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.database.common import SnapshotCheck, ev, location
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.candidates import resolve_table
from redline.sources.postgres.model import Snapshot, Table
from redline.sources.postgres.settings import PostgresSettings

_CLOCK = re.compile(
    r"^\(?\s*(now\(\)|current_timestamp|localtimestamp|clock_timestamp\(\)|statement_timestamp\(\)|"
    r"transaction_timestamp\(\))",
    re.IGNORECASE,
)
_SEQUENCE = re.compile(r"^nextval\(", re.IGNORECASE)

HASH_MONOTONIC_KEY = Rule(
    code="DB115",
    name="hash-partitioned-monotonic-key",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="hash partitioning on an ever-increasing key (a clock default, or a sequence read by ranges)",
    doc=RuleDoc(
        what_it_does="Reports a hash-partitioned table whose partition key column defaults to the current time "
        "(`now()`, `CURRENT_TIMESTAMP`, `clock_timestamp()` …), or is an identity / `nextval()` column that a "
        "statement in `pg_stat_statements` reads by range or sorts by (`id > $1`, `ORDER BY id`).",
        why_bad="Hashing spreads an increasing key evenly but destroys its order: every range query on the key "
        "(the last hour, the next page) scans all partitions because none can be pruned, and expiring old rows "
        "takes a `DELETE` and vacuum instead of detaching a partition. Time-ordered data is what range "
        "partitioning is for.",
        example="CREATE TABLE readings (taken_at timestamptz NOT NULL DEFAULT now(), ...)\n"
        "  PARTITION BY HASH (taken_at);",
        use_instead="`PARTITION BY RANGE (taken_at)` with partitions sized by volume (pg_partman can create "
        "them), or hash-partition by a key that queries use with equality (tenant, account).",
        references=(
            "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITION-PRUNING",
            "https://www.postgresql.org/docs/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-BEST-PRACTICES",
        ),
    ),
)


def increasing_kind(default: str) -> str:
    """ "clock", "sequence" or "" for one partition-key column's default ("identity" counts as sequence)."""
    text = default.strip()
    if _CLOCK.match(text):
        return "clock"
    if text == "identity" or _SEQUENCE.match(text):
        return "sequence"
    return ""


class MonotonicKeyCheck(SnapshotCheck):
    name = "db-monotonic-keys"
    rules = (HASH_MONOTONIC_KEY,)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        partitions: dict[str, int] = {}
        tables = {(t.schema, t.name): t for t in snap.tables}
        ranged: dict[tuple[str, str], list[str]] = {}  # (table, column) -> statements reading it in order
        for pred in snap.predicates:
            target = resolve_table(pred, tables)
            if target is not None:
                for column in set(pred.ranges + pred.order_by):
                    ranged.setdefault((target.qualified, column), []).append(pred.queryid)
        for t in snap.tables:
            if t.parent:
                partitions[t.parent] = partitions.get(t.parent, 0) + 1
        for table in snap.tables:
            if table.kind != "partitioned" or table.partition_strategy != "hash":
                continue
            for column, default in zip(table.partition_key, table.key_defaults, strict=False):
                kind = increasing_kind(default)
                statements = sorted(set(ranged.get((table.qualified, column), [])))
                finding = self._judge_key(
                    snap, table, column, kind, ranged=statements, count=partitions.get(table.qualified, 0)
                )
                if finding is not None:
                    yield finding
                    break

    def _judge_key(
        self, snap: Snapshot, table: Table, column: str, kind: str, *, ranged: list[str], count: int
    ) -> Finding | None:
        if not kind or (kind == "sequence" and not ranged):
            return None  # point lookups by id prune fine: nothing here says the order is needed
        source = "a clock default" if kind == "clock" else "a sequence"
        seen = f"; {len(ranged)} statement(s) read it by range or order" if ranged else ""
        return self.finding(
            HASH_MONOTONIC_KEY,
            f"{table.qualified} is hash-partitioned on {column}, an ever-increasing key ({source}){seen}: range "
            f"queries on it scan all {count} partitions and old rows cannot be dropped by partition",
            location(snap, f"table {table.qualified}"),
            evidence=ev(
                table=table.qualified,
                key=column,
                source=kind,
                partitions=count,
                statements=tuple(ranged[:10]),
            ),
            remediation=f"Partition {table.qualified} BY RANGE ({column}) (partitions sized by volume), or "
            "hash-partition by a key that queries compare with equality.",
            identity=f"hash-monotonic:{table.qualified}",
        )
