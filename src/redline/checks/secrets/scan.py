"""One blob of bytes in, the secrets it holds out: provider rules plus credential files.

Shared by the working-tree check and the history scan so both judge alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol

from redline.checks.secrets.configfiles import find_config_secrets
from redline.checks.secrets.context import generic_noise_file, names_in_program, public_by_design, translated_label
from redline.checks.secrets.datastore import (
    DatastoreCredential,
    ci_service_key,
    config_format,
    find_datastore_credentials,
)
from redline.checks.secrets.engine import LineIndex, SecretMatch, Span
from redline.checks.secrets.example_constant import in_example_constant
from redline.checks.secrets.extra_rules import (
    COMMITTED_DOTENV,
    CREDENTIALS_CONFIG,
    DATASTORE_CREDENTIAL,
    DEFAULT_DATASTORE_CREDENTIAL,
    USER_RULE,
)
from redline.checks.secrets.filters import context_confidence
from redline.checks.secrets.nested import nested_provider_matches
from redline.checks.secrets.report import (
    CI_TEST_RUN,
    DOCS_EXAMPLE,
    EXAMPLE_CONSTANT,
    LOCAL_DEFAULT,
    redacted_line,
)
from redline.checks.secrets.ruleset import USER_RULE_CODE, SecretRule
from redline.checks.secrets.settings import SecretSettings
from redline.checks.secrets.structure import KeyValue, key_values
from redline.core.context import CI_SERVICE
from redline.core.filekinds import CI_PIPELINE, kind_of
from redline.core.lazy_regex import lazy
from redline.core.model import Confidence, Severity
from redline.core.rules import Rule

if TYPE_CHECKING:
    from redline.checks.secrets.verify import Verdict


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
    verdict: Verdict | None = None  # set by --verify
    #: why the value takes the shared context step although its file is not a test or sample ("" when not)
    context: str = ""


#: a secret scanner's own configuration, which lists what the team reviewed as not secret: gitleaks' allow-list of
#: values and paths (pulpcore's ``.gitleaks.toml`` names its CI's "bogus test keys"), its ignore file of finding
#: fingerprints, detect-secrets' baseline of hashes. A value written there is declared, not leaked.
SCANNER_ALLOWLISTS = frozenset({".gitleaks.toml", "gitleaks.toml", ".gitleaksignore", ".secrets.baseline"})


def scan_blob(
    settings: SecretSettings,
    core_rules: dict[str, Rule],
    path: str,
    data: bytes,
    kind: str | None = None,
    *,
    installed: bool = False,
) -> list[FoundSecret]:
    """Provider rules, credential files and data-store credentials; one finding per value, the most
    specific family first: provider rule, then data store, then credential file, then generic rule. ``installed``:
    the file is in a folder packages were installed into (``SourceFile.installed``), read as vendored code is."""
    if PurePosixPath(path).name in SCANNER_ALLOWLISTS:
        return []
    out = settings.scanner.scan_bytes(data, path)
    kind = kind if kind is not None else kind_of(path)
    extra = find_config_secrets(path, kind, data)
    fmt = config_format(path, kind)
    values = list(key_values(fmt, data)) if fmt is not None else []
    # a catalogue's translated label under a key naming a store (overseerr's ``SettingsJobsCache.plex-refresh-token``)
    stores = [c for c in find_datastore_credentials(path, kind, data, values) if not translated_label(path, c.secret)]
    if not out.matches and not extra and not stores and not values:
        return []  # most files: nothing to weigh
    spans = [
        *out.spans,
        *(Span(c.start, c.end, c.secret) for c in extra),
        *(Span(c.start, c.end, c.secret) for c in stores),
    ]
    by_id = settings.scanner.by_id
    matches = [
        m
        for m in settings.scanner.best_per_span(out.matches)
        if not _not_a_leak(by_id[m.rule_id], m.secret, m.byte_start, data, path=path, kind=kind, installed=installed)
    ]
    matches = _with_nested(settings, matches, values, path, data)
    # a connection URL whose password is a default (saleor:saleor, postgres:postgres) is a default credential
    defaults = [c for c in stores if c.default]
    matches = [m for m in matches if by_id[m.rule_id].family != "databases" or not _overlaps(m, defaults)]
    provider = [(m.byte_start, m.byte_end) for m in matches if by_id[m.rule_id].family != "generic"]
    # in a credential file its own rule (SEC901/SEC902) says more, except that a default is a default
    ephemeral = [(c.start, c.end) for c in stores if c.ephemeral]
    stores = [
        c for c in stores if not c.ephemeral and not _overlaps(c, provider) and (c.default or not _overlaps(c, extra))
    ]
    extra = [
        c
        for c in extra
        if not _overlaps(c, provider)
        and not _overlaps(c, stores)
        and not public_by_design(c.secret, _line_at(data, c.start), data)
    ]
    taken = [(c.start, c.end) for c in stores] + [(c.start, c.end) for c in extra] + ephemeral
    matches = [m for m in matches if by_id[m.rule_id].family != "generic" or not _overlaps(m, taken)]
    found = [f for f in (_from_rule(settings, core_rules, m, data, spans) for m in matches) if f is not None]
    fenced = {m.line for m in matches if by_id[m.rule_id].family == "generic" and _in_code_block(data, m.byte_start)}
    found = [replace(f, context=DOCS_EXAMPLE) if f.line in fenced and not f.context else f for f in found]
    test_run = {m.line for m in matches if by_id[m.rule_id].family == "generic" and _for_test_run(m, values, path)}
    found = [replace(f, context=CI_TEST_RUN) if f.line in test_run and not f.context else f for f in found]
    # the key of a service the CI job starts, wherever the file hands it on (the S3 settings pointed at that minio)
    service_keys = {
        m.secret for m in matches if ci_service_key(by_id[m.rule_id].provider, _line_at(data, m.byte_start), path)
    }
    services = {m.line for m in matches if m.secret in service_keys}
    found = [replace(f, context=CI_SERVICE) if f.line in services and not f.context else f for f in found]
    example = {m.line for m in matches if in_example_constant(data, m.byte_start)}
    lines = LineIndex(data).position
    example |= {lines(c.start)[0] for c in stores if in_example_constant(data, c.start)}
    found += [_from_store(c, path, lines(c.start), data, spans) for c in stores]
    found = [replace(f, context=EXAMPLE_CONSTANT) if f.line in example and not f.context else f for f in found]
    rule = COMMITTED_DOTENV if kind == "dotenv" else CREDENTIALS_CONFIG
    for c in extra:
        line, col = lines(c.start)
        found.append(
            FoundSecret(
                rule,
                rule.name,
                f"{c.key} in a committed {PurePosixPath(path).name} file",
                _REVOKE_CONFIG,
                line,
                col,
                line,
                redacted_line(data, c.start, spans),
                context_confidence(Confidence.HIGH, path),
                None,
                "",
                c.secret,
            )
        )
    return found


#: words of a key that name the test run a CI job starts (``VEANS_E2E_TESTING_TOKEN``, ``TEST_API_KEY``)
_TEST_RUN_KEY = lazy(r"(?i)(?:^|[_.-])(?:e2e|tests?|testing|integration)(?:[_.-]|$)")


def _for_test_run(match: SecretMatch, values: list[KeyValue], path: str) -> bool:
    """A value of a CI pipeline whose key names the test run: what the job hands the application it tests."""
    if not CI_PIPELINE.search(path):
        return False
    key = next(
        (v.key for v in values if v.start <= match.byte_start < v.end or match.byte_start <= v.start < match.byte_end),
        None,
    )
    return key is not None and bool(_TEST_RUN_KEY.search(key))


def _from_rule(
    settings: SecretSettings, core_rules: dict[str, Rule], m: SecretMatch, data: bytes, spans: list[Span]
) -> FoundSecret | None:
    srule = settings.scanner.by_id[m.rule_id]
    user = srule.code == USER_RULE_CODE
    rule = USER_RULE if user else core_rules.get(srule.code)
    if rule is None:
        return None
    what = f"{srule.summary} ({srule.provider})" + (f" [rule {srule.id}]" if user else "")
    return FoundSecret(
        rule,
        srule.id,
        what,
        srule.revoke,
        m.line,
        m.column,
        m.end_line,
        redacted_line(data, m.byte_start, spans),
        m.confidence,
        srule.severity if user else None,
        f"{srule.id}:" if user else "",
        m.secret,
    )


def _from_store(
    c: DatastoreCredential, path: str, position: tuple[int, int], data: bytes, spans: list[Span]
) -> FoundSecret:
    rule = DEFAULT_DATASTORE_CREDENTIAL if c.default else DATASTORE_CREDENTIAL
    what = f"{c.store} default password at {c.key}" if c.default else f"{c.store} password at {c.key}"
    line, col = position
    return FoundSecret(
        rule,
        rule.name,
        what,
        _REVOKE_STORE,
        line,
        col,
        line,
        redacted_line(data, c.start, spans),
        context_confidence(Confidence.MEDIUM if c.default else Confidence.HIGH, path),
        None,
        "",
        c.secret,
        # a product default (or the user's own name) for a database on this machine is a local development
        # fallback (`default="postgres://saleor:saleor@localhost/saleor"`), not a credential anyone else can use
        context=LOCAL_DEFAULT if c.default and c.loopback else CI_SERVICE if c.ci_local else "",
    )


def _with_nested(
    settings: SecretSettings, matches: list[SecretMatch], values: list[KeyValue], path: str, data: bytes
) -> list[SecretMatch]:
    """Add provider matches found through the section a value is nested in (``nested``); they beat a
    generic match on the same value."""
    by_id = settings.scanner.by_id
    taken = [(m.byte_start, m.byte_end) for m in matches if by_id[m.rule_id].family != "generic"]
    extra: list[SecretMatch] = []
    lines = LineIndex(data).position
    for n in nested_provider_matches(settings.scanner, values):
        if _overlaps(n, taken):
            continue
        line, col = lines(n.start)
        rule = by_id[n.rule_id]
        extra.append(
            SecretMatch(
                rule.id,
                rule.code,
                n.start,
                n.end,
                line,
                col,
                n.secret,
                context_confidence(rule.confidence, path),
                line,
                n.start,
                n.end,
            )
        )
        taken.append((n.start, n.end))
    if not extra:
        return matches
    kept = [m for m in matches if by_id[m.rule_id].family != "generic" or not _overlaps(m, extra)]
    return sorted([*kept, *extra], key=lambda m: (m.byte_start, m.code))


class _HasSpan(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def _overlaps(item: _HasSpan | SecretMatch, others: Iterable[tuple[int, int] | _HasSpan]) -> bool:
    """Whether ``item``'s bytes overlap any of ``others`` (one value, one finding)."""
    s, e = (item.byte_start, item.byte_end) if isinstance(item, SecretMatch) else (item.start, item.end)
    for other in others:
        o_s, o_e = other if isinstance(other, tuple) else (other.start, other.end)
        if s < o_e and o_s < e:
            return True
    return False


