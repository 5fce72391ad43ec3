"""Terraform resources onto the map: managed databases, caches, queues, buckets, load balancers,
functions and clusters; public ones get their exposure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from redline.core.map_model import Kind, Seen
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.project import base_address
from redline.sources.terraform.values import Body, Resource, ResourceRef, is_false, is_true
from redline.synthesis.map.builder import MapBuilder
from redline.synthesis.map.classify import terraform_kind


def add_terraform(builder: MapBuilder, project: TerraformProject | None) -> None:
    if project is None:
        return
    others: list[Resource] = []
    for res in project.resources:
        if res.mode != "managed":
            continue
        known = terraform_kind(res.type)
        if known is None:
            others.append(res)
            continue
        kind, tech = known
        seen = Seen(res.path, res.start_line, f"Terraform `{res.address}`", res.end_line)
        draft = builder.component(res.address, seen, kind, tech)
        draft.deployed = draft.managed = True
        draft.resources.add(res.address)
        draft.cloud_names.update(_names(res))
        public = _public(res, kind)
        if public:
            draft.exposure.append((public, seen))
    _attach_parts(builder, project, others)


#: attributes that name a cloud resource as the bill shows it (its resource id ends with the name)
_NAME_ATTRS = (
    "bucket",
    "name",
    "identifier",
    "cluster_identifier",
    "function_name",
    "cluster_id",
    "replication_group_id",
    "domain_name",
)


def _names(res: Resource) -> set[str]:
    return {v for a in _NAME_ATTRS if isinstance(v := res.get(a), str) and v and "${" not in v}


def _refs(value: Any) -> Iterator[str]:
    if isinstance(value, ResourceRef):
        yield base_address(value.address)
    elif isinstance(value, list):
        for v in value:
            yield from _refs(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _refs(v)


def _body_refs(body: Body) -> set[str]:
    out = set(_refs(body.attrs))
    for blocks in body.blocks.values():
        for block in blocks:
            out |= _body_refs(block)
    return out


def _attach_parts(builder: MapBuilder, project: TerraformProject, others: list[Resource]) -> None:
    """A resource that is not a component (a bucket policy, a security group) belongs to the one component
    it references, or else to the one component that references it: its findings land there."""
    components = {base_address(a): d for d in builder.drafts.values() for a in d.resources if d.managed}
    referenced_by: dict[str, set[str]] = {}
    for address, draft in components.items():
        res = project.get(address)
        for ref in _body_refs(res.body) if res is not None else ():
            referenced_by.setdefault(ref, set()).add(draft.id)
    for res in others:
        mine = {components[r].id for r in _body_refs(res.body) if r in components}
        if not mine:
            mine = referenced_by.get(base_address(res.address), set())
        if len(mine) == 1:
            draft = builder.drafts[next(iter(mine))]
            draft.resources.add(res.address)
            draft.owned_spans.append((res.path, res.start_line, res.end_line))


def _public(res: Resource, kind: Kind) -> str:
    if res.type in ("aws_db_instance", "aws_rds_cluster_instance") and is_true(res.get("publicly_accessible")):
        return "publicly_accessible = true"
    if res.type in ("aws_lb", "aws_alb", "aws_elb") and not is_true(res.get("internal")):
        return "internet-facing load balancer (internal is not true)"
    if (
        res.type.startswith("google_compute")
        and kind == Kind.EDGE
        and res.get("load_balancing_scheme") in (None, "EXTERNAL", "EXTERNAL_MANAGED")
    ):
        return "external forwarding rule"
    if res.type in ("aws_cloudfront_distribution", "aws_api_gateway_rest_api", "aws_apigatewayv2_api"):
        return "public endpoint"
    if res.type == "google_sql_database_instance":
        for settings in res.nested("settings"):
            for ip in settings.nested("ip_configuration"):
                if not is_false(ip.get("ipv4_enabled")) and ip.nested("authorized_networks"):
                    return "public IPv4 with authorized networks"
    return ""
