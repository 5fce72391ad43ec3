"""One assembled Terraform project per run, shared by every Terraform check (a project source, run once).

Resources come from the configuration (``*.tf`` assembled into modules) and,
for addresses the configuration does not show — resources of registry or git
modules, or a plan without its configuration — from plan JSON, whose values
are already resolved by Terraform.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.core.facts import Facts
from redline.core.model import Stage, ToolError
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource, empty_output
from redline.sources.terraform.modules import INSTANCE_KEY as _INSTANCE
from redline.sources.terraform.modules import TerraformProject, Unevaluated, assemble
from redline.sources.terraform.plan import PlanFile, PlannedResource
from redline.sources.terraform.settings import TERRAFORM_SECTION
from redline.sources.terraform.syntax import TerraformFile, TfVarsFile
from redline.sources.terraform.values import Body, Resource


@dataclass(frozen=True)
class Settings:
    """What the assembly depends on beyond the facts: the root on disk (``file()``) and ``-var-file`` paths."""

    fs_root: Path | None = None
    var_files: tuple[str, ...] = ()


def build_project(facts: Facts, settings: Settings | None = None) -> TerraformProject:
    """Modules assembled from the run's ``TerraformFile`` and ``TfVarsFile`` facts, plus plans."""
    settings = settings or Settings()
    tfvars = facts.of(TfVarsFile)
    by_path = {v.path: v for v in tfvars}
    named = [by_path[p] for p in settings.var_files if p in by_path]
    project = assemble(facts.of(TerraformFile), tfvars, fs_root=settings.fs_root, var_files=named)
    project.notes.extend(
        f"var file {p} was not read (excluded, too large or not parsed)" for p in settings.var_files if p not in by_path
    )
    add_planned(project, facts.of(PlanFile))
    return project


class TerraformProjectSource(ProjectSource):
    """The evaluated Terraform project of the run, with ``[terraform] var_files``: built once, read by
    every Terraform check and by synthesis (the region topology, modules not followed)."""

    name = "terraform-project"
    produces = TerraformProject
    needs = (TerraformFile, TfVarsFile, PlanFile)

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        if not ctx.facts.of(TerraformFile) and not ctx.facts.of(PlanFile):
            return empty_output()
        var_files = ctx.config.settings(TERRAFORM_SECTION).var_files
        where = f"{ctx.config.source or 'configuration'}: [terraform] var_files"
        missing = [rel for rel in var_files if not (ctx.root / rel).is_file()]
        if missing:  # judging with other variables than the user named would report the wrong thing
            return ProjectOutput(
                [],
                [
                    ToolError(
                        self.name,
                        f"{where}: {rel!r} does not exist; Terraform was not judged",
                        stage=Stage.SOURCE,
                        fatal=True,
                    )
                    for rel in missing
                ],
                [],
            )
        project = build_project(ctx.facts, Settings(ctx.root, var_files))
        errors = [_not_evaluated(u) for u in project.unevaluated]
        unapplied = [] if var_files else _unapplied_var_files(ctx.facts)  # naming var files chose an environment
        if unapplied:
            errors.append(_defaults_notice(unapplied))
        return ProjectOutput([project], errors, [])


def _unapplied_var_files(facts: Facts) -> list[str]:
    """``.tfvars`` files in a folder without Terraform configuration: an environment's values
    (``terraform/variables/production/rds.tfvars``) that nothing applies by itself."""
    configured = {f.directory for f in facts.of(TerraformFile)}
    return sorted(v.path for v in facts.of(TfVarsFile) if v.directory not in configured)


def _defaults_notice(paths: list[str]) -> ToolError:
    """Findings then judge the variables' defaults (``multi_az = false``) where an environment may set another value."""
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    return ToolError(
        "terraform var files",
        f"{len(paths)} .tfvars file(s) outside any module folder were not applied ({shown}): Terraform was judged "
        "with the variables' defaults; name an environment's files in [terraform] var_files to judge it",
        stage=Stage.NOTICE,
    )


def _not_evaluated(block: Unevaluated) -> ToolError:
    """A bug of the evaluator, named with the block it stopped at: fatal (exit code 2), listed as not covered."""
    return ToolError(
        f"{block.path}:{block.line}",
        f"Terraform {block.address} could not be evaluated ({block.reason}); it was not judged",
        stage=Stage.SOURCE,
        fatal=True,
    )


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
    return Resource(
        planned.address,
        planned.mode,
        planned.type,
        planned.name,
        planned.module,
        "",
        path,
        _body(planned.values),
        None,
        {"source": "plan"},
        path,
    )
