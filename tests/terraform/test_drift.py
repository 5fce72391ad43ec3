"""Drift from plan JSON: one finding per drifted resource, sensitive values redacted, allowlist honoured."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from redline.checks.terraform.drift import DRIFT_SECTION
from redline.core.config import Config, ConfigError, parse_config
from redline.sources.terraform.plan import parse_plan

from .helpers import FIXTURES, audit, write


def _drift(root: Path, config: Config | None = None) -> dict[str, str]:
    result = audit(root, config)
    assert not result.errors, result.errors
    return {f.location.resource: f.message for f in result.findings if f.rule == "TF119"}


def _copy(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "drift" / "prod.tfplan.json", tmp_path / "prod.tfplan.json")
    return tmp_path


def test_every_drift_entry_names_address_and_changes(tmp_path: Path) -> None:
    found = _drift(_copy(tmp_path))
    assert set(found) == {
        "aws_security_group.web",
        "aws_db_instance.main",
        "aws_autoscaling_group.workers",
        "module.queue.aws_sqs_queue.dlq",
    }
    assert found["aws_security_group.web"] == (
        "aws_security_group.web: changed outside Terraform: "
        "ingress.0.from_port: 443 -> 22; ingress.0.to_port: 443 -> 22"
    )
    assert found["aws_autoscaling_group.workers"].endswith("desired_capacity: 2 -> 7")
    assert found["module.queue.aws_sqs_queue.dlq"].endswith("deleted outside Terraform")


def test_sensitive_values_are_redacted_everywhere(tmp_path: Path) -> None:
    result = audit(_copy(tmp_path))
    (f,) = [f for f in result.findings if f.location.resource == "aws_db_instance.main"]
    assert "password: (sensitive) -> (sensitive)" in f.message
    assert 'instance_class: "db.t3.micro" -> "db.r6g.large"' in f.message
    blob = repr(result.findings)
    assert "hunter2" not in blob and "s3cr3t" not in blob


def test_security_resources_drift_is_high(tmp_path: Path) -> None:
    result = audit(_copy(tmp_path))
    sev = {f.location.resource: str(f.severity) for f in result.findings if f.rule == "TF119"}
    assert sev["aws_security_group.web"] == "high" and sev["aws_autoscaling_group.workers"] == "medium"


def test_allowlist_globs_on_address_and_attribute(tmp_path: Path) -> None:
    config = parse_config(
        {"jobs": 1, "drift": {"ignore": ["aws_autoscaling_group.*.desired_capacity", "aws_db_instance.main.password"]}},
        "redline.toml",
        sections=[DRIFT_SECTION],
    )
    found = _drift(_copy(tmp_path), config)
    assert "aws_autoscaling_group.workers" not in found
    assert "password" not in found["aws_db_instance.main"]  # ignored attribute dropped, the rest kept
    assert "instance_class" in found["aws_db_instance.main"]


def test_no_resource_drift_key_means_no_drift(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "drift" / "clean-plan.json", tmp_path / "clean-plan.json")
    write(tmp_path, "unrelated.json", '{"format_version": "1", "name": "x"}')
    assert _drift(tmp_path) == {}


def test_wrong_type_in_drift_section_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"drift\.ignore"):
        parse_config({"drift": {"ignore": "aws_*"}}, "redline.toml", sections=[DRIFT_SECTION])


def test_planned_values_are_checked_where_the_configuration_cannot_see() -> None:
    result = audit(FIXTURES / "plan_values")
    assert not result.errors, result.errors
    got = sorted(
        (f.rule, f.location.path, f.location.start_line, f.location.resource)
        for f in result.findings
        if f.rule in ("TF101", "TF109", "TF111", "TF108")
    )
    assert got == [
        ("TF101", "app.tfplan.json", 0, "module.vpc.aws_security_group.this[0]"),  # registry module: plan only
        ("TF109", "main.tf", 6, "aws_s3_bucket.b"),  # in the configuration: reported there, once
        ("TF111", "app.tfplan.json", 0, "module.db.aws_db_instance.this[0]"),
        ("TF111", "main.tf", 6, "aws_s3_bucket.b"),
    ]  # the SNS key is known only after apply: no finding; a deleted key: no finding
    assert "s3cr3t" not in repr(result.findings)


def test_plan_fact_never_holds_a_sensitive_value() -> None:
    for name in ("plan_values/app.tfplan.json", "drift/prod.tfplan.json"):
        data = json.loads((FIXTURES / name).read_text())
        fact = parse_plan(name, data)
        assert "s3cr3t" not in repr(fact) and "hunter2" not in repr(fact)
