"""The scanner: every rule in one Hyperscan database, every byte scanned once.

Hyperscan runs without start-of-match tracking (``HS_FLAG_SOM_LEFTMOST`` is
costly): it reports only where a match ends. The rule's Python regex then
re-runs on a window bounded by the pattern's widest match, which gives the
``secret`` group and keeps both engines' answers identical. Patterns Hyperscan
rejects are retried in prefilter mode (an over-approximation, verified by the
regex anyway); when Hyperscan is not importable at all, the whole scan falls
back to Python ``re`` behind the keyword prefilter, with a warning.

Scanning works on bytes: offsets in files and git blobs need no decoding.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from redline.checks.secrets.cache import cache_dir, machine, read_entry, write_entry
from redline.checks.secrets.dummy_object import in_stand_in_object
from redline.checks.secrets.filters import (
    context_confidence,
    encodes_a_stand_in,
    is_css_rule,
    is_hcl_reference,
    is_object_reference,
    is_placeholder,
    is_placeholder_attribute,
    is_regex,
    is_store_reference,
    is_words,
    names_a_digest,
    names_a_password,
    names_a_setting,
    names_itself,
    shannon_entropy,
)
from redline.checks.secrets.patterns import hyperscan_expression
from redline.checks.secrets.ruleset import SecretRule, load_builtin_rules
from redline.checks.secrets.sample_response import in_documented_sample
from redline.core.model import Confidence

log = logging.getLogger("redline")

_hs: Any
try:  # pragma: no cover - exercised by whichever platform runs the tests
    import hyperscan as _hs
except ImportError:  # pragma: no cover
    _hs = None


def hyperscan_available() -> bool:
    return _hs is not None


#: generic rules whose secret sits inside the value, whatever the key says (``sshUrl = "ssh://user:pass@host"``: a
#: URL setting that carries its credentials)
_VALUE_INSIDE = frozenset({"url-credentials"})


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """One credential found. ``start``/``end`` are offsets of the secret in the scanned text
    (characters for ``str`` input, bytes for ``bytes``); ``secret`` is never printed or logged."""

    rule_id: str
    code: str
    start: int
    end: int
    line: int
    column: int
    secret: str = field(repr=False)
    confidence: Confidence = Confidence.HIGH
    end_line: int = 0
    byte_start: int = field(default=0, repr=False)
    byte_end: int = field(default=0, repr=False)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of bytes that matched a pattern (kept or filtered): redacted in snippets."""

    start: int
    end: int
    secret: str = field(repr=False)


@dataclass
class ScanOutput:
    matches: list[SecretMatch]
    spans: list[Span]  # every candidate secret, including the ones filtered as placeholders


