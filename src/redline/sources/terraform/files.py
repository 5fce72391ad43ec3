"""Files that ``file()`` and ``templatefile()`` name: read below the audited root only.

Terraform resolves a relative path against its working directory (the root
module). redline does the same, then refuses anything that leaves the audited
root — through ``..``, an absolute path or a symbolic link — and anything too
large or not UTF-8. The content is data: nothing read here is ever executed.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from redline.sources.terraform.values import Unknown

#: larger files stay unknown (policies and templates are small)
MAX_FILE_BYTES = 1024 * 1024


def read_in_root(fs_root: Path, root_dir: str, path: str) -> str | Unknown:
    """The text of ``path`` (as Terraform resolves it from ``root_dir``), or an ``Unknown`` saying why not."""
    if not path or path.startswith(("/", "~")) or (len(path) > 1 and path[1] == ":") or "\\" in path:
        return Unknown("file path outside the audited root")
    rel = posixpath.normpath(posixpath.join(root_dir or ".", path))
    if rel == ".." or rel.startswith("../"):
        return Unknown("file path outside the audited root")
    try:
        base = fs_root.resolve()
        target = (base / rel).resolve()
    except (OSError, RuntimeError):
        return Unknown("file path not resolvable")
    if not target.is_relative_to(base):
        return Unknown("file path outside the audited root")
    try:
        if not target.is_file():
            return Unknown("no such file")
        if target.stat().st_size > MAX_FILE_BYTES:
            return Unknown("file too large to read")
        data = target.read_bytes()
    except OSError:
        return Unknown("file not readable")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Unknown("file is not UTF-8 text")
