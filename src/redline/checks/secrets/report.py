"""Turning a secret into a finding: redacted snippet, salted hash, remediation.

Everything that leaves the scanner goes through here, so this is the one place
that must never let the raw secret through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from redline.checks.interface import Check
from redline.checks.secrets.checksum import real_anyway
from redline.checks.secrets.engine import Span
from redline.checks.secrets.redact import redact, secret_hash
from redline.core.context import (
    CI_SERVICE,
    CONTEXT_TAG,
    DEVELOPMENT,
    in_test_or_sample,
    is_in_context,
    lower_in_context,
)
from redline.core.evidence import EvidenceInput
from redline.core.model import Confidence, Factor, Finding, Location, PriorityFactors, Severity
from redline.core.rules import Rule

if TYPE_CHECKING:
    from redline.checks.secrets.verify import Status

SNIPPET_MAX = 160
PURGE = (
    "Then remove it from the code (read it from the environment or a secret store) and purge it from "
    "history: `git filter-repo --replace-text replacements.txt` where each line of replacements.txt is "
    "`<the secret>==>REMOVED`, force-push every branch and tag, and have collaborators re-clone. Purging "
    "does not un-leak it: forks, clones and CI caches keep it, so revoking is what protects you."
)
ALLOWLISTED = "in the [secrets] allowlist"
#: the tag that puts a finding in the reporters' "tests, docs, samples and development files" section
SAMPLE_TAG = CONTEXT_TAG


def in_sample_context(finding: Finding, gate_samples: bool) -> Finding:
    """A secret in tests, docs, examples, fixtures, recorded cassettes and dev/test config: the one context step
    of every family (``core.context``): low, in its own section and, unless ``[secrets] gate_samples`` says
    otherwise, never failing the gate. The scanner already lowered the match's confidence."""
    if not in_test_or_sample(finding.location.path):
        return finding
    return lower_in_context(finding, gate=gate_samples, confidence_lowered=True)


#: why a default data-store credential for this machine's own database takes the context step
LOCAL_DEFAULT = "default credential for a database on this machine (local development)"
#: why a keyword match inside a Markdown code block of a file that is not Markdown takes it: the example of a
#: setting's description (nautobot's settings.yaml ``details: |-`` shows ``NAPALM_ARGS = {'api_key': …}``)
DOCS_EXAMPLE = "an example in a Markdown code block of documentation text"
#: why a value a CI job hands the application it tests, under a key that names the test run, takes it (vikunja's
#: ``VEANS_E2E_TESTING_TOKEN: averyLongSecretToSe33dtheDB`` for its end-to-end suite)
CI_TEST_RUN = "a value a CI job hands the application it tests (the key names the test run)"
#: why a value inside a string the program names as an example takes it (``example_constant``)
EXAMPLE_CONSTANT = "a value inside a string the program names as an example (EXAMPLE_CONFIG_FILE = ...)"
#: what the finding's message adds for each of those reasons
_NOTES = {
    LOCAL_DEFAULT: "a local development default",
    CI_SERVICE: "a CI job's own data store",
    DOCS_EXAMPLE: "an example in documentation text",
    CI_TEST_RUN: "a CI job's test-run value",
    EXAMPLE_CONSTANT: "in a string the program names as an example",
}


def context_note(why: str) -> str:
    """The words the message adds for a context reason of the secrets family."""
    return _NOTES.get(why, "in a development file")


def in_development_file(
    finding: Finding, gate_samples: bool, why: str = DEVELOPMENT, note: str = "in a development compose file"
) -> Finding:
    """A secret in a development compose file not named like one, or a local-development default: the same
    context step as a sample, in the samples' item of its value (never hiding the value's places in code)."""
    if is_in_context(finding):
        return finding
    lowered = lower_in_context(finding, why, gate=gate_samples)
    return replace(
        lowered,
        message=f"{finding.message} ({note})",
        group=finding.group.replace("secret:code:", "secret:sample:", 1),
    )


def remediation(revoke: str) -> str:
    return f"Revoke or rotate it first: {revoke.strip()} {PURGE}"


def redacted_line(data: bytes, offset: int, spans: Sequence[Span]) -> str:
    """The line holding ``offset`` with every candidate secret on it redacted, trimmed to a short snippet."""
    begin = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    end = len(data) if end < 0 else end
    parts: list[str] = []
    pos = begin
    for span in sorted(spans, key=lambda s: s.start):
        if span.end <= begin or span.start >= end or span.start < pos:
            continue
        parts.append(data[pos : span.start].decode("utf-8", "replace"))
        parts.append(redact(span.secret))
        pos = max(pos, span.end)
    if pos < end:
        parts.append(data[pos:end].decode("utf-8", "replace"))
    text = "".join(parts).strip()
    return text if len(text) <= SNIPPET_MAX else text[: SNIPPET_MAX - 1] + "…"


def secret_finding(
    check: Check,
    rule: Rule,
    *,
    path: str,
    secret: str,
    salt: str,
    what: str,
    revoke: str,
    line: int = 0,
    column: int = 0,
    end_line: int = 0,
    snippet: str = "",
    resource: str = "",
    confidence: Confidence = Confidence.HIGH,
    severity: Severity | None = None,
    identity_prefix: str = "",
    evidence: EvidenceInput | None = None,
    allowlist: frozenset[str] = frozenset(),
    gate_samples: bool = False,
    verified: Status | None = None,
) -> Finding:
    """``verified``: the provider's answer to ``--verify`` (None when not asked)."""
    digest = secret_hash(secret, salt)
    shown = redact(secret)
    in_sample = in_test_or_sample(path)
    # a test folder does not make an issued token a sample: a valid built-in checksum or a live --verify answer
    # keeps it in the main list, at its rule's severity, and gating
    real = real_anyway(secret, verified) if in_sample else ""
    if real:
        in_sample = False
        confidence = Confidence.HIGH  # the scanner lowered it for the path; the checksum or the provider outweighs that
        what = f"{what} (in a test, docs or sample file, but {real.split(':')[0]})"
        evidence = {**(evidence or {}), "real_in_context": real}
    elif in_sample:
        what = f"{what} (in a test, docs or sample file)"
    finding = check.finding(
        rule,
        f"{what}: {shown}",
        Location(path, line, end_line or line, column, 0, snippet or shown, resource),
        severity=severity,
        confidence=confidence,
        evidence={"secret": shown, "secret_hash": f"hmac-sha256:{digest}", **(evidence or {})},
        remediation=remediation(revoke),
        effort="hours",
        priority=PriorityFactors(
            user_impact=Factor(4, "a leaked credential grants whatever its owner can reach"),
            exploitability=Factor(5, "usable by anyone who can read it, no skill needed")
            if confidence == Confidence.HIGH
            else Factor(4, "likely a credential (medium confidence), usable by anyone who can read it"),
            cost_of_delay=Factor(5, "stays usable until rotated; every copy and clone keeps it"),
        ),
        identity=f"{identity_prefix}{digest}",
    )
    # one value is one credential to rotate, however many files repeat it (a test token pasted into eight
    # tests, a default password in compose, Kubernetes and the code): one item, every place. Copies in tests,
    # docs and samples are an item of their own, so the real place is never hidden among them.
    if in_sample:
        finding = in_sample_context(finding, gate_samples)
    where = "sample" if in_sample else "code"
    finding = replace(finding, group=f"secret:{where}:{identity_prefix}{digest}")
    if finding.fingerprint in allowlist:
        finding = replace(finding, suppressed=ALLOWLISTED)
    return finding
