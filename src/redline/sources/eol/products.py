"""endoflife.date product files: YAML front matter with ``identifiers`` (purls) and ``releases``.

A product is found for an image by its ``pkg:docker/<namespace>/<name>`` purls (``library/`` for
official images), and for a few official images that carry no docker purl (Alpine, .NET) by a
small alias table. A tag is matched to the release cycle whose numbers are its longest prefix
(``3.8-slim`` → cycle ``3.8``; ``18.20.1-alpine`` → ``18``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from redline.core.images import parse_image
from redline.sources.yamlsafe import YamlError, load_documents

#: image repositories endoflife.date has no docker purl for -> product file stem
IMAGE_ALIASES: Mapping[str, str] = {
    "library/alpine": "alpine-linux",
    "library/debian": "debian",
    "library/ubuntu": "ubuntu",
    "library/centos": "centos",
    "library/amazonlinux": "amazon-linux",
    "library/fedora": "fedora",
    "dotnet/aspnet": "dotnet",
    "dotnet/runtime": "dotnet",
    "dotnet/sdk": "dotnet",
    "dotnet/core/aspnet": "dotnet",
    "dotnet/core/runtime": "dotnet",
    "dotnet/core/sdk": "dotnet",
    "library/openjdk": "openjdk-builds-from-oracle",
    "library/eclipse-temurin": "eclipse-temurin",
}
_VERSION_RE = re.compile(r"^v?(\d+(?:\.\d+)*)")


@dataclass(frozen=True, slots=True)
class Release:
    cycle: str
    eol: date | bool  # a date, or True/False when the project gives no date
    latest: str = ""


@dataclass(frozen=True)
class Product:
    name: str  # the file stem: python, nodejs, postgresql
    title: str
    images: tuple[str, ...]  # "library/python", "bitnami/python"
    releases: tuple[Release, ...]

    def release_for(self, tag: str) -> Release | None:
        m = _VERSION_RE.match(tag)
        if not m:
            return None
        parts = m.group(1).split(".")
        best: Release | None = None
        best_len = 0
        for rel in self.releases:
            cycle = rel.cycle.split(".")
            if len(cycle) <= len(parts) and parts[: len(cycle)] == cycle and len(cycle) > best_len:
                best, best_len = rel, len(cycle)
        return best


def parse_product(name: str, text: str) -> Product | None:
    """A product file; ``None`` when it has no front matter. Raises ``YamlError`` for broken YAML."""
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    if end < 0:
        return None
    docs = list(load_documents(text[3:end]))
    front = docs[0].value if docs else None
    if not isinstance(front, Mapping):
        return None
    images: list[str] = []
    for ident in front.get("identifiers") or []:
        purl = ident.get("purl") if isinstance(ident, Mapping) else None
        if isinstance(purl, str) and purl.startswith("pkg:docker/"):
            images.append(purl.removeprefix("pkg:docker/").split("@", 1)[0].lower())
    images += [img for img, product in IMAGE_ALIASES.items() if product == name]
    releases = [r for r in (_release(raw) for raw in front.get("releases") or []) if r is not None]
    return Product(name, str(front.get("title", name)), tuple(images), tuple(releases))


def _release(raw: Any) -> Release | None:
    if not isinstance(raw, Mapping) or raw.get("releaseCycle") is None:
        return None
    eol = raw.get("eol")
    value: date | bool
    if isinstance(eol, bool):
        value = eol
    else:
        try:
            value = date.fromisoformat(str(eol))
        except ValueError:
            return None
    return Release(str(raw["releaseCycle"]), value, str(raw.get("latest", "") or ""))


@dataclass(frozen=True)
class EolData:
    """Every product, looked up by image repository; ``as_of`` is the day end of life is judged on."""

    products: tuple[Product, ...]
    as_of: date
    where: str  # the folder read, for messages
    missing: str = ""  # why there is no data (the folder does not exist): a check with images to judge says so

    def for_image(self, image: str) -> tuple[Product, Release] | None:
        """``python:3.8-slim`` → (Python, cycle 3.8); ``None`` when unknown, untagged or not matched."""
        repo, tag = split_image(image)
        if not tag:
            return None
        product = next((p for p in self.products if repo in p.images), None)
        if product is None and repo.startswith("library/"):  # an official image named like the product
            product = next((p for p in self.products if p.name == repo.removeprefix("library/")), None)
        release = product.release_for(tag) if product is not None else None
        return (product, release) if product is not None and release is not None else None

    def is_eol(self, release: Release) -> bool:
        return release.eol is True or (isinstance(release.eol, date) and release.eol <= self.as_of)


def split_image(image: str) -> tuple[str, str]:
    """``mcr.microsoft.com/dotnet/aspnet:7.0`` → (``dotnet/aspnet``, ``7.0``); ``python:3.8`` →
    (``library/python``, ``3.8``). Registry hosts are dropped; digests ignored (``core.images`` splits it)."""
    ref = parse_image(image)
    return ref.hub_path, ref.tag


def load_error(name: str, exc: YamlError) -> str:
    return f"eol: {name}: {exc}"
