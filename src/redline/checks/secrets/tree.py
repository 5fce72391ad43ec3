"""Secrets in the working tree: every file the workspace yields, scanned once as bytes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from redline.checks.interface import CheckContext, CheckError, FileCheck
from redline.checks.secrets.extra_rules import EXTRA_RULES
from redline.checks.secrets.redact import secret_hash
from redline.checks.secrets.report import secret_finding
from redline.checks.secrets.ruleset import SECTION, RuleSetError, SecretRule, load_builtin_rules
from redline.checks.secrets.scan import FoundSecret, scan_blob
from redline.checks.secrets.settings import SecretSettings, settings_for
from redline.checks.secrets.verify import Status, Verdict, Verifier, make_verifiers
from redline.checks.secrets.verify.interface import DEFAULT_TIMEOUT
from redline.core.model import Confidence, Finding, Severity
from redline.core.rules import Rule
from redline.core.workspace import FileText

log = logging.getLogger("redline")


def builtin_or_error(rules: tuple[SecretRule, ...] | None) -> tuple[tuple[SecretRule, ...], str]:
    """The packaged rules, or none and the reason (a broken rule file must not stop other checks)."""
    if rules is not None:
        return rules, ""
    try:
        return load_builtin_rules(), ""
    except RuleSetError as exc:
        log.error("secret rules not loaded: %s", exc)
        return (), str(exc)


class SecretsBase:
    """What the tree and history checks share: the rule set and the settings lookup."""

    def __init__(self, rules: tuple[SecretRule, ...] | None = None) -> None:
        self.secret_rules, self.load_error = builtin_or_error(rules)
        self._override = rules
        self._verifiers: list[Verifier] | None = None
        self._verdicts: dict[str, Verdict] = {}
        self.core_rules: dict[str, Rule] = {r.code: r.core_rule() for r in self.secret_rules}
        self.core_rules.update({r.code: r for r in EXTRA_RULES})

    def settings(self, ctx: CheckContext) -> SecretSettings:
        if self.load_error:
            raise CheckError(f"secret rules not loaded: {self.load_error}")
        return settings_for(ctx.config, ctx.root, self._override)

    def verified(self, found: FoundSecret, ctx: CheckContext, settings: SecretSettings) -> FoundSecret:
        """With ``--verify``: ask the provider, record the verdict, adjust confidence and severity."""
        if not ctx.options.get("verify") or not settings.verify_permitted:
            return found
        if self._verifiers is None:
            endpoints = ctx.options.get("verify_endpoints") or {}
            self._verifiers = make_verifiers(endpoints, float(ctx.options.get("verify_timeout") or DEFAULT_TIMEOUT))
        verifier = next((v for v in self._verifiers if v.applies(found.rule_id, found.secret)), None)
        if verifier is None:
            return found
        key = secret_hash(found.secret, settings.salt)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = verifier.verify(found.secret)
            self._verdicts[key] = verdict
        note = f"verified {verdict.status.value}" + (f" ({verdict.detail})" if verdict.detail else "")
        if verdict.status is Status.LIVE:
            return replace(found, what=f"{found.what} [{note}]", confidence=Confidence.HIGH,
                           severity=Severity.CRITICAL, verdict=note)
        if verdict.status is Status.INVALID:
            return replace(found, what=f"{found.what} [{note}]", confidence=Confidence.LOW, verdict=note)
        return replace(found, verdict=note)

    def to_finding(self, check: FileCheck | object, found: FoundSecret, path: str, settings: SecretSettings,
                   evidence: Iterable[tuple[str, str]] = ()) -> Finding:
        assert hasattr(check, "finding")
        if found.verdict:
            evidence = (*evidence, ("verification", found.verdict))
        return secret_finding(
            check,  # type: ignore[arg-type]
            found.rule, path=path, secret=found.secret, salt=settings.salt, what=found.what, revoke=found.revoke,
            line=found.line, column=found.column, end_line=found.end_line, snippet=found.snippet,
            confidence=found.confidence, severity=found.severity, identity_prefix=found.identity_prefix,
            evidence=(("rule_id", found.rule_id), *evidence), allowlist=settings.allowlist,
            gate_samples=settings.gate_samples,
        )


class SecretsFileCheck(SecretsBase, FileCheck):
    name = "secrets"
    fact_types = (FileText,)
    config_sections = (SECTION,)

    def __init__(self, rules: tuple[SecretRule, ...] | None = None) -> None:
        SecretsBase.__init__(self, rules)
        self.rules = tuple(sorted(self.core_rules.values(), key=lambda r: r.code))

    def check_file(self, fact: FileText, ctx: CheckContext) -> Iterable[Finding]:
        if self.load_error:
            return []  # reported once by the project check, not once per file
        settings = self.settings(ctx)
        path = fact.file.path
        return [self.to_finding(self, self.verified(found, ctx, settings), path, settings)
                for found in scan_blob(settings, self.core_rules, path, fact.data, fact.file.kind)]
