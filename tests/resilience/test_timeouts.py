"""Each timeout rule: exact locations of true positives; look-alikes stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.interface import CheckContext
from redline.checks.resilience.timeouts import MissingTimeoutCheck
from redline.core.config import Config
from redline.core.workspace import SourceFile, read_file
from redline.sources.python import PythonSource

FIXTURES = Path(__file__).parent / "fixtures"

EXPECTED = {
    "RES101": [(6, 1), (7, 1), (8, 1), (9, 1), (11, 1), (19, 16), (23, 5)],
    "RES102": [(5, 1), (6, 10), (7, 16), (8, 12)],
    "RES103": [(5, 1), (6, 6), (8, 1)],
    "RES104": [(6, 16), (8, 16), (10, 5)],
    "RES105": [(5, 1), (6, 1)],
}


def findings_for(name: str) -> list[tuple[str, int, int]]:
    path = FIXTURES / f"{name}.py"
    text = read_file(SourceFile(path.name, str(path), "python", path.stat().st_size))
    module = PythonSource().parse(text)
    check = MissingTimeoutCheck()
    ctx = CheckContext(FIXTURES, Config(), frozenset(r.code for r in check.rules))
    return sorted((f.rule, f.location.start_line, f.location.start_column) for f in check.check_module(module, ctx))


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_rule_fires_exactly_at_expected_locations(code: str) -> None:
    assert findings_for(code) == [(code, line, col) for line, col in EXPECTED[code]]


def test_findings_carry_snippet_and_message() -> None:
    path = FIXTURES / "RES101.py"
    module = PythonSource().parse(read_file(SourceFile("RES101.py", str(path), "python", 1)))
    check = MissingTimeoutCheck()
    ctx = CheckContext(FIXTURES, Config(), frozenset({"RES101"}))
    first = min(check.check_module(module, ctx), key=lambda f: f.location.start_line)
    assert first.location.snippet == 'requests.get("https://api.example.com/a")'
    assert "without a timeout" in first.message
    assert "CWE-400" in first.tags


def test_module_without_http_imports_is_skipped_cheaply() -> None:
    src = "def get(url):\n    return url\n\nget('x')\n"
    from redline.core.workspace import FileText

    f = SourceFile("m.py", "/dev/null", "python", len(src))
    module = PythonSource().parse(FileText(f, src.encode(), src))
    ctx = CheckContext(Path("."), Config(), frozenset({"RES101"}))
    assert list(MissingTimeoutCheck().check_module(module, ctx)) == []


def test_calls_in_test_code_are_lower_severity_and_confidence(tmp_path: Path) -> None:
    from redline.core.context import is_in_context
    from redline.core.model import Confidence, Severity
    from redline.core.workspace import FileText

    src = 'import requests\nrequests.get("http://localhost:8000")\n'
    results = {}
    for rel in ("app/client.py", "tests/test_client.py", "pkg/client_test.py"):
        module = PythonSource().parse(FileText(SourceFile(rel, "/dev/null", "python", 1), src.encode(), src))
        ctx = CheckContext(tmp_path, Config(), frozenset({"RES101"}))
        (finding,) = MissingTimeoutCheck().check_module(module, ctx)
        results[rel] = (finding.severity, finding.confidence, is_in_context(finding))
    # in a test, listed in the context section like every family's findings there (plane's tests/smoke/)
    assert results == {
        "app/client.py": (Severity.MEDIUM, Confidence.HIGH, False),
        "tests/test_client.py": (Severity.LOW, Confidence.LOW, True),
        "pkg/client_test.py": (Severity.LOW, Confidence.LOW, True),
    }


def _scan(rel: str, src: str) -> list[tuple[int, str]]:
    from redline.core.workspace import FileText

    module = PythonSource().parse(FileText(SourceFile(rel, "/dev/null", "python", 1), src.encode(), src))
    ctx = CheckContext(Path("."), Config(), frozenset({"RES101"}))
    return [(f.location.start_line, f.remediation) for f in MissingTimeoutCheck().check_module(module, ctx)]


def test_semgrep_rule_test_targets_are_skipped_and_findings_say_what_to_write() -> None:
    """saleor's .semgrep/security/requests/no-use-requests-lib.py (29 RES101 items, every one on purpose):
    a file annotated with semgrep's ``# ruleid:`` is a linter rule's test target. A comment merely mentioning
    the word, or a real client, is still judged, and each finding carries the code to write."""
    fixture = 'import requests\n\n# ruleid: no-requests-lib\nrequests.get("https://foo")\n'
    assert _scan(".semgrep/security/requests/no-use-requests-lib.py", fixture) == []
    real = 'import requests\n# the ruleid: comment style is semgrep\'s\nrequests.get("https://api")\n'
    [(line, fix)] = _scan("app/client.py", real)
    assert line == 3 and fix.startswith("Pass `timeout=(3.05, 10)` to this `requests.get(…)` call")
