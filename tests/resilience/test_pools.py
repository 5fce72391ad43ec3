"""RES160 (pool budget across code, compose/Kubernetes and PostgreSQL) and RES161 (sync gunicorn workers
for an async app), over real compose and Kubernetes fixture projects; RES163 (urllib3 Retry with no backoff)."""

from __future__ import annotations

from pathlib import Path

import pytest

from database.server import Server
from redline.checks.resilience.appservers import parse_options, read_command, tokens
from redline.checks.resilience.pools import PoolBudgetCheck
from redline.checks.resilience.retry_backoff import RetryBackoffCheck
from redline.core.config import Config
from redline.core.model import Finding
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.sources.postgres import PostgresSource

from .helpers import FIXTURES, lines_by_rule, run_fixture, run_source

POOLS = FIXTURES / "pools"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("REDLINE_POSTGRES_URL", raising=False)


def _audit(root: Path, postgres_url: str | None = None) -> list[Finding]:
    sources = builtin_project_sources()
    if postgres_url:
        sources = [s for s in sources if not isinstance(s, PostgresSource)] + [PostgresSource(postgres_url)]
    result = run_audit(
        AuditRequest(
            root=root,
            config=Config(jobs=1, select=("RES160", "RES161")),
            checks=[PoolBudgetCheck()],
            file_sources=builtin_file_sources(),
            project_sources=sources,
        )
    )
    assert not [e for e in result.errors if e.fatal]
    return sorted(result.findings, key=lambda f: (f.location.path, f.location.start_line))


def _evidence(finding: Finding) -> dict[str, str]:
    return {key: str(value) for key, value in finding.evidence.items()}


def test_overbooked_compose_project_fires_at_the_app_server_with_every_place_cited() -> None:
    (finding,) = _audit(POOLS / "overbooked")
    assert (finding.rule, finding.location.path, finding.location.start_line) == ("RES160", "docker-compose.yml", 4)
    assert finding.message.startswith("compose project . may open 360 PostgreSQL connections, more than the 97 usable")
    assert "(max_connections 100 of compose service db, PostgreSQL's default, nothing sets it, minus 3 reserved)" in (
        finding.message
    )
    evidence = _evidence(finding)
    assert evidence["engine"] == "app/db.py:7 pool_size=20 max_overflow=10"
    assert evidence["compose service api"] == "docker-compose.yml:4; replicas at docker-compose.yml:5"
    assert evidence["max_connections"].startswith("docker-compose.yml:13 (max_connections 100 of compose service db")
    assert finding.remediation


def test_a_pool_that_fits_the_configured_max_connections_is_quiet() -> None:
    assert _audit(POOLS / "fits") == []


def test_kubernetes_workers_from_web_concurrency_times_replicas_against_the_statefulset_limit() -> None:
    (finding,) = _audit(POOLS / "kube")
    assert finding.rule == "RES160"
    assert (finding.location.path, finding.location.start_line) == ("deploy/api.yaml", 20)
    assert finding.location.resource == "Deployment/shop/api"
    assert "may open 180 PostgreSQL connections, more than the 47 usable" in finding.message
    assert "3 workers (WEB_CONCURRENCY) × 4 replica(s)" in finding.message
    evidence = _evidence(finding)
    assert evidence["engine"] == "app/main.py:4 pool_size=5 max_overflow=10"
    assert evidence["Deployment/shop/api"] == "deploy/api.yaml:20; replicas at deploy/api.yaml:7"
    assert evidence["max_connections"].startswith("deploy/db.yaml:20 (max_connections 50 ")


def test_the_database_snapshot_overrides_the_compose_command_line(pg_server: Server) -> None:
    """The throwaway server runs with max_connections = 40: the pool that fits the compose file's 500
    does not fit the real server."""
    (finding,) = _audit(POOLS / "fits", postgres_url=pg_server.url())
    assert (finding.rule, finding.location.path, finding.location.start_line) == ("RES160", "docker-compose.yml", 4)
    assert (
        "may open 360 PostgreSQL connections, more than the 37 usable (max_connections 40 minus 3 reserved, "
        "from the snapshot of" in finding.message
    )
    assert _evidence(finding)["max_connections"].startswith("postgres/postgres (")


