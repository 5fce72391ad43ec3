"""Known-vulnerable dependencies: OSV matches grouped by alias, enriched with KEV and EPSS.

One finding per package version and manifest (one upgrade fixes it), listing every vulnerability
group on it (advisories sharing any id or alias) with its flaw, affected span, fix, CVSS, KEV and
EPSS. The most urgent group decides the rule: VUL102 when a CVE is in CISA's KEV catalog
(exploited in the wild), VUL103 when an EPSS probability reaches the configured threshold,
VUL101 otherwise. The same package version in several manifests shares ``Finding.group``, so
reports show it once with every place. The Go ``toolchain`` pseudo-module joins the ``stdlib``
finding of the same release.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from redline.checks.interface import CheckContext, CheckError, ProjectCheck
from redline.checks.supply_chain.advisory_text import affected_text, clip, flaw_text
from redline.checks.supply_chain.go_reach import UNKNOWN, GoModuleCode, Reach, go_module_code, module_of, reach_of
from redline.checks.supply_chain.matching import (
    AdvisoryMatch,
    group_by_alias,
    match_package,
    ordered_ids,
    smallest_upgrade,
    sort_versions,
)
from redline.checks.supply_chain.vuln_rules import (
    EXPLOITED,
    KNOWN_VULNERABLE,
    LIKELY_EXPLOITED,
    GroupVerdict,
    judge,
)
from redline.core.context import UNREACHED_TAG, lower_in_context
from redline.core.evidence import EvidenceInputValue
from redline.core.facts import Facts
from redline.core.model import Confidence, Factor, Finding, Location, PriorityFactors, Severity, Stage, ToolError
from redline.core.packages import Package, PackageManifest
from redline.core.purl import package_purl
from redline.sources.advisories.database import AdvisoryDatabase, DatabaseError
from redline.sources.advisories.ignores import ScannerIgnores
from redline.sources.advisories.settings import SECTION, SupplyChainSettings
from redline.sources.advisories.status import AdvisoryDbStatus
from redline.sources.code.model import CodeIndex
from redline.sources.packages.go_imports import GoFileImports
from redline.sources.packages.graph import dependency_paths

__all__ = ["EXPLOITED", "KNOWN_VULNERABLE", "LIKELY_EXPLOITED", "VulnerableDependencyCheck", "judge"]

_RULE_RANK = {KNOWN_VULNERABLE.code: 0, LIKELY_EXPLOITED.code: 1, EXPLOITED.code: 2}
#: how many advisories the message spells out; the evidence lists every one
_IN_MESSAGE = 3


@dataclass(frozen=True)
class AdvisoryGroup:
    """One vulnerability (advisories sharing an alias) on one package version, judged and worded."""

    ids: tuple[str, ...]
    primary: str
    verdict: GroupVerdict
    fixed: tuple[str, ...]
    flaw: str
    affected: str
    #: for a Go module: whether the module's own code imports the vulnerable package (None: not applicable)
    reach: Reach | None = None

    @property
    def stops_at_module(self) -> bool:
        """The vulnerability does not reach the module's own code (``Reach.lowered``)."""
        return self.reach is not None and self.reach.lowered

    @property
    def others(self) -> list[str]:
        return [i for i in self.ids if i != self.primary]

    def scores(self) -> dict[str, EvidenceInputValue]:
        v = self.verdict
        return {
            "cvss": {"score": v.score, "vector": v.vector} if v.score is not None else None,
            "kev": tuple(
                {"cve": e.cve, "date_added": e.date_added, "due_date": e.due_date, "ransomware": e.ransomware}
                for e in v.kev
            )
            or None,
            "epss": {"cve": v.epss.cve, "probability": v.epss.probability, "percentile": v.epss.percentile}
            if v.epss is not None
            else None,
        }

    def as_evidence(self) -> dict[str, EvidenceInputValue]:
        """This vulnerability as typed evidence: ids, what the flaw is, where it applies and its scores."""
        return {
            "id": self.primary,
            "aliases": tuple(self.others),
            "severity": str(self.verdict.severity),
            "flaw": self.flaw,
            "affected": self.affected,
            "fixed": self.fixed,
            "platforms": tuple(self.verdict.platforms),
            **self.scores(),
            **({"reach": self.reach.as_evidence()} if self.reach is not None else {}),
        }

    def line(self) -> str:
        """``CVE-1 (GHSA-…, PYSEC-…), high: <flaw>; affected <range>; fixed in <v>`` (the SBOM parses the head)."""
        head = self.primary + (f" ({', '.join(self.others)})" if self.others else "")
        fixed = f"fixed in {', '.join(self.fixed)}" if self.fixed else "no fixed version published"
        where = f" (only on {', '.join(self.verdict.platforms)}: ranked low)" if self.verdict.platforms else ""
        return f"{head}, {self.verdict.severity}: {self.flaw}{where}; affected {self.affected}; {fixed}"


