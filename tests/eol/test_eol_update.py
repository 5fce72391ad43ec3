"""``redline db update`` for the end-of-life data: the real download path over loopback HTTP (a mirror laid
out like ../shared/data, and the upstream tarball's layout), directory mirrors, per-file checks, and a
failure that leaves the old data and says why."""

from __future__ import annotations

import functools
import http.server
import io
import tarfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.sources.eol.update import EolMissing, EolUpdateError, EolUpdateReport, update_eol

VALID = '---\ntitle: Demo\nreleases:\n-   releaseCycle: "1"\n    eol: 2020-01-01\n---\n\n> Demo.\n'


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A loopback HTTP server over a fresh folder: (folder, base URL)."""
    root = tmp_path / "served"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _old_data(eol_dir: Path) -> Path:
    (eol_dir / "products").mkdir(parents=True)
    old = eol_dir / "products" / "old.md"
    old.write_text(VALID)
    return old


def test_http_mirror_laid_out_like_the_shared_data(shared_data: Path, tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(shared_data)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        eol_dir = tmp_path / "eol"
        old = _old_data(eol_dir)
        report = update_eol(eol_dir, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    shipped = sorted(p.name for p in (shared_data / "eol" / "products").glob("*.md"))
    written = sorted(p.name for p in report.folder.glob("*.md"))
    assert report.products == len(written) and len(written) + len(report.skipped) == len(shipped) == 464
    assert set(written) <= set(shipped) and "python.md" in written and "postgresql.md" in written
    assert (report.folder / "python.md").read_bytes() == (shared_data / "eol/products/python.md").read_bytes()
    assert not old.exists()  # the old set is replaced, not merged
    assert [p.name for p in eol_dir.iterdir()] == ["products"]  # no staging leftovers


def test_directory_mirror_checks_every_file(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "eol" / "products"
    mirror.mkdir(parents=True)
    (mirror / "demo.md").write_text(VALID)
    (mirror / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    (mirror / "empty.md").write_text("---\ntitle: No releases\n---\n")
    (mirror / "notes.txt").write_text("not a product")
    report = update_eol(tmp_path / "eol", str(tmp_path / "mirror"))
    assert report.products == 1
    assert [p.name for p in report.folder.iterdir()] == ["demo.md"]
    assert [line.split(":", 1)[0] for line in report.skipped] == ["broken.md", "empty.md"]
    assert report.skipped[1] == "empty.md: no release cycles in its front matter"


def _tarball(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
    return buf.getvalue()


def test_upstream_tarball_takes_only_products(http_dir: tuple[Path, str], tmp_path: Path) -> None:
    root, url = http_dir
    (root / "master.tar.gz").write_bytes(
        _tarball(
            {
                "endoflife.date-master/products/demo.md": VALID.encode(),
                "endoflife.date-master/products/nested/deep.md": VALID.encode(),
                "endoflife.date-master/_layouts/page.md": VALID.encode(),
                "endoflife.date-master/products/../../escape.md": VALID.encode(),
            },
            links=("endoflife.date-master/products/link.md",),
        )
    )
    report = update_eol(tmp_path / "eol", upstream=f"{url}/master.tar.gz")
    assert (report.products, [p.name for p in report.folder.iterdir()]) == (1, ["demo.md"])
    assert report.source == f"{url}/master.tar.gz"


def test_failures_leave_the_old_data_and_say_why(http_dir: tuple[Path, str], tmp_path: Path) -> None:
    root, url = http_dir
    eol_dir = tmp_path / "eol"
    old = _old_data(eol_dir)
    (root / "damaged.tar.gz").write_bytes(b"\x1f\x8b not really gzip")
    (root / "eol" / "products").mkdir(parents=True)
    (root / "eol" / "products" / "broken.md").write_text("---\ntitle: [\n---\n")
    cases: list[tuple[Callable[[], EolUpdateReport], str]] = [
        (lambda: update_eol(eol_dir, upstream=f"{url}/missing.tar.gz"), "answered HTTP 404"),
        (lambda: update_eol(eol_dir, upstream=f"{url}/damaged.tar.gz"), "tarball is damaged"),
        (lambda: update_eol(eol_dir, url), "no readable product file \\(1 fetched\\)"),
        (lambda: update_eol(eol_dir, "http://127.0.0.1:9/"), "cannot download"),
        (lambda: update_eol(eol_dir, str(tmp_path / "nowhere")), "is not a directory"),
    ]
    for run, message in cases:
        with pytest.raises(EolUpdateError, match=message) as caught:
            run()
        assert "the old data is unchanged" in str(caught.value)
        assert old.read_text() == VALID
        assert sorted(p.name for p in eol_dir.iterdir()) == ["products"]
    with pytest.raises(EolMissing):
        update_eol(eol_dir, str(tmp_path / "nowhere"))


def test_cli_eol_only_and_a_mirror_without_eol(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "eol" / "products").mkdir(parents=True)
    (mirror / "eol" / "products" / "demo.md").write_text(VALID)
    db = tmp_path / "db"
    assert main(["db", "update", "--eol-only", "--db-dir", str(db), "--mirror", str(mirror)]) == 0
    out = capsys.readouterr().out
    assert f"1 products from {mirror}" in out and str(db / "eol" / "products") in out
    assert (db / "eol" / "products" / "demo.md").read_text() == VALID
    assert main(["db", "status", "--db-dir", str(db)]) == 2  # no vulnerability database there
    assert f"end-of-life data: 1 products, 0.0 days old, {db / 'eol' / 'products'}" in capsys.readouterr().out
    main(["db", "status", "--db-dir", str(tmp_path / "none")])
    assert "end-of-life data: missing at" in capsys.readouterr().out
    assert main(["db", "update", "--eol-only", "--db-dir", str(db), "--mirror", str(tmp_path / "empty")]) == 2
    assert "end-of-life data update failed" in capsys.readouterr().err
    assert (db / "eol" / "products" / "demo.md").read_text() == VALID
