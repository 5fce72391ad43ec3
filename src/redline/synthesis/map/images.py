"""Dockerfiles onto the map: the component each build context belongs to, its base image and runtime.

A compose ``build:`` naming the Dockerfile's directory says whose it is; else a component whose image
repository or name equals the directory (or its parent, for ``src/cart/src/Dockerfile``). A Dockerfile
nothing deploys becomes a component of its own, which the colours mark unknown (with a probe).
"""

from __future__ import annotations

import posixpath

from redline.core.map_model import Kind, Seen
from redline.sources.containers.dockerfile import Dockerfile
from redline.synthesis.map.builder import Draft, MapBuilder
from redline.synthesis.map.classify import image_repo, image_tech


def add_dockerfiles(builder: MapBuilder, dockerfiles: list[Dockerfile]) -> None:
    by_dir: dict[str, list[Draft]] = {}
    by_name: dict[str, Draft] = {}
    for draft in builder.drafts.values():
        for d in draft.build_dirs:
            by_dir.setdefault(d, []).append(draft)
        for image in draft.images:
            by_name.setdefault(image_repo(image), draft)
        by_name.setdefault(draft.id, draft)
    for dockerfile in sorted(dockerfiles, key=lambda d: d.path):
        directory = posixpath.dirname(dockerfile.path)
        owners = by_dir.get(directory) or _by_name(by_name, directory)
        stage = dockerfile.final_stage
        line = stage.line if stage else 1
        base = stage.image if stage else ""
        seen = Seen(dockerfile.path, line, f"Dockerfile FROM `{base}`" if base else "Dockerfile")
        if not owners:
            name = posixpath.basename(directory) or "root"
            if builder.find(name) is not None:
                name = directory or "root"
            owners = [builder.component(name, seen, Kind.SERVICE)]
        command = _command(dockerfile)
        for draft in owners:
            draft.see(seen)
            if command and not draft.image_command:
                draft.image_command = command
            draft.build_dirs.add(directory)
            draft.built_here = True
            if base and (base, seen) not in draft.base_images:
                draft.base_images.append((base, seen))
            tech = image_tech(base) if base else None
            if tech and not draft.technology:  # FROM envoyproxy/envoy: an edge proxy, FROM postgres: a database
                draft.learn(tech[1], tech[0])


def _command(dockerfile: Dockerfile) -> list[str]:
    """The ENTRYPOINT then CMD in force in the final stage, as words (exec form as written, shell form split)."""
    words: list[str] = []
    for found in dockerfile.start():
        if found is not None:
            words += list(found.exec_form) if found.exec_form is not None else found.arguments.split()
    return words


def guess_by_name(builder: MapBuilder) -> None:
    """A component still without a technology named like one (``kafka``, ``opensearch``, ``valkey-cart``)."""
    for draft in builder.drafts.values():
        if not draft.technology and draft.kind in (Kind.SERVICE, Kind.UNKNOWN):
            tech = image_tech(draft.id)
            if tech:
                draft.learn(tech[1], tech[0])


def _by_name(by_name: dict[str, Draft], directory: str) -> list[Draft]:
    parts = [p.lower() for p in directory.split("/") if p]
    for part in reversed(parts[-2:]):
        if part in by_name:
            return [by_name[part]]
    return []
