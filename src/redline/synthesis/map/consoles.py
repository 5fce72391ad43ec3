"""Admin consoles on the map: which component serves one (by its image), and whether it asks for a login.

Whether it authenticates comes from the image's documented default and the environment that changes
it: Jaeger, Prometheus, Consul without ACLs, Kibana without Elasticsearch credentials, Redis Commander,
Kafka UI, Flower and Zipkin answer anyone; Grafana, pgAdmin, RabbitMQ management, Adminer, phpMyAdmin and
Portainer ask for a login unless the environment turns it off (``GF_AUTH_ANONYMOUS_ENABLED=true``,
``PGADMIN_CONFIG_SERVER_MODE=False``); a login switched on by the environment or a flag (Prometheus
``--web.config.file``) counts. The threat register flags a
console that is reachable from outside and answers anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from redline.core.map_model import Console, Seen, Tri
from redline.synthesis.map.builder import MapBuilder
from redline.synthesis.map.refs import AddressRef


@dataclass(frozen=True, slots=True)
class ConsoleSpec:
    name: str
    images: tuple[str, ...]  # repository paths, matched on their last segments (``grafana/grafana``)
    port: int
    login: bool  # asks for a login by default
    #: (variable, lower-case values) that switch the login off
    anonymous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: variables whose presence switches a login on
    login_vars: tuple[str, ...] = ()
    #: command-line flags that switch a login on (Prometheus ``--web.config.file``)
    login_flags: tuple[str, ...] = ()
    tag_word: str = ""  # the console is in the image only when its tag holds this (``rabbitmq:3-management``)
    #: the console exists only when the command line holds one of these (Traefik's ``--api.insecure=true``)
    only_with_flags: tuple[str, ...] = ()
    #: (variable, word): a configuration the map cannot judge (Consul ACLs in ``CONSUL_LOCAL_CONFIG``)
    configured: tuple[str, str] = ("", "")


_TRUE = ("true", "1", "yes")
CONSOLES: tuple[ConsoleSpec, ...] = (
    ConsoleSpec(
        "Grafana",
        ("grafana/grafana", "grafana/grafana-oss", "grafana/grafana-enterprise"),
        3000,
        True,
        anonymous=(("GF_AUTH_ANONYMOUS_ENABLED", _TRUE), ("GF_AUTH_DISABLE_LOGIN_FORM", _TRUE)),
    ),
    ConsoleSpec(
        "Jaeger UI", ("jaegertracing/all-in-one", "jaegertracing/jaeger", "jaegertracing/jaeger-query"), 16686, False
    ),
    ConsoleSpec(
        "Prometheus", ("prom/prometheus", "prometheus/prometheus"), 9090, False, login_flags=("--web.config.file",)
    ),
    ConsoleSpec(
        "Consul UI/API", ("hashicorp/consul", "consul"), 8500, False, configured=("CONSUL_LOCAL_CONFIG", "acl")
    ),
    ConsoleSpec(
        "Kibana",
        ("kibana", "kibana/kibana"),
        5601,
        False,
        login_vars=("ELASTICSEARCH_USERNAME", "ELASTICSEARCH_SERVICEACCOUNTTOKEN", "ELASTICSEARCH_PASSWORD"),
    ),
    ConsoleSpec("RabbitMQ management", ("rabbitmq",), 15672, True, tag_word="management"),
    ConsoleSpec("pgAdmin", ("dpage/pgadmin4",), 80, True, anonymous=(("PGADMIN_CONFIG_SERVER_MODE", ("false",)),)),
    ConsoleSpec("Adminer", ("adminer",), 8080, True),
    ConsoleSpec("phpMyAdmin", ("phpmyadmin", "phpmyadmin/phpmyadmin"), 80, True),
    ConsoleSpec("Portainer", ("portainer/portainer-ce", "portainer/portainer"), 9000, True),
    ConsoleSpec(
        "Redis Commander", ("rediscommander/redis-commander",), 8081, False, login_vars=("HTTP_USER", "HTTP_PASSWORD")
    ),
    ConsoleSpec(
        "Kafka UI",
        ("provectuslabs/kafka-ui",),
        8080,
        False,
        anonymous=(("AUTH_TYPE", ("disabled",)),),
        login_vars=("AUTH_TYPE",),
    ),
    ConsoleSpec("Flower", ("mher/flower",), 5555, False, login_vars=("FLOWER_BASIC_AUTH",)),
    ConsoleSpec("Zipkin UI", ("openzipkin/zipkin",), 9411, False),
    ConsoleSpec(
        "Traefik dashboard (api.insecure)",
        ("traefik",),
        8080,
        False,
        only_with_flags=("--api.insecure=true", "--api.insecure"),
    ),
    ConsoleSpec("mongo-express", ("mongo-express",), 8081, False, login_vars=("ME_CONFIG_BASICAUTH_USERNAME",)),
)


def spec_for(image: str) -> ConsoleSpec | None:
    name = image.split("@", 1)[0]
    repo, _, tag = name.rpartition(":") if ":" in name.rsplit("/", 1)[-1] else (name, "", "")
    parts = repo.lower().split("/")
    for spec in CONSOLES:
        for path in spec.images:
            want = path.split("/")
            if parts[-len(want) :] == want and (not spec.tag_word or spec.tag_word in tag.lower()):
                return spec
    return None


def add_consoles(builder: MapBuilder, refs: Iterable[AddressRef]) -> None:
    env: dict[str, dict[str, AddressRef]] = {}
    for ref in refs:
        env.setdefault(ref.component, {})[ref.name] = ref
    for draft in builder.drafts.values():
        for image in draft.images:
            spec = spec_for(image)
            if spec is None or any(c.name == spec.name for c in draft.consoles):
                continue
            flag = next((s for w, s in draft.command if w.lower() in spec.only_with_flags), None)
            if spec.only_with_flags and flag is None:
                continue
            seen = draft.seen[0] if draft.seen else Seen("", 0, "")
            authenticated, why, where = _login(spec, env.get(draft.id, {}), draft.command)
            draft.consoles.append(Console(spec.name, spec.port, authenticated, why, where or flag or seen))


def _login(
    spec: ConsoleSpec, env: dict[str, AddressRef], command: Sequence[tuple[str, Seen]] = ()
) -> tuple[Tri, str, Seen | None]:
    for var, values in spec.anonymous:
        ref = env.get(var)
        if ref is not None and ref.value.strip().lower() in values:
            return Tri.NO, f"{spec.name} without a login: {var}={ref.value}", ref.seen
    var, word = spec.configured
    if var and var in env and word in env[var].value.lower():
        return Tri.UNKNOWN, f"{spec.name}: access control configured in {var}, not judged", env[var].seen
    for word, seen in command:
        if word.split("=", 1)[0] in spec.login_flags:
            return Tri.YES, f"{spec.name} asks for a login: `{word}` on its command line", seen
    for var in spec.login_vars:
        ref = env.get(var)
        if ref is not None and ref.value.strip():
            return Tri.YES, f"{spec.name} asks for a login: {var} is set", ref.seen
    if spec.login:
        return Tri.YES, f"{spec.name} asks for a login by default", None
    hint = f" ({' / '.join(spec.login_vars)} not set)" if spec.login_vars else ""
    return Tri.NO, f"{spec.name} answers anyone by default{hint}", None
