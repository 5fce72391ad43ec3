"""The extension point for checks.

A ``FileCheck`` looks at the facts of one file and runs in worker processes
right after that file was parsed. A ``ProjectCheck`` looks at all kept facts
at once in the main process (a compose file and the Dockerfiles it builds, a
lockfile and the vulnerability database). A ``ModuleCheck`` is both halves of
one judgement: the per-module part runs where the module's facts were just
built (a worker), and only its small results travel to the main process, where
``finish`` completes them with project facts (the route a call is reachable
from). Each declares the rules it may emit; the registry is built from those
declarations.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from redline.core.config import Config, SectionSpec
from redline.core.evidence import Evidence, EvidenceInput
from redline.core.facts import Facts, ModuleHead
from redline.core.model import Confidence, Finding, Location, PriorityFactors, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleRegistry

T = TypeVar("T")


class CheckError(Exception):
    """A check could not complete; recorded as a tool error naming the check."""


class RunScope:
    """What the checks of one run build once and share (the secret settings and compiled scanner).

    It lives in the run's ``CheckContext`` and dies with the run, so nothing a run built outlives it
    in a module; worker processes forked after ``prepare()`` inherit what is in it."""

    def __init__(self) -> None:
        self._made: dict[Hashable, object] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        if key not in self._made:
            self._made[key] = make()
        return cast(T, self._made[key])

    def derived(self, make: Callable[[Facts], T], facts: Facts) -> T:
        """What ``make`` derives from the run's ``facts``, built by its first reader (a project check or a
        synthesis step) and shared with the others: a derived fact that many read, built once per run, that dies
        with the run. Keyed by ``make`` and that bag of facts, so a reader with other facts gets its own."""
        return self.get((make, facts), lambda: make(facts))


class UndeclaredRuleError(CheckError):
    """A check built a finding for a rule it neither declares nor borrows: a bug in the check, reported
    as a failed check instead of a finding that vanishes."""


@dataclass(frozen=True)
class CheckContext:
    root: Path
    config: Config
    enabled: frozenset[str]  # rule codes enabled for this run
    options: dict[str, Any] = field(default_factory=dict)  # command-line extras (e.g. secrets --history)
    scope: RunScope = field(default_factory=RunScope, compare=False)  # per-run shared objects
    rules: RuleRegistry = field(default_factory=lambda: RuleRegistry(()), compare=False)  # the run's registry


class Check:
    #: a short, stable, kebab-case name used in error messages
    name: str = ""
    #: the rules this check owns: each rule is declared by exactly one check
    rules: tuple[Rule, ...] = ()
    #: rules owned by another check that this one may emit too (the git-history scan reports the tree
    #: scan's rules where they occur in history); selecting such a rule runs this check as well
    borrows: tuple[Rule, ...] = ()
    #: configuration tables this check owns
    config_sections: tuple[SectionSpec[Any], ...] = ()
    #: its project-wide judgement takes a large share of the project phase on a large tree (it reads every function
    #: of every module against project-wide tables): when processes share the project checks it is taken first, so
    #: the short ones fill in beside it instead of one process judging it alone at the end
    long_running: bool = False

    def prepare(self, ctx: CheckContext) -> None:
        """Called once per run, in the main process, before worker processes fork: build here what
        every file will need (the secret checks compile their scanner), keeping it in ``ctx.scope``.
        Raise ``CheckError`` when the check cannot run: the run reports it once and goes on without it."""

    def prepare_later(self, ctx: CheckContext) -> Callable[[], None] | None:
        """What ``prepare`` left undone because it is slow and reads no file (compiling the secret scanner's
        database when no cache has it), or None. With a worker pool the pipeline runs it in a thread of the
        main process while the workers parse, then runs this check's ``check_file`` in a second pass over
        the files' text; without one it runs at once. Only a ``FileCheck`` of ``FileText`` alone may leave
        work for later."""
        return None

    def finding(
        self,
        rule: Rule,
        message: str,
        location: Location,
        *,
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        evidence: EvidenceInput | None = None,
        tags: Iterable[str] = (),
        remediation: str = "",
        effort: str = "",
        priority: PriorityFactors | None = None,
        identity: str = "",
        component: str = "",
    ) -> Finding:
        """Build a finding with the rule's defaults filled in; a rule the check does not declare (in
        ``rules`` or ``borrows``) raises :class:`UndeclaredRuleError`."""
        if rule.code not in self.emittable_codes():
            raise UndeclaredRuleError(
                f"check {self.name!r} emitted {rule.code}, which it does not declare "
                "(add the rule to its `rules`, or to `borrows` when another check owns it)"
            )
        return Finding(
            rule=rule.code,
            message=message,
            severity=rule.severity if severity is None else severity,
            location=location,
            confidence=confidence,
            component=component,
            evidence=evidence if isinstance(evidence, Evidence) else Evidence(evidence),
            tags=tuple(dict.fromkeys((*rule.tags, *tags))),
            remediation=remediation,
            effort=effort,
            priority=priority or PriorityFactors(),
            identity=identity,
        )

    def emittable_codes(self) -> frozenset[str]:
        """Codes of the rules this check may emit: its own and the borrowed ones (cached per rule tuples)."""
        cached = self.__dict__.get("_emittable")
        if cached is None or cached[0] is not self.rules or cached[1] is not self.borrows:
            cached = (self.rules, self.borrows, frozenset(r.code for r in (*self.rules, *self.borrows)))
            self.__dict__["_emittable"] = cached
        codes: frozenset[str] = cached[2]
        return codes


def rule_registry(checks: Iterable[Check]) -> RuleRegistry:
    """The registry of every rule the checks own; a rule two checks declare is refused."""
    return RuleRegistry.owned((check.name or type(check).__name__, check.rules) for check in checks)


class FileCheck(Check, ABC):
    #: fact types this check looks at (``FileText`` for raw text)
    fact_types: tuple[type, ...] = ()

    @abstractmethod
    def check_file(self, fact: Any, ctx: CheckContext) -> Iterable[Finding]:
        """Judge the fact of one file."""


class ProjectCheck(Check, ABC):
    #: fact types this check needs; their sources run only when some check needs them
    fact_types: tuple[type, ...] = ()

    @abstractmethod
    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        """Judge all facts of the run. A ``Skipped`` names an input the check could not cover
        (a git blob over the size limit …); the report lists it with the reason. A non-fatal
        ``ToolError`` is a notice every output shows (a partial advisory database …)."""


class ModuleCheck(Check, ABC):
    """A check whose judgement of a module needs that module's facts alone, and at most a small project-wide
    completion: the rules over one module's code index, completed with the route each hit is reachable from.

    ``check_module`` runs where the fact was built (a worker process, or inline with one job) and returns
    small, picklable partial results; the main process hands every partial of the run, in the walk's order
    (the same with any number of workers), to ``finish`` once the project facts exist. So the per-module
    work scales with the workers and never waits for every module to reach the main process."""

    #: the per-file fact types ``check_module`` judges (a ``CodeIndex``)
    fact_types: tuple[type, ...] = ()
    #: project facts ``finish`` reads (``RouteInventory``); their sources run when the check does
    project_fact_types: tuple[type, ...] = ()

    @abstractmethod
    def check_module(self, fact: Any, ctx: CheckContext) -> Iterable[Any]:
        """The partial results for one module's fact: findings, or what ``finish`` needs to make them."""

    def reads(self, module: ModuleHead) -> bool:
        """Whether ``check_module`` can find anything in a module of this path and language; it finds nothing in
        one it does not read. A worker decodes a code index from the cache only for a check that reads the module
        (``core.facts.Deferred``): say no to what the check leaves out (tests, other languages)."""
        return True

    def finish(self, partials: list[Any], facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        """Complete the partials of every module with project facts; by default they are the findings."""
        return cast(list[Finding], partials)

    def declared(self, rule: Rule) -> Rule:
        """This check's own declaration of ``rule``. Partials from a worker arrive pickled, so a rule in them
        is an equal copy, not the declared object that judges compare by identity (``hit.rule is X``)."""
        for own in (*self.rules, *self.borrows):
            if own.code == rule.code:
                return own
        return rule