#: where services run: an advisory on code that exists only on other platforms ranks low
SERVER_PLATFORMS = frozenset({"linux"})


def only_on(group: Sequence[AdvisoryMatch]) -> tuple[str, ...]:
    """The platforms the group's affected code exists on, when every entry says (else ())."""
    entries = [e for m in group for e in m.entries]
    if not entries or not all(e.platforms for e in entries):
        return ()
    return tuple(sorted({p for e in entries for p in e.platforms}))


def describe_group(
    pkg: Package, group: Sequence[AdvisoryMatch], verdict: GroupVerdict, code: GoModuleCode | None = None
) -> AdvisoryGroup:
    platforms = only_on(group)
    if platforms and not SERVER_PLATFORMS & set(platforms) and not verdict.kev:
        verdict = replace(verdict, severity=min(verdict.severity, Severity.LOW), platforms=platforms)
    entries = [e for m in group for e in m.entries]
    reach = reach_of(pkg, entries, code)
    if reach is not None and reach.lowered and not verdict.kev:  # exploited in the wild: never lowered
        verdict = replace(verdict, severity=min(verdict.severity, Severity.LOW))
    ids = tuple(ordered_ids(group))
    primary = next((i for i in ids if i.startswith("CVE-")), ids[0])
    fixed = tuple(sort_versions(pkg.ecosystem, (f for m in group for f in m.fixed)))
    flaw = flaw_text((m.advisory.summary for m in group), (m.advisory.details for m in group))
    return AdvisoryGroup(ids, primary, verdict, fixed, flaw, affected_text(pkg.ecosystem, pkg.version, entries), reach)


def _one_go_release(
    matched: list[tuple[Package, list[AdvisoryMatch]]],
) -> list[tuple[Package, list[tuple[Package, list[AdvisoryMatch]]]]]:
    """Each package with the matches to report on it. One Go release is one fix: the ``toolchain``
    pseudo-module's advisories (the go command, judged as build time) join the ``stdlib`` finding of
    the same version instead of making a second item for the same upgrade."""
    stdlib = {p.version: p for p, _ in matched if p.ecosystem == "Go" and p.name == "stdlib"}
    out: list[tuple[Package, list[tuple[Package, list[AdvisoryMatch]]]]] = []
    joined: dict[str, list[tuple[Package, list[AdvisoryMatch]]]] = {}
    for pkg, found in matched:
        if pkg.ecosystem == "Go" and pkg.name == "toolchain" and pkg.version in stdlib:
            joined.setdefault(pkg.version, []).append((pkg, found))
            continue
        out.append((pkg, [(pkg, found)]))
    for pkg, parts in out:
        if pkg.ecosystem == "Go" and pkg.name == "stdlib":
            parts.extend(joined.get(pkg.version, []))
    return out


def _worst(groups: Sequence[AdvisoryGroup]) -> AdvisoryGroup:
    return max(
        groups, key=lambda g: (_RULE_RANK[g.verdict.rule.code], g.verdict.severity, g.verdict.score or 0.0, g.primary)
    )


#: the Go release taken from a go.mod ``go`` line: the minimum the module allows, not necessarily the one used
GO_MINIMUM = "go directive"


def _go_minimum(pkg: Package) -> bool:
    return pkg.ecosystem == "Go" and pkg.name in ("stdlib", "toolchain") and pkg.requirement.startswith(GO_MINIMUM)


