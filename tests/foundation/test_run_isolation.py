"""Nothing of one run survives into the next: two audits with different configurations in one process
give exactly what two separate processes give (no module-level per-run cache, no leaked worker state)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from redline.cli.main import main

TERRAFORM = """
provider "aws" {
  region = var.region
}
variable "region" { default = "eu-west-1" }
variable "cidr" { default = "10.0.0.0/8" }
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""
GHP = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"  # FAKE, in GitHub's format


def _tree(root: Path) -> None:
    files = {
        "infra/main.tf": TERRAFORM,
        "envs/open.tfvars": 'cidr = "0.0.0.0/0"\nregion = "us-east-1"\n',
        "envs/closed.tfvars": 'cidr = "10.1.0.0/16"\n',
        "app/client.py": f'import requests\nTOKEN = "{GHP}"\nrequests.get("https://example.test")\n',
        "app/Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nUSER app\n",
        "app/.npmrc": "registry=https://registry.npmjs.org/\n",
        "app/id_rsa": "not really a key\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


CONFIGS = {
    "open": '[terraform]\nvar_files = ["envs/open.tfvars"]\n[secrets]\nsalt = "first"\n',
    "closed": 'exclude = ["app/id_rsa"]\n[terraform]\nvar_files = ["envs/closed.tfvars"]\n[secrets]\nsalt = "second"\n',
}


def _args(root: Path, config: Path, out: Path) -> list[str]:
    return [
        "audit",
        "-q",
        str(root),
        "--config",
        str(config),
        "--out",
        str(out),
        "--format",
        "json",
        "--exit-zero",
        "--jobs",
        "1",
    ]


def _doc(out: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    return doc


def test_two_audits_in_one_process_equal_two_processes(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    _tree(root)
    configs = {}
    for name, text in CONFIGS.items():
        configs[name] = tmp_path / f"{name}.toml"
        configs[name].write_text(text, encoding="utf-8")
    separate = {}
    for name, config in configs.items():
        out = tmp_path / f"proc-{name}"
        subprocess.run([sys.executable, "-m", "redline", *_args(root, config, out)], check=True)
        separate[name] = _doc(out)
    for order, name in enumerate(["open", "closed", "open"]):  # back and forth in one process
        out = tmp_path / f"inproc-{order}-{name}"
        assert main(_args(root, configs[name], out)) == 0
        assert _doc(out) == separate[name], name
    # the configurations really differ in what they produce
    rules = {
        name: sorted((f["rule"], f["location"]["path"]) for f in doc["findings"]) for name, doc in separate.items()
    }
    assert ("TF101", "infra/main.tf") in rules["open"] and ("TF101", "infra/main.tf") not in rules["closed"]
    assert ("SEC905", "app/Dockerfile") in rules["open"]
    regions = {
        name: {p["region"] for p in doc["inventory"]["topology"]["placements"]} for name, doc in separate.items()
    }
    assert regions == {"open": {"us-east-1"}, "closed": {"eu-west-1"}}  # the topology sees var_files
    hashes = {
        name: {f["evidence"].get("secret_hash") for f in doc["findings"] if f["rule"] == "SEC150"}
        for name, doc in separate.items()
    }
    assert hashes["open"] and hashes["open"].isdisjoint(hashes["closed"])  # the salt of each run
