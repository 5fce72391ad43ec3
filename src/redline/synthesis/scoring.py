"""The last synthesis step: every finding gets all three priority factors (``core/priority.py``)."""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.core.priority import SCORING_SECTION, HistoryView, score
from redline.synthesis.interface import SynthesisOutput, SynthesisStep


class ScoringStep(SynthesisStep):
    name = "scoring"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        del facts  # exposure from the map joins here when it lands
        settings = ctx.config.settings(SCORING_SECTION)
        history = ctx.options.get("history_view")
        view = history if isinstance(history, HistoryView) else None
        return SynthesisOutput(findings=[score(f, settings, view) for f in findings])
