"""Address variables and name references resolved against the components: flows, external APIs, unknowns.

An address whose host is a component is a flow (protocol and port from the value); a public host is a
third-party component; a bare name nothing defines becomes an unknown component, which gets a probe.
"""

from __future__ import annotations

import re

from redline.core.map_model import Kind, Tri
from redline.synthesis.map.builder import MapBuilder
from redline.synthesis.map.classify import (
    ADDRESS_VAR_RE,
    LOCAL_HOSTS,
    Address,
    is_external_host,
    kube_host,
    parse_address,
    third_party,
)
from redline.synthesis.map.refs import AddressRef, DependsRef

#: a bare host (no port, no scheme) counts only in variables whose name says it is a host
_HOST_ONLY_RE = re.compile(r"(?:_HOST|_HOSTNAME|_SERVER|_ADDR|_ADDRESS)$")


def resolve_addresses(builder: MapBuilder, refs: list[AddressRef]) -> None:
    for ref in refs:
        if not ADDRESS_VAR_RE.search(ref.name.upper()):
            continue
        for address in parse_address(ref.value):
            if address.port is None and not address.scheme and not _HOST_ONLY_RE.search(ref.name.upper()):
                continue
            resolve_one(builder, ref, address)


def resolve_one(builder: MapBuilder, ref: AddressRef, address: Address) -> None:
    host = address.host
    if host in LOCAL_HOSTS:
        return
    target = builder.find(kube_host(host)) or builder.find(host)
    if target is None and is_external_host(host):
        known = third_party(host)
        kind = known[1] if known else address.raw_kind or Kind.EXTERNAL_API
        target = builder.component(
            known[0] if known else host, ref.seen, kind, address.technology if address.raw_kind else ""
        )
        target.external = True
        builder.add_alias(target, host)
    elif target is None:
        target = builder.component(kube_host(host), ref.seen, address.raw_kind or Kind.UNKNOWN)
    target.learn(address.raw_kind, address.technology if address.raw_kind else "")
    if not target.deployed and not target.external:
        target.addressed_by.append((ref.name, ref.seen))
    encrypted = Tri.UNKNOWN if address.encrypted is None else Tri.YES if address.encrypted else Tri.NO
    authenticated = Tri.YES if address.has_credentials else Tri.UNKNOWN
    builder.flow(
        ref.component,
        target.id,
        ref.seen,
        protocol=address.technology or address.scheme,
        port=address.port,
        encrypted=encrypted,
        authenticated=authenticated,
    )


def resolve_depends(builder: MapBuilder, deps: list[DependsRef]) -> None:
    for dep in deps:
        target = builder.find(dep.target)
        if target is None:
            builder.problem(f"{dep.seen}: {dep.seen.what} names `{dep.target}`, which nothing defines")
            target = builder.component(dep.target, dep.seen)
            target.addressed_by.append((dep.target, dep.seen))
        data = target.kind in (Kind.DATASTORE, Kind.CACHE, Kind.QUEUE)  # postgresql, redis: the protocol too
        builder.flow(
            dep.component,
            target.id,
            dep.seen,
            protocol=dep.protocol or (target.technology if data else ""),
            port=dep.port,
        )
