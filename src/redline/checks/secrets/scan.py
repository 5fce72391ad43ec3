"""One blob of bytes in, the secrets it holds out: provider rules plus credential files.

Shared by the working-tree check and the history scan so both judge alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from redline.checks.secrets.configfiles import find_config_secrets
from redline.checks.secrets.context import generic_noise_file, public_by_design
from redline.checks.secrets.engine import LineIndex, Span
from redline.checks.secrets.extra_rules import COMMITTED_DOTENV, CREDENTIALS_CONFIG, USER_RULE
from redline.checks.secrets.filters import context_confidence
from redline.checks.secrets.report import redacted_line
from redline.checks.secrets.ruleset import USER_RULE_CODE, SecretRule
from redline.checks.secrets.settings import SecretSettings
from redline.core.filekinds import kind_of
from redline.core.model import Confidence, Severity
from redline.core.rules import Rule


@dataclass(frozen=True, slots=True)
class FoundSecret:
    """A secret in one blob, with everything a finding needs except the secret's display."""

    rule: Rule  # the registry rule it is reported under
    rule_id: str  # the secret rule id (a user rule's own id for SEC999)
    what: str
    revoke: str
    line: int
    column: int
    end_line: int
    snippet: str  # already redacted
    confidence: Confidence
    severity: Severity | None
    identity_prefix: str
    secret: str = field(repr=False)
    verdict: str = ""  # set by --verify


def scan_blob(settings: SecretSettings, core_rules: dict[str, Rule], path: str, data: bytes,
              kind: str | None = None) -> list[FoundSecret]:
    out = settings.scanner.scan_bytes(data, path)
    spans = list(out.spans)
    kind = kind if kind is not None else kind_of(path)
    extra = find_config_secrets(path, kind, data)
    spans += [Span(c.start, c.end, c.secret) for c in extra]
    found: list[FoundSecret] = []
    by_id = settings.scanner.by_id
    matches = settings.scanner.best_per_span(out.matches)
    # a credential file's own rule beats a generic pattern on the same value; a provider rule beats both
    config_values = {c.secret for c in extra}
    provider_values = {m.secret for m in matches if by_id[m.rule_id].family != "generic"}
    matches = [m for m in matches if m.secret not in config_values or m.secret in provider_values]
    matches = [m for m in matches
               if not _not_a_leak(by_id[m.rule_id], m.secret, m.byte_start, data, path=path, kind=kind)]
    extra = [c for c in extra if not public_by_design(c.secret, _line_at(data, c.start), data)]
    for m in matches:
        srule = by_id[m.rule_id]
        user = srule.code == USER_RULE_CODE
        rule = USER_RULE if user else core_rules.get(srule.code)
        if rule is None:
            continue
        what = f"{srule.summary} ({srule.provider})" + (f" [rule {srule.id}]" if user else "")
        found.append(FoundSecret(
            rule, srule.id, what, srule.revoke, m.line, m.column, m.end_line,
            redacted_line(data, m.byte_start, spans), m.confidence, srule.severity if user else None,
            f"{srule.id}:" if user else "", m.secret,
        ))
    if extra:
        lines = LineIndex(data).position
        rule = COMMITTED_DOTENV if kind == "dotenv" else CREDENTIALS_CONFIG
        for c in extra:
            if c.secret in provider_values:
                continue  # a provider rule already reported this value, with a better name
            line, col = lines(c.start)
            found.append(FoundSecret(
                rule, rule.name, f"{c.key} in a committed {PurePosixPath(path).name} file", _REVOKE_CONFIG, line, col,
                line, redacted_line(data, c.start, spans), context_confidence(Confidence.HIGH, path), None, "",
                c.secret,
            ))
    return found


def _line_at(data: bytes, offset: int) -> bytes:
    begin = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    return data[begin : end if end >= 0 else len(data)]


#: generic rules that still apply in lockfiles and bundles: a password in a URL is never a package name
_GENERIC_KEPT_IN_NOISE = frozenset({"url-credentials"})


def _not_a_leak(srule: SecretRule, secret: str, offset: int, data: bytes, *, path: str, kind: str) -> bool:
    """Public-by-design keys anywhere; generic keyword hits in lockfiles and generated bundles."""
    line = _line_at(data, offset)
    if public_by_design(secret, line, data):
        return True
    return srule.family == "generic" and srule.id not in _GENERIC_KEPT_IN_NOISE and generic_noise_file(
        kind, path, line)


_REVOKE_CONFIG = "Rotate the credential where it was issued (registry, database, provider console)."
