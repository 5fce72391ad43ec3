"""The latency check: every tail-latency amplifier rule over the project's code indexes and routes."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.interface import CheckContext, ProjectCheck
from redline.checks.latency.clients import Bindings
from redline.checks.latency.event_loop import await_loop_hits, blocking_hits, serial_hits
from redline.checks.latency.handlers import handler_hits
from redline.checks.latency.helper_queries import HelperQueries, helper_hits
from redline.checks.latency.offline import migrate_receivers, offline, terminal_commands
from redline.checks.latency.orm import catalogue
from redline.checks.latency.per_item import Hit, per_item_hits
from redline.checks.latency.rules import (
    AWAIT_IN_LOOP,
    BLOCKING_IN_ASYNC,
    HTTP_IN_LOOP,
    LAZY_RELATION_IN_LOOP,
    QUERY_IN_LOOP,
    RAW_SQL_IN_LOOP,
    REDIS_IN_LOOP,
    SERIAL_AWAITS,
    TEMPLATE_N_PLUS_ONE,
    THIRD_PARTY_IN_HANDLER,
)
from redline.checks.latency.templates import template_hits
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, ToolError
from redline.sources.code.callees import Callees, call_table
from redline.sources.code.hand_run import START_FACTS, project_scripts_apart
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import Route, RouteInventory
from redline.sources.code.templates import TemplateLoops


class LatencyCheck(ProjectCheck):
    name = "latency-amplifiers"
    long_running = True  # half of the Django audit's project phase
    rules = (
        QUERY_IN_LOOP,
        LAZY_RELATION_IN_LOOP,
        TEMPLATE_N_PLUS_ONE,
        RAW_SQL_IN_LOOP,
        REDIS_IN_LOOP,
        HTTP_IN_LOOP,
        BLOCKING_IN_ASYNC,
        SERIAL_AWAITS,
        AWAIT_IN_LOOP,
        THIRD_PARTY_IN_HANDLER,
    )
    fact_types = (CodeIndex, RouteInventory, TemplateLoops, *START_FACTS)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        scripts = ctx.scope.derived(project_scripts_apart, facts)  # one mapping for both families
        indexes = [i for i in facts.of(CodeIndex) if i.language == "python" and not offline(i.path, scripts)]
        routes: dict[str, list[Route]] = {}
        for inventory in facts.of(RouteInventory):
            for route in inventory.routes:
                routes.setdefault(route.file, []).append(route)
        cat = catalogue(indexes)
        callees = Callees.among(ctx.scope.derived(call_table, facts), indexes)  # one table with the taint check
        helpers = HelperQueries(indexes, cat, callees)
        by_hand = migrate_receivers(indexes)
        for path, commands in terminal_commands(indexes).items():  # run by hand, like a migration: no request waits
            by_hand.setdefault(path, []).extend(commands)
        found: list[Finding] = []
        for index in sorted(indexes, key=lambda i: i.path):
            bindings = Bindings(index)
            hits = [
                *per_item_hits(index, cat, bindings),
                *helper_hits(index, helpers),
                *blocking_hits(index, bindings),
                *serial_hits(index, bindings),
                *await_loop_hits(index, bindings),
                *handler_hits(index, routes.get(index.path, []), bindings),
            ]
            deploy_time = by_hand.get(index.path, [])
            hits = [h for h in hits if not any(first <= h.line <= last for first, last in deploy_time)]
            found += [hit.finding(self, index.path) for hit in _dedupe(hits)]
        templates = [t for t in facts.of(TemplateLoops) if not offline(t.path)]
        found += [hit.finding(self, path) for path, hit in template_hits(indexes, templates, cat)]
        return found


def _dedupe(hits: list[Hit]) -> list[Hit]:
    """One finding per rule and line (a route reached twice, a chain seen twice); a call that stalls the
    event loop is reported as that, not again as a third-party call."""
    blocking = {h.line for h in hits if h.rule is BLOCKING_IN_ASYNC}
    seen: dict[tuple[str, int], Hit] = {}
    for hit in hits:
        if hit.rule is THIRD_PARTY_IN_HANDLER and hit.line in blocking:
            continue
        seen.setdefault((hit.rule.code, hit.line), hit)
    return sorted(seen.values(), key=lambda h: (h.line, h.rule.code))
