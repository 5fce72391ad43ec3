"""Secrets in the working tree: every file the workspace yields, scanned once as bytes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from redline.checks.interface import CheckContext, CheckError, FileCheck
from redline.checks.secrets.extra_rules import BLOB_RULES
from redline.checks.secrets.redact import secret_hash
from redline.checks.secrets.report import context_note, in_development_file, secret_finding
from redline.checks.secrets.ruleset import RuleSetError, SecretRule, load_builtin_rules
from redline.checks.secrets.scan import FoundSecret, scan_blob
from redline.checks.secrets.settings import SECTION, SecretSettings, settings_for
from redline.core.evidence import EvidenceInput
from redline.core.model import Confidence, Finding, Severity
from redline.core.rules import Rule
from redline.core.workspace import FileText
from redline.sources.containers.compose_dev import development_compose_text

if TYPE_CHECKING:
    from redline.checks.secrets.verify import Verdict

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
        self.core_rules: dict[str, Rule] = {r.code: r.core_rule() for r in self.secret_rules}
        self.core_rules.update({r.code: r for r in BLOB_RULES})

    def settings(self, ctx: CheckContext) -> SecretSettings:
        if self.load_error:
            raise CheckError(f"secret rules not loaded: {self.load_error}")
        return settings_for(ctx, self._override)

    def verified(self, found: FoundSecret, ctx: CheckContext, settings: SecretSettings) -> FoundSecret:
        """With ``--verify``: ask the provider, record the verdict, adjust confidence and severity."""
        if not ctx.options.get("verify") or not settings.verify_permitted:
            return found
        from redline.checks.secrets.verify import DEFAULT_TIMEOUT, Status, make_verifiers  # noqa: PLC0415

        endpoints = ctx.options.get("verify_endpoints") or {}
        timeout = float(ctx.options.get("verify_timeout") or DEFAULT_TIMEOUT)
        verifiers = ctx.scope.get("secret-verifiers", lambda: make_verifiers(endpoints, timeout))
        verifier = next((v for v in verifiers if v.applies(found.rule_id, found.secret)), None)
        if verifier is None:
            return found
        # one question per secret and run, whichever check (tree, history) found it
        verdicts: dict[str, Verdict] = ctx.scope.get("secret-verdicts", dict)
        key = secret_hash(found.secret, settings.salt)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verifier.verify(found.secret)
            verdicts[key] = verdict
        if verdict.status is Status.LIVE:
            return replace(
                found,
                what=f"{found.what} [{verdict.note}]",
                confidence=Confidence.HIGH,
                severity=Severity.CRITICAL,
                verdict=verdict,
            )
        if verdict.status is Status.INVALID:
            return replace(found, what=f"{found.what} [{verdict.note}]", confidence=Confidence.LOW, verdict=verdict)
        return replace(found, verdict=verdict)

    def to_finding(
        self,
        check: FileCheck | object,
        found: FoundSecret,
        path: str,
        settings: SecretSettings,
        evidence: EvidenceInput | None = None,
    ) -> Finding:
        assert hasattr(check, "finding")
        if found.verdict:
            evidence = {**(evidence or {}), "verification": found.verdict.note}
        finding = secret_finding(
            check,  # type: ignore[arg-type]
            found.rule,
            path=path,
            secret=found.secret,
            salt=settings.salt,
            what=found.what,
            revoke=found.revoke,
            line=found.line,
            column=found.column,
            end_line=found.end_line,
            snippet=found.snippet,
            confidence=found.confidence,
            severity=found.severity,
            identity_prefix=found.identity_prefix,
            evidence={"rule_id": found.rule_id, **(evidence or {})},
            allowlist=settings.allowlist,
            gate_samples=settings.gate_samples,
            verified=found.verdict.status if found.verdict else None,
        )
        if found.context:
            return in_development_file(finding, settings.gate_samples, found.context, context_note(found.context))
        return finding


class SecretsFileCheck(SecretsBase, FileCheck):
    name = "secrets"
    fact_types = (FileText,)
    config_sections = (SECTION,)

    def __init__(self, rules: tuple[SecretRule, ...] | None = None) -> None:
        SecretsBase.__init__(self, rules)
        self.rules = tuple(sorted(self.core_rules.values(), key=lambda r: r.code))

    def prepare(self, ctx: CheckContext) -> None:
        """Build the run's settings and load the scanner's database from the cache before the workers fork
        (they inherit it); compiling it, when no cache has it, is left to ``prepare_later``."""
        self.settings(ctx).scanner_loaded()

    def prepare_later(self, ctx: CheckContext) -> Callable[[], None] | None:
        """The Hyperscan compile (seconds) when no cache had the database: the pipeline runs it while the
        workers parse, then scans the files' text in a second pass."""
        scanner = self.settings(ctx).scanner_loaded()
        return None if scanner.ready else scanner.compile

    def check_file(self, fact: FileText, ctx: CheckContext) -> Iterable[Finding]:
        settings = self.settings(ctx)
        path = fact.file.path
        found = [
            self.to_finding(self, self.verified(hit, ctx, settings), path, settings)
            for hit in scan_blob(
                settings, self.core_rules, path, fact.data, fact.file.kind, installed=fact.file.installed
            )
        ]
        # a compose file that sets up a development container (saleor's .worktree-container, kuma's compose with
        # `--reload` and the source mounted) holds a laptop's credentials, whatever the file is called
        if found and fact.file.kind == "compose" and development_compose_text(fact.text):
            return [in_development_file(f, settings.gate_samples) for f in found]
        return found
