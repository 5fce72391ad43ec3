"""The chatty-RPC check for JavaScript/TypeScript and Go: an HTTP or gRPC call once per loop item
(LAT257-LAT258)."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.interface import CheckContext, ModuleCheck
from redline.checks.latency.go_http import go_http_hits
from redline.checks.latency.js_http import js_http_hits
from redline.checks.latency.jsgo_chatty_rules import JSGO_CHATTY_RULES
from redline.checks.latency.jsgo_check import offline
from redline.core.model import Finding, Location
from redline.sources.code.model import CodeIndex

_JS = frozenset({"javascript", "typescript"})


class JsGoChattyCheck(ModuleCheck):
    name = "latency-chatty-js-go"
    rules = JSGO_CHATTY_RULES
    fact_types = (CodeIndex,)

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[Finding]:
        if offline(fact.path) or (fact.language not in _JS and fact.language != "go"):
            return []
        hits = js_http_hits(fact) if fact.language in _JS else go_http_hits(fact)
        return [
            self.finding(
                h.rule,
                h.message,
                Location(fact.path, h.line, h.end_line),
                evidence=h.evidence,
                remediation=h.remediation,
            )
            for h in hits
        ]
