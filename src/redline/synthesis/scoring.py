"""The last synthesis step: every finding gets all three priority factors (``core/priority.py``); user
impact from reachability (``synthesis/impact.py``: the map, routes, traces, the database snapshot)."""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.core.priority import SCORING_SECTION, HistoryView, score
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import RouteInventory
from redline.synthesis.impact import impacts, reachability
from redline.synthesis.interface import SynthesisOutput, SynthesisStep


class ScoringStep(SynthesisStep):
    name = "scoring"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        return self.run_after(facts, findings, ctx, SynthesisOutput())

    def run_after(
        self, facts: Facts, findings: list[Finding], ctx: CheckContext, earlier: SynthesisOutput
    ) -> SynthesisOutput:
        settings = ctx.config.settings(SCORING_SECTION)
        history = ctx.options.get("history_view")
        view = history if isinstance(history, HistoryView) else None
        reach = reachability(
            earlier.system_map, facts.of(RouteInventory), facts.of(CodeIndex), earlier.latency, earlier.postgres
        )
        decided = impacts(findings, reach)
        return SynthesisOutput(findings=[score(f, settings, view, decided.get(f.fingerprint)) for f in findings])
