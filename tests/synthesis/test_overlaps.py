"""One credential, one finding: the overlap step on real files through the real pipeline."""

from __future__ import annotations

import json
from pathlib import Path

from audit_helpers import cli_audit, cli_report
from redline.checks import secrets
from redline.cli.main import main
from redline.core.evidence import Evidence
from redline.core.facts import Facts
from redline.core.model import Finding, Location, Severity
from redline.core.rules import RuleRegistry
from redline.synthesis.overlaps import ci_service_everywhere, merge_overlaps

FIXTURE = Path(__file__).parent / "fixtures" / "overlaps"
SELECT = ("--select", "SEC,DKR104,KUB112,CMP")

# (rule, path, line, also, variable, suppressed)
Row = tuple[str, str, int, str, str, bool]


def _audit(tmp_path: Path, *extra: str) -> set[Row]:
    out = tmp_path / "out"
    assert cli_audit(FIXTURE, out, *SELECT, "--format", "json", "--exit-zero", *extra) == 0
    data = cli_report(out)
    rows = set()
    for f in data["findings"]:  # every place of an item (one secret value in several places is one item)
        for place in [{**f["location"], "rule": f["rule"], "evidence": f["evidence"]}, *f.get("related_locations", [])]:
            ev = dict(place["evidence"])
            rows.add(
                (
                    place["rule"],
                    place["path"],
                    place["start_line"],
                    ", ".join(ev.get("also", [])),
                    ev.get("variable", ""),
                    bool(f.get("suppressed")),
                )
            )
    return rows


def test_dockerfile_kubernetes_and_compose_overlaps(tmp_path: Path) -> None:
    rows = _audit(tmp_path)
    assert {r for r in rows if r[1] == "Dockerfile"} == {
        ("SEC904", "Dockerfile", 3, "DKR104", "DB_PASSWORD", False),  # value + name: one finding
        ("DKR104", "Dockerfile", 4, "", "APP_TOKEN", False),  # placeholder value: no SEC counterpart
        ("DKR104", "Dockerfile", 5, "", "NPM_TOKEN", False),  # ARG without a value
        ("SEC220", "Dockerfile", 6, "DKR104, SEC904", "", False),  # provider rule beats the file-kind rule
        ("SEC904", "Dockerfile", 7, "DKR104", "API_PASSWORD", False),  # two variables on one line:
        ("SEC904", "Dockerfile", 7, "DKR104", "SERVICE_TOKEN", False),  # each pairs with its own DKR104
        ("SEC904", "Dockerfile", 9, "", "CACHE_PASSWORD", True),  # suppressed inline ...
        ("DKR104", "Dockerfile", 9, "", "CACHE_PASSWORD", False),  # ... so DKR104 stays
    }
    assert {r for r in rows if r[1] == "k8s/app.yaml"} == {
        ("SEC903", "k8s/app.yaml", 8, "SEC449", "", False),  # the Secret's rule beats the generic one
        ("SEC220", "k8s/app.yaml", 9, "SEC903", "", False),
        ("SEC906", "k8s/app.yaml", 24, "KUB112", "", False),  # the data-store family reads the env entry
        ("KUB112", "k8s/app.yaml", 26, "", "API_TOKEN", False),  # the entry next to a secret's is not it
        ("SEC220", "k8s/app.yaml", 28, "KUB112", "", False),  # the STRIPE_SECRET_KEY env entry
    }
    compose = {r for r in rows if r[1] == "docker-compose.yml"}
    # no name-based compose rule: nothing to merge, nothing lost (postgres drops root in its entrypoint and
    # nothing depends on `db`: no CMP103, no CMP106)
    assert compose == {
        ("CMP105", "docker-compose.yml", 3, "", "", False),
        ("SEC906", "docker-compose.yml", 6, "", "", False),  # POSTGRES_PASSWORD in compose environment
        ("SEC220", "docker-compose.yml", 7, "", "", False),
    }


def test_unselected_counterpart_keeps_the_name_based_finding(tmp_path: Path) -> None:
    rows = _audit(tmp_path, "--ignore", "SEC904,SEC903")
    docker = {(r[0], r[2], r[3], r[4]) for r in rows if r[1] == "Dockerfile"}
    assert docker == {
        ("DKR104", 3, "", "DB_PASSWORD"),  # SEC904 is off: the name-based finding stays
        ("DKR104", 4, "", "APP_TOKEN"),
        ("DKR104", 5, "", "NPM_TOKEN"),
        ("DKR104", 6, "", "STRIPE_SECRET"),  # SEC220 alone does not name the variable
        ("SEC220", 6, "", ""),
        ("DKR104", 7, "", "API_PASSWORD"),
        ("DKR104", 7, "", "SERVICE_TOKEN"),
        ("DKR104", 9, "", "CACHE_PASSWORD"),
    }
    kube = {(r[0], r[2], r[3], r[4]) for r in rows if r[1] == "k8s/app.yaml"}
    assert kube == {
        ("SEC449", 8, "", ""),  # the generic one stays when SEC903 is off
        ("SEC220", 9, "", ""),
        ("SEC906", 24, "KUB112", ""),  # the data-store family reads the value and absorbs the name-based one
        ("KUB112", 26, "", "API_TOKEN"),
        ("SEC220", 28, "KUB112", ""),
    }


