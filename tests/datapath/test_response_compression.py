"""DAT110 through a real run: an app serving JSON collections with no compression in the app and no proxy
in the repository that compresses fires once, at the app's construction (or Django's MIDDLEWARE); the
framework's compression, an nginx `gzip on`, a Caddy `encode`, or an app with no collections stay quiet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit_helpers import findings_by_place
from redline.checks.datapath.response_compression import ResponseCompressionCheck
from redline.core.model import Finding
from redline.sources.code.ops_signals import scan_text

CASES = Path(__file__).parent / "fixtures" / "compression"

pytestmark = pytest.mark.usefixtures("own_cache")


def _run(root: Path) -> list[Finding]:
    found: list[Finding] = findings_by_place(root, ResponseCompressionCheck())
    return found


@pytest.mark.parametrize(
    ("case", "where"),
    [
        ("fastapi_plain", ("app/main.py", 4)),
        ("flask_app", ("app.py", 3)),
        ("django_drf", ("shop/settings.py", 3)),
        ("express_app", ("server.js", 4)),
    ],
)
def test_apps_serving_collections_uncompressed_fire_at_the_app(case: str, where: tuple[str, int]) -> None:
    (finding,) = _run(CASES / case)
    assert (finding.rule, finding.location.path, finding.location.start_line) == ("DAT110", *where)
    assert "serves JSON collections" in finding.message and "CDN or load balancer" in finding.message
    assert finding.remediation


def test_django_finding_names_the_breach_caveat_and_its_evidence() -> None:
    (finding,) = _run(CASES / "django_drf")
    assert "BREACH" in (finding.remediation or "")
    assert "OrderList (DRF list view)" in str(finding.evidence["collections"])


@pytest.mark.parametrize(
    "case", ["fastapi_gzip", "fastapi_nginx", "fastapi_dicts", "django_gzip", "express_compressed", "fastify_caddy"]
)
def test_compressed_or_list_free_apps_are_quiet(case: str) -> None:
    assert _run(CASES / case) == []


def test_fastify_without_the_caddy_front_fires(tmp_path: Path) -> None:
    shutil.copy(CASES / "fastify_caddy" / "server.js", tmp_path / "server.js")
    (finding,) = _run(tmp_path)
    assert (finding.location.path, finding.location.start_line) == ("server.js", 4)
    assert "@fastify/compress" in (finding.remediation or "")


def test_proxy_signals_are_read_from_their_lines() -> None:
    assert [(s.what, s.line) for s in scan_text("deploy/nginx.conf", "# gzip on;\nserver {\n  gzip on;\n}\n")] == [
        ("nginx gzip on", 3)
    ]
    assert [s.what for s in scan_text("Caddyfile", "x {\n\tencode gzip\n}\n")] == ["Caddy encode"]
    assert scan_text("app.yml", "encode: base64\n") == []  # only in a Caddyfile
    labels = "labels:\n  - traefik.http.middlewares.gz.compress=true\n"
    assert [s.what for s in scan_text("docker-compose.yml", labels)] == ["Traefik compress middleware"]
    assert [s.kind for s in scan_text("Procfile", "worker: celery -A x worker --prefetch-multiplier=1\n")] == [
        "celery-prefetch"
    ]


def test_collections_count_only_for_the_app_whose_folder_serves_them(tmp_path: Path) -> None:
    (tmp_path / "scoring").mkdir()
    (tmp_path / "scoring" / "server.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (tmp_path / "tracking").mkdir()
    shutil.copy(CASES / "flask_app" / "app.py", tmp_path / "tracking" / "app.py")
    (tmp_path / "tracking" / "wrapper.py").write_text("from fastapi import FastAPI\n\nwrapped = FastAPI()\n")
    (finding,) = _run(tmp_path)  # one per folder: the FastAPI wrapper of the Flask app is the same service
    assert (finding.location.path, finding.location.start_line) == ("tracking/app.py", 3)


def test_array_find_is_one_item_not_a_collection(tmp_path: Path) -> None:
    server = (
        "const express = require('express');\n"
        "const app = express();\n"
        "app.get('/me', (req, res) => {\n"
        "  const user = users.find((u) => u.id === req.query.id);\n"
        "  res.json(user);\n"
        "});\n"
    )
    (tmp_path / "server.js").write_text(server)
    assert _run(tmp_path) == []
    (tmp_path / "server.js").write_text(server.replace("users.find((u) => u.id === req.query.id)", "User.find({})"))
    assert [f.location.start_line for f in _run(tmp_path)] == [2]


@pytest.mark.parametrize(
    ("path", "line", "what"),
    [
        ("deploy/nginx.conf", "gzip on;", "nginx gzip on"),
        ("k8s/ingress.yaml", 'nginx.ingress.kubernetes.io/use-gzip: "true"', "ingress-nginx use-gzip"),
        ("Caddyfile", "\tencode gzip", "Caddy encode"),
        ("traefik.yml", "    compress: {}", "Traefik compress middleware"),
        ("haproxy.cfg", "  compression algo gzip", "HAProxy compression"),
        ("apache.conf", "AddOutputFilterByType DEFLATE text/html", "Apache mod_deflate"),
        ("cdn.tf", "  compress = true", "CloudFront compress"),
        ("envoy.yaml", "- name: envoy.filters.http.compressor", "Envoy compressor filter"),
        ("Procfile", "worker: celery worker --prefetch-multiplier=1", "Celery prefetch multiplier"),
        ("proj/celery.py", "task_acks_late = True", "late acknowledgement"),
    ],
)
@pytest.mark.parametrize("at", [0, 1, 3])
def test_each_signal_is_found_on_its_line_wherever_it_is(path: str, line: str, what: str, at: int) -> None:
    """Each pattern is first looked for in the whole file, then line by line: a signal on the first line, between
    other lines (after a commented copy) or on the last line without a newline is found at that line, once."""
    lines = ["x = 1", f"# {line}", "y = 2"]
    lines.insert(at, line)
    text = "\n".join(lines)
    assert [(s.what, s.line) for s in scan_text(path, text)] == [(what, at + 1)]


def test_wagtail_admin_viewsets_are_pages_and_its_api_endpoints_lists(tmp_path: Path) -> None:
    """bakerydemo's CountryModelViewSet (wagtail.admin.viewsets.model.ModelViewSet) was cited as a DRF list view:
    it is a CMS admin HTML page. Its API v2 endpoints do list pages as JSON: they fire, with the admin viewset
    left out of the evidence; with the API module gone the admin viewsets alone stay quiet."""
    shutil.copytree(CASES / "django_wagtail", tmp_path / "repo")
    (finding,) = _run(tmp_path / "repo")
    assert (finding.rule, finding.location.path, finding.location.start_line) == ("DAT110", "site/settings/base.py", 3)
    assert finding.evidence["collections"] == (
        "site/api.py:12 PersonApiViewSet (Wagtail API viewset); "
        "site/api.py:7 api_router.register_endpoint(<Wagtail API endpoint>); "
        "site/api.py:8 api_router.register_endpoint(<Wagtail API endpoint>)"
    )
    (tmp_path / "repo" / "site" / "api.py").unlink()
    assert _run(tmp_path / "repo") == []