def _scope(pkg: Package) -> str:
    scope = "development-only dependency, ranked one level below a runtime one" if pkg.dev else "runtime dependency"
    if _go_minimum(pkg):
        scope += "; the minimum Go release the go directive allows: the toolchain that builds it may be newer"
    elif pkg.ecosystem == "Go" and pkg.name in ("stdlib", "toolchain") and pkg.requirement:
        scope += f"; Go release from the {pkg.requirement}"
    return scope


def vulnerability_message(pkg: Package, groups: Sequence[AdvisoryGroup], upgrade: str | None) -> str:
    worst = _worst(groups)
    ordered = [
        worst,
        *sorted((g for g in groups if g is not worst), key=lambda g: (-int(g.verdict.severity), g.primary)),
    ]
    fix = (
        f"upgrade to {upgrade} clears {'all' if len(groups) > 1 else 'it'}"
        if upgrade
        else "no single published version clears " + ("them all" if len(groups) > 1 else "it")
    )
    kev = "; exploited in the wild (CISA KEV)" if any(g.verdict.kev for g in groups) else ""
    name = "Go standard library and go command" if pkg.ecosystem == "Go" and pkg.name == "stdlib" else pkg.name
    # the deciding vulnerability's package level, said at the end (not when it could not be determined)
    reach = f"; {worst.reach.note}" if worst.reach is not None and worst.reach.level != UNKNOWN else ""
    if len(groups) == 1:
        return f"{name} {pkg.version} ({_scope(pkg)}) is affected by {worst.line()}{kev}; {fix}{reach}"
    also = "; ".join(f"{g.primary} ({g.verdict.severity}): {clip(g.flaw, 80)}" for g in ordered[1:_IN_MESSAGE])
    more = f"; and {len(groups) - _IN_MESSAGE} more" if len(groups) > _IN_MESSAGE else ""
    return (
        f"{name} {pkg.version} ({_scope(pkg)}) has {len(groups)} known vulnerabilities{kev}; worst "
        f"{worst.line()}; also {also}{more}; {fix}{reach}"
    )