#: the packaged secret rules: they say which rules are generic (SEC436) and which are not
RULES = RuleRegistry(r for c in secrets.checks() for r in c.rules)


def _secret(rule: str, line: int, digest: str = "h1", **extra: str | bool) -> Finding:
    evidence = Evidence({"secret_hash": digest, **extra})
    return Finding(
        rule,
        f"{rule} finding",
        Severity.HIGH,
        Location("a.env", line, line),
        evidence=evidence,
        identity=f"{rule}{digest}",
    )


def test_same_secret_needs_same_hash_and_overlapping_lines() -> None:
    generic, dotenv = _secret("SEC436", 2), _secret("SEC901", 2)
    other_line, other_hash = _secret("SEC436", 5), _secret("SEC436", 2, "h2")
    merged = merge_overlaps([generic, dotenv, other_line, other_hash], Facts([]), RULES)
    assert [(f.rule, f.location.start_line, dict(f.evidence).get("also")) for f in merged] == [
        ("SEC901", 2, ("SEC436",)),
        ("SEC436", 5, None),
        ("SEC436", 2, None),
    ]
    assert merge_overlaps(merged, Facts([]), RULES) == merged  # a second pass changes nothing
    backwards = merge_overlaps([other_hash, other_line, dotenv, generic], Facts([]), RULES)
    assert set(backwards) == set(merged)  # the order findings arrive in does not matter


def test_suppressed_or_past_findings_are_never_merged() -> None:
    from dataclasses import replace

    suppressed = replace(_secret("SEC901", 2), suppressed="reviewed")
    generic = _secret("SEC436", 2)
    assert merge_overlaps([suppressed, generic], Facts([]), RULES) == [suppressed, generic]
    past = _secret("SEC901", 2, present_at_head=False)
    assert merge_overlaps([past, generic], Facts([]), RULES) == [past, generic]


def test_history_evidence_and_severity_carry_over() -> None:
    from dataclasses import replace

    generic = replace(_secret("SEC436", 2, introduced_in="abc123", present_at_head=True), severity=Severity.CRITICAL)
    dotenv = _secret("SEC901", 2)
    [kept] = merge_overlaps([generic, dotenv], Facts([]), RULES)
    evidence = dict(kept.evidence)
    assert kept.rule == "SEC901" and kept.severity == Severity.CRITICAL
    assert evidence["introduced_in"] == "abc123" and evidence["also"] == ("SEC436",)


def test_secrets_command_merges_alike(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["secrets", "-q", str(FIXTURE), "--out", str(out), "--format", "json", "--exit-zero"]) == 0
    data = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    rows = sorted(
        (p["rule"], p["path"], p["start_line"], ", ".join(p["evidence"].get("also", [])))
        for f in data["findings"]
        if not f.get("suppressed")
        for p in [{**f["location"], "rule": f["rule"], "evidence": f["evidence"]}, *f.get("related_locations", [])]
    )
    assert rows == [  # only secret rules run here: no DKR104/KUB112 to absorb
        ("SEC220", "Dockerfile", 6, "SEC904"),
        ("SEC220", "docker-compose.yml", 7, ""),
        ("SEC220", "k8s/app.yaml", 9, "SEC903"),
        ("SEC220", "k8s/app.yaml", 28, ""),
        ("SEC903", "k8s/app.yaml", 8, "SEC449"),
        ("SEC904", "Dockerfile", 3, ""),
        ("SEC904", "Dockerfile", 7, ""),
        ("SEC904", "Dockerfile", 7, ""),
        ("SEC906", "docker-compose.yml", 6, ""),
        ("SEC906", "k8s/app.yaml", 24, ""),
    ]


