"""Plan bucketing: firebreak, hardening, resilience; effort defaults and overrides; done-conditions."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.config import ConfigError, Where
from redline.core.evidence import Evidence
from redline.core.groups import group_findings
from redline.core.model import Area, Factor, Finding, Location, PriorityFactors, Severity
from redline.core.plan import Horizon, PlanSettings, build_plan, parse_plan
from redline.core.priority import ScoringSettings, rank
from redline.core.rules import Rule, RuleDoc, RuleRegistry

DOC = RuleDoc(what_it_does="w", why_bad="b", example="e", use_instead="u", references=("https://x",))


def rule(code: str, area: Area) -> Rule:
    return Rule(
        code=code, name=f"r-{code.lower()}", area=area, severity=Severity.HIGH, summary=f"summary {code}", doc=DOC
    )


RULES = RuleRegistry(
    [
        rule("RES101", Area.RESILIENCE),
        rule("TF101", Area.SECURITY),
        rule("PRF101", Area.PERFORMANCE),
        rule("SEC101", Area.SECURITY),
    ]
)


def f(
    code: str, score: tuple[int, int, int], line: int = 1, *, group: str = "", effort: str = "", component: str = ""
) -> Finding:
    p = PriorityFactors(*(Factor(v, "r") for v in score))
    return Finding(
        code,
        "m",
        Severity.HIGH,
        Location("a.py", line, line),
        priority=p,
        group=group,
        effort=effort,
        component=component,
        remediation=f"fix {code}",
        evidence=Evidence(),
    )


def plan(findings: list[Finding], settings: PlanSettings | None = None) -> list[tuple[str, Horizon, str]]:
    ranked = rank(group_findings(findings), ScoringSettings())
    return [(i.why.split()[0], i.horizon, i.effort) for i in build_plan(ranked, RULES, settings or PlanSettings())]


def test_buckets() -> None:
    items = plan(
        [
            f("RES101", (3, 3, 3), 1),  # 27, small (RES default): firebreak
            f("RES101", (3, 3, 2), 2),  # 18: below the firebreak line, resilience
            f("TF101", (4, 4, 4), 3),  # 64 but medium effort: hardening
            f("PRF101", (5, 5, 5), 4),  # no effort default: medium, quarter
        ]
    )
    assert items == [
        ("PRF101", Horizon.QUARTER_1, "medium"),
        ("TF101", Horizon.MONTH_1, "medium"),
        ("RES101", Horizon.WEEK_1, "small"),
        ("RES101", Horizon.QUARTER_1, "small"),
    ]


def test_effort_from_the_check_and_from_configuration() -> None:
    assert plan([f("TF101", (4, 4, 4), effort="hours")])[0][1:] == (Horizon.WEEK_1, "small")
    settings = parse_plan({"effort": {"RES101": "large"}}, Where("r.toml", "plan"))
    assert plan([f("RES101", (5, 5, 5))], settings)[0][1:] == (Horizon.QUARTER_1, "large")


def test_item_says_what_why_owner_and_when_done() -> None:
    findings = [f("SEC101", (4, 5, 5), n, group="key-1", component="api") for n in (1, 2)]
    (item,) = build_plan(rank(group_findings(findings), ScoringSettings()), RULES, PlanSettings())
    assert (item.what, item.why, item.owner, item.places) == (
        "fix SEC101.",
        "SEC101 summary SEC101 (2 place(s), priority 100)",
        "api",
        ("a.py:1", "a.py:2"),
    )
    assert item.done_when.startswith("`redline audit --select SEC101` no longer reports these 2 finding(s)")
    assert item.closes == tuple(x.fingerprint for x in findings)


def test_bad_effort_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"key 'plan\.effort\.RES101' must be one of: small, medium, large"):
        parse_plan({"effort": {"RES101": "huge"}}, Where("r.toml", "plan"))


def test_what_is_the_first_sentence_of_the_remediation() -> None:
    long = f("SEC101", (4, 5, 5))
    from dataclasses import replace

    long = replace(long, remediation="Rotate the key in the console. Then purge it from history: a long story.")
    (item,) = build_plan(rank(group_findings([long]), ScoringSettings()), RULES, PlanSettings())
    assert item.what == "Rotate the key in the console."


def test_audit_writes_plan_md_and_a_summary_section(tmp_path: Path) -> None:
    from redline.cli.main import main

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text('import requests\nrequests.get("http://example.test")\n')
    assert (
        main(
            [
                "audit",
                str(tmp_path / "src"),
                "--out",
                str(tmp_path / "out"),
                "-q",
                "--exit-zero",
                "--format",
                "markdown",
            ]
        )
        == 0
    )
    plan_md = (tmp_path / "out" / "plan.md").read_text()
    assert "### Week 1: firebreak (1 item(s))" in plan_md
    assert (
        "| 1 | Pass `timeout=(3.05, 10)` to this `requests.get(…)` call (seconds: pick what the caller can wait). "
        "| RES101 HTTP call through requests without a timeout (1 place(s), priority 27): app.py:2 | unassigned "
        "| small (default for RES) |" in plan_md
    )
    assert "### Month 1: hardening (0 item(s))\n\nNothing planned." in plan_md
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "## 30/60/90 plan" in summary and "### Week 1: firebreak (1 item(s))" in summary


def test_report_html_has_the_plan_escaped(tmp_path: Path) -> None:
    from redline.cli.main import main

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app<x>.py").write_text('import requests\nrequests.get("http://example.test")\n')
    assert (
        main(["audit", str(tmp_path / "src"), "--out", str(tmp_path / "out"), "-q", "--exit-zero", "--format", "html"])
        == 0
    )
    html = (tmp_path / "out" / "report.html").read_text()
    assert '<section id="plan">\n<h2>30/60/90 plan</h2>' in html
    assert "<h3>Week 1: firebreak (1 item(s))</h3>" in html
    assert "<code>app&lt;x&gt;.py:2</code>" in html and "app<x>.py" not in html.split("<script")[0]
