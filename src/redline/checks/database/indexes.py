"""Indexes that cost without paying: never used, duplicated by another, or bloated."""

from __future__ import annotations

import math
from collections.abc import Iterator

from redline.checks.database.common import REF_MONITORING, SnapshotCheck, ev, location, mib
from redline.core.model import Area, Confidence, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.model import ColumnStats, ForeignKey, Index, Snapshot, Table
from redline.sources.postgres.settings import PostgresSettings

MIN_TABLE_SCANS = 100  # the statistics must cover real traffic before "never used" means anything
MIN_WASTE_BYTES = 10 * 1024**2
MIN_BLOAT_RATIO = 0.5
BTREE_FILLFACTOR = 0.9
PAGE_OVERHEAD = 24 + 16  # page header + btree special space

UNUSED_INDEX = Rule(
    code="DB109",
    name="unused-index",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="an index has not been scanned since the statistics were reset",
    doc=RuleDoc(
        what_it_does="Reports indexes with zero scans in `pg_stat_user_indexes` on tables that have seen real "
        "traffic, leaving out indexes that back a constraint (primary key, unique, exclusion) or serve a "
        "foreign key's lookups.",
        why_bad="Every insert and every non-HOT update writes to every index of the table: an index nobody "
        "reads costs write throughput, WAL volume, vacuum time and cache space for nothing.",
        example="CREATE INDEX orders_note_idx ON orders (note);   -- idx_scan = 0 for months",
        use_instead="DROP INDEX CONCURRENTLY orders_note_idx;   -- after checking replicas' statistics too",
        references=(
            "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-INDEXES-VIEW",
            REF_MONITORING,
        ),
    ),
)

DUPLICATE_INDEX = Rule(
    code="DB110",
    name="duplicate-index",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="an index duplicates another, or is a prefix of it",
    doc=RuleDoc(
        what_it_does="Reports indexes of one table with the same method and predicate whose key columns are "
        "the same as, or a leading prefix of, another index's key columns (a unique index is kept: it enforces "
        "a constraint the longer one does not).",
        why_bad="The longer index answers every lookup the shorter one does; the shorter one only adds write "
        "cost, WAL and cache pressure.",
        example="CREATE INDEX a ON orders (customer_id);\nCREATE INDEX b ON orders (customer_id, created_at);",
        use_instead="DROP INDEX CONCURRENTLY a;   -- b serves WHERE customer_id = $1 too",
        references=(
            "https://www.postgresql.org/docs/current/indexes-multicolumn.html",
            "https://wiki.postgresql.org/wiki/Index_Maintenance#Duplicate_indexes",
        ),
    ),
)

INDEX_BLOAT = Rule(
    code="DB107",
    name="index-bloat",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="a btree index is mostly empty space",
    doc=RuleDoc(
        what_it_does="Measures btree leaf density with `pgstatindex` when pgstattuple is installed, or "
        "estimates the expected size from `pg_class.reltuples` and the columns' `pg_stats.avg_width`, and "
        "reports indexes that are at least half empty and waste at least 10 MiB.",
        why_bad="A bloated index is read and cached page by page: half-empty pages double the I/O and the "
        "memory every scan of it needs. VACUUM marks the space reusable but never shrinks the index.",
        example="-- orders_email_idx: 480 MiB, avg_leaf_density 21%",
        use_instead="REINDEX INDEX CONCURRENTLY orders_email_idx;",
        references=(
            "https://www.postgresql.org/docs/current/pgstattuple.html",
            "https://www.postgresql.org/docs/current/routine-reindex.html",
            "https://github.com/ioguix/pgsql-bloat-estimation",
        ),
    ),
)

DEAD_TUPLES = Rule(
    code="DB108",
    name="dead-tuples",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="a large share of a table's rows are dead and not vacuumed",
    doc=RuleDoc(
        what_it_does="Reports tables where dead rows are at least 20% of all rows and number at least "
        "`[postgres] min_table_rows`, saying whether autovacuum is disabled for the table and when it was "
        "last vacuumed.",
        why_bad="Dead rows are still read by every sequential scan and still pointed to by indexes; the table "
        "grows, scans slow down, and a table autovacuum cannot keep up with drifts towards wraparound.",
        example="ALTER TABLE sessions SET (autovacuum_enabled = off);   -- a heavily updated table",
        use_instead="ALTER TABLE sessions RESET (autovacuum_enabled);\n"
        "ALTER TABLE sessions SET (autovacuum_vacuum_scale_factor = 0.02);",
        references=("https://www.postgresql.org/docs/current/routine-vacuuming.html", REF_MONITORING),
    ),
)


