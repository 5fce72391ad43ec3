"""Sequential scans that dominate on large tables, joined to the statements that filter them."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.database.common import REF_MONITORING, SnapshotCheck, ev, location, mib
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.candidates import resolve_table
from redline.sources.postgres.model import Snapshot
from redline.sources.postgres.settings import PostgresSettings

MIN_SEQ_SCANS = 50  # fewer is a batch job or a migration, not a hot path

SEQ_SCAN_HOT_TABLE = Rule(
    code="DB102",
    name="seq-scans-on-large-table",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="sequential scans dominate on a large table",
    doc=RuleDoc(
        what_it_does="Reports tables with at least `[postgres] min_table_rows` live rows where sequential scans "
        "outnumber index scans and each scan reads most of the table, and names the statements (from "
        "`pg_stat_statements`) that filter that table.",
        why_bad="Every sequential scan reads the whole table: its cost grows with the data, it evicts hot pages "
        "from shared buffers and it turns a millisecond lookup into a full read as the table grows.",
        example="-- pg_stat_user_tables: orders seq_scan = 12 000, idx_scan = 40, n_live_tup = 2 000 000",
        use_instead="CREATE INDEX ON orders (customer_id, status);   -- the columns the statements filter by",
        references=(
            "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ALL-TABLES-VIEW",
            REF_MONITORING,
        ),
    ),
)


class SeqScanCheck(SnapshotCheck):
    name = "db-seq-scans"
    rules = (SEQ_SCAN_HOT_TABLE,)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        tables = {(t.schema, t.name): t for t in snap.tables}
        by_id = {s.queryid: s for s in snap.statements}
        touching: dict[str, list[str]] = {}
        for pred in snap.predicates:
            table = resolve_table(pred, tables)
            if table is not None and pred.queryid in by_id:
                touching.setdefault(table.qualified, []).append(pred.queryid)
        for t in snap.tables:
            if t.kind != "table" or t.live_tuples < settings.min_table_rows or t.seq_scan < MIN_SEQ_SCANS:
                continue
            per_scan = t.seq_tup_read / t.seq_scan
            if t.seq_scan <= t.idx_scan or per_scan < t.live_tuples / 2:
                continue
            ids = sorted(dict.fromkeys(touching.get(t.qualified, ())), key=lambda q: (-by_id[q].total_ms, q))
            yield self.finding(
                SEQ_SCAN_HOT_TABLE,
                f"table {t.qualified} ({t.live_tuples:,} rows, {mib(t.table_bytes)}) was read by {t.seq_scan:,} "
                f"sequential scans against {t.idx_scan:,} index scans, {per_scan:,.0f} rows per scan"
                + (f"; statements filtering it: {', '.join(ids[:5])}" if ids else ""),
                location(snap, f"table {t.qualified}"),
                evidence=ev(
                    table=t.qualified,
                    rows=t.live_tuples,
                    bytes=t.table_bytes,
                    seq_scan=t.seq_scan,
                    idx_scan=t.idx_scan,
                    seq_tup_read=t.seq_tup_read,
                    statements=tuple(ids[:10]),
                ),
                remediation="Index the columns those statements filter by (see DB103 for the proposed index), "
                "or, for a table that must be read whole, make sure it is not on a request path.",
                identity=f"table:{t.qualified}",
            )
