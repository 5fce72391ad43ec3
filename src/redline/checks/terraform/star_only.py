"""Two IAM action lists AWS documents, each with its sources in ``data/``: actions that can only be granted on
Resource ``*`` (``iam_resource_star_actions.toml``), and actions whose names read like writes but that AWS's own
read-only managed policies grant (``iam_read_only_actions.toml``)."""

from __future__ import annotations

import fnmatch
import functools
import tomllib
from pathlib import Path

DATA = Path(__file__).parent / "data" / "iam_resource_star_actions.toml"
READ_ONLY_DATA = Path(__file__).parent / "data" / "iam_read_only_actions.toml"


@functools.cache
def _patterns(path: Path) -> tuple[str, ...]:
    """Every action or pattern the file lists, lower-cased."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(a.lower() for svc in data["services"].values() for a in svc["actions"])


def star_only_patterns() -> tuple[str, ...]:
    return _patterns(DATA)


def resource_star_only(action: str) -> bool:
    """The action (or a policy pattern written exactly as listed) can only be granted on Resource "*"."""
    lowered = action.lower()
    return any(lowered == p or ("*" not in lowered and fnmatch.fnmatchcase(lowered, p)) for p in star_only_patterns())


def read_only_by_aws(action: str) -> bool:
    """The action is one AWS's read-only managed policies grant although its verb is not Get/List/…
    (``logs:StartQuery``, ``ecr:BatchCheckLayerAvailability``); matched exactly, case-insensitive."""
    return action.lower() in _patterns(READ_ONLY_DATA)
