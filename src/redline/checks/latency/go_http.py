"""Outbound HTTP and gRPC calls made once per loop item in Go (LAT258): ``net/http`` helpers, ``Do`` on an
``*http.Client`` with a request built from the item, and generated gRPC stubs passed in as parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.latency.go_per_item import GoTypes
from redline.checks.latency.jsgo_chatty_rules import GO_HTTP_IN_LOOP
from redline.checks.latency.loop_items import item_names, local_wrappers, per_item, where
from redline.checks.latency.per_item import Hit
from redline.sources.code.model import CallSite, CodeIndex, Loop

_HTTP = "net/http."
_HELPERS = frozenset({"Get", "Head", "Post", "PostForm"})
_CLIENT_METHODS = _HELPERS | {"Do"}
_CLIENT_NAME = re.compile(r"(?i)^(c|hc|cli|client|httpclient|httpc|http_client)$|client$")
#: an import path that holds generated gRPC code
_GENERATED = re.compile(r"(^|[/_-])(pb|proto|protos|protobuf|grpc|gen|genproto|rpc)([/_-]|$)|pb$")
_NEW_REQUEST = frozenset({_HTTP + "NewRequest", _HTTP + "NewRequestWithContext"})


def go_remote_calls(index: CodeIndex) -> dict[int, str]:
    """id of each HTTP or gRPC call of the file -> ``HTTP`` / ``gRPC <stub>``."""
    imports = dict(index.imports)
    if "net/http" not in imports.values() and not any(_GENERATED.search(p) for p in imports.values()):
        return {}
    types = GoTypes(index)
    return {id(c): kind for c in index.calls if (kind := _remote(index, c, types, imports))}


def _loop_item(index: CodeIndex, call: CallSite, receiver: str) -> bool:
    """``receiver`` is the item an enclosing loop ranges over (pocketbase's ``for _, client := range chunk {
    client.Get(RealtimeClientAuthKey) }``: a subscriber's stored value): an element of a collection, which a
    name alone does not make an ``*http.Client``."""
    loop_id = call.loop
    while loop_id >= 0:
        loop = index.loops[loop_id]
        if receiver in loop.targets:
            return True
        loop_id = loop.parent
    return False


def go_http_hits(index: CodeIndex, remote: dict[int, str]) -> Iterator[Hit]:
    if not remote:
        return
    wrappers = {name: line for name, (line, _) in local_wrappers(index, remote).items()}
    for call in index.calls:
        if call.loop < 0:
            continue
        kind = remote.get(id(call))
        wrapped = wrappers.get(own_name(call)) if kind is None else None
        loop = per_item(index, call, frozenset()) if kind or wrapped else None
        if loop is None and kind == "HTTP" and call.raw.endswith(".Do"):
            loop = _request_per_item(index, call)
        if loop is not None:
            yield _hit(call, loop, kind or "HTTP", wrapped)


def own_name(call: CallSite) -> str:
    """The qualified name a call of the module's own function or method would have: ``makePost`` for
    ``makePost(...)``, ``Service.fetch`` for ``s.fetch(...)`` inside a ``Service`` method."""
    parts = call.raw.split(".")
    if len(parts) == 1:
        return call.raw
    owner = call.function.split(".", 1)[0]
    return f"{owner}.{parts[1]}" if len(parts) == 2 and owner else ""


def _remote(index: CodeIndex, call: CallSite, types: GoTypes, imports: dict[str, str]) -> str | None:
    """``HTTP`` or ``gRPC <stub>`` when ``call`` is a remote call, wherever it runs."""
    target = call.target or ""
    if target.startswith(_HTTP):
        return "HTTP" if target[len(_HTTP) :].removeprefix("DefaultClient.") in _CLIENT_METHODS else None
    parts = call.raw.split(".")
    if len(parts) < 2 or parts[0] in imports:
        return None
    if parts[-1] in _CLIENT_METHODS:
        declared = types.of(call.function, parts[0]) if len(parts) == 2 else None
        if declared == "http.Client":
            return "HTTP"
        if (
            declared is None
            and "net/http" in imports.values()
            and _CLIENT_NAME.search(parts[-2])
            and not (len(parts) == 2 and _loop_item(index, call, parts[0]))
        ):
            return "HTTP"
        return None  # ``http.Header.Get``, a cache, a project type
    return _grpc(call, types, imports)


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


def _grpc(call: CallSite, types: GoTypes, imports: dict[str, str]) -> str | None:
    parts = call.raw.split(".")
    if len(parts) != 2 or not parts[1][:1].isupper():
        return None
    declared = types.of(call.function, parts[0]) or ""
    package, _, name = declared.lstrip("*").rpartition(".")
    if not name.endswith("Client") or not _GENERATED.search(imports.get(package, "")):
        return None
    if not call.args or not (call.args[0].name or call.args[0].call or "").lower().startswith("ctx"):
        return None  # a stub method takes the context first
    return f"gRPC {name}"


def _hit(call: CallSite, loop: Loop, kind: str, wrapped: int | None) -> Hit:
    via = f" (it makes an {kind} call at line {wrapped})" if wrapped is not None else ""
    evidence = {"call": call.raw, "kind": kind, "loop": f"line {loop.line}"}
    if wrapped is not None:
        evidence["wraps"] = f"line {wrapped}"
    return Hit(
        GO_HTTP_IN_LOOP,
        f"{kind} call {call.raw}(...){via} runs {where(loop)}: N round trips one after the other (chatty RPC)",
        call.line,
        call.end_line,
        evidence,
        "Use a batch endpoint or method of the service (one call for every item) or, when there is none, bound "
        "the fan-out with `errgroup.Group` and `SetLimit(n)` so the calls overlap.",
    )
