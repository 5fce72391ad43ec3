"""gRPC unary calls without a deadline in JavaScript/TypeScript (RES290): ``@grpc/grpc-js`` stubs, nice-grpc and
Connect clients. Python's counterpart is RES112; Go's blocking dial is RES212."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redline.checks.interface import CheckContext, ModuleCheck
from redline.checks.latency.js_grpc import (
    ClientExports,
    GrpcCall,
    ImportedCall,
    ImportedClients,
    client_exports,
    grpc_calls,
    grpc_clients,
    imported_calls,
    judge,
)
from redline.checks.resilience.hand_run import HAND_RUN_CLIENT, is_hand_run_js_client
from redline.checks.resilience.healthchecks import outside_healthchecks
from redline.checks.resilience.js_timeouts import browser_module
from redline.core.context import lower_in_context
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.model import CodeIndex
from redline.sources.containers.healthcheck import HealthcheckScript

JS_GRPC_NO_DEADLINE = Rule(
    code="RES290",
    name="js-grpc-call-without-deadline",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="gRPC unary call from Node (grpc-js, nice-grpc, Connect) without a deadline",
    tags=("CWE-400", "STRIDE:D"),
    doc=RuleDoc(
        what_it_does="Finds unary calls through a gRPC client the module makes: a `@grpc/grpc-js` stub "
        "(`new pkg.Greeter(addr, grpc.credentials.createInsecure())` from `loadPackageDefinition`, or a "
        "generated `new GreeterClient(addr, creds)`) called with a callback and no `{ deadline }` in its call "
        "options; a nice-grpc client (`createClient(Definition, channel)`) awaited with no `deadline` or "
        "`signal`; a Connect client (`createClient(Service, transport)`) awaited with no `timeoutMs` or "
        "`signal` when its transport, made in the same module, sets no `defaultTimeoutMs`. A client made at "
        "module level in one module and imported by another (`export default client`, `export const "
        "usersClient = new ...`) is followed to the calls of the importing module. Not judged: a call "
        "whose options are a variable or a spread, a client made with interceptors, nice-grpc middleware "
        "(`createClientFactory().use(...)`) or default call options, a transport made elsewhere, streaming "
        "calls (no callback, not awaited: a watch stream may rightly live for hours), Connect clients in "
        "browser modules (as for RES200; grpc-js and nice-grpc run only in Node), tests and samples. A hand-run "
        "client script (named for a client, serving nothing, making every call at its top level) "
        "takes the context step, as for RES112.",
        why_bad="gRPC calls have no deadline by default: a server that stalls keeps the call, its HTTP/2 stream "
        "and the request that waits on it open forever, and no deadline propagates to the services behind it "
        "— one slow dependency then holds every request that needs it.",
        example="client.getUser({ id }, (err, user) => { ... });\n"
        "// nice-grpc / Connect\nconst user = await users.getUser({ id });",
        use_instead="client.getUser({ id }, new grpc.Metadata(), { deadline: Date.now() + 2000 }, (err, user) => "
        "{ ... });\n// nice-grpc\nconst user = await users.getUser({ id }, { signal: AbortSignal.timeout(2000) });\n"
        "// Connect\nconst user = await users.getUser({ id }, { timeoutMs: 2000 });",
        references=(
            "https://grpc.io/docs/guides/deadlines/",
            "https://grpc.github.io/grpc/node/grpc.Client.html",
            "https://github.com/deeplay-io/nice-grpc/tree/master/packages/nice-grpc#deadlines",
            "https://connectrpc.com/docs/node/timeouts/",
        ),
    ),
)

_FIX = {
    "grpc-js": "Pass call options with a deadline before the callback: `client.{m}(req, new grpc.Metadata(), "
    "{{ deadline: Date.now() + 2000 }}, cb)` (within the caller's own deadline), or add a client interceptor "
    "that sets one.",
    "nice-grpc": "Pass `{{ deadline: Date.now() + 2000 }}` (with the deadline middleware) or `{{ signal: "
    "AbortSignal.timeout(2000) }}` as the call options of `{m}`, or set a default for the client "
    "(`createClientFactory().use(deadlineMiddleware)`, default call options).",
    "connect": "Pass `{{ timeoutMs: 2000 }}` (or a `signal`) as the call options of `{m}`, or set "
    "`defaultTimeoutMs` on the transport.",
}


def _missing(calls: list[GrpcCall], *, browser: bool) -> list[GrpcCall]:
    """The unary calls that visibly set no deadline. grpc-js and nice-grpc run only in Node (they need HTTP/2
    sockets), so a ``frontend/`` directory does not make them browser code; a Connect client may be either."""
    misses = [g for g in calls if g.unary and g.deadline is False and not g.client.defaults]
    return [g for g in misses if not (browser and g.client.library == "connect")]


class JsGrpcDeadlineCheck(ModuleCheck):
    name = "js-grpc-deadlines"
    rules = (JS_GRPC_NO_DEADLINE,)
    fact_types = (CodeIndex,)
    project_fact_types = (HealthcheckScript,)

    def reads(self, module: ModuleHead) -> bool:
        return module.language in {"javascript", "typescript"}

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[Finding | ClientExports | ImportedCall]:
        if not self.reads(fact):
            return []
        clients = grpc_clients(fact)
        exports = client_exports(fact, clients)
        out: list[Finding | ClientExports | ImportedCall] = [exports] if exports is not None else []
        if looks_like_test_or_sample(fact.path):
            return out
        browser = browser_module(fact)
        misses = _missing(grpc_calls(fact, clients), browser=browser)
        found = [self._finding(fact.path, miss, fact.path) for miss in misses]
        if is_hand_run_js_client(fact, [m.call for m in misses]):
            found = [lower_in_context(f, HAND_RUN_CLIENT) for f in found]
        out += found
        out += imported_calls(fact, browser=browser)
        return out

    def finish(self, partials: list[Any], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        resolver = ImportedClients([p for p in partials if isinstance(p, ClientExports)])
        found = [p for p in partials if isinstance(p, Finding)]
        for p in partials:
            resolved = resolver.resolve(p.target) if isinstance(p, ImportedCall) else None
            if isinstance(p, ImportedCall) and resolved is not None:
                owner, client = resolved
                found += [self._finding(p.path, g, owner) for g in _missing([judge(p.call, client)], browser=p.browser)]
        return outside_healthchecks(found, facts)

    def _finding(self, path: str, miss: GrpcCall, made_in: str) -> Finding:
        call, client = miss.call, miss.client
        method = call.raw.rpartition(".")[2]
        where = f"line {client.line}" if made_in == path else f"{made_in}:{client.line}"
        return self.finding(
            JS_GRPC_NO_DEADLINE,
            f"gRPC call `{call.raw}` ({client.library} client made at {where}) has no deadline: it waits as long "
            "as the server lets it",
            Location(path, call.line, call.end_line),
            evidence={"call": call.raw, "library": client.library, "client": where},
            remediation=_FIX[client.library].format(m=method),
        )
