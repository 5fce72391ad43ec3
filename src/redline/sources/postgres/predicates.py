"""What each normalised statement filters and sorts each table by, parsed with PostgreSQL's own parser
(pglast, libpg_query), never with regular expressions.

Only single-table predicates count: ``col = $1``, ``col IN (…)`` (equality), ``col < $1``,
``col BETWEEN …`` (range) against a parameter or a constant, and ``ORDER BY`` columns of a single-table
query. A join condition (``a.x = b.y``) says nothing about which index one table needs on its own.
The parse tree is read as libpg_query's JSON (six times faster than building pglast's Python nodes,
which matters with thousands of statements).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from redline.sources.postgres.model import Predicate, Statement

_RANGE_OPS = {"<", ">", "<=", ">="}
Node = dict[str, Any]


def _unwrap(node: Any) -> tuple[str, Node]:
    """``{"SelectStmt": {...}}`` -> ``("SelectStmt", {...})``; anything else -> ``("", {})``."""
    if isinstance(node, dict) and len(node) == 1:
        ((kind, body),) = node.items()
        if isinstance(body, dict):
            return kind, body
    return "", {}


def _items(node: Any) -> list[Any]:
    """A list field, or a ``{"List": {"items": [...]}}`` node, as a list."""
    if isinstance(node, list):
        return node
    kind, body = _unwrap(node)
    return list(body.get("items", [])) if kind == "List" else []


@dataclass
class _Scope:
    relations: dict[str, tuple[str, str]] = field(default_factory=dict)  # alias or name -> (schema, table)
    found: dict[tuple[str, str], dict[str, list[str]]] = field(default_factory=dict)

    def add_relation(self, rangevar: Node) -> None:
        key = (rangevar.get("schemaname", ""), rangevar.get("relname", ""))
        alias = rangevar.get("alias", {}).get("aliasname") or key[1]
        self.relations[alias] = key
        self.found.setdefault(key, {"eq": [], "range": [], "order": []})

    def resolve(self, column_ref: Node) -> tuple[tuple[str, str], str] | None:
        names = [body.get("sval", "") for kind, body in map(_unwrap, column_ref.get("fields", [])) if kind == "String"]
        if len(names) != len(column_ref.get("fields", [])):
            return None  # a.* and the like
        if len(names) == 1 and len(set(self.relations.values())) == 1:
            return next(iter(self.relations.values())), names[0]
        if len(names) == 2 and names[0] in self.relations:
            return self.relations[names[0]], names[1]
        return None

    def note(self, kind: str, column_ref: Node) -> None:
        hit = self.resolve(column_ref)
        if hit is not None and hit[1] not in self.found[hit[0]][kind]:
            self.found[hit[0]][kind].append(hit[1])


def extract_predicates(statements: Iterable[Statement]) -> tuple[tuple[Predicate, ...], int]:
    """The predicates of every statement, and how many statements could not be parsed."""
    try:
        from pglast import parser  # noqa: PLC0415 - heavy; only the database audit needs it
    except ImportError:
        return (), 0
    out: list[Predicate] = []
    unparsed = 0
    for stmt in statements:
        if stmt.query.startswith("<"):
            continue  # a withheld utility statement: nothing to index
        try:
            tree = json.loads(parser.parse_sql_json(stmt.query))
        except (parser.ParseError, ValueError):
            unparsed += 1
            continue
        seen: set[tuple[str, str]] = set()
        for raw in tree.get("stmts", []):
            for scope in _scopes(raw.get("stmt")):
                for key, cols in scope.found.items():
                    if not (cols["eq"] or cols["range"] or cols["order"]) or key in seen:
                        continue
                    seen.add(key)
                    out.append(
                        Predicate(
                            stmt.queryid,
                            key[0],
                            key[1],
                            tuple(cols["eq"]),
                            tuple(c for c in cols["range"] if c not in cols["eq"]),
                            tuple(cols["order"]),
                        )
                    )
    return tuple(out), unparsed


def _scopes(node: Any) -> Iterator[_Scope]:
    """One scope per SELECT/UPDATE/DELETE level (subqueries and CTEs get their own)."""
    kind, body = _unwrap(node)
    if kind == "SelectStmt":
        yield from _select(body)
    elif kind in ("UpdateStmt", "DeleteStmt"):
        scope = _Scope()
        scope.add_relation(body.get("relation", {}))
        yield from _where(scope, body.get("whereClause"))
        yield scope
    elif kind == "ExplainStmt":
        yield from _scopes(body.get("query"))


def _select(body: Node) -> Iterator[_Scope]:
    for cte in body.get("withClause", {}).get("ctes", []):
        yield from _scopes(_unwrap(cte)[1].get("ctequery"))
    if body.get("larg") or body.get("rarg"):
        for part in (body.get("larg"), body.get("rarg")):
            if part:
                yield from _select(part)
        return
    scope = _Scope()
    for item in body.get("fromClause", []):
        yield from _from_item(scope, item)
    yield from _where(scope, body.get("whereClause"))
    if len(scope.found) == 1:
        for sort in body.get("sortClause", []):
            kind, ref = _unwrap(_unwrap(sort)[1].get("node"))
            if kind != "ColumnRef":
                break  # an expression: the index order cannot follow it
            scope.note("order", ref)
    yield scope


def _from_item(scope: _Scope, item: Any) -> Iterator[_Scope]:
    kind, body = _unwrap(item)
    if kind == "RangeVar":
        scope.add_relation(body)
    elif kind == "JoinExpr":
        yield from _from_item(scope, body.get("larg"))
        yield from _from_item(scope, body.get("rarg"))
    elif kind == "RangeSubselect":
        yield from _scopes(body.get("subquery"))


def _where(scope: _Scope, where: Any) -> Iterator[_Scope]:
    for conjunct in _conjuncts(where):
        kind, body = _unwrap(conjunct)
        if kind == "SubLink":
            yield from _scopes(body.get("subselect"))
            continue
        lkind, left = _unwrap(body.get("lexpr"))
        if kind != "A_Expr" or lkind != "ColumnRef":
            continue
        names = [_unwrap(n)[1].get("sval", "") for n in body.get("name", [])]
        op = names[0] if names else ""
        expr_kind = body.get("kind", "")
        right = body.get("rexpr")
        if expr_kind == "AEXPR_OP" and _is_value(right):
            if op == "=":
                scope.note("eq", left)
            elif op in _RANGE_OPS:
                scope.note("range", left)
        elif op == "=" and _is_list_of_values(expr_kind, right):
            scope.note("eq", left)
        elif expr_kind == "AEXPR_BETWEEN" and all(_is_value(v) for v in _items(right)):
            scope.note("range", left)


def _conjuncts(where: Any) -> Iterator[Any]:
    kind, body = _unwrap(where)
    if kind == "BoolExpr" and body.get("boolop") == "AND_EXPR":
        for arg in body.get("args", []):
            yield from _conjuncts(arg)
    elif kind:
        yield where


def _is_list_of_values(expr_kind: str, right: Any) -> bool:
    """``col IN ($1, $2)`` or ``col = ANY($1)`` (how drivers send an IN list as one array parameter)."""
    if expr_kind == "AEXPR_OP_ANY":
        return _is_value(right)
    return expr_kind == "AEXPR_IN" and all(_is_value(v) for v in _items(right))


def _is_value(node: Any) -> bool:
    """A parameter or a constant, possibly cast: what an index lookup can use."""
    kind, body = _unwrap(node)
    if kind == "TypeCast":
        return _is_value(body.get("arg"))
    return kind in ("ParamRef", "A_Const")
