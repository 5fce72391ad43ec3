"""Root-cause groups: findings of one rule sharing ``Finding.group`` are one item to fix.

One package version reached from five manifests, one base image behind three Dockerfiles, one
manifest copied into overlays: each is reported, counted and gated once, with every location.
This is the only place that decides what "one item" is; every reporter and the gate use it.
A finding without a group is an item of its own, exactly as before.

A group key starting with ``cause:`` names a cause that several rule families report from their own
angle (the image that runs as root: DKR101 on the Dockerfile, CMP103 on the compose service that builds it,
KUB101 on the Deployment that runs it); such findings are one item whatever their rule, led by the most
severe one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from redline.core.model import Finding, Location


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """One item: the ``lead`` finding (most severe, then highest priority) and every member."""

    lead: Finding
    members: tuple[Finding, ...]  # the lead first, then the others in location order

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def related(self) -> tuple[Finding, ...]:
        """The members other than the lead: the other places the same cause shows."""
        return self.members[1:]

    @property
    def locations(self) -> tuple[Location, ...]:
        return tuple(f.location for f in self.members)


def _rank(f: Finding) -> tuple[object, ...]:
    return (-int(f.severity), -f.priority.score, f.sort_key())


#: a group key with this prefix is shared across rules (see the module docstring)
CROSS_RULE_PREFIX = "cause:"


def group_key(f: Finding) -> tuple[str, str, bool] | None:
    """(rule, group, suppressed?) for a grouped finding; None for one that stands alone; the rule is left
    out for a ``cause:`` group. Suppressed and active findings never share an item: a suppression covers
    only its own place."""
    if not f.group:
        return None
    rule = "" if f.group.startswith(CROSS_RULE_PREFIX) else f.rule
    return (rule, f.group, f.suppressed is not None)


def group_findings(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Items in the findings' order (each at its first member's place); deterministic."""
    order: list[tuple[str, str, bool] | int] = []
    buckets: dict[tuple[str, str, bool] | int, list[Finding]] = {}
    for i, f in enumerate(findings):
        key: tuple[str, str, bool] | int = group_key(f) or i
        if key not in buckets:
            order.append(key)
            buckets[key] = []
        buckets[key].append(f)
    out = []
    for key in order:
        members = buckets[key]
        lead = min(members, key=_rank)
        rest = sorted((m for m in members if m is not lead), key=Finding.sort_key)
        out.append(FindingGroup(lead, (lead, *rest)))
    return out


def item_key(lead: Finding) -> str:
    """An item's identity across runs (the history store's key): the root cause (rule and group) when
    its findings share one, else the lead's fingerprint (content-based, survives line shifts)."""
    if lead.group:
        return hashlib.sha256(f"{lead.rule}\x1f{lead.group}".encode()).hexdigest()[:32]
    return lead.fingerprint
