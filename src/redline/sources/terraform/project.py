"""One assembled Terraform project per run, shared by every Terraform check (built once, on first use).

Resources come from the configuration (``*.tf`` assembled into modules) and,
for addresses the configuration does not show — resources of registry or git
modules, or a plan without its configuration — from plan JSON, whose values
are already resolved by Terraform.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from redline.core.facts import Facts
from redline.sources.terraform.modules import TerraformProject, assemble
from redline.sources.terraform.plan import PlanFile, PlannedResource
from redline.sources.terraform.syntax import TerraformFile, TfVarsFile
from redline.sources.terraform.values import Body, Resource

_CACHE: weakref.WeakKeyDictionary[Facts, TerraformProject] = weakref.WeakKeyDictionary()
_INDEX = re.compile(r"\[[^\]]*\]")


def terraform_project(facts: Facts) -> TerraformProject:
    """Modules assembled from the run's kept ``TerraformFile`` and ``TfVarsFile`` facts, plus plans."""
    project = _CACHE.get(facts)
    if project is None:
        project = assemble(facts.of(TerraformFile), facts.of(TfVarsFile))
        add_planned(project, facts.of(PlanFile))
        _CACHE[facts] = project
    return project


def base_address(address: str) -> str:
    """``module.a["x"].aws_s3_bucket.b[0]`` -> ``module.a.aws_s3_bucket.b`` (instances folded)."""
    return _INDEX.sub("", address)


def add_planned(project: TerraformProject, plans: list[PlanFile]) -> None:
    known = {base_address(r.address) for r in project.resources}
    for plan in sorted(plans, key=lambda p: p.path):
        for planned in plan.planned:
            if base_address(planned.address) in known:
                continue
            project.add(_resource(plan.path, planned))


def _body(values: dict[str, Any]) -> Body:
    blocks: dict[str, list[Body]] = {}
    for key, value in values.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            blocks[key] = [_body(v) for v in value]
    return Body(values, blocks, 0, 0)


def _resource(path: str, planned: PlannedResource) -> Resource:
    return Resource(planned.address, planned.mode, planned.type, planned.name, planned.module, "", path,
                    _body(planned.values), None, {"source": "plan"}, path)
