"""Region topology: how many resources run under which provider, account, region and zone.

Built from the assembled configuration (and, when present, plan JSON prior
state, which knows real regions and accounts from ARNs). Unknown parts are
shown as ``?`` rather than guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from redline.core.inventory import UNKNOWN, Placement, RegionTopology
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.plan import PlanFile
from redline.sources.terraform.values import Resource, Unknown


def _text(value: Any) -> str:
    if isinstance(value, Unknown) or value is None:
        return UNKNOWN
    return str(value) if value != "" else ""


def placement(resource: Resource) -> Placement:
    prov = resource.provider
    name = resource.provider_name
    account = _text(prov.account) if prov is not None else ""
    region: Any = resource.get("region") if resource.has("region") else None
    if name == "azurerm" or (name.startswith("google") and region is None and resource.has("location")):
        region = resource.get("location")
    if region is None:
        region = prov.region if prov is not None else Unknown("no provider configuration")
    zone: Any = resource.get("availability_zone") if resource.has("availability_zone") else resource.get("zone")
    if zone is None and prov is not None:
        zone = prov.zone
    return Placement(name, account if account != "" else "", _text(region), _text(zone) if zone else "", "config")


def region_topology(project: TerraformProject | None, plans: Sequence[PlanFile]) -> RegionTopology:
    """Resources per placement, from the run's evaluated project and the plans' prior state."""
    counter: Counter[Placement] = Counter()
    for r in project.resources if project is not None else ():
        if r.mode == "managed" and r.meta.get("source") != "plan":  # plans are counted from prior state
            counter[placement(r)] += 1
    for plan in plans:
        for s in plan.prior_state:
            if s.address.startswith("data.") or ".data." in s.address:
                continue
            provider = s.provider.rsplit("/", 1)[-1] or s.type.split("_", 1)[0]
            counter[Placement(provider, s.account, s.region or UNKNOWN, s.zone, "plan")] += 1
    ordered = sorted(
        counter.items(), key=lambda kv: (kv[0].source, kv[0].provider, kv[0].account, kv[0].region, kv[0].zone)
    )
    return RegionTopology(tuple(ordered))
