"""Mounted file systems for fault injection: a read-only folder and a tiny one that fills up."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)], capture_output=True, check=False
    )
    return done.returncode == 0


def _umount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write into, root included (a read-only tmpfs); skipped where mount is denied."""
    target = tmp_path / "ro"
    if not _mount(target, "ro,size=64k"):
        pytest.skip("cannot mount a read-only tmpfs here (needs CAP_SYS_ADMIN)")
    try:
        yield target
    finally:
        _umount(target)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB file system: writing a real report set into it runs out of space."""
    target = tmp_path / "tiny"
    if not _mount(target, "size=64k"):
        pytest.skip("cannot mount a tmpfs here (needs CAP_SYS_ADMIN)")
    try:
        yield target
    finally:
        _umount(target)
