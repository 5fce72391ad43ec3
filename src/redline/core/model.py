"""Typed, frozen facts and findings shared by every layer.

Findings are frozen so that equality, hashing and fingerprints always agree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from redline.core.evidence import EMPTY, Evidence
from redline.core.fingerprint import fingerprint_of


class Severity(enum.IntEnum):
    """Ordered so that comparisons (``>= Severity.HIGH``) read naturally."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None

    def __str__(self) -> str:
        return self.name.lower()


class Area(enum.Enum):
    PERFORMANCE = "performance"
    SECURITY = "security"
    RESILIENCE = "resilience"
    COST = "cost"
    MAP = "map"

    def __str__(self) -> str:
        return self.value


class Confidence(enum.IntEnum):
    LOW = 0
    MEDIUM = 1
    HIGH = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding sits. ``path`` is relative to the audited root, POSIX style.

    ``snippet`` must already be redacted when it could hold a secret.
    A location with no line (``start_line == 0``) names a whole file or resource.
    """

    path: str
    start_line: int = 0
    end_line: int = 0
    start_column: int = 0
    end_column: int = 0
    snippet: str = ""
    resource: str = ""  # e.g. a Terraform address or "Deployment/ns/name"


#: the reason of a factor no fact decided: the neutral middle of the scale, said so
UNKNOWN = "not known: neutral default"


@dataclass(frozen=True, slots=True)
class Factor:
    """One priority factor on a 1-5 scale, with the fact that set it."""

    value: int = 3
    reason: str = UNKNOWN

    def __post_init__(self) -> None:
        if not 1 <= self.value <= 5:
            raise ValueError(f"a priority factor is 1..5, got {self.value}")

    @property
    def known(self) -> bool:
        return self.reason != UNKNOWN


@dataclass(frozen=True, slots=True)
class PriorityFactors:
    """The three factors every finding is ranked by, each 1-5 with its reason; priority is their
    product (1-125). A factor no fact decided stays at the neutral 3 and says so."""

    user_impact: Factor = Factor()
    exploitability: Factor = Factor()
    cost_of_delay: Factor = Factor()

    @property
    def score(self) -> int:
        return self.user_impact.value * self.exploitability.value * self.cost_of_delay.value


@dataclass(frozen=True, slots=True)
class Finding:
    """One judged problem. Built by checks, never mutated afterwards.

    ``identity`` is the content that makes the fingerprint: by default the
    normalised snippet; a secret check puts a salted hash of the secret here,
    an infrastructure check the resource address. It never holds a secret.
    """

    rule: str
    message: str
    severity: Severity
    location: Location
    confidence: Confidence = Confidence.HIGH
    component: str = ""
    evidence: Evidence = EMPTY  # typed, JSON-serialisable; see core/evidence.py
    tags: tuple[str, ...] = ()
    remediation: str = ""
    effort: str = ""
    priority: PriorityFactors = field(default_factory=PriorityFactors)
    identity: str = ""
    suppressed: str | None = None  # the reason, when suppressed inline
    #: the root cause this finding shares with others (one base image, one package version,
    #: one manifest copied into overlays); findings with the same rule and group are one item
    group: str = ""
    #: the fingerprint once computed (reports, baselines and grouping ask for it many times per finding);
    #: not an input: ``dataclasses.replace`` starts it empty again, so it always matches the fields
    _fingerprint: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.evidence, Evidence):  # one form: a dict here would break hashing
            raise TypeError(f"Finding.evidence must be Evidence, not {type(self.evidence).__name__}")

    @property
    def fingerprint(self) -> str:
        if not self._fingerprint:
            object.__setattr__(self, "_fingerprint", fingerprint_of(self))  # frozen: a cache, not a change
        return self._fingerprint

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (loc.path, loc.start_line, loc.start_column, self.rule, loc.resource, self.message)


class Stage(enum.StrEnum):
    """The step of a run a ``ToolError`` happened in (reported as its value)."""

    READ = "read"  # a file could not be read
    DECODE = "decode"  # a file was not valid in its encoding (read with replacements)
    PARSE = "parse"  # a source could not parse a file
    SOURCE = "source"  # a source failed, or a project source could not cover its input
    NOTICE = "notice"  # what a source could not vouch for; the inputs it concerns are listed as not covered
    CHECK = "check"  # a check failed
    SUPPRESSION = "suppression"  # an inline suppression was not honoured
    SYNTHESIS = "synthesis"  # a synthesis step failed
    PLUGIN = "plugin"  # a plugin could not be loaded


@dataclass(frozen=True, slots=True)
class ToolError:
    """Something redline could not do: a file it could not read, a check that failed.

    Recorded, reported, and turned into exit code 2 when ``fatal``; the run goes on.
    """

    where: str  # a path, a check name, or a source name
    reason: str
    stage: Stage = Stage.READ
    fatal: bool = False


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or input the run did not cover, and why (size limit, binary, symlink out of root)."""

    path: str
    reason: str
