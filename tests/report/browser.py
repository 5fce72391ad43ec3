"""Driving Debian's headless Chromium for the report tests and the bench: the DOM after the page's scripts
ran (``--dump-dom``), the console messages (``--enable-logging=stderr``), screenshots and PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
#: what a page script error or a console.error looks like in chromium's stderr
CONSOLE_ERROR = re.compile(r"Uncaught|CONSOLE\(\d+\)\].*(?:Error|error)|:ERROR:CONSOLE")


def chromium(profile: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
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
            "--enable-logging=stderr",
            "--v=0",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE_ERROR.search(line)]


class Page(HTMLParser):
    """The rendered findings rows (cell texts), the section order, the pager text, and the attributes of
    the root element (``data-rendered``: milliseconds from navigation to the table drawn)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.sections: list[str] = []
        self.root_attrs: dict[str, str] = {}
        self.texts: dict[str, list[str]] = {"page": [], "count": []}
        self._table = False
        self._item = False
        self._cell: list[str] | None = None
        self._capture: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root_attrs = a
        if tag == "section" and a.get("id"):
            self.sections.append(a["id"])
        if tag == "table":
            self._table = a.get("id") == "findings"
        if self._table and tag == "tr":
            self._item = "item" in a.get("class", "").split()
            if self._item:
                self.rows.append([])
        elif self._item and tag == "td" and self._cell is None:
            self._cell = []
        if a.get("id") in self.texts:
            self._capture = a["id"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "table":
            self._table = False
        if tag == "span" and self._capture:
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._capture:
            self.texts[self._capture].append(data)


def render(report: Path, fragment: str, profile: Path) -> tuple[Page, list[str]]:
    """The page as Chromium leaves it after its scripts, and the console errors it printed."""
    proc = chromium(profile, "--dump-dom", f"{report.as_uri()}#{fragment}")
    page = Page()
    page.feed(proc.stdout)
    return page, console_errors(proc.stderr)
