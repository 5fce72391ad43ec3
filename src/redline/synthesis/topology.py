"""Region topology for the report: resources per provider, account, region and zone."""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.sources.terraform.topology import region_topology
from redline.synthesis.interface import SynthesisOutput, SynthesisStep


class TopologyStep(SynthesisStep):
    name = "region topology"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        topology = region_topology(facts)
        if not topology.counts:
            return SynthesisOutput()
        return SynthesisOutput(extras={"topology": topology.as_dict()})