class VulnerableDependencyCheck(ProjectCheck):
    name = "vulnerable-dependencies"
    rules = (KNOWN_VULNERABLE, EXPLOITED, LIKELY_EXPLOITED)
    #: the code index is read when the run builds it (calls of listed functions), never asked for
    fact_types = (PackageManifest, AdvisoryDbStatus, ScannerIgnores, GoFileImports)
    config_sections = (SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | ToolError]:
        statuses = facts.of(AdvisoryDbStatus)
        manifests = [m for m in facts.of(PackageManifest) if m.build_list]
        if not statuses or not statuses[0].usable or not manifests:
            return []  # the source already reported why nothing was checked
        settings = ctx.config.settings(SECTION)
        try:
            db = AdvisoryDatabase(Path(statuses[0].path))
        except DatabaseError as exc:
            raise CheckError(str(exc)) from None
        try:
            ignores = {i.directory: i for i in facts.of(ScannerIgnores)}
            modules = go_module_code(facts.of(GoFileImports), facts.of(CodeIndex), facts.of(PackageManifest))
            scanned = self._scan(db, manifests, settings, modules)
            findings = sorted((_honour(f, ignores) for f in scanned), key=Finding.sort_key)
            return [*findings, *thin_data_notices(db, manifests)]
        except (DatabaseError, sqlite3.DatabaseError) as exc:  # a file damaged past what opening it shows
            raise CheckError(f"{statuses[0].path}: {exc}") from None
        finally:
            db.close()

    def _scan(
        self,
        db: AdvisoryDatabase,
        manifests: Sequence[PackageManifest],
        settings: SupplyChainSettings,
        modules: dict[str, GoModuleCode],
    ) -> Iterator[Finding]:
        locked = {(str(PurePosixPath(m.path).parent), p.key) for m in manifests if m.is_lockfile for p in m.packages}
        for manifest in sorted(manifests, key=lambda m: m.path):
            paths = dependency_paths(manifest) if manifest.edges else {}
            here = str(PurePosixPath(manifest.path).parent)
            # a package.json/pyproject entry the lockfile beside it also pins is reported once, on the lockfile
            packages = [
                p for p in dict.fromkeys(manifest.packages) if manifest.is_lockfile or (here, p.key) not in locked
            ]
            matched = [(pkg, found) for pkg in packages if (found := match_package(db, pkg))]
            cves = {i for _, found in matched for m in found for i in m.advisory.cves}
            kev, epss = db.kev(cves), db.epss(cves)
            code = module_of(manifest, modules)
            for pkg, parts in _one_go_release(matched):
                groups = [
                    describe_group(part, g, judge(g, part, kev, epss, settings), code)
                    for part, found in parts
                    for g in group_by_alias(found)
                ]
                every = [m for _, found in parts for m in found]
                upgrade = smallest_upgrade(pkg.ecosystem, pkg.version, every)
                yield self._finding(manifest, pkg, groups, upgrade, paths.get(pkg.key, []))

    def _finding(
        self,
        manifest: PackageManifest,
        pkg: Package,
        groups: Sequence[AdvisoryGroup],
        upgrade: str | None,
        path: list[str],
    ) -> Finding:
        """One finding per package version: every advisory group on it, the worst deciding the rule."""
        worst = _worst(groups)
        severity = max(g.verdict.severity for g in groups)
        all_ids = [i for g in groups for i in g.ids]
        fixed = sort_versions(pkg.ecosystem, (f for g in groups for f in g.fixed))
        evidence: dict[str, EvidenceInputValue] = {
            "package": pkg.key,
            "purl": package_purl(pkg),  # the SBOM component's purl: one name for the package everywhere
            "ids": tuple(worst.ids),
            "fixed": tuple(fixed),
            "upgrade": upgrade,  # the smallest upgrade clearing every advisory; None when none is known
            "scope": "development" if pkg.dev else "runtime",
            "direct": pkg.direct,
            "dependency_path": tuple(path),  # root first; empty when the lockfile has no edges
            "advisories": tuple(g.as_evidence() for g in sorted(groups, key=lambda g: g.primary)),
        }
        if worst.reach is not None:  # the deciding vulnerability's package level (each group has its own)
            evidence["reach"] = worst.reach.level
        evidence.update(_scores(worst))
        remediation = _remediation(pkg, upgrade, fixed)
        finding = self.finding(
            worst.verdict.rule,
            vulnerability_message(pkg, groups, upgrade),
            Location(manifest.path, pkg.line, pkg.line, resource=pkg.key),
            severity=severity,
            evidence=evidence,
            tags=dict.fromkeys(all_ids),
            remediation=remediation,
            confidence=_confidence(pkg, groups),
            effort="small" if upgrade else "medium",
            priority=_priority(worst.verdict, pkg, groups),
            identity=f"{pkg.ecosystem}/{pkg.name}@{pkg.version}",  # stable as advisories are added
        )
        finding = replace(finding, group=f"package:{pkg.key}")  # one package version in several manifests
        if unreached(groups):  # listed apart, never gating: the reports count them in one line per rule
            finding = lower_in_context(finding, UNREACHED_WHY, confidence_lowered=True, tag=UNREACHED_TAG)
        return finding


#: the ``context`` evidence of a finding listed apart because no vulnerability on it reaches the code
UNREACHED_WHY = "module-level match only: no source file the build compiles imports a vulnerable package"


def unreached(groups: Sequence[AdvisoryGroup]) -> bool:
    """Every vulnerability on the module stops at module level (``go_reach``: not imported, imported only by
    files the build never compiles, absent from vendor/) and none is exploited in the wild: govulncheck's
    default output leaves such matches out of its list and counts them in one line; redline lists them apart."""
    return all(g.stops_at_module and not g.verdict.kev for g in groups)


def _confidence(pkg: Package, groups: Sequence[AdvisoryGroup]) -> Confidence:
    """Low when no vulnerability on the module reaches its own code (a dependency's code may still use
    it); medium for a Go release taken from the go directive; high otherwise."""
    if all(g.stops_at_module for g in groups):
        return Confidence.LOW
    return Confidence.MEDIUM if _go_minimum(pkg) else Confidence.HIGH


