"""for expressions, splats, indexes and file()/templatefile(): evaluated when known, Unknown otherwise."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from redline.sources.terraform.evaluate import Scope, evaluate
from redline.sources.terraform.hcl import parse_expression
from redline.sources.terraform.modules import TerraformProject, assemble
from redline.sources.terraform.syntax import ForExpr, Index, Ref, Splat, TerraformFile
from redline.sources.terraform.values import ResourceRef, Unknown

from .helpers import audit, write
from .test_sources import _facts

_VARS = {
    "m": {"b": {"on": True, "port": 2}, "a": {"on": False, "port": 1}},
    "l": ["x", "", "y"],
    "objs": [{"id": "i-1", "tags": {"Name": "one"}}, {"id": "i-2", "tags": {"Name": "two"}}],
    "nothing": None,
}


def _eval(text: str, variables: dict[str, object] | None = None) -> object:
    return evaluate(parse_expression(text), Scope("", "", dict(variables or _VARS), {}))


def test_parser_keeps_instance_keys_apart_from_attributes() -> None:
    assert parse_expression('aws_s3_bucket.b["a"].id') is not None
    assert isinstance(parse_expression('aws_s3_bucket.b["a"]'), Index)
    assert parse_expression('local.m["a"]') == Ref(("local", "m", "a"))
    assert parse_expression("aws_instance.web[0].id") == Ref(("aws_instance", "web", 0, "id"))
    assert isinstance(parse_expression("aws_instance.web[*].id"), Splat)
    assert isinstance(parse_expression("[for s in var.l : s]"), ForExpr)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[for s in var.l : upper(s) if s != ""]', ["X", "Y"]),
        ('[for i, s in var.l : "${i}-${s}"]', ["0-x", "1-", "2-y"]),
        ("{for k, v in var.m : k => v.port}", {"a": 1, "b": 2}),
        ("[for k, v in var.m : k if v.on]", ["b"]),  # maps iterate in key order
        ('{for s in ["a", "b", "a"] : s => s...}', {"a": ["a", "a"], "b": ["b"]}),
        ("{for k, v in var.m : v.port => k}", {"1": "a", "2": "b"}),  # number keys become strings
        ("var.objs[*].id", ["i-1", "i-2"]),
        ("var.objs.*.tags.Name", ["one", "two"]),
        ('var.objs[*].tags["Name"]', ["one", "two"]),
        ("var.nothing[*].id", []),
        ("var.objs.*.id[1]", "i-2"),  # legacy splat: the index applies to the result
        ("var.objs[*].tags.Name", ["one", "two"]),
        ("var.m.a[*].port", [1]),  # a splat over one object wraps it
        ('var.m[var.l[0] == "x" ? "a" : "b"].port', 1),
        ("var.objs[1].tags.Name", "two"),
        ('merge({a = 1}, {for k in ["b"] : k => 2})', {"a": 1, "b": 2}),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ("range(1, 4)", [1, 2, 3]),
        ('coalesce("", "x")', "x"),
        ('lookup(var.m, "c", "none")', "none"),
    ],
)
def test_known_values(text: str, expected: object) -> None:
    assert _eval(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[for s in var.unset : s]",  # unknown collection
        "[for s in var.l : s if s == var.unset]",  # unknown condition
        '{for s in ["a", "a"] : s => s}',  # duplicate key without grouping
        "{for s in var.l : var.unset => s}",  # unknown key
        "var.unset[*].id",
        "var.m[var.unset].port",
        'cidrsubnet("10.0.0.0/8", 8, 1)',
    ],
)
def test_unknown_stays_unknown(text: str) -> None:
    assert isinstance(_eval(text), Unknown)


def test_resource_splats_and_indexes_are_references() -> None:
    splat = _eval("aws_instance.web[*].id")
    assert isinstance(splat, ResourceRef) and (splat.address, splat.attribute) == ("aws_instance.web", "*.id")
    legacy = _eval("aws_instance.web.*.id")
    assert isinstance(legacy, ResourceRef) and legacy.address == "aws_instance.web"
    first = _eval("aws_instance.web.*.id[0]")
    assert isinstance(first, ResourceRef) and (first.address, first.attribute) == ("aws_instance.web[0]", "id")
    keyed = evaluate(
        parse_expression("aws_s3_bucket.b[each.key].arn"), Scope("", "", {}, {}, {"each": {"key": "a", "value": 1}})
    )
    assert isinstance(keyed, ResourceRef) and (keyed.address, keyed.attribute) == ('aws_s3_bucket.b["a"]', "arn")
    unknown_key = _eval("aws_s3_bucket.b[var.unset].arn")
    assert isinstance(unknown_key, ResourceRef) and unknown_key.address == "aws_s3_bucket.b"
    data = _eval("data.aws_iam_policy_document.p[0].json")
    assert isinstance(data, ResourceRef) and (data.address, data.attribute) == (
        "data.aws_iam_policy_document.p[0]",
        "json",
    )


def _project(root: Path) -> TerraformProject:
    return assemble([f for f in _facts(root) if isinstance(f, TerraformFile)], fs_root=root)


def test_file_and_templatefile_read_inside_the_root_only(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "policy.json", json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    write(root, "modules/app/user_data.tpl", "#!/bin/sh\necho ${name} ${port}\n")
    write(root, "modules/app/directive.tpl", "%{ for x in xs }${x}%{ endfor }")
    write(tmp_path, "secret.txt", "outside")
    write(root, "latin1.txt", "x")
    (root / "latin1.txt").write_bytes(b"\xe9t\xe9")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    write(
        root,
        "main.tf",
        """
