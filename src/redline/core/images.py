"""One reading of a container image reference, for every family that needs one (container checks,
end-of-life data, the map): ``registry/path:tag@digest`` split once, the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

_DOCKER_HUB = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


@dataclass(frozen=True, slots=True)
class ImageRef:
    written: str  # the repository as written, registry included, case kept (``gcr.io/p/Redis``)
    tag: str  # "" when absent
    digest: str  # "" when absent (``sha256:…`` otherwise)
    registry: str  # "" for Docker Hub (written or implied), lower-case
    path: str  # the repository path without registry and ``library/``, lower-case (``bitnami/postgresql``)

    @property
    def repository(self) -> str:
        """Registry and path as the known-images table matches them: Docker Hub's implied parts dropped
        (``postgres``, ``grafana/grafana``), other registries kept (``quay.io/prometheus/prometheus``)."""
        return f"{self.registry}/{self.path}" if self.registry else self.path

    @property
    def name(self) -> str:
        """The last path segment (``postgresql``)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def hub_path(self) -> str:
        """The path as Docker Hub names it, official images under ``library/`` (``library/python``); the
        registry is dropped (``mcr.microsoft.com/dotnet/aspnet`` -> ``dotnet/aspnet``)."""
        return self.path if "/" in self.path else f"library/{self.path}"


@lru_cache(maxsize=4096)
def parse_image(image: str) -> ImageRef:
    """``docker.io/library/postgres:16@sha256:..`` -> written ``docker.io/library/postgres``, tag ``16``,
    registry "", path ``postgres``. A first segment with a dot or a port, or ``localhost``, is a registry."""
    ref, _, digest = image.strip().partition("@")
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    written, tag = (ref[:colon], ref[colon + 1 :]) if colon > slash else (ref, "")
    parts = written.lower().split("/")
    registry = ""
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, parts = parts[0], parts[1:]
    if registry in _DOCKER_HUB:
        registry = ""
    if not registry and len(parts) > 1 and parts[0] == "library":
        parts = parts[1:]
    return ImageRef(written, tag, digest, registry, "/".join(parts))
