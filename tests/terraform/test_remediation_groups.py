"""Every Terraform finding says what to change; instances of one block share a root cause; secrets stay out."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

from redline.checks.terraform.star_only import DATA, resource_star_only

from .helpers import FIXTURES, audit, write


def test_every_finding_in_every_fixture_has_a_concrete_remediation() -> None:
    seen: set[str] = set()
    for fixture in sorted(p for p in FIXTURES.iterdir() if p.name.startswith("TF")):
        for f in audit(fixture).findings:
            seen.add(f.rule)
            assert f.remediation.strip(), (f.rule, f.location.resource)
            assert "`" in f.remediation or "terraform apply" in f.remediation, f.remediation  # names the HCL
    assert len(seen) >= 38


def test_module_instances_of_one_block_share_a_group(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        'module "a" {\n  source = "./modules/db"\n}\n'
        'module "b" {\n  source = "./modules/db"\n}\n'
        'resource "aws_db_instance" "own" {\n  engine = "postgres"\n  multi_az = true\n'
        "  storage_encrypted = true\n}\n",
    )
    write(
        tmp_path,
        "modules/db/main.tf",
        'resource "aws_db_instance" "this" {\n  engine = "postgres"\n'
        "  multi_az = true\n  storage_encrypted = false\n}\n",
    )
    hits = [f for f in audit(tmp_path).findings if f.rule == "TF111"]
    assert {f.location.resource for f in hits} == {"module.a.aws_db_instance.this", "module.b.aws_db_instance.this"}
    assert len({f.group for f in hits}) == 1 and hits[0].group.startswith("terraform:modules/db/main.tf:1:")
    assert len({f.fingerprint for f in hits}) == 2  # still two locations


def test_counted_instances_share_a_group_but_other_blocks_do_not(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        'resource "aws_ebs_volume" "v" {\n  count = 3\n  size = 1\n}\nresource "aws_ebs_volume" "w" {\n  size = 1\n}\n',
    )
    hits = [f for f in audit(tmp_path).findings if f.rule == "TF111"]
    groups = {f.location.resource: f.group for f in hits}
    assert len(groups) == 4
    assert len({groups[f"aws_ebs_volume.v[{i}]"] for i in range(3)}) == 1
    assert groups["aws_ebs_volume.w"] != groups["aws_ebs_volume.v[0]"]


def test_provider_credentials_are_named_never_shown() -> None:
    result = audit(FIXTURES / "TF120")
    text = json.dumps([[f.message, f.evidence.to_json(), f.location.snippet, f.remediation] for f in result.findings])
    assert "tR9x2Lq8" not in text and "AKIAQYLPMN5HFIQR7XYZ" not in text and "8Q~3xUv" not in text
    hit = next(f for f in result.findings if f.location.resource == "provider.aws.keys")
    assert (hit.location.path, hit.location.start_line) == ("failure/main.tf", 1)
    assert "access_key, secret_key" in hit.message


def test_lambda_secret_values_never_appear() -> None:
    result = audit(FIXTURES / "TF140")
    hit = next(f for f in result.findings if f.rule == "TF140")
    assert "API_TOKEN, DB_PASSWORD" in hit.message
    assert "Tr0ub4dor" not in json.dumps([hit.message, hit.evidence.to_json()]) and "9f8e7d6c" not in hit.message


def test_star_only_actions_are_data_with_a_source_per_service() -> None:
    with DATA.open("rb") as fh:
        services = tomllib.load(fh)["services"]
    assert len(services) >= 10
    for name, entry in services.items():
        assert entry["source"].startswith("https://docs.aws.amazon.com/service-authorization/"), name
        assert all(a.lower().startswith(f"{name}:") for a in entry["actions"]), name
    assert resource_star_only("ec2:DescribeInstances") and resource_star_only("CloudWatch:PutMetricData")
    assert not resource_star_only("logs:PutLogEvents") and not resource_star_only("xray:*")


def test_example_root_modules_are_reported_low(tmp_path: Path) -> None:
    module = 'resource "aws_db_instance" "this" {\n  engine = "postgres"\n  publicly_accessible = true\n}\n'
    write(tmp_path, "modules/db/main.tf", module)
    write(tmp_path, "envs/prod/main.tf", 'module "db" {\n  source = "../../modules/db"\n}\n')
    write(tmp_path, "examples/simple/main.tf", 'module "db" {\n  source = "../../modules/db"\n}\n')
    hits = {f.evidence.text("root_module"): f for f in audit(tmp_path).findings if f.rule == "TF104"}
    assert str(hits["envs/prod"].severity) == "high" and "example" not in hits["envs/prod"].message
    assert str(hits["examples/simple"].severity) == "low"
    assert "[example/test configuration]" in hits["examples/simple"].message
    assert hits["envs/prod"].group == hits["examples/simple"].group  # one block, one root cause


def test_drift_findings_say_how_to_reconcile(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "drift" / "prod.tfplan.json", tmp_path / "prod.tfplan.json")
    drift = {f.location.resource: f.remediation for f in audit(tmp_path).findings if f.rule == "TF119"}
    assert "`aws_security_group.web`" in drift["aws_security_group.web"]
    assert "terraform apply" in drift["module.queue.aws_sqs_queue.dlq"]
    assert "intended" in drift["module.queue.aws_sqs_queue.dlq"]


def test_provider_credentials_in_an_example_take_the_shared_context_step(tmp_path: Path) -> None:
    # ProviderCredentialsCheck goes out through TerraformCheck.emit_at like every resource rule: a provider block
    # with literal keys in examples/ is kept, low, listed apart and not gating; the same block in envs/ is not
    block = (
        'provider "aws" {\n  region = "eu-west-1"\n  access_key = "AKIAQYLPMN5HFIQR7XYZ"\n'
        '  secret_key = "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"\n}\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
    )
    write(tmp_path, "envs/prod/main.tf", block)
    write(tmp_path, "examples/simple/main.tf", "\n" + block)
    hits = {f.location.path: f for f in audit(tmp_path).findings if f.rule == "TF120"}
    assert set(hits) == {"envs/prod/main.tf", "examples/simple/main.tf"}
    prod, example = hits["envs/prod/main.tf"], hits["examples/simple/main.tf"]
    assert (prod.location.start_line, example.location.start_line) == (1, 2)
    assert str(prod.severity) == "high" and "context:sample" not in prod.tags
    assert str(example.severity) == "low" and {"context:sample", "gate:exempt"} <= set(example.tags)
    assert "[example/test configuration]" in example.message
