"""The map at the top of report.html, in a real headless Chromium: every component drawn, a click shows its
findings, no console errors; the screenshot is kept in build/test-artifacts/ for a human to look at."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.map_model import Colour, Component, Flow, Kind, SystemMap, Zone
from redline.report.map_html import layout, render_svg

from .helpers import FIXTURES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "test-artifacts"
browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
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
        timeout=90,
        check=True,
    )


class _Dom(HTMLParser):
    """Ids of the drawn nodes, and the text of #mapinfo."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self.info: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "g" and "node" in (a.get("class") or "").split():
            self.nodes.append(a.get("data-id") or "")
        if a.get("id") == "mapinfo":
            self._depth = 1
        elif self._depth and tag not in ("br", "img", "input"):
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.info.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    main(["audit", str(FIXTURES / "map_small"), "--out", str(out), "--quiet", "--exit-zero", "--format", "html"])
    return out / "report.html"


def test_page_is_self_contained(report: Path) -> None:
    html = report.read_text()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)


@browser
def test_every_component_is_drawn_and_a_click_shows_its_findings(report: Path, tmp_path: Path) -> None:
    proc = _chromium(tmp_path / "p", "--dump-dom", f"{report.as_uri()}#component=db")
    dom = _Dom()
    dom.feed(proc.stdout)
    assert sorted(dom.nodes) == sorted(
        [
            "api",
            "worker",
            "db",
            "cache",
            "aws_s3_bucket.uploads",
            "aws_sqs_queue.jobs",
            "broker.internal.example.net",
            "stripe",
            "recommendations",
            "migrate",
            "ingress/web",
            "internet",
        ]
    )
    info = " ".join(" ".join(dom.info).split())
    assert "db — datastore, data, risky" in info
    assert "owner: @acme/platform" in info
    assert "CMP104 docker-compose.yml:25" in info  # the finding behind the colour, from the click
    assert "docker-compose.yml:23 — compose service `db`" in info
    assert not re.search(r"Uncaught|CONSOLE\(\d+\)\].*(?:Error|error)", proc.stderr)


@browser
def test_screenshot_is_kept_as_an_artefact(report: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "map-report.png"
    shot.unlink(missing_ok=True)
    _chromium(tmp_path / "s", "--window-size=1400,1000", f"--screenshot={shot}", f"{report.as_uri()}#component=api")
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_two_thousand_components_lay_out() -> None:
    comps = tuple(
        Component(f"svc{i:04}", f"svc{i:04}", Kind.SERVICE, Zone.INTERNAL, colour=Colour.CORE) for i in range(2000)
    )
    flows = tuple(Flow(f"svc{i:04}", f"svc{(i + 1) % 2000:04}") for i in range(2000))
    m = SystemMap(comps, flows)
    started = time.perf_counter()
    placed, boxes, _width, _height = layout(m)
    svg = render_svg(m)
    assert time.perf_counter() - started < 5  # the bound; bench/map_layout.py measures it properly
    assert len(placed) == 2000 and len(boxes) == 1 and svg.count('class="node"') == 2000
    assert len({(p.x, p.y) for p in placed.values()}) == 2000  # nothing drawn on top of anything else


@pytest.fixture(scope="module")
def joined_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """map_code audited with traces of its `api` service: consoles and measures in the click panel."""
    out = tmp_path_factory.mktemp("joined")
    start = 1_700_000_000_000_000_000
    spans = [
        {
            "traceId": f"{i:032x}",
            "spanId": f"{i:016x}",
            "name": "POST /orders",
            "kind": 2,
            "startTimeUnixNano": str(start + i * 100_000_000),
            "endTimeUnixNano": str(start + i * 100_000_000 + 20_000_000),
        }
        for i in (1, 2)
    ]
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
                "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}],
            }
        ]
    }
    traces = out / "spans.json"
    traces.write_text(json.dumps(doc))
    main(
        [
            "audit",
            str(FIXTURES / "map_code"),
            "--out",
            str(out / "report"),
            "--quiet",
            "--exit-zero",
            "--format",
            "html",
            "--traces",
            str(traces),
        ]
    )
    return out / "report" / "report.html"


@browser
@pytest.mark.parametrize(
    ("component", "shown"),
    [
        ("api", ["measured: traces (service.name `api`)", "requests: 2", "p95 (ms): 20", "error rate: 0"]),
        ("grafana", ["Grafana on port 3000: login no — Grafana without a login: GF_AUTH_ANONYMOUS_ENABLED=true"]),
    ],
)
def test_click_shows_consoles_and_measures(
    joined_report: Path, tmp_path: Path, component: str, shown: list[str]
) -> None:
    proc = _chromium(tmp_path / "p", "--dump-dom", f"{joined_report.as_uri()}#component={component}")
    dom = _Dom()
    dom.feed(proc.stdout)
    info = " ".join(" ".join(dom.info).split())
    assert [s for s in shown if s not in info] == []
    assert not re.search(r"Uncaught|CONSOLE\(\d+\)\].*(?:Error|error)", proc.stderr)
