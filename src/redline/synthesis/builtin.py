"""The built-in synthesis steps, in an explicit list, run in this order after every check.

Each step's module is imported only when the step is asked for (``redline secrets`` needs only the merge
of overlapping findings, not the SBOM and its libraries).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from redline.core.config import SectionSpec

if TYPE_CHECKING:  # the steps' interface pulls in the map and inventory models `rules` never needs
    from redline.synthesis.interface import SynthesisStep

#: (module, class) of every step, in the order they run
STEPS = (
    ("redline.synthesis.overlaps", "OverlapStep"),
    ("redline.synthesis.test_values", "TestValuesStep"),
    ("redline.synthesis.sbom", "SbomStep"),
    ("redline.synthesis.topology", "TopologyStep"),
    ("redline.synthesis.database", "DatabaseInventoryStep"),
    ("redline.synthesis.cost", "CostSummaryStep"),
    ("redline.synthesis.latency_report", "RootLatencyStep"),
    ("redline.synthesis.routes", "RouteTableStep"),
    ("redline.synthesis.map.step", "MapStep"),
    ("redline.synthesis.latency", "LatencyStep"),
    ("redline.synthesis.measured_link", "MeasuredLinkStep"),
    ("redline.synthesis.scoring", "ScoringStep"),  # last: scores what every other step produced
)


def builtin_steps(modules: Iterable[str] | None = None) -> list[SynthesisStep]:
    """Every built-in step, or only those defined in ``modules``."""
    chosen = None if modules is None else set(modules)
    return [getattr(import_module(module), cls)() for module, cls in STEPS if chosen is None or module in chosen]


#: modules defining the configuration tables of the steps (imported without the steps themselves)
STEP_SECTIONS = (("redline.synthesis.map.settings", ("THREATS_SECTION", "ACCEPT_SECTION")),)


def builtin_step_sections() -> list[SectionSpec[Any]]:
    return [getattr(import_module(module), name) for module, names in STEP_SECTIONS for name in names]
