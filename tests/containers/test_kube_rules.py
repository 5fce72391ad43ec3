"""Kubernetes rules, checkov style: each fixture holds failing and passing objects and
the test names the exact (rule, path, line, resource, container) set that fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from redline.sources.containers.kubernetes import parse_manifest

from .helpers import FIXTURES, run, summary

KUBE = FIXTURES / "kube"

EXPECTED: dict[str, set[tuple[int, str, str]]] = {
    "KUB101": {(1, "Deployment/shop/no-context", "app"), (19, "StatefulSet/shop/uid-zero", "app"),
               (31, "CronJob/shop/nightly", "migrate")},
    "KUB102": {(1, "Deployment/ops/priv", "app")},
    "KUB103": {(1, "Deployment/ops/esc", "unset"), (1, "Deployment/ops/esc", "explicit-true")},
    "KUB104": {(1, "Deployment/ops/caps", "none"), (1, "Deployment/ops/caps", "drop-some")},
    "KUB105": {(1, "Deployment/ops/addcaps", "admin"), (1, "Deployment/ops/addcaps", "ptrace")},
    "KUB106": {(1, "Deployment/ops/seccomp", "unconfined"), (17, "Pod/ops/unset", "app")},
    "KUB107": {(1, "Deployment/ops/rootfs", "writable"), (1, "Deployment/ops/rootfs", "explicit-false")},
    "KUB108": {(1, "DaemonSet/kube-system/node-agent", "")},
    "KUB109": {(1, "DaemonSet/ops/logs", "")},
    "KUB110": {(1, "Deployment/ci/ci-runner", "")},
    "KUB111": {(1, "Deployment/web/images", c) for c in ("init-latest", "untagged", "latest", "port-no-tag")},
    "KUB112": {(1, "Deployment/web/env", "app")},
    "KUB113": {(1, "Deployment/web/probes", "none")},
    "KUB114": {(1, "Deployment/web/res", c) for c in ("none", "requests-only", "empty")},
    "KUB115": {(1, "Deployment/ops/baseline", c) for c in ("host-port", "unmasked", "legacy-apparmor",
                                                           "apparmor-field", "selinux-custom")}
    | {(36, "Pod/ops/sysctl", "")},
    "KUB120": {(1, "Service/web/public-lb", ""), (26, "Service/web/open-ranged-lb", ""),
               (34, "Service/web/nodeport", "")},
    "KUB130": {(1, "ClusterRole/god-mode", ""), (9, "Role/shop/reader", "")},
    "KUB131": {(1, "ClusterRoleBinding/deployer-admin", ""), (9, "RoleBinding/ci/all-sas", "")},
}

#: how many findings (not distinct resources) each fixture yields: one per offending setting
COUNTS = {"KUB108": 2, "KUB110": 3, "KUB112": 3}


@pytest.fixture(scope="module")
def per_rule(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:  # type: ignore[type-arg]
    out = {}
    for code in EXPECTED:
        root = tmp_path_factory.mktemp(code)
        shutil.copy(KUBE / f"{code}.yaml", root / f"{code}.yaml")
        out[code] = run(root, code)
    return out


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_rule_fails_exactly_the_expected_resources(code: str, per_rule: dict[str, list]) -> None:  # type: ignore[type-arg]
    got = summary(per_rule[code])
    assert got == {(code, f"{code}.yaml", line, res, ctr) for line, res, ctr in EXPECTED[code]}
    assert len(per_rule[code]) == COUNTS.get(code, len(EXPECTED[code]))


def test_locations_span_the_object(per_rule: dict[str, list]) -> None:  # type: ignore[type-arg]
    uid0 = next(f for f in per_rule["KUB101"] if f.location.resource == "StatefulSet/shop/uid-zero")
    assert (uid0.location.start_line, uid0.location.end_line) == (19, 29)
    assert str(uid0.severity) == "high" and "UID 0" in uid0.message


def test_secret_env_names_only_the_variables(per_rule: dict[str, list]) -> None:  # type: ignore[type-arg]
    names = sorted(dict(f.evidence)["variable"] for f in per_rule["KUB112"])
    assert names == ["DB_PASSWORD", "GITHUB_TOKEN", "STRIPE_API_KEY"]
    assert all("not-a-real-one" not in f.message and "placeholder" not in f.message for f in per_rule["KUB112"])
    assert len({f.fingerprint for f in per_rule["KUB112"]}) == 3


CLUSTER_EXPECTED = {
    ("KUB121", "workloads.yaml", 1, "Deployment/shop/single"),
    ("KUB121", "ignored.yaml", 1, "Deployment/batch/annotated"),
    ("KUB132", "workloads.yaml", 14, "Deployment/shop/defaulted"),
    ("KUB132", "ignored.yaml", 1, "Deployment/batch/annotated"),
    ("KUB140", "workloads.yaml", 1, "Deployment/shop/single"),
    ("KUB140", "workloads.yaml", 14, "Deployment/shop/defaulted"),
    ("KUB140", "ignored.yaml", 1, "Deployment/batch/annotated"),
    ("KUB141", "scaling.yaml", 1, "HorizontalPodAutoscaler/shop/scaled"),
    ("KUB141", "scaling.yaml", 12, "HorizontalPodAutoscaler/shop/spread"),
    ("KUB142", "scaling.yaml", 1, "HorizontalPodAutoscaler/shop/scaled"),
    ("KUB143", "scaling.yaml", 43, "PodDisruptionBudget/jobs/worker-frozen"),
    ("KUB143", "scaling.yaml", 51, "PodDisruptionBudget/shop/clustered-all"),
    ("KUB143", "scaling.yaml", 58, "PodDisruptionBudget/shop/single-full"),
    ("KUB144", "workloads.yaml", 24, "Deployment/shop/scaled"),
    ("KUB144", "workloads.yaml", 50, "StatefulSet/shop/clustered"),
}


def test_cluster_rules_across_files() -> None:
    cluster_rules = {"KUB121", "KUB132", "KUB140", "KUB141", "KUB142", "KUB143", "KUB144"}
    findings = [f for f in run(KUBE / "cluster") if f.rule in cluster_rules]
    assert {(f.rule, f.location.path, f.location.start_line, f.location.resource) for f in findings} == \
        CLUSTER_EXPECTED


def test_annotation_suppresses_with_its_reason() -> None:
    findings = {f.rule: f for f in run(KUBE / "cluster") if f.location.resource == "Deployment/batch/annotated"}
    assert findings["KUB140"].suppressed == "batch consumer; a second replica races on the lock"
    assert findings["KUB132"].suppressed == "token needed for leader election"
    assert findings["KUB121"].suppressed is None
    assert findings["KUB101"].suppressed is None


def test_objects_without_namespace_count_as_default(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x:1}]\n"
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, namespace: default}\n"
        "spec: {podSelector: {}}\n")
    assert [f for f in run(tmp_path, "KUB121")] == []


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_fixture_holds_passing_look_alikes(code: str) -> None:
    """checkov's success/ half: each fixture has objects or containers the rule must leave alone."""
    manifest = parse_manifest(f"{code}.yaml", (KUBE / f"{code}.yaml").read_text())
    assert manifest is not None
    units = {(o.resource, c.name) for o in manifest.objects for c in o.containers()}
    units |= {(o.resource, "") for o in manifest.objects}
    failing = {(res, ctr) for _, res, ctr in EXPECTED[code]}
    failing_objects = {res for res, _ in failing}
    passing = {u for u in units if u not in failing and not (u[1] == "" and u[0] in failing_objects)}
    assert passing, f"{code} fixture has no passing example"


def test_kustomize_patches_are_not_judged_as_objects() -> None:
    findings = run(FIXTURES / "kustomize")
    assert {f.location.path for f in findings} == {"base/deployment.yaml"}
    assert "KUB102" in {f.rule for f in findings}


def test_missing_network_policy_is_anchored_at_the_declared_namespace(tmp_path: Path) -> None:
    (tmp_path / "namespace.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    (tmp_path / "app.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n"
        "spec:\n  containers: [{name: c, image: x:1}]\n")
    (found,) = run(tmp_path, "KUB121")
    assert (found.location.path, found.location.start_line, found.location.resource) == \
        ("namespace.yaml", 1, "Namespace/shop")
