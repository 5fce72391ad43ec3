"""RES130 through a real run (code index + route inventory): a handler calling a provider inline fires once
per dependency, naming it; internal services, unrouted functions and breaker-guarded modules stay quiet."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.resilience.breakers import CircuitBreakerCheck

FIXTURES = Path(__file__).parent / "fixtures" / "breakers"


def test_third_party_calls_in_handlers_fire_once_per_dependency() -> None:
    found = findings_of(FIXTURES, CircuitBreakerCheck())
    assert [(f.rule, f.location.path, f.location.start_line, f.evidence["dependency"]) for f in found] == [
        ("RES130", "app.py", 11, "stripe SDK"),
        ("RES130", "app.py", 18, "api.weather.example.com"),
        ("RES130", "shop/views.py", 5, "slack.com"),  # Django: the handler found through urls.py's import
    ]
    first = found[0]
    assert first.message == "POST /checkout (handler checkout) calls stripe SDK inline with no circuit breaker"
    assert "pybreaker" in first.remediation
