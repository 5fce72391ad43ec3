"""Pools and workers across sources: the connections a deployment may open (SQLAlchemy pool times server
workers times replicas) against PostgreSQL's ``max_connections``, and sync gunicorn workers serving an ASGI app."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from redline.checks.interface import CheckContext, ProjectCheck
from redline.checks.resilience.appservers import (
    AppServer,
    Database,
    compose_databases,
    compose_servers,
    kube_databases,
    kube_servers,
    module_index,
)
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.kubernetes import KubeManifest
from redline.sources.postgres.model import Snapshot

POOL_BUDGET = Rule(
    code="RES160",
    name="connection-pools-exceed-max-connections",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="SQLAlchemy pools × server workers × replicas can open more connections than PostgreSQL allows",
    tags=("CWE-770", "STRIDE:D"),
    doc=RuleDoc(
        what_it_does="Multiplies the largest pool of a SQLAlchemy engine (`create_engine(pool_size=, "
        "max_overflow=)`, defaults 5 + 10) by the gunicorn/uvicorn workers of each service that serves the "
        "project's app (`-w`/`--workers` in the compose `command` or Kubernetes `args`, `workers =` in "
        "gunicorn.conf.py, `WEB_CONCURRENCY`/`GUNICORN_WORKERS`) and by its replicas (compose "
        "`deploy.replicas`, Kubernetes `replicas`), and compares the sum with the PostgreSQL server's "
        "`max_connections` minus the reserved slots: from the database snapshot when one is given, else from "
        "the compose/Kubernetes postgres container's `-c max_connections=`, else PostgreSQL's default of 100. "
        "Unknown counts are taken at their lowest (one worker, one replica), so it fires only when the "
        "lower bound already exceeds the limit. Engines with an explicit `poolclass` or a SQLite URL are "
        "left alone.",
        why_bad="Pools open connections lazily, so the overbooking shows only under load: at the first "
        "traffic peak the later workers' connections are refused (`FATAL: sorry, too many clients already`) "
        "and requests fail even though the database itself is idle enough.",
        example="# db.py\nengine = create_engine(URL, pool_size=20, max_overflow=10)\n"
        "# docker-compose.yml\n  api:\n    command: gunicorn -w 4 app.main:app\n    deploy: {replicas: 3}\n"
        "  db:\n    image: postgres:16   # 4 × 3 × 30 = 360 > 100",
        use_instead="Size the pools to fit: (pool_size + max_overflow) × workers × replicas below "
        "max_connections minus the reserved slots, or put PgBouncer in transaction mode between them.",
        references=(
            "https://docs.sqlalchemy.org/en/20/core/pooling.html#sqlalchemy.pool.QueuePool",
            "https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-MAX-CONNECTIONS",
            "https://docs.gunicorn.org/en/stable/settings.html#workers",
        ),
    ),
)

SYNC_WORKERS_ASYNC_APP = Rule(
    code="RES161",
    name="sync-gunicorn-workers-for-async-app",
    area=Area.RESILIENCE,
    severity=Severity.HIGH,
    summary="gunicorn runs an ASGI/aiohttp app with its default sync workers",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does="Finds gunicorn command lines (compose `command`, Kubernetes `command`/`args`) whose app "
        "(`module:variable`) is a FastAPI, Starlette, Quart or aiohttp application in the indexed code, while "
        "no worker class is set: no `-k`/`--worker-class`, none in `GUNICORN_CMD_ARGS`, and no gunicorn "
        "config file that could set `worker_class`.",
        why_bad="gunicorn's default `sync` worker speaks WSGI: it calls the ASGI app with the wrong "
        "signature, so every request fails (`TypeError: __call__() missing 1 required positional argument`), "
        "or, for aiohttp, the app never starts serving. Even where it limps along, one request occupies a "
        "whole process and the event loop's concurrency is lost.",
        example="command: gunicorn -w 4 app.main:app   # app = FastAPI()",
        use_instead="command: gunicorn -w 4 -k uvicorn.workers.UvicornWorker app.main:app\n"
        "# aiohttp: -k aiohttp.GunicornWebWorker",
        references=(
            "https://www.uvicorn.org/deployment/#gunicorn",
            "https://docs.aiohttp.org/en/stable/deployment.html#start-gunicorn",
            "https://docs.gunicorn.org/en/stable/settings.html#worker-class",
        ),
    ),
)

ENGINES = frozenset(
    {
        "sqlalchemy.create_engine",
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlmodel.create_engine",
    }
)
ASYNC_APPS = {
    "fastapi.FastAPI": "FastAPI",
    "starlette.applications.Starlette": "Starlette",
    "quart.Quart": "Quart",
    "aiohttp.web.Application": "aiohttp",
}
POOL_SIZE_DEFAULT = 5
MAX_OVERFLOW_DEFAULT = 10
PG_DEFAULT_RESERVED = 3  # superuser_reserved_connections


@dataclass(frozen=True)
class Engine:
    path: str
    line: int
    pool_size: int
    max_overflow: int

    @property
    def connections(self) -> int:
        return self.pool_size + self.max_overflow

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _literal_int(call: CallSite, keyword: str, default: int) -> int | None:
    """The keyword's literal int, the default when absent, None when set to something not literal."""
    arg = next((a for a in call.args if a.keyword == keyword), None)
    if arg is None:
        return default
    value = arg.literal
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def engines(indexes: Sequence[CodeIndex]) -> list[Engine]:
    """Pooled engines of the application code (tests, samples, explicit pool classes and SQLite left out)."""
    found: list[Engine] = []
    for index in indexes:
        if index.language != "python" or looks_like_test_or_sample(index.path):
            continue
        for call in index.calls:
            if call.target not in ENGINES or call.star_kwargs or any(a.keyword == "poolclass" for a in call.args):
                continue  # another pool class, or keywords the index cannot see
            url = call.args[0].literal if call.args and call.args[0].keyword is None else None
            if isinstance(url, str) and url.startswith("sqlite"):
                continue
            size = _literal_int(call, "pool_size", POOL_SIZE_DEFAULT)
            overflow = _literal_int(call, "max_overflow", MAX_OVERFLOW_DEFAULT)
            if size is None or overflow is None or overflow < 0 or size < 0:
                continue
            found.append(Engine(index.path, call.line, size, overflow))
    return found


