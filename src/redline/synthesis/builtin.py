"""The built-in synthesis steps, in an explicit list, run in this order after every check."""

from __future__ import annotations

from redline.synthesis.database import DatabaseInventoryStep
from redline.synthesis.interface import SynthesisStep
from redline.synthesis.map.step import MapStep
from redline.synthesis.overlaps import OverlapStep
from redline.synthesis.sbom import SbomStep
from redline.synthesis.topology import TopologyStep


def builtin_steps() -> list[SynthesisStep]:
    return [OverlapStep(), SbomStep(), TopologyStep(), DatabaseInventoryStep(), MapStep()]