#: a Markdown code fence opening or closing a block (```python, ~~~)
_FENCE = re.compile(rb"(?m)^[ \t]*(?:```|~~~)")


def _in_code_block(data: bytes, offset: int) -> bool:
    """Whether ``offset`` sits between an odd number of Markdown fences: an example in documentation text that a
    YAML/TOML/JSON file carries (a Markdown file is already docs by its name)."""
    return (b"```" in data or b"~~~" in data) and len(_FENCE.findall(data, 0, offset)) % 2 == 1


def _line_at(data: bytes, offset: int) -> bytes:
    begin = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    return data[begin : end if end >= 0 else len(data)]


#: generic rules that still apply in lockfiles and bundles: a password in a URL is never a package name
_GENERIC_KEPT_IN_NOISE = frozenset({"url-credentials"})
#: the generic rules for an unquoted value (YAML, INI, .env and shell assignments)
_UNQUOTED_VALUE = frozenset(
    {"generic-password-yaml", "generic-secret-yaml", "generic-password-env", "generic-secret-env"}
)


def _not_a_leak(
    srule: SecretRule, secret: str, offset: int, data: bytes, *, path: str, kind: str, installed: bool = False
) -> bool:
    """Public-by-design keys anywhere; generic keyword hits in lockfiles, generated bundles and vendored or installed
    code; an unquoted value in a program that is only a variable's name; a translated label in a locale catalogue."""
    line = _line_at(data, offset)
    if public_by_design(secret, line, data):
        return True
    if srule.family != "generic":
        return False
    if (srule.id in _UNQUOTED_VALUE and names_in_program(kind, secret)) or translated_label(path, secret):
        return True
    return srule.id not in _GENERIC_KEPT_IN_NOISE and (installed or generic_noise_file(kind, path, line, data))


_REVOKE_STORE = (
    "Change the password on the data store (ALTER USER …, the provider console), check its logs for "
    "logins you do not recognise, and read it at run time from the environment or a secret store "
    "(compose/Kubernetes secrets, *_PASSWORD_FILE variables)."
)
_REVOKE_CONFIG = "Rotate the credential where it was issued (registry, database, provider console)."
