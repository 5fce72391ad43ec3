"""RES130 through a real run (code index + route inventory): a handler calling a provider inline fires once
per dependency, naming it; internal services, unrouted functions and breaker-guarded modules stay quiet."""

from __future__ import annotations

from pathlib import Path

from redline.checks.resilience.breakers import CircuitBreakerCheck
from redline.core.config import Config
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources

FIXTURES = Path(__file__).parent / "fixtures" / "breakers"


def test_third_party_calls_in_handlers_fire_once_per_dependency() -> None:
    result = run_audit(
        AuditRequest(
            root=FIXTURES,
            config=Config(jobs=1),
            checks=[CircuitBreakerCheck()],
            file_sources=builtin_file_sources(),
            project_sources=builtin_project_sources(),
        )
    )
    assert not result.errors
    assert [(f.rule, f.location.path, f.location.start_line, f.evidence["dependency"]) for f in result.findings] == [
        ("RES130", "app.py", 11, "stripe SDK"),
        ("RES130", "app.py", 18, "api.weather.example.com"),
        ("RES130", "shop/views.py", 5, "slack.com"),  # Django: the handler found through urls.py's import
    ]
    first = result.findings[0]
    assert first.message == "POST /checkout (handler checkout) calls stripe SDK inline with no circuit breaker"
    assert "pybreaker" in first.remediation
