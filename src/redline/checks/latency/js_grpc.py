"""gRPC clients in JavaScript/TypeScript and the calls made through them: stubs of ``@grpc/grpc-js`` (loaded from
a ``.proto`` or generated ``*_grpc_pb``), nice-grpc and Connect clients. LAT257 counts their calls as remote
calls per loop item; RES290 judges each unary call's deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.checks.latency.js_clients import JsProject, ModuleFacts
from redline.checks.latency.loop_items import constant_lists, per_item
from redline.sources.code.model import Arg, CallSite, CodeIndex, Loop
from redline.sources.code.scopes import nearest
from redline.sources.code.treesitter.jsnames import module_id

_GRPC_JS = frozenset({"@grpc/grpc-js", "grpc"})
_NICE = "nice-grpc."
_CONNECT = ("@connectrpc/connect.", "@bufbuild/connect.")
_CONNECT_FACTORIES = frozenset({"createClient", "createPromiseClient", "createCallbackClient"})
#: the client's own methods, not RPCs
_CLIENT_METHODS = frozenset(
    {
        "close", "getChannel", "waitForReady", "makeUnaryRequest", "makeClientStreamRequest",
        "makeServerStreamRequest", "makeBidiStreamRequest", "on", "once", "emit", "bind", "call", "apply",
    }
)  # fmt: skip
_CREDENTIALS = re.compile(r"(?i)(^|\.)(credentials\.create|ChannelCredentials\.create)|^creds?$|credentials$")
_METADATA = re.compile(r"(?i)(meta|^md$)")
_BATCH_METHOD = re.compile(r"^(batch|bulk)|Batch|Bulk|Many$")
_CALLBACK = re.compile(r"^<anonymous:\d+>$|^(cb|callback|done)$")
#: option keys that end a call in time, per library
_DEADLINE_KEYS = {"grpc-js": {"deadline"}, "nice-grpc": {"deadline", "signal"}, "connect": {"timeoutMs", "signal"}}
#: keys of a client's or a transport's construction that may set a default deadline for every call
_DEFAULTS = frozenset({"interceptors", "interceptor_providers", "defaultTimeoutMs", "defaultCallOptions"})


@dataclass(frozen=True)
class GrpcClient:
    """A gRPC client bound to a name: its library, the line it is made on, and whether its construction may
    give every call a default deadline (interceptors, middleware, ``defaultTimeoutMs``, an options variable)."""

    library: str  # grpc-js / nice-grpc / connect
    name: str
    line: int
    defaults: bool


@dataclass(frozen=True)
class GrpcCall:
    """One call through a gRPC client: whether it is unary (a callback, or an awaited promise) and whether it
    sets a deadline (None when an options variable hides it)."""

    call: CallSite
    client: GrpcClient
    unary: bool
    deadline: bool | None


def grpc_calls(index: CodeIndex) -> list[GrpcCall]:
    """The module's calls through gRPC clients it makes itself."""
    clients = _clients(index)
    if not clients:
        return []
    found: list[GrpcCall] = []
    for call in index.calls:
        owner, _, method = call.raw.rpartition(".")
        client = _lookup(clients, call.function, owner) if owner else None
        if client is not None and _rpc(method):
            found.append(judge(call, client))
    return found


def exported_clients(index: CodeIndex) -> dict[str, GrpcClient]:
    """The module-level gRPC clients another module can import: by name, and ``default`` for the one
    ``export default client`` / ``module.exports = client`` hands out."""
    found = {name: client for (function, name), client in _clients(index).items() if not function}
    for assignment in index.assignments:
        if assignment.name == "module.exports" and len(assignment.values) == 1:
            value = assignment.values[0]
            if isinstance(value, str) and value in found:
                found["default"] = found[value]
    return found


@dataclass(frozen=True)
class ClientExports:
    """The module-level gRPC clients one module makes, which other modules may import (a worker's partial)."""

    module: str
    path: str
    clients: tuple[tuple[str, GrpcClient], ...]


def client_exports(index: CodeIndex) -> ClientExports | None:
    found = exported_clients(index)
    return ClientExports(module_id(index.path), index.path, tuple(sorted(found.items()))) if found else None


class ImportedClients:
    """Which gRPC client an import target names, over every module's exports."""

    def __init__(self, exports: list[ClientExports]) -> None:
        self._exports = {e.module: e for e in exports}
        self._project = JsProject(modules={module: ModuleFacts(None) for module in self._exports})

    def resolve(self, target: str) -> tuple[str, GrpcClient] | None:
        """(path of the module that makes it, the client) for a default export or a module-level name."""
        whole = self._project.module(target)
        owner, _, member = target.rpartition(".")
        module = whole if whole is not None else (self._project.module(owner) if owner else None)
        if module is None:
            return None
        client = dict(self._exports[module].clients).get("default" if whole is not None else member)
        return (self._exports[module].path, client) if client is not None else None


def imported_calls(index: CodeIndex) -> list[tuple[CallSite, str]]:
    """Calls that may go through a gRPC client imported from another module of the project: (call, import
    target of its receiver), for unary-looking calls only (a callback last, or awaited)."""
    found: list[tuple[CallSite, str]] = []
    for call in index.calls:
        parts = call.raw.split(".")
        target = index.imported(parts[0]) if len(parts) == 2 and _rpc(parts[1]) else None
        callback = bool(call.args) and _CALLBACK.match(call.args[-1].name or "") is not None
        if target and (callback or call.awaited):
            found.append((call, target))
    return found


