"""Kubernetes manifests: every object of a YAML file, with its lines.

Multi-document files, ``List`` kinds (``kubectl get -o yaml``), rendered Helm
and kustomize output are all just YAML. A YAML file without any object that
has both ``apiVersion`` and ``kind`` is not Kubernetes and yields nothing.
An unrendered Helm template is reported, not guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.core.lazy_regex import lazy
from redline.core.suppress import FileSuppressions, parse_suppressions
from redline.core.workspace import FileText
from redline.sources.interface import FileSource, SourceError
from redline.sources.yamlsafe import LineMap, YamlError, load_documents

#: workload kind -> path (keys) from the object's body to its pod spec
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
WORKLOAD_KINDS = frozenset(POD_SPEC_PATHS)
#: workloads that run to completion: probes make little sense for them
BATCH_KINDS = frozenset({"Job", "CronJob"})
IGNORE_ANNOTATION = "redline.dev/ignore"
CLUSTER_SCOPED = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "PodSecurityPolicy",
        "CSIDriver",
        "APIService",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ClusterIssuer",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "VolumeSnapshotClass",
    }
)

_HELM_RE = lazy(r"(?<![$\w])\{\{-?[^}]*\}\}")  # no \s* before [^}]*: the overlap was quadratic
_K8S_LINE_RE = lazy(r"^(apiVersion|kind):", re.MULTILINE)


@dataclass(frozen=True)
class Container:
    """One container of a pod spec, as written (``body``) plus where it sits."""

    name: str
    body: Mapping[str, Any]
    init: bool  # an init or ephemeral container
    line: int

    @property
    def image(self) -> str:
        image = self.body.get("image")
        return image if isinstance(image, str) else ""


@dataclass(frozen=True)
class KubeObject:
    """One Kubernetes object. ``body`` is the whole object as loaded (plain dicts/lists)."""

    kind: str
    api_version: str
    name: str
    namespace: str  # "" when the manifest does not say (the default namespace at apply time)
    body: Mapping[str, Any]
    line: int
    end_line: int = 0
    path: str = ""
    lead_line: int = 0  # first line of the comment block right above the object (its "header"), else ``line``
    #: ``# redline: ignore[CODE] reason`` comments in the object or its header: (code prefix, reason)
    comment_ignores: tuple[tuple[str, str], ...] = ()

    @property
    def resource(self) -> str:
        """``Kind/namespace/name`` (``Kind/name`` when cluster-scoped): a finding's stable address."""
        if self.kind in CLUSTER_SCOPED:
            return f"{self.kind}/{self.name}"
        return f"{self.kind}/{self.namespace or 'default'}/{self.name}"

    @property
    def metadata(self) -> Mapping[str, Any]:
        return _map(self.body.get("metadata"))

    @property
    def labels(self) -> Mapping[str, Any]:
        return _map(self.metadata.get("labels"))

    @property
    def annotations(self) -> Mapping[str, Any]:
        return _map(self.metadata.get("annotations"))

    @property
    def spec(self) -> Mapping[str, Any]:
        return _map(self.body.get("spec"))

    @property
    def is_workload(self) -> bool:
        return self.kind in WORKLOAD_KINDS

    def pod_spec(self) -> Mapping[str, Any] | None:
        """The pod spec of any workload kind, or ``None`` for other kinds."""
        keys = POD_SPEC_PATHS.get(self.kind)
        if keys is None:
            return None
        node: Any = self.body
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        return node if isinstance(node, Mapping) else {}

    def pod_metadata(self) -> Mapping[str, Any]:
        """Metadata of the pod template (the object's own for a Pod)."""
        if self.kind == "Pod":
            return self.metadata
        keys = POD_SPEC_PATHS.get(self.kind)
        if keys is None:
            return {}
        node: Any = self.body
        for key in keys[:-1]:
            node = node.get(key) if isinstance(node, Mapping) else None
        return _map(node.get("metadata") if isinstance(node, Mapping) else None)

    def containers(self, include_init: bool = True) -> Iterator[Container]:
        spec = self.pod_spec()
        if not spec:
            return
        groups = (("containers", False), ("initContainers", True), ("ephemeralContainers", True))
        for key, init in groups:
            if init and not include_init:
                continue
            items = spec.get(key)
            if not isinstance(items, list):
                continue
            for item in items:
                if isinstance(item, Mapping):
                    name = item.get("name")
                    line = item.line if isinstance(item, LineMap) else self.line
                    yield Container(str(name) if name is not None else "", item, init, line)

    @property
    def is_patch(self) -> bool:
        """A kustomize strategic-merge patch rather than an object: a workload with no container, or
        none of whose containers names an image (the API would reject either)."""
        if not self.is_workload:
            return False
        return not any(c.image for c in self.containers())

    @property
    def replicas(self) -> int | None:
        """Declared replicas; ``None`` when unset (Kubernetes then defaults to 1)."""
        value = self.spec.get("replicas")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def ignored(self) -> dict[str, str]:
        """Rule code -> reason from ``redline.dev/ignore: CODE=reason[,CODE=reason]``."""
        raw = self.annotations.get(IGNORE_ANNOTATION)
        if not isinstance(raw, str):
            return {}
        out: dict[str, str] = {}
        for part in raw.split(","):
            code, sep, reason = part.partition("=")
            if sep and code.strip() and reason.strip():
                out[code.strip().upper()] = reason.strip()
        return out

    def suppression(self, code: str) -> str | None:
        """Why rule ``code`` is suppressed on this object (annotation or comment), or ``None``.
        Findings point at one key's line, so a comment anywhere in the object must still apply."""
        reason = self.ignored().get(code)
        if reason:
            return reason
        return next((why for prefix, why in self.comment_ignores if code.startswith(prefix)), None)


