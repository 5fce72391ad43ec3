"""The index a statement's predicates call for, ordered by the planner's own statistics.

Equality columns first, most selective first (selectivity from ``pg_stats``: ``(1 - null_frac) /
n_distinct``), stopping once the estimate reaches one row; then at most one range or sort column. This is a
derived fact (like a planner estimate), shared by the what-if step of the source and by the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from redline.sources.postgres.model import ColumnStats, Index, Predicate, Snapshot, Table

MAX_EQUALITY_COLUMNS = 3
WEAK_SELECTIVITY = 0.5  # a column that keeps half the rows is not worth a key position after the first


@dataclass(frozen=True, slots=True)
class Candidate:
    schema: str
    table: str
    columns: tuple[str, ...]
    equality: tuple[str, ...]
    tail: str  # the range or sort column, or ""
    tail_kind: str  # "range" | "order" | ""
    estimated_rows: float  # rows the equality part leaves
    table_rows: float

    @property
    def qualified_table(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def label(self) -> str:
        return f"{self.qualified_table} ({', '.join(self.columns)})"

    def ddl(self) -> str:
        cols = ", ".join(_quote(c) for c in self.columns)
        return f"CREATE INDEX ON {_quote(self.schema)}.{_quote(self.table)} ({cols})"


def _quote(name: str) -> str:
    plain = name.isidentifier() and name == name.lower() and name.isascii()
    return name if plain else '"' + name.replace('"', '""') + '"'


def equality_selectivity(stats: ColumnStats, rows: float) -> float:
    distinct = stats.n_distinct if stats.n_distinct > 0 else -stats.n_distinct * rows
    return (1.0 - stats.null_frac) / max(distinct, 1.0)


def resolve_table(pred: Predicate, tables: Mapping[tuple[str, str], Table]) -> Table | None:
    """The table a predicate names; an unqualified name resolves when one schema has it (public first)."""
    if pred.schema:
        return tables.get((pred.schema, pred.table))
    if ("public", pred.table) in tables:
        return tables[("public", pred.table)]
    matches = [t for (_, name), t in tables.items() if name == pred.table]
    return matches[0] if len(matches) == 1 else None


def candidate_for(pred: Predicate, table: Table, stats: Mapping[str, ColumnStats], rows: float) -> Candidate | None:
    if any(c not in stats for c in pred.equality):
        return None  # no statistics (never analysed, or hidden from the role): no honest ordering
    ranked = sorted(pred.equality, key=lambda c: (equality_selectivity(stats[c], rows), c))
    chosen: list[str] = []
    estimate = rows
    for col in ranked[:MAX_EQUALITY_COLUMNS]:
        sel = equality_selectivity(stats[col], rows)
        if chosen and (estimate <= 1.0 or sel >= WEAK_SELECTIVITY):
            break
        chosen.append(col)
        estimate *= sel
    tail, kind = "", ""
    if estimate > 1.0:
        if pred.ranges:
            tail, kind = pred.ranges[0], "range"
        elif len(pred.order_by) == 1 and pred.order_by[0] not in chosen:
            tail, kind = pred.order_by[0], "order"
    columns = (*chosen, tail) if tail else tuple(chosen)
    if not columns:
        return None
    return Candidate(table.schema, table.name, columns, tuple(chosen), tail, kind, estimate, rows)


def covered_by(candidate: Candidate, index: Index) -> bool:
    """An existing valid btree index serves the candidate: its leading columns are the candidate's
    equality columns (in any order), followed by the range/sort column when there is one."""
    if index.method != "btree" or not index.valid or index.predicate:
        return False
    eq = set(candidate.equality)
    head = index.columns[: len(eq)]
    if set(head) != eq:
        return False
    return not candidate.tail or index.columns[len(eq) : len(eq) + 1] == (candidate.tail,)


def candidates(snapshot: Snapshot) -> list[tuple[Predicate, Candidate]]:
    """Every predicate's candidate, for tables with statistics."""
    tables = {(t.schema, t.name): t for t in snapshot.tables}
    stats: dict[tuple[str, str], dict[str, ColumnStats]] = {}
    for col in snapshot.columns:
        stats.setdefault((col.schema, col.table), {})[col.column] = col
    out = []
    for pred in snapshot.predicates:
        table = resolve_table(pred, tables)
        if table is None or table.kind != "table":
            continue
        cand = candidate_for(pred, table, stats.get((table.schema, table.name), {}), float(table.live_tuples))
        if cand is not None:
            out.append((pred, cand))
    return out
