"""Hot partitions: partitioned tables whose partitions are far from even, and skewed partition keys."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.database.common import SnapshotCheck, ev, location, mib
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.model import Snapshot, Table
from redline.sources.postgres.settings import PostgresSettings

SKEW_FACTOR = 10.0  # the largest partition holds ten times the median partition's rows
MIN_PARTITIONS = 3

PARTITION_SKEW = Rule(
    code="DB106",
    name="partition-skew",
    area=Area.COST,
    severity=Severity.LOW,
    summary="one partition holds far more rows than the others",
    doc=RuleDoc(
        what_it_does="Compares the live rows of a partitioned table's partitions and reports the table when "
        "the largest holds at least ten times the median (and at least `[postgres] min_table_rows`). For hash "
        "and list partitioning it also names the partition key's most common value share from `pg_stats`.",
        why_bad="Partitioning only helps when the work spreads: a hot partition has the bloat, vacuum time, "
        "lock contention and cache pressure of an unpartitioned table, and for hash partitioning it means the "
        "key does not spread the rows (a tenant, a status, a constant).",
        example="CREATE TABLE events (...) PARTITION BY LIST (tenant_id);  -- one tenant has 95% of events",
        use_instead="Partition by a key that spreads the rows (hash of a high-cardinality id, or time ranges "
        "sized by volume), or split the hot value into its own sub-partitions.",
        references=(
            "https://www.postgresql.org/docs/current/ddl-partitioning.html",
            "https://www.postgresql.org/docs/current/view-pg-stats.html",
        ),
    ),
)


class PartitionCheck(SnapshotCheck):
    name = "db-partitions"
    rules = (PARTITION_SKEW,)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        children: dict[str, list[Table]] = {}
        for t in snap.tables:
            if t.parent:
                children.setdefault(t.parent, []).append(t)
        for parent in (t for t in snap.tables if t.kind == "partitioned" and not t.parent):
            parts = children.get(parent.qualified, [])
            if len(parts) < MIN_PARTITIONS:
                continue
            import statistics  # noqa: PLC0415 - statistics (fractions, decimal) only for a run with data to summarise

            median = statistics.median(p.live_tuples for p in parts)
            hot = max(parts, key=lambda p: (p.live_tuples, p.qualified))
            total = sum(p.live_tuples for p in parts)
            if hot.live_tuples < settings.min_table_rows or hot.live_tuples < SKEW_FACTOR * max(median, 1):
                continue
            mcv = self._key_share(snap, hot, parent)
            yield self.finding(
                PARTITION_SKEW,
                f"partition {hot.qualified} of {parent.qualified} holds {hot.live_tuples:,} of {total:,} rows "
                f"({hot.live_tuples / max(total, 1):.0%}, {mib(hot.table_bytes)}); the median partition holds "
                f"{median:,.0f}"
                + (
                    f"; the most common {', '.join(parent.partition_key)} value carries {mcv:.0%} of its rows"
                    if mcv
                    else ""
                ),
                location(snap, f"table {parent.qualified}"),
                evidence=ev(
                    table=parent.qualified,
                    strategy=parent.partition_strategy,
                    key=parent.partition_key,
                    hot_partition=hot.qualified,
                    hot_rows=hot.live_tuples,
                    median_rows=round(median),
                    partitions=len(parts),
                ),
                remediation="Re-partition by a key (or ranges) that spreads the rows evenly, or split the hot "
                "partition further.",
                identity=f"partitioned:{parent.qualified}",
            )

    @staticmethod
    def _key_share(snap: Snapshot, hot: Table, parent: Table) -> float:
        if len(parent.partition_key) != 1:
            return 0.0
        key = parent.partition_key[0]
        for col in snap.columns:
            if (col.schema, col.table, col.column) == (hot.schema, hot.name, key) and col.most_common_freqs:
                return col.most_common_freqs[0]
        return 0.0
