"""Secret rules as data: load and validate the TOML rule files and user rules.

Every built-in family lives in ``rules/<family>.toml`` (see the contract in
``docs``/briefs). Files whose name starts with ``_`` are seeds for tests and are
not loaded as built-in rules. Errors name the file and the rule id, and the
loader refuses the whole set: a half-loaded rule set would silently miss leaks.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from redline.checks.secrets.cache import read_entry, write_entry
from redline.checks.secrets.patterns import PatternError, check_pattern
from redline.checks.secrets.redact import redact
from redline.core.lazy_regex import LazyPattern, lazy
from redline.core.model import Area, Confidence, Severity
from redline.core.rules import CODE_RE, NAME_RE, Rule, RuleDoc

RULES_DIR = Path(__file__).with_name("rules")
SEED_FILE = RULES_DIR / "_engine_seed.toml"
TAGS = ("CWE-798", "STRIDE:I", "STRIDE:S")
#: findings of rules written in ``redline.toml`` are reported under this code
USER_RULE_CODE = "SEC999"
_CODE_RANGE = (100, 499)

_RULE_KEYS: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "code": str,
    "provider": str,
    "summary": str,
    "keywords": list,
    "pattern": str,
    "severity": str,
    "entropy": (int, float),
    "allow": list,
    "revoke": str,
    "references": list,
    "examples": list,
    "counter_examples": list,
    "confidence": str,
    "requires": str,
}
_REQUIRED = ("id", "provider", "summary", "pattern", "severity", "revoke", "references", "examples")
_FILE_KEYS = {"family", "family_why", "rule"}
_FAMILY_RE = re.compile(r"^[a-z0-9_]+$")


class RuleSetError(ValueError):
    """A rule file or user rule is invalid; the message names the file and the rule id."""


@dataclass(frozen=True)
class SecretRule:
    """One credential type. ``regex`` runs on bytes; ``window`` bounds how far back a match starts."""

    id: str
    code: str
    provider: str
    summary: str
    family: str
    family_why: str
    pattern: str
    severity: Severity
    keywords: tuple[bytes, ...]
    revoke: str
    references: tuple[str, ...]
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...] = ()
    entropy: float = 0.0
    allow: tuple[LazyPattern[str], ...] = ()  # compiled when a match is judged, not when a cached set loads
    confidence: Confidence = Confidence.HIGH
    requires: str = ""
    source: str = ""
    window: int = field(default=0, compare=False)
    doc_example: str = field(default="", compare=False)  # the first example, its secret redacted

    @cached_property
    def regex(self) -> re.Pattern[bytes]:
        """Compiled on first use: a cached rule set is loaded without compiling 300 patterns."""
        return re.compile(self.pattern.encode("utf-8"))

    @property
    def where(self) -> str:
        return f"{self.source}: rule {self.id!r}"

    def core_rule(self) -> Rule:
        """The documented rule the registry knows it by (built once: the tree and history checks both ask)."""
        return self._core_rule

    @cached_property
    def _core_rule(self) -> Rule:
        return Rule(
            code=self.code,
            name=self.id,
            area=Area.SECURITY,
            severity=self.severity,
            summary=self.summary,
            tags=TAGS,
            family=self.family,
            doc=RuleDoc(
                what_it_does=f"Finds {self.summary} ({self.provider}) committed in files or git history.",
                why_bad=self.family_why,
                example=self.doc_example or redacted_example(self),
                use_instead=f"# read the {self.provider} credential at run time, injected from a secret store\n"
                "# (Vault, AWS Secrets Manager, a CI secret); never commit it\n"
                f'token = os.environ["{_env_name(self)}"]',
                references=self.references,
            ),
        )


def redacted_example(rule: SecretRule) -> str:
    """The first example with its secret shown the way findings show it."""
    if not rule.examples:
        return ""
    text = rule.examples[0]
    m = rule.regex.search(text.encode("utf-8"))
    if m is None:
        return text
    raw = text.encode("utf-8")
    secret = m.group("secret").decode("utf-8", "replace")
    return (
        raw[: m.start("secret")].decode("utf-8", "replace")
        + redact(secret)
        + raw[m.end("secret") :].decode("utf-8", "replace")
    )


def _env_name(rule: SecretRule) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", rule.id.upper()).strip("_")


# --- loading -----------------------------------------------------------------------------


def builtin_rule_files() -> list[Path]:
    return sorted(p for p in RULES_DIR.glob("*.toml") if not p.name.startswith("_"))


@lru_cache(maxsize=1)
def load_builtin_rules() -> tuple[SecretRule, ...]:
    """Every built-in rule, validated. Kept on disk by content hash: validating and compiling
    every pattern costs more than the rest of a small scan."""
    files = builtin_rule_files()
    digest = hashlib.sha256(f"{_CACHE_VERSION}|{sys.version_info[:2]}".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    name = f"rules-{digest.hexdigest()[:32]}.json"
    cached = _from_cache(read_entry(name))
    if cached is not None:
        return cached
    rules = load_rule_files(files)
    write_entry(name, json.dumps([_to_json(r) for r in rules]).encode(), prefix="rules-")
    return rules


_CACHE_VERSION = 1


def _to_json(rule: SecretRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "code": rule.code,
        "provider": rule.provider,
        "summary": rule.summary,
        "family": rule.family,
        "family_why": rule.family_why,
        "pattern": rule.pattern,
        "severity": rule.severity.name,
        "keywords": [k.decode("utf-8") for k in rule.keywords],
        "revoke": rule.revoke,
        "references": list(rule.references),
        "examples": list(rule.examples),
        "counter_examples": list(rule.counter_examples),
        "entropy": rule.entropy,
        "allow": [a.pattern for a in rule.allow],
        "confidence": rule.confidence.name,
        "requires": rule.requires,
        "source": rule.source,
        "window": rule.window,
        "doc_example": rule.doc_example,
    }


def _from_cache(raw: bytes | None) -> tuple[SecretRule, ...] | None:
    if raw is None:
        return None
    try:
        return tuple(
            SecretRule(
                id=d["id"],
                code=d["code"],
                provider=d["provider"],
                summary=d["summary"],
                family=d["family"],
                family_why=d["family_why"],
                pattern=d["pattern"],
                severity=Severity[d["severity"]],
                keywords=tuple(k.encode("utf-8") for k in d["keywords"]),
                revoke=d["revoke"],
                references=tuple(d["references"]),
                examples=tuple(d["examples"]),
                counter_examples=tuple(d["counter_examples"]),
                entropy=float(d["entropy"]),
                allow=tuple(lazy(a) for a in d["allow"]),  # validated when the set was cached
                confidence=Confidence[d["confidence"]],
                requires=d["requires"],
                source=d["source"],
                window=int(d["window"]),
                doc_example=d["doc_example"],
            )
            for d in json.loads(raw)
        )
    except (ValueError, KeyError, TypeError, re.error):
        return None


def load_seed_rules() -> tuple[SecretRule, ...]:
    """The engine's own few rules, used by its tests."""
    return load_rule_files([SEED_FILE])


