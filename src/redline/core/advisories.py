"""Supply-chain advisory facts: OSV advisories, their affected ranges, KEV and EPSS entries.

Plain frozen data; parsing lives in ``sources.advisories``, matching in
``checks.supply_chain``. Field names follow the OSV schema
(https://ossf.github.io/osv-schema/) so that a reader can map them one to one.
"""

from __future__ import annotations

from dataclasses import dataclass

#: OSV range event kinds, in the order events at the same version are applied
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


@dataclass(frozen=True, slots=True)
class RangeEvent:
    kind: str  # one of EVENT_KINDS
    version: str


@dataclass(frozen=True, slots=True)
class AffectedRange:
    type: str  # ECOSYSTEM | SEMVER | GIT
    events: tuple[RangeEvent, ...]

    def fixed(self) -> tuple[str, ...]:
        return tuple(e.version for e in self.events if e.kind == "fixed")


@dataclass(frozen=True, slots=True)
class AffectedImport:
    """Go's ``ecosystem_specific.imports[]`` entry: the package of the module that holds the flaw, and the
    functions and methods in it that do (``Parse``, ``Tokenizer.Next``; empty when the advisory names none)."""

    path: str
    symbols: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Affected:
    """One ``affected[]`` entry: a package and the versions of it an advisory covers."""

    ecosystem: str
    name: str
    ranges: tuple[AffectedRange, ...] = ()
    versions: tuple[str, ...] = ()
    #: ``versions`` in a canonical form that makes equal versions equal strings (PEP 440 for PyPI),
    #: computed once when the database is built; empty when the ecosystem needs none
    canonical_versions: tuple[str, ...] = ()
    #: the operating systems the affected code exists on (Go's ``goos`` of every affected import);
    #: empty when it is on every platform or the advisory does not say
    platforms: tuple[str, ...] = ()
    #: the packages (Go import paths) of the module the flaw is in; empty when the advisory does not say
    imports: tuple[AffectedImport, ...] = ()


@dataclass(frozen=True, slots=True)
class Advisory:
    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    published: str = ""
    modified: str = ""
    withdrawn: str = ""  # RFC 3339 time when withdrawn; such advisories never match
    severity: tuple[tuple[str, str], ...] = ()  # (type, score) e.g. ("CVSS_V3", "CVSS:3.1/AV:N/…")
    database_severity: str = ""  # database_specific.severity (GHSA: LOW/MODERATE/HIGH/CRITICAL)
    affected: tuple[Affected, ...] = ()
    references: tuple[str, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(sorted({i for i in self.ids if i.startswith("CVE-")}))


@dataclass(frozen=True, slots=True)
class KevEntry:
    """A CVE in CISA's Known Exploited Vulnerabilities catalog: exploited in the wild."""

    cve: str
    name: str = ""
    date_added: str = ""
    due_date: str = ""
    ransomware: bool = False  # knownRansomwareCampaignUse == "Known"


@dataclass(frozen=True, slots=True)
class EpssScore:
    """FIRST EPSS: probability of exploitation in the next 30 days, and its percentile."""

    cve: str
    probability: float
    percentile: float
