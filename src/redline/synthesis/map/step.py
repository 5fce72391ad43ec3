"""The map synthesis step: collect components, resolve references, attach findings, colour."""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.map_model import Colour, Reason, SystemMap
from redline.core.model import Finding, Stage, ToolError
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import RouteInventory
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.kubernetes import KubeManifest
from redline.sources.cost.model import CostDataset
from redline.sources.eol.products import EolData
from redline.sources.ownership.codeowners import Ownership
from redline.sources.postgres.model import Snapshot
from redline.sources.terraform.modules import TerraformProject
from redline.sources.traces.store import SpanStore
from redline.synthesis.interface import SynthesisOutput, SynthesisStep
from redline.synthesis.map.attach import attach
from redline.synthesis.map.audit_trail import audit_trail_threats
from redline.synthesis.map.builder import Draft, MapBuilder
from redline.synthesis.map.cloud import add_terraform
from redline.synthesis.map.code import add_code
from redline.synthesis.map.compose import add_compose
from redline.synthesis.map.consoles import add_consoles
from redline.synthesis.map.finish import LegacyLookup, finish
from redline.synthesis.map.images import add_dockerfiles, guess_by_name
from redline.synthesis.map.istio import add_istio
from redline.synthesis.map.kube import add_kube
from redline.synthesis.map.refs import AddressRef, DependsRef
from redline.synthesis.map.resolve import resolve_addresses, resolve_depends
from redline.synthesis.map.runtime import add_runtime
from redline.synthesis.map.settings import ACCEPT_SECTION, THREATS_SECTION
from redline.synthesis.map.threats import build_threats


def _no_legacy(_draft: Draft) -> list[Reason]:
    return []


def eol_lookup(data: EolData) -> LegacyLookup:
    """Legacy reasons of a component: each end-of-life image it runs or is built from."""

    def legacy(draft: Draft) -> list[Reason]:
        used = [(image, draft.seen[0]) for image in draft.images if draft.seen]
        out: list[Reason] = []
        for image, seen in [*used, *draft.base_images]:
            found = data.for_image(image)
            if found is not None and data.is_eol(found[1]):
                product, release = found
                when = release.eol.isoformat() if not isinstance(release.eol, bool) else "(no date published)"
                out.append(
                    Reason(
                        Colour.LEGACY,
                        f"`{image}` is {product.title} {release.cycle}, end of life since {when}",
                        (seen,),
                    )
                )
        return out

    return legacy


def assemble(facts: Facts) -> MapBuilder:
    """Every component and flow the facts show, references resolved, before colours and findings."""
    builder = MapBuilder()
    refs: list[AddressRef] = []
    deps: list[DependsRef] = []
    add_compose(builder, facts.of(ComposeProject), refs, deps)
    add_kube(builder, facts.of(KubeManifest), refs, deps)
    add_istio(builder, facts.of(KubeManifest), deps)
    projects = facts.of(TerraformProject)
    add_terraform(builder, projects[0] if projects else None)
    add_dockerfiles(builder, facts.of(Dockerfile))
    guess_by_name(builder)
    resolve_depends(builder, deps)
    resolve_addresses(builder, refs)
    add_consoles(builder, refs)
    add_code(builder, facts.of(CodeIndex))
    add_runtime(builder, facts.of(Snapshot), facts.of(SpanStore), facts.of(CostDataset))
    return builder


def build_map(
    facts: Facts, findings: list[Finding], legacy: LegacyLookup = _no_legacy, builder: MapBuilder | None = None
) -> tuple[SystemMap, list[Finding]]:
    builder = builder or assemble(facts)
    placed, per, severe = attach(list(builder.drafts.values()), findings)
    owners = facts.of(Ownership)
    system = finish(builder, owners[0] if owners else None, severe, per, legacy)
    return system, placed


class MapStep(SynthesisStep):
    name = "system map"
    fact_types = (
        ComposeProject,
        KubeManifest,
        Dockerfile,
        TerraformProject,
        Ownership,
        EolData,
        CodeIndex,
        RouteInventory,
        Snapshot,
        SpanStore,
        CostDataset,
    )
    config_sections = (THREATS_SECTION, ACCEPT_SECTION)

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        eol = facts.of(EolData)
        builder = assemble(facts)
        repudiation = audit_trail_threats(builder, facts.of(RouteInventory), facts.of(CodeIndex))
        system, placed = build_map(facts, findings, eol_lookup(eol[0]) if eol else _no_legacy, builder)
        if not system.components:
            return SynthesisOutput()
        model = build_threats(
            system,
            placed,
            ctx.config.settings(THREATS_SECTION),
            ctx.config.settings(ACCEPT_SECTION),
            repudiation,
        )
        where = f"{ctx.config.source or 'configuration'}: [[accept]]"
        errors = [ToolError(where, why, stage=Stage.SYNTHESIS) for why in model.rejected]
        return SynthesisOutput(system_map=system, threats=model, findings=placed, errors=errors)
