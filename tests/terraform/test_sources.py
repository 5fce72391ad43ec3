"""Terraform sources: modules, variables, tfvars, providers, .tf.json, bad input, suppression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.core.facts import Facts
from redline.core.filekinds import kind_of
from redline.core.model import Stage
from redline.core.workspace import FileText, SourceFile, read_file
from redline.sources.terraform import modules
from redline.sources.terraform.evaluate import Scope
from redline.sources.terraform.hcl import parse_hcl
from redline.sources.terraform.modules import TerraformProject, assemble
from redline.sources.terraform.plan import PlanFile, parse_plan
from redline.sources.terraform.project import build_project
from redline.sources.terraform.source import MAX_HCL_BYTES, TerraformSource, TfVarsSource
from redline.sources.terraform.syntax import Block, Ref, Template, TerraformFile, TfVarsFile
from redline.sources.terraform.topology import region_topology
from redline.sources.terraform.values import Body, ResourceRef, Unknown

from .helpers import FIXTURES, audit, write


def _facts(root: Path) -> list[object]:
    out: list[object] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        sf = SourceFile(rel, str(path), kind_of(rel), path.stat().st_size)
        for source in (TerraformSource(), TfVarsSource()):
            if source.wants(sf):
                fact = source.parse(read_file(sf))
                if fact is not None:
                    out.append(fact)
    return out


def _project(root: Path) -> TerraformProject:
    facts = _facts(root)
    return assemble([f for f in facts if isinstance(f, TerraformFile)], [f for f in facts if isinstance(f, TfVarsFile)])


def test_expressions_become_nodes_with_lines() -> None:
    blocks = parse_hcl(
        'resource "aws_s3_bucket" "b" {\n  bucket = "logs-${var.env}"\n  tags   = { Name = local.name }\n}\n'
    )
    (block,) = blocks
    assert (block.type, block.labels, block.start_line, block.end_line) == ("resource", ("aws_s3_bucket", "b"), 1, 4)
    assert block.attrs["bucket"] == Template(("logs-", Ref(("var", "env"))))
    assert block.attrs["tags"] == {"Name": Ref(("local", "name"))}
    assert block.attr_lines == {"bucket": 2, "tags": 3}


def test_modules_variables_tfvars_locals_and_providers(tmp_path: Path) -> None:
    write(
        tmp_path,
        "live/main.tf",
        """
variable "env" {}
variable "region" { default = "eu-west-1" }
variable "replicas" { default = 1 }
locals {
  prefix = "acme-${var.env}"
  cidrs  = ["10.0.0.0/8", var.extra]
}
provider "aws" { region = var.region }
provider "aws" {
  alias  = "use1"
  region = "us-east-1"
  assume_role { role_arn = "arn:aws:iam::123456789012:role/deploy" }
}
resource "aws_s3_bucket" "logs" { bucket = "${local.prefix}-logs" }
resource "aws_sqs_queue" "q" {
  provider = aws.use1
  name     = upper(var.env)
  count    = var.replicas > 0 ? 1 : 0
}
resource "aws_sqs_queue" "off" { count = 0 }
module "net" {
  source    = "../modules/net"
  name      = local.prefix
  cidrs     = local.cidrs
  providers = { aws = aws.use1 }
}
module "remote" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
""",
    )
    write(tmp_path, "live/terraform.tfvars", 'env = "prod"\n')
    write(
        tmp_path,
        "modules/net/main.tf",
        """
