"""Secrets anywhere in git history: every unique blob scanned once, each secret reported once.

One ``git log --all --raw`` pass maps every blob to the commit that first
added it; the blobs are then streamed through ``git cat-file --batch`` and
scanned with the same scanner as the working tree. A secret is identified by
(rule, salted hash), so a secret added, moved and deleted is one finding:
the introducing commit, its author and date, and whether HEAD still has it.
"""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from redline.checks.interface import CheckContext, CheckError, ProjectCheck
from redline.checks.secrets.redact import secret_hash
from redline.checks.secrets.ruleset import SecretRule
from redline.checks.secrets.scan import FoundSecret, scan_blob
from redline.checks.secrets.settings import SecretSettings
from redline.checks.secrets.tree import SecretsBase
from redline.core.evidence import EvidenceInputValue
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped
from redline.core.rules import Rule
from redline.sources.secrets.git import GitError, GitHistory, Introduction, is_binary

log = logging.getLogger("redline")
HISTORY_KEY = "introduced_in"


@dataclass(frozen=True, slots=True)
class _Seen:
    order: int
    blob: str
    found: FoundSecret


@dataclass
class HistoryStats:
    blobs: int = 0
    bytes: int = 0
    binary: int = 0
    oversize: list[str] = field(default_factory=list)  # "path@blob" of blobs over the size limit


class SecretHistoryCheck(SecretsBase, ProjectCheck):
    """Runs when the command asks for history (``options["history"]``); ``options["since"]`` limits it."""

    name = "secrets-history"
    fact_types = (GitHistory,)

    def __init__(self, rules: tuple[SecretRule, ...] | None = None) -> None:
        SecretsBase.__init__(self, rules)
        # the tree scan owns these rules; this check reports them where they occur in history
        self.borrows = tuple(sorted(self.core_rules.values(), key=lambda r: r.code))
        self.last_stats = HistoryStats()

    def prepare(self, ctx: CheckContext) -> None:
        self.settings(ctx)  # a broken rule file or [secrets] table: reported once, before the run

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped]:
        if not ctx.options.get("history"):
            return []
        histories = facts.of(GitHistory)
        if not histories:
            raise CheckError(f"{ctx.root}: --history needs a git repository (none found, or git is missing)")
        try:
            findings = self.scan(histories[0], ctx, str(ctx.options.get("since") or ""))
        except GitError as exc:
            raise CheckError(str(exc)) from None
        limit = f"larger than the size limit ({ctx.config.max_file_size:,} bytes); not scanned"
        return [*findings, *(Skipped(f"git history: {blob}", limit) for blob in self.last_stats.oversize)]

    def scan(self, history: GitHistory, ctx: CheckContext, since: str = "") -> list[Finding]:
        settings = self.settings(ctx)
        stats = HistoryStats()
        intro = history.introductions(since)
        sizes = history.blob_sizes()
        limit = ctx.config.max_file_size
        excluded = None
        if ctx.config.exclude:
            import pathspec  # noqa: PLC0415 - only a run with exclude globs pays for it

            excluded = pathspec.GitIgnoreSpec.from_lines(list(ctx.config.exclude))
        todo = []
        for sha in sorted(intro, key=lambda s: intro[s].order):
            if excluded is not None and excluded.match_file(intro[sha].path):
                continue  # --exclude / config exclude apply to history paths too
            size = sizes.get(sha)
            if size is None:
                continue  # a submodule link or a blob missing from a shallow clone
            if size > limit:
                stats.oversize.append(f"{intro[sha].path}@{sha[:12]}")
                continue
            todo.append(sha)
        seen: dict[tuple[str, str], list[_Seen]] = defaultdict(list)
        job = _Job(history, settings, self.core_rules, {sha: intro[sha].path for sha in todo})
        for part in _run_parts(job, todo, sizes, ctx.config.jobs):
            stats.blobs += part.blobs
            stats.bytes += part.bytes
            stats.binary += part.binary
            for sha, found in part.found:
                key = (found.rule.code, found.identity_prefix + secret_hash(found.secret, settings.salt))
                seen[key].append(_Seen(intro[sha].order, sha, found))
        if stats.oversize:
            log.warning("history: %d blob(s) larger than %d bytes were not scanned", len(stats.oversize), limit)
        log.info(
            "history: %d unique blob(s), %.1f MB scanned; %d binary skipped",
            stats.blobs,
            stats.bytes / 1e6,
            stats.binary,
        )
        self.last_stats = stats
        head = history.head_blobs() if seen else {}
        findings = [self._finding(occ, intro, head, settings, ctx) for occ in seen.values()]
        return sorted(findings, key=Finding.sort_key)

    def _finding(
        self,
        occ: Sequence[_Seen],
        intro: dict[str, Introduction],
        head: dict[str, list[str]],
        settings: SecretSettings,
        ctx: CheckContext,
    ) -> Finding:
        first = min(occ, key=lambda s: (s.order, s.blob))
        origin = intro[first.blob]
        at_head = sorted(
            ((min(head[s.blob]), s.found.line, s) for s in occ if s.blob in head), key=lambda t: (t[0], t[1])
        )
        shown = at_head[0][2] if at_head else first
        path = at_head[0][0] if at_head else origin.path
        evidence: dict[str, EvidenceInputValue] = {
            HISTORY_KEY: origin.commit,
            "author": f"{origin.author} <{origin.email}>",
            "date": origin.date,
            "introduced_path": origin.path,
            "present_at_head": bool(at_head),
            "blobs": len({s.blob for s in occ}),
        }
        where = "still present at HEAD" if at_head else "not present at HEAD"
        found = replace(
            shown.found,
            what=f"{shown.found.what} in git history "
            f"(introduced in {origin.commit[:12]} on {origin.date[:10]}; {where})",
        )
        return self.to_finding(
            self,
            self.verified(found, ctx, settings),
            path,
            settings,  # type: ignore[arg-type]
            evidence,
        )