def _honour(finding: Finding, ignores: dict[str, ScannerIgnores]) -> Finding:
    """Suppressed, with the project's reason, when the nearest ``osv-scanner.toml`` (the manifest's folder or
    an ancestor) ignores every advisory the finding lists; a partly ignored finding stays as it is."""
    config = next((ignores[str(d)] for d in PurePosixPath(finding.location.path).parents if str(d) in ignores), None)
    advisories = finding.evidence.get("advisories")
    if config is None or not isinstance(advisories, tuple) or not advisories:
        return finding
    reasons = []
    for adv in advisories:
        aliases = adv.get("aliases") if isinstance(adv, Mapping) else None
        ids = [adv.get("id"), *(aliases if isinstance(aliases, tuple) else ())] if isinstance(adv, Mapping) else []
        reason = config.reason_for([str(i) for i in ids if i])
        if reason is None:
            return finding
        reasons.append(reason)
    return replace(finding, suppressed=f"{config.path}: {'; '.join(dict.fromkeys(reasons))}")


def _remediation(pkg: Package, upgrade: str | None, fixed: Sequence[str]) -> str:
    if pkg.ecosystem == "Go" and pkg.name in ("stdlib", "toolchain") and upgrade:
        return (
            f"Build with Go {upgrade} or later: set `toolchain go{upgrade}` (or `go {upgrade}`) in "
            "go.mod and use that release in the build image (clears every known advisory on it)."
        )
    if upgrade:
        return f"Upgrade {pkg.name} to {upgrade} (clears every known advisory on it)."
    if fixed:
        return (
            f"Upgrade {pkg.name} to a version outside the affected ranges (fixed in {', '.join(fixed)}); an "
            "advisory without a fix remains: replace the package or keep its affected code unused."
        )
    return (
        f"No fixed version of {pkg.name} is published: replace it (a maintained fork or an alternative) or "
        "remove it; until then keep the affected code path unused."
    )


def _scores(group: AdvisoryGroup) -> dict[str, EvidenceInputValue]:
    """The deciding group's CVSS, KEV and EPSS at the top level (the SBOM and the priorities read them);
    every group's own are in ``advisories``."""
    return {k: v for k, v in group.scores().items() if v is not None}


#: fewer advisories than this for an ecosystem the project uses is a partial database, not a clean bill
THIN_DATA = 100


def thin_data_notices(db: AdvisoryDatabase, manifests: Sequence[PackageManifest]) -> list[ToolError]:
    """One notice per ecosystem whose advisory data is suspiciously small for the packages checked."""
    packages: dict[str, set[str]] = {}
    for m in manifests:
        for p in m.packages:
            if p.version:
                packages.setdefault(p.ecosystem.split(":", 1)[0], set()).add(p.key)
    counts = db.advisory_counts()
    loaded = set(db.info().meta.get("osv_ecosystems", "").split(","))  # absent ones: the status source says so
    return [
        ToolError(
            "vulnerability database",
            (
                f"{len(keys):,} {eco} packages checked against {counts.get(eco, 0):,} {eco} advisories — run "
                f"`redline db update` (a database this small cannot show that they are free of known vulnerabilities)"
            ),
            stage=Stage.NOTICE,
        )
        for eco, keys in sorted(packages.items())
        if eco in loaded and counts.get(eco, 0) < THIN_DATA
    ]


def _priority(verdict: GroupVerdict, pkg: Package, groups: Sequence[AdvisoryGroup]) -> PriorityFactors:
    scores = [g.verdict.score for g in groups if g.verdict.score is not None]
    impact = Factor(max(1, min(5, round(max(scores) / 2))), f"CVSS {max(scores):.1f}") if scores else Factor()
    if verdict.kev:
        exploit = Factor(5, "listed in CISA KEV: exploited in the wild")
        delay = (
            Factor(5, "KEV with known ransomware use")
            if any(k.ransomware for k in verdict.kev)
            else Factor(5, "KEV listed: attackers already use it")
        )
    elif verdict.epss:
        p = verdict.epss.percentile
        exploit = Factor(
            5 if p >= 0.95 else 4 if p >= 0.8 else 3 if p >= 0.5 else 2 if p >= 0.2 else 1, f"EPSS percentile {p:.2f}"
        )
        delay = Factor()  # from the severity (scoring step)
    else:
        exploit, delay = Factor(), Factor()
    if pkg.dev:
        impact = Factor(
            max(1, impact.value - 2), f"{impact.reason if impact.known else 'no CVSS'}; development dependency only"
        )
    return PriorityFactors(impact, exploit, delay)