def _serves_foreign_key(index: Index, fks: list[ForeignKey]) -> str:
    for fk in fks:
        if set(index.columns[: len(fk.columns)]) == set(fk.columns):
            return fk.name
    return ""


def _keeps_constraint(index: Index) -> bool:
    return index.unique or index.primary or bool(index.constraint)


class IndexUsageCheck(SnapshotCheck):
    name = "db-index-usage"
    rules = (UNUSED_INDEX, DUPLICATE_INDEX)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        tables = {t.qualified: t for t in snap.tables}
        fks: dict[str, list[ForeignKey]] = {}
        for fk in snap.foreign_keys:
            fks.setdefault(f"{fk.schema}.{fk.table}", []).append(fk)
        by_table: dict[str, list[Index]] = {}
        for index in snap.indexes:
            by_table.setdefault(index.table_qualified, []).append(index)
        for name, group in sorted(by_table.items()):
            table = tables.get(name)
            if table is None or table.kind != "table":
                continue  # a partitioned parent's index has no scans of its own
            redundant = dict(self._redundant(group))
            for index in group:
                if index.qualified in redundant:
                    yield self._duplicate(snap, index, redundant[index.qualified])
                elif self._unused(index, table, fks.get(name, [])):
                    yield self._unused_finding(snap, index, table)

    @staticmethod
    def _redundant(group: list[Index]) -> Iterator[tuple[str, Index]]:
        """(the index to drop, the index that serves it)."""
        ordered = sorted(group, key=lambda i: (-len(i.columns), not _keeps_constraint(i), -i.idx_scan, i.name))
        dropped: set[str] = set()
        for i, keep in enumerate(ordered):
            if keep.qualified in dropped or not keep.valid:
                continue
            for other in ordered[i + 1 :]:
                same_kind = (other.method, other.predicate) == (keep.method, keep.predicate) and other.valid
                prefix = keep.columns[: len(other.columns)] == other.columns
                if (
                    same_kind
                    and prefix
                    and other.qualified not in dropped
                    and not _keeps_constraint(other)
                    and (other.method == "btree" or len(other.columns) == len(keep.columns))
                ):
                    dropped.add(other.qualified)
                    yield other.qualified, keep

    def _duplicate(self, snap: Snapshot, index: Index, keep: Index) -> Finding:
        same = index.columns == keep.columns
        how = "has the same columns as" if same else "is a prefix of"
        return self.finding(
            DUPLICATE_INDEX,
            f"index {index.qualified} ({', '.join(index.columns)}, {mib(index.bytes)}) {how} "
            f"{keep.qualified} ({', '.join(keep.columns)}) on table {index.table_qualified}",
            location(snap, f"index {index.qualified}"),
            evidence=ev(
                table=index.table_qualified,
                index=index.qualified,
                columns=index.columns,
                kept_index=keep.qualified,
                kept_columns=keep.columns,
                bytes=index.bytes,
                idx_scan=index.idx_scan,
            ),
            remediation=f"DROP INDEX CONCURRENTLY {index.qualified};",
            identity=f"index:{index.qualified}",
        )

    @staticmethod
    def _unused(index: Index, table: Table, fks: list[ForeignKey]) -> bool:
        return (
            index.idx_scan == 0
            and index.valid
            and not _keeps_constraint(index)
            and table.seq_scan + table.idx_scan >= MIN_TABLE_SCANS
            and not _serves_foreign_key(index, fks)
        )

    def _unused_finding(self, snap: Snapshot, index: Index, table: Table) -> Finding:
        since = snap.server.stats_reset or "the statistics were last reset"
        return self.finding(
            UNUSED_INDEX,
            f"index {index.qualified} ({', '.join(index.columns)}, {mib(index.bytes)}) on {table.qualified} has "
            f"not been scanned since {since}, while the table saw {table.seq_scan + table.idx_scan:,} scans "
            f"and {table.updates:,} updates",
            location(snap, f"index {index.qualified}"),
            confidence=Confidence.MEDIUM,  # a replica's reads are not in this server's statistics
            evidence=ev(
                table=table.qualified,
                index=index.qualified,
                columns=index.columns,
                bytes=index.bytes,
                idx_scan=0,
                stats_reset=snap.server.stats_reset or "",
            ),
            remediation=f"Check the replicas' pg_stat_user_indexes too, then DROP INDEX CONCURRENTLY "
            f"{index.qualified};",
            identity=f"index:{index.qualified}",
        )


