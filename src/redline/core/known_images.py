"""What well-known images do at run time, from the data table ``known_images.toml``.

"Runs as root" needs context: the official ``postgres`` image starts as root only to fix
the ownership of its volume and then re-executes the server as ``postgres``; ``grafana/k6``
sets a non-root USER. The table says so per image, with the source of each statement, and
is loaded once per process.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from redline.core.images import parse_image


@dataclass(frozen=True, slots=True)
class KnownImage:
    """One row of the table."""

    match: tuple[str, ...]
    user: str
    source: str
    tags: tuple[str, ...] = ()
    non_root: bool = False  # the image's USER is not root
    drops_privileges: bool = False  # the entrypoint re-executes the server as ``user``
    stateful: bool = False
    data_paths: tuple[str, ...] = ()
    note: str = ""

    @property
    def label(self) -> str:
        return self.match[0]


def repository(image: str) -> str:
    """The repository without registry defaults, lower-case: ``docker.io/library/postgres:16`` -> ``postgres``."""
    return parse_image(image).repository


def _row(raw: dict[str, Any]) -> KnownImage:
    return KnownImage(
        match=tuple(raw["match"]),
        user=str(raw["user"]),
        source=str(raw["source"]),
        tags=tuple(raw.get("tags", ())),
        non_root=bool(raw.get("non_root", False)),
        drops_privileges=bool(raw.get("drops_privileges", False)),
        stateful=bool(raw.get("stateful", False)),
        data_paths=tuple(raw.get("data_paths", ())),
        note=str(raw.get("note", "")),
    )


@cache
def table() -> tuple[KnownImage, ...]:
    """Every row, in file order (the first matching row wins)."""
    text = resources.files("redline.core").joinpath("known_images.toml").read_text(encoding="utf-8")
    return tuple(_row(raw) for raw in tomllib.loads(text)["image"])


@dataclass(frozen=True, slots=True)
class Technology:
    """What an image is, for the map: ``postgresql`` / ``datastore`` (a ``map_model.Kind`` value)."""

    technology: str
    kind: str
    names: tuple[str, ...]


_TOOL_SUFFIXES = ("-exporter", "-commander", "-ui", "-admin", "-operator", "-backup", "-client", "-cli", "-migrations")


@cache
def technologies() -> dict[str, Technology]:
    """Last path segment of a repository -> its technology (the table's ``[[technology]]`` rows)."""
    text = resources.files("redline.core").joinpath("known_images.toml").read_text(encoding="utf-8")
    out: dict[str, Technology] = {}
    for raw in tomllib.loads(text).get("technology", []):
        row = Technology(str(raw["technology"]), str(raw["kind"]), tuple(raw["names"]))
        for name in row.names:
            out.setdefault(name, row)
    return out


def technology_of(name: str) -> Technology | None:
    """The technology of a repository's last segment or a component's name: exact, else a known name
    with a ``-suffix`` or ``prefix-`` (``redis-stack``, ``valkey-cart``, ``shop-postgres``)."""
    known = technologies()
    if name in known:
        return known[name]
    if name.endswith(_TOOL_SUFFIXES):
        return None  # ``postgres-exporter``, ``redis-commander``: a tool beside the technology, not it
    for key, row in known.items():
        if name.startswith(key + "-") or name.endswith("-" + key):
            return row
    return None


def lookup(image: str) -> KnownImage | None:
    """The row for an image reference, or ``None`` for an image the table does not know
    (or a reference still holding an unexpanded variable)."""
    if not image or "$" in image or "{" in image:
        return None
    ref = parse_image(image)
    repo, tag = ref.repository, ref.tag.lower()
    for row in table():
        if any(fnmatch.fnmatchcase(repo, p) for p in row.match) and (
            not row.tags or any(fnmatch.fnmatchcase(tag, t) for t in row.tags)
        ):
            return row
    return None


def unprivileged(image: str, *, entrypoint_overridden: bool = False) -> KnownImage | None:
    """The row when the image's own process does not keep root: a non-root USER, or an entrypoint
    that drops privileges (only while that entrypoint is the one that runs)."""
    row = lookup(image)
    if row is None:
        return None
    if row.non_root or (row.drops_privileges and not entrypoint_overridden):
        return row
    return None
