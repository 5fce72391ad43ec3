"""``db update``'s end-of-life part, for the command line (which reaches sources only through pipeline/)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from redline.core.config import SectionSpec, find_config, load_config
from redline.sources.eol.settings import EOL_SECTION, eol_dir
from redline.sources.eol.update import EolMissing, EolUpdateError, EolUpdateReport, update_eol

__all__ = ["EolMissing", "EolUpdateError", "EolUpdateReport", "eol_location", "update_eol"]


def eol_location(
    config_path: Path | None, db_dir: Path | None, sections: Iterable[SectionSpec[Any]]
) -> tuple[Path, str | None]:
    """The folder the audit reads end-of-life data from (``--db-dir``/eol when given, else ``[eol] data_dir``,
    else the database folder's eol/) and the configured ``[eol] mirror`` (None: upstream)."""
    path = config_path or find_config(Path.cwd())
    settings = load_config(path, sections).settings(EOL_SECTION)
    folder = db_dir / "eol" if db_dir is not None else eol_dir(settings, path.resolve().parent if path else None)
    return folder, settings.mirror or None
