"""Prepared statement handles in Go: the local names that hold a ``*sql.Stmt``/``*sqlx.Stmt``/``*sqlx.NamedStmt``
and the SQL each was prepared from, so that a statement executed once per loop item is judged like the query
or the INSERT it runs (preparing saves the parse, not the round trip)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.sources.code.model import Arg, CallSite, CodeIndex
from redline.sources.code.scopes import nearest

#: methods that return a statement handle: ``db.Prepare(q)``, ``tx.Stmt(stmt)``, sqlx ``PrepareNamed``
PREPARE_METHODS = frozenset(
    {
        "Prepare", "PrepareContext", "Preparex", "PreparexContext", "PrepareNamed", "PrepareNamedContext",
        "Stmt", "StmtContext", "Stmtx", "StmtxContext", "NamedStmt", "NamedStmtContext",
    }
)  # fmt: skip
#: ``tx.Stmt(stmt)``: a transaction's copy of a statement prepared elsewhere
_REBIND = frozenset({"Stmt", "StmtContext", "Stmtx", "StmtxContext", "NamedStmt", "NamedStmtContext"})
STATEMENT_TYPES = frozenset({"sql.Stmt", "sqlx.Stmt", "sqlx.NamedStmt"})
_SQLITE = re.compile(r"(?i)sqlite")


@dataclass(frozen=True)
class Statement:
    """A prepared statement handle: its local name, the line it was prepared on (0 for a parameter) and the
    SQL text it was prepared from when the index knows it."""

    name: str
    line: int
    sql: str | None


class GoStatements:
    """The statement handles of one Go file, by (function, name); lookups follow enclosing functions."""

    def __init__(self, index: CodeIndex, declared: dict[tuple[str, str], str], is_db: re.Pattern[str]) -> None:
        self._strings = {(scope, name): value for scope, name, value in index.string_bindings}
        self._declared = declared
        self.handles: dict[tuple[str, str], Statement] = {}
        for call in index.calls:  # in source order: ``tx.Stmt(stmt)`` finds the ``stmt`` prepared before it
            owner, _, method = call.raw.rpartition(".")
            name = call.assigned_to or call.first_assigned
            if method not in PREPARE_METHODS or not owner or not name or not self._db_like(call, owner, is_db):
                continue
            self.handles[(call.function, name)] = Statement(name, call.line, self._sql(call, method))

    def _db_like(self, call: CallSite, owner: str, is_db: re.Pattern[str]) -> bool:
        parts = owner.split(".")
        declared = nearest(self._declared, call.function, parts[0])
        if declared is not None and len(parts) == 1:
            return declared.startswith(("sql.", "sqlx.", "pgx", "pgxpool."))
        return bool(is_db.search(parts[-1]))

    def _sql(self, call: CallSite, method: str) -> str | None:
        if method in _REBIND:
            named = next((a.name for a in call.args if a.name), None)
            found = self.of(call.function, named) if named else None
            return found.sql if found is not None else None
        return next((sql for a in call.args if (sql := self.text(call.function, a)) is not None), None)

    def text(self, function: str, arg: Arg) -> str | None:
        """The string an argument holds: a literal, or a name bound to one in this function or the package."""
        if isinstance(arg.literal, str):
            return arg.literal
        if arg.name and "." not in arg.name:
            return nearest(self._strings, function, arg.name)
        return None

    def of(self, function: str, name: str) -> Statement | None:
        found = nearest(self.handles, function, name)
        if found is None and (nearest(self._declared, function, name) or "") in STATEMENT_TYPES:
            return Statement(name, 0, None)  # ``func save(stmt *sql.Stmt, ...)``
        return found


def embedded_database(index: CodeIndex) -> bool:
    """SQLite: the database runs in the process, a statement costs no network round trip."""
    if _SQLITE.search(index.path) or any(_SQLITE.search(path) for path in index.blank_imports):
        return True
    if any(_SQLITE.search(path) for _, path in index.imports):
        return True
    return any(  # ``sql.Open("sqlite3", path)``
        call.raw.endswith(".Open") and call.args and call.args[0].literal in {"sqlite3", "sqlite"}
        for call in index.calls
    )