def load_rule_files(paths: Iterable[Path]) -> tuple[SecretRule, ...]:
    rules: list[SecretRule] = []
    for path in paths:
        rules.extend(load_rule_file(path))
    return validate_set(rules, code_range=_CODE_RANGE)


def load_rule_file(path: Path) -> list[SecretRule]:
    name = path.name
    import tomllib  # noqa: PLC0415 - read only when the cached rule set is stale

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleSetError(f"{name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RuleSetError(f"{name}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{name}: invalid TOML: {exc}") from None
    return parse_rule_document(raw, name)


def parse_rule_document(raw: Mapping[str, Any], source: str) -> list[SecretRule]:
    unknown = set(raw) - _FILE_KEYS
    if unknown:
        raise RuleSetError(f"{source}: unknown top-level keys {sorted(unknown)} (allowed: {sorted(_FILE_KEYS)})")
    family = raw.get("family")
    why = raw.get("family_why")
    if not isinstance(family, str) or not _FAMILY_RE.match(family):
        raise RuleSetError(f"{source}: 'family' must be a lowercase name, got {family!r}")
    if not isinstance(why, str) or not why.strip():
        raise RuleSetError(f"{source}: 'family_why' must be a non-empty string")
    tables = raw.get("rule", [])
    if not isinstance(tables, list) or not tables:
        raise RuleSetError(f"{source}: needs at least one [[rule]] table")
    return [parse_rule(t, source, family, why, index) for index, t in enumerate(tables, 1)]


def parse_user_rules(tables: object, source: str) -> tuple[SecretRule, ...]:
    """Rules from ``[[secrets.rules]]`` in redline.toml, reported under ``SEC999``."""
    where = f"{source}: key 'secrets.rules'"
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise RuleSetError(f"{where} must be a list of tables ([[secrets.rules]])")
    rules = []
    for index, table in enumerate(tables, 1):
        t = dict(table)
        if "code" in t:
            raise RuleSetError(f"{where} rule #{index}: 'code' is not allowed; user rules report as {USER_RULE_CODE}")
        t["code"] = USER_RULE_CODE
        t.setdefault("revoke", "Revoke or rotate the credential where it was issued.")
        t.setdefault("references", [])
        t.setdefault("examples", [])
        rules.append(
            parse_rule(
                t,
                f"{source} (secrets.rules)",
                "user",
                "A credential in the repository is readable by everyone with access to it, "
                "its forks, clones and backups, for as long as the history exists.",
                index,
            )
        )
    return validate_set(rules, code_range=None)


def parse_rule(t: object, source: str, family: str, why: str, index: int) -> SecretRule:
    if not isinstance(t, dict):
        raise RuleSetError(f"{source}: rule #{index} is not a table")
    rid = t.get("id")
    where = f"{source}: rule {rid!r}" if isinstance(rid, str) else f"{source}: rule #{index}"
    _check_keys(t, where)
    rid = str(t["id"])
    if not NAME_RE.match(rid):
        raise RuleSetError(f"{where}: id must be kebab-case")
    code = str(t.get("code", ""))
    if not CODE_RE.match(code) or not code.startswith("SEC"):
        raise RuleSetError(f"{where}: code {code!r} must look like SEC101")
    for key in ("provider", "summary", "revoke"):
        if not str(t[key]).strip():
            raise RuleSetError(f"{where}: {key!r} is empty")
    severity, confidence = _levels(t, where)
    keywords = _keywords(t, where)
    try:
        regex, window = check_pattern(str(t["pattern"]))
    except PatternError as exc:
        raise RuleSetError(f"{where}: pattern {exc}") from None
    allow = _allow_patterns(t, where)
    entropy = float(t.get("entropy", 0.0))
    if not 0.0 <= entropy <= 8.0:
        raise RuleSetError(f"{where}: entropy must be between 0 and 8 bits per character")
    rule = SecretRule(
        id=rid,
        code=code,
        provider=str(t["provider"]),
        summary=str(t["summary"]),
        family=family,
        family_why=why,
        pattern=str(t["pattern"]),
        severity=severity,
        keywords=tuple(k.encode("utf-8") for k in keywords),
        revoke=str(t["revoke"]),
        references=tuple(t["references"]),
        examples=tuple(t["examples"]),
        counter_examples=tuple(t.get("counter_examples", [])),
        entropy=entropy,
        allow=tuple(allow),
        confidence=confidence,
        requires=str(t.get("requires", "")),
        source=source,
        window=window,
    )
    rule.__dict__["regex"] = regex  # already compiled by the validation
    object.__setattr__(rule, "doc_example", redacted_example(rule))
    return rule


def _check_keys(t: dict[str, Any], where: str) -> None:
    """Only known keys, each of its type, the required ones present, the lists all strings."""
    for key, value in t.items():
        if key not in _RULE_KEYS:
            raise RuleSetError(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(_RULE_KEYS))})")
        expected: type | tuple[type, ...] = _RULE_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise RuleSetError(f"{where}: key {key!r} has the wrong type ({type(value).__name__})")
    for key in _REQUIRED:
        if key not in t:
            raise RuleSetError(f"{where}: missing key {key!r}")
    for key in ("keywords", "allow", "references", "examples", "counter_examples"):
        if not all(isinstance(v, str) for v in t.get(key, [])):
            raise RuleSetError(f"{where}: {key!r} must be a list of strings")


