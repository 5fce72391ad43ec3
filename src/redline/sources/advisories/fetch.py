"""Fetch the raw feeds (OSV zips, KEV, EPSS, SPDX) from upstream, a mirror URL or a mirror directory.

A mirror is laid out like upstream's files under one root:
``osv/<Ecosystem>/all.zip``, ``kev/known_exploited_vulnerabilities.json``,
``epss/epss_scores-<date>.csv.gz``, ``spdx/licenses.json``, ``spdx/exceptions.json``.
Every file is checked before use: sizes against Content-Length, zip CRCs,
JSON that parses, gzip CRCs.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import urllib.parse
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from redline.sources.download import MAX_LISTING, DownloadError, get_bytes, http_get

UPSTREAM_OSV = "https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip"
UPSTREAM_KEV = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
UPSTREAM_EPSS = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
UPSTREAM_SPDX = "https://raw.githubusercontent.com/spdx/license-list-data/main/json/{name}.json"
DEFAULT_ECOSYSTEMS = ("PyPI", "npm", "Go", "crates.io", "Maven", "RubyGems", "Packagist", "NuGet")
CHUNK = 1 << 16
_EPSS_NAME = re.compile(r"epss_scores-(\d{4}-\d{2}-\d{2})\.csv\.gz")


class FetchError(Exception):
    """A feed could not be fetched or failed its integrity check."""


class MissingFeed(FetchError):
    """The source does not have this feed (HTTP 404, no such file)."""


class ByteProgress(Protocol):
    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, n: int) -> None: ...

    def finish(self) -> None: ...


@dataclass(frozen=True)
class Feed:
    kind: str  # osv | kev | epss | spdx
    label: str  # "OSV PyPI", "KEV" …
    location: str  # URL or absolute path
    filename: str  # local file name in the staging dir
    ecosystem: str = ""


class Origin:
    """Where feeds come from: upstream (``mirror=None``), a base URL, or a directory."""

    def __init__(self, mirror: str | None = None, epss_file: str | None = None) -> None:
        self.mirror = mirror
        self.epss_file = epss_file
        self.directory: Path | None = None
        if mirror is not None:
            parsed = urllib.parse.urlparse(mirror)
            if parsed.scheme in ("http", "https"):
                self.base = mirror.rstrip("/") + "/"
            elif parsed.scheme == "file":
                from urllib.request import url2pathname  # noqa: PLC0415 - http.client, ssl, email: file:// only

                self.directory = Path(url2pathname(parsed.path))
            elif parsed.scheme == "":
                self.directory = Path(mirror)
            else:
                raise FetchError(f"--mirror {mirror!r}: expected a directory or an http(s) URL")
            if self.directory is not None and not self.directory.is_dir():
                raise FetchError(f"--mirror {mirror}: not a directory")

    @property
    def description(self) -> str:
        if self.mirror is None:
            return "upstream (OSV, CISA KEV, FIRST EPSS, SPDX)"
        return f"mirror {self.mirror}"

    def _at(self, rel: str) -> str:
        if self.directory is not None:
            return str((self.directory / rel).resolve())
        return urllib.parse.urljoin(self.base, urllib.parse.quote(rel))

    def osv(self, ecosystem: str) -> Feed:
        loc = (
            UPSTREAM_OSV.format(ecosystem=urllib.parse.quote(ecosystem))
            if self.mirror is None
            else self._at(f"osv/{ecosystem}/all.zip")
        )
        return Feed("osv", f"OSV {ecosystem}", loc, f"osv-{ecosystem}.zip", ecosystem)

    def kev(self) -> Feed:
        loc = UPSTREAM_KEV if self.mirror is None else self._at("kev/known_exploited_vulnerabilities.json")
        return Feed("kev", "CISA KEV", loc, "kev.json")

    def spdx(self, name: str) -> Feed:
        loc = UPSTREAM_SPDX.format(name=name) if self.mirror is None else self._at(f"spdx/{name}.json")
        return Feed("spdx", f"SPDX {name}", loc, f"spdx-{name}.json")

    def epss(self) -> Feed:
        """The newest ``epss_scores-<date>.csv.gz`` the origin has (or the one named)."""
        if self.mirror is None:
            return Feed("epss", "FIRST EPSS", self.epss_file or UPSTREAM_EPSS, "epss.csv.gz")
        if self.epss_file:
            return Feed("epss", "FIRST EPSS", self._at(f"epss/{self.epss_file}"), "epss.csv.gz")
        if self.directory is not None:
            names = [p.name for p in (self.directory / "epss").glob("epss_scores-*.csv.gz")]
        else:
            names = _EPSS_NAME.findall(_read_index(self._at("epss/")))
            names = [f"epss_scores-{d}.csv.gz" for d in names]
        dated = sorted(n for n in names if _EPSS_NAME.fullmatch(n))
        name = dated[-1] if dated else "epss_scores-current.csv.gz"
        return Feed("epss", "FIRST EPSS", self._at(f"epss/{name}"), "epss.csv.gz")


def _read_index(url: str) -> str:
    """A directory listing (e.g. ``python -m http.server``); empty when there is none."""
    try:
        return get_bytes(url, MAX_LISTING).decode("utf-8", errors="replace")
    except DownloadError:
        return ""


def download(feed: Feed, dest: Path, progress: ByteProgress) -> int:
    """Copy the feed to ``dest``; return its size. Raises ``MissingFeed`` or ``FetchError``."""
    if not feed.location.startswith(("http://", "https://")):
        return _copy(feed, dest, progress)
    try:
        with http_get(feed.location) as resp, dest.open("wb") as fout:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            progress.start(feed.label, total)
            got = 0
            while chunk := resp.read(CHUNK):
                fout.write(chunk)
                got += len(chunk)
                progress.advance(len(chunk))
            progress.finish()
    except DownloadError as exc:
        raise (MissingFeed if exc.missing else FetchError)(f"{feed.label}: {exc}") from None
    if total is not None and got != total:
        raise FetchError(f"{feed.label}: truncated download ({got:,} of {total:,} bytes)")
    if got == 0:
        raise FetchError(f"{feed.label}: empty file")
    return got


def _copy(feed: Feed, dest: Path, progress: ByteProgress) -> int:
    src = Path(feed.location)
    if not src.is_file():
        raise MissingFeed(f"{feed.label}: {src} does not exist")
    size = src.stat().st_size
    progress.start(feed.label, size)
    with src.open("rb") as fin, dest.open("wb") as fout:
        shutil.copyfileobj(fin, fout, CHUNK)
    progress.advance(size)
    progress.finish()
    return size


# --- integrity checks ----------------------------------------------------------------------


def check_zip(path: Path, label: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise FetchError(f"{label}: not a valid zip archive ({exc})") from None
    if bad is not None:
        raise FetchError(f"{label}: CRC error in member {bad}")


def load_json(path: Path, label: str) -> object:
    try:
        return json.loads(path.read_bytes())
    except (ValueError, OSError) as exc:
        raise FetchError(f"{label}: not valid JSON ({exc})") from None


def read_gzip_text(path: Path, label: str) -> str:
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read().decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # BadGzipFile and CRC errors are OSErrors
        raise FetchError(f"{label}: corrupt gzip ({exc})") from None