def test_default_credential_keeps_its_severity_when_absorbing_a_name_based_finding(tmp_path: Path) -> None:
    """KUB112 (a credential-named env entry, medium) folds into SEC907 (the value is the image's default,
    low): one finding, and the value-based verdict decides its severity."""
    (tmp_path / "db.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: db\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: db\n          image: postgres:16\n          env:\n"
        "            - name: POSTGRES_PASSWORD\n              value: postgres\n"
    )
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "-q",
                str(tmp_path),
                "--out",
                str(out),
                "--format",
                "json",
                "--exit-zero",
                "--select",
                "SEC,KUB112",
            ]
        )
        == 0
    )
    rows = [
        (f["rule"], f["severity"], dict(f["evidence"]).get("also", ""))
        for f in json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]
    ]
    assert rows == [("SEC907", "low", ["KUB112"])]


def test_a_literal_settings_key_and_its_secret_finding_are_one_item() -> None:
    """taiga's settings/common.py: WEB307 (SECRET_KEY is a literal) and SEC438 on the same line are one key to rotate;
    WEB307 on another line, or in another file, stays."""
    from dataclasses import replace

    secret = replace(_secret("SEC438", 249), location=Location("settings/common.py", 249, 249))
    same = Finding("WEB307", "SECRET_KEY is a literal", Severity.HIGH, Location("settings/common.py", 249, 249))
    other_line = replace(same, location=Location("settings/common.py", 12, 12))
    other_file = replace(same, location=Location("settings/local.py", 249, 249))
    merged = merge_overlaps([secret, same, other_line, other_file], Facts([]), RULES)
    assert [(f.rule, f.location.path, f.location.start_line, dict(f.evidence).get("also")) for f in merged] == [
        ("SEC438", "settings/common.py", 249, ("WEB307",)),
        ("WEB307", "settings/common.py", 12, None),
        ("WEB307", "settings/local.py", 249, None),
    ]


def test_a_fallback_that_is_a_real_secret_and_its_secret_finding_are_one_item() -> None:
    """``process.env.GITHUB_TOKEN || 'ghp_...'``: WEB310 (a literal fallback) and SEC150 (the token itself) on one line
    are one token to rotate; the secret finding stays and names WEB310."""
    from dataclasses import replace

    secret = replace(_secret("SEC150", 1), location=Location("src/app.js", 1, 1))
    fallback = Finding("WEB310", "GITHUB_TOKEN falls back to a literal", Severity.MEDIUM, Location("src/app.js", 1, 1))
    elsewhere = replace(fallback, location=Location("src/app.js", 7, 7))
    merged = merge_overlaps([secret, fallback, elsewhere], Facts([]), RULES)
    assert [(f.rule, f.location.start_line, dict(f.evidence).get("also")) for f in merged] == [
        ("SEC150", 1, ("WEB310",)),
        ("WEB310", 7, None),
    ]


def test_only_a_provider_key_a_ci_job_hands_its_own_store_ties_the_same_value_elsewhere() -> None:
    """An AWS-shaped pair a CI job starts its minio with is no AWS key anywhere: the same value elsewhere takes the
    CI's context. A database password the CI's own database has (a file-kind rule, SEC906) may be production's
    too: the same value elsewhere stays. So does another value, and a place already lowered for its own reason."""
    from dataclasses import replace

    from redline.core.context import CI_SERVICE, TEST_OR_SAMPLE, is_in_context, lower_in_context

    def at(f: Finding, path: str) -> Finding:
        return replace(f, location=Location(path, 4, 4), group=f"secret:code:{f.evidence.text('secret_hash')}")

    ci_key = at(lower_in_context(_secret("SEC100", 4, "k1"), CI_SERVICE), ".github/workflows/scripts/install.sh")
    ci_password = at(lower_in_context(_secret("SEC906", 4, "p1"), CI_SERVICE), ".github/workflows/test.yml")
    same_key, other_key = at(_secret("SEC100", 4, "k1"), "template_config.yml"), at(_secret("SEC100", 4, "k2"), "a.yml")
    same_password = at(_secret("SEC906", 4, "p1"), "deploy/app.yml")
    in_docs = at(lower_in_context(_secret("SEC100", 4, "k1"), TEST_OR_SAMPLE), "docs/storage.md")
    found = [ci_key, ci_password, same_key, other_key, same_password, in_docs]
    tied = ci_service_everywhere(found, RULES)
    changed = [
        (f.location.path, f.severity, f.evidence.text("context"), f.group)
        for f, was in zip(tied, found, strict=True)
        if f != was
    ]
    assert changed == [("template_config.yml", Severity.LOW, CI_SERVICE, "secret:sample:k1")]
    assert is_in_context(tied[2]) and tied[2].message.endswith(
        "(the value of a CI job's own data store in .github/workflows/scripts/install.sh)"
    )
    assert ci_service_everywhere([replace(ci_key, suppressed="reviewed"), same_key], RULES)[1] == same_key
