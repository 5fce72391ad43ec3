"""The HTML report's table really sorts and filters, in a real headless browser (Debian's chromium)."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from audit_helpers import cli_audit as audit

from .helpers import write

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")


class _Rows(HTMLParser):
    """Collect the text of each cell of the #findings table's item rows."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_table = False
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._in_table = dict(attrs).get("id") == "findings"
        if tag == "tbody" and self._in_table:
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append([])
        elif self._in_body and tag == "td":
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rendered_rows(report: Path, fragment: str, profile: Path) -> list[list[str]]:
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            f"{report.as_uri()}#{fragment}",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    parser = _Rows()
    parser.feed(proc.stdout)
    return parser.rows


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    src = root / "src"
    write(src, "b_client.py", 'import requests\nrequests.get("https://b")\nrequests.post("https://c")\n')
    write(src, "a_net.py", 'import socket\nsocket.create_connection(("db", 5432))\n')
    write(src, "c_quiet.py", 'import requests\nrequests.get("x")  # redline: ignore[RES101] probe <b>bold</b>\n')
    audit(src, root / "out", "--format", "html")
    return root / "out" / "report.html"


def test_default_view_sorts_by_priority_and_hides_suppressed(report: Path, tmp_path: Path) -> None:
    rows = rendered_rows(report, "", tmp_path / "p")
    assert [r[1] for r in rows] == ["medium", "medium", "low"]
    assert [int(r[0]) for r in rows] == sorted((int(r[0]) for r in rows), reverse=True)
    assert all("c_quiet.py" not in r[5] for r in rows)


def test_filter_sort_and_show_suppressed_from_the_link(report: Path, tmp_path: Path) -> None:
    rows = rendered_rows(report, "q=requests&sort=path&dir=asc&suppressed=1", tmp_path / "p")
    assert [r[5] for r in rows] == ["b_client.py:2", "b_client.py:3", "c_quiet.py:2"]
    assert "(suppressed: probe <b>bold</b>)" in rows[2][6]  # shown as text, not markup
    low = rendered_rows(report, "sev=medium&area=resilience", tmp_path / "q")
    assert {r[1] for r in low} == {"medium"} and len(low) == 2
