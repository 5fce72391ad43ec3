"""Download the endoflife.date product files into ``<eol dir>/products/*.md``, replacing the old set only
when the new one is complete and readable.

Where from: upstream is the endoflife.date repository's tarball (its ``products/`` folder); a mirror
is laid out like ``../shared/data/eol``: ``<mirror>/eol/products/*.md``, a directory or an HTTP
server that lists the folder (``python -m http.server``). Every file must parse as a product; a
download that fails, or leaves no product, changes nothing and says why.
"""

from __future__ import annotations

import io
import re
import tarfile
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from redline.sources.download import MAX_LISTING, DownloadError, get_bytes, listed_names
from redline.sources.eol.products import parse_product
from redline.sources.yamlsafe import YamlError

UPSTREAM_EOL = "https://github.com/endoflife-date/endoflife.date/archive/refs/heads/master.tar.gz"
MAX_TARBALL = 200 << 20
MAX_PRODUCT = 1 << 20
_PRODUCT_NAME = re.compile(r"^[A-Za-z0-9][\w.+-]*\.md$")
_TAR_MEMBER = re.compile(r"^[^/]+/products/([^/]+\.md)$")


class EolUpdateError(Exception):
    """The new data could not be fetched or checked; the old data is unchanged."""


class EolMissing(EolUpdateError):
    """The mirror has no end-of-life data (no ``eol/products/``): a vulnerability-only mirror."""


@dataclass
class EolUpdateReport:
    folder: Path  # the products/ folder written
    source: str
    products: int = 0
    skipped: list[str] = field(default_factory=list)  # files that did not parse, each with why
    seconds: float = 0.0


def update_eol(eol_dir: Path, mirror: str | None = None, upstream: str = UPSTREAM_EOL) -> EolUpdateReport:
    """Fetch the product files, check each, and swap them in for ``eol_dir/products`` in one rename."""
    started = time.perf_counter()
    source = mirror or upstream
    try:
        eol_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EolUpdateError(f"cannot create {eol_dir}: {exc.strerror}") from None
    report = EolUpdateReport(eol_dir / "products", source)
    with tempfile.TemporaryDirectory(dir=eol_dir, prefix=".update-") as tmp:
        staging = Path(tmp) / "products"
        staging.mkdir()
        files = _fetch(mirror, upstream)
        for name, data in sorted(files.items()):
            why = _check(name, data)
            if why:
                report.skipped.append(f"{name}: {why}")
                continue
            (staging / name).write_bytes(data)
            report.products += 1
        if report.products == 0:
            raise EolUpdateError(
                f"{source}: no readable product file ({len(files)} fetched); the old data is unchanged"
            )
        _swap(staging, report.folder, Path(tmp))
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _check(name: str, data: bytes) -> str:
    if len(data) > MAX_PRODUCT:
        return f"larger than {MAX_PRODUCT >> 20} MB"
    try:
        product = parse_product(name[: -len(".md")], data.decode("utf-8", errors="replace"))
    except YamlError as exc:
        return f"not readable: {exc}"
    if product is None or not product.releases:
        return "no release cycles in its front matter"
    return ""


def _swap(staging: Path, folder: Path, tmp: Path) -> None:
    """The old folder moves aside, the new one takes its name; the old one goes with the temp dir."""
    try:
        if folder.exists():
            folder.rename(tmp / "old")
        staging.rename(folder)
    except OSError as exc:
        if not folder.exists() and (tmp / "old").exists():
            (tmp / "old").rename(folder)
        raise EolUpdateError(f"cannot replace {folder}: {exc.strerror}; the old data is unchanged") from None


def _fetch(mirror: str | None, upstream: str) -> dict[str, bytes]:
    if mirror is None:
        return _from_tarball(_get(upstream, MAX_TARBALL))
    parsed = urllib.parse.urlparse(mirror)
    if parsed.scheme in ("http", "https"):
        return _from_listing(mirror.rstrip("/") + "/eol/products/")
    directory = Path(urllib.request.url2pathname(parsed.path)) if parsed.scheme == "file" else Path(mirror)
    if parsed.scheme not in ("", "file"):
        raise EolUpdateError(f"mirror {mirror!r}: expected a directory or an http(s) URL")
    folder = directory / "eol" / "products"
    if not folder.is_dir():
        raise EolMissing(f"mirror {mirror}: {folder} is not a directory; the old data is unchanged")
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md")) if _PRODUCT_NAME.match(p.name)}


def _get(url: str, limit: int) -> bytes:
    try:
        return get_bytes(url, limit)
    except DownloadError as exc:
        raise (EolMissing if exc.missing else EolUpdateError)(f"{exc}; the old data is unchanged") from None


def _from_tarball(data: bytes) -> dict[str, bytes]:
    """The ``<top>/products/*.md`` regular files of the repository tarball; nothing else is extracted."""
    out: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            for member in tar:
                m = _TAR_MEMBER.match(member.name)
                if not m or not member.isfile() or not _PRODUCT_NAME.match(m.group(1)) or member.size > MAX_PRODUCT:
                    continue
                handle = tar.extractfile(member)
                if handle is not None:
                    out[m.group(1)] = handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise EolUpdateError(f"the endoflife.date tarball is damaged: {exc}; the old data is unchanged") from None
    return out


def _from_listing(url: str) -> dict[str, bytes]:
    """Every ``*.md`` a directory listing links to, fetched one by one."""
    names = listed_names(_get(url, MAX_LISTING).decode("utf-8", errors="replace"), _PRODUCT_NAME)
    if not names:
        raise EolUpdateError(f"{url} lists no product files (*.md); the old data is unchanged")
    return {n: _get(urllib.parse.urljoin(url, urllib.parse.quote(n)), MAX_PRODUCT) for n in names}