class SecretScanner:
    """Compiles the rules once; ``scan`` is then safe to call from any (forked) process.

    ``compile_now=False`` only loads the database when a cache has it: ``ready`` then says whether
    ``compile()`` is still to run (in a thread while workers parse: Hyperscan's compile releases the GIL).
    Scanning an unready scanner compiles it first."""

    def __init__(
        self, rules: Iterable[SecretRule], *, use_hyperscan: bool | None = None, compile_now: bool = True
    ) -> None:
        self.rules: tuple[SecretRule, ...] = tuple(rules)
        self.by_id = {r.id: r for r in self.rules}
        want = hyperscan_available() if use_hyperscan is None else use_hyperscan
        if want and not hyperscan_available():
            raise RuntimeError("hyperscan requested but not importable")
        if use_hyperscan is None and not want:
            log.warning(
                "hyperscan is not importable on this platform; secret scanning falls back to Python re (much slower)"
            )
        self.engine = "hyperscan" if want and self.rules else "re"
        self._db: Any = None
        self._scratch: Any = None
        self._scratch_pid = 0
        self._re_only: tuple[int, ...] = tuple(range(len(self.rules))) if self.engine == "re" else ()
        self.prefiltered: tuple[str, ...] = ()
        self.compiled_in: float | None = None  # seconds, when this scanner compiled its database (no cache)
        self._ready = self.engine != "hyperscan"
        self._compiling = threading.Lock()
        if self.engine == "hyperscan" and not self._load_cached() and compile_now:
            self.compile()

    # --- compilation ----------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Whether the database is there (loaded or compiled): scanning costs no compile."""
        return self._ready

    def _expressions(self) -> list[bytes]:
        return [hyperscan_expression(r.pattern) for r in self.rules]

    def _load_cached(self) -> bool:
        cached = DatabaseCache(self._expressions()).load()
        if cached is None:
            return False
        self._db, self._re_only, prefiltered = cached
        self.prefiltered = tuple(self.rules[i].id for i in prefiltered)
        self._warn_re_only()
        self._ready = True
        return True

    def compile(self) -> None:
        """Compile the database and cache it, unless that is done (one thread compiles, others wait)."""
        if self._ready:  # the common case after the first file: no lock taken per call
            return
        with self._compiling:
            if not self._ready:
                self._compile()
                self._ready = True

    def _compile(self) -> None:
        assert _hs is not None
        exprs = self._expressions()
        cache = DatabaseCache(exprs)
        started = time.perf_counter()
        self._compile_fresh(exprs)
        cache.store(self._db, self._re_only, [i for i, r in enumerate(self.rules) if r.id in self.prefiltered])
        self.compiled_in = time.perf_counter() - started
        # never silent: a CI job with an empty cache pays this on every run unless the cache is kept
        log.warning(
            "compiled the secret scanner's Hyperscan database for %d rules in %.1fs (cached in %s; "
            "`redline db update` builds it ahead of time)",
            len(self.rules),
            self.compiled_in,
            cache.path,
        )

    def _compile_fresh(self, exprs: list[bytes]) -> None:
        assert _hs is not None
        flags = [0] * len(exprs)
        ids = list(range(len(exprs)))
        try:
            self._db = _build_db(exprs, flags, ids)
            return
        except _hs.error:
            pass
        keep: list[int] = []
        prefilter: list[int] = []
        re_only: list[int] = []
        for i, expr in enumerate(exprs):
            for flag, bucket in ((0, keep), (_hs.HS_FLAG_PREFILTER, prefilter)):
                try:
                    _build_db([expr], [flag], [i])
                except _hs.error:
                    continue
                bucket.append(i)
                break
            else:
                re_only.append(i)
        for i in prefilter:
            flags[i] = _hs.HS_FLAG_PREFILTER
        chosen = sorted(keep + prefilter)
        self.prefiltered = tuple(self.rules[i].id for i in prefilter)
        self._re_only = tuple(re_only)
        self._warn_re_only()
        self._db = _build_db([exprs[i] for i in chosen], [flags[i] for i in chosen], chosen) if chosen else None

    def _warn_re_only(self) -> None:
        if self._re_only:
            log.warning(
                "secret rules %s cannot be compiled by Hyperscan; scanned with Python re",
                ", ".join(self.rules[i].id for i in self._re_only),
            )

    def _scratch_space(self) -> Any:
        pid = os.getpid()
        if self._scratch is None or self._scratch_pid != pid:
            assert _hs is not None
            self._scratch = _hs.Scratch(self._db)
            self._scratch_pid = pid
        return self._scratch

    # --- scanning -------------------------------------------------------------------------

    def scan(self, text: str | bytes, path: str = "") -> list[SecretMatch]:
        """Every credential in ``text``; offsets are in the units of ``text``."""
        if isinstance(text, bytes):
            return self.scan_bytes(text, path).matches
        data = text.encode("utf-8")
        out = self.scan_bytes(data, path).matches
        if len(data) == len(text):
            return out
        return [_to_chars(m, data) for m in out]

    def scan_bytes(self, data: bytes, path: str = "") -> ScanOutput:
        candidates = self._candidates(data)
        if not candidates:
            return ScanOutput([], [])
        lines = LineIndex(data)
        spans: list[Span] = []
        kept: list[tuple[SecretRule, int, int, str]] = []
        for rule, s, e, full in candidates:
            secret = data[s:e].decode("utf-8", "replace")
            spans.append(Span(s, e, secret))
            if (
                self._rejected(rule, secret, full)
                or _placeholder_value(data, s)
                or in_stand_in_object(data, s, e)
                or (rule.provider == "Generic" and in_documented_sample(data, s, e))
            ):
                continue
            kept.append((rule, s, e, secret))
        found = {rule.id for rule, *_ in kept}
        matches = []
        for rule, s, e, secret in kept:
            if rule.requires and rule.requires not in found:
                continue
            line, col = lines.position(s)
            end_line, _ = lines.position(max(s, e - 1))
            matches.append(
                SecretMatch(
                    rule.id,
                    rule.code,
                    s,
                    e,
                    line,
                    col,
                    secret,
                    context_confidence(rule.confidence, path),
                    end_line,
                    s,
                    e,
                )
            )
        matches.sort(key=lambda m: (m.byte_start, m.code))
        return ScanOutput(matches, spans)

    def best_per_span(self, matches: list[SecretMatch]) -> list[SecretMatch]:
        """One finding per secret: when rules overlap on the same bytes, a provider rule beats a
        generic one, then higher confidence, then the longer secret. (``scan`` itself reports every
        rule's matches, which is what rule tests need.)"""
        if len(matches) < 2:
            return matches

        def rank(m: SecretMatch) -> tuple[bool, int, int, str]:
            return (self.by_id[m.rule_id].family == "generic", -m.confidence, m.byte_start - m.byte_end, m.code)

        kept: list[SecretMatch] = []
        for m in sorted(matches, key=rank):
            if all(m.byte_end <= k.byte_start or m.byte_start >= k.byte_end for k in kept):
                kept.append(m)
        return sorted(kept, key=lambda m: (m.byte_start, m.code))

    def _rejected(self, rule: SecretRule, secret: str, full: bytes) -> bool:
        if any(a.search(secret) for a in rule.allow):
            return True
        if is_placeholder(secret) or is_words(secret) or names_a_password(secret) or encodes_a_stand_in(secret):
            return True
        if is_hcl_reference(secret) or is_object_reference(secret) or is_regex(secret) or is_css_rule(secret):
            return True
        matched = full.decode("utf-8", "replace")
        if is_store_reference(secret, matched):
            return True
        if rule.family == "generic" and (
            names_a_digest(secret, matched)
            or names_itself(secret, matched)
            or (rule.id not in _VALUE_INSIDE and names_a_setting(secret, matched))
        ):
            return True
        return bool(rule.entropy) and shannon_entropy(secret) < rule.entropy

    def _candidates(self, data: bytes) -> list[tuple[SecretRule, int, int, bytes]]:
        """(rule, secret start, secret end, whole match) for every pattern match that passes keywords."""
        if not self._ready:
            self.compile()
        by_rule: dict[int, list[int]] = defaultdict(list)
        if self._db is not None and data:

            def on_match(idx: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
                by_rule[idx].append(to)

            self._db.scan(data, match_event_handler=on_match, scratch=self._scratch_space())
        if not by_rule and not self._re_only:
            return []
        lower = data.lower()
        out: list[tuple[SecretRule, int, int, bytes]] = []
        for idx in self._re_only:
            rule = self.rules[idx]
            if _keywords_ok(rule, lower):
                out.extend(_spans(rule, data, 0, len(data)))
        for idx, ends in by_rule.items():
            rule = self.rules[idx]
            if not _keywords_ok(rule, lower):
                continue
            for start, end in _regions(sorted(set(ends)), rule.window):
                stop = min(len(data), end + rule.window)
                out.extend(_spans(rule, data, start, stop))
        return _non_overlapping(out)


def _placeholder_value(data: bytes, start: int) -> bool:
    """The value starting at ``start`` is an input's placeholder (the line's text before it says so)."""
    line_start = data.rfind(b"\n", max(0, start - 300), start) + 1
    return b"laceholder" in data[line_start:start] and is_placeholder_attribute(
        data[line_start:start].decode("utf-8", "replace")
    )


class DatabaseCache:
    """Compiled databases on disk, keyed by the exact expressions: compiling a few hundred rules
    takes seconds, loading one takes milliseconds (see ``cache``)."""

    VERSION = 1

    def __init__(self, exprs: Sequence[bytes]) -> None:
        digest = hashlib.sha256()
        for part in (str(self.VERSION), getattr(_hs, "__version__", ""), machine(), *map(repr, exprs)):
            digest.update(part.encode() + b"\0")
        self.name = f"hyperscan-{digest.hexdigest()[:32]}.db"
        self.path = os.path.join(cache_dir(), self.name)

    def load(self) -> tuple[Any, tuple[int, ...], tuple[int, ...]] | None:
        assert _hs is not None
        raw = read_entry(self.name)
        if raw is None:
            return None
        try:
            header, _, blob = raw.partition(b"\n")
            meta = json.loads(header)
            db = _hs.loadb(blob, _hs.HS_MODE_BLOCK) if blob else None
            return db, tuple(meta["re_only"]), tuple(meta["prefiltered"])
        except (ValueError, KeyError, TypeError, _hs.error):
            return None

    def store(self, db: Any, re_only: Sequence[int], prefiltered: Sequence[int]) -> None:
        assert _hs is not None
        try:
            blob = bytes(_hs.dumpb(db)) if db is not None else b""
        except _hs.error as exc:
            log.debug("hyperscan database not serialisable: %s", exc)
            return
        header = json.dumps({"re_only": list(re_only), "prefiltered": list(prefiltered)}).encode() + b"\n"
        write_entry(self.name, header + blob, prefix="hyperscan-")


def _build_db(exprs: Sequence[bytes], flags: Sequence[int], ids: Sequence[int]) -> Any:
    assert _hs is not None
    db = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    db.compile(expressions=list(exprs), ids=list(ids), elements=len(exprs), flags=list(flags))
    return db


def _keywords_ok(rule: SecretRule, lower: bytes) -> bool:
    return not rule.keywords or any(k in lower for k in rule.keywords)


def _regions(ends: list[int], window: int) -> list[tuple[int, int]]:
    """Merge [end - window, end] stretches so each byte is re-matched at most once per rule."""
    regions: list[tuple[int, int]] = []
    for e in ends:
        s = max(0, e - window)
        if regions and s <= regions[-1][1]:
            regions[-1] = (regions[-1][0], e)
        else:
            regions.append((s, e))
    return regions


def _spans(rule: SecretRule, data: bytes, pos: int, endpos: int) -> list[tuple[SecretRule, int, int, bytes]]:
    """Every match of the rule in ``data[pos:endpos]``. The next search starts where the secret ends, not
    where the match ends: a line rule ends on the newline the next line's ``(?:^|\\n)`` needs, so with
    ``finditer`` a key on the line after a hit (even a rejected placeholder) was never seen
    (techno-tim/launchpad's wings ``config.yml``: ``token:`` right under ``token_id:``)."""
    out = []
    truncated = endpos < len(data)
    while pos <= endpos:
        m = rule.regex.search(data, pos, endpos)
        if m is None:
            break
        s, e = m.span("secret")
        pos = max(m.start() + 1, e)
        if truncated and m.end() == endpos:
            continue  # the window cut the match (or faked a \b); the full scan sees it elsewhere
        if s < 0 or e <= s:
            continue
        out.append((rule, s, e, m.group(0)))
    return out


def _non_overlapping(found: list[tuple[SecretRule, int, int, bytes]]) -> list[tuple[SecretRule, int, int, bytes]]:
    """Per rule, drop matches that overlap an earlier one (windows can re-find a match mid-way)."""
    found.sort(key=lambda t: (t[0].id, t[1], -t[2]))
    out: list[tuple[SecretRule, int, int, bytes]] = []
    last: dict[str, int] = {}
    for item in found:
        rule, s, e, _ = item
        if s < last.get(rule.id, -1):
            continue
        last[rule.id] = e
        out.append(item)
    return out


class LineIndex:
    """1-based line and column (in characters) of a byte offset."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            starts = [0]
            find = self.data.find
            i = find(b"\n")
            while i >= 0:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._starts = starts
        line = bisect.bisect_right(self._starts, offset)
        begin = self._starts[line - 1]
        return line, len(self.data[begin:offset].decode("utf-8", "replace")) + 1


def _to_chars(m: SecretMatch, data: bytes) -> SecretMatch:
    start = len(data[: m.byte_start].decode("utf-8", "replace"))
    end = start + len(data[m.byte_start : m.byte_end].decode("utf-8", "replace"))
    return SecretMatch(
        m.rule_id, m.code, start, end, m.line, m.column, m.secret, m.confidence, m.end_line, m.byte_start, m.byte_end
    )


def prebuild_builtin_database() -> str:
    """Compile (or find in the cache) the database of the built-in rules, so the first audit does not
    pay for it; what happened, in one line for ``redline db update``."""
    if not hyperscan_available():
        return "secret scanner: hyperscan is not available here; nothing to build"
    scanner = SecretScanner(load_builtin_rules())
    if scanner.compiled_in is None:
        return f"secret scanner: Hyperscan database for {len(scanner.rules)} rules already built"
    return f"secret scanner: built the Hyperscan database for {len(scanner.rules)} rules in {scanner.compiled_in:.1f}s"
