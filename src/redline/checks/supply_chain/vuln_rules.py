"""The VUL rules and how one vulnerability (advisories sharing an alias) on one package is judged:
which rule (KEV, EPSS, else known), how severe (CVSS, database rating, dev-only one level lower)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redline.checks.supply_chain.cvss import CvssError, base_score, database_severity, severity_of_score
from redline.checks.supply_chain.matching import AdvisoryMatch, ordered_ids
from redline.core.advisories import EpssScore, KevEntry
from redline.core.model import Area, Severity
from redline.core.packages import Package
from redline.core.rules import Rule, RuleDoc
from redline.sources.advisories.settings import SupplyChainSettings

_TAGS = ("CWE-1395", "STRIDE:E")
_SEVERITY_NOTE = (
    "Severity: the highest CVSS base score in the group (computed from the advisory's vector), else the "
    "database's own rating, else medium when the advisory gives none. A development-only dependency is "
    "one level lower, because it does not ship to production; an advisory on code that exists only on "
    "non-Linux platforms (OSV's Go `goos`, e.g. x/sys/windows) is low, and says so. A Go module's advisory is "
    "judged at package level when OSV names the vulnerable packages (`ecosystem_specific.imports`), from the "
    "import declarations of the module's own .go files: imported (or an imported package of "
    "the module sits above it, or above the `internal` folder it is in), it keeps its severity and names "
    "the listed functions the code calls directly; imported only by "
    "files the build never compiles (`_test.go`, `//go:build ignore`/`tools`), or by none, it is low with that "
    "reason (module level only: a dependency's code may still use it, which cannot be ruled out without the "
    "module cache). A `vendor/` folder settles it: a package vendor/ holds or a vendored package imports is in "
    "the build; one it lacks is low. A KEV-listed vulnerability is never lowered. A module every advisory of "
    "which stops at module level this way is listed apart, like govulncheck's count line (tag "
    "`context:unreached`: one line per rule in the reports, never gating, each one with `--show-context`, "
    "all in findings.json). Gate: VUL101 and VUL102 "
    "findings fail the gate only when critical (a KEV-listed or critical-CVSS vulnerability in a runtime "
    'dependency, or any KEV entry with --fail-on-kev), whatever fail_on says; set `[gate] VUL101 = "high"` '
    "to gate earlier."
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
        "database (`redline db update`) with each ecosystem's version ordering (for Go: go.mod's build list, "
        "and the standard library of the Go release that builds it), and reports one finding per package "
        "version: every advisory on it (those sharing an alias — PYSEC, GHSA, CVE — as one vulnerability) with "
        "what the flaw is, the affected range and the fix, the smallest upgrade that clears all of them, and "
        "the path from a direct dependency. The same version reached from several manifests is one item with "
        "every place. " + _SEVERITY_NOTE,
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
        references=(
            "https://www.cisa.gov/known-exploited-vulnerabilities-catalog",
            "https://www.cisa.gov/news-events/directives/bod-22-01-reducing-significant-risk-known-exploited-vulnerabilities",
            *_REFS,
        ),
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
    platforms: tuple[str, ...] = ()  # set when the affected code exists only on these (not server) platforms


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


def judge(
    group: Sequence[AdvisoryMatch],
    package: Package,
    kev: dict[str, KevEntry],
    epss: dict[str, EpssScore],
    settings: SupplyChainSettings,
) -> GroupVerdict:
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
