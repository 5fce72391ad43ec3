"""Confirm index candidates with hypopg: the generic-plan cost of each statement without and with a
hypothetical index. Nothing is built and nothing is executed: hypopg's indexes live in this session's
memory, ``PREPARE`` only plans, ``EXPLAIN`` without ``ANALYZE`` never runs the statement, and the session
is read-only."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from redline.sources.postgres.candidates import Candidate, candidates, covered_by
from redline.sources.postgres.model import Gap, Index, Snapshot, WhatIf
from redline.sources.postgres.queries import TAG

if TYPE_CHECKING:
    import psycopg

MAX_WHATIFS = 50  # the heaviest statements' candidates only
_STATEMENT = "redline_whatif"


def explainable(query: str) -> bool:
    """One plain SELECT, UPDATE or DELETE: what PREPARE accepts and EXPLAIN only plans."""
    import pglast  # noqa: PLC0415
    from pglast import ast  # noqa: PLC0415

    try:
        tree = pglast.parse_sql(query)
    except pglast.parser.ParseError:
        return False
    return len(tree) == 1 and isinstance(tree[0].stmt, ast.SelectStmt | ast.UpdateStmt | ast.DeleteStmt)


def confirm(conn: psycopg.Connection[Any], snapshot: Snapshot) -> tuple[tuple[WhatIf, ...], list[Gap]]:
    if "hypopg" not in snapshot.server.extensions:
        return (), [
            Gap(
                "hypopg",
                "hypopg is not installed: index proposals are not confirmed by the planner",
                "install the postgresql-NN-hypopg package matching the server, then CREATE EXTENSION hypopg",
            )
        ]
    by_id = {s.queryid: s for s in snapshot.statements}
    indexes: dict[tuple[str, str], list[Index]] = {}
    for index in snapshot.indexes:
        indexes.setdefault((index.schema, index.table), []).append(index)
    todo = [
        (pred, cand)
        for pred, cand in candidates(snapshot)
        if pred.queryid in by_id and not any(covered_by(cand, i) for i in indexes.get((cand.schema, cand.table), ()))
    ]
    todo.sort(key=lambda pc: (-by_id[pc[0].queryid].total_ms, pc[0].queryid))
    out: list[WhatIf] = []
    failures = 0
    for pred, cand in todo[:MAX_WHATIFS]:
        query = by_id[pred.queryid].query
        if not explainable(query):
            continue
        result = _what_if(conn, query, cand)
        if result is None:
            failures += 1
            continue
        out.append(WhatIf(pred.queryid, cand.label, *result))
    gaps = (
        [
            Gap(
                "hypopg",
                f"{failures} statement(s) could not be planned with a hypothetical index",
                "none needed; their proposals stay unconfirmed",
            )
        ]
        if failures
        else []
    )
    return tuple(out), gaps


def _what_if(conn: psycopg.Connection[Any], query: str, cand: Candidate) -> tuple[float, float, bool] | None:
    import psycopg  # noqa: PLC0415

    try:
        conn.execute(f"{TAG} SET plan_cache_mode = force_generic_plan")
        before, _ = _cost(conn, query, "")
        row = conn.execute(f"{TAG} SELECT indexname FROM hypopg_create_index(%s)", (cand.ddl(),)).fetchone()
        name = row[0] if row else ""
        after, used = _cost(conn, query, name)
        return before, after, used
    except psycopg.Error:
        return None
    finally:
        for cleanup in ("DEALLOCATE ALL", "SELECT hypopg_reset()", "RESET plan_cache_mode"):
            with contextlib.suppress(psycopg.Error):
                conn.execute(f"{TAG} {cleanup}")  # type: ignore[arg-type]


def _cost(conn: psycopg.Connection[Any], query: str, index_name: str) -> tuple[float, bool]:
    """Prepare afresh (a cached generic plan would not see a new hypothetical index) and explain."""
    conn.execute(f"{TAG} DEALLOCATE ALL")
    conn.execute(f"{TAG} PREPARE {_STATEMENT} AS {query}")  # type: ignore[arg-type]
    row = conn.execute(
        f"{TAG} SELECT cardinality(parameter_types) FROM pg_prepared_statements WHERE name = %s", (_STATEMENT,)
    ).fetchone()
    params = ", ".join(["NULL"] * int(row[0] if row and row[0] else 0))
    sql = f"{TAG} EXPLAIN (FORMAT JSON) EXECUTE {_STATEMENT}" + (f"({params})" if params else "")
    plan_row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    plan = plan_row[0][0]["Plan"] if plan_row else {}
    return float(plan.get("Total Cost", 0.0)), bool(index_name) and index_name in str(plan)
