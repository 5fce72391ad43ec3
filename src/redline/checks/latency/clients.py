"""What a receiver is: the client a name was bound to (``s = requests.Session()``, ``async with
aiohttp.ClientSession() as s``, ``self.client = httpx.AsyncClient()``, ``client: httpx.AsyncClient``)."""

from __future__ import annotations

from redline.sources.code.model import CallSite, CodeIndex

HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})
HTTP_READS = frozenset({"get", "head", "options"})
#: module-level functions that send a request and block
HTTP_FUNCTIONS = frozenset(
    {f"requests.{v}" for v in HTTP_VERBS - {"send", "stream"}}
    | {f"httpx.{v}" for v in HTTP_VERBS - {"send"}}
    | {"urllib.request.urlopen", "urllib2.urlopen"}
)
SYNC_HTTP_CLIENTS = frozenset(
    {"requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client", "urllib3.PoolManager"}
)
ASYNC_HTTP_CLIENTS = frozenset({"httpx.AsyncClient", "aiohttp.ClientSession", "aiohttp.client.ClientSession"})
SYNC_REDIS = frozenset(
    {
        "redis.Redis",
        "redis.StrictRedis",
        "redis.from_url",
        "redis.Redis.from_url",
        "redis.StrictRedis.from_url",
        "redis.client.Redis",
        "redis.client.StrictRedis",
    }
)
ASYNC_REDIS = frozenset(
    {
        "redis.asyncio.Redis",
        "redis.asyncio.from_url",
        "redis.asyncio.Redis.from_url",
        "aioredis.from_url",
        "aioredis.Redis",
    }
)


class Bindings:
    """The resolved constructor each local name, attribute or parameter of a module was bound to."""

    def __init__(self, index: CodeIndex) -> None:
        self._index = index
        self._bound: dict[tuple[str, str], str] = {}
        for call in index.calls:
            if call.assigned_to:
                self._bound[(call.function, call.assigned_to)] = call.target or call.raw
        for d in index.definitions:
            for name, arg in d.param_defaults:
                if arg.name and not arg.call:  # an annotation: ``client: httpx.AsyncClient``
                    self._bound.setdefault((d.qualname, name), self._resolve(arg.name))

    def _resolve(self, text: str) -> str:
        head, _, rest = text.partition(".")
        qualified = self._index.imported(head)
        return f"{qualified}.{rest}" if qualified and rest else qualified or text

    def of(self, function: str, receiver: str) -> str | None:
        """What ``receiver`` (``s``, ``self.client``) holds in ``function``, when the module says."""
        found = self._bound.get((function, receiver))
        if found is None and receiver.startswith("self."):
            owner = function.rpartition(".")[0]
            found = next((v for (f, n), v in self._bound.items() if n == receiver and f.startswith(owner + ".")), None)
        return found if found is not None else self._bound.get(("", receiver))


def receiver(call: CallSite) -> str:
    """``self.client`` for ``self.client.get``; "" for a bare function."""
    return call.raw.rpartition(".")[0]


def method(call: CallSite) -> str:
    return call.raw.rpartition(".")[2]


def http_kind(call: CallSite, bindings: Bindings) -> str | None:
    """sync / async when the call sends an HTTP request (or a gRPC stub call: rpc), else None."""
    if call.target in HTTP_FUNCTIONS:
        return "sync"
    holder = bindings.of(call.function, receiver(call)) if receiver(call) else None
    if holder is None:
        return None
    if holder in SYNC_HTTP_CLIENTS and method(call) in HTTP_VERBS:
        return "sync"
    if holder in ASYNC_HTTP_CLIENTS and method(call) in HTTP_VERBS:
        return "async"
    if holder.endswith("Stub") and method(call)[:1].isupper():
        return "rpc"
    return None
