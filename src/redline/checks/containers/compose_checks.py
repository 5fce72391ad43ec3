"""docker-compose hardening: the CIS Docker runtime items that compose files control.

A service built from a Dockerfile in the audited tree is judged together
with it (its USER and HEALTHCHECK count); a service that only names an image
is judged on the compose file alone, with lower confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from redline.checks.containers.builds import (
    build_dockerfile,
    compose_built_images,
    service_build_args,
    with_build_args,
)
from redline.checks.containers.common import (
    healthcheck_group,
    image_name,
    in_test_context,
    is_root_user,
    lowered,
    mapping,
    root_group,
    seq,
    unique,
)
from redline.checks.containers.dockerfiles import (
    entrypoint_drops_root,
    has_healthcheck,
    image_key,
    own_parent_drops_root,
    shipped_stage,
)
from redline.checks.containers.kube_pods import BASELINE_CAPS, socket_path
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.context import DEVELOPMENT
from redline.core.facts import Facts
from redline.core.groups import CROSS_RULE_PREFIX
from redline.core.known_images import lookup, unprivileged
from redline.core.model import Area, Confidence, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.core.suppress import FileSuppressions
from redline.sources.containers.compose import ComposeProject, ComposeService
from redline.sources.containers.compose_dev import build_context, command_text, dev_container, volume_source
from redline.sources.containers.dockerfile import Dockerfile, DockerStage

CIS_RUNTIME = "CIS Docker Benchmark v1.6.0, section 5 (Container Runtime)"

PRIVILEGED = Rule(
    code="CMP101",
    name="compose-privileged",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Compose service runs privileged",
    doc=RuleDoc(
        what_it_does="Flags services with `privileged: true`.",
        why_bad="A privileged container has every capability and every host device: it is root on the host.",
        example="services:\n  agent:\n    image: acme/agent:1.0\n    privileged: true",
        use_instead="services:\n  agent:\n    image: acme/agent:1.0\n    cap_drop: [ALL]\n    cap_add: "
        "[NET_BIND_SERVICE]",
        references=(CIS_RUNTIME + " 5.5", "https://docs.docker.com/reference/compose-file/services/#privileged"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
DOCKER_SOCK = Rule(
    code="CMP102",
    name="compose-docker-socket",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="Compose service mounts the Docker socket",
    doc=RuleDoc(
        what_it_does="Flags services whose `volumes` mount `docker.sock` (or another runtime socket, or its "
        "directory).",
        why_bad="Access to the Docker socket is root on the host: the service can start a privileged container "
        "mounting `/`. A compromise of that service (often a web UI) is a compromise of the host.",
        example="volumes:\n  - /var/run/docker.sock:/var/run/docker.sock",
        use_instead="Use a socket proxy that allows only the read-only endpoints needed (e.g. "
        "tecnativa/docker-socket-proxy), "
        "or drop the mount.",
        references=(CIS_RUNTIME + " 5.31",),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
NO_USER = Rule(
    code="CMP103",
    name="compose-runs-as-root",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Compose service may run as root",
    doc=RuleDoc(
        what_it_does="Flags services with `user: root`/`0`, and services with no `user:` whose Dockerfile (when "
        "built here) "
        "sets no non-root USER; for image-only services the image's user is unknown (low confidence).",
        why_bad="Root inside the container is one kernel or runtime bug away from root on the host.",
        example="services:\n  api:\n    build: ./api",
        use_instead='services:\n  api:\n    build: ./api\n    user: "10001:10001"',
        references=("CIS Docker Benchmark v1.6.0 4.1", "https://docs.docker.com/reference/compose-file/services/#user"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
DB_PORT_PUBLIC = Rule(
    code="CMP104",
    name="compose-database-port-on-all-interfaces",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Database or cache port published on all interfaces",
    doc=RuleDoc(
        what_it_does="Flags `ports` entries publishing a well-known database, cache or broker port (PostgreSQL, MySQL, "
        "MongoDB, Redis, Elasticsearch, Memcached, Cassandra, RabbitMQ, Kafka, etc.) without a host IP, "
        "or on 0.0.0.0 / ::.",
        why_bad="Docker publishes such ports on every interface and inserts iptables rules ahead of the host firewall "
        "(ufw does not stop them): a development database with default credentials becomes reachable from "
        "the internet.",
        example='ports:\n  - "5432:5432"',
        use_instead='ports:\n  - "127.0.0.1:5432:5432"   # or no ports at all: services reach it on the compose '
        "network",
        references=(
            "https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-and-ufw",
            CIS_RUNTIME + " 5.14",
        ),
    ),
    tags=("CWE-668", "STRIDE:I"),
)
NO_LIMITS = Rule(
    code="CMP105",
    name="compose-no-resource-limits",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Compose service has no memory limit",
    doc=RuleDoc(
        what_it_does="Flags services without a memory limit (`deploy.resources.limits.memory` or `mem_limit`).",
        why_bad="One leaking or overloaded container can take all of the host's memory and get its neighbours "
        "OOM-killed; runtime tuning (heap sizes, worker counts) also needs a known limit.",
        example="services:\n  api:\n    image: acme/api:1.0",
        use_instead="services:\n  api:\n    image: acme/api:1.0\n    deploy:\n      resources:\n"
        "        limits: {cpus: '1.0', memory: 512M}",
        references=(CIS_RUNTIME + " 5.11", "https://docs.docker.com/reference/compose-file/deploy/#resources"),
    ),
    tags=("CWE-770", "STRIDE:D"),
)
NO_HEALTHCHECK = Rule(
    code="CMP106",
    name="compose-no-healthcheck",
    area=Area.RESILIENCE,
    severity=Severity.INFO,
    summary="Compose service has no healthcheck",
    doc=RuleDoc(
        what_it_does="Flags services other services depend on (`depends_on`) that have no `healthcheck` and "
        "whose Dockerfile, when built here, has no HEALTHCHECK either, or whose image is a known data store "
        "without one; and any service that disables its healthcheck. A service nothing waits on is not asked "
        "(plain compose restarts on exit, not on ill health).",
        why_bad="`depends_on: condition: service_healthy` cannot work and a hung service is never restarted.",
        example="services:\n  db:\n    image: postgres:16",
        use_instead='services:\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD", '
        '"pg_isready"]\n'
        "      interval: 10s",
        references=(
            "CIS Docker Benchmark v1.6.0 4.6",
            "https://docs.docker.com/reference/compose-file/services/#healthcheck",
        ),
    ),
    tags=("CWE-703",),
)
HOST_NAMESPACES = Rule(
    code="CMP107",
    name="compose-host-namespaces",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Compose service shares the host network, PID or IPC namespace",
    doc=RuleDoc(
        what_it_does="Flags `network_mode: host`, `pid: host` and `ipc: host`.",
        why_bad="Host networking bypasses published-port control and exposes host-local services; host PID lets the "
        "container see and signal every host process; host IPC shares memory segments.",
        example="network_mode: host",
        use_instead='ports:\n  - "127.0.0.1:8080:8080"',
        references=(CIS_RUNTIME + " 5.9, 5.15, 5.16",),
    ),
    tags=("CWE-668", "STRIDE:E"),
)
WEAK_CONFINEMENT = Rule(
    code="CMP108",
    name="compose-weak-confinement",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Compose service adds dangerous capabilities or disables seccomp/AppArmor",
    doc=RuleDoc(
        what_it_does="Flags `cap_add` entries outside Docker's default set (SYS_ADMIN, NET_ADMIN, ALL…) and "
        "`security_opt` "
        "entries `seccomp:unconfined`, `apparmor:unconfined` or `label:disable`.",
        why_bad="Each removes a layer that stops a container compromise from reaching the host kernel.",
        example="cap_add: [SYS_ADMIN]\nsecurity_opt: [seccomp:unconfined]",
        use_instead="cap_drop: [ALL]\nsecurity_opt: [no-new-privileges:true]",
        references=(CIS_RUNTIME + " 5.3, 5.21",),
    ),
    tags=("CWE-250", "STRIDE:E"),
)

DB_PORTS: Mapping[int, str] = {
    5432: "PostgreSQL",
    3306: "MySQL",
    33060: "MySQL X",
    1433: "SQL Server",
    1521: "Oracle",
    27017: "MongoDB",
    6379: "Redis",
    11211: "Memcached",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    9042: "Cassandra",
    5984: "CouchDB",
    7474: "Neo4j",
    7687: "Neo4j",
    8086: "InfluxDB",
    2379: "etcd",
    5672: "RabbitMQ",
    9092: "Kafka",
    2181: "ZooKeeper",
    26257: "CockroachDB",
    8123: "ClickHouse",
    9000: "ClickHouse",
    28015: "RethinkDB",
    6380: "Redis",
    50000: "DB2",
    4222: "NATS",
    8529: "ArangoDB",
}
_PORT_RE = re.compile(
    r"^(?:(?P<ip>\[[^\]]*\]|[0-9.]+|[^:]*?):)??(?:(?P<host>[0-9-]*):)?(?P<ctr>[0-9]+)(?:-[0-9]+)?"
    r"(?:/(?P<proto>\w+))?$"
)
_DEFAULT_CAPS = BASELINE_CAPS | {"NET_RAW"}


#: ports many other programs use too (9000: Portainer, MinIO, PHP-FPM, SonarQube…): the service must name the store
_SHARED_PORTS: Mapping[int, tuple[str, ...]] = {
    9000: ("clickhouse",),
    8123: ("clickhouse",),
    8086: ("influx",),
    4222: ("nats",),
    50000: ("db2",),
    7474: ("neo4j",),
    7687: ("neo4j",),
    8529: ("arango",),
    28015: ("rethink",),
    2181: ("zookeeper", "zk"),
    2379: ("etcd",),
    9300: ("elastic", "opensearch"),
    5984: ("couch",),
    9042: ("cassandra", "scylla"),
}


def _serves(svc: ComposeService, port: int) -> bool:
    """The published port is the data store's: unambiguous ports always, shared ones when the service or its
    image names the product."""
    words = _SHARED_PORTS.get(port)
    if words is None:
        return True
    named = f"{svc.name} {svc.body.get('image', '')}".lower()
    return any(w in named for w in words)


def published(entry: Any) -> tuple[str, int] | None:
    """(host IP or "", container port) of one ``ports`` entry; ``None`` when not published on the host."""
    if isinstance(entry, int):
        return "", entry
    if isinstance(entry, Mapping):
        target = entry.get("target")
        if not isinstance(target, int | str) or not str(target).isdigit():
            return None
        return str(entry.get("host_ip", "")), int(target)
    m = _PORT_RE.match(str(entry).strip())
    if not m:
        return None
    return (m.group("ip") or "").strip("[]"), int(m.group("ctr"))


_REMEDY = {
    "CMP101": "privileged: false   # and grant only what it needs:\ncap_drop: [ALL]\ncap_add: [<the one capability>]",
    "CMP102": "Remove the docker.sock mount, or put a read-only socket proxy in front of it "
    "(tecnativa/docker-socket-proxy with only the endpoints it needs).",
    "CMP103": 'user: "10001:10001"   # or USER 10001 in the Dockerfile it builds',
    "CMP104": 'ports:\n  - "127.0.0.1:{port}:{port}"   # or drop `ports:`: services reach it on the compose network',
    "CMP105": "deploy:\n  resources:\n    limits: {cpus: '1.0', memory: 512M}",
    "CMP106": 'healthcheck:\n  test: ["CMD", "<a command that fails when the service is unhealthy>"]\n'
    "  interval: 10s\n  timeout: 3s\n  retries: 3",
    "CMP107": 'Remove `{key}: host`; publish the ports it serves instead (ports: ["127.0.0.1:8080:8080"]).',
    "CMP108": 'cap_drop: [ALL]\ncap_add: [<only what it needs>]\nsecurity_opt: ["no-new-privileges:true"]',
}


def build_target(svc: ComposeService) -> str:
    """The ``build.target`` stage a service builds ("" for the Dockerfile's last stage)."""
    build = svc.body.get("build")
    return str(build.get("target") or "") if isinstance(build, Mapping) else ""


def depends_on(svc: ComposeService) -> list[str]:
    """The services this one waits for (``depends_on`` as a list or a mapping)."""
    raw = svc.body.get("depends_on")
    if isinstance(raw, Mapping):
        return [str(k) for k in raw]
    return [str(x) for x in seq(raw)]


def development_files(project: ComposeProject) -> frozenset[str]:
    """The compose files of a project that set up a development container (``sources.containers.compose_dev``),
    whatever they are called: ``docker compose up`` on a laptop, not a deployment. Judged per file, so a base file
    stays a deployment when only its override adds the reloader and the source mounts."""
    files: set[str] = set()
    for svc in project.services:
        context = build_context(svc.body)
        layers = svc.layers or ((svc.origin(None)[0], svc.body),)
        files.update(path for path, body in layers if dev_container(body, context))
    return frozenset(files)


#: the rules that say "this service reaches into the host" (privileged, the runtime socket, host namespaces,
#: added capabilities or an unconfined profile)
_HOST_ACCESS = frozenset({"CMP101", "CMP102", "CMP107", "CMP108"})


def host_access_item(findings: Iterable[Finding]) -> list[Finding]:
    """A host agent (an eBPF profiler, a collector reading the Docker socket and host logs) that is privileged, mounts
    the runtime socket and joins the host PID namespace is one decision — does it need host access, and if so how is
    it confined — not three items. Its findings, and a ``user: root`` set on it on purpose, share one ``cause:``
    group led by the most severe. A root user without host access keeps its image's runs-as-root item."""
    found = list(findings)
    access = [f for f in found if f.rule in _HOST_ACCESS]
    if not access:
        return found
    group = f"{CROSS_RULE_PREFIX}host-access:{access[0].location.resource}"
    return [
        replace(f, group=group) if f.rule in _HOST_ACCESS or (f.rule == NO_USER.code and f.evidence.text("user")) else f
        for f in found
    ]


def one_shot(svc: ComposeService) -> bool:
    """A job that runs to completion (``restart: "no"`` said explicitly): no limits or health to keep."""
    return str(svc.body.get("restart", "")).strip("\"'").lower() == "no" and "restart" in svc.body


@dataclass(frozen=True)
class _Mode:
    needed: bool  # other services depend on it
    dev: bool  # a development or test environment: production concerns (limits, health) do not apply
    build_args: Mapping[str, str] = field(default_factory=dict)  # what it passes when compose builds its image
    #: the images the tree builds, by name (``compose_built_images``): a base image of the project's own
    parents: Mapping[str, Dockerfile] = field(default_factory=dict)


class _Scope:
    """Suppression comments of the compose files: a comment in (or right above) a service block covers every
    finding on that service, although a finding points at one key's line."""

    def __init__(self, facts: Facts) -> None:
        self.by_path = {s.path: s for s in facts.of(FileSuppressions)}

    def reason(self, code: str, path: str, first: int, last: int) -> str | None:
        supp = self.by_path.get(path)
        for item in supp.items if supp else ():
            if first - 1 <= item.line <= last and any(code.startswith(c) for c in item.codes):
                return item.reason
        return None


class ComposeCheck(ProjectCheck):
    name = "compose-hardening"
    rules = (
        PRIVILEGED,
        DOCKER_SOCK,
        NO_USER,
        DB_PORT_PUBLIC,
        NO_LIMITS,
        NO_HEALTHCHECK,
        HOST_NAMESPACES,
        WEAK_CONFINEMENT,
    )
    fact_types = (ComposeProject, Dockerfile, FileSuppressions)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        dockerfiles = {d.path: d for d in facts.of(Dockerfile)}
        scope = _Scope(facts)
        parents = ctx.scope.derived(compose_built_images, facts)
        out: list[Finding] = []
        for project in facts.of(ComposeProject):
            needed = {name for svc in project.services for name in depends_on(svc)}
            # a file that sets up one live-reload or debug container is a development environment whatever it is
            # called: its findings go through the one context step (kept, low, listed apart, not gating)
            devs = development_files(project)
            for svc in project.services:
                df = build_dockerfile(svc, dockerfiles)
                home = svc.origin(None)[0]
                mode = _Mode(
                    needed=svc.name in needed,
                    dev=home in devs or in_test_context(home, svc.name),
                    build_args=service_build_args(svc, project.dotenv),
                    parents=parents,
                )
                for f in host_access_item(self._service(svc, df, mode)):
                    scoped = self._scoped(scope, svc, f)
                    out.append(lowered(scoped, why=DEVELOPMENT) if scoped.location.path in devs else scoped)
        return unique(out)  # project variants (base + prod) repeat what the base defines

    def _scoped(self, scope: _Scope, svc: ComposeService, f: Finding) -> Finding:
        if f.suppressed:
            return f
        line = f.location.start_line
        spans = [
            (a, b)
            for (p, _), (a, b) in zip(svc.layers, svc.spans, strict=False)
            if p == f.location.path and a <= line <= b
        ]
        spans += [span for p, span in svc.blocks.items() if p == f.location.path]
        first, last = spans[0] if spans else (line, line)
        reason = scope.reason(f.rule, f.location.path, first, last)
        return replace(f, suppressed=reason) if reason else f

    def _f(
        self,
        r: Rule,
        svc: ComposeService,
        key: str | None,
        message: str,
        entry: Any = None,
        *,
        group: str = "",
        remediation: str = "",
        **kw: Any,
    ) -> Finding:
        path, _first, _last = svc.origin(key, entry)
        line = svc.key_line(key, entry)
        resource = f"compose/{svc.directory or '.'}/{svc.name}"
        loc = Location(path, line, line, snippet=f"service {svc.name}", resource=resource)
        if svc.profiles:  # only started with --profile: say so, the reader decides how much it matters
            kw["evidence"] = {**kw.get("evidence", {}), "profiles": tuple(svc.profiles)}
        f = self.finding(
            r,
            f"service `{svc.name}`: {message}",
            loc,
            identity=f"{resource}:{key or ''}:{message}",
            component=svc.name,
            remediation=remediation or _REMEDY[r.code],
            **kw,
        )
        return replace(lowered(f, svc.name), group=group or f"{resource}:{key or ''}:{message}")

    def _service(self, svc: ComposeService, df: Dockerfile | None, mode: _Mode) -> Iterator[Finding]:
        body = svc.body
        if body.get("privileged") is True:
            yield self._f(PRIVILEGED, svc, "privileged", "privileged: true")
        for vol in seq(body.get("volumes")):
            source = volume_source(vol)
            if source.startswith("/") and socket_path(source):
                yield self._f(DOCKER_SOCK, svc, "volumes", f"mounts the runtime socket `{source}`", vol)
        yield from self._user_findings(svc, df, mode)
        yield from self._ports(svc)
        yield from self._confinement(svc)
        if mode.dev or one_shot(svc):
            return  # limits and health are production concerns: not for a dev or test environment, or a job
        if svc.partial:
            return  # an overlay's fragment: the base file (named with -f elsewhere) sets what it leaves out
        limits = mapping(mapping(mapping(body.get("deploy")).get("resources")).get("limits"))
        if "memory" not in limits and "mem_limit" not in body:
            # one root cause per compose project: nobody sized its services (one item, every service a place)
            yield self._f(
                NO_LIMITS, svc, None, "sets no memory limit", group=f"compose/{svc.directory or '.'}:no-memory-limit"
            )
        yield from self._health(svc, df, mode.needed)

    def _ports(self, svc: ComposeService) -> Iterator[Finding]:
        for entry in seq(svc.body.get("ports")):
            pub = published(entry)
            if pub is None:
                continue
            ip, port = pub
            if port in DB_PORTS and ip in ("", "0.0.0.0", "::") and _serves(svc, port):
                shown = entry if not isinstance(entry, Mapping) else f"{entry.get('published', '')}:{port}"
                yield self._f(
                    DB_PORT_PUBLIC,
                    svc,
                    "ports",
                    f"publishes {DB_PORTS[port]} port {port} on all interfaces (`{shown}`)",
                    entry,
                    evidence={"port": port},
                    remediation=_REMEDY["CMP104"].format(port=port),
                )

    def _confinement(self, svc: ComposeService) -> Iterator[Finding]:
        body = svc.body
        for key in ("network_mode", "pid", "ipc"):
            if body.get(key) == "host":
                yield self._f(HOST_NAMESPACES, svc, key, f"{key}: host", remediation=_REMEDY["CMP107"].format(key=key))
        caps = sorted({str(c).upper().removeprefix("CAP_") for c in seq(body.get("cap_add"))} - _DEFAULT_CAPS)
        if caps:
            yield self._f(WEAK_CONFINEMENT, svc, "cap_add", f"adds capabilities {', '.join(caps)}")
        # security_opt entries are attributed to the file that added them
        for opt in seq(body.get("security_opt")):
            text = str(opt).replace("=", ":").lower().replace(" ", "")
            if text in ("seccomp:unconfined", "apparmor:unconfined", "label:disable", "label:disable:true"):
                yield self._f(WEAK_CONFINEMENT, svc, "security_opt", f"security_opt {opt}", opt)

    def _user_findings(self, svc: ComposeService, df: Dockerfile | None, mode: _Mode) -> Iterator[Finding]:
        user = svc.body.get("user")
        image = str(svc.body.get("image", ""))
        group = root_group(image_key(df) if df is not None else image_name(image) or svc.name)
        if user is not None:
            if is_root_user(str(user)):
                yield self._f(
                    NO_USER,
                    svc,
                    "user",
                    f"user: {user}",
                    severity=Severity.MEDIUM,
                    group=group,
                    evidence={"user": str(user)},
                )
            return
        stage = shipped_stage(df, build_target(svc)) if df is not None else None
        if df is not None and stage is not None:
            found = df.effective_user(stage.index)
            base = with_build_args(df.stages[df.lineage(stage.index)[-1]].image, mode.build_args)
            overridden = "entrypoint" in svc.body or any(df.in_stage(i, "ENTRYPOINT") for i in df.lineage(stage.index))
            if found is None and unprivileged(base, entrypoint_overridden=overridden):
                return
            if found is None and "entrypoint" not in svc.body and _drops_root(df, stage, base, mode, overridden):
                return  # as DKR101 judges its Dockerfile: the entrypoint, or the project's own base image, drops root
            if found is None and "entrypoint" in svc.body and unprivileged(base):
                # getsentry/self-hosted: a wrapper script of the project's own, which may hand over to the image's
                # entrypoint (and its drop of root) or not; the script is not read, so the finding says so
                entry = command_text(svc.body.get("entrypoint"))
                yield self._f(
                    NO_USER,
                    svc,
                    "entrypoint",
                    f"sets no user and replaces the entrypoint of `{base}`, which drops root itself: the service runs "
                    f"as root unless `{entry}` hands over to that entrypoint or drops root too",
                    group=group,
                    confidence=Confidence.MEDIUM,
                )
                return
            if found is None or is_root_user(found[0]):
                which = f"its Dockerfile {df.path}" if stage is df.final_stage else f"stage `{stage.name}` of {df.path}"
                yield self._f(NO_USER, svc, None, f"sets no user and {which} runs as root", group=group)
            return
        known = lookup(image)
        if (
            "build" not in svc.body
            and known is not None
            and not unprivileged(image, entrypoint_overridden="entrypoint" in svc.body)
        ):
            # only an image the known-image table says keeps root: an unknown image is not guessed at
            why = f" ({known.note})" if known.note else ""
            yield self._f(NO_USER, svc, None, f"sets no user and image `{image}` runs as root{why}", group=group)

    def _health(self, svc: ComposeService, df: Dockerfile | None, needed: bool) -> Iterator[Finding]:
        hc = svc.body.get("healthcheck")
        if isinstance(hc, Mapping):
            test = hc.get("test")
            disabled = hc.get("disable") is True or test in (["NONE"], "NONE")
            if not disabled:
                return
            yield self._f(NO_HEALTHCHECK, svc, "healthcheck", "disables its healthcheck")
            return
        if df is not None:
            if needed and not has_healthcheck(df):  # one cause with DKR105 on that Dockerfile
                yield self._f(
                    NO_HEALTHCHECK,
                    svc,
                    None,
                    f"has no healthcheck although other services depend on it, and neither has {df.path}",
                    group=healthcheck_group(df.path),
                )
            return
        known = lookup(str(svc.body.get("image", "")))
        if "build" not in svc.body and needed and known is not None and known.stateful:
            # a data store others connect to at start-up: without a healthcheck they cannot wait until it is ready
            yield self._f(
                NO_HEALTHCHECK,
                svc,
                None,
                f"has no healthcheck although other services depend on it (the "
                f"official `{known.label}` image defines none)",
            )


def _drops_root(df: Dockerfile, stage: DockerStage, base: str, mode: _Mode, overridden: bool) -> bool:
    """The image's own ENTRYPOINT drops root (su-exec, gosu), or it is built FROM an image of the project's own that
    does not run as root: what DKR101 accepts for the Dockerfile."""
    parent = mode.parents.get(image_name(base))
    return entrypoint_drops_root(df, stage) or own_parent_drops_root(df, parent, base, overridden=overridden)
