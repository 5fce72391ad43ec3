"""Runtime tuning rules over pod specs, compose services and the Dockerfiles they build."""

from __future__ import annotations

import pytest

from .helpers import FIXTURES, run

RUNTIME = FIXTURES / "runtime"
K8S = "k8s/runtime.yaml"
CMP = "services/compose.yaml"

#: (file, line of the container entry or compose service key, resource, container). Look-alikes that must
#: not fire: tuned JVMs, the `launcher-tuned` script with -XX:+UseG1GC, Node 22 (sizes its heap from the cgroup
#: limit), a node process whose version the images do not tell, workers that fit the CPU limit
EXPECTED = {
    "RUN101": {
        (K8S, 8, "Deployment/rt/java-untuned", "app"),
        (K8S, 25, "Deployment/rt/java-untuned", "heap-only"),
        (K8S, 22, "Deployment/rt/java-untuned", "image-only"),
        (CMP, 2, "compose/services/web", ""),
        (CMP, 6, "compose/services/web-tuned", ""),
        (CMP, 26, "compose/services/launcher", ""),
    },
    "RUN102": {
        (K8S, 102, "Deployment/rt/go", "gogc"),
        (K8S, 110, "Deployment/rt/go", "worker"),
        (CMP, 11, "compose/services/worker", ""),
    },
    "RUN103": {
        (K8S, 37, "Deployment/rt/node", "plain"),
        (K8S, 46, "Deployment/rt/node", "npm"),
        (CMP, 14, "compose/services/node", ""),
    },
    "RUN104": {
        (K8S, 90, "Deployment/rt/python", "default-one"),
        (K8S, 69, "Deployment/rt/python", "too-few"),
        (K8S, 73, "Deployment/rt/python", "too-many"),
        (CMP, 18, "compose/services/api", ""),
    },
}


@pytest.fixture(scope="module")
def findings() -> list:  # type: ignore[type-arg]
    return run(RUNTIME, "RUN")


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_rule_fails_exactly_the_expected_processes(code: str, findings: list) -> None:  # type: ignore[type-arg]
    got = [
        (f.location.path, f.location.start_line, f.location.resource, dict(f.evidence).get("container", ""))
        for f in findings
        if f.rule == code
    ]
    assert sorted(got) == sorted(EXPECTED[code])


def test_messages_explain_the_decision(findings: list) -> None:  # type: ignore[type-arg]
    by = {(f.rule, f.location.resource, dict(f.evidence).get("container", "")): f.message for f in findings}
    assert "SerialGC" in by[("RUN101", "Deployment/rt/java-untuned", "app")]
    tuned = by[("RUN101", "compose/services/web-tuned", "")]
    assert "no heap size" in tuned and "JAVA_OPTS is set, but `java` itself does not read it" in tuned
    assert "2 CPU(s) stay idle" in by[("RUN104", "Deployment/rt/python", "too-few")]
    assert "throttled" in by[("RUN104", "compose/services/api", "")]
    assert "128 MiB" in by[("RUN102", "compose/services/worker", "")]


def test_go_detection_through_the_image_directory_is_medium_confidence(findings: list) -> None:  # type: ignore[type-arg]
    worker = next(f for f in findings if f.rule == "RUN102" and dict(f.evidence).get("container") == "worker")
    assert str(worker.confidence) == "medium"


def test_jvm_started_from_a_script_in_the_build_context(findings: list) -> None:  # type: ignore[type-arg]
    launcher = next(f for f in findings if f.location.resource == "compose/services/launcher")
    assert "started by services/launcher/start.sh:4" in launcher.message and "SerialGC" in launcher.message
    assert all(f.remediation for f in findings)


def test_gomemlimit_fix_is_sized_from_the_limit(findings: list) -> None:  # type: ignore[type-arg]
    """microservices-demo's 128 MiB Go services were told "e.g. 450MiB": the fix names ~90 % of their limit,
    in the form of the file it goes into."""
    fixes = {f.location.resource: f.remediation for f in findings if f.rule == "RUN102"}
    assert fixes["compose/services/worker"] == "environment:\n  GOMEMLIMIT: 115MiB   # ~90% of the 128 MiB limit"
    assert all("450MiB" not in fix for fix in fixes.values())
    assert any(fix.startswith("env:\n  - name: GOMEMLIMIT\n") for fix in fixes.values())
