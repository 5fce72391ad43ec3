"""report.html as the single page, in a real headless Chromium: the sections in the order a team lead
reads them, no console errors, the findings filters (area, severity, component, new/existing, text) and
the pager work, a 1366x768 screenshot is kept in build/test-artifacts/, and the page prints to PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.builtin import builtin_checks
from redline.cli.main import main
from redline.core.config import Config, OutputFormat
from redline.core.model import Factor, Finding, Location, PriorityFactors, Severity
from redline.core.result import AuditResult
from redline.core.rules import RuleRegistry
from redline.report.formats import write_reports

from .browser import ARTIFACTS, CHROMIUM, chromium, console_errors, render

browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
MAP_SMALL = Path(__file__).resolve().parents[1] / "systemmap" / "fixtures" / "map_small"
REGISTRY = RuleRegistry(rule for check in builtin_checks() for rule in check.rules)
N = 130
#: rule and area of the synthetic items, in turn
RULES = (("RES101", "resilience"), ("SEC101", "security"), ("KUB101", "security"), ("TF101", "security"))


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("page")
    main(["audit", str(MAP_SMALL), "--out", str(out), "--quiet", "--exit-zero", "--format", "html"])
    return out / "report.html"


def _finding(i: int) -> Finding:
    rule = RULES[i % len(RULES)][0]
    impact = 1 + i % 5
    return Finding(
        rule,
        f"item {i:03} of {rule}",
        (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)[i % 4],
        Location(f"src/m{i:03}.py", 10 + i, 10 + i, snippet=f"call_{i}()"),
        component="api" if i % 2 == 0 else "worker",
        priority=PriorityFactors(Factor(impact, "test impact"), Factor(3, "test"), Factor(2, "test")),
        identity=f"m{i}",
        remediation=f"fix item {i}",
    )


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """130 items on two components over four rules; the first 40 are in the baseline (existing)."""
    findings = tuple(_finding(i) for i in range(N))
    result = AuditResult(
        root="/srv/app",
        findings=findings,
        rules=REGISTRY,
        config=Config(formats=(OutputFormat.HTML,)),
        baseline=frozenset(f.fingerprint for f in findings[:40]),
    )
    out = tmp_path_factory.mktemp("many")
    write_reports(result, out, [OutputFormat.HTML])
    return out / "report.html"


def test_sections_are_in_reading_order_offline(audited: Path) -> None:
    html = audited.read_text()
    order = ["map-section", "scorecard", "plan", "threats-section", "findings-section", "sbom", "trends"]
    at = [html.index(f'<section id="{s}">') for s in order]
    assert at == sorted(at)
    assert "<h2>Threat register</h2>" in html.split('<section id="threats-section">')[1]
    assert "@media print" in html and "https://" not in html.split("<script")[0]


@browser
def test_no_console_errors_and_the_default_view(audited: Path, tmp_path: Path) -> None:
    page, errors = render(audited, "", tmp_path / "p")
    assert errors == []
    assert page.sections[:5] == ["map-section", "scorecard", "plan", "threats-section", "findings-section"]
    scores = [int(r[0]) for r in page.rows]
    assert scores and scores == sorted(scores, reverse=True)
    assert int(page.root_attrs["data-rendered"]) > 0
    # no baseline: nothing is called new, and the new/existing filter says what it needs
    assert not any(r[6].endswith("new") for r in page.rows)
    assert 'disabled title="needs a baseline (--baseline FILE)"' in audited.read_text()


@browser
def test_pager_splits_the_items(many: Path, tmp_path: Path) -> None:
    first, errors = render(many, "", tmp_path / "a")
    assert errors == [] and len(first.rows) == 50
    assert "".join(first.texts["page"]) == "page 1 of 3" and "".join(first.texts["count"]) == f"{N} of {N} item(s)"
    last, _ = render(many, "page=3", tmp_path / "b")
    assert len(last.rows) == N - 100 and "".join(last.texts["page"]) == "page 3 of 3"
    seen = {r[6].split(" of ")[0] for r in first.rows} | {r[6].split(" of ")[0] for r in last.rows}
    assert len(seen) == 80  # pages do not overlap


@browser
def test_component_and_new_filters(many: Path, tmp_path: Path) -> None:
    api, _ = render(many, "comp=api&page=2", tmp_path / "a")
    assert {r[4] for r in api.rows} == {"api"} and "".join(api.texts["count"]) == f"{N // 2} of {N} item(s)"
    new, _ = render(many, "state=new&comp=worker", tmp_path / "b")
    numbers = sorted(int(r[6].split()[1]) for r in new.rows)
    assert numbers == [i for i in range(40, N) if i % 2]
    assert all(r[6].endswith("new") for r in new.rows) and "".join(new.texts["count"]) == "45 of 130 item(s)"
    old, _ = render(many, "state=existing", tmp_path / "c")
    assert sorted(int(r[6].split()[1]) for r in old.rows) == list(range(40))
    assert not any(r[6].endswith("new") for r in old.rows)


@browser
def test_area_severity_text_and_sort(many: Path, tmp_path: Path) -> None:
    page, _ = render(many, "area=resilience&sev=critical&sort=path&dir=asc", tmp_path / "a")
    assert page.rows == [] and "".join(page.texts["count"]) == f"0 of {N} item(s)"  # RES101 items are all low
    page, _ = render(many, "area=security&sev=critical&sort=path&dir=asc", tmp_path / "b")
    wanted = [f"src/m{i:03}.py:{10 + i}" for i in range(N) if i % 4 == 3]
    assert [r[5] for r in page.rows] == wanted
    page, _ = render(many, "q=item%20007", tmp_path / "c")
    assert [r[6] for r in page.rows] == ["item 007 of TF101"]  # existing: no "new" tag
    page, _ = render(many, "q=item%20107", tmp_path / "d")
    assert [r[6] for r in page.rows] == ["item 107 of TF101new"]


@browser
def test_screenshot_at_1366x768_and_print(audited: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-1366x768.png"
    shot.unlink(missing_ok=True)
    proc = chromium(tmp_path / "s", "--window-size=1366,768", f"--screenshot={shot}", audited.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert console_errors(proc.stderr) == []
    pdf = ARTIFACTS / "report-print.pdf"
    pdf.unlink(missing_ok=True)
    chromium(tmp_path / "p", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", audited.as_uri())
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
