"""Compose projects onto the map: services, images, published ports, environment addresses, depends_on."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import Any

from redline.core.hosts import is_loopback
from redline.core.map_model import Kind, Seen
from redline.sources.containers.compose import ComposeProject, ComposeService, interpolate
from redline.sources.yamlsafe import LineMap
from redline.synthesis.map.builder import Draft, MapBuilder
from redline.synthesis.map.classify import image_tech
from redline.synthesis.map.refs import AddressRef, DependsRef

_PORT_RE = re.compile(
    r"^(?:(?P<ip>\[[^\]]*\]|[\d.]+|[^:]*?):)??(?:(?P<host>[\d-]+):)?(?P<target>\d+)(?:-\d+)?"
    r"(?:/(?P<proto>\w+))?$"
)


def add_compose(
    builder: MapBuilder, projects: list[ComposeProject], refs: list[AddressRef], deps: list[DependsRef]
) -> None:
    images: dict[str, tuple[str, str]] = {}  # service -> (image, file) as first seen, to spot disagreeing files
    for project in projects:
        for svc in project.services:
            draft = _service(builder, svc)
            _disagree(builder, svc, images)
            refs.extend(_env_refs(draft, svc, project.dotenv))
            deps.extend(_depends(draft, svc))
        _cycles(builder, project)


def _service(builder: MapBuilder, svc: ComposeService) -> Draft:
    path, first, last = svc.origin()
    seen = Seen(path, first, f"compose service `{svc.name}`", last)
    image = svc.body.get("image")
    tech = image_tech(image) if isinstance(image, str) and image else None
    kind = tech[1] if tech else (Kind.JOB if _is_job(svc) else Kind.SERVICE)
    draft = builder.component(svc.name, seen, kind, tech[0] if tech else "")
    draft.deployed = True
    if isinstance(image, str) and image and image not in draft.images:
        draft.images.append(image)
    build = svc.body.get("build")
    context = build.get("context", ".") if isinstance(build, Mapping) else build
    if isinstance(context, str) and "://" not in context:
        draft.built_here = True
        draft.build_dirs.add(_join(svc.directory, context))
    _ports(draft, svc)
    _command(draft, svc)
    return draft


def _command(draft: Draft, svc: ComposeService) -> None:
    raw = svc.body.get("command")
    words = [str(w) for w in raw] if isinstance(raw, list) else str(raw).split() if isinstance(raw, str) else []
    if words:
        path = svc.origin("command")[0]
        line = svc.key_line("command")
        draft.command += [(w, Seen(path, line, f"command of `{svc.name}`")) for w in words]


def _is_job(svc: ComposeService) -> bool:
    restart = svc.body.get("restart")
    return restart == "no" and "ports" not in svc.body


def _join(directory: str, rel: str) -> str:
    out = posixpath.normpath(posixpath.join(directory, rel.replace("\\", "/")))
    return "" if out == "." else out


def _ports(draft: Draft, svc: ComposeService) -> None:
    raw = svc.body.get("ports")
    if not isinstance(raw, list):
        return
    path, first, last = svc.origin("ports")
    for entry in raw:
        parsed = _published(entry)
        if parsed is None:
            continue
        ip, host_port, target = parsed
        if is_loopback(ip) or not host_port:
            continue  # loopback, or a random host port (``- "8080"``): for local debugging, no client aims at it
        what = f"published port {host_port or '(random)'} -> {target}"
        draft.exposure.append((what, Seen(path, first, f"compose `ports: {entry}`", last)))


def _published(entry: Any) -> tuple[str, str, int] | None:
    if isinstance(entry, Mapping):
        target = entry.get("target")
        if entry.get("published") is None or not str(target).isdigit():
            return None
        return str(entry.get("host_ip", "")), str(entry.get("published")), int(str(target))
    m = _PORT_RE.match(str(entry).strip().strip('"'))
    if not m or (m.group("host") is None and m.group("ip") is None):
        return None if not m else ("", "", int(m.group("target")))  # "8080": a random host port
    return (m.group("ip") or "").strip("[]"), m.group("host") or "", int(m.group("target"))


def _env_refs(draft: Draft, svc: ComposeService, dotenv: Mapping[str, str]) -> list[AddressRef]:
    """Each variable with its value; ``- VAR`` without one takes the ``.env`` value, as compose does."""
    env = {k: v or interpolate(dotenv.get(k, ""), dotenv, set()) for k, v in svc.environment.items()}
    raw = svc.body.get("environment")
    path, first, _last = svc.origin("environment")
    line = raw.key_line if isinstance(raw, LineMap) else first
    return [
        AddressRef(draft.id, name, value, Seen(path, line, f"environment `{name}` of `{svc.name}`"))
        for name, value in sorted(env.items())
    ]


def _depends(draft: Draft, svc: ComposeService) -> list[DependsRef]:
    out: list[DependsRef] = []
    for key in ("depends_on", "links"):
        raw = svc.body.get(key)
        names = list(raw) if isinstance(raw, Mapping) else raw if isinstance(raw, list) else []
        if not names:
            continue
        path, first, _last = svc.origin(key)
        line = raw.key_line if isinstance(raw, LineMap) else first
        for name in names:
            target = str(name).split(":", 1)[0]
            out.append(DependsRef(draft.id, target, Seen(path, line, f"`{key}: {target}` of `{svc.name}`")))
    return out


def _disagree(builder: MapBuilder, svc: ComposeService, images: dict[str, tuple[str, str]]) -> None:
    image = svc.body.get("image")
    if not isinstance(image, str) or not image:
        return
    path = svc.origin("image")[0]
    first = images.setdefault(svc.name, (image, path))
    if first[0] != image:
        builder.problem(
            f"compose files disagree on service `{svc.name}`: image `{first[0]}` in {first[1]}, `{image}` in {path}"
        )


def _cycles(builder: MapBuilder, project: ComposeProject) -> None:
    """Each depends_on cycle once (as the set of its services), found by a search back to its start."""
    graph: dict[str, list[str]] = {}
    for svc in project.services:
        raw = svc.body.get("depends_on")
        graph[svc.name] = [str(n) for n in (list(raw) if isinstance(raw, (Mapping, list)) else [])]
    reported: set[frozenset[str]] = set()
    for start in sorted(graph):
        loop = _path_back(graph, start)
        if loop and frozenset(loop) not in reported:
            reported.add(frozenset(loop))
            builder.problem(
                f"cyclic depends_on in {', '.join(project.files)}: {' -> '.join([*loop, start])} "
                "(docker compose refuses to start it)"
            )


def _path_back(graph: dict[str, list[str]], start: str) -> list[str] | None:
    parent: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for child in graph.get(node, []):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return list(reversed(path))
                if child not in parent and child in graph:
                    parent[child] = node
                    nxt.append(child)
        frontier = nxt
    return None
