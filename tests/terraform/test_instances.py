"""count / for_each instances: exact addresses, bound each / count, unknown counts folded, none dropped silently."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from redline.checks import terraform as tf_checks
from redline.core.config import Config, ConfigError, SectionSpec, parse_config
from redline.core.model import Stage
from redline.sources.terraform.values import ResourceRef, Unknown

from .helpers import FIXTURES, audit, write
from .test_sources import _project

INSTANCES = FIXTURES / "instances"


def test_instances_are_expanded_with_exact_addresses() -> None:
    project = _project(INSTANCES)
    by_addr = {r.address: r for r in project.resources}
    assert set(by_addr) == {
        'aws_s3_bucket.b["assets"]',
        'aws_s3_bucket.b["logs"]',
        'aws_s3_bucket_public_access_block.b["logs"]',
        "aws_security_group.ingress[0]",
        "aws_security_group.ingress[1]",
        "aws_security_group.maybe",
        "aws_security_group.maybe_indexed",
    }
    assert by_addr['aws_s3_bucket.b["logs"]'].get("bucket") == "acme-logs"  # each.key bound
    assert by_addr['aws_s3_bucket.b["assets"]'].meta["instance"] == '["assets"]'
    block = by_addr['aws_s3_bucket_public_access_block.b["logs"]'].get("bucket")
    assert isinstance(block, ResourceRef) and (block.address, block.attribute) == ('aws_s3_bucket.b["logs"]', "id")
    sg0, sg1 = by_addr["aws_security_group.ingress[0]"], by_addr["aws_security_group.ingress[1]"]
    assert (sg0.get("name"), sg1.get("name")) == ("sg-0", "sg-1")  # count.index bound
    assert sg1.nested("ingress")[0].get("cidr_blocks") == ["0.0.0.0/0"]
    assert (sg0.start_line, sg0.end_line) == (24, 33)  # every instance keeps the block's span
    maybe = by_addr["aws_security_group.maybe_indexed"]  # count unknown: one instance, count.index unknown
    assert maybe.meta["count"] == Unknown("var.unknown_count has no default and no tfvars value")
    assert maybe.nested("ingress")[0].get("cidr_blocks")[0] == Unknown("index not known")


def test_no_instances_are_listed_not_dropped_silently() -> None:
    project = _project(INSTANCES)
    got = {(a.address, a.path, a.line, a.reason) for a in project.absent}
    assert got == {
        ("aws_security_group.off", "main.tf", 55, "count = 0"),
        ("aws_sqs_queue.none", "main.tf", 65, "for_each is empty"),
        ("module.noop", "main.tf", 70, "count = 0"),
    }
    assert not any(r.address.startswith("module.noop") for r in project.resources)


def test_rules_judge_each_instance() -> None:
    result = audit(INSTANCES)
    got = {
        (f.rule, f.location.resource, f.location.start_line) for f in result.findings if f.rule in ("TF101", "TF110")
    }
    assert got == {
        ("TF101", "aws_security_group.ingress[1]", 24),  # only the instance with 0.0.0.0/0
        ("TF101", "aws_security_group.maybe", 35),  # literal CIDR: fires even with an unknown count
        ("TF110", 'aws_s3_bucket.b["assets"]', 10),  # its public access block is filtered out by the for
    }
    assert result.errors == ()


def test_sets_and_counts_from_functions(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
locals { names = ["b", "a", "b"] }
resource "aws_sqs_queue" "q" {
  for_each = toset(local.names)
  name     = "${each.key}-${each.value}"
}
resource "aws_sqs_queue" "r" {
  count = length(range(3)) - 2
  name  = format("r-%d", count.index)
}
resource "aws_sqs_queue" "big" {
  count = 100000
}
""",
    )
    project = _project(tmp_path)
    names = {r.address: r.get("name") for r in project.resources}
    assert names == {
        'aws_sqs_queue.q["a"]': "a-a",
        'aws_sqs_queue.q["b"]': "b-b",
        "aws_sqs_queue.r[0]": "r-0",
        "aws_sqs_queue.big": None,
    }
    assert list(project.notes) == ["aws_sqs_queue.big: too many instances to expand; checked once, un-indexed"]


