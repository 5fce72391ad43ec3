"""One 50 MB single-line file must not make every output 50 MB: snippets, messages and reasons are cut."""

from __future__ import annotations

from pathlib import Path

from redline.core.evidence import Evidence
from redline.core.model import Finding, Location, Severity, Skipped, ToolError
from redline.pipeline.bounds import SNIPPET_MAX, bound_error, bound_finding, bound_skipped

from .helpers import audit, report, write

HUGE = 50_000_000


def test_a_50_mb_line_stays_out_of_the_outputs(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "client.py", 'import requests\nrequests.get("https://x.example.com")  # ' + "x" * HUGE + "\n")
    out = tmp_path / "out"
    assert audit(src, out, "--max-file-size", "100MB", "--exit-zero") == 0
    [finding] = report(out)["findings"]
    assert finding["rule"] == "RES101"
    snippet = finding["location"]["snippet"]
    assert snippet.startswith('requests.get("https://x.example.com")') and len(snippet) < SNIPPET_MAX + 60
    assert snippet.endswith("more characters not shown]")
    for path in out.iterdir():
        assert path.stat().st_size < 2_000_000, path.name


def test_bounding_keeps_short_values_and_cuts_long_ones() -> None:
    short = Finding("RES101", "m", Severity.LOW, Location("a.py", 1, snippet="x = 1"))
    assert bound_finding(short) is short
    long = Finding(
        "RES101",
        "m" * 5000,
        Severity.LOW,
        Location("a.py", 1, snippet="y" * 10_000),
        evidence=Evidence({"value": "z" * 10_000}),
    )
    cut = bound_finding(long)
    assert len(cut.message) < 1100 and len(cut.location.snippet) < 600 and len(cut.evidence.text("value")) < 600
    assert bound_finding(long).fingerprint == cut.fingerprint  # stable from run to run
    assert len(bound_error(ToolError("a", "r" * 10_000)).reason) < 600
    assert len(bound_skipped(Skipped("a", "r" * 10_000)).reason) < 600