variable "name" {}
variable "cidrs" { type = list(string) }
variable "port" { default = 22 }
resource "aws_security_group" "this" {
  name = "${var.name}-sg"
  ingress {
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = var.cidrs
  }
}
""",
    )
    project = _project(tmp_path)
    assert project.roots == ["live"]
    by_addr = {r.address: r for r in project.resources}
    assert set(by_addr) == {"aws_s3_bucket.logs", "aws_sqs_queue.q[0]", "module.net.aws_security_group.this"}
    assert by_addr["aws_s3_bucket.logs"].get("bucket") == "acme-prod-logs"
    assert by_addr["aws_s3_bucket.logs"].provider.region == "eu-west-1"  # type: ignore[union-attr]
    q = by_addr["aws_sqs_queue.q[0]"]
    assert q.get("name") == "PROD"
    assert (q.provider.region, q.provider.account) == ("us-east-1", "123456789012")  # type: ignore[union-attr]
    sg = by_addr["module.net.aws_security_group.this"]
    assert sg.path == "modules/net/main.tf" and sg.module == "module.net"
    assert sg.get("name") == "acme-prod-sg"
    ingress = sg.nested("ingress")[0]
    assert ingress.get("from_port") == 22
    cidrs = ingress.get("cidr_blocks")
    assert cidrs[0] == "10.0.0.0/8" and isinstance(cidrs[1], Unknown)  # var.extra is not declared: unknown
    assert sg.provider.region == "us-east-1"  # type: ignore[union-attr]  # through providers = { aws = aws.use1 }
    calls = {c.address: c for c in project.calls}
    assert calls["module.net"].followed and calls["module.net"].directory == "modules/net"
    assert not calls["module.remote"].followed


def test_unknowns_are_explicit_never_guessed(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
variable "no_default" {}
resource "aws_s3_bucket" "b" {
  bucket = "x-${var.no_default}"
  acl    = var.no_default == "a" ? "public-read" : "private"
  tags   = merge(var.no_default, { a = "b" })
  policy = data.aws_iam_policy_document.p.json
  list   = [for s in ["a"] : upper(s)]
  other  = [for s in var.no_default : upper(s)]
}
""",
    )
    (b,) = _project(tmp_path).resources
    assert isinstance(b.get("bucket"), Unknown)
    assert isinstance(b.get("acl"), Unknown)
    assert isinstance(b.get("tags"), Unknown)
    ref = b.get("policy")
    assert isinstance(ref, ResourceRef) and (ref.address, ref.attribute) == ("data.aws_iam_policy_document.p", "json")
    assert b.get("list") == ["A"]
    assert isinstance(b.get("other"), Unknown)


def test_several_var_files_only_agreeing_values_are_used(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        'variable "a" {}\nvariable "b" {}\nresource "aws_s3_bucket" "x" {\n  bucket = var.a\n  acl = var.b\n}\n',
    )
    write(tmp_path, "dev.tfvars", 'a = "same"\nb = "private"\n')
    write(tmp_path, "prod.tfvars", 'a = "same"\nb = "public-read"\n')
    project = _project(tmp_path)
    (x,) = project.resources
    assert x.get("bucket") == "same"
    assert isinstance(x.get("acl"), Unknown)
    assert any("several var files" in n for n in project.notes)


def test_tf_json_is_read_like_hcl(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf.json",
        """{
  "variable": {"env": {"default": "dev"}},
  "resource": {
    "aws_security_group": {
      "open": {
        "name": "open-${var.env}",
        "ingress": [{"from_port": 3389, "to_port": 3389, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]
      }
    }
  }
}
""",
    )
    result = audit(tmp_path)
    (f,) = [f for f in result.findings if f.rule == "TF101"]
    assert f.location.resource == "aws_security_group.open"
    assert (f.location.path, f.location.start_line, f.location.end_line) == ("main.tf.json", 5, 8)


def test_invalid_hcl_is_a_clear_per_file_error_and_the_run_goes_on() -> None:
    result = audit(FIXTURES / "badinput")
    errors = {e.where: e.reason for e in result.errors}
    assert errors["broken.tf"].startswith("terraform: invalid HCL at line 6")
    assert "future.tfplan.json" in errors
    assert "unsupported Terraform plan format_version '2.0'" in errors["future.tfplan.json"]
    assert "package.json" not in errors  # a JSON file that is not a plan is simply not a plan
    assert [f.location.resource for f in result.findings] == ["aws_iam_access_key.still_checked"]
    assert not any(f.rule == "TF119" for f in result.findings)


