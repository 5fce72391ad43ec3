"""Istio Gateways and VirtualServices as edge exposure, and Swarm stack files named other than
docker-stack.yml read as their own deployment (a Haskell ``stack.yaml`` left alone)."""

from __future__ import annotations

import pytest

from redline.core.map_model import Colour, Kind, SystemMap, Zone

from .helpers import FIXTURES, audit, system_map

ROOT = FIXTURES / "map_mesh"


@pytest.fixture(scope="module")
def mesh() -> SystemMap:
    return system_map(ROOT)


def test_components(mesh: SystemMap) -> None:
    got = {c.id: (c.kind, c.zone, c.colour, c.technology) for c in mesh.components}
    assert got == {
        "gateway/egress": (Kind.EDGE, Zone.EDGE, Colour.CORE, "istio gateway"),  # egress: not exposed
        "gateway/public": (Kind.EDGE, Zone.EDGE, Colour.CORE, "istio gateway"),
        "gateway/shared-edge": (Kind.EDGE, Zone.EDGE, Colour.UNKNOWN, "istio gateway"),
        "internet": (Kind.INTERNET, Zone.INTERNET, Colour.THIRD_PARTY, ""),
        "proxy": (Kind.EDGE, Zone.EDGE, Colour.THIRD_PARTY, "traefik"),
        "reviews": (Kind.SERVICE, Zone.INTERNAL, Colour.THIRD_PARTY, ""),
        "shop": (Kind.SERVICE, Zone.INTERNAL, Colour.THIRD_PARTY, ""),
        "stripe": (Kind.EXTERNAL_API, Zone.THIRD_PARTY, Colour.THIRD_PARTY, ""),
        "whoami": (Kind.SERVICE, Zone.INTERNAL, Colour.THIRD_PARTY, ""),
    }


def test_flows_through_the_gateways(mesh: SystemMap) -> None:
    got = {(f.source, f.target): (f.protocol, f.port, [str(s) for s in f.seen]) for f in mesh.flows}
    assert got == {
        ("internet", "gateway/public"): ("", None, ["k8s/istio.yaml:1"]),
        # reviews.default.svc.cluster.local is the reviews Deployment; the mesh-only VirtualService draws nothing
        ("gateway/public", "reviews"): ("http", 9080, ["k8s/istio.yaml:13"]),
        ("gateway/public", "shop"): ("http", 8080, ["k8s/istio.yaml:13"]),
        ("gateway/shared-edge", "shop"): ("tcp", 9000, ["k8s/istio.yaml:38"]),
        ("internet", "proxy"): ("", None, ["swarm/traefik-stack.yml:3"]),
        # out of the mesh through the egress gateway, to a third party
        ("gateway/egress", "stripe"): ("tls", 443, ["k8s/istio.yaml:61"]),
    }
    public = mesh.component("gateway/public")
    assert public is not None
    assert [how for how, _s in public.exposure] == ["Istio Gateway `public` HTTPS port 443 hosts shop.example.com"]


def test_gateway_defined_elsewhere_is_a_probe(mesh: SystemMap) -> None:
    assert [(p.component, [str(s) for s in p.seen]) for p in mesh.probes] == [
        ("gateway/shared-edge", ["k8s/istio.yaml:38"])
    ]


def test_swarm_stack_is_its_own_project_and_haskell_stack_yaml_is_left_alone() -> None:
    result = audit(ROOT)
    assert not [e for e in result.errors if "stack.yaml" in e.where]
    proxy = next(c for c in result.system_map.components if c.id == "proxy") if result.system_map else None
    assert proxy is not None and [str(s) for s in proxy.seen] == ["swarm/traefik-stack.yml:3"]
