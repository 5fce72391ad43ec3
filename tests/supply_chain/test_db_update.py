"""``redline db update``: the real download path over loopback HTTP, directory mirrors, integrity
checks, atomic replace, and what the audit says when the database is missing or stale."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.sources.advisories.database import DB_FILENAME, AdvisoryDatabase
from redline.sources.advisories.update import UpdateError, update_database

from .conftest import serve
from .helpers import audit, write_tree

ADVISORY = {
    "id": "PYSEC-0000-1",
    "aliases": ["CVE-2000-0001"],
    "modified": "2024-01-01T00:00:00Z",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1"}]}],
        }
    ],
}


def small_mirror(root: Path, *, epss_names: tuple[str, ...] = ("epss_scores-2025-01-02.csv.gz",)) -> Path:
    """A tiny mirror laid out like ../shared/data."""
    (root / "osv" / "PyPI").mkdir(parents=True)
    with zipfile.ZipFile(root / "osv" / "PyPI" / "all.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("PYSEC-0000-1.json", json.dumps(ADVISORY))
        zf.writestr("PYSEC-0000-2.json", json.dumps({**ADVISORY, "id": "PYSEC-0000-2", "withdrawn": "2024-02-01"}))
    (root / "kev").mkdir()
    (root / "kev" / "known_exploited_vulnerabilities.json").write_text(
        json.dumps(
            {
                "catalogVersion": "1",
                "count": 1,
                "vulnerabilities": [
                    {
                        "cveID": "CVE-2000-0001",
                        "vulnerabilityName": "Demo",
                        "dateAdded": "2024-01-01",
                        "dueDate": "2024-01-22",
                        "knownRansomwareCampaignUse": "Known",
                    }
                ],
            }
        )
    )
    (root / "epss").mkdir()
    for i, name in enumerate(epss_names):
        body = (
            f"#model_version:v1,score_date:2025-01-0{i + 1}T00:00:00+0000\ncve,epss,percentile\n"
            f"CVE-2000-0001,0.{i + 5},0.9{i}\n"
        )
        (root / "epss" / name).write_bytes(gzip.compress(body.encode()))
    return root


def test_http_mirror_builds_an_indexed_database(vulndb_dir: Path) -> None:
    db = AdvisoryDatabase.open_dir(vulndb_dir)
    info = db.info()
    assert info.counts == {"osv_PyPI": 2661, "osv_npm": 2, "kev": 1404, "epss": 360142, "spdx": 778}
    assert info.meta["osv_ecosystems"] == "PyPI,npm"
    assert info.meta["epss_file"] == "epss_scores-2026-08-16.csv.gz"  # found through the server's index
    assert info.meta["kev_version"] == "2025.08.25"
    assert info.source.startswith("mirror http://127.0.0.1:")
    assert info.age_days() < 1
    assert {i for i, _ in db.entries("PyPI", "PyYAML")} >= {"PYSEC-2020-96", "PYSEC-2021-142"}
    assert db.entries("PyPI", "Apache_Airflow") == db.entries("PyPI", "apache-airflow") != []  # PEP 503 names
    ids = {i for i, _ in db.entries("PyPI", "redis")}
    assert "PYSEC-2023-73" not in ids  # withdrawn
    assert db.kev(["CVE-2022-33891"])["CVE-2022-33891"].due_date
    plan = db.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM affected WHERE ecosystem='PyPI' AND name='x'").fetchall()
    assert "affected_pkg" in str(plan)
    db.close()


def test_directory_mirror_and_missing_ecosystems(tmp_path: Path) -> None:
    mirror = small_mirror(
        tmp_path / "mirror", epss_names=("epss_scores-2025-01-01.csv.gz", "epss_scores-2025-01-03.csv.gz")
    )
    report = update_database(tmp_path / "db", mirror=str(mirror), ecosystems=("PyPI", "Go"))
    assert report.counts == {"osv_PyPI": 2, "kev": 1, "epss": 1}
    assert any("OSV Go" in s for s in report.skipped)
    assert any("SPDX" in s for s in report.skipped)
    db = AdvisoryDatabase.open_dir(tmp_path / "db")
    assert db.info().meta["epss_file"] == "epss_scores-2025-01-03.csv.gz"  # the newest
    assert db.epss(["CVE-2000-0001"])["CVE-2000-0001"].probability == 0.6
    assert db.kev(["CVE-2000-0001"])["CVE-2000-0001"].ransomware
    assert [i for i, _ in db.entries("PyPI", "demo-pkg")] == ["PYSEC-0000-1"]
    db.close()


def test_url_mirror_with_explicit_epss_file(tmp_path: Path) -> None:
    mirror = small_mirror(
        tmp_path / "mirror", epss_names=("epss_scores-2025-01-01.csv.gz", "epss_scores-2025-01-02.csv.gz")
    )
    server, url = serve(mirror)
    try:
        update_database(tmp_path / "db", mirror=url, ecosystems=("PyPI",), epss_file="epss_scores-2025-01-01.csv.gz")
    finally:
        server.shutdown()
        server.server_close()
    db = AdvisoryDatabase.open_dir(tmp_path / "db")
    assert db.info().meta["epss_file"] == "epss_scores-2025-01-01.csv.gz"
    db.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("zip", "CRC error"),
        ("zip-truncated", "not a valid zip"),
        ("gzip", "corrupt gzip"),
        ("kev-count", "catalog says 5 entries"),
        ("kev-json", "not valid JSON"),
        ("epss-header", "expected the header"),
        ("no-osv", "no OSV data"),
    ],
)
def test_integrity_failures_keep_the_previous_database(tmp_path: Path, damage: str, message: str) -> None:
    mirror = small_mirror(tmp_path / "mirror")
    update_database(tmp_path / "db", mirror=str(mirror), ecosystems=("PyPI",))
    before = _sha(tmp_path / "db" / DB_FILENAME)
    zip_path = mirror / "osv" / "PyPI" / "all.zip"
    kev_path = mirror / "kev" / "known_exploited_vulnerabilities.json"
    epss_path = mirror / "epss" / "epss_scores-2025-01-02.csv.gz"
    if damage == "zip":
        data = bytearray(zip_path.read_bytes())
        data[40] ^= 0xFF  # inside the first member's compressed data
        zip_path.write_bytes(bytes(data))
    elif damage == "zip-truncated":
        zip_path.write_bytes(zip_path.read_bytes()[:60])
    elif damage == "gzip":
        epss_path.write_bytes(epss_path.read_bytes()[:-6])
    elif damage == "kev-count":
        doc = json.loads(kev_path.read_text())
        kev_path.write_text(json.dumps({**doc, "count": 5}))
    elif damage == "kev-json":
        kev_path.write_text("{not json")
    elif damage == "epss-header":
        epss_path.write_bytes(gzip.compress(b"cve,score\nCVE-1,0.1\n"))
    elif damage == "no-osv":
        zip_path.unlink()
    with pytest.raises(UpdateError, match=message):
        update_database(tmp_path / "db", mirror=str(mirror), ecosystems=("PyPI",))
    assert _sha(tmp_path / "db" / DB_FILENAME) == before
    assert [p.name for p in (tmp_path / "db").iterdir()] == [DB_FILENAME]  # no temp leftovers


def test_cli_update_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mirror = small_mirror(tmp_path / "mirror")
    assert (
        main(
            [
                "db",
                "update",
                "--db-dir",
                str(tmp_path / "db"),
                "--mirror",
                str(mirror),
                "--ecosystem",
                "PyPI",
                "--ecosystem",
                "npm",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "osv_PyPI" in out and "not available: OSV npm" in out
    assert main(["db", "status", "--db-dir", str(tmp_path / "db")]) == 0
    assert "built " in capsys.readouterr().out
    assert main(["db", "status", "--db-dir", str(tmp_path / "nothing")]) == 2
    assert main(["db", "update", "--db-dir", str(tmp_path / "db2"), "--mirror", str(tmp_path / "nope")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_audit_without_a_database_says_so(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "requests==2.19.0\n"})
    result = audit(tmp_path, None)
    assert [f for f in result.findings if f.rule.startswith("VUL")] == []
    [error] = [e for e in result.errors if e.where == "vulnerability database"]
    assert "NOT checked for known vulnerabilities" in error.reason and "redline db update" in error.reason
    assert ("requirements.txt", "not checked for known vulnerabilities: no usable database") in {
        (s.path, s.reason) for s in result.skipped
    }


def test_audit_without_manifests_does_not_complain(tmp_path: Path) -> None:
    write_tree(tmp_path, {"app.py": "print('hi')\n"})
    result = audit(tmp_path, None)
    assert not [e for e in result.errors if e.where == "vulnerability database"]


def test_stale_database_is_reported(tmp_path: Path) -> None:
    mirror = small_mirror(tmp_path / "mirror")
    update_database(tmp_path / "db", mirror=str(mirror), ecosystems=("PyPI",))
    conn = sqlite3.connect(tmp_path / "db" / DB_FILENAME)
    conn.execute("UPDATE meta SET value = '2020-01-01T00:00:00+00:00' WHERE key = 'built_at'")
    conn.commit()
    conn.close()
    tree = write_tree(tmp_path / "tree", {"requirements.txt": "demo-pkg==1.0\n"})
    result = audit(tree, tmp_path / "db", extra_config="max_db_age_days = 30\n")
    [error] = [e for e in result.errors if e.where == "vulnerability database" and "days ago" in e.reason]
    assert "days ago (limit 30)" in error.reason
    [finding] = [f for f in result.findings if f.rule.startswith("VUL")]  # still matched, with the warning
    assert finding.rule == "VUL102"  # CVE-2000-0001 is in this mirror's KEV


class _LyingHandler(http.server.BaseHTTPRequestHandler):
    """Promises 100,000 bytes, sends 10, hangs up: a truncated download."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"PK\x03\x04truncated")
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_truncated_http_download_is_rejected(tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LyingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(UpdateError, match="truncated download"):
            update_database(
                tmp_path / "db", mirror=f"http://127.0.0.1:{server.server_address[1]}", ecosystems=("PyPI",)
            )
    finally:
        server.shutdown()
        server.server_close()
    assert not (tmp_path / "db" / DB_FILENAME).exists()


def test_ecosystems_missing_from_the_database_are_reported(tmp_path: Path, vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "requests==2.31.0\n", "svc/go.mod": "module x\n\ngo 1.21\n"})
    result = audit(tmp_path, vulndb_dir)
    [error] = [e for e in result.errors if e.where == "vulnerability database"]
    assert "no OSV data for Go" in error.reason and "NOT checked" in error.reason
    assert ("svc/go.mod", "not checked for known vulnerabilities: no Go advisories in the database") in {
        (s.path, s.reason) for s in result.skipped
    }
    assert not [s for s in result.skipped if s.path == "requirements.txt"]


