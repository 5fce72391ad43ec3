"""Which Dockerfile of the tree builds which deployed image, and who runs it.

Kubernetes manifests name images, not Dockerfiles. A skaffold ``Config``
(read as a manifest object) maps image names to build contexts exactly;
otherwise an image whose last path segment equals the name of the single
Dockerfile directory of that name is taken to be built there. Compose
services say it themselves with ``build:``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from redline.checks.containers.common import image_name, is_root_user, mapping, split_image
from redline.core.facts import Facts
from redline.sources.containers.compose import ComposeProject, ComposeService
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.kubernetes import Container, KubeManifest, KubeObject


def build_dockerfile(svc: ComposeService, dockerfiles: Mapping[str, Dockerfile]) -> Dockerfile | None:
    """The Dockerfile a compose service's ``build:`` names, when it is in the tree."""
    path = svc.dockerfile_path
    return dockerfiles.get(path) if path is not None else None


#: ``$NAME`` or ``${NAME}`` in a FROM line: a build argument
_ARG_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def compose_built_images(facts: Facts) -> dict[str, Dockerfile]:
    """Image name (the repository's last segment, ``image_name``) -> the Dockerfile a compose service builds it from
    (``image: baserow`` beside ``build: {dockerfile: deploy/all-in-one/Dockerfile}``); a name two Dockerfiles build
    is left out. A derived fact the Dockerfile and compose checks share (``ctx.scope.derived``)."""
    dockerfiles = {d.path: d for d in facts.of(Dockerfile)}
    found: dict[str, set[str]] = {}
    for project in facts.of(ComposeProject):
        for svc in project.services:
            image, df = svc.body.get("image"), build_dockerfile(svc, dockerfiles)
            if isinstance(image, str) and df is not None and "$" not in image:
                found.setdefault(image_name(image), set()).add(df.path)
    return {name: dockerfiles[next(iter(paths))] for name, paths in found.items() if len(paths) == 1}


def service_build_args(svc: ComposeService, dotenv: Mapping[str, str]) -> dict[str, str]:
    """The build arguments a compose service passes: ``args: {BASE_IMAGE: …}`` or ``args: [K=V]``, and ``args:
    [SENTRY_IMAGE]`` whose value compose takes from the environment, here the project's ``.env``."""
    build = svc.body.get("build")
    raw = build.get("args") if isinstance(build, Mapping) else None
    out: dict[str, str] = {}
    if isinstance(raw, Mapping):
        out = {str(k): str(v) for k, v in raw.items() if v is not None}
    elif isinstance(raw, list):
        for item in raw:
            name, eq, value = str(item).partition("=")
            if eq:
                out[name] = value
            elif name in dotenv:
                out[name] = dotenv[name]
    return out


def with_build_args(image: str, args: Mapping[str, str]) -> str:
    """A FROM image with its build arguments filled in (``${SENTRY_IMAGE}`` -> ``ghcr.io/getsentry/sentry:nightly``),
    unchanged unless every argument it names is known."""
    if "$" not in image or not all(name in args for name in _ARG_REF.findall(image)):
        return image
    return _ARG_REF.sub(lambda m: args[m.group(1)], image)


def compose_build_args(
    dockerfiles: Mapping[str, Dockerfile], projects: Iterable[ComposeProject]
) -> dict[str, dict[str, str]]:
    """Dockerfile path -> the build arguments every compose service that builds it passes alike."""
    seen: dict[str, list[dict[str, str]]] = {}
    for project in projects:
        for svc in project.services:
            df = build_dockerfile(svc, dockerfiles)
            if df is not None:
                seen.setdefault(df.path, []).append(service_build_args(svc, project.dotenv))
    return {
        path: {k: v for k, v in runs[0].items() if all(r.get(k) == v for r in runs[1:])} for path, runs in seen.items()
    }


def skaffold_images(manifests: Iterable[KubeManifest]) -> dict[str, str]:
    """Image name -> Dockerfile path, from every skaffold ``Config`` in the tree."""
    out: dict[str, str] = {}
    for manifest in manifests:
        base = posixpath.dirname(manifest.path)
        for obj in manifest.objects:
            if obj.kind != "Config" or not obj.api_version.startswith("skaffold/"):
                continue
            for art in mapping(obj.body.get("build")).get("artifacts") or []:
                if not isinstance(art, Mapping) or not isinstance(art.get("image"), str):
                    continue
                context = str(art.get("context") or ".")
                dockerfile = str(mapping(art.get("docker")).get("dockerfile") or "Dockerfile")
                out[art["image"]] = posixpath.normpath(posixpath.join(base, context, dockerfile))
    return out


