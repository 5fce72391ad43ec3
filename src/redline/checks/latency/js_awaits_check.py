"""The serial-awaits check for JavaScript/TypeScript (LAT260): project-wide, since what a receiver is (a Prisma
client, a Sequelize model, a pg pool) is judged from the modules that construct and export it."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.interface import CheckContext, ProjectCheck
from redline.checks.latency.js_awaits import serial_await_hits
from redline.checks.latency.js_awaits_rules import JS_AWAIT_RULES
from redline.checks.latency.js_clients import run_js_project
from redline.checks.latency.js_per_item import JsReceivers
from redline.checks.latency.offline import offline_js_go
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, ToolError
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.jscommon import JS_LANGUAGES as _JS


class JsSerialAwaitsCheck(ProjectCheck):
    name = "latency-serial-awaits-js"
    rules = JS_AWAIT_RULES
    fact_types = (CodeIndex,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        project = ctx.scope.derived(run_js_project, facts)  # shared with the per-item check
        if project is None:
            return []
        js = [i for i in facts.of(CodeIndex) if i.language in _JS]
        found: list[Finding] = []
        for index in sorted(js, key=lambda i: i.path):
            if offline_js_go(index.path) or not any(c.block >= 0 for c in index.calls):
                continue
            found += [hit.finding(self, index.path) for hit in serial_await_hits(index, JsReceivers(index, project))]
        return sorted(found, key=Finding.sort_key)
