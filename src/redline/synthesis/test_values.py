"""A CI pipeline's copy of a credential that a test or development file of the project also holds is the test run's
value, not a leak.

outline's ``.github/workflows/ci.yml`` sets ``SECRET_KEY: F0E5…`` for its test job, the key its committed
``.env.test`` holds: one test key in two places. The secret checks judge each file alone, so the workflow's copy was
a leak and the ``.env.test`` one a sample; seen together, the pipeline's copy takes the same context step (low,
listed apart, not gating, kept in findings.json). A value only the pipeline holds is judged as before, and so is a
copy in any other file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from redline.checks.interface import CheckContext
from redline.core.context import lower_in_context
from redline.core.facts import Facts
from redline.core.filekinds import CI_PIPELINE
from redline.core.model import Finding
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

#: the group prefixes the secret checks give one value's places in code and in tests, docs and samples
_IN_CODE, _IN_SAMPLES = "secret:code:", "secret:sample:"
WHY = "the test run's value: a test or development file of the project holds the same one"


class TestValuesStep(SynthesisStep):
    name = "test-run credentials in CI pipelines"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        lowered = lower_test_values(findings)
        return SynthesisOutput(findings=lowered if lowered != findings else None)


def lower_test_values(findings: Sequence[Finding]) -> list[Finding]:
    """The findings, with each CI pipeline's copy of a value also found in tests, docs or samples lowered."""
    in_samples = {f.group.removeprefix(_IN_SAMPLES) for f in findings if f.group.startswith(_IN_SAMPLES)}
    return [_lowered(f) if _test_value(f, in_samples) else f for f in findings]


def _test_value(finding: Finding, in_samples: set[str]) -> bool:
    return (
        finding.group.startswith(_IN_CODE)
        and finding.group.removeprefix(_IN_CODE) in in_samples
        and bool(CI_PIPELINE.search(finding.location.path))
    )


def _lowered(finding: Finding) -> Finding:
    lowered = lower_in_context(finding, WHY)
    return replace(
        lowered,
        message=f"{finding.message} (the test run's value, also in a test or development file)",
        group=finding.group.replace(_IN_CODE, _IN_SAMPLES, 1),
    )
