"""Context before verdict: known images, shipped stages, orchestrators, test files and root-cause groups."""

from __future__ import annotations

from pathlib import Path

from redline.core.config import Config
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.known_images import lookup, table, unprivileged
from redline.core.workspace import Workspace
from redline.sources.containers.compose import ComposeProject, ComposeSource
from redline.sources.interface import ProjectContext

from .helpers import run


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_known_image_table_has_sources_and_matches_official_names() -> None:
    assert all(row.source.startswith("https://") for row in table())
    assert lookup("docker.io/library/postgres:16") is not None
    assert unprivileged("postgres:16") is not None and unprivileged("postgres:16", entrypoint_overridden=True) is None
    assert unprivileged("grafana/k6:0.52") is not None and unprivileged("nginx:1.27") is None
    assert unprivileged("gcr.io/distroless/static-debian12:nonroot") is not None
    assert unprivileged("gcr.io/distroless/static-debian12") is None
    assert lookup("acme/postgres-exporter:1") is None and lookup("${IMAGE}") is None


def test_test_dev_ci_and_load_generator_paths() -> None:
    for path in (
        "Dockerfile.dev",
        "docker-compose.ci.yml",
        "deploy/app.test.yml",
        "src/loadgenerator/Dockerfile",
        "src/load-generator/Dockerfile",
        "e2e/compose.yaml",
        "compose.debug.yaml",
        "src/frontend/Dockerfile.cypress",
    ):
        assert looks_like_test_or_sample(path), path
    for path in (
        "Dockerfile",
        "Dockerfile.prod",
        "docker-compose.yml",
        "docker-compose.prod.yml",
        ".github/workflows/ci.yml",
        "src/devices/Dockerfile",
    ):
        assert not looks_like_test_or_sample(path), path


def test_healthcheck_not_asked_of_images_an_orchestrator_checks(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            # built by skaffold, run by Kubernetes (which ignores HEALTHCHECK and uses probes)
            "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n"
            "    - image: shop-frontend\n      context: src/web\n",
            "k8s/web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
            "    spec:\n      containers:\n        - name: web\n          image: shop-frontend\n",
            "src/web/Dockerfile": 'FROM node:22-slim\nUSER node\nCMD ["node", "server.js"]\n',
            # built by compose, which defines a healthcheck
            "docker-compose.yml": "services:\n  api:\n    build: ./api\n    healthcheck:\n"
            "      test: [CMD, /api, health]\n  worker:\n    build: ./worker\n",
            "api/Dockerfile": 'FROM debian:12-slim\nUSER 10001\nCMD ["/api"]\n',
            # built by compose without any healthcheck: reported (CMP106 names it as well, in the same group)
            "worker/Dockerfile": 'FROM debian:12-slim\nUSER 10001\nCMD ["/worker"]\n',
            # nobody runs it here: reported
            "tools/Dockerfile": 'FROM debian:12-slim\nUSER 10001\nCMD ["/tool"]\n',
        },
    )
    got = sorted((f.location.path, f.location.start_line) for f in run(root, "DKR105"))
    assert got == [("tools/Dockerfile", 1), ("worker/Dockerfile", 1)]


_DEPLOY = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n"
    "  template:\n    spec:\n      containers:\n        - name: {name}\n          image: {image}\n"
)


def test_hpa_of_another_variant_does_not_scale_the_base(tmp_path: Path) -> None:
    hpa = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 5\n"
        "  maxReplicas: 9\n  metrics: [{type: Pods, pods: {metric: {name: rps}, target: {type: AverageValue, "
        "averageValue: 10}}}]\n"
    )
    root = _write(
        tmp_path,
        {
            "base/web.yaml": _DEPLOY.format(name="web", image="acme/web:1.0"),
            "extras/hpa.yaml": hpa,  # not rendered with base/: the base Deployment still has one replica
            "overlay/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            "resources: [../base, hpa.yaml]\n",
            "overlay/hpa.yaml": hpa,  # rendered with base/ through the overlay's kustomization
        },
    )
    assert [(f.location.path, f.location.start_line) for f in run(root, "KUB140")] == []
    # without the overlay, only the extras/ HPA exists and must not count
    (root / "overlay" / "kustomization.yaml").unlink()
    (root / "overlay" / "hpa.yaml").unlink()
    assert [(f.location.path, f.location.start_line) for f in run(root, "KUB140")] == [("base/web.yaml", 4)]
    assert [f.location.resource for f in run(root, "KUB144")] == []  # no 5 replicas borrowed from extras/


