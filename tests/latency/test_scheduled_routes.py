"""A route a scheduler calls (Vercel Cron's ``/api/cron/…``, a ``cron`` path word) is a job: the third party it
calls is its work, not a stall on a user's request; a sign-in callback (``/oauth/callback``) must exchange the
provider's code before it answers. LAT131 (Python), LAT259 (JavaScript/TypeScript, here a Next.js route handler) and
RES130 fire on the user-facing route and stay silent on the scheduled one and the callbacks."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck
from redline.checks.latency.jsgo_chatty_check import JsGoChattyCheck
from redline.checks.resilience.breakers import CircuitBreakerCheck

FIXTURE = Path(__file__).parent / "fixtures" / "scheduled_routes"


def test_third_parties_on_scheduled_routes_are_the_jobs_work() -> None:
    found = findings_of(FIXTURE, LatencyCheck(), JsGoChattyCheck(), CircuitBreakerCheck())
    got = sorted(
        (f.rule, f.location.path, f.location.start_line) for f in found if f.rule in {"LAT131", "LAT259", "RES130"}
    )
    assert got == [
        ("LAT131", "app.py", 9),
        ("LAT259", "src/app/api/og/route.tsx", 2),
        ("RES130", "app.py", 9),
        ("RES130", "src/app/api/og/route.tsx", 2),
    ]
    og = next(f for f in found if f.rule == "LAT259")
    assert og.evidence["route"] == "GET /api/og" and og.evidence["host"] == "api.us-east.tinybird.co"