def test_unusable_database_dir_is_a_clear_error(tmp_path: Path) -> None:
    mirror = small_mirror(tmp_path / "mirror")
    (tmp_path / "taken").write_text("a file where the directory should be")
    with pytest.raises(UpdateError, match="cannot create"):
        update_database(tmp_path / "taken" / "db", mirror=str(mirror), ecosystems=("PyPI",))
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / DB_FILENAME).mkdir()  # the final rename cannot replace a directory
    with pytest.raises(UpdateError, match="cannot write the database"):
        update_database(tmp_path / "db", mirror=str(mirror), ecosystems=("PyPI",))


def test_advisory_in_two_ecosystem_exports_is_stored_once(tmp_path: Path) -> None:
    mirror = small_mirror(tmp_path / "mirror")
    both = {
        "id": "GHSA-aaaa-bbbb-cccc",
        "aliases": ["CVE-2000-0002"],
        "modified": "2024-01-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "twin"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
            },
            {
                "package": {"ecosystem": "npm", "name": "twin"},
                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "3.0.0"}]}],
            },
        ],
    }
    for eco in ("PyPI", "npm"):
        (mirror / "osv" / eco).mkdir(exist_ok=True)
        with zipfile.ZipFile(mirror / "osv" / eco / "all.zip", "a") as zf:
            zf.writestr("GHSA-aaaa-bbbb-cccc.json", json.dumps(both))
    update_database(tmp_path / "db", mirror=str(mirror), ecosystems=("PyPI", "npm"))
    db = AdvisoryDatabase.open_dir(tmp_path / "db")
    assert [(i, e.ecosystem) for i, e in db.entries("PyPI", "twin")] == [("GHSA-aaaa-bbbb-cccc", "PyPI")]
    assert [(i, e.ecosystem) for i, e in db.entries("npm", "twin")] == [("GHSA-aaaa-bbbb-cccc", "npm")]
    db.close()