@dataclass
class _Job:
    history: GitHistory
    settings: SecretSettings
    core_rules: dict[str, Rule]
    paths: dict[str, str]  # blob -> the path it was introduced at


@dataclass
class _Part:
    found: list[tuple[str, FoundSecret]] = field(default_factory=list)
    blobs: int = 0
    bytes: int = 0
    binary: int = 0


_JOB: _Job | None = None
#: below this many bytes of blobs, forking workers costs more than it saves
PARALLEL_MIN_BYTES = 16 * 1024 * 1024


def _scan_part(shas: list[str]) -> _Part:
    """Scan some blobs through this process's own ``git cat-file --batch``."""
    job = _JOB
    assert job is not None, "history job not installed"
    part = _Part()
    for sha, data in job.history.read_blobs(shas):
        if is_binary(data):
            part.binary += 1
            continue
        part.blobs += 1
        part.bytes += len(data)
        part.found.extend((sha, f) for f in scan_blob(job.settings, job.core_rules, job.paths[sha], data))
    return part


def _run_parts(job: _Job, todo: list[str], sizes: dict[str, int], jobs: int) -> list[_Part]:
    """One part inline for small histories; otherwise balanced parts over forked workers."""
    global _JOB
    _JOB = job
    try:
        total = sum(sizes[s] for s in todo)
        workers = min(jobs or os.cpu_count() or 1, 16)
        if workers <= 1 or total < PARALLEL_MIN_BYTES or not hasattr(os, "fork"):
            return [_scan_part(todo)]
        import multiprocessing  # noqa: PLC0415 - only a parallel history scan pays for it
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

        job.settings.scanner  # noqa: B018 - compile once here; forked workers inherit it
        bins: list[list[str]] = [[] for _ in range(workers * 4)]
        loads = [0] * len(bins)
        for sha in sorted(todo, key=lambda s: -sizes[s]):
            i = loads.index(min(loads))
            bins[i].append(sha)
            loads[i] += sizes[sha]
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_scan_part, [b for b in bins if b]))
    finally:
        _JOB = None