def expected_btree_bytes(index: Index, stats: dict[str, ColumnStats], block_size: int) -> float | None:
    """The size a freshly built btree of this many tuples would have (None: a width is unknown)."""
    width = 0
    for col in (*index.columns, *index.include):
        if col not in stats:
            return None
        width += stats[col].avg_width
    tuple_bytes = math.ceil((8 + width) / 8) * 8 + 4  # MAXALIGNed index tuple + line pointer
    per_page = (block_size - PAGE_OVERHEAD) * BTREE_FILLFACTOR
    return (math.ceil(index.tuples * tuple_bytes / per_page) + 1) * block_size


class BloatCheck(SnapshotCheck):
    name = "db-bloat"
    rules = (INDEX_BLOAT, DEAD_TUPLES)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        stats: dict[tuple[str, str], dict[str, ColumnStats]] = {}
        for col in snap.columns:
            stats.setdefault((col.schema, col.table), {})[col.column] = col
        for index in snap.indexes:
            if index.method != "btree" or not index.valid or index.bytes < MIN_WASTE_BYTES:
                continue
            if index.leaf_density is not None:
                ratio, how = (
                    max(0.0, 1 - index.leaf_density / (BTREE_FILLFACTOR * 100)),
                    f"measured leaf density {index.leaf_density:.0f}%",
                )
            else:
                table_stats = stats.get((index.schema, index.table), {})
                expected = expected_btree_bytes(index, table_stats, snap.server.block_size)
                if expected is None:
                    continue
                ratio, how = max(0.0, 1 - expected / index.bytes), f"estimated size when compact {mib(expected)}"
            waste = index.bytes * ratio
            if ratio < MIN_BLOAT_RATIO or waste < MIN_WASTE_BYTES:
                continue
            yield self.finding(
                INDEX_BLOAT,
                f"index {index.qualified} on {index.table_qualified} is {mib(index.bytes)}, about {ratio:.0%} of it "
                f"empty ({how}; ~{mib(waste)} wasted)",
                location(snap, f"index {index.qualified}"),
                confidence=Confidence.HIGH if index.leaf_density is not None else Confidence.MEDIUM,
                evidence=ev(
                    table=index.table_qualified,
                    index=index.qualified,
                    columns=index.columns,
                    bytes=index.bytes,
                    bloat_ratio=f"{ratio:.2f}",
                    wasted_bytes=f"{waste:.0f}",
                    measured="yes" if index.leaf_density is not None else "no",
                ),
                remediation=f"REINDEX INDEX CONCURRENTLY {index.qualified};",
                identity=f"index:{index.qualified}",
            )
        yield from self._dead(snap, settings)

    def _dead(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding]:
        for t in snap.tables:
            rows = t.live_tuples + t.dead_tuples
            if t.kind != "table" or t.dead_tuples < settings.min_table_rows or t.dead_tuples < 0.2 * rows:
                continue
            why = (
                "autovacuum is disabled for it"
                if not t.autovacuum_enabled
                else f"last vacuumed {t.last_vacuum or 'never'}"
            )
            yield self.finding(
                DEAD_TUPLES,
                f"table {t.qualified} has {t.dead_tuples:,} dead rows ({t.dead_tuples / rows:.0%} of {rows:,}); {why}",
                location(snap, f"table {t.qualified}"),
                evidence=ev(
                    table=t.qualified,
                    dead_tuples=t.dead_tuples,
                    live_tuples=t.live_tuples,
                    autovacuum_enabled=str(t.autovacuum_enabled).lower(),
                    last_vacuum=t.last_vacuum or "",
                    bytes=t.table_bytes,
                ),
                remediation=(
                    f"ALTER TABLE {t.qualified} RESET (autovacuum_enabled); VACUUM (ANALYZE) {t.qualified};"
                    if not t.autovacuum_enabled
                    else f"VACUUM (ANALYZE) {t.qualified}; and lower its autovacuum_vacuum_scale_factor"
                ),
                identity=f"table:{t.qualified}",
            )