def test_policy_document_instances_link(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
variable "roles" { default = { ro = "s3:GetObject", admin = "*" } }
data "aws_iam_policy_document" "p" {
  for_each = var.roles
  statement {
    actions   = [each.value]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "p" {
  for_each = var.roles
  policy   = data.aws_iam_policy_document.p[each.key].json
}
""",
    )
    got = {(f.rule, f.location.resource) for f in audit(tmp_path).findings}
    assert got == {("TF105", 'data.aws_iam_policy_document.p["admin"]')}


_VARS = """
variable "env" {}
variable "cidr" { default = "10.0.0.0/8" }
resource "aws_security_group" "web" {
  name = "web-${var.env}"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""


def _with_var_files(files: list[str], source: str = "redline.toml") -> Config:
    cfg = parse_config({"terraform": {"var_files": files}}, source, sections=_sections())
    return replace(cfg, jobs=1)


def _sections() -> list[SectionSpec[Any]]:
    return [s for c in tf_checks.checks() for s in c.config_sections]


def test_var_files_from_other_directories(tmp_path: Path) -> None:
    write(tmp_path, "infra/main.tf", _VARS)
    write(tmp_path, "envs/prod.tfvars", 'env = "prod"\ncidr = "0.0.0.0/0"\n')
    write(tmp_path, "envs/prod-override.tfvars", 'cidr = "10.1.0.0/16"\n')
    write(tmp_path, "envs/other.tfvars", 'unrelated = "x"\n')
    quiet = audit(tmp_path)  # without -var-file the CIDR default is private
    assert not [f for f in quiet.findings if f.rule == "TF101"]
    assert [(e.where, e.reason, e.stage) for e in quiet.errors] == [  # and the report says why
        (
            "terraform var files",
            "3 .tfvars file(s) outside any module folder were not applied (envs/other.tfvars, "
            "envs/prod-override.tfvars, envs/prod.tfvars): Terraform was judged with the variables' defaults; "
            "name an environment's files in [terraform] var_files to judge it",
            Stage.NOTICE,
        )
    ]
    loud = audit(tmp_path, _with_var_files(["envs/prod.tfvars", "envs/other.tfvars"]))
    assert {(f.rule, f.location.resource, f.location.path) for f in loud.findings if f.rule == "TF101"} == {
        ("TF101", "aws_security_group.web", "infra/main.tf")
    }
    later_wins = audit(tmp_path, _with_var_files(["envs/prod.tfvars", "envs/prod-override.tfvars"]))
    assert not [f for f in later_wins.findings if f.rule == "TF101"]
    assert loud.errors == () and later_wins.errors == ()


def test_missing_var_files_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "infra/main.tf", _VARS)
    result = audit(tmp_path, _with_var_files(["envs/missing.tfvars"]))
    [error] = result.errors
    assert (error.where, error.reason) == (
        "terraform-project",
        "redline.toml: [terraform] var_files: 'envs/missing.tfvars' does not exist; Terraform was not judged",
    )


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../outside.tfvars", "'../outside.tfvars' is outside the audited root"),
        ("infra/main.tf", "'infra/main.tf' is not a .tfvars or .tfvars.json file"),
        ("", "every entry must be a non-empty path"),
    ],
)
def test_bad_var_files_are_config_errors(entry: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        _with_var_files([entry])
    assert str(err.value).startswith("redline.toml: [terraform] var_files: ") and reason in str(err.value)


def test_var_files_config_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"terraform\.var_file"):
        parse_config({"terraform": {"var_file": ["x.tfvars"]}}, "redline.toml", sections=_sections())
    with pytest.raises(ConfigError, match="must be list"):
        parse_config({"terraform": {"var_files": "x.tfvars"}}, "redline.toml", sections=_sections())


def test_registry_style_module_rules_by_count_index() -> None:
    """terraform-aws-security-group's pattern: var.rules[var.ingress_rules[count.index]], per module call."""
    root = FIXTURES / "sg_module"
    result = audit(root)
    got = {(f.rule, f.location.resource, f.location.path, f.location.start_line) for f in result.findings}
    assert got == {
        ("TF101", "module.web.aws_security_group_rule.ingress_rules[1]", "modules/sg/main.tf", 20),  # ssh-tcp
        ("TF101", "module.web.aws_security_group_rule.ingress_with_cidr_blocks[1]", "modules/sg/main.tf", 34),
    }  # https to the world, the /16 postgres rule and module.internal's ssh from 10/8 stay quiet
    project = _project(root)
    assert sorted((a.address, a.reason) for a in project.absent) == [
        ("module.disabled.aws_security_group.this", "count = 0"),
        ("module.disabled.aws_security_group_rule.computed_ingress_rules", "count = 0"),
        ("module.disabled.aws_security_group_rule.ingress_rules", "count = 0"),
        ("module.disabled.aws_security_group_rule.ingress_with_cidr_blocks", "count = 0"),
        ("module.internal.aws_security_group_rule.computed_ingress_rules", "count = 0"),
        ("module.internal.aws_security_group_rule.ingress_with_cidr_blocks", "count = 0"),
        ("module.web.aws_security_group_rule.computed_ingress_rules", "count = 0"),
    ]
    assert not any(r.address.startswith("module.disabled.") for r in project.resources)


def test_string_counts_as_terraform_converts_them(tmp_path: Path) -> None:
    """terraform-aws-sqs (0.11 style): count = "${local.n}" where local.n is a string."""
    write(
        tmp_path,
        "main.tf",
        """
variable "kms_master_key_id" { default = "" }
locals {
  create_this_sqs_queue = "${var.kms_master_key_id == "" ? 1 : 0}"
}
resource "aws_sqs_queue" "this" {
  count = "${local.create_this_sqs_queue}"
}
resource "aws_sqs_queue" "this_with_kms" {
  count = "${1 - local.create_this_sqs_queue}"
}
""",
    )
    project = _project(tmp_path)
    assert [r.address for r in project.resources] == ["aws_sqs_queue.this[0]"]
    assert [a.address for a in project.absent] == ["aws_sqs_queue.this_with_kms"]


def test_module_calls_with_count_and_for_each_are_instances(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
variable "envs" { default = { dev = "10.0.0.0/8", prod = "0.0.0.0/0" } }
module "edge" {
  source   = "./modules/edge"
  for_each = var.envs
  name     = "edge-${each.key}"
  cidr     = each.value
}
module "one" {
  source = "./modules/edge"
  count  = 1
  name   = "one"
  cidr   = "10.0.0.0/8"
}
resource "aws_sqs_queue" "uses" {
  name = "${module.edge["prod"].sg_name}+${module.one[0].sg_name}"
  tags = { dev = module.edge["dev"].sg_name, missing = module.edge["qa"].sg_name, id = module.edge["dev"].sg_id }
}
""",
    )
    write(
        tmp_path,
        "modules/edge/main.tf",
        """
variable "name" {}
variable "cidr" {}
resource "aws_security_group" "sg" {
  name = var.name
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
output "sg_name" { value = var.name }
output "sg_id" { value = aws_security_group.sg.id }
""",
    )
    project = _project(tmp_path)
    names = {r.address: r.get("name") for r in project.resources}
    assert names == {
        'module.edge["dev"].aws_security_group.sg': "edge-dev",
        'module.edge["prod"].aws_security_group.sg': "edge-prod",
        "module.one[0].aws_security_group.sg": "one",
        "aws_sqs_queue.uses": "edge-prod+one",
    }
    uses = project.get("aws_sqs_queue.uses")
    assert uses is not None and uses.get("tags")["dev"] == "edge-dev"
    assert uses.get("tags")["missing"] == Unknown("module.edge: no instance 'qa'")
    ref = uses.get("tags")["id"]
    assert isinstance(ref, ResourceRef) and ref.address == 'module.edge["dev"].aws_security_group.sg'
    got = {(f.rule, f.location.resource, f.location.path) for f in audit(tmp_path).findings if f.rule == "TF101"}
    assert got == {("TF101", 'module.edge["prod"].aws_security_group.sg', "modules/edge/main.tf")}


def test_a_bad_var_files_entry_is_reported_once_not_once_per_check(tmp_path: Path) -> None:
    write(tmp_path, "infra/main.tf", _VARS)
    result = audit(tmp_path, _with_var_files(["envs/missing.tfvars"]))
    assert len(result.errors) == 1 and result.errors[0].fatal
