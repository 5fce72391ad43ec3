"""One run's outputs replace the previous run's as a set, with a manifest of what was written.

Writing is two-phase: every file is first written in full to a temporary file beside its target (a full
disk or any other failure here removes the temporaries and leaves the folder exactly as it was), then
each is renamed over its target, the manifest is replaced, and the files the previous manifest listed
that this run did not write are removed, so ``--format json`` into a reused folder does not leave an
older ``summary.md`` describing another tree. Renames within one folder do not need space and do not
fail halfway in practice; a reader between two renames may see a mix for a moment, never a torn file.

The manifest also marks the folder as redline's own output, so the workspace walk never audits it
(the default ``redline-report/`` sits inside the audited tree when redline runs from the root).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

MANIFEST = ".redline-manifest.json"
MANIFEST_VERSION = 1


def is_output_folder(path: str | Path) -> bool:
    return os.path.isfile(os.path.join(path, MANIFEST))


def previous_files(folder: Path) -> list[str]:
    """Names the last run wrote, as listed in its manifest (only plain names inside the folder)."""
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        names = doc["files"] if isinstance(doc, dict) else []
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return []
    return [
        n
        for n in names
        if isinstance(n, str) and n and "/" not in n and "\\" not in n and n not in {".", "..", MANIFEST}
    ]


def _stage(path: Path, data: bytes) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def replace_output_set(folder: Path, files: dict[str, bytes], *, tool: str = "redline") -> list[Path]:
    """Write ``files`` (name → bytes) into ``folder`` as one set; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    stale = set(previous_files(folder)) - set(files)
    manifest = json.dumps({"version": MANIFEST_VERSION, "tool": tool, "files": sorted(files)}, indent=1).encode()
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            staged.append((_stage(folder / name, data), folder / name))
        staged.append((_stage(folder / MANIFEST, manifest + b"\n"), folder / MANIFEST))
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    with _interrupts_deferred():  # a Ctrl-C between two renames would leave a mix of two runs for good
        for tmp, target in staged:
            os.replace(tmp, target)
        for name in sorted(stale):
            with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                (folder / name).unlink()
    return [target for _, target in staged[:-1]]


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """SIGINT/SIGTERM held back while the renames run (microseconds each) and delivered after, to the
    handlers that were in place. A Python-level handler, not a signal mask: the mask is per thread, and a
    signal sent to the process is delivered to any thread that does not block it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; redline writes its outputs there
        return
    pending: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        pending.append(signum)

    held = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, hold) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)
