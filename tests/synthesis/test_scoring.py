"""Scoring tables, neutral defaults that say so, configuration, and the ranking tie-breaker."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from redline.core.config import ConfigError, Where
from redline.core.evidence import Evidence
from redline.core.groups import group_findings, item_key
from redline.core.model import UNKNOWN, Factor, Finding, Location, PriorityFactors, Severity
from redline.core.priority import NEEDS_EXPOSURE, NEEDS_REACH, HistoryView, ScoringSettings, parse_scoring, rank, score

DEFAULTS = ScoringSettings()


def finding(
    rule: str = "TF101",
    severity: Severity = Severity.HIGH,
    *,
    line: int = 1,
    group: str = "",
    tags: tuple[str, ...] = (),
    evidence: dict[str, object] | None = None,
    priority: PriorityFactors | None = None,
) -> Finding:
    return Finding(
        rule,
        "m",
        severity,
        Location("main.tf", line, line),
        tags=tags,
        group=group,
        evidence=Evidence(evidence or {}),  # type: ignore[arg-type]
        priority=priority or PriorityFactors(),
    )


def test_missing_facts_give_the_neutral_default_and_say_what_is_needed() -> None:
    p = score(finding(severity=Severity.HIGH), DEFAULTS).priority
    assert (p.user_impact, p.exploitability) == (Factor(3, NEEDS_REACH), Factor(3, NEEDS_EXPOSURE))
    assert p.cost_of_delay == Factor(4, "severity high (no history: age and SLA not known)")
    assert p.score == 36


@pytest.mark.parametrize(("percentile", "value"), [(0.97, 5), (0.95, 5), (0.81, 4), (0.5, 3), (0.2, 2), (0.19, 1)])
def test_epss_percentile_table(percentile: float, value: int) -> None:
    f = finding(evidence={"epss": {"cve": "CVE-1", "probability": 0.1, "percentile": percentile}})
    assert score(f, DEFAULTS).priority.exploitability == Factor(value, f"EPSS percentile {percentile:.2f}")


def test_kev_is_most_exploitable() -> None:
    f = finding(evidence={"kev": ({"cve": "CVE-1", "date_added": "2024-01-01"},)})
    assert score(f, DEFAULTS).priority.exploitability.value == 5


def test_factors_a_check_decided_are_kept() -> None:
    decided = PriorityFactors(Factor(1, "money only"), Factor(5, "certain"), Factor(2, "1% of the bill"))
    assert score(finding(priority=decided), DEFAULTS).priority == decided


def test_tables_are_configuration() -> None:
    settings = parse_scoring(
        {"severity_delay": {"high": 5}, "epss_steps": [0.9, 0.7, 0.4, 0.1]}, Where("r.toml", "scoring")
    )
    assert score(finding(), settings).priority.cost_of_delay.value == 5
    f = finding(evidence={"epss": {"percentile": 0.75}})
    assert score(f, settings).priority.exploitability.value == 4
    assert parse_scoring({}, Where("", "scoring")) == DEFAULTS


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"severity_delay": {"high": 6}}, "key 'scoring.severity_delay.high' must be 1..5"),
        ({"severity_delay": {"urgent": 2}}, "key 'scoring.severity_delay.urgent': not a severity"),
        ({"epss_steps": [0.1, 0.5, 0.8, 0.9]}, "key 'scoring.epss_steps' must be four descending percentiles"),
    ],
)
def test_bad_tables_name_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_scoring(raw, Where("r.toml", "scoring"))


def test_factor_is_one_to_five() -> None:
    with pytest.raises(ValueError, match=r"1\.\.5"):
        Factor(0, "x")
    assert not Factor().known and Factor().reason == UNKNOWN


def test_equal_priority_puts_latency_amplifiers_and_authz_gaps_first() -> None:
    same = PriorityFactors(Factor(3, "a"), Factor(3, "b"), Factor(3, "c"))
    plain = finding("TF101", Severity.CRITICAL, line=1, priority=same)
    authz = finding("SEC500", Severity.MEDIUM, line=2, tags=("CWE-862",), priority=same)
    latency = finding("RES101", Severity.LOW, line=3, priority=same)
    higher = finding(
        "TF102", Severity.LOW, line=4, priority=PriorityFactors(Factor(4, "a"), Factor(3, "b"), Factor(3, "c"))
    )
    order = [i.group.lead.rule for i in rank(group_findings([plain, authz, latency, higher]), DEFAULTS)]
    assert order == ["TF102", "SEC500", "RES101", "TF101"]  # priority first, then tie-breaker, then severity


def test_root_cause_item_is_ranked_once_with_its_count() -> None:
    members = [finding("DKR101", line=n, group="image:python:3.8") for n in (1, 2, 3)]
    ranked = rank(group_findings([*members, finding("TF101", line=9)]), DEFAULTS)
    assert [(i.group.lead.rule, i.count) for i in ranked] == [("DKR101", 3), ("TF101", 1)]


def test_findings_json_carries_values_and_reasons(tmp_path: Path) -> None:
    from redline.cli.main import main

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text('import requests\nrequests.get("http://example.test")\n')
    assert (
        main(["audit", str(tmp_path / "src"), "--out", str(tmp_path / "out"), "--format", "json", "-q", "--exit-zero"])
        == 0
    )
    doc = json.loads((tmp_path / "out" / "findings.json").read_text())
    (f,) = [f for f in doc["findings"] if f["rule"] == "RES101"]
    assert f["priority"] == {
        "user_impact": 3,
        "exploitability": 3,
        "cost_of_delay": 3,
        "score": 27,
        "reasons": {
            "user_impact": NEEDS_REACH,
            "exploitability": NEEDS_EXPOSURE,
            "cost_of_delay": "severity medium (no history: age and SLA not known)",
        },
    }


@pytest.mark.parametrize(
    ("age_days", "expected"),
    [
        (None, Factor(4, "severity high, new since the last recorded run")),
        (10, Factor(4, "severity high, open 10 days (SLA 30 days)")),
        (24, Factor(5, "severity high, open 24 days: SLA of 30 days due in 6 days")),
        (31, Factor(5, "severity high, open 31 days: past its SLA of 30 days")),
    ],
)
def test_cost_of_delay_grows_with_age_and_sla_nearness(age_days: int | None, expected: Factor) -> None:
    f = finding(severity=Severity.HIGH)
    now = 1_700_000_000
    opened = {} if age_days is None else {item_key(f): now - age_days * 86_400}
    view = HistoryView(opened, now, {Severity.HIGH: 30})
    assert score(f, DEFAULTS, view).priority.cost_of_delay == expected


def test_recorded_runs_feed_the_age_into_scoring(tmp_path: Path) -> None:
    from redline.cli.main import main

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text('import requests\nrequests.get("http://example.test")\n')
    reasons = []
    for _ in range(2):
        assert (
            main(
                [
                    "audit",
                    str(tmp_path / "src"),
                    "--out",
                    str(tmp_path / "out"),
                    "--format",
                    "json",
                    "-q",
                    "--exit-zero",
                    "--record",
                ]
            )
            == 0
        )
        doc = json.loads((tmp_path / "out" / "findings.json").read_text())
        reasons += [f["priority"]["reasons"]["cost_of_delay"] for f in doc["findings"] if f["rule"] == "RES101"]
    assert reasons == [
        "severity medium (no history: age and SLA not known)",  # the store is created by this run
        "severity medium, open 0 days (SLA 90 days)",
    ]
