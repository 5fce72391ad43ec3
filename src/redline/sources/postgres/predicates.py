"""What each normalised statement filters and sorts each table by, parsed with PostgreSQL's own parser
(pglast, libpg_query), never with regular expressions.

Only single-table predicates count: ``col = $1``, ``col IN (…)`` (equality), ``col < $1``,
``col BETWEEN …`` (range) against a parameter or a constant, and ``ORDER BY`` columns of a single-table
query. A join condition (``a.x = b.y``) says nothing about which index one table needs on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from redline.sources.postgres.model import Predicate, Statement

_RANGE_OPS = {"<", ">", "<=", ">="}


@dataclass
class _Scope:
    relations: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias or name -> (schema, table)
    found: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)

    def add_relation(self, node: Any) -> None:
        key = (node.schemaname or "", node.relname)
        self.relations[node.alias.aliasname if node.alias else node.relname] = key
        self.found.setdefault(key, {"eq": [], "range": [], "order": []})

    def resolve(self, column_ref: Any) -> tuple[tuple[str, str], str] | None:
        from pglast import ast  # noqa: PLC0415

        names: list[str] = [str(f.sval) for f in column_ref.fields if isinstance(f, ast.String)]
        if len(names) != len(column_ref.fields):
            return None  # a.* and the like
        if len(names) == 1 and len(set(self.relations.values())) == 1:
            return next(iter(self.relations.values())), names[0]
        if len(names) == 2 and names[0] in self.relations:
            return self.relations[names[0]], names[1]
        return None

    def note(self, kind: str, column_ref: Any) -> None:
        hit = self.resolve(column_ref)
        if hit is not None and hit[1] not in self.found[hit[0]][kind]:
            self.found[hit[0]][kind].append(hit[1])


def extract_predicates(statements: Iterable[Statement]) -> tuple[tuple[Predicate, ...], int]:
    """The predicates of every statement, and how many statements could not be parsed."""
    try:
        import pglast  # noqa: PLC0415 - heavy; only the database audit needs it
    except ImportError:
        return (), 0
    out: list[Predicate] = []
    unparsed = 0
    for stmt in statements:
        if stmt.query.startswith("<"):
            continue  # a withheld utility statement: nothing to index
        try:
            tree = pglast.parse_sql(stmt.query)
        except pglast.parser.ParseError:
            unparsed += 1
            continue
        seen: set[tuple[str, str, str]] = set()
        for raw in tree:
            for scope in _scopes(raw.stmt):
                for (schema, table), cols in scope.found.items():
                    if not (cols["eq"] or cols["range"] or cols["order"]) or (schema, table, "") in seen:
                        continue
                    seen.add((schema, table, ""))
                    out.append(Predicate(stmt.queryid, schema, table, tuple(cols["eq"]),
                                         tuple(c for c in cols["range"] if c not in cols["eq"]),
                                         tuple(cols["order"])))
    return tuple(out), unparsed


def _scopes(node: Any) -> Iterator[_Scope]:
    """One scope per SELECT/UPDATE/DELETE level (subqueries and CTEs get their own)."""
    from pglast import ast  # noqa: PLC0415

    if isinstance(node, ast.SelectStmt):
        yield from _select(node)
    elif isinstance(node, ast.UpdateStmt | ast.DeleteStmt):
        scope = _Scope()
        scope.add_relation(node.relation)
        yield from _where(scope, node.whereClause)
        yield scope
    elif isinstance(node, ast.ExplainStmt):
        yield from _scopes(node.query)


def _select(node: Any) -> Iterator[_Scope]:
    from pglast import ast  # noqa: PLC0415

    for cte in (node.withClause.ctes if node.withClause else ()) or ():
        yield from _scopes(cte.ctequery)
    if node.larg is not None or node.rarg is not None:
        for part in (node.larg, node.rarg):
            if part is not None:
                yield from _select(part)
        return
    scope = _Scope()
    for item in node.fromClause or ():
        yield from _from_item(scope, item)
    yield from _where(scope, node.whereClause)
    if len(scope.found) == 1:
        for sort in node.sortClause or ():
            if isinstance(sort.node, ast.ColumnRef):
                scope.note("order", sort.node)
            else:
                break  # an expression: the index order cannot follow it
    yield scope


def _from_item(scope: _Scope, item: Any) -> Iterator[_Scope]:
    from pglast import ast  # noqa: PLC0415

    if isinstance(item, ast.RangeVar):
        scope.add_relation(item)
    elif isinstance(item, ast.JoinExpr):
        yield from _from_item(scope, item.larg)
        yield from _from_item(scope, item.rarg)
    elif isinstance(item, ast.RangeSubselect):
        yield from _scopes(item.subquery)


def _where(scope: _Scope, where: Any) -> Iterator[_Scope]:
    from pglast import ast  # noqa: PLC0415
    from pglast.enums import A_Expr_Kind  # noqa: PLC0415

    for conjunct in _conjuncts(where):
        if isinstance(conjunct, ast.SubLink):
            yield from _scopes(conjunct.subselect)
            continue
        if not isinstance(conjunct, ast.A_Expr) or not isinstance(conjunct.lexpr, ast.ColumnRef):
            continue
        op = conjunct.name[0].sval if conjunct.name else ""
        if conjunct.kind == A_Expr_Kind.AEXPR_OP and _is_value(conjunct.rexpr):
            if op == "=":
                scope.note("eq", conjunct.lexpr)
            elif op in _RANGE_OPS:
                scope.note("range", conjunct.lexpr)
        elif conjunct.kind == A_Expr_Kind.AEXPR_IN and op == "=" and all(_is_value(v) for v in conjunct.rexpr or ()):
            scope.note("eq", conjunct.lexpr)
        elif conjunct.kind == A_Expr_Kind.AEXPR_BETWEEN and all(_is_value(v) for v in conjunct.rexpr or ()):
            scope.note("range", conjunct.lexpr)


def _conjuncts(where: Any) -> Iterator[Any]:
    from pglast import ast  # noqa: PLC0415
    from pglast.enums import BoolExprType  # noqa: PLC0415

    if where is None:
        return
    if isinstance(where, ast.BoolExpr) and where.boolop == BoolExprType.AND_EXPR:
        for arg in where.args or ():
            yield from _conjuncts(arg)
    else:
        yield where


def _is_value(node: Any) -> bool:
    """A parameter or a constant, possibly cast: what an index lookup can use."""
    from pglast import ast  # noqa: PLC0415

    if isinstance(node, ast.TypeCast):
        return _is_value(node.arg)
    return isinstance(node, ast.ParamRef | ast.A_Const)
