"""Every gate policy fails and passes, with its message asserted; JUnit XML output."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from redline.core.config import ConfigError, Where
from redline.core.evidence import Evidence
from redline.core.groups import group_findings, item_key
from redline.core.model import Finding, Location, Severity
from redline.core.policy import (
    Outcome,
    PolicySettings,
    Reference,
    Verdict,
    drift,
    evaluate,
    kev,
    new_findings,
    parse_policy,
    sla,
)
from redline.report.junit import render_junit

ON = PolicySettings()


def f(rule: str, severity: Severity = Severity.HIGH, line: int = 1, **evidence: object) -> Finding:
    return Finding(rule, "m", severity, Location("app.py", line, line), evidence=Evidence(evidence))  # type: ignore[arg-type]


def test_new_findings_fails_on_an_item_absent_from_the_reference() -> None:
    old, new, low = f("RES101", line=1), f("RES102", line=2), f("RES103", Severity.LOW, line=3)
    items = group_findings([old, new, low])
    ref = Reference("run 3 on main (2026-12-01 10:00 UTC)", item_keys={item_key(old)})
    assert new_findings(items, ON, ref) == Outcome(
        "new-findings",
        Verdict.FAIL,
        "1 new item(s) at or above high since run 3 on main (2026-12-01 10:00 UTC): RES102 app.py:2",
    )


def test_new_findings_passes_when_every_item_is_known_by_fingerprint() -> None:
    a = f("RES101")
    ref = Reference("baseline b.json", fingerprints={a.fingerprint})
    assert new_findings(group_findings([a]), ON, ref) == Outcome(
        "new-findings", Verdict.PASS, "no new item at or above high since baseline b.json"
    )


def test_new_findings_without_a_reference_says_what_it_needs() -> None:
    main = PolicySettings(against="main")
    assert new_findings([], main, None).message == (
        "no reference to compare with: needs a recorded run on main (redline audit --record on that branch)"
    )
    assert new_findings([], ON, None).verdict is Verdict.SKIP


def test_kev_fails_and_passes() -> None:
    hit = f("VUL101", kev=({"cve": "CVE-2021-44228"},))
    assert kev(group_findings([hit, f("VUL101", line=5)]), ON) == Outcome(
        "kev", Verdict.FAIL, "1 vulnerability item(s) listed in CISA KEV: VUL101 app.py:1"
    )
    assert kev(group_findings([f("VUL101")]), ON) == Outcome("kev", Verdict.PASS, "no KEV-listed vulnerability")
    assert kev([], PolicySettings(kev=False)).verdict is Verdict.SKIP


def test_drift_fails_and_passes() -> None:
    assert drift(group_findings([f("TF119", Severity.MEDIUM, line=7)]), ON) == Outcome(
        "drift", Verdict.FAIL, "1 drifted resource item(s): TF119 app.py:7"
    )
    assert drift(group_findings([f("TF101")]), ON) == Outcome("drift", Verdict.PASS, "no drift (TF119)")


def test_sla_fails_and_passes() -> None:
    line = "high RES101 app.py open 31 days (SLA 30)"
    assert sla([line], ON) == Outcome("sla", Verdict.FAIL, f"1 open item(s) past their SLA (allowed 0): {line}")
    assert sla([line], PolicySettings(max_sla_breaches=1)) == Outcome(
        "sla", Verdict.PASS, "1 open item(s) past their SLA (allowed 1)"
    )
    assert sla(None, ON) == Outcome(
        "sla", Verdict.SKIP, "no history store: needs recorded runs (redline audit --record)"
    )


def test_many_offenders_are_counted_not_all_named() -> None:
    items = group_findings([f("TF119", line=n) for n in range(1, 9)])
    assert drift(items, ON).message.endswith("TF119 app.py:5 and 3 more")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"new_findings": "urgent"}, "key 'policy.new_findings': unknown severity 'urgent'"),
        ({"against": "trunk"}, "key 'policy.against' must be 'baseline' or 'main'"),
    ],
)
def test_bad_policy_names_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_policy(raw, Where("redline.toml", "policy"))
    assert message in str(exc.value)


def test_junit_has_one_case_per_policy() -> None:
    outcomes = evaluate(group_findings([f("TF119")]), ON, None, None)
    root = ET.fromstring(render_junit(outcomes))
    suite = root.find("testsuite")
    assert suite is not None and suite.attrib["failures"] == "1" and suite.attrib["skipped"] == "4"
    cases = {c.attrib["name"]: c for c in suite.iter("testcase")}
    assert list(cases) == ["new-findings", "kev", "drift", "sla", "latency-budget", "cost-budget"]
    failure = cases["drift"].find("failure")
    assert failure is not None and failure.attrib["message"] == "1 drifted resource item(s): TF119 app.py:1"
