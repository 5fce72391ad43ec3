"""``docker buildx bake`` files: the Dockerfile each target builds and the named contexts it hands that build.

A named context (``contexts = { wheels = "target:wheels" }``) replaces what a ``FROM wheels`` of the target's
Dockerfile would pull with another target, a folder or an image (frigate's ``docker/rockchip/rk.hcl``), so that
base is not a registry image. Read from ``docker-bake.hcl``/``.json`` and from any other ``*.hcl`` whose top level
opens a ``target`` block (a Nomad, Packer or Terragrunt file has none and is not parsed). Nothing is evaluated: a
``${VAR}`` in a Dockerfile path matches any name there (``Dockerfile.${ARCH}``).
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from redline.core.lazy_regex import lazy
from redline.core.model import Skipped, Stage, ToolError
from redline.core.workspace import UnreadableFile, read_file
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource, SourceError

BAKE_FILES = frozenset({"docker-bake.hcl", "docker-bake.override.hcl", "docker-bake.json", "docker-bake.override.json"})
#: a top-level ``target "name" {`` (bake files are written unindented): the only ``*.hcl`` files worth parsing
_TARGET_BLOCK = lazy(r'(?m)^target\s+(?:"[^"\n]*"|[\w.-]+)\s*\{')
_INTERPOLATION = lazy(r"\$\{[^}]*\}")
DOCKER_IMAGE = "docker-image://"


@dataclass(frozen=True)
class BakeTarget:
    """One bake target that builds a Dockerfile of the tree."""

    path: str  # the bake file
    name: str
    dockerfiles: tuple[str, ...]  # the tree's Dockerfiles it may build (several for ``Dockerfile.${ARCH}``)
    #: named context -> its value (``target:deps``, ``docker-image://alpine:3.20``, ``./vendor``), sorted
    contexts: tuple[tuple[str, str], ...] = ()


class BakeSource(ProjectSource):
    name = "docker-bake"
    produces = BakeTarget

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        out = ProjectOutput([], [], [])
        dockerfiles = sorted(f.path for f in ctx.files if f.kind == "dockerfile")
        for file in ctx.files:
            name = file.path.rpartition("/")[2].lower()
            if name not in BAKE_FILES and not name.endswith(".hcl"):
                continue
            try:
                text = read_file(file).text
            except UnreadableFile as exc:
                out.skipped.append(Skipped(file.path, f"{exc}; its bake targets were not read"))
                continue
            if name not in BAKE_FILES and not _TARGET_BLOCK.search(text):
                continue
            try:
                targets = bake_targets(text, hcl=not name.endswith(".json"))
            except SourceError as exc:
                out.errors.append(ToolError(file.path, f"docker bake: {exc}", stage=Stage.PARSE))
                continue
            if name not in BAKE_FILES and not any("dockerfile" in t or "contexts" in t for t in targets.values()):
                continue  # some other tool's ``target`` blocks
            out.facts.extend(_resolved(file.path, targets, dockerfiles))
        return out


def bake_targets(text: str, *, hcl: bool) -> dict[str, dict[str, Any]]:
    """Target name -> its attributes, the ones it ``inherits`` merged in (within this file); strings unquoted,
    an HCL expression that is not a plain string is None."""
    if hcl:
        import hcl2  # noqa: PLC0415 - python-hcl2 and Lark load only when a tree has a bake file

        try:
            doc = hcl2.loads(text)
        except RecursionError:
            raise SourceError("invalid HCL: nested too deeply") from None
        except Exception as exc:  # noqa: BLE001 - lark raises many types; all mean "not HCL"
            line = getattr(exc, "line", None)
            raise SourceError(f"invalid HCL at line {line}" if isinstance(line, int) else "invalid HCL") from None
        blocks = doc.get("target") if isinstance(doc, dict) else None
        items = [item for block in blocks if isinstance(block, dict) for item in block.items()] if blocks else []
    else:
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise SourceError(f"invalid JSON: {exc}") from None
        blocks = doc.get("target") if isinstance(doc, dict) else None
        items = list(blocks.items()) if isinstance(blocks, dict) else []
    own = {_key(name): _plain(attrs, hcl) for name, attrs in items if isinstance(attrs, dict)}
    return {name: _inherited(name, own, ()) for name in own}


def _key(name: str) -> str:
    """A block label or map key: ``"trt-deps"`` or ``deps``."""
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name


def _plain(value: Any, hcl: bool) -> Any:
    """python-hcl2 keeps an HCL string's quotes (``'"deps"'``); without them the text is an expression."""
    if isinstance(value, dict):
        return {_key(str(k)): _plain(v, hcl) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_plain(v, hcl) for v in value]
    if isinstance(value, str) and hcl:
        return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else None
    return value


def _inherited(name: str, targets: dict[str, dict[str, Any]], seen: tuple[str, ...]) -> dict[str, Any]:
    """A target's attributes over those of the targets it ``inherits``; maps (``contexts``, ``args``) merged."""
    if name in seen or name not in targets:
        return {}
    merged: dict[str, Any] = {}
    own = targets[name]
    parents = own.get("inherits")
    for parent in parents if isinstance(parents, list) else []:
        if isinstance(parent, str):
            for key, value in _inherited(parent, targets, (*seen, name)).items():
                old = merged.get(key)
                merged[key] = {**old, **value} if isinstance(old, dict) and isinstance(value, dict) else value
    for key, value in own.items():
        old = merged.get(key)
        merged[key] = {**old, **value} if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


def _resolved(path: str, targets: dict[str, dict[str, Any]], dockerfiles: list[str]) -> list[BakeTarget]:
    out = []
    for name, attrs in sorted(targets.items()):
        if "dockerfile-inline" in attrs:
            continue  # its Dockerfile is not a file of the tree
        built = built_dockerfiles(path, attrs.get("context", "."), attrs.get("dockerfile", "Dockerfile"), dockerfiles)
        raw = attrs.get("contexts")
        contexts = {k: v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}
        if built:
            out.append(BakeTarget(path, name, built, tuple(sorted(contexts.items()))))
    return out


def built_dockerfiles(bake_file: str, context: Any, dockerfile: Any, dockerfiles: list[str]) -> tuple[str, ...]:
    """The tree's Dockerfiles a target's ``dockerfile`` (relative to its ``context``) names. Bake resolves them
    where it runs, usually the repository's root, else beside the bake file; a ``${VAR}`` matches any name."""
    if not isinstance(context, str) or not isinstance(dockerfile, str) or "://" in context.removeprefix("cwd://"):
        return ()
    relative = posixpath.join(context.removeprefix("cwd://"), dockerfile.removeprefix("cwd://"))
    for where in ("", posixpath.dirname(bake_file)):
        written = posixpath.normpath(posixpath.join(where, relative))
        pattern = re.compile("[^/]*".join(re.escape(part) for part in _INTERPOLATION.split(written)))
        found = tuple(d for d in dockerfiles if pattern.fullmatch(d))
        if found:
            return found
    return ()
