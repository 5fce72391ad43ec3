"""One answer to "is this finding about a test, docs, sample or development file?" and one way to lower it.

Every family (secrets, containers, Terraform, supply chain) used to lower such findings its own way: different
severities, confidences, tags and gate behaviour for the same folder. Here is the one step they all call, so a
``tests/`` folder, a ``.devcontainer`` or an ``examples/complete`` root means the same thing in every report.
"""

from __future__ import annotations

from dataclasses import replace

from redline.core.filekinds import context_kind, looks_like_test_or_sample
from redline.core.model import Confidence, Finding, Severity
from redline.core.result import GATE_EXEMPT_TAG

#: the tag that puts a finding in the reporters' "tests, docs, samples and development files" section
CONTEXT_TAG = "context:sample"
#: the tag that puts an advisory in the reporters' "modules your code does not import" section: the vulnerable
#: package of a required module is imported by no source file the build compiles (govulncheck's default output
#: counts such module-level matches in one line and lists only what the code reaches)
UNREACHED_TAG = "context:unreached"
#: every reason a finding is shown apart from the main list, in the order the reports show their sections
APART_TAGS = (CONTEXT_TAG, UNREACHED_TAG)

#: why a finding was lowered, as its evidence says
TEST_OR_SAMPLE = "test, docs, sample or development file"
DEVELOPMENT = "development environment (live-reload or debug container)"
DRIVER = "load generator or test runner"
#: why a CI job's credential for the data store it runs itself is lowered (``scripts/ci-python``:
#: ``mysql://root:…@mysql``); the secrets family finds it, and the same value elsewhere takes it too
CI_SERVICE = "credential of a data store the CI job runs itself (a service container thrown away with the job)"


def in_test_or_sample(relpath: str) -> bool:
    """The one path classification (``core.filekinds.looks_like_test_or_sample``): tests, fixtures, docs,
    examples, recorded cassettes, dev/test/CI container files and framework dev/test configs."""
    return looks_like_test_or_sample(relpath)


def path_reason(relpath: str) -> str:
    """What the file is, for a lowered finding's evidence ("docs file", "recorded test file"), or ""."""
    kind = context_kind(relpath)
    return f"{kind} file" if kind else ""


def lower_confidence(base: Confidence) -> Confidence:
    """One step lower; never below LOW."""
    return Confidence(max(Confidence.LOW, base - 1))


def lower_in_context(
    finding: Finding,
    why: str = "",
    *,
    gate: bool = False,
    confidence_lowered: bool = False,
    tag: str = CONTEXT_TAG,
) -> Finding:
    """Keep the finding but never above LOW, one confidence step lower (unless the family already lowered it),
    listed in the context section ``tag`` names (one of :data:`APART_TAGS`) and, unless ``gate``, never failing
    the gate. Lowering twice changes nothing. ``why`` defaults to what the finding's file is (:func:`path_reason`)."""
    if apart_tag(finding):
        return finding
    tags = tuple(dict.fromkeys((*finding.tags, tag, *(() if gate else (GATE_EXEMPT_TAG,)))))
    return replace(
        finding,
        severity=min(finding.severity, Severity.LOW),
        confidence=finding.confidence if confidence_lowered else lower_confidence(finding.confidence),
        tags=tags,
        evidence=finding.evidence.with_values({"context": why or path_reason(finding.location.path) or TEST_OR_SAMPLE}),
    )


def apart_tag(finding: Finding) -> str:
    """The :data:`APART_TAGS` entry the finding carries (why the reporters list it apart), or ""."""
    return next((tag for tag in APART_TAGS if tag in finding.tags), "")


def is_in_context(finding: Finding) -> bool:
    """Whether the finding was lowered by :func:`lower_in_context` (reporters list it apart, whatever the reason)."""
    return bool(apart_tag(finding))
