"""Outbound HTTP and gRPC calls made once per loop item in Go (LAT258): ``net/http`` helpers, ``Do`` on an
``*http.Client`` with a request built from the item, and generated gRPC stubs passed in as parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.latency.go_per_item import GoTypes
from redline.checks.latency.jsgo_chatty_rules import GO_HTTP_IN_LOOP
from redline.checks.latency.loop_items import item_names, per_item, where
from redline.checks.latency.per_item import Hit
from redline.sources.code.model import CallSite, CodeIndex, Loop

_HTTP = "net/http."
_HELPERS = frozenset({"Get", "Head", "Post", "PostForm"})
_CLIENT_METHODS = _HELPERS | {"Do"}
_CLIENT_NAME = re.compile(r"(?i)^(c|hc|cli|client|httpclient|httpc|http_client)$|client$")
#: an import path that holds generated gRPC code
_GENERATED = re.compile(r"(^|[/_-])(pb|proto|protos|protobuf|grpc|gen|genproto|rpc)([/_-]|$)|pb$")
_NEW_REQUEST = frozenset({_HTTP + "NewRequest", _HTTP + "NewRequestWithContext"})


def go_http_hits(index: CodeIndex) -> Iterator[Hit]:
    imports = dict(index.imports)
    if "net/http" not in imports.values() and not any(_GENERATED.search(p) for p in imports.values()):
        return
    types = GoTypes(index)
    for call in index.calls:
        if call.loop < 0:
            continue
        found = _http(index, call, types, imports) or _grpc(index, call, types, imports)
        if found is not None:
            loop, kind = found
            yield _hit(call, loop, kind)


def _http(index: CodeIndex, call: CallSite, types: GoTypes, imports: dict[str, str]) -> tuple[Loop, str] | None:
    target = call.target or ""
    if target.startswith(_HTTP):
        rest = target[len(_HTTP) :].removeprefix("DefaultClient.")
        loop = per_item(index, call, frozenset()) if rest in _CLIENT_METHODS else None
        return (loop, "HTTP") if loop is not None else None
    parts = call.raw.split(".")
    if len(parts) < 2 or parts[-1] not in _CLIENT_METHODS or parts[0] in imports:
        return None
    declared = types.of(call.function, parts[0]) if len(parts) == 2 else None
    if declared is not None and declared != "http.Client":
        return None  # ``http.Header.Get``, a cache, a project type
    if declared is None and ("net/http" not in imports.values() or not _CLIENT_NAME.search(parts[-2])):
        return None
    loop = per_item(index, call, frozenset())
    if loop is None and parts[-1] == "Do":
        loop = _request_per_item(index, call)
    return (loop, "HTTP") if loop is not None else None


def _request_per_item(index: CodeIndex, call: CallSite) -> Loop | None:
    """``req, _ := http.NewRequest(..., url+id, nil); client.Do(req)``: the request is built from the item in
    the same loop, before the ``Do``."""
    loop = index.loops[call.loop]
    if loop.exits:
        return None
    items = item_names(index, call.loop, frozenset())
    built = any(
        c.loop == call.loop and c.target in _NEW_REQUEST and c.line < call.line and items & set(c.reads)
        for c in index.calls
    )
    return loop if built else None


def _grpc(index: CodeIndex, call: CallSite, types: GoTypes, imports: dict[str, str]) -> tuple[Loop, str] | None:
    parts = call.raw.split(".")
    if len(parts) != 2 or not parts[1][:1].isupper():
        return None
    declared = types.of(call.function, parts[0]) or ""
    package, _, name = declared.lstrip("*").rpartition(".")
    if not name.endswith("Client") or not _GENERATED.search(imports.get(package, "")):
        return None
    if not call.args or not (call.args[0].name or call.args[0].call or "").lower().startswith("ctx"):
        return None  # a stub method takes the context first
    loop = per_item(index, call, frozenset())
    return (loop, f"gRPC {name}") if loop is not None else None


def _hit(call: CallSite, loop: Loop, kind: str) -> Hit:
    return Hit(
        GO_HTTP_IN_LOOP,
        f"{kind} call {call.raw}(...) runs {where(loop)}: N round trips one after the other (chatty RPC)",
        call.line,
        call.end_line,
        {"call": call.raw, "kind": kind, "loop": f"line {loop.line}"},
        "Use a batch endpoint or method of the service (one call for every item) or, when there is none, bound "
        "the fan-out with `errgroup.Group` and `SetLimit(n)` so the calls overlap.",
    )