def test_huge_tf_file_is_refused_with_a_reason(tmp_path: Path) -> None:
    block = 'resource "aws_sqs_queue" "q%d" {\n  name = "queue-%d"\n}\n'
    text = "".join(block % (i, i) for i in range(MAX_HCL_BYTES // 40 + 10))
    write(tmp_path, "huge.tf", text)
    write(tmp_path, "small.tf", 'resource "aws_iam_access_key" "k" {\n  user = "u"\n}\n')
    result = audit(tmp_path)
    errors = {e.where: e.reason for e in result.errors}
    assert "too large to parse" in errors["huge.tf"]
    assert [f.location.resource for f in result.findings] == ["aws_iam_access_key.k"]


def test_ignore_comment_inside_the_block_suppresses_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """resource "aws_security_group" "bastion" {
  # redline: ignore[TF101] bastion is fronted by a port-knocking daemon
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "other" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # redline: ignore[TF102] wrong code: does not apply
  }
}
""",
    )
    result = audit(tmp_path)
    by_addr = {f.location.resource: f for f in result.findings if f.rule == "TF101"}
    assert by_addr["aws_security_group.bastion"].suppressed == "bastion is fronted by a port-knocking daemon"
    assert by_addr["aws_security_group.other"].suppressed is None


def test_module_instances_are_reported_per_address(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        'module "a" {\n  source = "./db"\n  public = true\n}\nmodule "b" {\n  source = "./db"\n  public = false\n}\n',
    )
    write(
        tmp_path,
        "db/main.tf",
        'variable "public" {}\nresource "aws_db_instance" "this" {\n'
        "  publicly_accessible = var.public\n  multi_az = true\n"
        "  storage_encrypted = true\n}\n",
    )
    result = audit(tmp_path)
    hits = [(f.location.path, f.location.start_line, f.location.resource) for f in result.findings if f.rule == "TF104"]
    assert hits == [("db/main.tf", 2, "module.a.aws_db_instance.this")]


def test_region_topology_counts_config_and_plan(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
provider "aws" { region = "eu-west-1" }
provider "google" {
  project = "acme-prod"
  region  = "europe-west1"
}
resource "aws_sqs_queue" "a" {}
resource "aws_ebs_volume" "v" { availability_zone = "eu-west-1b" }
resource "google_storage_bucket" "g" { location = "EU" }
resource "azurerm_resource_group" "rg" { location = "westeurope" }
""",
    )
    facts = Facts(_facts(tmp_path))
    data = json.loads((FIXTURES / "drift" / "prod.tfplan.json").read_text())
    facts.add(parse_plan("prod.tfplan.json", data))
    rows = region_topology(build_project(facts), facts.of(PlanFile)).as_dict()["placements"]
    got = {(r["source"], r["provider"], r["account"], r["region"], r["zone"], r["resources"]) for r in rows}
    assert got == {
        ("config", "aws", "", "eu-west-1", "", 1),
        ("config", "aws", "", "eu-west-1", "eu-west-1b", 1),
        ("config", "google", "acme-prod", "EU", "", 1),
        ("config", "azurerm", "", "westeurope", "", 1),
        ("plan", "aws", "123456789012", "eu-west-1", "", 1),
        ("plan", "aws", "123456789012", "eu-west-1", "eu-west-1a", 1),
        ("plan", "aws", "123456789012", "us-east-1", "", 1),
    }


def test_tfvars_values_are_literals(tmp_path: Path) -> None:
    path = write(tmp_path, "terraform.tfvars", 'env = "prod"\nports = [22, 443]\n')
    sf = SourceFile("terraform.tfvars", str(path), "terraform-vars", path.stat().st_size)
    fact = TfVarsSource().parse(FileText(sf, path.read_bytes(), path.read_text()))
    assert fact.values == {"env": "prod", "ports": [22, 443]} and fact.auto


def test_terraform_cache_and_bom(tmp_path: Path) -> None:
    write(tmp_path, ".terraform/modules/vpc/main.tf", 'resource "aws_iam_access_key" "cached" {\n  user = "u"\n}\n')
    (tmp_path / "main.tf").write_text(
        '\ufeffresource "aws_iam_access_key" "own" {\n  user = "u"\n}\n', encoding="utf-8"
    )
    result = audit(tmp_path)
    assert not result.errors
    assert [(f.location.resource, f.location.start_line) for f in result.findings] == [("aws_iam_access_key.own", 1)]


def test_functions_conditionals_and_try(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
variable "engine" { default = "sqlserver-ee" }
variable "settings" { default = { size = 10 } }
locals {
  is_mssql = element(split("-", var.engine), 0) == "sqlserver"
}
resource "aws_db_instance" "pg" {
  count  = var.create_db && false == local.is_mssql ? 1 : 0
  engine = var.engine
}
resource "aws_db_instance" "mssql" {
  count             = local.is_mssql ? 1 : 0
  allocated_storage = try(var.settings.size, 20)
  iops              = try(var.settings.iops, 3000)
  port              = try(var.unknown.port, 1433)
  tags              = { for k, v in var.settings : k => v }
}
""",
    )
    project = _project(tmp_path)
    assert [r.address for r in project.resources] == ["aws_db_instance.mssql[0]"]  # pg: false == true -> count 0
    assert [(a.address, a.reason) for a in project.absent] == [("aws_db_instance.pg", "count = 0")]
    (db,) = project.resources
    assert (db.get("allocated_storage"), db.get("iops")) == (10, 3000)
    assert isinstance(db.get("port"), Unknown)
    assert db.get("tags") == {"size": 10}  # a for expression over a known map


def test_bad_tfvars_and_tf_json_are_clear_errors(tmp_path: Path) -> None:
    write(tmp_path, "main.tf", 'variable "env" {}\nresource "aws_iam_access_key" "k" {\n  user = var.env\n}\n')
    write(tmp_path, "terraform.tfvars", 'env = "prod\n')
    write(tmp_path, "extra.tf.json", '{"resource": {"aws_sqs_queue": {"q": {"name": "x",}}}}')
    write(tmp_path, "list.tf.json", '["not", "an", "object"]')
    result = audit(tmp_path)
    errors = {e.where: e.reason for e in result.errors}
    assert errors["terraform.tfvars"].startswith("terraform-vars: invalid HCL at line 1")
    assert errors["extra.tf.json"].startswith("terraform: invalid JSON at line 1")
    assert errors["list.tf.json"] == "terraform: a Terraform JSON file must hold an object at the top level"
    (f,) = result.findings
    assert f.message == "aws_iam_access_key.k: long-lived access key"  # var.env unknown: no user named


def test_local_module_outputs_link_resources_across_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
module "storage" {
  source = "./storage"
  name   = "acme-data"
}
resource "aws_s3_bucket_public_access_block" "data" {
  bucket             = module.storage.bucket_id
  block_public_acls  = true
  block_public_policy = false
  ignore_public_acls = true
  restrict_public_buckets = true
}
resource "aws_sqs_queue" "q" {
  name = "${module.storage.name}-events"
}
""",
    )
    write(
        tmp_path,
        "storage/main.tf",
        """
variable "name" {}
resource "aws_s3_bucket" "this" {
  bucket = var.name
}
output "bucket_id" { value = aws_s3_bucket.this.id }
output "name" { value = var.name }
""",
    )
    project = _project(tmp_path)
    by_addr = {r.address: r for r in project.resources}
    ref = by_addr["aws_s3_bucket_public_access_block.data"].get("bucket")
    assert isinstance(ref, ResourceRef) and ref.address == "module.storage.aws_s3_bucket.this"
    assert by_addr["aws_sqs_queue.q"].get("name") == "acme-data-events"
    result = audit(tmp_path)
    bpa = sorted((f.location.resource, f.message) for f in result.findings if f.rule == "TF110")
    assert bpa == [
        (
            "aws_s3_bucket_public_access_block.data",
            "aws_s3_bucket_public_access_block.data: public access block leaves block_public_policy off",
        )
    ]


def test_plain_http_listener_of_an_internal_balancer_is_low(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
resource "aws_lb" "private" {
  internal = true
}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.private.arn
  protocol          = "HTTP"
  default_action {
    type = "forward"
  }
}
""",
    )
    (f,) = [f for f in audit(tmp_path).findings if f.rule == "TF112"]
    assert (f.location.resource, str(f.severity)) == ("aws_lb_listener.http", "low")


