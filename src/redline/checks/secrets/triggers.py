"""Which files can hold a data-store credential at all: one Hyperscan pass for three cheap triggers
(a data-store URL scheme before ``://``; ``password=``/``pwd=``; a driver call taking the password as an
argument), so the data-store family costs
nothing on the many files that have neither. Without Hyperscan, lower-cased ``find`` loops decide.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from typing import Any

from redline.checks.secrets.cache import machine, read_entry, write_entry
from redline.core.lazy_regex import lazy

_hs: Any
try:  # pragma: no cover - exercised by whichever platform runs the tests
    import hyperscan as _hs
except ImportError:  # pragma: no cover
    _hs = None

URL, PASSWORD, DRIVER_CALL = 0, 1, 2
_SCHEMES = (
    rb"postgres|mysql|mariadb|mongodb|redis|amqp|mssql|sqlserver|oracle|clickhouse|cockroach|timescale|neo4j"
    rb"|bolt|couchbase|influx|cassandra|elasticsearch"
)
_DRIVER_CALLS = rb"new[ \t]+(?:PDO|mysqli)[ \t]*\(|mysqli_connect[ \t]*\(|DriverManager\.getConnection[ \t]*\("
_PATTERNS = (rb"(?:" + _SCHEMES + rb")[a-z0-9+_]{0,12}://", rb"(?:password|pwd)[ \t]{0,2}=", _DRIVER_CALLS)
_DRIVER_CALL_RE = lazy(_DRIVER_CALLS, re.IGNORECASE)
_SCHEME_AT_END = lazy(rb"(?:" + _SCHEMES + rb")[a-z0-9+_]{0,12}$")
_COMMON_SCHEMES = (b"http", b"https", b"ftp", b"file", b"ws", b"wss", b"git", b"ssh", b"s3", b"gs")


class _Database:
    def __init__(self) -> None:
        self.db: Any = None
        self.scratch: Any = None
        self.pid = 0

    def scan(self, data: bytes) -> set[int]:
        if self.db is None:
            self.db = _cached_database()
        if self.scratch is None or self.pid != os.getpid():
            self.scratch = _hs.Scratch(self.db)
            self.pid = os.getpid()
        found: set[int] = set()

        def on_match(idx: int, _from: int, _to: int, _flags: int, _ctx: object) -> None:
            found.add(idx)

        self.db.scan(data, match_event_handler=on_match, scratch=self.scratch)
        return found


def _compile() -> Any:
    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    flags = _hs.HS_FLAG_CASELESS | _hs.HS_FLAG_SINGLEMATCH
    db.compile(expressions=list(_PATTERNS), ids=[URL, PASSWORD, DRIVER_CALL], elements=3, flags=[flags, flags, flags])
    return db


def _cached_database() -> Any:
    """The compiled triggers, loaded from the cache when an earlier run compiled them: compiling the
    caseless scheme alternation costs ~0.1 s, about what a whole ``redline secrets`` on a small tree
    may take; loading it costs a millisecond."""
    digest = hashlib.sha256(repr((_PATTERNS, getattr(_hs, "__version__", ""), machine())).encode())
    name = f"triggers-hyperscan-{digest.hexdigest()[:32]}.db"
    raw = read_entry(name)
    if raw:
        try:
            return _hs.loadb(raw, _hs.HS_MODE_BLOCK)
        except _hs.error:  # a corrupt or foreign entry: compile again and overwrite it
            pass
    db = _compile()
    with contextlib.suppress(_hs.error):  # a database Hyperscan cannot serialise is still usable
        write_entry(name, bytes(_hs.dumpb(db)), prefix="triggers-hyperscan-", keep=2)
    return db


_DB = _Database()


def triggers(data: bytes) -> set[int]:
    """``URL`` and/or ``PASSWORD`` when the file has a data-store URL or a password assignment."""
    if not data:
        return set()
    if _hs is not None:
        try:
            return _DB.scan(data)
        except _hs.error:  # pragma: no cover - fall through to the plain reading
            pass
    low = data.lower()
    found = set()
    if has_datastore_url(low):
        found.add(URL)
    if b"password" in low or b"pwd" in low:
        found.add(PASSWORD)
    if (b"pdo" in low or b"mysqli" in low or b"getconnection" in low) and _DRIVER_CALL_RE.search(data):
        found.add(DRIVER_CALL)
    return found


def has_datastore_url(low: bytes) -> bool:
    """Whether any ``://`` in the lower-cased text follows a data-store scheme (``find`` loops: a
    case-insensitive regex over a whole file costs seconds on a tree full of URLs)."""
    pos = low.find(b"://")
    while pos >= 0:
        if not low.endswith(_COMMON_SCHEMES, max(0, pos - 6), pos) and _SCHEME_AT_END.search(
            low, max(0, pos - 24), pos
        ):
            return True
        pos = low.find(b"://", pos + 3)
    return False
