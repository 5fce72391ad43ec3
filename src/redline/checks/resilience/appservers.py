"""The Python application servers a deployment runs: gunicorn/uvicorn command lines found in compose services
and Kubernetes containers, with their worker count, worker class and replicas, and the PostgreSQL servers
beside them with their ``max_connections``. Shared by the pool-budget and worker-class rules."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redline.core.model import Location
from redline.sources.code.model import CodeIndex
from redline.sources.containers.compose import ComposeProject, ComposeService
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.kubernetes import KubeManifest

SERVERS = frozenset({"gunicorn", "uvicorn"})
#: gunicorn/uvicorn options that take a value as the next token (``-w 4``); the others are switches
_VALUED = frozenset(
    {
        "-w",
        "--workers",
        "-k",
        "--worker-class",
        "-c",
        "--config",
        "-b",
        "--bind",
        "-t",
        "--timeout",
        "--threads",
        "--max-requests",
        "--max-requests-jitter",
        "--log-level",
        "--access-logfile",
        "--error-logfile",
        "--log-file",
        "-e",
        "--env",
        "-n",
        "--name",
        "--chdir",
        "--pythonpath",
        "--keep-alive",
        "--graceful-timeout",
        "--worker-connections",
        "--forwarded-allow-ips",
        "--log-config",
        "-u",
        "-g",
        "--user",
        "--group",
        "-p",
        "--pid",
        "--limit-request-line",
        "--host",
        "--port",
        "--uds",
        "--fd",
        "--app-dir",
        "--root-path",
        "--env-file",
        "--ssl-keyfile",
        "--ssl-certfile",
        "--loop",
        "--http",
        "--ws",
        "--lifespan",
        "--interface",
        "--timeout-keep-alive",
        "--limit-concurrency",
        "--backlog",
        "--proxy-headers-ips",
        "--h11-max-incomplete-event-size",
        "--worker-tmp-dir",
        "--statsd-host",
        "--reload-dir",
        "--reload-include",
        "--reload-exclude",
        "--capture-output",
        "--paste",
    }
)
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_APP_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*(?:\(.*\))?$")
_MAX_CONN_RE = re.compile(r"max[_-]connections\s*=\s*(\d+)")
#: images whose server is PostgreSQL
_POSTGRES_IMAGE_RE = re.compile(r"(?:^|/)(?:postgres|postgresql|postgis|timescaledb[\w-]*|pgvector)(?::|@|$)")
PG_DEFAULT_MAX_CONNECTIONS = 100


@dataclass(frozen=True)
class AppServer:
    """One gunicorn/uvicorn command line of a deployment unit (compose service, Kubernetes workload)."""

    server: str  # gunicorn / uvicorn
    app: str  # ``package.module:variable`` as written, "" when not given on the command line
    workers: int | None  # from -w/--workers or the environment; None when the command does not say
    workers_from: str  # "--workers", "WEB_CONCURRENCY", … ("" when not said)
    worker_class: str | None  # from -k/--worker-class (or GUNICORN_CMD_ARGS)
    config: str | None  # -c/--config as written
    replicas: int  # 1 when not declared (compose and Kubernetes both default to 1)
    unit: str  # "compose service backend" / "Deployment/default/api"
    where: Location  # the command line
    replicas_where: Location | None  # where the replica count is declared


@dataclass(frozen=True)
class Database:
    """A PostgreSQL server of the deployment and its connection limit, with where the limit comes from."""

    unit: str
    max_connections: int
    source: str  # "-c max_connections=… on the command line", "the PostgreSQL default"
    where: Location


def tokens(command: Any) -> list[str]:
    """A command (string or list) as shell words, with ``sh -c "…"`` scripts split too; [] when unparsable."""
    raw = [command] if isinstance(command, str) else [str(c) for c in command] if isinstance(command, list) else []
    words: list[str] = []
    for part in raw:
        if isinstance(command, list) and not any(c.isspace() for c in part):
            words.append(part)
            continue
        try:
            words.extend(shlex.split(part, comments=False))
        except ValueError:
            return []
    return words


def _segments(words: Sequence[str]) -> Iterator[list[str]]:
    """The words of each shell command joined by ``&&``, ``;`` …, starting at an app server's name."""
    current: list[str] = []
    for word in [*words, ";"]:
        if word in _SEPARATORS or word.endswith(";"):
            tail = word.rstrip(";")
            if tail and word not in _SEPARATORS:
                current.append(tail)
            start = next((i for i, w in enumerate(current) if w.rsplit("/", 1)[-1] in SERVERS), None)
            if start is not None:
                yield current[start:]
            current = []
        else:
            current.append(word)


