"""``redline db update``: fetch every feed, check it, build the SQLite database, swap it in atomically.

The new database is built in a temporary directory inside the database
directory and renamed over the old file only when everything succeeded, so a
failed or interrupted update leaves the previous database untouched.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from redline.core.advisories import Advisory, KevEntry
from redline.sources.advisories.database import DB_FILENAME, SCHEMA_VERSION, DatabaseWriter
from redline.sources.advisories.fetch import (
    DEFAULT_ECOSYSTEMS,
    ByteProgress,
    FetchError,
    MissingFeed,
    NoProgress,
    Origin,
    check_zip,
    download,
    load_json,
    read_gzip_text,
)
from redline.sources.advisories.osv import OsvFormatError, parse_osv

log = logging.getLogger("redline")


class UpdateError(Exception):
    """The update failed; the previous database (if any) is unchanged."""


@dataclass
class UpdateReport:
    path: Path
    source: str
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # feeds the origin does not have
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def iter_osv_zip(path: Path, label: str, warnings: list[str]) -> Iterator[Advisory]:
    with zipfile.ZipFile(path) as zf:
        for name in sorted(zf.namelist()):
            if not name.endswith(".json"):
                continue
            try:
                yield parse_osv(json.loads(zf.read(name)))
            except (ValueError, OsvFormatError) as exc:
                warnings.append(f"{label}: {name}: skipped ({exc})")


def parse_kev(doc: object, label: str = "CISA KEV") -> list[KevEntry]:
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise FetchError(f"{label}: no 'vulnerabilities' list; not the KEV catalog")
    entries = [
        KevEntry(
            cve=v["cveID"],
            name=str(v.get("vulnerabilityName", "")),
            date_added=str(v.get("dateAdded", "")),
            due_date=str(v.get("dueDate", "")),
            ransomware=str(v.get("knownRansomwareCampaignUse", "")).lower() == "known",
        )
        for v in doc["vulnerabilities"]
        if isinstance(v, dict) and isinstance(v.get("cveID"), str)
    ]
    count = doc.get("count")
    if isinstance(count, int) and count != len(entries):
        raise FetchError(f"{label}: catalog says {count} entries but holds {len(entries)}")
    return entries


def parse_epss(text: str, label: str = "FIRST EPSS") -> tuple[dict[str, str], list[tuple[str, float, float]]]:
    lines = text.splitlines()
    meta: dict[str, str] = {}
    if lines and lines[0].startswith("#"):
        for part in lines[0].lstrip("#").split(","):
            key, _, value = part.partition(":")
            meta[key.strip()] = value.strip()
        lines = lines[1:]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = next(reader, None)
    if header is None or [h.strip() for h in header[:3]] != ["cve", "epss", "percentile"]:
        raise FetchError(f"{label}: expected the header 'cve,epss,percentile', got {header!r}")
    rows: list[tuple[str, float, float]] = []
    for n, row in enumerate(reader, start=2):
        try:
            rows.append((row[0], float(row[1]), float(row[2])))
        except (IndexError, ValueError):
            raise FetchError(f"{label}: bad row {n}: {row!r}") from None
    if not rows:
        raise FetchError(f"{label}: no scores")
    return meta, rows


def parse_spdx(licences: object, exceptions: object) -> tuple[str, list[tuple[str, str, bool, bool, bool]]]:
    if not isinstance(licences, dict) or not isinstance(licences.get("licenses"), list):
        raise FetchError("SPDX licenses: no 'licenses' list")
    rows = [
        (
            lic["licenseId"],
            str(lic.get("name", "")),
            bool(lic.get("isOsiApproved")),
            bool(lic.get("isDeprecatedLicenseId")),
            False,
        )
        for lic in licences["licenses"]
        if isinstance(lic, dict) and "licenseId" in lic
    ]
    if isinstance(exceptions, dict) and isinstance(exceptions.get("exceptions"), list):
        rows += [
            (exc["licenseExceptionId"], str(exc.get("name", "")), False, bool(exc.get("isDeprecatedLicenseId")), True)
            for exc in exceptions["exceptions"]
            if isinstance(exc, dict) and "licenseExceptionId" in exc
        ]
    return str(licences.get("licenseListVersion", "")), rows


def update_database(
    db_dir: Path,
    *,
    mirror: str | None = None,
    ecosystems: Sequence[str] = DEFAULT_ECOSYSTEMS,
    epss_file: str | None = None,
    progress: ByteProgress | None = None,
) -> UpdateReport:
    """Fetch, check, build, and atomically replace ``db_dir/redline-vulndb.sqlite``."""
    started = time.perf_counter()
    progress = progress or NoProgress()
    try:
        origin = Origin(mirror, epss_file)
        db_dir.mkdir(parents=True, exist_ok=True)
    except FetchError as exc:
        raise UpdateError(str(exc)) from None
    except OSError as exc:
        raise UpdateError(f"cannot create {db_dir}: {exc.strerror}") from None
    report = UpdateReport(db_dir / DB_FILENAME, origin.description)
    try:
        with tempfile.TemporaryDirectory(dir=db_dir, prefix=".update-") as tmp:
            _build(Path(tmp), origin, ecosystems=ecosystems, progress=progress, report=report)
    except FetchError as exc:
        raise UpdateError(f"{exc}; the previous database is unchanged") from None
    except (OSError, sqlite3.Error) as exc:
        raise UpdateError(f"cannot write the database in {db_dir}: {exc}; the previous database is unchanged") from None
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _build(
    staging: Path, origin: Origin, *, ecosystems: Sequence[str], progress: ByteProgress, report: UpdateReport
) -> None:
    writer = DatabaseWriter(staging / DB_FILENAME)
    try:
        meta = _fill(writer, origin, staging, ecosystems=ecosystems, progress=progress, report=report)
    except BaseException:
        writer.conn.close()
        raise
    meta.update(
        schema_version=SCHEMA_VERSION,
        source=origin.description,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    meta.update({f"count_{k}": str(v) for k, v in report.counts.items()})
    writer.set_meta(meta)
    writer.close()
    os.replace(staging / DB_FILENAME, report.path)


def _fill(
    writer: DatabaseWriter,
    origin: Origin,
    staging: Path,
    *,
    ecosystems: Sequence[str],
    progress: ByteProgress,
    report: UpdateReport,
) -> dict[str, str]:
    meta: dict[str, str] = {}
    loaded: list[str] = []
    for ecosystem in ecosystems:
        feed = origin.osv(ecosystem)
        dest = staging / feed.filename
        try:
            download(feed, dest, progress)
        except MissingFeed as exc:
            report.skipped.append(f"{exc} (skipped)")
            log.warning("%s; skipped", exc)
            continue
        check_zip(dest, feed.label)
        report.counts[f"osv_{ecosystem}"] = writer.add_advisories(
            ecosystem, iter_osv_zip(dest, feed.label, report.warnings)
        )
        loaded.append(ecosystem)
        dest.unlink()
    if not loaded:
        raise FetchError(f"no OSV data found at {origin.description} for {', '.join(ecosystems)}")
    meta["osv_ecosystems"] = ",".join(loaded)

    kev = origin.kev()
    download(kev, staging / kev.filename, progress)
    catalog = load_json(staging / kev.filename, kev.label)
    report.counts["kev"] = writer.add_kev(parse_kev(catalog, kev.label))
    if isinstance(catalog, dict):
        meta["kev_version"] = str(catalog.get("catalogVersion", ""))

    epss = origin.epss()
    download(epss, staging / epss.filename, progress)
    epss_meta, rows = parse_epss(read_gzip_text(staging / epss.filename, epss.label), epss.label)
    report.counts["epss"] = writer.add_epss(rows)
    meta["epss_date"] = epss_meta.get("score_date", "")
    meta["epss_model"] = epss_meta.get("model_version", "")
    meta["epss_file"] = epss.location.rsplit("/", 1)[-1]

    try:
        docs = []
        for name in ("licenses", "exceptions"):
            feed = origin.spdx(name)
            download(feed, staging / feed.filename, progress)
            docs.append(load_json(staging / feed.filename, feed.label))
        version, spdx_rows = parse_spdx(docs[0], docs[1])
        report.counts["spdx"] = writer.add_spdx(spdx_rows)
        meta["spdx_version"] = version
    except MissingFeed as exc:
        report.skipped.append(f"{exc} (licences will be normalised without the SPDX list)")
    return meta
