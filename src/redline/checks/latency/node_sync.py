"""Synchronous Node.js I/O in a request handler (LAT200): ``fs.readFileSync`` and friends block the one
thread that serves every request of the process."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Location, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import Route, RouteInventory, routes_by_handler
from redline.sources.code.scopes import within

SYNC_IO_IN_NODE_HANDLER = Rule(
    code="LAT200",
    name="sync-io-in-node-request-handler",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Synchronous file, process or compression call in a Node.js request handler",
    tags=("event-loop",),
    doc=RuleDoc(
        what_it_does="For every JavaScript/TypeScript route the entry-point index found (Express, Koa, Fastify, "
        "NestJS), flags calls in the handler's own body to the synchronous APIs of `fs`/`node:fs`/`fs-extra` "
        "(`readFileSync`, `writeFileSync`, `readdirSync`, `statSync`, `existsSync` …), `child_process` "
        "(`execSync`, `spawnSync`, `execFileSync`), `zlib` (`gzipSync` …) and the CPU-bound `crypto` key "
        "derivations (`pbkdf2Sync`, `scryptSync`). The same calls at module level (read once at start-up) and "
        "the promise or callback forms are not flagged; helpers the handler calls are not followed.",
        why_bad="Node.js runs every request of the process on one event loop: while a handler waits for a "
        "synchronous read, a child process or a key derivation, no other request is served, so one slow disk "
        "or one large file adds its latency to every request in flight.",
        example="app.get('/report', (req, res) => {\n  res.send(fs.readFileSync('/var/data/report.csv'));\n});",
        use_instead="app.get('/report', async (req, res) => {\n"
        "  res.send(await fs.promises.readFile('/var/data/report.csv'));\n});\n"
        "// or stream it: fs.createReadStream(path).pipe(res)",
        references=(
            "https://nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop",
            "https://nodejs.org/api/fs.html#synchronous-api",
        ),
    ),
)

#: module -> its synchronous calls that block (None: every ``…Sync`` function of the module)
_BLOCKING: dict[str, frozenset[str] | None] = {
    "fs": None,
    "fs-extra": None,
    "graceful-fs": None,
    "child_process": frozenset({"execSync", "execFileSync", "spawnSync"}),
    "zlib": None,
    "crypto": frozenset({"pbkdf2Sync", "scryptSync", "generateKeyPairSync"}),
}
_NODE_FRAMEWORKS = frozenset({"express", "koa", "fastify", "nestjs"})


def blocking_call(call: CallSite) -> str | None:
    """``fs.readFileSync`` for a call that resolves to a blocking Node.js API, else None."""
    target = call.target or ""
    module, _, name = target.rpartition(".")
    module = module.removeprefix("node:").split("/", 1)[0]  # ``node:fs``, ``fs/promises`` is not sync anyway
    if module not in _BLOCKING or not name.endswith("Sync"):
        return None
    allowed = _BLOCKING[module]
    return f"{module}.{name}" if allowed is None or name in allowed else None


class NodeSyncIoCheck(ProjectCheck):
    name = "node-sync-io"
    rules = (SYNC_IO_IN_NODE_HANDLER,)
    fact_types = (CodeIndex, RouteInventory)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        routes = [r for r in routes_by_handler(facts.of(RouteInventory)).values() if r.framework in _NODE_FRAMEWORKS]
        if not routes:
            return []
        indexes = {i.path: i for i in facts.of(CodeIndex) if i.language in {"javascript", "typescript"}}
        return sorted(self._hits(routes, indexes), key=Finding.sort_key)

    def _hits(self, routes: list[Route], indexes: dict[str, CodeIndex]) -> Iterator[Finding]:
        for route in routes:
            index = indexes.get(route.handler_path)
            if index is None or looks_like_test_or_sample(index.path):
                continue
            for call in index.calls:
                api = blocking_call(call) if within(call.function, route.handler) else None
                if api is not None:
                    yield self._finding(route, call, api, index.path)

    def _finding(self, route: Route, call: CallSite, api: str, path: str) -> Finding:
        where = f"{'/'.join(route.methods)} {route.path}"
        return self.finding(
            SYNC_IO_IN_NODE_HANDLER,
            f"`{api}` in the handler of {where} blocks the event loop for every request in flight",
            Location(path, call.line, call.end_line),
            evidence={"route": where, "handler": route.handler, "call": api, "framework": route.framework},
            confidence=Confidence.HIGH,
            remediation=f"In the handler of {where}: {_INSTEAD[api.split('.', 1)[0]].format(api=_async(api))}",
        )


def _async(api: str) -> str:
    module, name = api.split(".", 1)
    return f"{module}.{name.removesuffix('Sync')}"


#: what to use instead, per module (``{api}`` is the asynchronous name)
_INSTEAD = {
    "fs": "await the promise form (`{api}` from `fs/promises`) or stream the file; read data that never changes "
    "once at start-up.",
    "fs-extra": "await the promise form (`{api}` without a callback returns a promise) or stream the file.",
    "graceful-fs": "use the promise or callback form (`{api}`) or stream the file.",
    "child_process": "run the command with the asynchronous `{api}` (promisified) or move it to a job queue.",
    "zlib": "compress with the asynchronous `{api}` or a stream (`zlib.createGzip()`), or let a compression "
    "middleware do it.",
    "crypto": "derive the key with the asynchronous `{api}` (it runs on the libuv thread pool).",
}
