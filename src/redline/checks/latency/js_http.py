"""Outbound HTTP requests (and gRPC calls, found by ``js_grpc``) made once per loop item in JavaScript/TypeScript
(LAT257): which calls are HTTP clients (global ``fetch``, node-fetch/undici, axios and its instances, got,
superagent, ky, Octokit)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.latency.jsgo_chatty_rules import JS_HTTP_IN_LOOP
from redline.checks.latency.loop_items import constant_lists, local_wrappers, per_item, where
from redline.checks.latency.per_item import Hit
from redline.sources.code.model import CallSite, CodeIndex, Loop
from redline.sources.code.scopes import within
from redline.sources.code.treesitter.jsloops import serial_callback

_GLOBAL_FETCH = frozenset({"fetch", "globalThis.fetch", "window.fetch", "global.fetch"})
_FETCH_LIBS = frozenset({"node-fetch", "cross-fetch", "isomorphic-fetch", "isomorphic-unfetch", "undici"})
#: libraries whose default export is callable and has one method per verb
_CLIENT_LIBS = frozenset({"axios", "got", "superagent", "ky"})
_VERBS = frozenset({"get", "post", "put", "patch", "delete", "del", "head", "options", "request"})
_FACTORIES = frozenset({"create", "extend"})
#: GitHub's REST/GraphQL client, whatever module made it: ``octokit.request``, ``context.octokit.rest.issues.get``
_OCTOKIT_METHODS = frozenset({"request", "graphql", "paginate"})


class JsHttpClients:
    """The module's local names for HTTP clients: imported libraries and the instances made from them."""

    def __init__(self, index: CodeIndex) -> None:
        self.fetchers: set[str] = set()  # called directly: ``fetch(url)``, ``request(url)`` from undici
        self.libraries: set[str] = set()  # callable and with verbs: ``axios``, ``got``
        for local, module in index.imports:
            lib, _, member = module.partition(".")
            if lib in _FETCH_LIBS and member in {"", "default", "fetch", "request"}:
                self.fetchers.add(local)
            elif lib in _CLIENT_LIBS and member in {"", "default"}:
                self.libraries.add(local)
        self.instances = {
            c.assigned_to
            for c in index.calls
            if c.assigned_to and _split(c.raw)[0] in self.libraries and _split(c.raw)[1] in _FACTORIES
        }
        self.own_fetch = any(d.name == "fetch" for d in index.definitions)
        self.index = index

    def client(self, call: CallSite) -> str | None:
        """The client library ``call`` goes through, or None when it is no HTTP request."""
        head, method = _split(call.raw)
        if call.raw in self.fetchers:
            return call.raw
        if call.raw in _GLOBAL_FETCH:
            return None if self.own_fetch or self._injected(call) else "fetch"
        if call.raw in self.libraries:
            return call.raw
        if method in _VERBS and (head in self.libraries or head in self.instances):
            return head
        return "octokit" if _octokit(call.raw) else None

    def _injected(self, call: CallSite) -> bool:
        """``fetch`` is a parameter of the enclosing function or one it is nested in."""
        return any("fetch" in d.params for d in self.index.definitions if within(call.function, d.qualname))


def _octokit(raw: str) -> bool:
    parts = raw.split(".")
    if "octokit" not in parts[:-1]:
        return False
    rest = parts[parts.index("octokit") + 1 :]
    return (len(rest) == 1 and rest[0] in _OCTOKIT_METHODS) or (len(rest) == 3 and rest[0] == "rest")


def _split(raw: str) -> tuple[str, str]:
    head, _, method = raw.rpartition(".")
    return head, method


def js_remote_calls(index: CodeIndex) -> dict[int, str]:
    """id of each HTTP request call of the module -> the client it goes through."""
    clients = JsHttpClients(index)
    if not (
        clients.fetchers or clients.libraries or any(c.raw in _GLOBAL_FETCH or _octokit(c.raw) for c in index.calls)
    ):
        return {}
    return {id(c): client for c in index.calls if (client := clients.client(c))}


def js_http_hits(index: CodeIndex, remote: dict[int, str]) -> Iterator[Hit]:
    if not remote:
        return
    constants = constant_lists(index)
    wrappers = local_wrappers(index, remote)
    for call in index.calls:
        client = remote.get(id(call))
        wrapped = wrappers.get(_own_name(call)) if client is None else None
        loop = per_item(index, call, constants) if client or wrapped else None
        if loop is not None:
            yield _hit(call, client or "", loop, wrapped)


def _own_name(call: CallSite) -> str:
    """The qualified name of the module's own function ``call`` calls: ``getUser`` for ``getUser(...)``,
    ``Users.getUser`` for ``this.getUser(...)`` inside a ``Users`` method."""
    if "." not in call.raw:
        return call.raw
    head, _, method = call.raw.partition(".")
    owner = call.function.split(".", 1)[0]
    return f"{owner}.{method}" if head == "this" and "." not in method and owner else ""


def rpc_hit(call: CallSite, client: str, loop: Loop) -> Hit:
    """The LAT257 finding for a remote call found once the project is known (a gRPC client imported from the
    module that makes it)."""
    return _hit(call, client, loop, None)


def _hit(call: CallSite, client: str, loop: Loop, wrapped: tuple[int, str] | None) -> Hit:
    rpc = (client or (wrapped[1] if wrapped is not None else "")).startswith("gRPC")
    # a grpc-js call with a callback returns at once: the loop sends every call before the first answer; so does
    # a ``forEach``/``map`` callback that does not await it (gotify's ``forEach(m => this.removeSingle(m))``)
    concurrent = (
        loop.concurrent
        or (client == "gRPC grpc-js" and not call.awaited)
        or (loop.kind == "callback" and not call.awaited and not serial_callback(loop.via))
    )
    how = "N requests in flight at once, with no bound" if concurrent else "N requests one after the other (chatty RPC)"
    what = "gRPC call" if rpc else "HTTP request"
    batch = (
        "a batch RPC of the service (a repeated field: every item in one request, or one stream for all of them)"
        if rpc
        else "a batch endpoint of the service (one request for every item)"
    )
    fix = f"Use {batch} or, when there is none, bound the fan-out (`p-limit`, `p-map` with `concurrency: 8`)"
    fix += "." if concurrent else " so the requests overlap instead of queueing one behind the other."
    evidence = {
        "call": call.raw,
        "client": client,
        "loop": f"line {loop.line}",
        "concurrent": str(concurrent).lower(),
    }
    via = ""
    if wrapped is not None:
        evidence["client"], evidence["wraps"] = wrapped[1], f"line {wrapped[0]}"
        sends = "makes a call" if rpc else "sends a request"
        via = f" (it {sends} through {wrapped[1]} at line {wrapped[0]})"
    return Hit(
        JS_HTTP_IN_LOOP,
        f"{what} {call.raw}(...){via} runs {where(loop)}: {how}",
        call.line,
        call.end_line,
        evidence,
        fix,
    )
