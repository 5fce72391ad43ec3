"""Kubernetes rules, checkov style: each fixture holds failing and passing objects and
the test names the exact (rule, path, line, resource, container) set that fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from redline.sources.containers.kubernetes import parse_manifest

from .helpers import FIXTURES, run, summary

KUBE = FIXTURES / "kube"

#: (line of the offending key — or of the container entry where a missing block belongs —, resource,
#: containers): one finding per rule and problem per workload, naming every container it concerns
EXPECTED: dict[str, set[tuple[int, str, str]]] = {
    # Deployment/shop/no-context has no securityContext at all: KUB116 reports it once (see below)
    "KUB101": {(29, "StatefulSet/shop/uid-zero", "app"), (40, "CronJob/shop/nightly", "migrate")},
    "KUB102": {(10, "Deployment/ops/priv", "app")},
    "KUB103": {(8, "Deployment/ops/esc", "unset,explicit-true")},
    "KUB104": {(8, "Deployment/ops/caps", "none,drop-some")},
    "KUB105": {(10, "Deployment/ops/addcaps", "admin"), (16, "Deployment/ops/addcaps", "ptrace")},
    "KUB106": {(15, "Deployment/ops/seccomp", "unconfined"), (22, "Pod/ops/unset", "app")},
    "KUB107": {(8, "Deployment/ops/rootfs", "writable,explicit-false")},
    "KUB108": {(7, "DaemonSet/kube-system/node-agent", ""), (8, "DaemonSet/kube-system/node-agent", "")},
    "KUB109": {(11, "DaemonSet/ops/logs", "")},
    "KUB110": {
        (11, "Deployment/ci/ci-runner", ""),
        (13, "Deployment/ci/ci-runner", ""),
        (15, "Deployment/ci/ci-runner", ""),
    },
    "KUB111": {
        (8, "Deployment/web/images", "init-latest"),
        (10, "Deployment/web/images", "untagged"),
        (11, "Deployment/web/images", "latest"),
        (12, "Deployment/web/images", "port-no-tag"),
    },
    "KUB112": {(11, "Deployment/web/env", "app"), (12, "Deployment/web/env", "app"), (13, "Deployment/web/env", "app")},
    "KUB113": {(10, "Deployment/web/probes", "none")},
    "KUB114": {(10, "Deployment/web/res", "none,empty"), (13, "Deployment/web/res", "requests-only")},
    "KUB115": {
        (17, "Deployment/ops/baseline", "host-port"),
        (20, "Deployment/ops/baseline", "unmasked"),
        (21, "Deployment/ops/baseline", "legacy-apparmor,apparmor-field"),
        (31, "Deployment/ops/baseline", "selinux-custom"),
        (41, "Pod/ops/sysctl", ""),
    },
    "KUB120": {
        (5, "Service/web/public-lb", ""),
        (30, "Service/web/open-ranged-lb", ""),
        (38, "Service/web/nodeport", ""),
    },  # spec.type
    "KUB130": {(5, "ClusterRole/god-mode", ""), (16, "Role/shop/reader", "")},  # the offending rule entry
    "KUB131": {(4, "ClusterRoleBinding/deployer-admin", ""), (12, "RoleBinding/ci/all-sas", "")},  # roleRef name
}

#: how many findings (not distinct resources) each fixture yields
COUNTS: dict[str, int] = {}


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


def test_locations_point_at_the_offending_key(per_rule: dict[str, list]) -> None:  # type: ignore[type-arg]
    uid0 = next(f for f in per_rule["KUB101"] if f.location.resource == "StatefulSet/shop/uid-zero")
    assert (uid0.location.start_line, uid0.location.end_line) == (29, 29)  # securityContext: {runAsUser: 0}
    assert str(uid0.severity) == "high" and "UID 0" in uid0.message
    assert all(f.remediation for findings in per_rule.values() for f in findings)


def test_one_missing_security_context_is_one_finding_per_workload(tmp_path: Path) -> None:
    shutil.copy(KUBE / "KUB101.yaml", tmp_path / "KUB101.yaml")
    findings = [f for f in run(tmp_path, "KUB1") if f.rule < "KUB120"]  # pod rules only
    no_context = [f for f in findings if f.location.resource == "Deployment/shop/no-context"]
    assert [(f.rule, f.location.start_line) for f in no_context] == [("KUB113", 9), ("KUB114", 9), ("KUB116", 9)]
    only = no_context[-1]
    assert (
        "runAsNonRoot, allowPrivilegeEscalation, capabilities, seccompProfile, readOnlyRootFilesystem" in only.message
    )
    assert "allowPrivilegeEscalation: false" in only.remediation and "drop: [ALL]" in only.remediation
    # a partial context keeps the precise rules: the StatefulSet gets KUB101 (UID 0), never KUB116
    assert not any(f.rule == "KUB116" and "uid-zero" in f.location.resource for f in findings)


def test_secret_env_names_only_the_variables(per_rule: dict[str, list]) -> None:  # type: ignore[type-arg]
    names = sorted(dict(f.evidence)["variable"] for f in per_rule["KUB112"])
    assert names == ["DB_PASSWORD", "GITHUB_TOKEN", "STRIPE_API_KEY"]
    assert all("not-a-real-one" not in f.message and "placeholder" not in f.message for f in per_rule["KUB112"])
    assert len({f.fingerprint for f in per_rule["KUB112"]}) == 3
    # stand-ins (`placeholder`, `GOOGLE_API_KEY_VAL`, `<your-key>`) are not leaked keys: low severity, same fix
    severities = {dict(f.evidence)["variable"]: str(f.severity) for f in per_rule["KUB112"]}
    assert severities == {"DB_PASSWORD": "medium", "GITHUB_TOKEN": "low", "STRIPE_API_KEY": "low"}


CLUSTER_EXPECTED = {
    ("KUB121", "workloads.yaml", 4, "Deployment/shop/single"),  # metadata.namespace
    ("KUB121", "ignored.yaml", 5, "Deployment/batch/annotated"),
    ("KUB132", "workloads.yaml", 21, "Deployment/shop/defaulted"),  # the pod spec, where the account belongs
    ("KUB132", "ignored.yaml", 13, "Deployment/batch/annotated"),
    ("KUB140", "workloads.yaml", 6, "Deployment/shop/single"),  # replicas: 1
    ("KUB140", "workloads.yaml", 17, "Deployment/shop/defaulted"),  # spec: (no replicas field)
    ("KUB140", "ignored.yaml", 9, "Deployment/batch/annotated"),
    ("KUB141", "scaling.yaml", 8, "HorizontalPodAutoscaler/shop/scaled"),  # metrics:
    ("KUB141", "scaling.yaml", 19, "HorizontalPodAutoscaler/shop/spread"),  # targetCPUUtilizationPercentage
    ("KUB142", "scaling.yaml", 5, "HorizontalPodAutoscaler/shop/scaled"),  # scaleTargetRef
    ("KUB143", "scaling.yaml", 47, "PodDisruptionBudget/jobs/worker-frozen"),
    ("KUB143", "scaling.yaml", 55, "PodDisruptionBudget/shop/clustered-all"),
    ("KUB143", "scaling.yaml", 62, "PodDisruptionBudget/shop/single-full"),
    ("KUB144", "workloads.yaml", 28, "Deployment/shop/scaled"),
    ("KUB144", "workloads.yaml", 54, "StatefulSet/shop/clustered"),
}


def test_cluster_rules_across_files() -> None:
    cluster_rules = {"KUB121", "KUB132", "KUB140", "KUB141", "KUB142", "KUB143", "KUB144"}
    findings = [f for f in run(KUBE / "cluster") if f.rule in cluster_rules]
    assert {(f.rule, f.location.path, f.location.start_line, f.location.resource) for f in findings} == CLUSTER_EXPECTED


def test_annotation_suppresses_with_its_reason() -> None:
    findings = {f.rule: f for f in run(KUBE / "cluster") if f.location.resource == "Deployment/batch/annotated"}
    assert findings["KUB140"].suppressed == "batch consumer; a second replica races on the lock"
    assert findings["KUB132"].suppressed == "token needed for leader election"
    assert findings["KUB121"].suppressed is None
    assert findings["KUB116"].suppressed is None


def test_objects_without_namespace_count_as_default(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x:1}]\n"
        "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: d, namespace: default}\n"
        "spec: {podSelector: {}}\n"
    )
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
        "spec:\n  containers: [{name: c, image: x:1}]\n"
    )
    (found,) = run(tmp_path, "KUB121")
    assert (found.location.path, found.location.start_line, found.location.resource) == (
        "namespace.yaml",
        2,
        "Namespace/shop",
    )  # its kind: line, not line 1
