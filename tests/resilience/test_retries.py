"""The retry rules (RES120-RES124): exact lines of the true positives; bounded, jittered, idempotent
look-alikes stay silent."""

from __future__ import annotations

import pytest

from redline.checks.resilience.retries import RetryCheck

from .helpers import lines_by_rule, run_fixture, run_source

EXPECTED = {
    "RES120": [9, 14, 19, 24, 29, 34],
    "RES121": [14, 19],
    "RES122": [7, 15],
    "RES123": [11, 22],
    "RES124": [7, 8, 15],
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_retry_rule_fires_exactly_at_expected_lines(code: str) -> None:
    assert lines_by_rule(run_fixture(RetryCheck(), code)) == {code: EXPECTED[code]}


def test_an_idempotency_key_in_the_module_silences_retried_posts() -> None:
    src = (
        "from tenacity import retry, stop_after_attempt\n"
        "@retry(stop=stop_after_attempt(3))\n"
        "def charge(s, order):\n"
        "    return s.post('https://pay', json=order, headers={'Idempotency-Key': order['key']}, timeout=5)\n"
    )
    assert run_source(RetryCheck(), src) == []
    webhook = (
        "from urllib3.util.retry import Retry\n"
        "policy = Retry(total=3, allowed_methods=['POST'])\n"
        "headers = {'X-Delivery-Id': delivery_id}\n"
    )
    assert run_source(RetryCheck(), webhook) == []


def test_retries_in_tests_are_not_judged() -> None:
    src = "import tenacity\n@tenacity.retry\ndef f():\n    pass\n"
    assert run_source(RetryCheck(), src, rel="tests/test_client.py") == []
    assert [f.rule for f in run_source(RetryCheck(), src)] == ["RES120"]


def test_findings_say_how_to_bound_the_retry() -> None:
    for finding in run_fixture(RetryCheck(), "RES120"):
        assert "stop_after_attempt" in finding.remediation
