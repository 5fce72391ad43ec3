"""One credential, one finding: merge what several families report about the same secret.

Two kinds of overlap are merged, and nothing else:

1. A value-based secret finding (``SEC…``, it carries the secret's salted hash) and a
   name-based credential finding of another family on the same variable: ``DKR104``
   (a credential-named ``ENV``/``ARG``) beside ``SEC904`` for that variable, ``KUB112``
   (a credential-named pod ``env`` entry with a literal value) beside any ``SEC…`` finding
   inside that ``env`` entry's lines. The secret finding stays; the other's code is recorded
   in its evidence (``also``). Compose has no name-based credential rule (its
   ``environment`` values are judged by the secret rules alone), so nothing merges there. ``WEB307`` (a
   literal Django/Flask ``SECRET_KEY``) beside a secret finding on the same line merges the same way, and so does
   ``WEB310`` (a secret variable's literal fallback: ``process.env.GITHUB_TOKEN || 'ghp_…'``).
2. Secret findings on the same path, with the same secret hash and overlapping lines: the
   most specific stays — a provider rule (it names the credential and says where to revoke
   it), then the file-kind rules ``SEC901`` to ``SEC905``, then the generic rules — and the
   others are recorded in its ``also`` evidence. Equally specific findings all stay.

Then one value, one judgement: a secret the secrets family found to be the credential of a data store a CI job
runs itself (``core.context.CI_SERVICE``: the job's minio, thrown away with it) is that wherever else the tree holds
the same value (pulpcore's CI scripts start minio with a key pair, and ``template_config.yml``, the plugin template's
CI settings, names the same pair for the tests' S3 storage: one place said low, the other critical). Tied by the
salted hash, for provider-format keys only (a CI database's password may be production's too); only active findings
still in the main list take it, each gating as the CI occurrence does.

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
from typing import Any

from redline.checks.interface import CheckContext
from redline.core.context import CI_SERVICE, is_in_context, lower_in_context
from redline.core.evidence import Evidence, EvidenceValue
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.core.result import GATE_EXEMPT_TAG
from redline.core.rules import RuleRegistry
from redline.sources.containers.kubernetes import KubeManifest
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

log = logging.getLogger("redline")

ALSO_KEY = "also"
HASH_KEY = "secret_hash"
#: the history scan's evidence (the introducing commit first), carried over when a history finding is
#: merged into another
HISTORY_KEYS = ("introduced_in", "author", "date", "introduced_path", "present_at_head", "blobs")
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
        # merged first: a kept finding takes the highest severity of what it absorbs, the CI tie lowers the result
        merged = ci_service_everywhere(merge_overlaps(merge_history(findings), facts, ctx.rules), ctx.rules)
        return SynthesisOutput(findings=merged if merged != findings else None)


def merge_overlaps(findings: Sequence[Finding], facts: Facts, rules: RuleRegistry) -> list[Finding]:
    """The findings with overlaps merged (see the module doc); the input order is kept. ``rules`` says
    which secret rules are generic (the least specific)."""
    spec = _Specificity(frozenset(r.code for r in rules if r.family == "generic"))
    absorbed: dict[int, list[Finding]] = defaultdict(list)  # index of the kept finding -> what it took in
    gone: set[int] = set()
    _merge_same_secret(findings, spec, absorbed, gone)
    _merge_name_based(findings, facts, spec, absorbed, gone)
    out = []
    for i, f in enumerate(findings):
        if i in gone:
            continue
        out.append(_absorb(f, absorbed[i], spec) if absorbed.get(i) else f)
    return out


@dataclass(frozen=True)
class _Specificity:
    """How specific a secret finding's rule is: a provider rule (it names the credential and where to
    revoke it), then the file-kind rules, then the generic ones (user rules rank as providers)."""

    generic: frozenset[str]

    def rank(self, f: Finding) -> int:
        if f.rule in FILE_KIND_RULES:
            return FILE_KIND
        return GENERIC if f.rule in self.generic else PROVIDER

    def order(self, f: Finding) -> tuple[Any, ...]:
        """Most specific first, then a total, input-order-free order (workers finish in any order)."""
        return (self.rank(f), *f.sort_key(), f.fingerprint)


def _merge_same_secret(
    findings: Sequence[Finding], spec: _Specificity, absorbed: dict[int, list[Finding]], gone: set[int]
) -> None:
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(findings):
        digest = _secret_hash(f)
        if digest and _mergeable(f) and f.location.start_line > 0:
            groups[(f.location.path, digest)].append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        kept: list[int] = []
        for i in sorted(members, key=lambda i: spec.order(findings[i])):
            f = findings[i]
            into = next((k for k in kept if spec.rank(findings[k]) < spec.rank(f) and _overlap(findings[k], f)), None)
            if into is None:
                kept.append(i)
            else:
                absorbed[into].append(f)
                gone.add(i)


def _merge_name_based(
    findings: Sequence[Finding], facts: Facts, spec: _Specificity, absorbed: dict[int, list[Finding]], gone: set[int]
) -> None:
    secrets: dict[str, list[int]] = defaultdict(list)  # by path, most specific first
    for i in sorted(
        (i for i, f in enumerate(findings) if i not in gone and _secret_hash(f) and _mergeable(f)),
        key=lambda i: spec.order(findings[i]),
    ):
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
        into = next(
            (k for k in candidates if any(matcher(f, s, kube) for s in (findings[k], *absorbed.get(k, ())))), None
        )
        if into is not None:
            absorbed[into].append(f)
            gone.add(i)


def _dockerfile_var(named: Finding, secret: Finding, _kube: _KubeEnvLines) -> bool:
    """DKR104 and the SEC904 finding on the same instruction and variable."""
    span = _Span(
        named.location.path, named.location.start_line, max(named.location.end_line, named.location.start_line)
    )
    var = named.evidence.text("variable")
    return bool(var) and span.holds(secret) and secret.evidence.text("variable") == var


def _kube_env(named: Finding, secret: Finding, kube: _KubeEnvLines) -> bool:
    """KUB112 and a secret finding inside the lines of that very ``env`` entry."""
    span = kube.span(named)
    return span is not None and span.holds(secret)


def _settings_key(named: Finding, secret: Finding, _kube: _KubeEnvLines) -> bool:
    """WEB307 (a literal ``SECRET_KEY`` in the settings) and the secret finding on the same line: one key to
    rotate (taiga's ``settings/common.py``), not two items."""
    return named.location.path == secret.location.path and _overlap(named, secret)


_MATCHERS: dict[str, Callable[[Finding, Finding, _KubeEnvLines], bool]] = {
    "DKR104": _dockerfile_var,
    "KUB112": _kube_env,
    "WEB307": _settings_key,
    "WEB310": _settings_key,
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
        container, var = named.evidence.text("container"), named.evidence.text("variable")
        loc = named.location
        for manifest in self._by_path.get(loc.path, ()):
            for obj in manifest.objects:
                inside = obj.line <= loc.start_line <= max(obj.end_line, obj.line)  # at a key of the object
                if obj.resource != loc.resource or not (inside or loc.start_line <= obj.line <= loc.end_line):
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


def _absorb(kept: Finding, others: Iterable[Finding], spec: _Specificity) -> Finding:
    others = list(others)
    also = set(kept.evidence.strings(ALSO_KEY))
    also.update(o.rule for o in others if o.rule != kept.rule)
    for o in others:
        also.update(o.evidence.strings(ALSO_KEY))
    evidence: dict[str, EvidenceValue] = {k: v for k, v in kept.evidence.items() if k != ALSO_KEY}
    for o in sorted(others, key=spec.order):
        for k, v in o.evidence.items():
            if k in HISTORY_KEYS:
                evidence.setdefault(k, v)
    evidence[ALSO_KEY] = tuple(sorted(also))
    # a name-based finding (KUB112, DKR104) cannot tell a product's default password from a chosen one;
    # the value-based verdict "default credential" (SEC907) keeps its own severity
    raising = [o for o in others if not (kept.rule in VALUE_KNOWN_DEFAULT and o.rule in _MATCHERS)]
    severity = max([kept.severity, *(o.severity for o in raising)])
    return replace(kept, evidence=Evidence(evidence), severity=severity)


def _mergeable(f: Finding) -> bool:
    """Active, and about the present (a history finding no longer at HEAD describes the past)."""
    return f.suppressed is None and f.evidence.get("present_at_head") is not False


def _overlap(a: Finding, b: Finding) -> bool:
    la, lb = a.location, b.location
    return la.start_line <= max(lb.end_line, lb.start_line) and lb.start_line <= max(la.end_line, la.start_line)


def _secret_hash(f: Finding) -> str:
    return f.evidence.text(HASH_KEY) if f.rule.startswith("SEC") else ""


def merge_history(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per fingerprint when the tree and the history both saw a secret: the history's
    (it knows the introducing commit) at the tree's current location."""
    history = {f.fingerprint: f for f in findings if HISTORY_KEYS[0] in f.evidence}
    if not history:
        return list(findings)
    out: list[Finding] = []
    tree_loc: dict[str, Finding] = {}
    for f in findings:
        fp = f.fingerprint
        if fp in history and history[fp] is not f:
            tree_loc.setdefault(fp, f)
            continue
        out.append(f)
    merged = []
    for f in out:
        tree = tree_loc.get(f.fingerprint) if f is history.get(f.fingerprint) else None
        merged.append(
            f if tree is None else replace(f, location=tree.location, suppressed=f.suppressed or tree.suppressed)
        )
    return merged


def ci_service_everywhere(findings: Sequence[Finding], rules: RuleRegistry) -> list[Finding]:
    """The findings, each secret whose value is elsewhere a CI job's own data store's credential lowered alike.
    Only a provider-format key ties (an AWS-shaped pair a CI job hands its minio is no AWS key anywhere); a
    password does not: the one a CI job's database is started with may be the production database's too."""
    keys = {r.code for r in rules if r.family not in {"", "generic", "databases"}} - FILE_KIND_RULES
    ci_places: dict[str, Finding] = {}
    for f in findings:
        digest = _secret_hash(f)
        if digest and f.rule in keys and f.evidence.text("context") == CI_SERVICE and f.suppressed is None:
            ci_places.setdefault(digest, f)
    if not ci_places:
        return list(findings)
    return [
        _as_ci_service(f, ci_places[d]) if (d := _secret_hash(f)) in ci_places and _in_main_list(f) else f
        for f in findings
    ]


def _in_main_list(f: Finding) -> bool:
    return f.suppressed is None and not is_in_context(f)


def _as_ci_service(f: Finding, ci: Finding) -> Finding:
    lowered = lower_in_context(f, CI_SERVICE, gate=GATE_EXEMPT_TAG not in ci.tags)
    return replace(
        lowered,
        message=f"{f.message} (the value of a CI job's own data store in {ci.location.path})",
        group=f.group.replace("secret:code:", "secret:sample:", 1),
    )