def test_kustomize_base_is_judged_as_rendered(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n"
            "    - image: frontend\n      context: src/frontend\n",
            "base/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            "resources: [frontend.yaml, cart.yaml, api.yaml]\n",
            "base/frontend.yaml": _DEPLOY.format(name="frontend", image="frontend"),  # skaffold placeholder
            "base/cart.yaml": _DEPLOY.format(name="cart", image="cart"),  # nobody replaces it: untagged
            "base/api.yaml": _DEPLOY.format(name="api", image="acme/api:1.0"),
            "components/sa/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
            "patches:\n  - patch: |-\n"
            "      apiVersion: apps/v1\n      kind: Deployment\n      metadata: {name: frontend}\n"
            "      spec:\n        template:\n          spec:\n            serviceAccountName: frontend\n",
        },
    )
    assert [(f.location.path, f.location.start_line) for f in run(root, "KUB111")] == [("base/cart.yaml", 9)]
    assert sorted(f.location.resource for f in run(root, "KUB132")) == ["Deployment/shop/api", "Deployment/shop/cart"]


def test_stateful_workloads_get_durability_not_replica_advice(tmp_path: Path) -> None:
    pg = _DEPLOY.format(name="db", image="postgres:16.4") + (
        "          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]\n"
        "      volumes:\n        - name: data\n          emptyDir: {}\n"
    )
    redis = _DEPLOY.format(name="cache", image="redis:7.4")  # no volume at all
    durable = _DEPLOY.format(name="orders-db", image="postgres:16.4").replace("Deployment", "StatefulSet") + (
        "          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]\n"
        "  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce]}\n"
    )
    custom = _DEPLOY.format(name="legacy-db", image="acme/pg:9") + (
        "          volumeMounts: [{name: d, mountPath: /var/lib/mysql}]\n      volumes: [{name: d, emptyDir: {}}]\n"
    )
    root = _write(
        tmp_path,
        {
            "db.yaml": pg,
            "cache.yaml": redis,
            "orders.yaml": durable,
            "legacy.yaml": custom,
            "web.yaml": _DEPLOY.format(name="web", image="acme/web:1.0"),
        },
    )
    got = sorted((f.location.path, f.location.start_line, f.message.split(": ", 1)[0]) for f in run(root, "KUB145"))
    assert [(p, line) for p, line, _ in got] == [("cache.yaml", 8), ("db.yaml", 10), ("legacy.yaml", 10)]
    assert "emptyDir `data`" in next(f.message for f in run(root, "KUB145") if f.location.path == "db.yaml")
    # replica advice only for the stateless web Deployment
    assert [f.location.path for f in run(root, "KUB140")] == ["web.yaml"]


def test_public_entry_point_is_exposure_to_review(tmp_path: Path) -> None:
    svc = (
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  type: LoadBalancer\n"
        "  ports: [{{port: {port}}}]\n"
    )
    root = _write(
        tmp_path,
        {
            "a.yaml": svc.format(name="frontend-external", port=80),
            "b.yaml": svc.format(name="postgres", port=5432),
            "c.yaml": svc.format(name="web", port=5432),
        },
    )
    got = {
        f.location.path: (f.location.start_line, str(f.severity), "entry point" in f.message)
        for f in run(root, "KUB120")
    }
    assert got == {"a.yaml": (5, "low", True), "b.yaml": (5, "medium", False), "c.yaml": (5, "medium", False)}


def test_copies_of_one_manifest_share_a_group_and_test_workloads_are_lowered(tmp_path: Path) -> None:
    text = _DEPLOY.format(name="checkout", image="acme/checkout:1.0")
    root = _write(
        tmp_path,
        {
            "kustomize/base/checkout.yaml": text,
            "release/all.yaml": "# Source: x\n" + text,
            "k8s/loadgenerator.yaml": _DEPLOY.format(name="loadgenerator", image="acme/lg:1.0"),
        },
    )
    findings = [f for f in run(root, "KUB116")]
    groups = {f.location.path: f.group for f in findings}
    assert (
        groups["kustomize/base/checkout.yaml"]
        == groups["release/all.yaml"]
        == "Deployment/shop/checkout:"
        + "runAsNonRoot,allowPrivilegeEscalation,capabilities,seccompProfile,readOnlyRootFilesystem"
    )
    lg = next(f for f in findings if f.location.path == "k8s/loadgenerator.yaml")
    # the one context step (core.context): never above low, one confidence step lower, listed apart, not gating
    assert str(lg.severity) == "low" and str(lg.confidence) == "medium"
    assert "context:sample" in lg.tags and "gate:exempt" in lg.tags
    assert all(str(f.severity) == "medium" for f in findings if f is not lg)


