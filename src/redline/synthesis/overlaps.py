"""One credential, one finding: merge what several families report about the same secret.

Two kinds of overlap are merged, and nothing else:

1. A value-based secret finding (``SEC…``, it carries the secret's salted hash) and a
   name-based credential finding of another family on the same variable: ``DKR104``
   (a credential-named ``ENV``/``ARG``) beside ``SEC904`` for that variable, ``KUB112``
   (a credential-named pod ``env`` entry with a literal value) beside any ``SEC…`` finding
   inside that ``env`` entry's lines. The secret finding stays; the other's code is recorded
   in its evidence (``also``). Compose has no name-based credential rule (its
   ``environment`` values are judged by the secret rules alone), so nothing merges there.
2. Secret findings on the same path, with the same secret hash and overlapping lines: the
   most specific stays — a provider rule (it names the credential and says where to revoke
   it), then the file-kind rules ``SEC901`` to ``SEC905``, then the generic rules — and the
   others are recorded in its ``also`` evidence. Equally specific findings all stay.

A finding is merged only into an active (not suppressed) finding and only when it is active
itself, so a suppressed, ignored or unselected counterpart never makes a finding vanish.
The kept finding takes the highest severity of what it absorbed (the gate never loosens), except
that a default credential (SEC907) is not raised by the name-based finding it absorbs (that one cannot
see the value), and the history evidence (introducing commit …) of a merged history finding.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from redline.checks.interface import CheckContext
from redline.checks.secrets.history import HISTORY_KEY, merge_history
from redline.checks.secrets.ruleset import RuleSetError, load_builtin_rules
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.sources.containers.kubernetes import KubeManifest
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

log = logging.getLogger("redline")

ALSO_KEY = "also"
HASH_KEY = "secret_hash"
#: the history scan's evidence, carried over when a history finding is merged into another
HISTORY_KEYS = (HISTORY_KEY, "author", "date", "introduced_path", "present_at_head", "blobs")
#: secret rules tied to a kind of file (dotenv, credential configs, Kubernetes Secret, Dockerfile)
FILE_KIND_RULES = frozenset({"SEC901", "SEC902", "SEC903", "SEC904", "SEC905", "SEC906", "SEC907"})
PROVIDER, FILE_KIND, GENERIC = 0, 1, 2
#: value-based findings that know the value is a well-known default (see checks/secrets/datastore.py)
VALUE_KNOWN_DEFAULT = frozenset({"SEC907"})


@dataclass(frozen=True, slots=True)
class _Span:
    path: str
    first: int
    last: int

    def holds(self, f: Finding) -> bool:
        loc = f.location
        return loc.path == self.path and loc.start_line > 0 and self.first <= loc.start_line <= self.last


class OverlapStep(SynthesisStep):
    name = "merging overlapping credential findings"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        merged = merge_overlaps(merge_history(findings), facts)
        return SynthesisOutput(findings=merged if merged != findings else None)


def merge_overlaps(findings: Sequence[Finding], facts: Facts) -> list[Finding]:
    """The findings with overlaps merged (see the module doc); the input order is kept."""
    absorbed: dict[int, list[Finding]] = defaultdict(list)  # index of the kept finding -> what it took in
    gone: set[int] = set()
    _merge_same_secret(findings, absorbed, gone)
    _merge_name_based(findings, facts, absorbed, gone)
    out = []
    for i, f in enumerate(findings):
        if i in gone:
            continue
        out.append(_absorb(f, absorbed[i]) if absorbed.get(i) else f)
    return out


def _merge_same_secret(findings: Sequence[Finding], absorbed: dict[int, list[Finding]], gone: set[int]) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        digest = _secret_hash(f)
        if digest and _mergeable(f) and f.location.start_line > 0:
            groups[(f.location.path, digest)].append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        kept: list[int] = []
        for i in sorted(members, key=lambda i: _order(findings[i])):
            f = findings[i]
            into = next((k for k in kept if _rank(findings[k]) < _rank(f) and _overlap(findings[k], f)), None)
            if into is None:
                kept.append(i)
            else:
                absorbed[into].append(f)
                gone.add(i)


def _merge_name_based(findings: Sequence[Finding], facts: Facts, absorbed: dict[int, list[Finding]],
                      gone: set[int]) -> None:
    secrets: dict[str, list[int]] = defaultdict(list)  # by path, most specific first
    for i in sorted((i for i, f in enumerate(findings) if i not in gone and _secret_hash(f) and _mergeable(f)),
                    key=lambda i: _order(findings[i])):
        secrets[findings[i].location.path].append(i)
    if not secrets:
        return
    kube = _KubeEnvLines(facts)
    for i, f in enumerate(findings):
        matcher = _MATCHERS.get(f.rule)
        if matcher is None or i in gone or f.suppressed is not None:
            continue
        # a secret finding speaks for what it already absorbed (SEC904 merged into a provider rule)
        candidates = secrets.get(f.location.path, ())
        into = next((k for k in candidates if any(matcher(f, s, kube) for s in (findings[k], *absorbed.get(k, ())))),
                    None)
        if into is not None:
            absorbed[into].append(f)
            gone.add(i)


def _dockerfile_var(named: Finding, secret: Finding, _kube: _KubeEnvLines) -> bool:
    """DKR104 and the SEC904 finding on the same instruction and variable."""
    span = _Span(named.location.path, named.location.start_line, max(named.location.end_line,
                                                                       named.location.start_line))
    var = _evidence(named, "variable")
    return bool(var) and span.holds(secret) and _evidence(secret, "variable") == var


def _kube_env(named: Finding, secret: Finding, kube: _KubeEnvLines) -> bool:
    """KUB112 and a secret finding inside the lines of that very ``env`` entry."""
    span = kube.span(named)
    return span is not None and span.holds(secret)


_MATCHERS: dict[str, Callable[[Finding, Finding, _KubeEnvLines], bool]] = {
    "DKR104": _dockerfile_var,
    "KUB112": _kube_env,
}


class _KubeEnvLines:
    """Where each pod ``env`` entry sits, looked up from the parsed manifests (never the file)."""

    def __init__(self, facts: Facts) -> None:
        self._facts = facts
        self._by_path: dict[str, list[KubeManifest]] | None = None
        self._spans: dict[Finding, _Span | None] = {}

    def span(self, named: Finding) -> _Span | None:
        if named not in self._spans:
            self._spans[named] = self._find(named)
        return self._spans[named]

    def _find(self, named: Finding) -> _Span | None:
        if self._by_path is None:
            self._by_path = defaultdict(list)
            for m in self._facts.of(KubeManifest):
                self._by_path[m.path].append(m)
        container, var = _evidence(named, "container"), _evidence(named, "variable")
        loc = named.location
        for manifest in self._by_path.get(loc.path, ()):
            for obj in manifest.objects:
                if obj.resource != loc.resource or not loc.start_line <= obj.line <= max(loc.end_line, obj.line):
                    continue
                for c in obj.containers():
                    if c.name == container:
                        found = _env_item(c.body.get("env"), var)
                        if found is not None:
                            return _Span(loc.path, *found)
        return None


def _env_item(env: Any, name: str) -> tuple[int, int] | None:
    for item in env if isinstance(env, list) else []:
        if isinstance(item, Mapping) and item.get("name") == name:
            first = int(getattr(item, "line", 0) or 0)
            last = int(getattr(item, "end_line", 0) or 0)
            return (first, max(first, last)) if first > 0 else None  # no position: no merge
    return None


def _absorb(kept: Finding, others: Iterable[Finding]) -> Finding:
    others = list(others)
    also = set(filter(None, _evidence(kept, ALSO_KEY).split(", ")))
    also.update(o.rule for o in others if o.rule != kept.rule)
    for o in others:
        also.update(filter(None, _evidence(o, ALSO_KEY).split(", ")))
    evidence = [(k, v) for k, v in kept.evidence if k != ALSO_KEY]
    have = {k for k, _ in evidence}
    for o in sorted(others, key=_order):
        for k, v in o.evidence:
            if k in HISTORY_KEYS and k not in have:
                evidence.append((k, v))
                have.add(k)
    evidence.append((ALSO_KEY, ", ".join(sorted(also))))
    # a name-based finding (KUB112, DKR104) cannot tell a product's default password from a chosen one;
    # the value-based verdict "default credential" (SEC907) keeps its own severity
    raising = [o for o in others if not (kept.rule in VALUE_KNOWN_DEFAULT and o.rule in _MATCHERS)]
    severity = max([kept.severity, *(o.severity for o in raising)])
    return replace(kept, evidence=tuple(evidence), severity=severity)


def _order(f: Finding) -> tuple[Any, ...]:
    """Most specific first, then a total, input-order-free order (workers finish in any order)."""
    return (_rank(f), *f.sort_key(), f.fingerprint)


def _mergeable(f: Finding) -> bool:
    """Active, and about the present (a history finding no longer at HEAD describes the past)."""
    return f.suppressed is None and _evidence(f, "present_at_head") != "no"


def _overlap(a: Finding, b: Finding) -> bool:
    la, lb = a.location, b.location
    return la.start_line <= max(lb.end_line, lb.start_line) and lb.start_line <= max(la.end_line, la.start_line)


def _rank(f: Finding) -> int:
    if f.rule in FILE_KIND_RULES:
        return FILE_KIND
    return GENERIC if _families().get(f.rule) == "generic" else PROVIDER


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    """Rule code -> family of the packaged secret rules (user rules, absent here, rank as providers)."""
    try:
        return {r.code: r.family for r in load_builtin_rules()}
    except RuleSetError as exc:  # the secret checks report it; merge nothing by family then
        log.debug("overlaps: secret rules not loaded: %s", exc)
        return {}


def _secret_hash(f: Finding) -> str:
    return _evidence(f, HASH_KEY) if f.rule.startswith("SEC") else ""


def _evidence(f: Finding, key: str) -> str:
    return next((v for k, v in f.evidence if k == key), "")