@dataclass(frozen=True)
class _Unit:
    """The app servers and databases of one deployment (a compose project, or all Kubernetes manifests)."""

    name: str
    servers: tuple[AppServer, ...]
    databases: tuple[Database, ...]


def _units(facts: Facts) -> list[_Unit]:
    dockerfiles = {d.path: d for d in facts.of(Dockerfile)}
    units = [
        _Unit(
            f"compose project {p.directory or '.'}", tuple(compose_servers(p, dockerfiles)), tuple(compose_databases(p))
        )
        for p in sorted(facts.of(ComposeProject), key=lambda p: p.directory)
    ]
    manifests = sorted(facts.of(KubeManifest), key=lambda m: m.path)
    servers: dict[str, AppServer] = {}
    for server in (s for m in manifests for s in kube_servers(m)):
        # the same workload in several overlays counts once, at its smallest size
        kept = servers.get(server.unit)
        if kept is None or _processes(server) < _processes(kept):
            servers[server.unit] = server
    databases = tuple(d for m in manifests for d in kube_databases(m))
    if servers:
        units.append(_Unit("Kubernetes manifests", tuple(servers.values()), databases))
    return units


def _processes(server: AppServer) -> int:
    return (server.workers or 1) * server.replicas


def _config_workers(server: AppServer, indexes: Sequence[CodeIndex]) -> tuple[int | None, str]:
    """``workers = N`` of the gunicorn config file the command names (or ./gunicorn.conf.py)."""
    if server.server != "gunicorn":
        return None, ""
    config = gunicorn_config(server, indexes)
    if config is None:
        return None, ""
    value = next((a.values[0] for a in config.assignments if a.name == "workers" and a.values), None)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        line = next(a.line for a in config.assignments if a.name == "workers")
        return value, f"{config.path}:{line}"
    return None, ""


def gunicorn_config(server: AppServer, indexes: Sequence[CodeIndex]) -> CodeIndex | None:
    name = (server.config or "gunicorn.conf.py").removeprefix("python:")
    if server.config and server.config.startswith("python:"):
        name = name.replace(".", "/") + ".py"
    base = name.lstrip("./").rsplit("/", 1)[-1]
    return next((i for i in indexes if i.language == "python" and i.path.rsplit("/", 1)[-1] == base), None)


def _database(unit: _Unit, snaps: Sequence[Snapshot]) -> tuple[int, str, str] | None:
    """(usable connections, where the limit comes from, where it sits) of the unit's PostgreSQL."""
    if snaps:
        db = snaps[0].database
        usable = db.max_connections - db.reserved_connections
        return (
            usable,
            (
                f"max_connections {db.max_connections} minus {db.reserved_connections} reserved, from the "
                f"snapshot of {snaps[0].server.address}"
            ),
            f"postgres/{snaps[0].server.database}",
        )
    if not unit.databases:
        return None
    server = min(unit.databases, key=lambda d: d.max_connections)
    where = f"{server.where.path}:{server.where.start_line}"
    said = f"max_connections {server.max_connections} of {server.unit}, {server.source}, minus {PG_DEFAULT_RESERVED}"
    said += " reserved"
    return server.max_connections - PG_DEFAULT_RESERVED, said, where