@dataclass(frozen=True)
class KubeManifest:
    """Every Kubernetes object of one YAML file, in file order."""

    path: str
    objects: tuple[KubeObject, ...]
    documents: int = 0
    skipped_documents: tuple[int, ...] = field(default=())  # first lines of non-Kubernetes documents


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _is_object(value: Any) -> bool:
    return (
        isinstance(value, Mapping) and isinstance(value.get("apiVersion"), str) and isinstance(value.get("kind"), str)
    )


def _make(
    path: str,
    value: Mapping[str, Any],
    fallback_line: int,
    lines: list[str] | None = None,
    comments: FileSuppressions | None = None,
) -> KubeObject:
    meta = _map(value.get("metadata"))
    name = meta.get("name") or meta.get("generateName") or ""
    ns = meta.get("namespace") or ""
    line = value.line if isinstance(value, LineMap) else fallback_line
    end = value.end_line if isinstance(value, LineMap) else fallback_line
    lead = line
    while lines is not None and lead > 1 and lines[lead - 2].lstrip().startswith("#"):
        lead -= 1  # "# Source: ..." and "# redline: ignore[...]" headers belong to the object below
    ignores = tuple(
        (code, item.reason)
        for item in (comments.items if comments else ())
        if lead <= item.line <= max(end, line)
        for code in item.codes
    )
    return KubeObject(
        str(value["kind"]), str(value["apiVersion"]), str(name), str(ns), value, line, end, path, lead, ignores
    )


#: kinds whose fields hold templates another tool renders, not this file's Helm: a Flux HelmRelease's chart values
#: (onedr0p/home-ops: ``publicUrl: https://{{ .Release.Name }}.turbo.ac``, rendered by the chart's ``tpl``), an
#: Argo CD ApplicationSet's Go-template generator fields and an Application's inline Helm values
_TEMPLATES_FOR_OTHERS = frozenset({"HelmRelease", "ApplicationSet", "Application"})


def helm_markers(text: str) -> list[int]:
    """Lines with a ``{{ ... }}`` action outside quotes (an unrendered template)."""
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        if "{{" not in line:
            continue
        stripped = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
        for m in _HELM_RE.finditer(stripped):
            before = stripped[: m.start()]
            if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
                lines.append(number)
                break
    return lines


def _helm_error(lines: list[int]) -> SourceError:
    shown = ", ".join(str(n) for n in sorted(set(lines))[:5])
    return SourceError(f"Helm template, not rendered: render it with helm template (template actions on line {shown})")


def parse_manifest(path: str, text: str) -> KubeManifest | None:
    """Parse one YAML text; ``None`` when it holds no Kubernetes object."""
    looks_k8s = _K8S_LINE_RE.search(text) is not None
    try:
        docs = list(load_documents(text))
    except YamlError as exc:
        if not looks_k8s:
            return None  # broken YAML that is not Kubernetes is someone else's business
        marks = helm_markers(text) if "{{" in text else []
        if marks:
            raise _helm_error(marks) from None
        raise SourceError(str(exc)) from None
    templated = [line for doc in docs for line in doc.template_lines]
    objects: list[KubeObject] = []
    skipped: list[int] = []
    lines = text.splitlines()
    comments = parse_suppressions(path, text)
    for doc in docs:
        value, first_line = doc.value, doc.line
        if _is_object(value) and str(value["kind"]).endswith("List") and isinstance(value.get("items"), list):
            objects.extend(_make(path, item, first_line) for item in value["items"] if _is_object(item))
        elif _is_object(value):
            objects.append(_make(path, value, first_line, lines, comments))
        elif value is not None:
            skipped.append(first_line)
    outside = [
        n for n in templated if not any(o.line <= n <= o.end_line for o in objects if o.kind in _TEMPLATES_FOR_OTHERS)
    ]
    if outside and looks_k8s:
        raise _helm_error(outside)
    if not objects:
        return None
    return KubeManifest(path, tuple(objects), len(docs), tuple(skipped))


class KubernetesSource(FileSource):
    """YAML manifests, and JSON ones (``kubectl get -o json``) that start with an object."""

    name = "kubernetes"
    kinds = frozenset({"yaml", "json"})
    produces = KubeManifest

    def parse(self, text: FileText) -> KubeManifest | None:
        if "kind" not in text.text or "apiVersion" not in text.text:
            return None  # cheap exit for the many YAML files that are not Kubernetes
        if text.file.kind == "json":
            if not text.text.lstrip().startswith("{") or '"apiVersion"' not in text.text:
                return None
            try:
                return parse_manifest(text.file.path, text.text)
            except SourceError:
                return None  # JSON that YAML cannot read is some other tool's file, not a broken manifest
        return parse_manifest(text.file.path, text.text)
