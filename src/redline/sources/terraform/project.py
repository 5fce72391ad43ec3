"""One assembled Terraform project per run, shared by every Terraform check (built once, on first use).

Resources come from the configuration (``*.tf`` assembled into modules) and,
for addresses the configuration does not show — resources of registry or git
modules, or a plan without its configuration — from plan JSON, whose values
are already resolved by Terraform.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.core.facts import Facts
from redline.sources.terraform.modules import INSTANCE_KEY as _INSTANCE
from redline.sources.terraform.modules import TerraformProject, assemble
from redline.sources.terraform.plan import PlanFile, PlannedResource
from redline.sources.terraform.syntax import TerraformFile, TfVarsFile
from redline.sources.terraform.values import Body, Resource


@dataclass(frozen=True)
class Settings:
    """What the assembly depends on beyond the facts: the root on disk (``file()``) and ``-var-file`` paths."""

    fs_root: Path | None = None
    var_files: tuple[str, ...] = ()


_CACHE: weakref.WeakKeyDictionary[Facts, tuple[Settings, TerraformProject]] = weakref.WeakKeyDictionary()


def terraform_project(facts: Facts, settings: Settings | None = None) -> TerraformProject:
    """Modules assembled from the run's kept ``TerraformFile`` and ``TfVarsFile`` facts, plus plans.

    Built once per run; without ``settings`` a later caller gets the project the checks built.
    """
    cached = _CACHE.get(facts)
    if cached is not None and (settings is None or cached[0] == settings):
        return cached[1]
    settings = settings or Settings()
    tfvars = facts.of(TfVarsFile)
    by_path = {v.path: v for v in tfvars}
    named = [by_path[p] for p in settings.var_files if p in by_path]
    project = assemble(facts.of(TerraformFile), tfvars, fs_root=settings.fs_root, var_files=named)
    project.notes.extend(f"var file {p} was not read (excluded, too large or not parsed)"
                         for p in settings.var_files if p not in by_path)
    add_planned(project, facts.of(PlanFile))
    _CACHE[facts] = (settings, project)
    return project


def base_address(address: str) -> str:
    """``module.a["x"].aws_s3_bucket.b[0]`` -> ``module.a.aws_s3_bucket.b`` (instances folded)."""
    return _INSTANCE.sub("", address)


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