resource "aws_iam_policy" "p" {
  policy = file("policy.json")
  parsed = jsondecode(file("${path.module}/policy.json"))
  up     = file("../secret.txt")
  abs    = file("/etc/hostname")
  link   = file("link.txt")
  binary = file("latin1.txt")
  gone   = file("missing.json")
  there  = fileexists("policy.json")
  absent = fileexists("missing.json")
}
module "app" {
  source = "./modules/app"
}
""",
    )
    write(
        root,
        "modules/app/main.tf",
        """
variable "port" { default = 8080 }
resource "aws_instance" "web" {
  user_data = templatefile("${path.module}/user_data.tpl", { name = "web", port = var.port })
  partial   = templatefile("${path.module}/user_data.tpl", { name = "web" })
  loop      = templatefile("${path.module}/directive.tpl", { xs = ["a"] })
}
""",
    )
    project = _project(root)
    p = project.get("aws_iam_policy.p")
    assert p is not None
    assert json.loads(p.get("policy"))["Statement"][0]["Action"] == "*"
    assert p.get("parsed")["Statement"][0]["Resource"] == "*"
    for attr in ("up", "abs", "link", "binary", "gone"):
        assert isinstance(p.get(attr), Unknown), attr
    assert (p.get("there"), p.get("absent")) == (True, False)
    web = project.get("module.app.aws_instance.web")
    assert web is not None
    assert web.get("user_data") == "#!/bin/sh\necho web 8080\n"
    assert isinstance(web.get("partial"), Unknown)  # a template variable not given
    assert isinstance(web.get("loop"), Unknown)  # template directives are not evaluated


def test_file_without_a_root_stays_unknown(tmp_path: Path) -> None:
    write(tmp_path, "policy.json", "{}")
    write(tmp_path, "main.tf", 'resource "aws_iam_policy" "p" { policy = file("policy.json") }\n')
    files = [f for f in _facts(tmp_path) if isinstance(f, TerraformFile)]
    (p,) = assemble(files).resources
    assert isinstance(p.get("policy"), Unknown)


def test_file_policy_is_judged_by_rules(tmp_path: Path) -> None:
    write(
        tmp_path,
        "policies/admin.json",
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
    )
    write(
        tmp_path,
        "policies/read.json",
        json.dumps({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
    )
    write(
        tmp_path,
        "main.tf",
        """
resource "aws_iam_policy" "p" {
  for_each = toset(["admin", "read"])
  policy   = file("policies/${each.key}.json")
}
""",
    )
    got = {(f.rule, f.location.resource, f.location.start_line) for f in audit(tmp_path).findings}
    assert got == {("TF105", 'aws_iam_policy.p["admin"]', 2)}


def test_tf_json_for_expressions(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf.json",
        json.dumps(
            {
                "variable": {"names": {"default": ["a", "b"]}},
                "resource": {
                    "aws_sqs_queue": {
                        "q": {"for_each": "${toset(var.names)}", "tags": "${{for n in var.names : n => upper(n)}}"}
                    }
                },
            }
        ),
    )
    project = assemble([f for f in _facts(tmp_path) if isinstance(f, TerraformFile)])
    assert {r.address: r.get("tags") for r in project.resources} == {
        'aws_sqs_queue.q["a"]': {"a": "A", "b": "B"},
        'aws_sqs_queue.q["b"]': {"a": "A", "b": "B"},
    }


def test_dynamic_blocks_expand_known_items(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        """
variable "ports" { default = [22, 443] }
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
""",
    )
    (sg,) = assemble([f for f in _facts(tmp_path) if isinstance(f, TerraformFile)]).resources
    assert [b.get("from_port") for b in sg.nested("ingress")] == [22, 443]
    assert all(b.from_dynamic for b in sg.nested("ingress"))


def test_dynamic_block_with_its_own_iterator_name(tmp_path: Path) -> None:
    """``iterator = signature`` names the item inside ``content`` (alphagov/govuk-infrastructure's WAF rules):
    evaluating the bare name as a reference gave an ``Unknown`` and stopped the whole Terraform project."""
    write(
        tmp_path,
        "main.tf",
        """
variable "denylist" { default = ["a1", "b2"] }
resource "aws_wafv2_web_acl" "acl" {
  dynamic "rule" {
    for_each = var.denylist
    iterator = signature
    content {
      name     = "deny-${signature.value}"
      priority = 50 + signature.key
    }
  }
}
""",
    )
    (acl,) = assemble([f for f in _facts(tmp_path) if isinstance(f, TerraformFile)]).resources
    assert [(b.get("name"), b.get("priority")) for b in acl.nested("rule")] == [("deny-a1", 50), ("deny-b2", 51)]