@dataclass
class BuildIndex:
    """Dockerfiles of the tree and the deployed containers and services that run their images."""

    dockerfiles: Mapping[str, Dockerfile]
    skaffold: Mapping[str, str]

    @classmethod
    def of(cls, dockerfiles: Iterable[Dockerfile], manifests: Iterable[KubeManifest]) -> BuildIndex:
        return cls({d.path: d for d in dockerfiles}, skaffold_images(manifests))

    def for_image(self, image: str) -> Dockerfile | None:
        """The Dockerfile that builds a Kubernetes container's image, when the tree says (or shows) it."""
        if not image:
            return None
        repo = split_image(image)[0]
        path = self.skaffold.get(repo) or self.skaffold.get(image)
        if path:
            return self.dockerfiles.get(path)
        name = image_name(image)
        found = [d for d in self.dockerfiles.values() if posixpath.basename(posixpath.dirname(d.path)).lower() == name]
        return found[0] if len(found) == 1 else None


def orchestrated_healthcheck(
    index: BuildIndex, manifests: Iterable[KubeManifest], projects: Iterable[ComposeProject]
) -> dict[str, str]:
    """Dockerfile path -> what checks its containers' health instead of HEALTHCHECK: Kubernetes (which
    ignores HEALTHCHECK; probes are KUB113's business) or a compose ``healthcheck:``."""
    out: dict[str, str] = {}
    for manifest in manifests:
        for obj in manifest.objects:
            for c in _containers(obj):
                df = index.for_image(c.image)
                if df is not None:
                    out.setdefault(df.path, f"Kubernetes runs it ({obj.resource}), which uses probes, not HEALTHCHECK")
    for project in projects:
        for svc in project.services:
            df = build_dockerfile(svc, index.dockerfiles)
            hc = svc.body.get("healthcheck")
            if df is not None and isinstance(hc, Mapping) and hc.get("disable") is not True:
                out.setdefault(df.path, f"compose service `{svc.name}` defines a healthcheck")
            elif df is not None and "restart" in svc.body and str(svc.body["restart"]).lower() == "no":
                out.setdefault(df.path, f"compose service `{svc.name}` is a one-shot job (restart: no)")
    return out


def _containers(obj: KubeObject) -> Iterable[Container]:
    return obj.containers(include_init=False) if obj.is_workload and not obj.is_patch else ()


def _kube_user(obj: KubeObject, c: Container) -> str:
    """ "non-root" when the pod or container security context forces a non-root user, else "root-or-image"."""
    pod = obj.pod_spec() or {}
    own, shared = mapping(c.body.get("securityContext")), mapping(pod.get("securityContext"))
    user = own.get("runAsUser", shared.get("runAsUser"))
    nonroot = own.get("runAsNonRoot", shared.get("runAsNonRoot"))
    if user == 0:
        return "root"
    if nonroot is True or (isinstance(user, int) and not isinstance(user, bool) and user > 0):
        return "non-root"
    return "image"


def orchestrated_user(
    index: BuildIndex, manifests: Iterable[KubeManifest], projects: Iterable[ComposeProject]
) -> dict[str, str]:
    """Dockerfile path -> why its image never runs as root where it is deployed: every Kubernetes container
    and compose service that runs it sets a non-root user (absent when any of them does not, or none runs it)."""
    verdicts: dict[str, list[tuple[bool, str]]] = {}
    for manifest in manifests:
        for obj in manifest.objects:
            for c in _containers(obj):
                df = index.for_image(c.image)
                if df is not None:
                    verdicts.setdefault(df.path, []).append((_kube_user(obj, c) == "non-root", obj.resource))
    for project in projects:
        for svc in project.services:
            df = build_dockerfile(svc, index.dockerfiles)
            if df is not None:
                user = svc.body.get("user")
                ok = user is not None and not is_root_user(str(user))
                verdicts.setdefault(df.path, []).append((ok, f"compose service `{svc.name}`"))
    return {
        path: ", ".join(where for _, where in runs)
        for path, runs in verdicts.items()
        if runs and all(ok for ok, _ in runs)
    }