def parse_options(words: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """(options by their long or short name, positional words) of one server command line."""
    options: dict[str, str] = {}
    positional: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("-") and "=" in word:
            name, _, value = word.partition("=")
            options[name] = value
        elif word in _VALUED and i + 1 < len(words):
            options[word] = words[i + 1]
            i += 1
        elif word.startswith("-w") and word[2:].isdigit():
            options["-w"] = word[2:]
        elif word.startswith("-"):
            options[word] = ""
        else:
            positional.append(word)
        i += 1
    return options, positional


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


@dataclass(frozen=True)
class _Command:
    server: str
    app: str
    workers: int | None
    workers_from: str
    worker_class: str | None
    config: str | None


def read_command(words: Sequence[str], env: Mapping[str, str]) -> _Command | None:
    """The first gunicorn/uvicorn invocation in ``words``, its options merged with what the environment says."""
    segment = next(_segments(words), None)
    if segment is None:
        return None
    server = segment[0].rsplit("/", 1)[-1]
    options, positional = parse_options(segment[1:])
    if server == "gunicorn" and env.get("GUNICORN_CMD_ARGS"):
        extra, _ = parse_options(tokens(env["GUNICORN_CMD_ARGS"]))
        options = {**extra, **options}
    app = next((w for w in positional if _APP_RE.match(w)), "")
    workers = _int(options.get("--workers") or options.get("-w"))
    workers_from = "--workers" if workers is not None else ""
    env_names = ("WEB_CONCURRENCY", "GUNICORN_WORKERS") if server == "gunicorn" else ("WEB_CONCURRENCY",)
    for name in env_names:
        if workers is None and (value := _int(env.get(name))) is not None:
            workers, workers_from = value, name
    worker_class = options.get("--worker-class") or options.get("-k")
    return _Command(server, app, workers, workers_from, worker_class, options.get("--config") or options.get("-c"))


def _compose_location(service: ComposeService, key: str | None, snippet: str) -> Location:
    path, _first, _last = service.origin(key)
    line = service.key_line(key)
    return Location(path, line, line, snippet=snippet[:120])


def _compose_replicas(service: ComposeService) -> tuple[int, Location | None]:
    deploy = service.body.get("deploy")
    value = deploy.get("replicas") if isinstance(deploy, Mapping) else None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value, _compose_location(service, "deploy", f"replicas: {value}")
    scale = service.body.get("scale")
    if isinstance(scale, int) and not isinstance(scale, bool) and scale >= 0:
        return scale, _compose_location(service, "scale", f"scale: {scale}")
    return 1, None


def built_dockerfile(service: ComposeService, dockerfiles: Mapping[str, Dockerfile]) -> Dockerfile | None:
    """The Dockerfile a compose service's ``build:`` names, when it is in the tree."""
    path = service.dockerfile_path
    return dockerfiles.get(path) if path is not None else None


def _image_command(dockerfile: Dockerfile) -> tuple[list[str], dict[str, str], Location] | None:
    """The final stage's ENTRYPOINT + CMD words, its ENV, and where the CMD sits."""
    stage = dockerfile.final_stage
    if stage is None:
        return None
    entry, cmd = dockerfile.start()
    words: list[str] = []
    for ins in (entry, cmd):
        if ins is not None:
            words += list(ins.exec_form) if ins.exec_form is not None else tokens(ins.value)
    anchor = cmd or entry
    if anchor is None or not words:
        return None
    where = Location(dockerfile.path, anchor.line, anchor.line, snippet=" ".join(words)[:120])
    return words, dockerfile.env(stage.index), where


def compose_servers(project: ComposeProject, dockerfiles: Mapping[str, Dockerfile]) -> Iterator[AppServer]:
    for service in project.services:
        words = tokens(service.body.get("command"))
        env = {**project.dotenv, **service.environment}
        where = _compose_location(service, "command", " ".join(words))
        if not words and (dockerfile := built_dockerfile(service, dockerfiles)) is not None:
            image = _image_command(dockerfile)
            if image is not None:
                words, image_env, where = image
                env = {**image_env, **env}
        command = read_command(words, env) if words else None
        if command is None:
            continue
        replicas, replicas_where = _compose_replicas(service)
        yield AppServer(
            **command.__dict__,
            replicas=replicas,
            unit=f"compose service {service.name}",
            where=where,
            replicas_where=replicas_where,
        )


def _kube_env(body: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in body.get("env") or ():
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) and "value" in item:
            out[item["name"]] = str(item["value"])
    return out


def _line_of(mapping: Any, key: str, fallback: int) -> int:
    key_lines = getattr(mapping, "key_lines", None)
    return key_lines.get(key, fallback) if isinstance(key_lines, dict) else fallback


def kube_servers(manifest: KubeManifest) -> Iterator[AppServer]:
    for obj in manifest.objects:
        if not obj.is_workload or obj.is_patch:
            continue
        for container in obj.containers(include_init=False):
            words = tokens(container.body.get("command") or []) + tokens(container.body.get("args") or [])
            command = read_command(words, _kube_env(container.body)) if words else None
            if command is None:
                continue
            key = "args" if "args" in container.body else "command"
            line = _line_of(container.body, key, container.line)
            replicas = obj.replicas
            replicas_line = _line_of(obj.spec, "replicas", obj.line)
            yield AppServer(
                **command.__dict__,
                replicas=1 if replicas is None else replicas,
                unit=obj.resource,
                where=Location(manifest.path, line, line, snippet=" ".join(words)[:120], resource=obj.resource),
                replicas_where=None
                if replicas is None
                else Location(manifest.path, replicas_line, replicas_line, snippet=f"replicas: {replicas}"),
            )


def _postgres_limit(words: Sequence[str]) -> int | None:
    found = [int(m.group(1)) for word in words if (m := _MAX_CONN_RE.search(word))]
    return found[-1] if found else None


def _database(unit: str, image: str, words: list[str], where: Location) -> Database | None:
    if not _POSTGRES_IMAGE_RE.search(image.lower()):
        return None
    limit = _postgres_limit(words)
    if limit is None:
        return Database(unit, PG_DEFAULT_MAX_CONNECTIONS, "PostgreSQL's default, nothing sets it", where)
    return Database(unit, limit, "set on its command line", where)


def compose_databases(project: ComposeProject) -> Iterator[Database]:
    for service in project.services:
        image = service.body.get("image")
        if not isinstance(image, str):
            continue
        words = tokens(service.body.get("command"))
        key = "command" if words else "image"
        where = _compose_location(service, key, " ".join(words) or image)
        if (db := _database(f"compose service {service.name}", image, words, where)) is not None:
            yield db


def kube_databases(manifest: KubeManifest) -> Iterator[Database]:
    for obj in manifest.objects:
        if not obj.is_workload:
            continue
        for container in obj.containers(include_init=False):
            words = tokens(container.body.get("command") or []) + tokens(container.body.get("args") or [])
            key = "args" if "args" in container.body else "image"
            line = _line_of(container.body, key, container.line)
            snippet = " ".join(words) or container.image
            where = Location(manifest.path, line, line, snippet=snippet, resource=obj.resource)
            if (db := _database(obj.resource, container.image, words, where)) is not None:
                yield db


def module_index(indexes: Sequence[CodeIndex], app: str) -> CodeIndex | None:
    """The indexed module an ``package.module:variable`` app string names (matched by path suffix)."""
    module = app.split(":", 1)[0]
    stem = module.replace(".", "/")
    wanted = (f"{stem}.py", f"{stem}/__init__.py")
    return next(
        (i for i in indexes if i.language == "python" and any(i.path == w or i.path.endswith("/" + w) for w in wanted)),
        None,
    )
