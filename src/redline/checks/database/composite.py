"""Missing (composite) indexes: the smallest index the heavy statements' predicates call for.

Per statement (parsed from ``pg_stat_statements``): equality columns ordered by selectivity from
``pg_stats``, then one range or sort column (``sources.postgres.candidates``). A proposal is reported when
no existing index's prefix serves it, when it cuts the rows the best existing access path reads at least
tenfold and from at least a hundred rows, when its equality part matches at most 5% of the table, and —
where hypopg confirmed it — when the planner uses the hypothetical index for a lower cost.
Proposals of one table that are prefixes of another collapse into the longer one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from redline.checks.database.common import SnapshotCheck, ev, location
from redline.core.model import Area, Confidence, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.candidates import Candidate, candidates, covered_by, equality_selectivity
from redline.sources.postgres.model import ColumnStats, Index, Snapshot, WhatIf
from redline.sources.postgres.settings import PostgresSettings

MIN_STATEMENT_SHARE = 0.01  # statements below 1% of all statement time are not worth an index
MIN_GAIN = 10.0  # the proposal must read at least ten times fewer rows than today's best path
MIN_ROWS_READ = 100  # a path that reads fewer rows than this is fine as it is, whatever a wider index saves
MIN_COST_REDUCTION = 0.10  # a confirmed proposal must lower the planner's cost by at least 10%
MAX_MATCH_FRACTION = 0.05  # an index whose equality part still matches over 5% of the rows rarely beats a scan

MISSING_INDEX = Rule(
    code="DB103",
    name="missing-composite-index",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="heavy statements filter a large table by columns no index covers",
    doc=RuleDoc(
        what_it_does="Parses the normalised statements of `pg_stat_statements` with PostgreSQL's parser, "
        "extracts single-table predicates (equality, range, ORDER BY), estimates each column's selectivity "
        "from `pg_stats` and proposes the smallest btree index — equality columns most selective first, "
        "then one range or sort column — that no existing index's prefix already provides. With hypopg the "
        "proposal is confirmed by planning the statement (generic plan) with a hypothetical index, and the "
        "estimated cost reduction is reported; without it the proposal is marked unconfirmed.",
        why_bad="Without a matching index each call reads every row (or every row matching only the first "
        "column) and filters the rest away: the cost grows with the table, not with the result.",
        example="SELECT * FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT $3",
        use_instead="CREATE INDEX CONCURRENTLY ON orders (customer_id, status, created_at);",
        references=(
            "https://www.postgresql.org/docs/current/indexes-multicolumn.html",
            "https://www.postgresql.org/docs/current/view-pg-stats.html",
            "https://github.com/HypoPG/hypopg",
            "https://use-the-index-luke.com/sql/where-clause/the-equals-operator/concatenated-keys",
        ),
    ),
)


@dataclass
class Proposal:
    candidate: Candidate
    statements: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    best_rows: float = 0.0


def best_existing_rows(cand: Candidate, indexes: list[Index], stats: dict[str, ColumnStats]) -> float:
    """Rows the best existing btree index leaves after its leading equality columns (the table when none)."""
    best = cand.table_rows
    for index in indexes:
        if index.method != "btree" or not index.valid or index.predicate:
            continue
        rows = cand.table_rows
        for col in index.columns:
            if col not in cand.equality or col not in stats:
                break
            rows *= equality_selectivity(stats[col], cand.table_rows)
        best = min(best, rows)
    return best


class MissingIndexCheck(SnapshotCheck):
    name = "db-missing-indexes"
    rules = (MISSING_INDEX,)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        for prop in self._proposals(snap, settings):
            finding = self._finding(snap, prop)
            if finding is not None:
                yield finding

    def _proposals(self, snap: Snapshot, settings: PostgresSettings) -> list[Proposal]:
        by_id = {s.queryid: s for s in snap.statements}
        total = snap.database.statements_total_ms
        indexes: dict[tuple[str, str], list[Index]] = {}
        for index in snap.indexes:
            indexes.setdefault((index.schema, index.table), []).append(index)
        stats: dict[tuple[str, str], dict[str, ColumnStats]] = {}
        for col in snap.columns:
            stats.setdefault((col.schema, col.table), {})[col.column] = col
        found: dict[tuple[str, str, tuple[str, ...]], Proposal] = {}
        for pred, cand in candidates(snap):
            stmt = by_id.get(pred.queryid)
            if stmt is None or total <= 0 or stmt.total_ms < MIN_STATEMENT_SHARE * total:
                continue
            if cand.table_rows < settings.min_table_rows or cand.estimated_rows > MAX_MATCH_FRACTION * cand.table_rows:
                continue
            existing = indexes.get((cand.schema, cand.table), [])
            if any(covered_by(cand, i) for i in existing):
                continue
            best = best_existing_rows(cand, existing, stats.get((cand.schema, cand.table), {}))
            if best < max(MIN_GAIN * max(cand.estimated_rows, 1.0), MIN_ROWS_READ):
                continue
            prop = found.setdefault((cand.schema, cand.table, cand.columns), Proposal(cand, best_rows=best))
            if pred.queryid not in prop.statements:
                prop.statements.append(pred.queryid)
            prop.labels.add(cand.label)
        return _collapse(list(found.values()))

    def _finding(self, snap: Snapshot, prop: Proposal) -> Finding | None:
        cand = prop.candidate
        whatifs = [w for w in snap.whatifs if w.index in prop.labels and w.queryid in prop.statements]
        confirmed = [w for w in whatifs if w.uses_index and w.cost_after < w.cost_before * (1 - MIN_COST_REDUCTION)]
        if whatifs and not confirmed:
            return None  # the planner would not use it: the proposal is wrong, whatever the statistics say
        order = ", ".join(cand.equality) + (f", then {cand.tail_kind} column {cand.tail}" if cand.tail else "")
        if confirmed:
            best = max(confirmed, key=_reduction)
            verdict = (
                f"hypopg confirms it: the generic-plan cost of statement {best.queryid} drops from "
                f"{best.cost_before:,.1f} to {best.cost_after:,.1f} ({_reduction(best):.0%} lower)"
            )
        else:
            verdict = "unconfirmed (hypopg is not installed)"
        kind = "composite index" if len(cand.columns) > 1 else "index"
        return self.finding(
            MISSING_INDEX,
            f"missing {kind} on {cand.label} for statement(s) {', '.join(prop.statements[:5])}: equality "
            f"columns by selectivity ({order}); the best existing path reads ~{prop.best_rows:,.0f} of "
            f"{cand.table_rows:,.0f} rows, the index ~{max(cand.estimated_rows, 1):,.0f}; {verdict}",
            location(snap, f"table {cand.qualified_table}"),
            confidence=Confidence.HIGH if confirmed else Confidence.MEDIUM,
            evidence=ev(
                table=cand.qualified_table,
                columns=cand.columns,
                statements=tuple(prop.statements),
                estimated_rows=round(cand.estimated_rows, 1),
                best_existing_rows=round(prop.best_rows, 1),
                confirmed=bool(confirmed),
                cost_before=round(confirmed[0].cost_before, 1) if confirmed else None,
                cost_after=round(confirmed[0].cost_after, 1) if confirmed else None,
            ),
            remediation=f"{cand.ddl().replace('CREATE INDEX', 'CREATE INDEX CONCURRENTLY', 1)};",
            identity=f"index:{cand.label}",
        )


def _reduction(w: WhatIf) -> float:
    return 1 - w.cost_after / w.cost_before if w.cost_before > 0 else 0.0


def _collapse(props: list[Proposal]) -> list[Proposal]:
    """A proposal whose columns are a prefix of another's on the same table is served by the longer one."""
    props.sort(key=lambda p: (p.candidate.schema, p.candidate.table, -len(p.candidate.columns), p.candidate.columns))
    kept: list[Proposal] = []
    for prop in props:
        c = prop.candidate
        host = next(
            (
                k
                for k in kept
                if (k.candidate.schema, k.candidate.table) == (c.schema, c.table)
                and k.candidate.columns[: len(c.columns)] == c.columns
            ),
            None,
        )
        if host is None:
            kept.append(prop)
            continue
        host.statements += [s for s in prop.statements if s not in host.statements]
        host.labels |= prop.labels
        host.best_rows = max(host.best_rows, prop.best_rows)
    return kept