def batch_method(method: str) -> bool:
    """``batchGetUsers``, ``bulkCreate``, ``getMany``: the service's batch RPC, which a loop over chunks of
    items calls once per chunk — the remedy, not the problem."""
    return bool(_BATCH_METHOD.search(method))


def _rpc(method: str) -> bool:
    return bool(method) and method not in _CLIENT_METHODS and not method.startswith("$")


def _clients(index: CodeIndex) -> dict[tuple[str, str], GrpcClient]:
    uses_grpc_js = any(module.split(".", 1)[0] in _GRPC_JS for _, module in index.imports)
    clients: dict[tuple[str, str], GrpcClient] = {}
    for call in index.calls:
        if not call.assigned_to:
            continue
        library = _library(call, uses_grpc_js=uses_grpc_js)
        if library is not None:
            defaults = _defaults(index, call, library)
            clients[(call.function, call.assigned_to)] = GrpcClient(library, call.assigned_to, call.line, defaults)
    return clients


def _library(call: CallSite, *, uses_grpc_js: bool) -> str | None:
    target = call.target or ""
    if target.startswith(_NICE) and target.rsplit(".", 1)[-1] in {"createClient", "create"}:
        return "nice-grpc"
    if target.startswith(_CONNECT) and target.rsplit(".", 1)[-1] in _CONNECT_FACTORIES:
        return "connect"
    credentials = any(_CREDENTIALS.search(a.call or a.name or "") for a in call.args[1:2])
    if uses_grpc_js and credentials and "ServerCredentials" not in (call.args[1].call or ""):
        return "grpc-js"  # ``new proto.Greeter(addr, grpc.credentials.createInsecure())``, ``new XClient(addr, creds)``
    return None


def _keys(arg: Arg) -> set[str] | None:
    """The keys of an object literal argument, None when it is not one or spreads another object."""
    if arg.name is not None or arg.call is not None or arg.literal is not None:
        return None
    if any(item.startswith("...") for item in arg.items):
        return None
    return {item.partition("=")[0] for item in arg.items}


def _defaults(index: CodeIndex, call: CallSite, library: str) -> bool:
    """Whether the client's construction may set a default deadline (then no call of it is judged)."""
    if library == "nice-grpc":  # ``createClientFactory().use(deadlineMiddleware).create(...)``, default options
        return ".use" in call.raw or len(call.args) > 2
    if library == "grpc-js":  # ``new X(addr, creds, { interceptors: [...] })``
        options = call.args[2] if len(call.args) > 2 else None
        keys = _keys(options) if options is not None else set()
        return keys is None or bool(keys & _DEFAULTS)
    transport = call.args[1] if len(call.args) > 1 else None  # connect: the transport's ``defaultTimeoutMs``
    made = [c for c in index.calls if transport is not None and c.assigned_to == transport.name]
    if not made or not made[-1].raw.endswith("Transport") or not made[-1].args:
        return True  # a transport made elsewhere: its defaults are not visible here
    keys = _keys(made[-1].args[0])
    return keys is None or bool(keys & _DEFAULTS)


def _lookup(clients: dict[tuple[str, str], GrpcClient], function: str, name: str) -> GrpcClient | None:
    found = nearest(clients, function, name)
    if found is None and name.startswith("this."):  # ``this.client = new X(...)`` in the class's constructor
        owner = function.split(".", 1)[0]
        return next((c for (f, n), c in clients.items() if n == name and f.split(".", 1)[0] == owner), None)
    return found


def judge(call: CallSite, client: GrpcClient) -> GrpcCall:
    """Whether ``call`` through ``client`` is unary and whether it sets a deadline."""
    keys = _DEADLINE_KEYS[client.library]
    if client.library == "grpc-js":
        unary = bool(call.args) and _CALLBACK.match(call.args[-1].name or "") is not None
        between = call.args[1:-1] if unary else call.args[1:]
        return GrpcCall(call, client, unary, _deadline_in(between, keys))
    options = call.args[1:2]
    return GrpcCall(call, client, call.awaited, _deadline_in(options, keys))


def _deadline_in(args: tuple[Arg, ...], keys: set[str]) -> bool | None:
    """True when an options object sets one of ``keys``; None when an argument could (a variable, a spread)."""
    unknown = False
    for arg in args:
        found = _keys(arg)
        if found is not None:
            if found & keys:
                return True
            continue
        if arg.call is not None and arg.call.rsplit(".", 1)[-1] == "Metadata":
            continue  # ``new grpc.Metadata()``
        if arg.name is not None and _METADATA.search(arg.name):
            continue
        unknown = True
    return None if unknown else False


@dataclass(frozen=True)
class ImportedLoopCall:
    """A call through a name imported from another project module, once per item of a loop (a worker's partial):
    chatty RPC when the import turns out to be a gRPC client."""

    path: str
    call: CallSite
    target: str
    loop: Loop


def imported_loop_calls(index: CodeIndex) -> list[ImportedLoopCall]:
    constants = constant_lists(index)
    found: list[ImportedLoopCall] = []
    for call in index.calls:
        parts = call.raw.split(".")
        if call.loop < 0 or len(parts) != 2 or not _rpc(parts[1]) or batch_method(parts[1]):
            continue
        target = index.imported(parts[0])
        loop = per_item(index, call, constants) if target else None
        if target and loop is not None:
            found.append(ImportedLoopCall(index.path, call, target, loop))
    return found