class PoolBudgetCheck(ProjectCheck):
    name = "connection-pool-budget"
    rules = (POOL_BUDGET, SYNC_WORKERS_ASYNC_APP)
    fact_types = (CodeIndex, ComposeProject, Dockerfile, KubeManifest, Snapshot)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        indexes = sorted(facts.of(CodeIndex), key=lambda i: i.path)
        units = _units(facts)
        out: list[Finding] = []
        if POOL_BUDGET.code in ctx.enabled:
            pooled = engines(indexes)
            if pooled:
                snaps = facts.of(Snapshot)
                out.extend(f for unit in units if (f := self._budget(unit, pooled, indexes, snaps)) is not None)
        if SYNC_WORKERS_ASYNC_APP.code in ctx.enabled:
            out.extend(self._worker_classes(units, indexes))
        return out

    def _budget(
        self, unit: _Unit, pooled: list[Engine], indexes: Sequence[CodeIndex], snaps: Sequence[Snapshot]
    ) -> Finding | None:
        servers = [s for s in unit.servers if s.app and module_index(indexes, s.app) is not None]
        limit = _database(unit, snaps) if servers else None
        if limit is None:
            return None
        usable, limit_said, limit_where = limit
        engine = min(pooled, key=lambda e: e.connections)  # at least this much per process
        parts: list[str] = []
        evidence = {"engine": f"{engine.where} pool_size={engine.pool_size} max_overflow={engine.max_overflow}"}
        total = 0
        for server in servers:
            workers, workers_from = server.workers, server.workers_from
            where = f"{server.where.path}:{server.where.start_line}"
            if workers is None:
                workers, config_where = _config_workers(server, indexes)
                workers_from, where = ("workers in " + config_where, config_where) if workers else ("", where)
            count = (workers or 1) * server.replicas
            total += count * engine.connections
            said = f"{workers} workers ({workers_from})" if workers else "1 worker (none declared)"
            parts.append(f"{server.unit}: {said} × {server.replicas} replica(s)")
            replicas_at = server.replicas_where
            if replicas_at is not None:
                where += f"; replicas at {replicas_at.path}:{replicas_at.start_line}"
            evidence[server.unit] = where
        if total <= usable:
            return None
        evidence["max_connections"] = f"{limit_where} ({limit_said})"
        first = servers[0]
        return self.finding(
            POOL_BUDGET,
            f"{unit.name} may open {total} PostgreSQL connections, more than the {usable} usable "
            f"({limit_said}): engine at {engine.where} holds up to {engine.connections} "
            f"(pool_size {engine.pool_size} + max_overflow {engine.max_overflow}) per process; " + "; ".join(parts),
            first.where,
            confidence=Confidence.MEDIUM if any(s.workers is None for s in servers) else Confidence.HIGH,
            evidence=evidence,
            remediation=f"Bring (pool_size + max_overflow) × workers × replicas under {usable}: shrink the pool "
            f"at {engine.where} (e.g. pool_size={max(1, usable // (2 * max(1, total // engine.connections)))}, "
            "max_overflow=0), lower the workers or replicas, raise max_connections with the memory it costs, "
            "or put PgBouncer in transaction mode in front of PostgreSQL.",
        )

    def _worker_classes(self, units: Sequence[_Unit], indexes: Sequence[CodeIndex]) -> Iterable[Finding]:
        for server in (s for u in units for s in u.servers):
            if server.server != "gunicorn" or server.worker_class or not server.app:
                continue
            kind = _async_app(server.app, indexes)
            if kind is None or _config_may_set_worker_class(server, indexes):
                continue
            worker = "aiohttp.GunicornWebWorker" if kind == "aiohttp" else "uvicorn.workers.UvicornWorker"
            yield self.finding(
                SYNC_WORKERS_ASYNC_APP,
                f"{server.unit} runs the {kind} app `{server.app}` under gunicorn with no worker class: "
                "gunicorn's default sync (WSGI) workers cannot serve it",
                server.where,
                evidence={"app": server.app, "server": server.unit},
                remediation=f'Add `-k {worker}` to the gunicorn command (or `worker_class = "{worker}"` in '
                "gunicorn.conf.py).",
            )


def _async_app(app: str, indexes: Sequence[CodeIndex]) -> str | None:
    index = module_index(indexes, app)
    variable = app.split(":", 1)[1]
    if index is None or "(" in variable:
        return None
    for call in index.calls:
        if call.assigned_to == variable and not call.function and call.target in ASYNC_APPS:
            return ASYNC_APPS[call.target]
    return None


def _config_may_set_worker_class(server: AppServer, indexes: Sequence[CodeIndex]) -> bool:
    """A gunicorn config the command names, or a ./gunicorn.conf.py in the project: it may set the class."""
    if server.config:
        return True
    config = gunicorn_config(server, indexes)
    if config is None:
        return False
    value = next((a.values[0] for a in config.assignments if a.name in {"worker_class", "k"} and a.values), None)
    return not (isinstance(value, str) and value == "sync")
