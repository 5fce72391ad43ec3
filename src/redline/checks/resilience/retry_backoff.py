"""urllib3 ``Retry`` policies that retry with no wait between attempts: urllib3's ``backoff_factor`` defaults
to 0, so every retry of a failing call goes out at once."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from redline.checks.interface import CheckContext, FileCheck
from redline.checks.resilience.astutil import has_star, imports_any, kw, location
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.python import PythonModule

RETRY_WITHOUT_BACKOFF = Rule(
    code="RES163",
    name="urllib3-retry-without-backoff",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="urllib3 Retry with a retry count but no backoff_factor: every retry goes out at once",
    tags=("CWE-400", "STRIDE:D"),
    doc=RuleDoc(
        what_it_does="Finds urllib3 `Retry(...)` policies (also through `requests.adapters.Retry`) that set a "
        "retry count of 2 or more (`total`, `connect`, `read`, `status`, or the first positional argument) or a "
        "`status_forcelist` (then the default 10 retries apply), but no `backoff_factor`, or a "
        "`backoff_factor` of 0. Policies built from `**kwargs`, a non-literal factor, `Retry(0)`/"
        "`Retry(total=False)` and a single retry (`Retry(total=1)`: urllib3 sends the first retry at once "
        "whatever the factor) are left alone.",
        why_bad="urllib3's `backoff_factor` defaults to 0: the retries of a failed request follow each other "
        "within milliseconds. Against a dependency that is restarting or overloaded they all fail the same "
        "way, and every client multiplies its load on it by the retry count exactly when it can least take "
        "it (a retry storm).",
        example="adapter = HTTPAdapter(max_retries=Retry(total=5, status_forcelist=[502, 503, 504]))",
        use_instead="adapter = HTTPAdapter(max_retries=Retry(total=5, backoff_factor=0.5, "
        "status_forcelist=[502, 503, 504]))\n# urllib3 >= 2: add backoff_jitter=0.25 so clients do not retry "
        "in lockstep",
        references=(
            "https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html#urllib3.util.Retry",
            "https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/",
            "https://sre.google/sre-book/addressing-cascading-failures/",
        ),
    ),
)

_URLLIB3_RETRY = frozenset(
    {
        "urllib3.Retry",
        "urllib3.util.Retry",
        "urllib3.util.retry.Retry",
        "requests.adapters.Retry",
        "requests.packages.urllib3.util.retry.Retry",
        "requests.packages.urllib3.Retry",
        "requests.packages.urllib3.util.Retry",
    }
)
_COUNTS = ("total", "connect", "read", "status", "other")


def _positive_int(node: ast.expr | None) -> int:
    """The literal count, or 0 (not a positive integer literal)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return max(node.value, 0)
    return 0


def _retries(call: ast.Call) -> bool:
    """The policy retries more than once in a row: a literal count of at least 2 (across the per-kind counts), or
    a status list with the default total of 10. urllib3 waits before no first retry whatever the factor
    (``get_backoff_time`` is 0 until two consecutive errors), so one retry is never a backoff question."""
    total = call.args[0] if call.args else (k.value if (k := kw(call, "total")) else None)
    if total is not None:
        return _positive_int(total) >= 2  # Retry(0), Retry(1), total=False/None or computed: not judged
    counts = sum(_positive_int(k.value) for name in _COUNTS[1:] if (k := kw(call, name)))
    return counts >= 2 or kw(call, "status_forcelist") is not None


def _no_backoff(call: ast.Call) -> bool:
    factor = kw(call, "backoff_factor")
    if factor is None:
        return len(call.args) <= 1  # more positional arguments may reach ``backoff_factor``: not judged
    return isinstance(factor.value, ast.Constant) and factor.value.value in (0, 0.0)


class RetryBackoffCheck(FileCheck):
    name = "urllib3-retry-backoff"
    rules = (RETRY_WITHOUT_BACKOFF,)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if not imports_any(fact, ("urllib3", "requests")):
            return []
        if looks_like_test_or_sample(fact.path) or linter_rule_fixture(fact.lines):
            return []
        return [
            self.finding(
                RETRY_WITHOUT_BACKOFF,
                "this Retry policy retries with no backoff_factor: the retries of a failed request go out "
                "within milliseconds and multiply the load on a struggling dependency",
                location(fact, call),
                remediation="Add `backoff_factor=0.5` (waits 0.5 s, 1 s, 2 s … capped at `backoff_max`) and, "
                "on urllib3 2, `backoff_jitter` so clients spread their retries.",
            )
            for call in fact.calls
            if fact.qualname(call.func) in _URLLIB3_RETRY
            and not has_star(call)
            and _retries(call)
            and _no_backoff(call)
        ]
