"""IAM actions AWS documents as resource-``*`` only (data in ``data/iam_resource_star_actions.toml``, with sources)."""

from __future__ import annotations

import fnmatch
import functools
import tomllib
from pathlib import Path

DATA = Path(__file__).parent / "data" / "iam_resource_star_actions.toml"


@functools.cache
def star_only_patterns() -> tuple[str, ...]:
    """Every listed action or pattern, lower-cased."""
    with DATA.open("rb") as fh:
        data = tomllib.load(fh)
    return tuple(a.lower() for svc in data["services"].values() for a in svc["actions"])


def resource_star_only(action: str) -> bool:
    """The action (or a policy pattern written exactly as listed) can only be granted on Resource "*"."""
    lowered = action.lower()
    return any(lowered == p or ("*" not in lowered and fnmatch.fnmatchcase(lowered, p)) for p in star_only_patterns())
