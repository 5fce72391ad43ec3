"""The local vulnerability database: one SQLite file built by ``redline db update``.

Tables are indexed for the audit's only questions: which advisories name
this (ecosystem, package); is this CVE in KEV; what is its EPSS; what does
this SPDX id mean. The audit opens it read-only and never touches the network.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redline.core.advisories import Advisory, Affected, AffectedImport, AffectedRange, EpssScore, KevEntry, RangeEvent
from redline.sources.advisories.osv import normalise_name

DB_FILENAME = "redline-vulndb.sqlite"
#: 2: affected entries keep Go's vulnerable packages and symbols (``ecosystem_specific.imports``)
SCHEMA_VERSION = "2"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE advisory (
    id TEXT PRIMARY KEY, ecosystem TEXT NOT NULL, withdrawn TEXT NOT NULL, modified TEXT NOT NULL,
    doc BLOB NOT NULL
);
CREATE TABLE affected (ecosystem TEXT NOT NULL, name TEXT NOT NULL, advisory_id TEXT NOT NULL, entry BLOB NOT NULL);
CREATE INDEX affected_pkg ON affected (ecosystem, name);
CREATE TABLE alias (advisory_id TEXT NOT NULL, alias TEXT NOT NULL, PRIMARY KEY (advisory_id, alias)) WITHOUT ROWID;
CREATE INDEX alias_alias ON alias (alias);
CREATE TABLE kev (
    cve TEXT PRIMARY KEY, name TEXT NOT NULL, date_added TEXT NOT NULL, due_date TEXT NOT NULL,
    ransomware INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, probability REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE spdx (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, osi INTEGER NOT NULL, deprecated INTEGER NOT NULL,
    exception INTEGER NOT NULL
) WITHOUT ROWID;
"""


class DatabaseError(Exception):
    """The database is missing, unreadable or not ours; the message says which."""