def _levels(t: dict[str, Any], where: str) -> tuple[Severity, Confidence]:
    try:
        return Severity.parse(str(t["severity"])), Confidence[str(t.get("confidence", "high")).upper()]
    except (ValueError, KeyError) as exc:
        raise RuleSetError(f"{where}: {exc}") from None


def _keywords(t: dict[str, Any], where: str) -> tuple[str, ...]:
    """The prefilter literals: lowercase, because the scanner matches them against lowercased text."""
    keywords = tuple(str(k) for k in t.get("keywords", []))
    for kw in keywords:
        if not kw or kw != kw.lower():
            raise RuleSetError(f"{where}: keyword {kw!r} must be a non-empty lowercase literal")
    return keywords


def _allow_patterns(t: dict[str, Any], where: str) -> list[LazyPattern[str]]:
    allow = []
    for item in t.get("allow", []):
        pattern = lazy(item)
        try:
            pattern.compiled  # noqa: B018 - a rule file is validated when it is read
            allow.append(pattern)
        except re.error as exc:
            raise RuleSetError(f"{where}: allow pattern {item!r} is invalid: {exc}") from None
    return allow


def validate_set(rules: Sequence[SecretRule], *, code_range: tuple[int, int] | None) -> tuple[SecretRule, ...]:
    by_id: dict[str, SecretRule] = {}
    by_code: dict[str, SecretRule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise RuleSetError(f"{rule.where}: id is also used in {by_id[rule.id].source}")
        by_id[rule.id] = rule
        if code_range is not None:
            number = int(rule.code[3:])
            if not code_range[0] <= number <= code_range[1]:
                raise RuleSetError(f"{rule.where}: code {rule.code} is outside SEC{code_range[0]}..SEC{code_range[1]}")
            if rule.code in by_code:
                raise RuleSetError(
                    f"{rule.where}: code {rule.code} is also used by rule {by_code[rule.code].id!r} "
                    f"({by_code[rule.code].source})"
                )
            by_code[rule.code] = rule
    for rule in rules:
        if rule.requires and rule.requires not in by_id:
            raise RuleSetError(f"{rule.where}: requires unknown rule {rule.requires!r}")
        if rule.requires == rule.id:
            raise RuleSetError(f"{rule.where}: requires itself")
        if not rule.core_rule().doc.why_bad.strip():
            raise RuleSetError(f"{rule.where}: empty family_why")
    return tuple(sorted(rules, key=lambda r: (r.code, r.id)))
