"""Rules: the documented identity of every judgement redline makes.

A rule is data. Checks declare the rules they emit; the registry is built
from an explicit list of checks (plus plugins), never filled at import time.
Every rule has exactly one owning check: the registry refuses a code that two
checks declare, and a check may emit only the rules it declares (or, like the
git-history scan, the rules it explicitly ``borrows`` from their owner).

A rule is declared in one of two forms, nothing else:

- **Python**: the keyword form, next to the check that owns it::

      NO_TIMEOUT = Rule(
          code="RES101", name="requests-without-timeout", area=Area.RESILIENCE,
          severity=Severity.MEDIUM, summary="HTTP call through requests without a timeout",
          doc=RuleDoc(what_it_does=..., why_bad=..., example=..., use_instead=..., references=(...)),
      )

- **TOML** (data, for secret patterns only): one ``[[rules]]`` table per provider
  pattern in ``checks/secrets/rules/*.toml``; ``SecretRule.core_rule()`` turns each
  into a ``Rule`` with its documentation filled from a template, so a pattern is
  added without writing Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.core.model import Area, Severity

CODE_RE = re.compile(r"^[A-Z]{2,5}[0-9]{3,4}$")
NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")


class RuleError(ValueError):
    """A rule is malformed or clashes with another."""


@dataclass(frozen=True, slots=True)
class RuleDoc:
    what_it_does: str
    why_bad: str
    example: str
    use_instead: str
    references: tuple[str, ...]

    def sections(self) -> dict[str, str]:
        return {
            "What it does": self.what_it_does,
            "Why is this bad?": self.why_bad,
            "Example": self.example,
            "Use instead": self.use_instead,
            "References": "\n".join(f"- {r}" for r in self.references),
        }

    def missing(self) -> list[str]:
        return [name for name, text in self.sections().items() if not text.strip()]

    def markdown(self) -> str:
        parts = []
        for name, text in self.sections().items():
            body = text.strip()
            if name in ("Example", "Use instead") and not body.startswith("```"):
                body = f"```\n{body}\n```"
            parts.append(f"### {name}\n\n{body}\n")
        return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class Rule:
    code: str  # SEC101
    name: str  # aws-access-key
    area: Area
    severity: Severity
    summary: str  # one line
    doc: RuleDoc
    tags: tuple[str, ...] = ()  # CWE-…, STRIDE letters
    #: findings of this rule gate only at or above this severity, whatever ``fail_on`` says
    #: (a high-CVSS advisory nobody exploits should not block every merge); ``[gate]`` overrides it
    gate_floor: Severity = Severity.INFO
    #: the family a data-declared rule comes from (a secret rule file's ``family``, e.g. "generic"), so
    #: synthesis can weigh rules without importing the check that owns them
    family: str = ""
    #: off unless asked for by its exact code or name (``--select TF138``, ``select = ["TF138"]``): a check a
    #: peer tool has that real codebases mostly answer with a deliberate "no" (precision study, issue 9).
    #: A prefix (``--select TF``) or the default run leaves it off.
    opt_in: bool = False

    def validate(self) -> None:
        if not CODE_RE.match(self.code):
            raise RuleError(f"rule code {self.code!r} must look like SEC101")
        if not NAME_RE.match(self.name):
            raise RuleError(f"rule {self.code} name {self.name!r} must be kebab-case")
        missing = self.doc.missing()
        if missing:
            raise RuleError(f"rule {self.code} doc lacks: {', '.join(missing)}")

    @property
    def prefix(self) -> str:
        return self.code.rstrip("0123456789")


class RuleRegistry:
    """An immutable index of rules by code, built once per run."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        by_code: dict[str, Rule] = {}
        by_name: dict[str, str] = {}
        for rule in rules:
            rule.validate()
            if rule.code in by_code:
                raise RuleError(f"rule code {rule.code} is declared twice")
            if rule.name in by_name and by_name[rule.name] != rule.code:
                raise RuleError(f"rule name {rule.name} is used by {by_name[rule.name]} and {rule.code}")
            by_code[rule.code] = rule
            by_name[rule.name] = rule.code
        self._rules = dict(sorted(by_code.items()))

    @classmethod
    def owned(cls, owners: Iterable[tuple[str, Iterable[Rule]]]) -> RuleRegistry:
        """The registry of rules declared by their owners, ``(owner name, rules)`` pairs; a code that two
        owners (or one owner twice) declare is refused, naming both."""
        owner_of: dict[str, str] = {}
        rules: list[Rule] = []
        for owner, declared in owners:
            for rule in declared:
                if rule.code in owner_of:
                    raise RuleError(
                        f"rule {rule.code} is declared by {owner_of[rule.code]!r} and by {owner!r}: "
                        "a rule has exactly one owning check"
                    )
                owner_of[rule.code] = owner
                rules.append(rule)
        return cls(rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def get(self, code: str) -> Rule:
        try:
            return self._rules[code.upper()]
        except KeyError:
            raise KeyError(f"no rule {code!r}") from None

    def named(self, selectors: Iterable[str]) -> set[str]:
        """Codes that selectors name exactly (code or name, not a prefix): what turns an opt-in rule on."""
        wanted = {s.strip() for s in selectors}
        return {r.code for r in self._rules.values() if r.code in {w.upper() for w in wanted} or r.name in wanted}

    def matching(self, selectors: Iterable[str]) -> set[str]:
        """Codes matched by selectors: exact codes, prefixes (``SEC``, ``SEC1``) or names."""
        chosen: set[str] = set()
        for sel in selectors:
            s = sel.strip()
            for rule in self._rules.values():
                if rule.code.startswith(s.upper()) or rule.name == s:
                    chosen.add(rule.code)
        return chosen