def default_db_dir() -> Path:
    """``$XDG_CACHE_HOME/redline/db`` (``~/.cache/redline/db`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "redline" / "db"


def _pack(obj: object) -> bytes:
    return zlib.compress(json.dumps(obj, separators=(",", ":")).encode(), 6)


def _unpack(blob: bytes) -> Any:
    try:
        return json.loads(zlib.decompress(blob))
    except (zlib.error, TypeError, ValueError, RecursionError) as exc:  # a damaged page of a damaged file
        raise DatabaseError(f"damaged entry in the vulnerability database ({exc}); run `redline db update`") from None


@functools.lru_cache(maxsize=65_536)
def canonical_version(ecosystem: str, version: str) -> str:
    """Equal versions as equal strings: PEP 440 normal form without trailing ``.0`` for PyPI."""
    if ecosystem.split(":", 1)[0] != "PyPI":
        return version
    from packaging.utils import canonicalize_version  # noqa: PLC0415 - packaging only for PyPI versions

    return str(canonicalize_version(version, strip_trailing_zero=True))


def _affected_dict(a: Affected) -> dict[str, Any]:
    return {
        "e": a.ecosystem,
        "n": a.name,
        "v": list(a.versions),
        "c": sorted({canonical_version(a.ecosystem, v) for v in a.versions}) if a.ecosystem == "PyPI" else [],
        "r": [{"t": r.type, "ev": [[e.kind, e.version] for e in r.events]} for r in a.ranges],
        "p": list(a.platforms),
        "i": [[i.path, list(i.symbols)] for i in a.imports],
    }


def _affected_from(d: dict[str, Any]) -> Affected:
    ranges = tuple(AffectedRange(r["t"], tuple(RangeEvent(k, v) for k, v in r["ev"])) for r in d["r"])
    imports = tuple(AffectedImport(path, tuple(symbols)) for path, symbols in d.get("i", ()))
    return Affected(d["e"], d["n"], ranges, tuple(d["v"]), tuple(d.get("c", ())), tuple(d.get("p", ())), imports)


class DatabaseWriter:
    """Fills a fresh database file; used only by the updater, on a temporary path."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
        self.conn.executescript(SCHEMA)

    def add_advisories(self, ecosystem: str, advisories: Iterable[Advisory], batch: int = 2000) -> int:
        """Insert in batches, so a 100,000-advisory export never sits in memory at once."""
        count = 0
        adv_rows: list[tuple[object, ...]] = []
        aff_rows: list[tuple[object, ...]] = []
        alias_rows: list[tuple[str, str]] = []
        for adv in advisories:
            count += 1
            if len(adv_rows) >= batch:
                self._insert(adv_rows, aff_rows, alias_rows)
                adv_rows, aff_rows, alias_rows = [], [], []
            doc = {
                "id": adv.id,
                "aliases": list(adv.aliases),
                "summary": adv.summary,
                "details": adv.details[:2000],
                "published": adv.published,
                "modified": adv.modified,
                "withdrawn": adv.withdrawn,
                "severity": [list(s) for s in adv.severity],
                "dbsev": adv.database_severity,
                "refs": list(adv.references[:10]),
            }
            adv_rows.append((adv.id, ecosystem, adv.withdrawn, adv.modified, _pack(doc)))
            for aff in adv.affected:
                if aff.ecosystem.split(":", 1)[0] != ecosystem:
                    continue  # an advisory in several exports: each export adds its own packages once
                aff_rows.append(
                    (
                        aff.ecosystem.split(":", 1)[0],
                        normalise_name(aff.ecosystem, aff.name),
                        adv.id,
                        _pack(_affected_dict(aff)),
                    )
                )
            alias_rows.extend((adv.id, a) for a in dict.fromkeys(adv.aliases) if a != adv.id)
        self._insert(adv_rows, aff_rows, alias_rows)
        return count

    def _insert(
        self, adv_rows: list[tuple[object, ...]], aff_rows: list[tuple[object, ...]], alias_rows: list[tuple[str, str]]
    ) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO advisory VALUES (?,?,?,?,?)", adv_rows)
        self.conn.executemany("INSERT INTO affected VALUES (?,?,?,?)", aff_rows)
        self.conn.executemany("INSERT OR IGNORE INTO alias VALUES (?,?)", alias_rows)

    def add_kev(self, entries: Iterable[KevEntry]) -> int:
        rows = [(e.cve, e.name, e.date_added, e.due_date, int(e.ransomware)) for e in entries]
        self.conn.executemany("INSERT OR REPLACE INTO kev VALUES (?,?,?,?,?)", rows)
        return len(rows)

    def add_epss(self, scores: Iterable[tuple[str, float, float]]) -> int:
        cur = self.conn.executemany("INSERT OR REPLACE INTO epss VALUES (?,?,?)", scores)
        return cur.rowcount

    def add_spdx(self, rows: Iterable[tuple[str, str, bool, bool, bool]]) -> int:
        data = [(i, n, int(o), int(d), int(x)) for i, n, o, d, x in rows]
        self.conn.executemany("INSERT OR REPLACE INTO spdx VALUES (?,?,?,?,?)", data)
        return len(data)

    def set_meta(self, values: dict[str, str]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)", sorted(values.items()))

    def close(self) -> None:
        self.conn.commit()
        self.conn.execute("ANALYZE")
        self.conn.commit()
        self.conn.close()


@dataclass(frozen=True)
class DatabaseInfo:
    path: str
    built_at: str  # RFC 3339, UTC
    source: str
    counts: dict[str, int]
    meta: dict[str, str]

    def age_days(self, now: datetime | None = None) -> float:
        try:
            built = datetime.fromisoformat(self.built_at)
        except ValueError:
            return float("inf")
        now = now or datetime.now(UTC)
        return (now - built).total_seconds() / 86400


