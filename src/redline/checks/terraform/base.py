"""Shared plumbing for Terraform checks: the assembled project, locations, resource links."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.context import in_test_or_sample, lower_in_context
from redline.core.evidence import EvidenceInput
from redline.core.facts import Facts
from redline.core.model import Confidence, Finding, Location, Severity
from redline.core.rules import Rule
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.project import base_address
from redline.sources.terraform.settings import TERRAFORM_SECTION
from redline.sources.terraform.values import Resource, ResourceRef, Unknown


def location(resource: Resource) -> Location:
    """The whole resource block, so an ignore comment anywhere inside it applies."""
    keyword = "data" if resource.mode == "data" else "resource"
    return Location(
        resource.path,
        resource.start_line,
        resource.end_line,
        snippet=f'{keyword} "{resource.type}" "{resource.name}"',
        resource=resource.address,
    )


def links_to(value: Any, target: Resource, name_attrs: tuple[str, ...] = ("bucket", "id", "name", "arn")) -> bool:
    """``value`` refers to ``target``: a reference to its address, or its literal name."""
    if isinstance(value, ResourceRef):
        return same_resource(value.address, target.address)
    if isinstance(value, str) and value:
        return any(target.get(a) == value for a in name_attrs)
    return False


def may_link_to(value: Any, target: Resource, name_attrs: tuple[str, ...] = ("bucket", "id", "name", "arn")) -> bool:
    """``value`` refers to ``target`` or might (it is unknown): absence checks stay quiet then."""
    if isinstance(value, ResourceRef):
        return same_resource(value.address, target.address)
    return isinstance(value, Unknown) or links_to(value, target, name_attrs)


def maybe_linked(project: TerraformProject, bucket: Resource, *types: str) -> bool:
    """Some resource of ``types`` configures ``bucket``, or might (its ``bucket`` is unknown)."""
    return any(may_link_to(r.get("bucket"), bucket) for r in project.of_type(*types))


def same_resource(ref: str, address: str) -> bool:
    """A reference names this instance: the same address, or one side does not say which instance
    (``aws_s3_bucket.b.id`` inside a counted block, or a target whose count is unknown)."""
    if ref == address:
        return True
    base = base_address(ref)
    return base == base_address(address) and base in (ref, address)


def sample_configuration(resource: Resource) -> bool:
    """The instance belongs to an example, test or docs root module (``examples/complete``), or its file lies
    there: real findings about code nobody deploys as is, so they are reported at low severity."""
    return in_sample_root(resource.root, resource.path)


def in_sample_root(root: str, path: str) -> bool:
    """``path`` or the root module ``root`` lies in a test, docs or example folder (``core.context``)."""
    return in_test_or_sample(f"{root}/main.tf" if root else "") or in_test_or_sample(path)


def root_cause(resource: Resource) -> str:
    """The resource block a finding comes from: every instance of one block (``count``/``for_each``, each
    call of its module, each root using the module) shares it, so the block is reported once with all
    its instances. Plan-only resources have no block; their address without instance keys stands in."""
    if resource.start_line:
        return f"terraform:{resource.path}:{resource.start_line}:{resource.type}.{resource.name}"
    return f"terraform:{resource.path}:{base_address(resource.address)}"


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


class TerraformCheck(ProjectCheck):
    """A check over the assembled Terraform configuration (all modules, once per run)."""

    #: the project source builds it once per run (with ``[terraform] var_files``) from the parsed files
    fact_types: tuple[type, ...] = (TerraformProject,)
    config_sections = (TERRAFORM_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        projects = facts.of(TerraformProject)
        if not projects or not projects[0].resources:
            return []
        return list(self.check_project(projects[0], ctx))

    @abstractmethod
    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        """Judge the project."""

    def emit(
        self,
        rule: Rule,
        resource: Resource,
        message: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        evidence: EvidenceInput | None = None,
        remediation: str = "",
    ) -> Finding:
        where = f" (in root module {resource.root or '.'})" if resource.module else ""
        root = {"root_module": resource.root or "."} if resource.module else {}
        found = self.emit_at(
            rule,
            location(resource),
            f"{resource.address}: {message}{where}",
            root=resource.root,
            severity=severity,
            confidence=confidence,
            evidence={"resource": resource.address, **root, **(evidence or {})},
            remediation=remediation,
            identity=f"{resource.root}:{resource.address}",
            component=resource.module or "",
        )
        return replace(found, group=root_cause(resource))

    def emit_at(
        self,
        rule: Rule,
        where: Location,
        message: str,
        *,
        root: str = "",
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        evidence: EvidenceInput | None = None,
        remediation: str = "",
        identity: str = "",
        component: str = "",
    ) -> Finding:
        """Every Terraform finding (resources, provider blocks) goes out here: in an example, test or docs
        configuration it takes the one context step of every family (``core.context``)."""
        sample = in_sample_root(root, where.path)
        found = self.finding(
            rule,
            message + (" [example/test configuration]" if sample else ""),
            where,
            severity=severity,
            confidence=confidence,
            evidence=evidence,
            remediation=remediation,
            identity=identity,
            component=component,
        )
        return lower_in_context(found) if sample else found
