"""Go packages whose database is SQLite, in the process: a query there is a function call into the embedded
engine, not a network round trip, so one query per loop item (LAT253, LAT254) costs no RTT to save.

A project with several store variants (memos' ``store/db/sqlite``, ``postgres``, ``mysql``) writes the same
loop in each; the networked variants keep their findings. A package counts as SQLite when one of its files
imports a SQLite driver and none imports a driver that talks to a server (a package able to open both is
judged like a networked one)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from redline.sources.packages.go_imports import GoFileImports

#: drivers that run the SQLite engine inside the process (cgo or pure Go)
_SQLITE_DRIVERS = (
    "modernc.org/sqlite",
    "github.com/mattn/go-sqlite3",
    "github.com/glebarez/go-sqlite",
    "github.com/glebarez/sqlite",
    "gorm.io/driver/sqlite",
    "github.com/ncruces/go-sqlite3",
    "zombiezen.com/go/sqlite",
    "crawshaw.io/sqlite",
)
#: drivers that reach a server over the network (libSQL/Turso clients included: SQLite behind a server)
_NETWORK_DRIVERS = (
    "github.com/lib/pq",
    "github.com/jackc/pgx",
    "github.com/go-sql-driver/mysql",
    "gorm.io/driver/postgres",
    "gorm.io/driver/mysql",
    "gorm.io/driver/sqlserver",
    "gorm.io/driver/clickhouse",
    "github.com/denisenkom/go-mssqldb",
    "github.com/microsoft/go-mssqldb",
    "github.com/ClickHouse/clickhouse-go",
    "github.com/sijms/go-ora",
    "github.com/godror/godror",
    "github.com/snowflakedb/gosnowflake",
    "github.com/tursodatabase/libsql-client-go",
    "github.com/tursodatabase/go-libsql",
)


def sqlite_packages(files: Iterable[GoFileImports]) -> frozenset[str]:
    """The folders (Go packages) that open SQLite in the process and no networked database. Read from every
    built file's import paths, blank imports included: a driver is imported for its side effect
    (``_ "modernc.org/sqlite"``), which the code index does not keep."""
    sqlite: set[str] = set()
    networked: set[str] = set()
    for file in files:
        if file.not_built or file.vendored:
            continue
        folder = posixpath.dirname(file.path)
        for path in file.imports:
            if path.startswith(_SQLITE_DRIVERS):
                sqlite.add(folder)
            elif path.startswith(_NETWORK_DRIVERS):
                networked.add(folder)
    return frozenset(sqlite - networked)
