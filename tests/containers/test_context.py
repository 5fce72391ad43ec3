"""Context before verdict: known images, shipped stages, orchestrators, test files and root-cause groups."""

from __future__ import annotations

from pathlib import Path

from redline.checks.containers.known_images import lookup, table, unprivileged
from redline.core.filekinds import looks_like_test_or_sample

from .helpers import run


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_known_image_table_has_sources_and_matches_official_names() -> None:
    assert all(row.source.startswith("https://") for row in table())
    assert lookup("docker.io/library/postgres:16")is not None
    assert unprivileged("postgres:16") is not None and unprivileged("postgres:16", entrypoint_overridden=True) is None
    assert unprivileged("grafana/k6:0.52") is not None and unprivileged("nginx:1.27") is None
    assert unprivileged("gcr.io/distroless/static-debian12:nonroot") is not None
    assert unprivileged("gcr.io/distroless/static-debian12") is None
    assert lookup("acme/postgres-exporter:1") is None and lookup("${IMAGE}") is None


def test_test_dev_ci_and_load_generator_paths() -> None:
    for path in ("Dockerfile.dev", "docker-compose.ci.yml", "deploy/app.test.yml", "src/loadgenerator/Dockerfile",
                 "src/load-generator/Dockerfile", "e2e/compose.yaml", "compose.debug.yaml"):
        assert looks_like_test_or_sample(path), path
    for path in ("Dockerfile", "Dockerfile.prod", "docker-compose.yml", "docker-compose.prod.yml",
                 ".github/workflows/ci.yml", "src/devices/Dockerfile"):
        assert not looks_like_test_or_sample(path), path


def test_healthcheck_not_asked_of_images_an_orchestrator_checks(tmp_path: Path) -> None:
    root = _write(tmp_path, {
        # built by skaffold, run by Kubernetes (which ignores HEALTHCHECK and uses probes)
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n"
                         "    - image: shop-frontend\n      context: src/web\n",
        "k8s/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
                        "    spec:\n      containers:\n        - name: web\n          image: shop-frontend\n",
        "src/web/Dockerfile": "FROM node:22-slim\nUSER node\nCMD [\"node\", \"server.js\"]\n",
        # built by compose, which defines a healthcheck
        "docker-compose.yml": "services:\n  api:\n    build: ./api\n    healthcheck:\n"
                              "      test: [CMD, /api, health]\n  worker:\n    build: ./worker\n",
        "api/Dockerfile": "FROM debian:12-slim\nUSER 10001\nCMD [\"/api\"]\n",
        # built by compose without any healthcheck: reported (CMP106 names it as well, in the same group)
        "worker/Dockerfile": "FROM debian:12-slim\nUSER 10001\nCMD [\"/worker\"]\n",
        # nobody runs it here: reported
        "tools/Dockerfile": "FROM debian:12-slim\nUSER 10001\nCMD [\"/tool\"]\n",
    })
    got = sorted((f.location.path, f.location.start_line) for f in run(root, "DKR105"))
    assert got == [("tools/Dockerfile", 1), ("worker/Dockerfile", 1)]