def _check_complete(path: Path) -> None:
    """A file cut short (a full disk, an interrupted copy) can still open and answer some queries with
    the rows that survived, which would read as "no vulnerabilities" for the rest. The SQLite header
    records the page size and count; a file shorter than that is refused."""
    try:
        with open(path, "rb") as fh:
            header = fh.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise DatabaseError(f"{path}: not a readable vulnerability database (not an SQLite file)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if pages and size < pages * page_size:
        raise DatabaseError(
            f"{path}: not a readable vulnerability database (truncated: {size:,} of "
            f"{pages * page_size:,} bytes); run `redline db update`"
        )


class AdvisoryDatabase:
    """Read-only access to a built database."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise DatabaseError(f"no vulnerability database at {path}; run `redline db update`")
        _check_complete(path)
        try:
            self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            meta = {
                k: v
                for k, v in self.conn.execute("SELECT key, value FROM meta").fetchall()
                if isinstance(k, str) and isinstance(v, str)
            }  # a damaged row is not metadata
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # damaged pages decode as bad text too
            raise DatabaseError(f"{path}: not a readable vulnerability database ({exc})") from None
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise DatabaseError(
                f"{path}: database schema {meta.get('schema_version')!r} is not "
                f"{SCHEMA_VERSION!r}; run `redline db update`"
            )
        self.path = path
        self._meta = meta
        self._entries: dict[tuple[str, str], list[tuple[str, Affected]]] = {}
        self._advisories: dict[str, Advisory] = {}

    @classmethod
    def open_dir(cls, db_dir: Path) -> AdvisoryDatabase:
        return cls(db_dir / DB_FILENAME)

    def close(self) -> None:
        self.conn.close()

    def info(self) -> DatabaseInfo:
        counts = {
            k.removeprefix("count_"): int(v) for k, v in self._meta.items() if k.startswith("count_") and v.isdigit()
        }
        return DatabaseInfo(
            str(self.path), self._meta.get("built_at", ""), self._meta.get("source", ""), counts, dict(self._meta)
        )

    def entries(self, ecosystem: str, name: str) -> list[tuple[str, Affected]]:
        """(advisory id, affected entry) for every advisory naming this package, withdrawn ones left out."""
        eco = ecosystem.split(":", 1)[0]
        key = (eco, normalise_name(eco, name))
        cached = self._entries.get(key)
        if cached is None:
            rows = self.conn.execute(
                "SELECT f.advisory_id, f.entry FROM affected f JOIN advisory a ON a.id = f.advisory_id "
                "WHERE f.ecosystem = ? AND f.name = ? AND a.withdrawn = '' ORDER BY f.advisory_id",
                key,
            ).fetchall()
            cached = self._entries[key] = [(ident, _affected_from(_unpack(entry))) for ident, entry in rows]
        return cached

    def advisories(self, ids: Iterable[str]) -> dict[str, Advisory]:
        """The advisories with these ids (summary, aliases, severity …), read only when needed."""
        ids = list(dict.fromkeys(ids))
        wanted = [i for i in ids if i not in self._advisories]
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            for ident, doc in self.conn.execute(f"SELECT id, doc FROM advisory WHERE id IN ({marks})", chunk):
                self._advisories[ident] = _advisory_from(_unpack(doc))
        return {i: self._advisories[i] for i in ids if i in self._advisories}

    def kev(self, cves: Iterable[str]) -> dict[str, KevEntry]:
        out: dict[str, KevEntry] = {}
        for chunk in _chunks(sorted(set(cves))):
            marks = ",".join("?" * len(chunk))
            q = f"SELECT cve, name, date_added, due_date, ransomware FROM kev WHERE cve IN ({marks})"
            for cve, name, added, due, ransomware in self.conn.execute(q, chunk):
                out[cve] = KevEntry(cve, name, added, due, bool(ransomware))
        return out

    def epss(self, cves: Iterable[str]) -> dict[str, EpssScore]:
        out: dict[str, EpssScore] = {}
        for chunk in _chunks(sorted(set(cves))):
            q = f"SELECT cve, probability, percentile FROM epss WHERE cve IN ({','.join('?' * len(chunk))})"
            for cve, prob, pct in self.conn.execute(q, chunk):
                out[cve] = EpssScore(cve, prob, pct)
        return out

    def advisory_counts(self) -> dict[str, int]:
        """Advisories per OSV ecosystem, withdrawn ones left out: how much the database can know."""
        rows = self.conn.execute("SELECT ecosystem, COUNT(*) FROM advisory WHERE withdrawn = '' GROUP BY ecosystem")
        return {eco: int(n) for eco, n in rows}

    def spdx_licences(self) -> list[tuple[str, str, bool, bool, bool]]:
        rows = self.conn.execute("SELECT id, name, osi, deprecated, exception FROM spdx ORDER BY id").fetchall()
        return [(i, n, bool(o), bool(d), bool(x)) for i, n, o, d, x in rows]


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _advisory_from(d: dict[str, Any]) -> Advisory:
    return Advisory(
        id=d["id"],
        aliases=tuple(d["aliases"]),
        summary=d["summary"],
        details=d["details"],
        published=d["published"],
        modified=d["modified"],
        withdrawn=d["withdrawn"],
        severity=tuple((t, s) for t, s in d["severity"]),
        database_severity=d["dbsev"],
        references=tuple(d["refs"]),
    )