def test_sync_gunicorn_workers_fire_only_for_async_apps_without_a_worker_class() -> None:
    found = [f for f in _audit(POOLS / "syncworkers") if f.rule == "RES161"]
    assert [(f.location.path, f.location.start_line) for f in found] == [
        ("docker-compose.yml", 4),
        ("docker-compose.yml", 21),
    ]
    assert "the FastAPI app `app.main:app`" in found[0].message
    assert "-k uvicorn.workers.UvicornWorker" in found[0].remediation
    assert "the aiohttp app `app.events:web_app`" in found[1].message
    assert "-k aiohttp.GunicornWebWorker" in found[1].remediation


def test_a_project_gunicorn_conf_that_may_set_the_worker_class_silences_it(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(POOLS / "syncworkers", tmp_path / "p")
    (tmp_path / "p" / "gunicorn.conf.py").write_text("import os\nworker_class = os.environ['WORKER_CLASS']\n")
    assert [f for f in _audit(tmp_path / "p") if f.rule == "RES161"] == []
    (tmp_path / "p" / "gunicorn.conf.py").write_text('worker_class = "sync"\n')
    assert len([f for f in _audit(tmp_path / "p") if f.rule == "RES161"]) == 2


def test_command_words_split_shell_scripts_and_read_every_spelling_of_the_options() -> None:
    words = tokens(["/bin/sh", "-c", "alembic upgrade head && exec gunicorn -w4 --bind=:80 app.main:app"])
    command = read_command(words, {})
    assert command is not None
    said = (command.server, command.app, command.workers, command.workers_from)
    assert said == ("gunicorn", "app.main:app", 4, "--workers")
    env = read_command(tokens("gunicorn -b 0.0.0.0:8000 wsgi:application"), {"WEB_CONCURRENCY": "6"})
    assert env is not None and (env.app, env.workers, env.workers_from) == ("wsgi:application", 6, "WEB_CONCURRENCY")
    uvicorn = read_command(tokens("uvicorn main:app"), {"GUNICORN_WORKERS": "8"})  # gunicorn's variable only
    assert uvicorn is not None and uvicorn.workers is None
    assert read_command(tokens("python manage.py runserver 0.0.0.0:8000"), {}) is None
    assert tokens('gunicorn "unbalanced') == []
    options, positional = parse_options(["--workers", "3", "--preload", "app:app"])
    assert options == {"--workers": "3", "--preload": ""} and positional == ["app:app"]


def test_a_pool_that_is_not_literal_or_passed_through_kwargs_is_not_guessed(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(POOLS / "overbooked", tmp_path / "p")
    db = tmp_path / "p" / "app" / "db.py"
    db.write_text("from sqlalchemy import create_engine\nengine = create_engine(URL, **settings.ENGINE_OPTIONS)\n")
    assert _audit(tmp_path / "p") == []
    db.write_text("from sqlalchemy import create_engine\nengine = create_engine(URL, pool_size=settings.POOL)\n")
    assert _audit(tmp_path / "p") == []


def test_a_service_without_command_runs_its_dockerfile_cmd_and_env() -> None:
    """The limit written on the pgadmin service is not the database's: PostgreSQL's default applies."""
    (finding,) = _audit(POOLS / "imagecmd")
    assert (finding.rule, finding.location.path, finding.location.start_line) == ("RES160", "app/Dockerfile", 9)
    assert "may open 625 PostgreSQL connections, more than the 97 usable" in finding.message
    assert "5 workers (WEB_CONCURRENCY) × 1 replica(s)" in finding.message
    assert _evidence(finding)["engine"] == "app/db.py:3 pool_size=25 max_overflow=100"


def test_urllib3_retry_without_backoff_fires_exactly_on_policies_that_retry_at_once() -> None:
    found = run_fixture(RetryBackoffCheck(), "RES163")
    assert lines_by_rule(found) == {"RES163": [8, 9, 10, 11]}
    assert "no backoff_factor" in found[0].message and "backoff_factor=0.5" in found[0].remediation


def test_urllib3_retry_in_tests_is_not_judged() -> None:
    src = "from urllib3 import Retry\nr = Retry(total=3)\n"
    assert run_source(RetryBackoffCheck(), src, rel="tests/test_client.py") == []
    assert len(run_source(RetryBackoffCheck(), src)) == 1
