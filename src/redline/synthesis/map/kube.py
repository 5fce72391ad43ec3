"""Kubernetes manifests onto the map: workloads, Services (matched to workloads by selector), Ingresses,
LoadBalancer/NodePort exposure, container env addresses and NetworkPolicy flows.

Copies of one manifest under ``base/``, overlays and ``release/`` name the same workload: they merge
into one component (same name), each copy kept as a source.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redline.core.map_model import Kind, Seen
from redline.sources.containers.kubernetes import KubeManifest, KubeObject
from redline.sources.yamlsafe import LineMap
from redline.synthesis.map.builder import Draft, MapBuilder
from redline.synthesis.map.classify import image_tech
from redline.synthesis.map.refs import AddressRef, DependsRef

#: Service port names that say the protocol (Istio's naming convention: ``grpc``, ``http-web``, ``tcp-redis``)
_PORT_PROTOCOLS = frozenset({"grpc", "http", "http2", "https", "tcp", "tls", "redis", "mongo", "mysql", "postgres"})
_FRONTEND_WORDS = ("frontend", "web-ui", "webui", "storefront")


def add_kube(
    builder: MapBuilder, manifests: list[KubeManifest], refs: list[AddressRef], deps: list[DependsRef]
) -> None:
    objects = [o for m in manifests for o in m.objects]
    workloads = [o for o in objects if o.is_workload and not o.is_patch]
    for obj in workloads:
        refs.extend(_workload(builder, obj))
    for obj in objects:
        if obj.kind == "Service":
            _service(builder, obj, workloads)
    _secrets(builder, objects, workloads)
    for obj in objects:
        if obj.kind == "Ingress":
            _ingress(builder, obj, deps)
        elif obj.kind == "NetworkPolicy":
            _policy(obj, workloads, deps)


def _seen(obj: KubeObject, what: str) -> Seen:
    return Seen(obj.path, obj.line, what, obj.end_line)


def _workload(builder: MapBuilder, obj: KubeObject) -> list[AddressRef]:
    containers = list(obj.containers(include_init=False))
    tech = next((t for t in (image_tech(c.image) for c in containers if c.image) if t), None)
    kind = tech[1] if tech else Kind.JOB if obj.kind in ("Job", "CronJob") else Kind.SERVICE
    if kind == Kind.SERVICE and any(w in obj.name.lower() for w in _FRONTEND_WORDS):
        kind = Kind.FRONTEND
    draft = builder.component(
        obj.name, _seen(obj, f"Kubernetes {obj.kind} `{obj.name}`"), kind, tech[0] if tech else ""
    )
    draft.deployed = True
    draft.resources.add(obj.resource)
    for c in containers:
        if c.image and c.image not in draft.images:
            draft.images.append(c.image)
    refs: list[AddressRef] = []
    for c in obj.containers():
        for entry in c.body.get("env") or []:
            if isinstance(entry, Mapping) and isinstance(entry.get("value"), (str, int)):
                line = entry.line if isinstance(entry, LineMap) else c.line
                name = str(entry.get("name", ""))
                refs.append(
                    AddressRef(
                        draft.id,
                        name,
                        str(entry["value"]),
                        Seen(obj.path, line, f"env `{name}` of {obj.kind} `{obj.name}`"),
                    )
                )
    return refs


def _selects(selector: Mapping[str, Any], workload: KubeObject, namespace: str) -> bool:
    labels = workload.pod_metadata().get("labels")
    if not selector or not isinstance(labels, Mapping) or (workload.namespace or "") != namespace:
        return False
    return all(str(labels.get(k)) == str(v) for k, v in selector.items())


def _service(builder: MapBuilder, obj: KubeObject, workloads: list[KubeObject]) -> None:
    selector = obj.spec.get("selector")
    selector = selector if isinstance(selector, Mapping) else {}
    matched = [w for w in workloads if _selects(selector, w, obj.namespace or "")]
    seen = _seen(obj, f"Kubernetes Service `{obj.name}`")
    target: Draft | None = None
    for w in sorted(matched, key=lambda w: (w.name != obj.name, w.name)):
        target = builder.find(w.name)
        break
    if target is None:
        target = builder.component(obj.name, seen)
        target.deployed = target.deployed or obj.spec.get("type") == "ExternalName"
        if not matched and obj.spec.get("type") != "ExternalName":
            builder.problem(f"{obj.path}:{obj.line}: Service `{obj.name}` selects no workload in these manifests")
    target.see(seen)
    target.resources.add(obj.resource)
    builder.add_alias(target, obj.name)
    for port in obj.spec.get("ports") or []:
        name = port.get("name") if isinstance(port, Mapping) else None
        if isinstance(name, str) and isinstance(port.get("port"), int):
            proto = name.split("-", 1)[0].lower()
            if proto in _PORT_PROTOCOLS:
                target.port_names.setdefault(port["port"], proto)
    svc_type = obj.spec.get("type")
    if svc_type in ("LoadBalancer", "NodePort"):
        ports = [str(p.get("port")) for p in obj.spec.get("ports") or [] if isinstance(p, Mapping)]
        target.exposure.append((f"{svc_type} Service `{obj.name}` port {', '.join(ports) or '?'}", seen))
    external = obj.spec.get("externalName")
    if svc_type == "ExternalName" and isinstance(external, str):
        target.external = True
        target.technology = target.technology or external


def _ingress(builder: MapBuilder, obj: KubeObject, deps: list[DependsRef]) -> None:
    seen = _seen(obj, f"Kubernetes Ingress `{obj.name}`")
    draft = builder.component(f"ingress/{obj.name}", seen, Kind.EDGE, "ingress")
    draft.deployed = True
    draft.resources.add(obj.resource)
    draft.exposure.append((f"Ingress `{obj.name}`", seen))
    for name, port in _backends(obj.spec):
        deps.append(DependsRef(draft.id, name, seen, port, "http"))


def _backends(spec: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []

    def backend(raw: Any) -> None:
        if not isinstance(raw, Mapping):
            return
        svc = raw.get("service")
        if isinstance(svc, Mapping) and svc.get("name"):
            port = svc.get("port", {}).get("number") if isinstance(svc.get("port"), Mapping) else None
            out.append((str(svc["name"]), port if isinstance(port, int) else None))
        elif raw.get("serviceName"):
            port = raw.get("servicePort")
            out.append((str(raw["serviceName"]), port if isinstance(port, int) else None))

    backend(spec.get("defaultBackend") or spec.get("backend"))
    for rule in spec.get("rules") or []:
        http = rule.get("http") if isinstance(rule, Mapping) else None
        for path in (http.get("paths") or []) if isinstance(http, Mapping) else []:
            backend(path.get("backend") if isinstance(path, Mapping) else None)
    return out


def _policy(obj: KubeObject, workloads: list[KubeObject], deps: list[DependsRef]) -> None:
    """``ingress.from.podSelector`` → the selected pods: each allowed pair is a flow, with its port."""
    pod_sel = obj.spec.get("podSelector")
    match = pod_sel.get("matchLabels") if isinstance(pod_sel, Mapping) else None
    ns = obj.namespace or ""
    targets = [w for w in workloads if isinstance(match, Mapping) and _selects(match, w, ns)]
    for rule in obj.spec.get("ingress") or []:
        if not isinstance(rule, Mapping):
            continue
        ports = [p.get("port") for p in rule.get("ports") or [] if isinstance(p, Mapping)]
        port = next((p for p in ports if isinstance(p, int)), None)
        for peer in rule.get("from") or []:
            sel = peer.get("podSelector") if isinstance(peer, Mapping) else None
            labels = sel.get("matchLabels") if isinstance(sel, Mapping) else None
            if not isinstance(labels, Mapping):
                continue
            for src in (w for w in workloads if _selects(labels, w, ns)):
                for dst in targets:
                    deps.append(
                        DependsRef(
                            src.name.lower(),
                            dst.name,
                            _seen(obj, f"NetworkPolicy `{obj.name}` allows {src.name} -> {dst.name}"),
                            port,
                        )
                    )


def _secret_names(obj: KubeObject) -> set[str]:
    """Secrets a workload reads: ``secretKeyRef``, ``envFrom.secretRef`` and ``secret`` volumes."""
    names: set[str] = set()
    for c in obj.containers():
        for entry in c.body.get("env") or []:
            ref = entry.get("valueFrom", {}).get("secretKeyRef") if isinstance(entry, Mapping) else None
            if isinstance(ref, Mapping) and ref.get("name"):
                names.add(str(ref["name"]))
        for entry in c.body.get("envFrom") or []:
            ref = entry.get("secretRef") if isinstance(entry, Mapping) else None
            if isinstance(ref, Mapping) and ref.get("name"):
                names.add(str(ref["name"]))
    spec = obj.pod_spec() or {}
    for vol in spec.get("volumes") or []:
        secret = vol.get("secret") if isinstance(vol, Mapping) else None
        if isinstance(secret, Mapping) and secret.get("secretName"):
            names.add(str(secret["secretName"]))
    return names


def _secrets(builder: MapBuilder, objects: list[KubeObject], workloads: list[KubeObject]) -> None:
    """A Secret read by exactly one component belongs to it (findings on the Secret land there)."""
    readers: dict[tuple[str, str], set[str]] = {}
    for w in workloads:
        for name in _secret_names(w):
            readers.setdefault((w.namespace or "", name), set()).add(w.name.lower())
    for obj in objects:
        ids = readers.get((obj.namespace or "", obj.name), set()) if obj.kind == "Secret" else set()
        draft = builder.drafts.get(next(iter(ids))) if len(ids) == 1 else None
        if draft is not None:
            draft.owned_spans.append((obj.path, obj.line, obj.end_line))
            draft.resources.add(obj.resource)
