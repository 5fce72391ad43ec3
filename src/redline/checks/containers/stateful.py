"""Where a workload's database keeps its data, and whether that survives the pod.

A container is stateful when the known-image table says its image is (postgres, redis…),
or when it mounts a volume at a data directory the table names (a custom PostgreSQL image
mounting ``/var/lib/postgresql/data``). Its data is durable when the volume mounted at
(or above) that directory is a PersistentVolumeClaim or a StatefulSet volume claim template.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redline.checks.containers.common import key_line, mapping, seq
from redline.core.known_images import lookup, table
from redline.sources.containers.kubernetes import Container, KubeObject

#: volume sources that survive the pod (hostPath survives on one node only, but that is KUB109's story)
_DURABLE = (
    "persistentVolumeClaim",
    "hostPath",
    "nfs",
    "awsElasticBlockStore",
    "gcePersistentDisk",
    "azureDisk",
    "azureFile",
    "cephfs",
    "rbd",
    "iscsi",
    "glusterfs",
    "cinder",
    "fc",
    "portworxVolume",
)


@dataclass(frozen=True)
class StatefulMount:
    container: str
    what: str  # "postgres", or "a database (data mounted at /var/lib/mysql)"
    path: str  # the data directory
    volume: str  # the volume mounted there ("" when none)
    durable: bool
    line: int


def _covering_mount(c: Container, path: str) -> Mapping[str, Any] | None:
    """The volumeMount at ``path`` or at the nearest directory above it."""
    best: Mapping[str, Any] | None = None
    for mount in seq(c.body.get("volumeMounts")):
        at = str(mapping(mount).get("mountPath", "")).rstrip("/") or "/"
        if (path == at or path.startswith(at.rstrip("/") + "/")) and (
            best is None or len(at) > len(str(best.get("mountPath", "")))
        ):
            best = mapping(mount)
    return best


def _data_path(c: Container) -> tuple[str, str] | None:
    """(what, data directory) of a stateful container, by image or by a mount at a known data directory."""
    row = lookup(c.image)
    if row is not None and row.stateful and row.data_paths:
        mounted = next((p for p in row.data_paths if _covering_mount(c, p) is not None), row.data_paths[0])
        return row.label, mounted
    if row is not None:
        return None  # a known image that keeps no data
    for mount in seq(c.body.get("volumeMounts")):
        at = posixpath.normpath(str(mapping(mount).get("mountPath", "/")))
        for known in table():
            if known.stateful and at in known.data_paths and at != "/data":  # "/data" alone says too little
                return f"a {known.label}-like store", at
    return None


def stateful_data(obj: KubeObject) -> list[StatefulMount]:
    """Every stateful container of a workload with where its data lives."""
    pod = obj.pod_spec() or {}
    volumes = {str(mapping(v).get("name")): mapping(v) for v in seq(pod.get("volumes"))}
    claims = {str(mapping(mapping(t).get("metadata")).get("name")) for t in seq(obj.spec.get("volumeClaimTemplates"))}
    out: list[StatefulMount] = []
    for c in obj.containers(include_init=False):
        found = _data_path(c)
        if found is None:
            continue
        what, path = found
        mount = _covering_mount(c, path)
        name = str(mount.get("name", "")) if mount else ""
        volume = volumes.get(name, {})
        durable = name in claims or any(k in volume for k in _DURABLE)
        line = key_line(c.body, "volumeMounts") or c.line
        out.append(StatefulMount(c.name, what, path, name if mount else "", durable, line))
    return out
