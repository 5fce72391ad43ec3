"""Terraform resources onto the map: managed databases, caches, queues, buckets, load balancers,
functions and clusters; public ones get their exposure."""

from __future__ import annotations

from redline.core.map_model import Kind, Seen
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_false, is_true
from redline.synthesis.map.builder import MapBuilder
from redline.synthesis.map.classify import terraform_kind


def add_terraform(builder: MapBuilder, project: TerraformProject | None) -> None:
    if project is None:
        return
    for res in project.resources:
        if res.mode != "managed":
            continue
        known = terraform_kind(res.type)
        if known is None:
            continue
        kind, tech = known
        seen = Seen(res.path, res.start_line, f"Terraform `{res.address}`", res.end_line)
        draft = builder.component(res.address, seen, kind, tech)
        draft.deployed = draft.managed = True
        draft.resources.add(res.address)
        public = _public(res, kind)
        if public:
            draft.exposure.append((public, seen))


def _public(res: Resource, kind: Kind) -> str:
    if res.type in ("aws_db_instance", "aws_rds_cluster_instance") and is_true(res.get("publicly_accessible")):
        return "publicly_accessible = true"
    if res.type in ("aws_lb", "aws_alb", "aws_elb") and not is_true(res.get("internal")):
        return "internet-facing load balancer (internal is not true)"
    if res.type.startswith("google_compute") and kind == Kind.EDGE and res.get("load_balancing_scheme") in (
            None, "EXTERNAL", "EXTERNAL_MANAGED"):
        return "external forwarding rule"
    if res.type in ("aws_cloudfront_distribution", "aws_api_gateway_rest_api", "aws_apigatewayv2_api"):
        return "public endpoint"
    if res.type == "google_sql_database_instance":
        for settings in res.nested("settings"):
            for ip in settings.nested("ip_configuration"):
                if not is_false(ip.get("ipv4_enabled")) and ip.nested("authorized_networks"):
                    return "public IPv4 with authorized networks"
    return ""
