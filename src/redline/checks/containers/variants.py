"""Kustomize and skaffold awareness: which manifests are rendered together, what overlays patch.

A kustomize base is not what gets applied: components and overlays patch it, and skaffold or
kustomize ``images:`` replace image names at deploy time. Judging the base as if rendered
calls a skaffold placeholder "untagged" and a service account a component sets "default".
So the Kustomization/Component/skaffold objects (read as manifests) are indexed here:

- ``placeholders``: image names a build tool or an ``images:`` entry replaces;
- ``patched``: (kind, name) -> field names some patch sets (``serviceAccountName``, ``replicas``…);
- ``patch_files``: files a kustomization uses as patches (partial objects, never judged as objects);
- ``same_set``: two objects may be joined (an HPA to its Deployment) only when they are rendered
  together: the same directory, or directories one kustomization pulls in.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.checks.containers.builds import skaffold_images
from redline.checks.containers.common import mapping
from redline.sources.containers.kubernetes import KubeManifest, KubeObject
from redline.sources.yamlsafe import YamlError, load_documents

_KUSTOMIZE_KINDS = frozenset({"Kustomization", "Component"})


def _keys(value: Any) -> Iterator[str]:
    """Every mapping key in a patch body (the fields it sets)."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k)
            yield from _keys(v)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


@dataclass
class Variants:
    placeholders: set[str] = field(default_factory=set)
    patched: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    patch_files: set[str] = field(default_factory=set)
    scopes: dict[str, set[str]] = field(default_factory=dict)
    _closed: list[set[str]] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, manifests: Iterable[KubeManifest]) -> Variants:
        manifests = list(manifests)
        out = cls(placeholders=set(skaffold_images(manifests)))
        for manifest in manifests:
            for obj in manifest.objects:
                if obj.kind in _KUSTOMIZE_KINDS and obj.api_version.startswith("kustomize.config.k8s.io"):
                    out._kustomization(obj)
        for manifest in manifests:  # strategic-merge patch files and partial objects say what they patch
            for obj in manifest.objects:
                if obj.is_patch or obj.path in out.patch_files:
                    out.patched.setdefault((obj.kind, obj.name), set()).update(_keys(obj.spec))
        return out

    def _kustomization(self, obj: KubeObject) -> None:
        here = posixpath.dirname(obj.path)
        scope = self.scopes.setdefault(here, {here})
        for key in ("resources", "components", "bases"):
            for entry in obj.body.get(key) or []:
                if isinstance(entry, str) and "://" not in entry:
                    target = posixpath.normpath(posixpath.join(here, entry))
                    scope.add(target if not entry.endswith((".yaml", ".yml", ".json")) else posixpath.dirname(target))
        for image in obj.body.get("images") or []:
            if (
                isinstance(image, Mapping)
                and isinstance(image.get("name"), str)
                and any(image.get(k) for k in ("newTag", "newName", "digest"))
            ):
                self.placeholders.add(str(image["name"]))
        self._patches(obj, here)

    def _patches(self, obj: KubeObject, here: str) -> None:
        for entry in obj.body.get("patchesStrategicMerge") or []:
            if isinstance(entry, str) and "\n" not in entry:
                self.patch_files.add(posixpath.normpath(posixpath.join(here, entry)))
            elif isinstance(entry, str):
                self._inline(entry, {})
        for entry in [*(obj.body.get("patches") or []), *(obj.body.get("patchesJson6902") or [])]:
            if not isinstance(entry, Mapping):
                continue
            if isinstance(entry.get("path"), str):
                self.patch_files.add(posixpath.normpath(posixpath.join(here, entry["path"])))
            if isinstance(entry.get("patch"), str):
                self._inline(entry["patch"], mapping(entry.get("target")))

    def _inline(self, text: str, target: Mapping[str, Any]) -> None:
        try:
            docs = [d.value for d in load_documents(text)]
        except YamlError:
            return
        for doc in docs:
            if isinstance(doc, list):  # JSON 6902 operations: the field is the path's last segment
                fields = {
                    str(op.get("path", "")).rstrip("/").rsplit("/", 1)[-1] for op in doc if isinstance(op, Mapping)
                }
                key = (str(target.get("kind") or "*"), str(target.get("name") or "*"))
            elif isinstance(doc, Mapping):
                fields = set(_keys(doc.get("spec")))
                meta = mapping(doc.get("metadata"))
                key = (
                    str(doc.get("kind") or target.get("kind") or "*"),
                    str(meta.get("name") or target.get("name") or "*"),
                )
            else:
                continue
            self.patched.setdefault(key, set()).update(fields)

    def patches(self, obj: KubeObject, name: str) -> bool:
        """Some overlay, component or patch file sets field ``name`` of this object."""
        return any(
            name in self.patched.get(key, ())
            for key in ((obj.kind, obj.name), ("*", obj.name), (obj.kind, "*"), ("*", "*"))
        )

    def placeholder(self, image: str) -> bool:
        """An image name that skaffold or a kustomize ``images:`` entry replaces at deploy time."""
        repo = image.partition("@")[0]
        colon = repo.rfind(":")
        if colon > repo.rfind("/"):
            repo = repo[:colon]
        return repo in self.placeholders

    def same_set(self, a: KubeObject, b: KubeObject) -> bool:
        """Rendered together: one directory, or directories one kustomization pulls in."""
        da, db = posixpath.dirname(a.path), posixpath.dirname(b.path)
        if da == db:
            return True
        return any(da in scope and db in scope for scope in self._closures())

    def _closures(self) -> list[set[str]]:
        if self._closed is None:
            self._closed = [self._closure(d) for d in self.scopes]
        return self._closed

    def _closure(self, start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            d = todo.pop()
            if d in seen:
                continue
            seen.add(d)
            todo.extend(self.scopes.get(d, ()))
        return seen
