"""Input files named on the command line (trace exports, billing exports, request logs): the files named
and the matching files under the folders named, plain or gzip-compressed (recognised by content)."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO

GZIP_MAGIC = b"\x1f\x8b"


def expand_inputs(
    paths: Iterable[Path], suffixes: tuple[str, ...], empty_folder: str
) -> tuple[list[Path], list[tuple[str, str]]]:
    """(files in a stable order, (path, reason) for what does not exist or a folder without inputs);
    under a folder, only files whose name ends with one of ``suffixes`` (case-insensitive)."""
    found: list[Path] = []
    problems: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes))
            if not inside:
                problems.append((str(path), empty_folder))
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            problems.append((str(path), "no such file or directory"))
    return found, problems


def is_gzip(path: Path) -> bool:
    with path.open("rb") as probe:
        return probe.read(2) == GZIP_MAGIC


def open_text(path: Path, errors: str = "strict", newline: str | None = None) -> IO[str]:
    """The file as UTF-8 text, decompressed when it is gzip (whatever its name says)."""
    if is_gzip(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors=errors, newline=newline)
    return path.open("r", encoding="utf-8", errors=errors, newline=newline)