def test_legacy_whole_interpolation_keeps_the_value_type(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
variable "cidrs" { default = ["0.0.0.0/0"] }
variable "public" { default = true }
resource "aws_security_group" "legacy" {
  ingress {
    from_port   = "3306"
    to_port     = "3306"
    protocol    = "tcp"
    cidr_blocks = ["${var.cidrs}"]
  }
}
resource "aws_db_instance" "legacy" {
  publicly_accessible = "${var.public}"
  multi_az            = true
  storage_encrypted   = true
}
""",
    )
    got = sorted((f.rule, f.location.resource) for f in audit(tmp_path).findings if f.rule in ("TF101", "TF104"))
    assert got == [("TF101", "aws_security_group.legacy"), ("TF104", "aws_db_instance.legacy")]


def test_a_block_the_evaluator_fails_on_is_reported_and_the_rest_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fault injection: one resource's evaluation raises (a construct the evaluator does not handle). It is
    named as not judged (file:line, fatal, listed as not covered); every other block is still judged — one
    unhandled construct used to stop the whole project (govuk-infrastructure: 399 files, no finding)."""
    write(
        tmp_path,
        "main.tf",
        """resource "aws_security_group" "broken" {
  name = "x"
}

resource "aws_security_group" "open" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
""",
    )
    real_body = modules._body

    def failing_body(b: Block, scope: Scope, top: bool = False, from_dynamic: bool = False) -> Body:
        if tuple(b.labels[1:]) == ("broken",):
            raise ValueError("an unhandled construct")
        return real_body(b, scope, top, from_dynamic)

    monkeypatch.setattr(modules, "_body", failing_body)
    result = audit(tmp_path)
    assert [(e.where, e.reason, e.stage, e.fatal) for e in result.errors] == [
        (
            "main.tf:1",
            "Terraform aws_security_group.broken could not be evaluated (ValueError: an unhandled construct); "
            "it was not judged",
            Stage.SOURCE,
            True,
        )
    ]
    assert [s.path for s in result.skipped] == ["main.tf:1"]
    assert {(f.rule, f.location.resource) for f in result.findings} == {("TF101", "aws_security_group.open")}


def test_infrastructure_in_formats_not_read_is_listed_not_covered(tmp_path: Path) -> None:
    """Azure-Samples/aks-store-demo: infra/bicep/*.bicep beside infra/terraform/*.tf. The Terraform is judged; each
    Bicep template is listed by name as not covered (it left no trace before). Vendored copies and look-alike names
    (a ``.bicep.md`` note, ``cdk.json.bak``) are not listed."""
    write(tmp_path, "infra/terraform/main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    write(tmp_path, "infra/bicep/main.bicep", "param location string = resourceGroup().location\n")
    write(tmp_path, "infra/bicep/main.bicepparam", "using './main.bicep'\n")
    write(tmp_path, "deploy/cdk.json", '{"app": "npx ts-node bin/app.ts"}\n')
    write(tmp_path, "vendor/modules/x.bicep", "param x string\n")
    write(tmp_path, "docs/aks.bicep.md", "# notes\n")
    write(tmp_path, "deploy/cdk.json.bak", "{}\n")
    result = audit(tmp_path)
    listed = sorted((s.path, s.reason.split(";")[0]) for s in result.skipped if "format not supported" in s.reason)
    assert listed == [
        ("deploy/cdk.json", "format not supported: AWS CDK app (its resources are defined in code)"),
        ("infra/bicep/main.bicep", "format not supported: Azure Bicep template"),
        ("infra/bicep/main.bicepparam", "format not supported: Azure Bicep parameters"),
    ]
    assert any(f.location.resource == "aws_s3_bucket.b" for f in result.findings)
