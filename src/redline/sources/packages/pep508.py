"""PEP 508 requirement strings, read with ``packaging``: name, pin, and the declared text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redline.sources.interface import SourceError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

#: extras and dependency groups conventionally holding development tools, not runtime code
DEV_GROUP_NAMES = frozenset(
    {
        "dev",
        "devel",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "linting",
        "linters",
        "docs",
        "doc",
        "documentation",
        "typing",
        "types",
        "mypy",
        "style",
        "format",
        "qa",
        "ci",
        "coverage",
        "bench",
        "benchmark",
        "benchmarks",
    }
)


def is_dev_group(name: str) -> bool:
    """True for a group or extra whose name marks development-only tools (``dev``, ``test`` …)."""
    words = re.split(r"[-_.\s]+", name.lower())
    return any(w in DEV_GROUP_NAMES for w in words)


@dataclass(frozen=True)
class Pep508:
    name: str
    version: str  # set only when pinned with == / ===
    pinned: bool
    text: str  # the requirement as declared (normalised spacing), for unpinned entries


def parse_pep508(text: str, where: str = "") -> Pep508:
    """Parse one requirement; ``SourceError`` names ``where`` (e.g. "line 3") on bad input."""
    # packaging's requirement grammar (~15 ms of imports) only once a Python manifest is read
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415

    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        prefix = f"{where}: " if where else ""
        first = str(exc).splitlines()[0] if str(exc) else "invalid"
        raise SourceError(f"{prefix}invalid requirement {text.strip()!r}: {first}") from None
    version, pinned = pinned_version(req)
    return Pep508(req.name, version, pinned, str(req))


def pinned_version(req: Requirement) -> tuple[str, bool]:
    """``(version, True)`` for exactly one ``==``/``===`` specifier without a wildcard and no URL."""
    specs = list(req.specifier)
    if req.url is None and len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version, True
    return "", False
