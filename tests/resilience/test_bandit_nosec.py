"""bandit's ``# nosec`` is a decision a team already took for the call on that line (or the call it closes, or the
line after a comment alone on its line): redline's RES101, the same judgement as bandit's B113, is marked suppressed
there, named with bandit's mark. A ``# nosec`` naming another bandit test, and a word that only starts with
"nosec", leave the finding raised."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import audit_catalogue

FIXTURE = Path(__file__).parent / "fixtures" / "bandit_nosec"


def test_a_nosec_for_bandits_timeout_test_suppresses_res101_there() -> None:
    result = audit_catalogue(FIXTURE, select=("RES101",))
    found = sorted((f.rule, f.location.start_line, f.suppressed) for f in result.findings)
    assert found == [
        ("RES101", 5, "bandit: nosec B113"),
        ("RES101", 9, "bandit: nosec"),
        ("RES101", 16, None),  # B101 is another bandit test
        ("RES101", 21, "bandit: nosec B113"),
        ("RES101", 25, None),
        ("RES101", 29, None),  # "nosecurity" is no mark
    ]