def test_compose_file_names_stacks_overrides_and_vendored_copies(tmp_path: Path) -> None:
    priv = "services:\n  {name}:\n    image: acme/{name}:1.0\n    privileged: true\n"
    root = _write(
        tmp_path,
        {
            "docker_compose.yml": priv.format(name="underscored"),  # `_` in the name: still compose
            "docker-compose.yml": priv.format(name="base"),
            "docker-stack.yml": "version: '3.8'\nservices:\n  swarm:\n    image: acme/swarm:1.0\n    privileged: true\n"
            "    deploy: {replicas: 3}\n",  # its own deployment, not `-f docker-compose.yml -f ...`
            "only-override/compose.override.yaml": priv.format(name="alone"),  # no base beside it: not audited alone
            "third_party/tool/docker-compose.yml": priv.format(name="vendored"),  # not part of the system
        },
    )
    got = sorted((f.location.path, f.location.start_line, f.location.resource) for f in run(root, "CMP101"))
    assert got == [
        ("docker-compose.yml", 4, "compose/./base"),
        ("docker-stack.yml", 5, "compose/./swarm"),
        ("docker_compose.yml", 4, "compose/./underscored"),
    ]
    files = tuple(Workspace(root, max_file_size=10**7).walk().files)
    out = ComposeSource().collect(ProjectContext(root, Config(), files))
    assert sorted(s.path for s in out.skipped) == [
        "only-override/compose.override.yaml",
        "third_party/tool/docker-compose.yml",
    ]
    stack = next(p for p in out.facts if isinstance(p, ComposeProject) and "docker-stack.yml" in p.files)
    assert stack.files == ("docker-stack.yml",)


def test_runs_as_root_of_one_image_is_one_group_across_families(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "api/Dockerfile": 'FROM python:3.12-slim\nCOPY . /app\nHEALTHCHECK CMD true\nCMD ["python", "main.py"]\n',
            "docker-compose.yml": "services:\n  api:\n    build: ./api\n  db:\n    image: postgres:16.4\n"
            "  web:\n    image: nginx:1.27\n",
            "k8s/api.yaml": _DEPLOY.format(name="api", image="registry.example.com/shop/api:1.0")
            + "          securityContext: {allowPrivilegeEscalation: false}\n",
        },
    )
    groups = {
        (f.rule, f.location.resource or f.location.path): f.group
        for f in run(root)
        if f.rule in ("DKR101", "CMP103", "KUB101")
    }
    assert (
        groups[("DKR101", "api/Dockerfile")]
        == groups[("CMP103", "compose/./api")]
        == groups[("KUB101", "Deployment/shop/api")]
        == "cause:runs-as-root:api"
    )
    # postgres drops root in its entrypoint: no CMP103 for db; nginx's master stays root: reported, with the fix
    cmp = [f for f in run(root, "CMP103")]
    assert sorted(f.location.resource for f in cmp) == ["compose/./api", "compose/./web"]
    assert "nginx-unprivileged" in next(f.message for f in cmp if f.location.resource.endswith("web"))


