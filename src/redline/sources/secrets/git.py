"""Read-only access to an audited repository's git history.

Only plumbing commands that read objects run (``log``, ``cat-file``,
``ls-tree``, ``rev-parse``), with hooks, fsmonitor and pagers switched off on
the command line, so nothing the audited repository configures gets executed.
Blobs are streamed through one ``git cat-file --batch`` process: each unique
blob is read exactly once, whatever number of commits and paths share it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource, empty_output, facts_only

EMPTY_BLOB = "0" * 40
BINARY_SNIFF = 8192
_HARDEN = (
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.pager=cat",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "protocol.allow=never",
    "-c",
    "diff.external=",
    "--no-pager",
)
_FIELD = "\x1f"
_RECORD = "\x1e"


class GitError(Exception):
    """git failed or is missing; the message says which command and why."""


@dataclass(frozen=True, slots=True)
class Introduction:
    """The first commit (oldest in ``git log --reverse`` order) that added a blob."""

    commit: str
    author: str
    email: str
    date: str  # ISO 8601
    path: str
    order: int  # position in the walk: lower is older


@dataclass(frozen=True)
class GitHistory:
    """A handle on the history of the audited tree's repository. Cheap: nothing is read until asked."""

    root: str  # the audited directory
    toplevel: str  # the repository's work tree root
    prefix: str  # the audited directory relative to toplevel ("" or "sub/dir/")

    def run(self, *args: str, stdin: bytes | None = None) -> bytes:
        return run_git(self.toplevel, *args, stdin=stdin)

    def stream(self, *args: str) -> Iterator[bytes]:
        """Lines of a git command's output, read as they come (``git log`` of a big history is large)."""
        with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty stderr cannot block git
            proc = subprocess.Popen(  # fixed argv, no shell
                _argv(self.toplevel, *args),
                stdout=subprocess.PIPE,
                stderr=errors,
                env=_env(),
            )
            assert proc.stdout is not None
            try:
                yield from proc.stdout
            finally:
                proc.stdout.close()
                if proc.poll() is None:
                    proc.kill()
                code = proc.wait()
            errors.seek(0)
            err = errors.read()
        if code != 0:
            msg = err.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {msg[-1] if msg else f'exit {code}'}")

    def head(self) -> str:
        try:
            return self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}").decode().strip()
        except GitError:
            return ""  # an empty repository

    def introductions(self, since: str = "") -> dict[str, Introduction]:
        """Blob id -> its introduction, over every ref (``--all``), or only commits after ``since``."""
        args = [
            "log",
            "--all",
            "--reverse",
            "--raw",
            "--no-abbrev",
            "--root",
            "-m",
            "--no-renames",
            "--no-color",
            "--no-textconv",
            "--no-ext-diff",
            f"--format={_RECORD}%H{_FIELD}%an{_FIELD}%ae{_FIELD}%aI",
        ]
        if since:
            args += ["--not", self.verify_rev(since)]
        if self.prefix:
            args += ["--", self.prefix]
        intro: dict[str, Introduction] = {}
        commit = author = email = date = ""
        order = 0
        for raw in self.stream(*args):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith(_RECORD):
                commit, author, email, date = [*line[1:].split(_FIELD), "", "", "", ""][:4]
                order += 1
                continue
            if not line.startswith(":"):
                continue
            meta, _, path = line.partition("\t")
            parts = meta.split()
            if len(parts) < 5:
                continue
            new_mode, new_sha = parts[1], parts[3]
            if new_sha == EMPTY_BLOB or new_mode in ("160000", "000000") or new_sha in intro:
                continue
            path = _unquote(path)
            if self.prefix:
                path = path[len(self.prefix) :]
            intro[new_sha] = Introduction(commit, author, email, date, path, order)
        return intro

    def verify_rev(self, rev: str) -> str:
        if rev.startswith("-"):
            raise GitError(f"not a revision: {rev!r}")
        try:
            out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        except GitError:
            raise GitError(f"unknown revision {rev!r}") from None
        return out.decode().strip()

    def blob_sizes(self) -> dict[str, int]:
        """Every blob in the object store with its size (one pass over the pack index)."""
        out = self.run("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
        sizes: dict[str, int] = {}
        for line in out.split(b"\n"):
            parts = line.split(b" ")
            if len(parts) == 3 and parts[1] == b"blob":
                sizes[parts[0].decode()] = int(parts[2])
        return sizes

    def head_blobs(self) -> dict[str, list[str]]:
        """Blob id -> paths where it sits in HEAD (relative to the audited directory)."""
        if not self.head():
            return {}
        out = self.run("ls-tree", "-r", "-z", "--full-tree", "HEAD")
        found: dict[str, list[str]] = {}
        for entry in out.split(b"\0"):
            if not entry:
                continue
            meta, _, path_b = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) != 3 or parts[1] != b"blob":
                continue
            path = path_b.decode("utf-8", "replace")
            if self.prefix:
                if not path.startswith(self.prefix):
                    continue
                path = path[len(self.prefix) :]
            found.setdefault(parts[2].decode(), []).append(path)
        return found

    def read_blobs(self, shas: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """Stream blob contents through one ``git cat-file --batch`` process."""
        wanted = [s.encode() + b"\n" for s in shas]
        if not wanted:
            return
        proc = subprocess.Popen(  # fixed argv, no shell
            _argv(self.toplevel, "cat-file", "--batch"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_env(),
        )
        assert proc.stdin is not None and proc.stdout is not None

        def feed() -> None:
            assert proc.stdin is not None
            try:
                proc.stdin.writelines(wanted)
                proc.stdin.close()
            except (BrokenPipeError, ValueError):
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        out = proc.stdout
        try:
            for _ in wanted:
                header = out.readline()
                if not header:
                    raise GitError("git cat-file --batch stopped early")
                parts = header.split()
                if len(parts) == 2 and parts[1] == b"missing":
                    continue
                size = int(parts[2])
                data = out.read(size)
                out.read(1)  # the newline after each object
                yield parts[0].decode(), data
        finally:
            out.close()
            proc.kill() if proc.poll() is None else None
            proc.wait()
            writer.join(timeout=5)


def is_binary(data: bytes) -> bool:
    return b"\x00" in data[:BINARY_SNIFF]


def _unquote(path: str) -> str:
    """git quotes unusual paths C-style; undo it."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "replace").decode("utf-8", "replace")
    return path


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"})
    return env


def _argv(cwd: str, *args: str) -> list[str]:
    return ["git", *_HARDEN, "-c", f"safe.directory={cwd}", "-C", cwd, *args]


def run_git(cwd: str, *args: str, stdin: bytes | None = None, timeout: float = 600) -> bytes:
    try:
        proc = subprocess.run(  # fixed argv, no shell
            _argv(cwd, *args),
            input=stdin,
            capture_output=True,
            env=_env(),
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} timed out after {timeout:.0f}s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {msg[-1] if msg else f'exit {proc.returncode}'}")
    return proc.stdout


def open_history(root: Path) -> GitHistory | None:
    """The repository holding ``root``, or ``None`` when it is not in one (or git is missing)."""
    try:  # one git process for both answers: each start costs a few milliseconds of every run
        out = run_git(str(root), "rev-parse", "--show-toplevel", "--show-prefix").decode()
    except GitError:
        return None
    top, _, prefix = out.removesuffix("\n").rpartition("\n")  # the prefix line is empty at the top
    return GitHistory(str(root), top.strip(), prefix.strip())


class GitHistorySource(ProjectSource):
    """Hands the history check a handle on the repository (the scan itself happens in the check)."""

    name = "git-history"
    produces = GitHistory

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        history = open_history(ctx.root)
        return empty_output() if history is None else facts_only([history])
