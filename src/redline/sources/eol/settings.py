"""``[eol]``: where the endoflife.date product files are, and the day they are judged against."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.sources.advisories.database import default_db_dir


@dataclass(frozen=True)
class EolSettings:
    data_dir: str = ""  # holds products/*.md; "" = $REDLINE_DB_DIR/eol or the cache's eol/
    as_of: date | None = None  # judge end of life on this day (None = today)
    mirror: str = ""  # where ``db update`` fetches products from: a URL or folder laid out as <mirror>/eol/products/


def parse_eol(raw: Mapping[str, Any], where: Where) -> EolSettings:
    data_dir = str(raw.get("data_dir", "")).strip()
    if "data_dir" in raw and not data_dir:
        raise ConfigError(f"{where.key('data_dir')} must not be empty")
    as_of = raw.get("as_of")
    if as_of is not None:
        try:
            as_of = date.fromisoformat(str(as_of))
        except ValueError:
            raise ConfigError(f"{where.key('as_of')} must be a date (YYYY-MM-DD), got {as_of!r}") from None
    mirror = str(raw.get("mirror", "")).strip()
    if "mirror" in raw and not mirror:
        raise ConfigError(f"{where.key('mirror')} must not be empty")
    return EolSettings(data_dir, as_of, mirror)


EOL_SECTION: SectionSpec[EolSettings] = SectionSpec(
    name="eol",
    keys={"data_dir": str, "as_of": str, "mirror": str},
    parse=parse_eol,
    doc="End-of-life data: data_dir (a folder with endoflife.date products/*.md), as_of (judge on this date), "
    "mirror (URL or folder `db update` fetches <mirror>/eol/products/*.md from)",
)


def eol_dir(settings: EolSettings, root: Path | None = None) -> Path:
    if settings.data_dir:
        path = Path(settings.data_dir).expanduser()
        return path if path.is_absolute() or root is None else root / path
    env = os.environ.get("REDLINE_DB_DIR")
    return (Path(env) if env else default_db_dir()) / "eol"
