"""Region topology for the report, and which Terraform modules could not be followed."""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.plan import PlanFile
from redline.sources.terraform.topology import region_topology
from redline.synthesis.interface import SynthesisOutput, SynthesisStep


class TopologyStep(SynthesisStep):
    name = "region topology"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        projects = facts.of(TerraformProject)  # built once by its project source, with [terraform] var_files
        project = projects[0] if projects else None
        topology = region_topology(project, facts.of(PlanFile))
        out = SynthesisOutput(topology=topology if topology.counts else None)
        # a registry, git or missing module's resources were never read: the report must say so
        for call in project.calls if project is not None else ():
            if not call.followed:
                out.skipped.append(
                    Skipped(
                        f"{call.caller_path}:{call.line} {call.address}",
                        f"Terraform module not followed (source {call.source}); its resources were not audited",
                    )
                )
        return out
