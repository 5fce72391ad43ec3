"""The family inside the real pipeline: registration, rule docs, suppression, one pass per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit_helpers import cli_audit, cli_report
from redline.checks.builtin import builtin_checks
from redline.checks.containers import checks
from redline.core.rules import RuleRegistry
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.sources.containers.compose import ComposeSource
from redline.sources.containers.dockerfile import DockerfileSource
from redline.sources.containers.kubernetes import KubernetesSource

PREFIXES = ("KUB", "DKR", "CMP", "RUN")


def test_family_is_registered_and_every_rule_is_documented() -> None:
    rules = [r for c in checks() for r in c.rules]
    assert {r.prefix for r in rules} == set(PREFIXES)
    for r in rules:
        r.validate()
        assert r.doc.references and all(s.strip() for s in r.doc.sections().values())
    registry = RuleRegistry(r for c in builtin_checks() for r in c.rules)
    assert all(r.code in registry for r in rules)
    assert any(isinstance(s, KubernetesSource) for s in builtin_file_sources())
    assert any(isinstance(s, DockerfileSource) for s in builtin_file_sources())
    assert any(isinstance(s, ComposeSource) for s in builtin_project_sources())


def _audit(root: Path, tmp: Path, *extra: str) -> dict[str, Any]:
    out = tmp / "out"
    cli_audit(root, out, "--exit-zero", "--format", "json", *extra)
    report: dict[str, Any] = cli_report(out)
    return report


def test_inline_comment_suppresses_a_whole_kubernetes_object(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "k.yaml").write_text(
        "# redline: ignore[KUB102] node agent needs the host devices, see ADR-7\n"
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: ops}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: a\n          image: acme/agent:1.0\n"
        "          securityContext: {privileged: true}\n"
        "---\n"
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: other, namespace: ops}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: a\n          image: acme/agent:1.0\n"
        "          securityContext:\n"
        "            privileged: true  # redline: ignore[KUB102] inside the object works too\n"
        "---\n"
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: third, namespace: ops}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: a\n          image: acme/agent:1.0\n"
        "          securityContext: {privileged: true}\n"
    )
    report = _audit(root, tmp_path, "--select", "KUB102")
    got = {f["location"]["resource"]: f.get("suppressed") for f in report["findings"]}
    assert got == {
        "DaemonSet/ops/agent": "node agent needs the host devices, see ADR-7",
        "DaemonSet/ops/other": "inside the object works too",
        "DaemonSet/ops/third": None,
    }


def test_annotation_suppression_through_the_pipeline(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: edge\n  annotations:\n"
        "    redline.dev/ignore: KUB120=public ingress gateway behind the CDN\nspec:\n  type: LoadBalancer\n"
    )
    report = _audit(root, tmp_path, "--select", "KUB120")
    assert [(f["rule"], f.get("suppressed")) for f in report["findings"]] == [
        ("KUB120", "public ingress gateway behind the CDN")
    ]


def test_dockerfile_and_compose_in_one_run(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "svc").mkdir(parents=True)
    (root / "svc" / "Dockerfile").write_text('FROM python:3.12-slim\nUSER 1000\nCMD ["gunicorn", "app:app"]\n')
    (root / "docker-compose.yml").write_text(
        "services:\n  svc:\n    build: svc\n    deploy: {resources: {limits: {cpus: '2', memory: 256M}}}\n"
        "  web:\n    image: nginx:1.27\n    user: '101'\n    depends_on: [svc]\n    mem_limit: 64m\n"
    )
    report = _audit(root, tmp_path, "--select", "DKR,DKR105,CMP,RUN")  # DKR105 is opt-in
    got = sorted((f["rule"], f["location"]["path"], f["location"]["start_line"]) for f in report["findings"])
    # the missing healthcheck of the image and of the service built from it: one item, both places
    assert got == [("CMP106", "docker-compose.yml", 2), ("RUN104", "docker-compose.yml", 2)]
    [health] = [f for f in report["findings"] if f["rule"] == "CMP106"]
    assert [(r["path"], r["start_line"]) for r in health["related_locations"]] == [("svc/Dockerfile", 1)]
    assert report["errors"] == []


def test_suppression_above_a_helm_source_header(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "rendered.yaml").write_text(
        "---\n# redline: ignore[KUB120] public API gateway, WAF in front\n"
        "# Source: gateway/templates/service.yaml\napiVersion: v1\nkind: Service\n"
        "metadata: {name: gw, namespace: edge}\nspec:\n  type: LoadBalancer\n"
        "---\n# Source: gateway/templates/debug.yaml\napiVersion: v1\nkind: Service\n"
        "metadata: {name: debug, namespace: edge}\nspec:\n  type: NodePort\n"
    )
    report = _audit(root, tmp_path, "--select", "KUB120")
    got = {f["location"]["resource"]: (f["location"]["start_line"], f.get("suppressed")) for f in report["findings"]}
    # findings point at `type:`; the comment above the object's header still suppresses it
    assert got == {"Service/edge/gw": (8, "public API gateway, WAF in front"), "Service/edge/debug": (15, None)}


def test_suppression_in_a_dockerfile(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "Dockerfile").write_text(
        "FROM golang:1.23 AS build\nRUN go build -o /app .\n"
        "# redline: ignore[DKR101] scratch image, the binary drops privileges itself\n"
        'FROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n'
    )
    report = _audit(root, tmp_path, "--select", "DKR101")
    assert [(f["location"]["start_line"], f.get("suppressed")) for f in report["findings"]] == [
        (4, "scratch image, the binary drops privileges itself")
    ]


def test_a_chart_release_is_listed_as_not_covered(tmp_path: Path) -> None:
    """onedr0p/home-ops runs every workload through Flux HelmReleases: redline renders no chart, so each release
    is named as not covered (its pods were not judged) while a plain Deployment beside it is."""
    root = tmp_path / "repo"
    (root / "apps").mkdir(parents=True)
    (root / "apps" / "helmrelease.yaml").write_text(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: radarr\nspec:\n"
        "  chart:\n    spec:\n      chart: app-template\n  values:\n    controllers:\n      radarr: {}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: web\n          image: nginx:1.27\n"
    )
    report = _audit(root, tmp_path, "--select", "KUB")
    assert [s for s in report["not_covered"] if s["path"].startswith("apps/")] == [
        {
            "path": "apps/helmrelease.yaml:1",
            "reason": "Helm chart release (Flux HelmRelease, k3s HelmChart): its workloads come from the chart, which "
            "redline does not render; render it (helm template with these values) to audit them",
        }
    ]
    assert {f["location"]["path"] for f in report["findings"]} == {"apps/helmrelease.yaml"}
