"""The mutable workspace the map is assembled in: components merged by name and alias, flows by pair.

One real thing seen from several sources (a compose service ``db``, a K8s Service ``db`` and
``DATABASE_URL=postgres://db:5432``) is one entry here, with every ``Seen`` kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.core.map_model import Console, Kind, Measured, Seen, Tri, Zone

#: kinds a later, more specific source may replace
_WEAK_KINDS = frozenset({Kind.UNKNOWN, Kind.SERVICE})


@dataclass
class Draft:
    id: str
    name: str
    kind: Kind = Kind.UNKNOWN
    technology: str = ""
    images: list[str] = field(default_factory=list)
    base_images: list[tuple[str, Seen]] = field(default_factory=list)  # FROM of the Dockerfiles that build it
    built_here: bool = False
    deployed: bool = False  # a manifest (compose, K8s, Terraform) runs it
    managed: bool = False  # a cloud-managed service (Terraform)
    external: bool = False  # outside the repository: a public host, a SaaS API
    zone: Zone | None = None  # forced zone (the internet node)
    exposure: list[tuple[str, Seen]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    aliases: set[str] = field(default_factory=set)
    build_dirs: set[str] = field(default_factory=set)
    addressed_by: list[tuple[str, Seen]] = field(default_factory=list)  # (variable, where) when only referenced
    resources: set[str] = field(default_factory=set)  # Terraform addresses, K8s resource ids
    port_names: dict[int, str] = field(default_factory=dict)  # K8s Service port -> its protocol name (grpc, http)
    #: spans of objects that belong to it without showing it (a K8s Secret only it reads): findings there are its
    owned_spans: list[tuple[str, int, int]] = field(default_factory=list)
    consoles: list[Console] = field(default_factory=list)  # admin consoles it serves, with their login
    command: list[tuple[str, Seen]] = field(default_factory=list)  # its command-line words (compose ``command:``)
    image_command: list[str] = field(default_factory=list)  # ENTRYPOINT + CMD of the Dockerfile that builds it
    cloud_names: set[str] = field(default_factory=set)  # names its cloud resources carry (bucket, identifier …)
    measured: list[Measured] = field(default_factory=list)  # traces, database snapshot, cost joined to it

    def learn(self, kind: Kind | None = None, technology: str = "") -> None:
        if kind is not None and self.kind in _WEAK_KINDS and kind not in (Kind.UNKNOWN, self.kind):
            self.kind = kind
        if technology and not self.technology:
            self.technology = technology

    def see(self, seen: Seen) -> None:
        if seen not in self.seen:
            self.seen.append(seen)


@dataclass
class DraftFlow:
    source: str
    target: str
    protocol: str = ""
    port: int | None = None
    seen: list[Seen] = field(default_factory=list)
    encrypted: Tri = Tri.UNKNOWN
    authenticated: Tri = Tri.UNKNOWN


class MapBuilder:
    def __init__(self) -> None:
        self.drafts: dict[str, Draft] = {}
        self.alias: dict[str, str] = {}
        self.flows: dict[tuple[str, str], DraftFlow] = {}
        self.problems: list[str] = []

    def find(self, name: str) -> Draft | None:
        cid = self.alias.get(name.lower())
        return self.drafts.get(cid) if cid else None

    def component(self, name: str, seen: Seen, kind: Kind | None = None, technology: str = "") -> Draft:
        draft = self.find(name)
        if draft is None:
            cid = name.lower()
            draft = Draft(cid, name)
            self.drafts[cid] = draft
            self.alias[cid] = cid
        draft.learn(kind, technology)
        draft.see(seen)
        return draft

    def add_alias(self, draft: Draft, name: str) -> None:
        key = name.lower()
        if key != draft.id:
            draft.aliases.add(key)
        self.alias.setdefault(key, draft.id)

    def flow(
        self,
        source: str,
        target: str,
        seen: Seen,
        *,
        protocol: str = "",
        port: int | None = None,
        encrypted: Tri = Tri.UNKNOWN,
        authenticated: Tri = Tri.UNKNOWN,
    ) -> None:
        if source == target:
            return
        flow = self.flows.setdefault((source, target), DraftFlow(source, target))
        flow.protocol = flow.protocol or protocol
        flow.port = flow.port if flow.port is not None else port
        if seen not in flow.seen:
            flow.seen.append(seen)
        flow.encrypted = _stronger(flow.encrypted, encrypted)
        flow.authenticated = _stronger(flow.authenticated, authenticated)

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)


def _stronger(old: Tri, new: Tri) -> Tri:
    """What the facts say, with "no" from any source winning over "unknown" (one plain-text path is enough)."""
    if Tri.NO in (old, new):
        return Tri.NO
    return Tri.YES if Tri.YES in (old, new) else Tri.UNKNOWN