def test_db_commands_honour_the_configured_db_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``db update`` writes where ``audit`` reads: ``[supply_chain] db_dir``, relative to the config's directory."""
    mirror = small_mirror(tmp_path / "mirror")
    project = tmp_path / "project"
    write_tree(
        project, {"redline.toml": '[supply_chain]\ndb_dir = "cache/vulndb"\n', "requirements.txt": "demo-pkg==1.0\n"}
    )
    monkeypatch.delenv("REDLINE_DB_DIR", raising=False)
    monkeypatch.chdir(project)
    assert main(["db", "update", "-q", "--mirror", str(mirror), "--ecosystem", "PyPI"]) == 0
    assert (project / "cache" / "vulndb" / DB_FILENAME).is_file()
    assert main(["db", "status"]) == 0
    assert str(project / "cache" / "vulndb" / DB_FILENAME) in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["audit", "-q", str(project), "--select", "VUL", "--format", "json", "--out", str(out)]) == 1
    rules = [f["rule"] for f in json.loads((out / "findings.json").read_text())["findings"]]
    assert rules == ["VUL102"]  # the one advisory, its CVE in KEV: read from the database db update built
    (project / "redline.toml").write_text("[supply_chain]\ndb_dir = 3\n")
    assert main(["db", "status"]) == 2
    assert "supply_chain.db_dir" in capsys.readouterr().err
