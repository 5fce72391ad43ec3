"""Istio onto the map: a Gateway is an edge component reachable from outside; a VirtualService bound to
it routes to the services it names (``destination.host``), each a flow from the gateway.

A VirtualService bound only to ``mesh`` routes inside the cluster and draws nothing; an egress gateway
is not exposed, and a route to an external host (a ServiceEntry) is a flow to a third party. A gateway a
VirtualService names that no manifest here defines (shared, in another repository) is still drawn,
unknown, with a probe.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from redline.core.map_model import Kind, Seen
from redline.sources.containers.kubernetes import KubeManifest, KubeObject
from redline.synthesis.map.builder import MapBuilder
from redline.synthesis.map.classify import is_external_host, kube_host, third_party
from redline.synthesis.map.refs import DependsRef

_ISTIO = "networking.istio.io/"
_ROUTE_KINDS = (("http", "http"), ("tls", "tls"), ("tcp", "tcp"))


def add_istio(builder: MapBuilder, manifests: list[KubeManifest], deps: list[DependsRef]) -> None:
    objects = [o for m in manifests for o in m.objects if o.api_version.startswith(_ISTIO) and not o.is_patch]
    for obj in objects:
        if obj.kind == "Gateway":
            _gateway(builder, obj)
    for obj in objects:
        if obj.kind == "VirtualService":
            _virtual_service(builder, obj, deps)


def gateway_id(name: str) -> str:
    return f"gateway/{name.rsplit('/', 1)[-1].lower()}"  # ``istio-system/public`` -> ``gateway/public``


def _gateway(builder: MapBuilder, obj: KubeObject) -> None:
    seen = Seen(obj.path, obj.line, f"Istio Gateway `{obj.name}`", obj.end_line)
    draft = builder.component(gateway_id(obj.name), seen, Kind.EDGE, "istio gateway")
    draft.deployed = True
    draft.resources.add(obj.resource)
    selector = obj.spec.get("selector")
    if isinstance(selector, Mapping) and any("egress" in str(v).lower() for v in selector.values()):
        return  # an egress gateway: traffic leaves through it, nothing comes in
    for server in obj.spec.get("servers") or []:
        if not isinstance(server, Mapping):
            continue
        raw = server.get("port")
        port: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        hosts = ", ".join(str(h) for h in server.get("hosts") or []) or "?"
        how = f"Istio Gateway `{obj.name}` {port.get('protocol', '?')} port {port.get('number', '?')} hosts {hosts}"
        if how not in (h for h, _s in draft.exposure):
            draft.exposure.append((how, seen))


def _virtual_service(builder: MapBuilder, obj: KubeObject, deps: list[DependsRef]) -> None:
    gateways = [str(g) for g in obj.spec.get("gateways") or [] if str(g) != "mesh"]
    seen = Seen(obj.path, obj.line, f"Istio VirtualService `{obj.name}`", obj.end_line)
    for ref in gateways:
        gid = gateway_id(ref)
        gateway = builder.find(gid)
        if gateway is None:
            gateway = builder.component(gid, seen, Kind.EDGE, "istio gateway")
            gateway.addressed_by.append((f"gateways: {ref}", seen))
        for host, port, protocol in _destinations(obj.spec):
            if is_external_host(host.lower()):
                _external(builder, gateway.id, host.lower(), seen, port=port, protocol=protocol)
            else:
                deps.append(DependsRef(gateway.id, kube_host(host), seen, port, protocol))


def _external(builder: MapBuilder, source: str, host: str, seen: Seen, *, port: int | None, protocol: str) -> None:
    """A route out of the mesh (through an egress gateway, to a ServiceEntry host): a third party."""
    known = third_party(host)
    target = builder.find(host) or builder.component(
        known[0] if known else host, seen, known[1] if known else Kind.EXTERNAL_API
    )
    target.external = True
    builder.add_alias(target, host)
    builder.flow(source, target.id, seen, protocol=protocol, port=port)


def _destinations(spec: Mapping[str, Any]) -> Iterator[tuple[str, int | None, str]]:
    for key, protocol in _ROUTE_KINDS:
        for rule in spec.get(key) or []:
            for route in (rule.get("route") or []) if isinstance(rule, Mapping) else []:
                dest = route.get("destination") if isinstance(route, Mapping) else None
                if not isinstance(dest, Mapping) or not dest.get("host"):
                    continue
                port = dest.get("port")
                number = port.get("number") if isinstance(port, Mapping) else None
                yield str(dest["host"]), number if isinstance(number, int) else None, protocol
