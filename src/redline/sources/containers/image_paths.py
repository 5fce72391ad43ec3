"""Where a file of a built image came from: a path inside the image traced back, through the Dockerfile's
``WORKDIR`` and ``COPY``/``ADD`` lines (``--from`` an earlier stage included), to the build-context path that was
copied there. Nothing is built: a ``RUN`` that moves or writes files is not followed, so a path only a ``RUN``
makes has no origin."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable

from redline.sources.containers.dockerfile import Dockerfile, DockerInstruction, substitute, unquoted

#: a build-context path (relative, POSIX, "" for the context itself) -> whether the context holds it
Holds = Callable[[str], bool]

_COPIES = ("COPY", "ADD")
_MAX_STAGE_HOPS = 8  # ``COPY --from`` chains: stages name earlier stages only, this bounds a malformed file


def image_env(dockerfile: Dockerfile, stage: int) -> dict[str, str | None]:
    """The build arguments and the ``ENV`` values of the stage's image: what a path written with ``$VAR`` expands
    with (a ``COPY`` operand, a ``WORKDIR``, the command of a ``HEALTHCHECK``)."""
    return {**dockerfile.global_args, **dockerfile.env(stage)}


def workdir(dockerfile: Dockerfile, stage: int, before_line: int | None = None) -> str:
    """The absolute working directory of ``stage`` (inherited along its lineage; ``/`` when none is set), or the
    one in force at ``before_line`` when given (a relative ``COPY`` destination lands there)."""
    values = image_env(dockerfile, stage)
    cwd = "/"
    for index in reversed(dockerfile.lineage(stage)):
        for ins in dockerfile.in_stage(index, "WORKDIR"):
            if before_line is not None and ins.line >= before_line:
                break
            cwd = posixpath.normpath(posixpath.join(cwd, unquoted(substitute(ins.arguments.strip(), values))))
    return cwd


def origin(dockerfile: Dockerfile, stage: int, image_path: str, holds: Holds, hops: int = 0) -> str | None:
    """The build-context path the latest ``COPY``/``ADD`` of ``stage`` that provides ``image_path`` (absolute)
    took it from, or None. A later copy wins only when the context holds what it would have copied, as in a
    build."""
    if hops > _MAX_STAGE_HOPS:
        return None
    target = posixpath.normpath(image_path)
    copies = [ins for index in reversed(dockerfile.lineage(stage)) for ins in dockerfile.in_stage(index, *_COPIES)]
    for ins in reversed(copies):
        sources, dest = _operands(dockerfile, ins)
        if not sources:
            continue
        from_stage = dockerfile.copied_from(ins)
        if from_stage is None and ins.flag("from") is not None:
            continue  # copied out of another image: not in this repository
        for source, rel in _placed(sources, dest, target):
            if from_stage is not None:
                found = origin(dockerfile, from_stage, posixpath.join("/", source, rel), holds, hops + 1)
            else:
                found = _in_context(source, rel, holds)
            if found is not None:
                return found
    return None


def staged_sources(dockerfile: Dockerfile, holds: Holds, named: Callable[[str], bool]) -> dict[tuple[int, str], str]:
    """(line, source) of each ``COPY --from=<earlier stage>`` source whose file name ``named`` accepts and that a copy
    of the build context put in that stage -> the build-context path it came from: what a Next.js image's
    ``COPY --from=builder /app/apps/web/.env`` copies is the repository's ``apps/web/.env``, through ``WORKDIR /app``
    and ``COPY . .`` (or another hop)."""
    out: dict[tuple[int, str], str] = {}
    for ins in dockerfile.instructions:
        from_stage = dockerfile.copied_from(ins) if ins.cmd in _COPIES else None
        if from_stage is None:
            continue
        sources, _ = _operands(dockerfile, ins)
        for source in sources:
            if _has_magic(source) or not named(posixpath.basename(source.rstrip("/"))):
                continue
            found = origin(dockerfile, from_stage, posixpath.join("/", source), holds)
            if found is not None:
                out[(ins.line, source)] = found
    return out


def context_sources(dockerfile: Dockerfile) -> list[str]:
    """The literal build-context paths the Dockerfile's ``COPY``/``ADD`` lines read (no ``--from``, glob or URL):
    a directory that holds them all is a build context it fits."""
    out: list[str] = []
    for ins in dockerfile.instructions:
        if ins.cmd in _COPIES and ins.flag("from") is None:
            sources, _ = _operands(dockerfile, ins)
            out += [_clean(s) for s in sources if not _has_magic(s)]
    return out


def _operands(dockerfile: Dockerfile, ins: DockerInstruction) -> tuple[list[str], str]:
    """The sources and the absolute destination of a ``COPY``/``ADD`` (ARG/ENV substituted); no sources for a
    heredoc, a URL, a git source or an archive ``ADD`` unpacks."""
    words = list(ins.operands)
    if len(words) < 2:
        return [], ""
    values = image_env(dockerfile, ins.stage)
    words = [substitute(w, values) for w in words]
    *sources, raw_dest = words
    if any("://" in s or s.startswith("git@") or (ins.cmd == "ADD" and ".tar" in s) for s in sources):
        return [], ""
    dest = posixpath.join(workdir(dockerfile, ins.stage, ins.line), raw_dest)
    into = raw_dest.endswith("/") or raw_dest in (".", "..") or len(sources) > 1
    return sources, posixpath.normpath(dest) + ("/" if into else "")


def _placed(sources: list[str], dest: str, target: str) -> list[tuple[str, str]]:
    """(source, path under it) pairs a copy to ``dest`` would have put at ``target``: the source itself (a file
    copied onto that name or into that directory) or a file inside a copied directory."""
    into = dest.endswith("/")
    dest = dest.rstrip("/") or "/"
    out: list[tuple[str, str]] = []
    if target == dest and not into:
        return [(s, "") for s in sources if not _has_magic(s)]
    prefix = dest if dest.endswith("/") else dest + "/"
    if not target.startswith(prefix):
        return out
    rel = target[len(prefix) :]
    for source in sources:
        if _has_magic(source):
            if "/" not in rel and fnmatch.fnmatchcase(rel, posixpath.basename(source)):
                out.append((posixpath.dirname(source), rel))
            continue
        if posixpath.basename(_clean(source)) == rel:
            out.append((source, ""))  # a file copied into the directory
        out.append((source, rel))  # a directory whose contents were copied
    return out


def _in_context(source: str, rel: str, holds: Holds) -> str | None:
    path = _clean(posixpath.join(source, rel) if rel else source)
    return path if path and holds(path) else None


def _clean(path: str) -> str:
    """A context path as the workspace names it: no leading ``/`` or ``./``, "" for the context itself."""
    cleaned = posixpath.normpath(path.lstrip("/")) if path.strip("/") else ""
    return "" if cleaned == "." else cleaned


def _has_magic(path: str) -> bool:
    return any(c in path for c in "*?[")
