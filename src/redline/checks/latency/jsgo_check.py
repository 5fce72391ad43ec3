"""The per-item round-trip check for JavaScript/TypeScript and Go: N+1 queries and chatty Redis calls in loops
(LAT250-LAT255)."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.interface import CheckContext, ProjectCheck
from redline.checks.latency.go_per_item import go_hits
from redline.checks.latency.js_clients import run_js_project
from redline.checks.latency.js_per_item import js_hits
from redline.checks.latency.jsgo_rules import JSGO_RULES
from redline.checks.latency.offline import offline_js_go
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, ToolError
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.jscommon import JS_LANGUAGES as _JS


class JsGoPerItemCheck(ProjectCheck):
    name = "latency-per-item-js-go"
    rules = JSGO_RULES
    fact_types = (CodeIndex,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        indexes = [i for i in facts.of(CodeIndex) if i.language in _JS or i.language == "go"]
        project = ctx.scope.derived(run_js_project, facts)  # shared with the serial-awaits check
        found: list[Finding] = []
        for index in sorted(indexes, key=lambda i: i.path):
            if offline_js_go(index.path):
                continue
            hits = js_hits(index, project) if project is not None and index.language in _JS else go_hits(index)
            found += [hit.finding(self, index.path) for hit in hits]
        return sorted(found, key=Finding.sort_key)
