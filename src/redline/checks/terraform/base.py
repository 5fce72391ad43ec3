"""Shared plumbing for Terraform checks: the assembled project, locations, resource links."""

from __future__ import annotations

import posixpath
import weakref
from abc import abstractmethod
from collections.abc import Iterable, Iterator
from typing import Any

from redline.checks.interface import CheckContext, CheckError, ProjectCheck
from redline.core.config import SectionSpec
from redline.core.facts import Facts
from redline.core.model import Confidence, Finding, Location, Severity
from redline.core.rules import Rule
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.plan import PlanFile
from redline.sources.terraform.project import Settings, base_address, terraform_project
from redline.sources.terraform.syntax import TerraformFile, TfVarsFile
from redline.sources.terraform.values import Resource, ResourceRef, Unknown

TERRAFORM_SECTION = SectionSpec(
    name="terraform",
    keys={"var_files": list},
    doc='Variable files passed with -var-file, relative to the audited root, in order (later ones win), '
        'e.g. var_files = ["envs/prod.tfvars"]; each applies to the root modules declaring its variables',
)


def settings(ctx: CheckContext) -> Settings:
    """The ``[terraform]`` table, validated: ``var_files`` must name existing ``.tfvars`` files below the root."""
    raw = ctx.config.section("terraform").get("var_files", [])
    where = f"{ctx.config.source or 'configuration'}: [terraform] var_files"
    paths: list[str] = []
    for item in raw:
        if not isinstance(item, str) or not item.strip():
            raise CheckError(f"{where}: every entry must be a non-empty path, got {item!r}")
        rel = posixpath.normpath(item.strip().replace("\\", "/"))
        if rel.startswith(("/", "../")) or rel == "..":
            raise CheckError(f"{where}: {item!r} is outside the audited root")
        if not rel.lower().endswith((".tfvars", ".tfvars.json")):
            raise CheckError(f"{where}: {item!r} is not a .tfvars or .tfvars.json file")
        if not (ctx.root / rel).is_file():
            raise CheckError(f"{where}: {item!r} does not exist")
        paths.append(rel)
    return Settings(ctx.root, tuple(paths))


def location(resource: Resource) -> Location:
    """The whole resource block, so an ignore comment anywhere inside it applies."""
    keyword = "data" if resource.mode == "data" else "resource"
    return Location(resource.path, resource.start_line, resource.end_line,
                    snippet=f'{keyword} "{resource.type}" "{resource.name}"', resource=resource.address)


def links_to(value: Any, target: Resource, name_attrs: tuple[str, ...] = ("bucket", "id", "name", "arn")) -> bool:
    """``value`` refers to ``target``: a reference to its address, or its literal name."""
    if isinstance(value, ResourceRef):
        return same_resource(value.address, target.address)
    if isinstance(value, str) and value:
        return any(target.get(a) == value for a in name_attrs)
    return False


def may_link_to(value: Any, target: Resource) -> bool:
    """``value`` refers to ``target`` or might (it is unknown): absence checks stay quiet then."""
    if isinstance(value, ResourceRef):
        return same_resource(value.address, target.address)
    return isinstance(value, Unknown) or links_to(value, target)


def same_resource(ref: str, address: str) -> bool:
    """A reference names this instance: the same address, or one side does not say which instance
    (``aws_s3_bucket.b.id`` inside a counted block, or a target whose count is unknown)."""
    if ref == address:
        return True
    base = base_address(ref)
    return base == base_address(address) and base in (ref, address)


def strings(value: Any) -> list[str]:
    """The known strings of a value that may be a string, a list, or unknown."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):  # one level of nesting: 0.11-style ["${var.cidrs}"]
        flat = [x for v in value for x in (v if isinstance(v, list) else [v])]
        return [v for v in flat if isinstance(v, str)]
    return []


def as_int(value: Any) -> int | None:
    if isinstance(value, (bool, Unknown)):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


#: per run (keyed by its Facts): the project, or None once a bad ``[terraform]`` table was reported
_RUNS: weakref.WeakKeyDictionary[Facts, TerraformProject | None] = weakref.WeakKeyDictionary()


def _run_project(facts: Facts, ctx: CheckContext) -> TerraformProject | None:
    """The run's project. A configuration error is raised by the first check only, so the report
    names it once instead of once per Terraform check; the others have nothing to judge."""
    if facts in _RUNS:
        return _RUNS[facts]
    _RUNS[facts] = None
    _RUNS[facts] = terraform_project(facts, settings(ctx))
    return _RUNS[facts]


class TerraformCheck(ProjectCheck):
    """A check over the assembled Terraform configuration (all modules, once per run)."""

    fact_types: tuple[type, ...] = (TerraformFile, TfVarsFile, PlanFile)
    config_sections = (TERRAFORM_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        project = _run_project(facts, ctx)
        if project is None or not project.resources:
            return []
        return list(self.check_project(project, ctx))

    @abstractmethod
    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        """Judge the project."""

    def emit(self, rule: Rule, resource: Resource, message: str, *, severity: Severity | None = None,
             confidence: Confidence = Confidence.HIGH, evidence: Iterable[tuple[str, str]] = (),
             remediation: str = "") -> Finding:
        where = f" (in root module {resource.root or '.'})" if resource.module else ""
        root = (("root_module", resource.root or "."),) if resource.module else ()
        return self.finding(rule, f"{resource.address}: {message}{where}", location(resource), severity=severity,
                            confidence=confidence, evidence=(("resource", resource.address), *root, *evidence),
                            remediation=remediation, identity=f"{resource.root}:{resource.address}",
                            component=resource.module or "")
