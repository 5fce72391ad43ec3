"""Known-vulnerable dependencies: OSV matches grouped by alias, enriched with KEV and EPSS.

One finding per package version and vulnerability group (advisories sharing
any id or alias). The rule says how urgent it is: VUL102 when a CVE of the
group is in CISA's KEV catalog (exploited in the wild), VUL103 when its EPSS
probability reaches the configured threshold, VUL101 otherwise.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from redline.checks.interface import CheckContext, CheckError, ProjectCheck
from redline.checks.supply_chain.cvss import CvssError, base_score, database_severity, severity_of_score
from redline.checks.supply_chain.matching import (
    AdvisoryMatch,
    group_by_alias,
    match_package,
    ordered_ids,
    smallest_upgrade,
    sort_versions,
)
from redline.checks.supply_chain.settings import SECTION, SupplyChainSettings, settings_from
from redline.core.advisories import EpssScore, KevEntry
from redline.core.facts import Facts
from redline.core.model import Area, Finding, Location, PriorityFactors, Severity
from redline.core.packages import Package, PackageManifest
from redline.core.rules import Rule, RuleDoc
from redline.sources.advisories.database import AdvisoryDatabase, DatabaseError
from redline.sources.advisories.status import AdvisoryDbStatus
from redline.sources.packages.graph import dependency_paths

_TAGS = ("CWE-1395", "STRIDE:E")
_SEVERITY_NOTE = (
    "Severity: the highest CVSS base score in the group (computed from the advisory's vector), else the "
    "database's own rating, else medium when the advisory gives none. A development-only dependency is "
    "one level lower, because it does not ship to production. Gate: VUL101 and VUL102 findings fail the gate "
    "only when critical (a KEV-listed or critical-CVSS vulnerability in a runtime dependency, or any KEV entry "
    "with --fail-on-kev), whatever fail_on says; set `[gate] VUL101 = \"high\"` to gate earlier."
)
_REFS = (
    "https://ossf.github.io/osv-schema/",
    "https://owasp.org/Top10/A06_2021-Vulnerable_and_Outdated_Components/",
)

KNOWN_VULNERABLE = Rule(
    code="VUL101",
    name="known-vulnerable-dependency",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Dependency version affected by a published advisory",
    tags=_TAGS,
    gate_floor=Severity.CRITICAL,
    doc=RuleDoc(
        what_it_does="Matches every pinned dependency of every manifest and lockfile against the local OSV "
        "database (`redline db update`) with each ecosystem's version ordering, groups advisories that share "
        "an alias (PYSEC, GHSA, CVE) into one finding, and names the fixed versions, the smallest upgrade that "
        "clears every advisory on the package, and the path from a direct dependency. " + _SEVERITY_NOTE,
        why_bad="A published advisory tells attackers exactly what to try and which versions to look for; "
        "known-vulnerable components are a top cause of breaches (OWASP A06).",
        example="# requirements.txt\nrequests==2.19.0   # CVE-2018-18074, CVE-2023-32681",
        use_instead="requests==2.31.0   # the smallest version clearing both advisories",
        references=_REFS,
    ),
)

EXPLOITED = Rule(
    code="VUL102",
    name="exploited-vulnerability",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="Dependency affected by a vulnerability exploited in the wild (CISA KEV)",
    tags=(*_TAGS, "KEV"),
    gate_floor=Severity.CRITICAL,
    doc=RuleDoc(
        what_it_does="Like VUL101, for a vulnerability group one of whose CVEs is in CISA's Known Exploited "
        "Vulnerabilities catalog; the finding shows the date it was added, CISA's due date and whether "
        "ransomware campaigns use it. Critical whatever the CVSS score; a development-only dependency is high "
        "unless `[supply_chain] fail_on_kev = true`, which keeps it critical. The default gate (fail_on = high) "
        "therefore fails on every KEV-listed vulnerability in a runtime dependency.",
        why_bad="Exploitation is not theoretical: attackers are using this vulnerability now, and CISA "
        "requires federal agencies to fix it by a deadline. It outranks any unexploited critical score.",
        example="# requirements.txt\nsomepkg==1.0   # CVE in the KEV catalog, ransomware use known",
        use_instead="somepkg==1.0.1  # the fixed version named in the finding",
        references=("https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
                    "https://www.cisa.gov/news-events/directives/bod-22-01-reducing-significant-risk-known-exploited-vulnerabilities",
                    *_REFS),
    ),
)

LIKELY_EXPLOITED = Rule(
    code="VUL103",
    name="likely-exploited-vulnerability",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Dependency affected by a vulnerability with a high EPSS exploitation probability",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Like VUL101, for a group not in KEV whose highest EPSS probability (FIRST's estimate "
        "that the CVE is exploited in the next 30 days) reaches `[supply_chain] epss_threshold` (default 0.1, "
        "roughly the top 5% of all CVEs). At least high for a runtime dependency, one level lower for a "
        "development-only one.",
        why_bad="EPSS predicts exploitation from observed attack activity; a high probability means this "
        "vulnerability is far more likely to be used against you than a typical one of the same CVSS score.",
        example="# package-lock.json\nlodash 4.17.15   # CVE-2020-8203, EPSS 0.4",
        use_instead="lodash 4.17.21",
        references=("https://www.first.org/epss/", "https://www.first.org/epss/user-guide", *_REFS),
    ),
)


def _lower(sev: Severity) -> Severity:
    return Severity(max(int(sev) - 1, int(Severity.INFO)))


@dataclass(frozen=True)
class GroupVerdict:
    rule: Rule
    severity: Severity
    score: float | None
    vector: str
    kev: tuple[KevEntry, ...]
    epss: EpssScore | None


def _best_cvss(group: Sequence[AdvisoryMatch]) -> tuple[float | None, str, Severity | None]:
    best: tuple[float | None, str] = (None, "")
    db_sev: Severity | None = None
    for m in group:
        for kind, vector in m.advisory.severity:
            try:
                score = base_score(kind, vector)
            except CvssError:
                continue
            if score is not None and (best[0] is None or score > best[0]):
                best = (score, vector)
        word = database_severity(m.advisory.database_severity)
        if word is not None and (db_sev is None or word > db_sev):
            db_sev = word
    return best[0], best[1], db_sev


def judge(group: Sequence[AdvisoryMatch], package: Package, kev: dict[str, KevEntry],
          epss: dict[str, EpssScore], settings: SupplyChainSettings) -> GroupVerdict:
    cves = [i for i in ordered_ids(group) if i.startswith("CVE-")]
    kev_hits = tuple(kev[c] for c in cves if c in kev)
    scores = [epss[c] for c in cves if c in epss]
    top_epss = max(scores, key=lambda s: s.probability) if scores else None
    score, vector, db_sev = _best_cvss(group)
    base = severity_of_score(score) if score is not None else db_sev or Severity.MEDIUM
    if kev_hits:
        sev = Severity.CRITICAL if not package.dev or settings.fail_on_kev else Severity.HIGH
        return GroupVerdict(EXPLOITED, sev, score, vector, kev_hits, top_epss)
    if top_epss is not None and top_epss.probability >= settings.epss_threshold:
        sev = max(base, Severity.HIGH)
        return GroupVerdict(LIKELY_EXPLOITED, _lower(sev) if package.dev else sev, score, vector, (), top_epss)
    return GroupVerdict(KNOWN_VULNERABLE, _lower(base) if package.dev else base, score, vector, (), top_epss)


class VulnerableDependencyCheck(ProjectCheck):
    name = "vulnerable-dependencies"
    rules = (KNOWN_VULNERABLE, EXPLOITED, LIKELY_EXPLOITED)
    fact_types = (PackageManifest, AdvisoryDbStatus)
    config_sections = (SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        statuses = facts.of(AdvisoryDbStatus)
        manifests = facts.of(PackageManifest)
        if not statuses or not statuses[0].usable or not manifests:
            return []  # the source already reported why nothing was checked
        settings = settings_from(ctx.config.section("supply_chain"))
        try:
            db = AdvisoryDatabase(Path(statuses[0].path))
        except DatabaseError as exc:
            raise CheckError(str(exc)) from None
        try:
            return sorted(self._scan(db, manifests, settings), key=Finding.sort_key)
        except (DatabaseError, sqlite3.DatabaseError) as exc:  # a file damaged past what opening it shows
            raise CheckError(f"{statuses[0].path}: {exc}") from None
        finally:
            db.close()

    def _scan(self, db: AdvisoryDatabase, manifests: Sequence[PackageManifest],
              settings: SupplyChainSettings) -> Iterator[Finding]:
        locked = {(str(PurePosixPath(m.path).parent), p.key) for m in manifests if m.is_lockfile for p in m.packages}
        for manifest in sorted(manifests, key=lambda m: m.path):
            paths = dependency_paths(manifest) if manifest.edges else {}
            here = str(PurePosixPath(manifest.path).parent)
            # a package.json/pyproject entry the lockfile beside it also pins is reported once, on the lockfile
            packages = [p for p in dict.fromkeys(manifest.packages)
                        if manifest.is_lockfile or (here, p.key) not in locked]
            matched = [(pkg, found) for pkg in packages if (found := match_package(db, pkg))]
            cves = {i for _, found in matched for m in found for i in m.advisory.cves}
            kev, epss = db.kev(cves), db.epss(cves)
            for pkg, found in matched:
                upgrade = smallest_upgrade(pkg.ecosystem, pkg.version, found)
                key = pkg.key
                for group in group_by_alias(found):
                    verdict = judge(group, pkg, kev, epss, settings)
                    yield self._finding(manifest, pkg=pkg, group=group, verdict=verdict, upgrade=upgrade,
                                        path=paths.get(key, []))

    def _finding(self, manifest: PackageManifest, *, pkg: Package, group: Sequence[AdvisoryMatch],
                 verdict: GroupVerdict, upgrade: str | None, path: list[str]) -> Finding:
        ids = ordered_ids(group)
        primary = next((i for i in ids if i.startswith("CVE-")), ids[0])
        others = [i for i in ids if i != primary]
        fixed = sort_versions(pkg.ecosystem, (f for m in group for f in m.fixed))
        summary = next((m.advisory.summary for m in group if m.advisory.summary), "")
        if not summary:
            details = next((m.advisory.details for m in group if m.advisory.details), "")
            summary = details.split(". ")[0][:160]
        summary = " ".join(summary.split())
        fix_text = f"fixed in {', '.join(fixed)}" if fixed else "no fixed version published"
        message = (f"{pkg.name} {pkg.version} is affected by {primary}"
                   f"{' (' + ', '.join(others) + ')' if others else ''}: {summary.rstrip('.')}; {fix_text}")
        if verdict.kev:
            message += "; exploited in the wild (CISA KEV)"
        evidence = [("ids", ", ".join(ids)), ("package", pkg.key), ("fixed", ", ".join(fixed) or "none"),
                    ("smallest upgrade clearing all advisories", upgrade or "none known"),
                    ("scope", "development" if pkg.dev else "runtime"),
                    ("dependency path", " > ".join(path) if path else ("direct" if pkg.direct else "unknown"))]
        if verdict.score is not None:
            evidence.append(("cvss", f"{verdict.score} {verdict.vector}"))
        for entry in verdict.kev:
            evidence.append(("kev", f"{entry.cve} added {entry.date_added}, due {entry.due_date}, ransomware use: "
                                    f"{'known' if entry.ransomware else 'unknown'}"))
        if verdict.epss is not None:
            evidence.append(("epss", f"{verdict.epss.cve} probability {verdict.epss.probability:.5f}, "
                                     f"percentile {verdict.epss.percentile:.5f}"))
        remediation = (f"Upgrade {pkg.name} to {upgrade} (clears every known advisory on it)." if upgrade
                       else f"Upgrade {pkg.name} to a version outside the affected ranges ({fix_text}).")
        return self.finding(
            verdict.rule, message,
            Location(manifest.path, pkg.line, pkg.line, resource=pkg.key),
            severity=verdict.severity, evidence=evidence, tags=ids, remediation=remediation,
            effort="small" if upgrade else "medium", priority=_priority(verdict, pkg),
            identity=f"{pkg.ecosystem}/{pkg.name}@{pkg.version}#{primary}",  # the CVE: stable as aliases grow
        )


def _priority(verdict: GroupVerdict, pkg: Package) -> PriorityFactors:
    impact = verdict.score / 10 if verdict.score is not None else 0.5
    if verdict.kev:
        exploit = 1.0
        delay = 1.0 if any(k.ransomware for k in verdict.kev) else 0.9
    else:
        exploit = max(0.05, verdict.epss.percentile) if verdict.epss else 0.3
        delay = 0.7
    if pkg.dev:
        impact, delay = impact * 0.5, delay * 0.5
    return PriorityFactors(round(impact, 3), round(exploit, 3), round(delay, 3))
