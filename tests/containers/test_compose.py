"""Compose projects: merging, interpolation, variants, and the CMP rules' exact failing services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.config import Config
from redline.core.workspace import Workspace
from redline.sources.containers.compose import ComposeProject, ComposeSource, interpolate, merge, parse_dotenv
from redline.sources.interface import ProjectContext

from .helpers import FIXTURES, run

COMPOSE = FIXTURES / "compose"
BASE = "stack/docker-compose.yml"
OVR = "stack/docker-compose.override.yml"
PROD = "stack/docker-compose.prod.yml"

#: (file, line of the offending key — or of the service when a setting is missing —, service). The official
#: postgres and redis images drop root in their entrypoint: `db` and v1 `redis` are CMP103 look-alikes now
EXPECTED = {
    "CMP101": {(BASE, 37, "agent"), ("v1/docker-compose.yml", 4, "web")},
    "CMP102": {(BASE, 39, "agent"), (OVR, 3, "api")},
    "CMP103": {(BASE, 46, "agent"), ("v1/docker-compose.yml", 1, "web")},
    "CMP104": {
        (BASE, 5, "db"),
        (PROD, 3, "db"),
        (OVR, 7, "api"),
        ("legacy/docker-compose.yml", 5, "mysql"),
        ("legacy/docker-compose.yml", 11, "mongo"),
    },
    # the override is the developer's machine (`docker compose up` adds it): no memory limit asked of its mailhog
    "CMP105": {("v1/docker-compose.yml", 1, "web"), ("v1/docker-compose.yml", 5, "redis")},
    # image-only services nobody depends on (mailhog, v1 web and redis) are not asked for a healthcheck
    # nor is a built service nobody waits on (api): plain compose restarts on exit, not on ill health
    "CMP106": {(BASE, 48, "agent")},
    "CMP107": {(BASE, 38, "agent"), (PROD, 6, "cache")},
    "CMP108": {(BASE, 42, "agent"), (BASE, 43, "agent")},
}
COUNTS = {"CMP107": 2, "CMP108": 2}


@pytest.fixture(scope="module")
def findings() -> list:  # type: ignore[type-arg]
    return run(COMPOSE, "CMP")


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_rule_fails_exactly_the_expected_services(code: str, findings: list) -> None:  # type: ignore[type-arg]
    got = [
        (f.location.path, f.location.start_line, f.location.resource.rsplit("/", 1)[-1])
        for f in findings
        if f.rule == code
    ]
    assert set(got) == EXPECTED[code]
    assert len(got) == COUNTS.get(code, len(EXPECTED[code]))


def _projects(root: Path) -> list[ComposeProject]:
    files = tuple(Workspace(root, max_file_size=10**7).walk().files)
    out = ComposeSource().collect(ProjectContext(root, Config(), files))
    assert out.errors == []
    return [f for f in out.facts if isinstance(f, ComposeProject)]


def test_base_and_override_merge_and_variants() -> None:
    stack = [p for p in _projects(COMPOSE) if p.directory == "stack"]
    assert sorted(p.files for p in stack) == [(BASE, OVR), (BASE, PROD)]
    merged = next(p for p in stack if p.files == (BASE, OVR))
    api = next(s for s in merged.services if s.name == "api")
    assert api.body["ports"] == ["8080:8080", {"target": 9200, "published": 9200}]
    assert api.blocks == {BASE: (22, 33), OVR: (2, 9)}
    assert api.origin("volumes") == (OVR, 2, 9)
    assert api.origin(None) == (BASE, 22, 33)
    assert [s.name for s in merged.services] == ["agent", "api", "cache", "db", "mailhog"]
    prod = next(p for p in stack if p.files == (BASE, PROD))
    db = next(s for s in prod.services if s.name == "db")
    assert db.body["ports"] == ["5432:5432", "0.0.0.0:5433:5432"]
    assert db.body["image"] == "postgres:16.4"  # from .env, not the :-15 default
    agent = next(s for s in merged.services if s.name == "agent")
    assert agent.profiles == ("ops",)


def test_env_interpolation_forms() -> None:
    merged = next(p for p in _projects(COMPOSE) if p.files == (BASE, OVR))
    api = next(s for s in merged.services if s.name == "api")
    assert api.environment == {"PRICE": "$5", "MODE": "dev", "LEVEL": "info", "ALT": ""}
    unset: set[str] = set()
    env = {"SET": "x", "EMPTY": ""}
    assert (
        interpolate("${SET}/${EMPTY-d}/${EMPTY:-d}/${GONE-d}/${GONE:-d}/$$SET/${SET:+alt}/${EMPTY:+alt}", env, unset)
        == "x//d/d/d/$SET/alt/"
    )
    assert interpolate("${MISSING}-$ALSO", env, unset) == "-"
    assert unset == {"MISSING", "ALSO"}
    assert interpolate("${GONE:-${SET}}", env, set()) == "x"


def test_dotenv_parsing() -> None:
    env = parse_dotenv("# comment\nA=1\nexport B=\"two words\"\nC='single'\nD=val # trailing\nnot a line\n")
    assert env == {"A": "1", "B": "two words", "C": "single", "D": "val"}


def test_merge_rules() -> None:
    base = {"ports": ["80:80"], "environment": {"A": "1"}, "command": ["a"], "deploy": {"replicas": 1}}
    over = {
        "ports": ["80:80", "443:443"],
        "environment": {"B": "2"},
        "command": ["b"],
        "deploy": {"resources": {"limits": {"memory": "1g"}}},
    }
    assert merge(base, over) == {
        "ports": ["80:80", "443:443"],
        "environment": {"A": "1", "B": "2"},
        "command": ["b"],
        "deploy": {"replicas": 1, "resources": {"limits": {"memory": "1g"}}},
    }


def test_bad_compose_file_is_reported_and_others_go_on(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "docker-compose.yml").write_text("services:\n  web: [unclosed\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n    privileged: true\n")
    files = tuple(Workspace(tmp_path, max_file_size=10**7).walk().files)
    out = ComposeSource().collect(ProjectContext(tmp_path, Config(), files))
    assert [(e.where, e.stage) for e in out.errors] == [("a/docker-compose.yml", "parse")]
    assert "invalid YAML" in out.errors[0].reason
    assert [p.directory for p in out.facts if isinstance(p, ComposeProject)] == ["b"]


def test_inline_suppression_covers_the_service_block(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  # redline: ignore[CMP101] the agent needs device access, reviewed 2026-11\n"
        "  agent:\n"
        "    image: acme/agent:1.0\n"
        "    privileged: true\n"
        "  other:\n"
        "    image: acme/other:1.0\n"
        "    privileged: true\n"
    )
    out = tmp_path / "out"
    main(["audit", str(tmp_path), "--out", str(out), "--quiet", "--select", "CMP101", "--exit-zero"])
    found = json.loads((out / "findings.json").read_text())["findings"]
    by_service = {f["location"]["resource"]: f for f in found}
    assert set(by_service) == {"compose/./agent", "compose/./other"}
    assert by_service["compose/./agent"].get("suppressed") == "the agent needs device access, reviewed 2026-11"
    assert not by_service["compose/./other"].get("suppressed")


def test_second_base_file_is_its_own_project_and_profiles_are_evidence(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a:\n    image: x:1\n    privileged: true\n    profiles: [debug]\n"
    )
    (tmp_path / "docker-compose.yml").write_text("services:\n  b:\n    image: y:1\n")
    assert sorted(p.files for p in _projects(tmp_path)) == [("compose.yaml",), ("docker-compose.yml",)]
    priv = [f for f in run(tmp_path, "CMP101")]
    assert [(f.location.path, dict(f.evidence).get("profiles")) for f in priv] == [("compose.yaml", ("debug",))]


def test_dash_named_compose_files_are_variants(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services:\n  a:\n    image: x:1\n")
    (tmp_path / "docker-compose-pro.yml").write_text("services:\n  a:\n    privileged: true\n")
    (tmp_path / "compose-notes.txt").write_text("not yaml\n")
    assert sorted(p.files for p in _projects(tmp_path)) == [
        ("docker-compose.yml",),
        ("docker-compose.yml", "docker-compose-pro.yml"),
    ]
    assert [f.location.path for f in run(tmp_path, "CMP101")] == ["docker-compose-pro.yml"]


def test_override_findings_are_kept_but_low(findings: list) -> None:  # type: ignore[type-arg]
    """full-stack-fastapi-template's compose.override.yml published its dev database at high severity: what
    `docker compose up` adds on a laptop is reported, never above low; the same key in the base file stays."""
    sev = {(f.location.path, f.location.start_line, f.rule): str(f.severity) for f in findings}
    assert sev[(OVR, 7, "CMP104")] == "low"
    assert sev[(BASE, 5, "CMP104")] == "high"


def test_missing_memory_limits_of_one_project_are_one_item(tmp_path: Path) -> None:
    from redline.core.groups import group_findings

    body = "    image: acme/{n}:1.2\n    depends_on: [db]\n"
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n"
        + body.format(n="api")
        + "  web:\n"
        + body.format(n="web")
        + "  db:\n    image: acme/db:1.0\n    mem_limit: 512m\n"
    )
    limits = [f for f in run(tmp_path) if f.rule == "CMP105"]
    assert sorted((f.location.path, f.location.start_line) for f in limits) == [
        ("compose.yaml", 2),
        ("compose.yaml", 5),
    ]
    [item] = group_findings(limits)
    assert item.count == 2 and item.lead.group == "compose/.:no-memory-limit"


def test_root_group_forms_count_as_root_in_every_family(tmp_path: Path) -> None:
    """`USER 0:root` runs as uid 0: the Dockerfile rule and the compose rule that reads the Dockerfile agree."""
    (tmp_path / "Dockerfile").write_text('FROM python:3.12-slim\nUSER 0:root\nCMD ["python", "app.py"]\n')
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    build: .\n    mem_limit: 256m\n")
    fired = {f.rule for f in run(tmp_path) if f.rule in {"DKR101", "CMP103"}}
    assert fired == {"DKR101", "CMP103"}


_DB = "  db:\n    image: postgres:16\n    ports:\n      - 5432:5432\n"


def _compose_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_a_development_compose_file_is_lowered_whatever_its_name(tmp_path: Path) -> None:
    """saleor's .worktree-container/docker-compose.yml published its laptop database at high severity: a file
    that builds a service from local source and bind-mounts that source over it, or runs a reloader or debugger,
    is a development environment. Its findings take the one context step; deployment look-alikes keep theirs."""
    _compose_tree(
        tmp_path,
        {
            # true positives: source bind-mounted over the build, a reloader, a node inspector, a workspace shell
            "worktree/docker-compose.yml": "services:\n  app:\n    build:\n      context: ..\n"
            "    volumes:\n      - ..:/app\n" + _DB,
            "reload/compose.yaml": "services:\n  api:\n    build: .\n    command: uvicorn main:app --reload\n" + _DB,
            "inspect/compose.yaml": "services:\n  web:\n    build: ./web\n"
            "    entrypoint: nodemon --inspect=0.0.0.0 server.js\n" + _DB,
            "shell/compose.yaml": "services:\n  ws:\n    build: .\n    command: [sleep, infinity]\n" + _DB,
            # look-alikes: a config file and a named volume mounted, a production server, a prebuilt image
            "prod/compose.yaml": "services:\n  app:\n    build: .\n    command: gunicorn app:app --workers 4\n"
            "    volumes:\n      - ./nginx.conf:/etc/nginx/nginx.conf:ro\n      - data:/var/lib/app\n" + _DB,
            "images/compose.yaml": "services:\n  app:\n    image: acme/app:1.0\n    volumes:\n      - .:/srv\n" + _DB,
            # getsentry/self-hosted: the build context mounted as configuration (under /etc/, or read-only)
            "config/compose.yaml": "services:\n  web:\n    build: ./sentry\n    volumes:\n"
            "      - ./sentry:/etc/sentry\n      - ./sentry:/srv/conf:ro\n" + _DB,
            # a base file stays a deployment when only its override adds the reloader and the source mount
            "stack/compose.yml": "services:\n  backend:\n    build: ./backend\n" + _DB,
            "stack/compose.override.yml": "services:\n  backend:\n    command: fastapi run --reload\n"
            "    volumes:\n      - ./backend:/app/backend\n",
        },
    )
    found = [f for f in run(tmp_path) if f.rule == "CMP104"]
    by_path = {f.location.path: f for f in found}
    assert sorted((f.location.path, f.location.start_line) for f in found) == [
        ("config/compose.yaml", 9),
        ("images/compose.yaml", 8),
        ("inspect/compose.yaml", 7),
        ("prod/compose.yaml", 10),
        ("reload/compose.yaml", 7),
        ("shell/compose.yaml", 7),
        ("stack/compose.yml", 6),
        ("worktree/docker-compose.yml", 9),
    ]
    dev = {"worktree/docker-compose.yml", "reload/compose.yaml", "inspect/compose.yaml", "shell/compose.yaml"}
    for path, f in by_path.items():
        lowered = path in dev
        assert (str(f.severity) == "low") is lowered, path
        assert ("context:sample" in f.tags and "gate:exempt" in f.tags) is lowered, path
        if lowered:
            assert f.evidence.text("context").startswith("development environment"), path
    # production concerns are not asked of a development file (no memory limit item there)
    limits = {f.location.path for f in run(tmp_path) if f.rule == "CMP105"}
    assert limits & dev == set() and {"prod/compose.yaml", "stack/compose.yml"} <= limits


def test_a_host_agent_is_one_item(tmp_path: Path) -> None:
    """opentelemetry-demo's eBPF profiler (privileged, pid: host, the Docker socket) was three items and its
    collector (user: 0:0 to read the socket and host logs) two: one decision each, one ``cause:`` item led by
    the socket. Look-alikes: a root user without host access keeps its runs-as-root item; another service's
    host access is its own item."""
    from redline.core.groups import group_findings

    _compose_tree(
        tmp_path,
        {
            "compose.yaml": "services:\n"
            "  profiler:\n    image: acme/profiler:1.0\n    privileged: true\n    pid: host\n    user: 0:0\n"
            "    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n    mem_limit: 256m\n"
            "  web:\n    image: acme/web:1.0\n    user: root\n    mem_limit: 256m\n"
            "  debugger:\n    image: acme/dbg:1.0\n    pid: host\n    mem_limit: 256m\n",
        },
    )
    found = [f for f in run(tmp_path) if f.rule.startswith("CMP")]
    where = sorted((f.rule, f.location.start_line, f.location.resource.rsplit("/", 1)[-1]) for f in found)
    assert where == [
        ("CMP101", 4, "profiler"),
        ("CMP102", 7, "profiler"),
        ("CMP103", 6, "profiler"),
        ("CMP103", 12, "web"),
        ("CMP107", 5, "profiler"),
        ("CMP107", 16, "debugger"),
    ]
    items = {(i.lead.rule, i.lead.location.resource.rsplit("/", 1)[-1]): i for i in group_findings(found)}
    assert set(items) == {("CMP102", "profiler"), ("CMP103", "web"), ("CMP107", "debugger")}
    assert sorted(f.rule for f in items[("CMP102", "profiler")].members) == ["CMP101", "CMP102", "CMP103", "CMP107"]
    assert items[("CMP103", "web")].lead.group.startswith("cause:runs-as-root:")


# getsentry/self-hosted: the Dockerfiles extend an image compose names in a build argument, from the project's .env
_ARG_FROM = "ARG SENTRY_IMAGE\nFROM ${SENTRY_IMAGE}\nRUN pip install sentry-nodestore-s3\n"


@pytest.mark.parametrize(
    ("compose", "dotenv", "expected"),
    [
        # the argument from .env (list form): the sentry image, whose entrypoint drops to `sentry` with gosu
        (
            "    build:\n      context: ./sentry\n      args:\n        - SENTRY_IMAGE\n",
            "SENTRY_IMAGE=ghcr.io/getsentry/sentry:nightly\n",
            set(),
        ),
        # the mapping form, a ClickHouse server image (its entrypoint drops root too)
        (
            "    build:\n      context: ./sentry\n      args:\n        SENTRY_IMAGE: altinity/clickhouse-server:25.8\n",
            "",
            set(),
        ),
        # a base that keeps root, named the same way: both rules fire, the Dockerfile's with the image known
        (
            "    build:\n      context: ./sentry\n      args:\n        SENTRY_IMAGE: debian:bookworm-slim\n",
            "",
            {("DKR101", "high"), ("CMP103", "")},
        ),
        # nothing says what the argument is: the Dockerfile rule still fires, with medium confidence
        ("    build:\n      context: ./sentry\n", "", {("DKR101", "medium"), ("CMP103", "")}),
    ],
)
def test_a_base_image_named_by_a_compose_build_argument(
    tmp_path: Path, compose: str, dotenv: str, expected: set[tuple[str, str]]
) -> None:
    _compose_tree(
        tmp_path, {"sentry/Dockerfile": _ARG_FROM, "compose.yaml": "services:\n  web:\n" + compose, ".env": dotenv}
    )
    fired = {
        (f.rule, f.confidence.name.lower() if f.rule == "DKR101" else "")
        for f in run(tmp_path)
        if f.rule in {"DKR101", "CMP103"}
    }
    assert fired == expected


def test_services_passing_different_arguments_leave_the_base_unknown(tmp_path: Path) -> None:
    """Two services build one Dockerfile with different bases: the Dockerfile rule cannot pick one."""
    services = (
        "services:\n  web:\n    build:\n      context: ./sentry\n      args:\n"
        "        SENTRY_IMAGE: getsentry/sentry:24\n"
        "  worker:\n    build:\n      context: ./sentry\n      args:\n        SENTRY_IMAGE: debian:bookworm-slim\n"
    )
    _compose_tree(tmp_path, {"sentry/Dockerfile": _ARG_FROM, "compose.yaml": services})
    found = [
        (f.rule, f.component or "", f.confidence.name.lower()) for f in run(tmp_path) if f.rule in {"DKR101", "CMP103"}
    ]
    assert sorted(found) == [("CMP103", "worker", "high"), ("DKR101", "", "medium")]


def test_an_entrypoint_wrapper_over_an_image_that_drops_root_is_named(tmp_path: Path) -> None:
    """getsentry/self-hosted's services replace the sentry image's entrypoint with /etc/sentry/entrypoint.sh (which
    sources the image's own, and so still drops root): redline does not read the script, so it says what it knows."""
    compose = (
        "services:\n  web:\n    build:\n      context: ./sentry\n      args:\n        - SENTRY_IMAGE\n"
        '    entrypoint: "/etc/sentry/entrypoint.sh"\n'
    )
    env = "SENTRY_IMAGE=ghcr.io/getsentry/sentry:nightly\n"
    _compose_tree(tmp_path, {"sentry/Dockerfile": _ARG_FROM, "compose.yaml": compose, ".env": env})
    found = [f for f in run(tmp_path) if f.rule in {"DKR101", "CMP103"}]
    assert [(f.rule, f.location.start_line, f.message, f.confidence.name) for f in found] == [
        (
            "CMP103",
            7,
            "service `web`: sets no user and replaces the entrypoint of `ghcr.io/getsentry/sentry:nightly`, which "
            "drops root itself: the service runs as root unless `/etc/sentry/entrypoint.sh` hands over to that "
            "entrypoint or drops root too",
            "MEDIUM",
        )
    ]


def test_an_overlay_of_a_base_named_elsewhere_is_not_judged_for_what_it_leaves_out(tmp_path: Path) -> None:
    """sourcegraph/deploy-sourcegraph-docker: ``dev/docker-compose.yaml`` and ``jaeger/docker-compose.yaml`` are
    overlays ``dev/run.sh`` passes after ``docker-compose/docker-compose.yaml`` (``-f base -f jaeger -f dev``); the
    base sets ``mem_limit`` on every service. A service with neither image nor build cannot start alone: it names
    no memory limit because the base does. What an overlay adds (a privileged flag) is still judged."""
    _compose_tree(
        tmp_path,
        {
            "docker-compose/docker-compose.yaml": "services:\n  caddy:\n    image: caddy:2\n    mem_limit: 1g\n"
            "  zoekt:\n    image: sourcegraph/zoekt:1\n    mem_limit: 2g\n",
            # the overlay: partial services only (look-alikes: no CMP105), one of them adds privileged (fires)
            "docker-compose/dev/docker-compose.yaml": "services:\n  zoekt:\n    cpus: 1\n    privileged: true\n"
            "  caddy:\n    ports:\n      - '0.0.0.0:8080:80'\n",
            # an overlay that also brings a complete service of its own: that one is judged (true positive)
            "docker-compose/jaeger/docker-compose.yaml": "services:\n  jaeger:\n    image: jaegertracing/all:1\n"
            "  otel-collector:\n    command: ['--config', '/etc/otel/jaeger.yaml']\n",
        },
    )
    found = run(tmp_path)
    limits = sorted((f.location.path, f.location.start_line) for f in found if f.rule == "CMP105")
    assert limits == [("docker-compose/jaeger/docker-compose.yaml", 2)]
    privileged = [(f.location.path, f.location.start_line) for f in found if f.rule == "CMP101"]
    assert privileged == [("docker-compose/dev/docker-compose.yaml", 4)]
    walk = Workspace(tmp_path, max_file_size=1 << 20).walk()
    skipped = ComposeSource().collect(ProjectContext(tmp_path, Config(), tuple(walk.files))).skipped
    assert sorted((s.path, s.reason.split(":")[0]) for s in skipped) == [
        ("docker-compose/dev/docker-compose.yaml", "compose overlay"),
        ("docker-compose/jaeger/docker-compose.yaml", "compose overlay"),
    ]
    assert "`caddy`, `zoekt`" in next(s.reason for s in skipped if "dev/" in s.path)


_DROPS_ROOT = (
    "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gosu\n"
    'COPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\nCMD ["start"]\n'
)


def test_an_image_built_from_the_projects_own_root_dropping_image_keeps_its_verdict(tmp_path: Path) -> None:
    """baserow: ``deploy/all-in-one/docker-compose.yml`` builds ``image: baserow`` from ``$PWD/deploy/all-in-one/
    Dockerfile`` (an absolute path once compose's unset ``$PWD`` is read: the tree's root), whose entrypoint drops
    root; the platform images ``FROM baserow/baserow:1.35.3`` keep that entrypoint and run as the same user. One that
    empties the ENTRYPOINT starts as root, and so does an image FROM another base. The compose service of the image
    that drops root is not CMP103 either: the same judgement as DKR101's."""
    compose = (
        "services:\n  app:\n    image: shop\n    build:\n      context: $PWD\n"
        "      dockerfile: $PWD/deploy/all-in-one/Dockerfile\n"
    )
    paas = "ARG FROM_IMAGE=acme/shop:1.2\nFROM $FROM_IMAGE\nRUN echo configured > /etc/platform\n"
    emptied = 'FROM acme/shop:1.2\nENTRYPOINT []\nCMD ["/start.sh"]\n'
    other = 'FROM python:3.12-slim\nCMD ["python", "-m", "http.server"]\n'
    _compose_tree(
        tmp_path,
        {
            "deploy/all-in-one/Dockerfile": _DROPS_ROOT,
            "deploy/all-in-one/docker-compose.yml": compose,
            "deploy/cloudron/Dockerfile": paas,
            "heroku.Dockerfile": emptied,
            "tools/Dockerfile": other,
        },
    )
    found = sorted((f.rule, f.location.path) for f in run(tmp_path) if f.rule in {"DKR101", "CMP103"})
    assert found == [("DKR101", "heroku.Dockerfile"), ("DKR101", "tools/Dockerfile")]
