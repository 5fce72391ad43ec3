"""The chatty-RPC check for JavaScript/TypeScript and Go: an HTTP or gRPC call once per loop item
(LAT257-LAT258; gRPC calls of JS clients are judged with LAT257) and a third-party host called inline from a
route handler (LAT259)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redline.checks.interface import CheckContext, ModuleCheck
from redline.checks.latency.go_http import go_http_hits, go_remote_calls
from redline.checks.latency.js_grpc import (
    ClientExports,
    ImportedCall,
    ImportedClients,
    batch_method,
    client_exports,
    grpc_calls,
    grpc_clients,
    imported_loop_calls,
)
from redline.checks.latency.js_http import js_http_hits, js_remote_calls, rpc_hit
from redline.checks.latency.jsgo_chatty_rules import JSGO_CHATTY_RULES, THIRD_PARTY_IN_HANDLER_JSGO
from redline.checks.latency.jsgo_handlers import ExternalCall, external_calls, message, route_of
from redline.checks.latency.offline import offline_js_go
from redline.core.facts import Facts, ModuleHead
from redline.core.model import Finding, Location, Skipped, ToolError
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import RouteInventory, routes_by_handler
from redline.sources.code.routes.jscommon import JS_LANGUAGES as _JS


class JsGoChattyCheck(ModuleCheck):
    name = "latency-chatty-js-go"
    rules = JSGO_CHATTY_RULES
    fact_types = (CodeIndex,)
    project_fact_types = (RouteInventory,)

    def reads(self, module: ModuleHead) -> bool:
        return not offline_js_go(module.path) and (module.language in _JS or module.language == "go")

    def check_module(
        self, fact: CodeIndex, ctx: CheckContext
    ) -> Iterable[Finding | ExternalCall | ClientExports | ImportedCall]:
        if not self.reads(fact):
            return []
        js = fact.language in _JS
        remote = js_remote_calls(fact) if js else go_remote_calls(fact)
        clients = grpc_clients(fact) if js else {}
        calls = [g for g in grpc_calls(fact, clients) if not batch_method(g.call.raw.rpartition(".")[2])]
        rpc = {id(g.call): f"gRPC {g.client.library}" for g in calls}
        hits = js_http_hits(fact, remote | rpc) if js else go_http_hits(fact, remote)
        found: list[Finding | ExternalCall | ClientExports | ImportedCall] = [
            h.finding(self, fact.path, self.declared(h.rule)) for h in hits
        ]
        if js:  # gRPC clients made in one module and called in a loop of another: resolved in ``finish``
            exports = client_exports(fact, clients)
            found += [exports] if exports is not None else []
            found += imported_loop_calls(fact)
        return [*found, *external_calls(fact, remote)]

    def finish(self, partials: list[Any], facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        routes = routes_by_handler(facts.of(RouteInventory))
        clients = ImportedClients([p for p in partials if isinstance(p, ClientExports)])
        out: list[Finding | Skipped | ToolError] = []
        for partial in partials:
            if isinstance(partial, ClientExports):
                continue
            if isinstance(partial, ImportedCall):
                resolved = clients.resolve(partial.target)
                if resolved is not None and partial.loop is not None:
                    hit = rpc_hit(partial.call, f"gRPC {resolved[1].library}", partial.loop)
                    out.append(hit.finding(self, partial.path, self.declared(hit.rule)))
            elif not isinstance(partial, ExternalCall):
                out.append(partial)
            elif (reached := route_of(partial, routes)) is not None and not reached.route.third_party_is_its_work:
                text, evidence, fix = message(partial, reached)
                location = Location(partial.path, partial.line, partial.end_line)
                rule = self.declared(THIRD_PARTY_IN_HANDLER_JSGO)
                out.append(self.finding(rule, text, location, evidence=evidence, remediation=fix))
        return out