def test_dev_containers_jobs_and_dependencies_decide_compose_resilience_advice(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            # a live-reload dev environment: limits and health are not its concern, root is reported low
            "live/docker-compose.yml": "services:\n  web:\n    build: ./web\n    volumes: ['./web:/usr/src/app']\n"
            "  api:\n    build: {context: ./api, target: dev}\n  db:\n    image: postgres:16.4\n",
            "prod/docker-compose.yml": "services:\n"
            "  worker:\n    build: ./worker\n    depends_on: [db, cache]\n"  # a real service: limits and health
            '  seed:\n    build: ./seed\n    restart: "no"\n'  # a one-shot job
            "  db:\n    image: postgres:16.4\n    mem_limit: 1g\n"  # others wait for it
            "  cache:\n    image: redis:7.4\n    mem_limit: 256m\n    healthcheck: {test: [CMD, redis-cli, ping]}\n"
            "  mail:\n    image: mailhog/mailhog:v1.0.1\n    mem_limit: 64m\n",  # nobody waits for it
            **{
                f"{d}/Dockerfile": 'FROM debian:12-slim\nUSER 10001\nCMD ["/app"]\n'
                for d in ("live/web", "live/api", "prod/worker", "prod/seed")
            },
        },
    )
    assert sorted(f.location.resource for f in run(root, "CMP105")) == ["compose/prod/worker"]
    # db: others wait for it; worker: nothing waits on its health (compose restarts on exit, not on ill health)
    assert sorted(f.location.resource for f in run(root, "CMP106")) == ["compose/prod/db"]
    # seed's job needs no healthcheck; the dev images are still asked (the Dockerfile is not dev-only)
    dkr = sorted(f.location.path for f in run(root, "DKR105"))
    assert dkr == ["live/api/Dockerfile", "live/web/Dockerfile", "prod/worker/Dockerfile"]
    same = {f.group for f in run(root) if f.rule == "DKR105" and "worker" in f.location.path}
    assert same == {"cause:healthcheck:prod/worker/Dockerfile"}


def test_image_only_compose_services_are_judged_only_on_what_is_known(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "docker-compose.yml": "services:\n"
            "  app:\n    image: acme/app:1.0\n    mem_limit: 1g\n    depends_on: [db, tracing, cache]\n"
            "  db:\n    image: postgres:16.4\n    mem_limit: 1g\n"  # data store others wait for: healthcheck asked
            "  tracing:\n    image: jaegertracing/all-in-one:1.60\n    mem_limit: 1g\n"  # not a data store
            "  cache:\n    image: acme/cache:2\n    mem_limit: 1g\n"  # unknown image: neither root nor health guessed
            "  web:\n    image: nginx:1.27\n    mem_limit: 64m\n"
        },
    )  # known to keep root
    assert sorted(f.location.resource for f in run(root, "CMP106")) == ["compose/./db"]
    assert sorted(f.location.resource for f in run(root, "CMP103")) == ["compose/./web"]


def test_a_service_an_ingress_routes_to_is_an_entry_point(tmp_path: Path) -> None:
    svc = (
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  type: LoadBalancer\n"
        "  ports: [{{port: 8080}}]\n"
    )
    ingress = (
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: edge, namespace: shop}\nspec:\n"
        "  rules:\n    - http:\n        paths:\n          - path: /\n            pathType: Prefix\n"
        "            backend: {service: {name: checkout, port: {number: 8080}}}\n"
    )
    root = _write(
        tmp_path,
        {
            "app/checkout.yaml": svc.format(name="checkout"),
            "app/ingress.yaml": ingress,
            "app/orders.yaml": svc.format(name="orders"),
            "other/ingress.yaml": ingress.replace("checkout", "orders"),
        },
    )  # another variant
    got = {f.location.resource: str(f.severity) for f in run(root, "KUB120")}
    assert got == {"Service/shop/checkout": "low", "Service/shop/orders": "medium"}


def test_compose_build_target_is_the_shipped_stage(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "app/Dockerfile": "FROM python:3.12-slim AS base\nCOPY . /app\n"
            'FROM base AS debug\nRUN pip install debugpy\nCMD ["python", "-m", "debugpy"]\n'
            'FROM base AS prod\nUSER 10001\nCMD ["python", "-m", "app"]\n',
            "docker-compose.yml": "services:\n  prod:\n    build: {context: ./app}\n    mem_limit: 1g\n"
            "  debugging:\n    build: {context: ./app, target: debug}\n    mem_limit: 1g\n",
        },
    )
    got = {f.location.resource: f.message for f in run(root, "CMP103")}
    assert list(got) == ["compose/./debugging"]
    assert "stage `debug` of app/Dockerfile runs as root" in got["compose/./debugging"]


def test_shared_ports_are_a_data_store_only_when_the_service_says_so(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "docker-compose.yml": "services:\n"
            "  portainer:\n    image: portainer/portainer-ce:2.21.0\n    ports: ['9000:9000']\n"  # its web UI
            "  clickhouse:\n    image: clickhouse/clickhouse-server:24.8\n    ports: ['9000:9000']\n"
            "  db:\n    image: acme/pg:16\n    ports: ['5432:5432']\n"
        },
    )  # an unambiguous port
    assert sorted(f.location.resource for f in run(root, "CMP104")) == ["compose/./clickhouse", "compose/./db"]
