"""What a component is, from the words the facts use: image names, URL schemes, ports, Terraform types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from redline.core.images import parse_image
from redline.core.known_images import technology_of
from redline.core.map_model import Kind

#: URL scheme -> (technology, kind, encrypted)
SCHEMES: dict[str, tuple[str, Kind, bool | None]] = {
    "postgres": ("postgresql", Kind.DATASTORE, None),
    "postgresql": ("postgresql", Kind.DATASTORE, None),
    "mysql": ("mysql", Kind.DATASTORE, None),
    "mongodb": ("mongodb", Kind.DATASTORE, None),
    "mongodb+srv": ("mongodb", Kind.DATASTORE, True),
    "redis": ("redis", Kind.CACHE, False),
    "rediss": ("redis", Kind.CACHE, True),
    "amqp": ("rabbitmq", Kind.QUEUE, False),
    "amqps": ("rabbitmq", Kind.QUEUE, True),
    "kafka": ("kafka", Kind.QUEUE, None),
    "nats": ("nats", Kind.QUEUE, False),
    "memcached": ("memcached", Kind.CACHE, False),
    "http": ("http", Kind.SERVICE, False),
    "https": ("http", Kind.SERVICE, True),
    "grpc": ("grpc", Kind.SERVICE, False),
    "grpcs": ("grpc", Kind.SERVICE, True),
    "s3": ("s3", Kind.OBJECT_STORE, True),
    "ws": ("websocket", Kind.SERVICE, False),
    "wss": ("websocket", Kind.SERVICE, True),
}

#: well-known ports -> (protocol / technology, kind)
PORTS: dict[int, tuple[str, Kind]] = {
    5432: ("postgresql", Kind.DATASTORE),
    3306: ("mysql", Kind.DATASTORE),
    27017: ("mongodb", Kind.DATASTORE),
    6379: ("redis", Kind.CACHE),
    11211: ("memcached", Kind.CACHE),
    5672: ("rabbitmq", Kind.QUEUE),
    9092: ("kafka", Kind.QUEUE),
    4222: ("nats", Kind.QUEUE),
    9200: ("elasticsearch", Kind.DATASTORE),
    1433: ("sql server", Kind.DATASTORE),
    9042: ("cassandra", Kind.DATASTORE),
}

#: admin consoles that must not be reachable without authentication
ADMIN_PORTS: dict[int, str] = {
    15672: "RabbitMQ management",
    8500: "Consul UI/API",
    16686: "Jaeger UI",
    3000: "Grafana (default port)",
    9090: "Prometheus",
    8080: "HTTP (often an admin UI)",
}

#: Terraform resource type (prefix match) -> kind
TERRAFORM_KINDS: tuple[tuple[str, Kind, str], ...] = (
    ("aws_db_instance", Kind.DATASTORE, "aws rds"),
    ("aws_rds_cluster", Kind.DATASTORE, "aws aurora"),
    ("aws_dynamodb_table", Kind.DATASTORE, "aws dynamodb"),
    ("aws_docdb_cluster", Kind.DATASTORE, "aws documentdb"),
    ("aws_elasticache_", Kind.CACHE, "aws elasticache"),
    ("aws_sqs_queue", Kind.QUEUE, "aws sqs"),
    ("aws_sns_topic", Kind.QUEUE, "aws sns"),
    ("aws_kinesis_stream", Kind.QUEUE, "aws kinesis"),
    ("aws_msk_cluster", Kind.QUEUE, "aws msk"),
    ("aws_mq_broker", Kind.QUEUE, "aws mq"),
    ("aws_s3_bucket", Kind.OBJECT_STORE, "aws s3"),
    ("aws_lb", Kind.EDGE, "aws load balancer"),
    ("aws_alb", Kind.EDGE, "aws load balancer"),
    ("aws_elb", Kind.EDGE, "aws classic load balancer"),
    ("aws_cloudfront_distribution", Kind.EDGE, "aws cloudfront"),
    ("aws_api_gateway_rest_api", Kind.EDGE, "aws api gateway"),
    ("aws_apigatewayv2_api", Kind.EDGE, "aws api gateway"),
    ("aws_lambda_function", Kind.JOB, "aws lambda"),
    ("aws_eks_cluster", Kind.SERVICE, "aws eks"),
    ("aws_ecs_service", Kind.SERVICE, "aws ecs"),
    ("aws_cognito_user_pool", Kind.IDENTITY, "aws cognito"),
    ("aws_opensearch_domain", Kind.DATASTORE, "aws opensearch"),
    ("aws_elasticsearch_domain", Kind.DATASTORE, "aws elasticsearch"),
    ("google_sql_database_instance", Kind.DATASTORE, "cloud sql"),
    ("google_spanner_instance", Kind.DATASTORE, "spanner"),
    ("google_bigtable_instance", Kind.DATASTORE, "bigtable"),
    ("google_redis_instance", Kind.CACHE, "memorystore redis"),
    ("google_pubsub_topic", Kind.QUEUE, "pub/sub"),
    ("google_storage_bucket", Kind.OBJECT_STORE, "cloud storage"),
    ("google_compute_global_forwarding_rule", Kind.EDGE, "gcp load balancer"),
    ("google_compute_forwarding_rule", Kind.EDGE, "gcp load balancer"),
    ("google_cloudfunctions", Kind.JOB, "cloud functions"),
    ("google_cloud_run_service", Kind.SERVICE, "cloud run"),
    ("google_cloud_run_v2_service", Kind.SERVICE, "cloud run"),
    ("google_container_cluster", Kind.SERVICE, "gke"),
    ("azurerm_postgresql_", Kind.DATASTORE, "azure postgresql"),
    ("azurerm_mysql_", Kind.DATASTORE, "azure mysql"),
    ("azurerm_mssql_server", Kind.DATASTORE, "azure sql"),
    ("azurerm_sql_server", Kind.DATASTORE, "azure sql"),
    ("azurerm_cosmosdb_account", Kind.DATASTORE, "cosmos db"),
    ("azurerm_redis_cache", Kind.CACHE, "azure redis"),
    ("azurerm_servicebus_namespace", Kind.QUEUE, "service bus"),
    ("azurerm_eventhub_namespace", Kind.QUEUE, "event hubs"),
    ("azurerm_storage_account", Kind.OBJECT_STORE, "azure storage"),
    ("azurerm_lb", Kind.EDGE, "azure lb"),
    ("azurerm_application_gateway", Kind.EDGE, "application gateway"),
    ("azurerm_function_app", Kind.JOB, "azure functions"),
    ("azurerm_linux_function_app", Kind.JOB, "azure functions"),
    ("azurerm_kubernetes_cluster", Kind.SERVICE, "aks"),
)
#: sub-resources of a thing already on the map (``aws_s3_bucket_policy`` belongs to its bucket)
_TERRAFORM_PARTS = re.compile(
    r"_(policy|acl|versioning|lifecycle_configuration|public_access_block|"
    r"server_side_encryption_configuration|logging|notification|cors_configuration|"
    r"website_configuration|ownership_controls|replication_configuration|"
    r"subscription|listener|listener_rule|target_group|target_group_attachment|"
    r"parameter_group|subnet_group|option_group|snapshot|permission|alias|"
    r"event_source_mapping|node_group|node_pool|addon|iam_member|iam_binding|"
    r"iam_policy|database|user|firewall_rule|configuration|queue_policy|"
    r"topic_policy|cluster_instance|rule|backend_address_pool|probe)$"
)

_HOSTPORT_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)(?::(\d{1,5}))?$")
_KUBE_DNS_RE = re.compile(r"^([a-z0-9-]+)(?:\.[a-z0-9-]+)?(?:\.svc(?:\.cluster\.local)?)?$")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "::", "host.docker.internal"})
#: address-looking variable names
ADDRESS_VAR_RE = re.compile(
    r"(?:_ADDR|_ADDRESS|_URL|_URI|_HOST|_HOSTNAME|_DSN|_ENDPOINT|_SERVER|_SERVERS|"
    r"_BROKERS?|_BOOTSTRAP_SERVERS)$|^(?:DATABASE_URL|REDIS_URL|AMQP_URL|MONGO_URL)$"
)
#: hosts of well-known third-party APIs -> (name, kind)
THIRD_PARTY_HOSTS: tuple[tuple[str, str, Kind], ...] = (
    ("stripe.com", "stripe", Kind.EXTERNAL_API),
    ("twilio.com", "twilio", Kind.EXTERNAL_API),
    ("sendgrid.net", "sendgrid", Kind.EXTERNAL_API),
    ("sendgrid.com", "sendgrid", Kind.EXTERNAL_API),
    ("auth0.com", "auth0", Kind.IDENTITY),
    ("okta.com", "okta", Kind.IDENTITY),
    ("login.microsoftonline.com", "azure ad", Kind.IDENTITY),
    ("accounts.google.com", "google identity", Kind.IDENTITY),
    ("amazonaws.com", "aws", Kind.EXTERNAL_API),
    ("googleapis.com", "google apis", Kind.EXTERNAL_API),
    ("slack.com", "slack", Kind.EXTERNAL_API),
    ("github.com", "github", Kind.EXTERNAL_API),
    ("paypal.com", "paypal", Kind.EXTERNAL_API),
    ("sentry.io", "sentry", Kind.EXTERNAL_API),
)


_NOT_HOSTS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "none", "null", "enabled", "disabled", "debug", "info", "warn", "error"}
)


@dataclass(frozen=True, slots=True)
class Address:
    """An address read from a variable: the host it names and what the value says about the protocol."""

    host: str
    port: int | None
    scheme: str
    raw_kind: Kind | None  # what the scheme or port says the target is
    technology: str
    encrypted: bool | None
    has_credentials: bool


def image_repo(image: str) -> str:
    """``gcr.io/p/redis:7@sha256:..`` -> ``redis`` (``core.images`` splits it)."""
    return parse_image(image).name


def image_tech(image: str) -> tuple[str, Kind] | None:
    """What an image (or a component named like one) is, from the known-images table the container
    checks read too (``core/known_images.toml``, its ``[[technology]]`` rows)."""
    row = technology_of(image_repo(image))
    return (row.technology, Kind(row.kind)) if row else None


def terraform_kind(rtype: str) -> tuple[Kind, str] | None:
    if _TERRAFORM_PARTS.search(rtype) and not rtype.endswith(("_cluster", "_instance")):
        return None
    for prefix, kind, tech in TERRAFORM_KINDS:
        if rtype == prefix or (
            rtype.startswith(prefix)
            and (prefix.endswith("_") or (rtype[len(prefix)] == "_" and not _TERRAFORM_PARTS.search(rtype)))
        ):
            return kind, tech
    return None


def kube_host(host: str) -> str:
    """``cart.shop.svc.cluster.local`` -> ``cart``; other hosts unchanged (lower-case)."""
    host = host.lower().rstrip(".")
    m = _KUBE_DNS_RE.match(host)
    if m and (".svc" in host or "." not in host or (host.count(".") == 1 and not _has_tld(host))):
        return m.group(1)
    return host


def _has_tld(host: str) -> bool:
    return bool(re.search(r"\.(com|net|org|io|dev|cloud|co|app|ai|de|uk|fr|internal|local)$", host))


def is_external_host(host: str) -> bool:
    """A public DNS name (has a dot and a real top-level domain), not a cluster or compose name."""
    return (
        "." in host
        and ".svc" not in host
        and not host.endswith((".local", ".internal", ".cluster"))
        and not re.fullmatch(r"[\d.]+", host)
        and _has_tld(host)
    )


def third_party(host: str) -> tuple[str, Kind] | None:
    for suffix, name, kind in THIRD_PARTY_HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return name, kind
    return None


def parse_address(value: str) -> list[Address]:
    """The addresses a variable's value names (a Kafka broker list has several); [] when none."""
    value = value.strip().strip("'\"")
    if not value or "$" in value or "{" in value or " " in value:
        return []
    if "://" in value:
        return _from_url(value)
    out: list[Address] = []
    for part in value.split(","):
        m = _HOSTPORT_RE.match(part.strip())
        if not m or (m.group(1).replace(".", "").isdigit() and m.group(2) is None):
            continue
        port = int(m.group(2)) if m.group(2) else None
        if port is None and m.group(1).lower() in _NOT_HOSTS:
            continue
        tech, kind = PORTS.get(port, ("", None)) if port else ("", None)
        out.append(Address(m.group(1).lower(), port, "", kind, tech, None, False))
    return out


def _from_url(value: str) -> list[Address]:
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return []
    scheme = parts.scheme.lower()
    base = scheme.split("+", 1)[0] if scheme not in SCHEMES else scheme
    tech, kind, encrypted = SCHEMES.get(base, ("", None, None))
    if scheme.startswith(("postgresql+", "mysql+")):
        tech, kind, encrypted = SCHEMES[base]
    if not host:
        return []
    if port is None:
        port = {"https": 443, "http": 80}.get(scheme)
    if kind is None and port in PORTS:
        tech, kind = PORTS[port]
    if "sslmode=require" in value or "ssl=true" in value or "tls=true" in value:
        encrypted = True
    if kind in (Kind.SERVICE,):
        kind = None  # http says nothing about what is behind it
    return [Address(host.lower(), port, scheme, kind, tech, encrypted, parts.username is not None)]
