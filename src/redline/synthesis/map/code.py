"""Application code onto the map: the clients a service's code constructs, as flows to what they reach.

A Python module belongs to the component whose build context (compose ``build:``, a Dockerfile's
directory) holds it, the deepest context winning; tests and samples are left out. A call resolved
through the imports to a known client (``psycopg.connect``, ``redis.Redis``, ``boto3.client("s3")``,
``stripe.Charge.create``) is a flow to the component of that technology: the one a string argument
names (``redis.Redis(host="cache")``), else the one the service already talks to, else the only one
deployed beside it. A client of a technology nothing deploys becomes a component of its own, which
gets a probe. A DSN literal passed to any call, and a URL passed to an HTTP client, are read like an
address variable. Only calls count: an import alone (often optional, in ``try``) says nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.core.filekinds import looks_like_test_or_sample
from redline.core.map_model import Kind, Seen
from redline.sources.code.model import CallSite, CodeIndex
from redline.synthesis.map.builder import Draft, MapBuilder
from redline.synthesis.map.classify import LOCAL_HOSTS, kube_host, parse_address
from redline.synthesis.map.entry import ContextCode, entry_modules
from redline.synthesis.map.refs import AddressRef
from redline.synthesis.map.resolve import resolve_one


@dataclass(frozen=True, slots=True)
class Client:
    """A client library: the technology it speaks, the kind of thing it reaches, and the components'
    technologies that count as that thing (Valkey speaks Redis)."""

    technology: str
    kind: Kind
    serves: frozenset[str]
    external: bool = False  # a SaaS API or cloud service: outside the repository when nothing here defines it


def _store(tech: str, kind: Kind, *also: str) -> Client:
    return Client(tech, kind, frozenset({tech, *also}))


def _saas(name: str, kind: Kind = Kind.EXTERNAL_API) -> Client:
    return Client(name, kind, frozenset({name}), external=True)


def _aws(name: str, kind: Kind) -> Client:
    return Client(name, kind, frozenset({name}), external=True)


_POSTGRES = _store("postgresql", Kind.DATASTORE)
_MYSQL = _store("mysql", Kind.DATASTORE, "mariadb")
_REDIS = _store("redis", Kind.CACHE, "valkey", "aws elasticache", "memorystore redis", "azure redis")
_RABBIT = _store("rabbitmq", Kind.QUEUE)
_KAFKA = _store("kafka", Kind.QUEUE, "aws msk")

#: dotted prefix of a resolved call target -> the client it is (longest prefix wins)
CLIENTS: dict[str, Client] = {
    "psycopg": _POSTGRES,
    "psycopg2": _POSTGRES,
    "psycopg_pool": _POSTGRES,
    "asyncpg": _POSTGRES,
    "pg8000": _POSTGRES,
    "aiopg": _POSTGRES,
    "pymysql": _MYSQL,
    "MySQLdb": _MYSQL,
    "mysql.connector": _MYSQL,
    "aiomysql": _MYSQL,
    "pymongo": _store("mongodb", Kind.DATASTORE, "aws documentdb"),
    "motor": _store("mongodb", Kind.DATASTORE, "aws documentdb"),
    "redis": _REDIS,
    "aioredis": _REDIS,
    "pymemcache": _store("memcached", Kind.CACHE),
    "pylibmc": _store("memcached", Kind.CACHE),
    "pika": _RABBIT,
    "aio_pika": _RABBIT,
    "aiormq": _RABBIT,
    "kombu": _RABBIT,
    "kafka": _KAFKA,
    "confluent_kafka": _KAFKA,
    "aiokafka": _KAFKA,
    "nats": _store("nats", Kind.QUEUE),
    "elasticsearch": _store("elasticsearch", Kind.DATASTORE, "aws elasticsearch"),
    "opensearchpy": _store("opensearch", Kind.DATASTORE, "aws opensearch"),
    "cassandra.cluster": _store("cassandra", Kind.DATASTORE),
    "stripe": _saas("stripe"),
    "twilio": _saas("twilio"),
    "sendgrid": _saas("sendgrid"),
    "sentry_sdk": _saas("sentry"),
    "slack_sdk": _saas("slack"),
    "braintree": _saas("braintree"),
    "paypalrestsdk": _saas("paypal"),
    "openai": _saas("openai"),
    "anthropic": _saas("anthropic"),
    "mailchimp_marketing": _saas("mailchimp"),
    # JavaScript / TypeScript packages (the index resolves `require`/`import` to the package name)
    "pg": _POSTGRES,
    "pg-pool": _POSTGRES,
    "postgres": _POSTGRES,
    "mysql": _MYSQL,
    "mysql2": _MYSQL,
    "mongodb": _store("mongodb", Kind.DATASTORE, "aws documentdb"),
    "mongoose": _store("mongodb", Kind.DATASTORE, "aws documentdb"),
    "ioredis": _REDIS,
    "amqplib": _RABBIT,
    "kafkajs": _KAFKA,
    "@sentry/node": _saas("sentry"),
    "@sendgrid/mail": _saas("sendgrid"),
    "@aws-sdk/client-s3": _aws("aws s3", Kind.OBJECT_STORE),
    "@aws-sdk/client-sqs": _aws("aws sqs", Kind.QUEUE),
    "@aws-sdk/client-sns": _aws("aws sns", Kind.QUEUE),
    "@aws-sdk/client-dynamodb": _aws("aws dynamodb", Kind.DATASTORE),
    # Go modules (the package path, without a /vN major-version suffix)
    "github.com/jackc/pgx": _POSTGRES,
    "github.com/go-sql-driver/mysql": _MYSQL,
    "go.mongodb.org/mongo-driver": _store("mongodb", Kind.DATASTORE, "aws documentdb"),
    "github.com/redis/go-redis": _REDIS,
    "github.com/go-redis/redis": _REDIS,
    "github.com/rabbitmq/amqp091-go": _RABBIT,
    "github.com/streadway/amqp": _RABBIT,
    "github.com/IBM/sarama": _KAFKA,
    "github.com/Shopify/sarama": _KAFKA,
    "github.com/segmentio/kafka-go": _KAFKA,
    "github.com/confluentinc/confluent-kafka-go": _KAFKA,
    "github.com/nats-io/nats.go": _store("nats", Kind.QUEUE),
    "github.com/stripe/stripe-go": _saas("stripe"),
    "github.com/getsentry/sentry-go": _saas("sentry"),
}
_GO_MAJOR = re.compile(r"/v\d+(?=/|$)")

#: ``boto3.client(NAME)`` service names -> the client (matched to the Terraform resource of that technology)
AWS_SERVICES: dict[str, Client] = {
    "s3": _aws("aws s3", Kind.OBJECT_STORE),
    "sqs": _aws("aws sqs", Kind.QUEUE),
    "sns": _aws("aws sns", Kind.QUEUE),
    "dynamodb": _aws("aws dynamodb", Kind.DATASTORE),
    "kinesis": _aws("aws kinesis", Kind.QUEUE),
    "lambda": _aws("aws lambda", Kind.JOB),
    "ses": _aws("aws ses", Kind.EXTERNAL_API),
    "sesv2": _aws("aws ses", Kind.EXTERNAL_API),
    "secretsmanager": _aws("aws secrets manager", Kind.EXTERNAL_API),
    "cognito-idp": _aws("aws cognito", Kind.IDENTITY),
}
_BOTO3_FACTORIES = frozenset({"boto3.client", "boto3.resource"})
#: calls whose URL argument is a request the service makes
_HTTP_CLIENTS = ("requests.", "httpx.", "aiohttp.", "urllib.request.urlopen", "urllib3.", "grpc.insecure_channel")


def add_code(builder: MapBuilder, indexes: Iterable[CodeIndex]) -> None:
    owners = BuildOwners(builder.drafts.values())
    mine = [i for i in sorted(indexes, key=lambda i: i.path) if not looks_like_test_or_sample(i.path)]
    runs = owners.runs(mine)
    techs = _ByTechnology(builder)
    for index in mine:
        for draft in owners.of(index.path):
            if draft.id not in runs or index.path in runs[draft.id]:
                for call in index.calls:
                    _call(builder, techs, draft, index.path, call)


class _ByTechnology:
    """The components of each technology, rebuilt only when the map has grown or an address was read
    (a client call per service must not scan every component)."""

    def __init__(self, builder: MapBuilder) -> None:
        self.builder = builder
        self.size = -1
        self.index: dict[str, list[Draft]] = {}

    def stale(self) -> None:
        self.size = -1

    def of(self, technologies: frozenset[str]) -> list[Draft]:
        if self.size != len(self.builder.drafts):
            self.index = {}
            for d in self.builder.drafts.values():
                self.index.setdefault(d.technology, []).append(d)
            self.size = len(self.builder.drafts)
        return [d for t in sorted(technologies) for d in self.index.get(t, [])]


class BuildOwners:
    """The component(s) whose build context holds a file: the deepest context; several when they share it."""

    def __init__(self, drafts: Iterable[Draft]) -> None:
        self.dirs: dict[str, list[Draft]] = {}
        for draft in drafts:
            if draft.built_here:
                for d in draft.build_dirs:
                    self.dirs.setdefault(d, []).append(draft)

    def of(self, path: str) -> list[Draft]:
        """The deepest context holding ``path``: its parent folders looked up, deepest first."""
        directory = path
        while directory:
            directory = directory.rsplit("/", 1)[0] if "/" in directory else ""
            if directory in self.dirs:
                return self.dirs[directory]
        return []

    def runs(self, indexes: list[CodeIndex]) -> dict[str, set[str]]:
        """For components sharing a build context: the files each runs, from its command's entry module
        (``entry.py``). A component missing here runs every file of its context."""
        out: dict[str, set[str]] = {}
        for directory, drafts in self.dirs.items():
            if len(drafts) < 2:
                continue
            code = ContextCode(directory, (i for i in indexes if self.of(i.path) is drafts))
            for draft in drafts:
                words = [w for w, _s in draft.command] or draft.image_command
                files = code.reachable(entry_modules(words))
                if files is not None:
                    out[draft.id] = files
        return out


def client_of(call: CallSite) -> Client | None:
    target = call.target or ""
    if target in _BOTO3_FACTORIES:
        name = next((a.literal for a in call.args if a.keyword in (None, "service_name")), None)
        return AWS_SERVICES.get(name) if isinstance(name, str) else None
    if "/" in target:  # a Go package path or a scoped npm package: ``github.com/IBM/sarama.NewSyncProducer``
        return _by_package(target.rsplit(".", 1)[0] if "." in target.rsplit("/", 1)[-1] else target)
    parts = target.split(".")
    for n in range(len(parts), 0, -1):
        client = CLIENTS.get(".".join(parts[:n]))
        if client is not None:
            return client
    return None


def _by_package(package: str) -> Client | None:
    """The client of a package path or of the module it belongs to (longest path first)."""
    parts = _GO_MAJOR.sub("", package).split("/")
    for n in range(len(parts), 0, -1):
        client = CLIENTS.get("/".join(parts[:n]))
        if client is not None:
            return client
    return None


def _strings(call: CallSite) -> Iterator[str]:
    for arg in call.args:
        if isinstance(arg.literal, str):
            yield arg.literal


def _call(builder: MapBuilder, techs: _ByTechnology, draft: Draft, path: str, call: CallSite) -> None:
    """An address the call is passed, else the client it makes; the ``Seen`` for it built only then (most of
    the project's calls are neither: building one per call was most of this step on redash)."""
    handled = False
    for value in _strings(call):
        if "://" in value and _address(builder, draft, call, value, _seen(path, call, draft)):
            handled = True
            techs.stale()  # the address may have named a technology
    client = None if handled else client_of(call)
    if client is not None:
        _client(builder, techs, draft, client, call, seen=_seen(path, call, draft))


def _seen(path: str, call: CallSite, draft: Draft) -> Seen:
    return Seen(path, call.line, f"`{call.raw or call.target}(…)` in the code of `{draft.name}`", call.end_line)


def _address(builder: MapBuilder, draft: Draft, call: CallSite, value: str, seen: Seen) -> bool:
    """A DSN passed to any call, a URL passed to an HTTP client: resolved like an address variable."""
    found = parse_address(value)
    if not found or not found[0].scheme:
        return False
    if found[0].scheme in ("http", "https", "ws", "wss", "grpc", "grpcs") and not (call.target or "").startswith(
        _HTTP_CLIENTS
    ):
        return False
    if found[0].host in LOCAL_HOSTS:
        return False
    resolve_one(builder, AddressRef(draft.id, call.raw or call.target or "call", value, seen), found[0])
    return True


def _client(
    builder: MapBuilder, techs: _ByTechnology, draft: Draft, client: Client, call: CallSite, *, seen: Seen
) -> None:
    target = _named_in_call(builder, client, call)
    if target is None:
        candidates = _candidates(builder, techs, draft, client)
        if len(candidates) > 1:
            builder.problem(
                f"{seen}: `{draft.name}` uses a {client.technology} client and {len(candidates)} components could "
                f"be what it reaches ({', '.join(sorted(d.id for d in candidates))}): no flow drawn"
            )
            return
        target = candidates[0] if candidates else None
    if target is None:
        target = builder.component(client.technology, seen, client.kind, client.technology)
        if client.external:
            target.external = True
        else:
            target.addressed_by.append((f"{client.technology} client", seen))
    flow = builder.flows.get((draft.id, target.id))
    if flow is not None and any(s.path == seen.path for s in flow.seen):
        return  # the first call in a file says it; every ``capture_exception`` after it adds nothing
    builder.flow(draft.id, target.id, seen, protocol="https" if client.external else client.technology)


def _named_in_call(builder: MapBuilder, client: Client, call: CallSite) -> Draft | None:
    """``redis.Redis(host="cache")``, ``pika.ConnectionParameters("mq")``: a component named in the call."""
    for value in _strings(call):
        if "://" in value or value.lower() in LOCAL_HOSTS or not _looks_like_host(value):
            continue
        found = builder.find(kube_host(value))
        if found is not None and found.technology in client.serves:
            return found
    return None


def _looks_like_host(value: str) -> bool:
    return 0 < len(value) <= 253 and all(ch.isalnum() or ch in "-._" for ch in value)


def _candidates(builder: MapBuilder, techs: _ByTechnology, draft: Draft, client: Client) -> list[Draft]:
    """The components the client may reach, narrowed in steps until one is left: those the service
    already reaches, else those sharing a manifest with it; [] when none is on the map."""
    named = builder.find(client.technology)  # a SaaS already on the map by its host (``stripe``)
    found = techs.of(client.serves)
    candidates = [d for d in ([named, *found] if named is not None and named not in found else found) if d is not draft]
    reached = [d for d in candidates if (draft.id, d.id) in builder.flows]
    if reached:
        return reached
    files = {s.path for s in draft.seen}
    beside = [d for d in candidates if files & {s.path for s in d.seen}]
    return beside if len(beside) == 1 else candidates
