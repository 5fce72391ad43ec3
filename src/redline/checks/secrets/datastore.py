"""Credentials of data stores, wherever a program or deployment writes them down.

Three shapes, in any language or file type:

- URL userinfo: ``postgres://user:pass@host``, MySQL/MariaDB, MongoDB (``+srv``), Redis(``s``),
  AMQP(``s``), SQL Server, Oracle, ClickHouse, CockroachDB, SQLAlchemy ``dialect+driver://`` and
  ``jdbc:…://user:pass@``;
- key=value connection strings: ADO.NET (``Server=…;Password=…;``), ODBC (``…;PWD=…``), JDBC
  properties (``jdbc:…?user=…&password=…``);
- structured configuration: a ``password``/``secret``/``token`` key whose own name or whose parent
  section names a data store (``database:``, ``spring.datasource.password``, ``[redis]``,
  ``POSTGRES_PASSWORD`` in compose ``environment`` in map or list form, Kubernetes ``env``
  name/value pairs), in YAML, JSON, TOML, INI and ``.properties`` files (see ``structure``).

A well-known default (postgres/postgres, root/root, guest/guest, admin/admin, sa with the product's
name, a password equal to the user name) is reported as a default credential at low severity;
a variable reference (``${POSTGRES_PASSWORD}``) or a placeholder is no credential at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from redline.checks.secrets.context import assigned_name
from redline.checks.secrets.filters import encodes_a_stand_in, is_placeholder, is_store_reference
from redline.checks.secrets.gitlab_services import service_images
from redline.checks.secrets.structure import KeyValue, key_values
from redline.checks.secrets.triggers import DRIVER_CALL, PASSWORD, URL, triggers
from redline.core.filekinds import CI_FILE, GITLAB_CI
from redline.core.hosts import is_loopback
from redline.core.lazy_regex import lazy

#: passwords that products ship with or that tutorials use: a default, not a chosen secret
DEFAULT_PASSWORDS = frozenset(
    {
        "postgres",
        "postgresql",
        "root",
        "guest",
        "admin",
        "administrator",
        "mysql",
        "mariadb",
        "redis",
        "rabbitmq",
        "mongo",
        "mongodb",
        "sa",
        "pass",
        "test",
        "oracle",
        "tiger",
        "user",
        "demo",
        "dev",
        "keycloak",
        "elastic",
        "minio",
        "minioadmin",
        "neo4j",
        "clickhouse",
        "default",
        "app",
        "apppass",
        "dbpass",
        "db",
        "docker",
        "sql",
        "admin123",
        "root123",
        "toor",
        "qwerty",
        "letmein",
        "welcome",
        "123456",
        "12345678",
        "password1",
        "passw0rd",
        "p@ssw0rd",
        "p@ssword",
        "postgrespw",
        "mysqlpw",
        "rootpassword",
    }
)

_STORES = (
    ("PostgreSQL", r"postgres(?:ql)?|pg(?:sql)?|psql|cockroach(?:db)?|timescale(?:db)?|supabase"),
    ("MySQL", r"mysql|mariadb"),
    ("MongoDB", r"mongo(?:db)?"),
    ("Redis", r"redis|valkey|keydb"),
    ("RabbitMQ", r"rabbit(?:mq)?|amqp"),
    ("SQL Server", r"mssql|sqlserver|sql[_-]?server"),
    ("Oracle", r"oracle"),
    ("ClickHouse", r"clickhouse"),
    ("Elasticsearch", r"elastic(?:search)?|opensearch"),
    ("Cassandra", r"cassandra|scylla"),
    ("Neo4j", r"neo4j"),
    ("InfluxDB", r"influx(?:db)?"),
    ("MinIO", r"minio"),
    ("Kafka", r"kafka"),
    ("Memcached", r"memcached?"),
    ("CouchDB", r"couch(?:db|base)"),
    ("database", r"db|database|databases|datasource|datasources|datastore|sql|jdbc|r2dbc|sqlalchemy|ecto"),
    ("cache", r"cache|caches"),
    ("message broker", r"broker|mq|celery"),
)
_STORE_TOKEN = lazy("(?i)^(?:" + "|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(_STORES)) + ")$")

#: translation catalogues, compiled catalogues, stylesheets, images and source maps hold no connection strings
_NO_CREDENTIALS = (
    ".po",
    ".pot",
    ".mo",
    ".css",
    ".scss",
    ".less",
    ".svg",
    ".map",
    ".png",
    ".jpg",
    ".gif",
    ".ico",
    ".woff",
    ".woff2",
    ".ttf",
    ".eot",
    ".pdf",
)
_FALLBACK = lazy(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}\s$]{1,200})\}$")
_SCHEMES = (
    r"postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|clickhouse"
    r"|cockroachdb|timescaledb|neo4j(?:\+s)?|bolt|couchbases?|influxdb|cassandra|elasticsearch"
)
_URL = lazy(
    rb"(?i)(?<![A-Za-z0-9+.-])(?:jdbc:)?(?P<scheme>(?:" + _SCHEMES.encode() + rb")(?:\+[a-z0-9_]+)?)://"
    rb"(?P<user>[^\s:/@'\"`<>\\]{0,100}):(?P<pw>[^\s:/@'\"`<>\\]{1,200})@(?P<host>[A-Za-z0-9._%\[\]-]{1,253})"
    rb"(?::(?P<port>[0-9]{1,5}))?(?:/(?P<db>[A-Za-z0-9_-]{1,64}))?"
)
_STR = rb"""(?:'[^'\n]{0,300}'|"[^"\n]{0,300}"|\$?[A-Za-z_][A-Za-z0-9_.]{0,60})"""
_DRIVER_CALL = lazy(
    rb"(?i)(?P<call>new\s+PDO|new\s+mysqli|mysqli_connect|DriverManager\.getConnection)\s*\(\s*"
    + _STR
    + rb"\s*,\s*['\"](?P<user>[^'\"\n]{1,100})['\"]\s*,\s*['\"](?P<pw>[^'\"\n\\]{1,200})['\"]"
)
_CONN_STRING_PW = lazy(rb"(?i)(?:^|[;\"'\s?&])(?P<key>password|pwd)\s{0,2}=\s{0,2}(?P<pw>[^;&'\"\s\\]{1,128})")
_CONN_STRING_MARKERS = lazy(
    rb"(?i)(?:^|[;\"'\s])(?:server|data source|datasource|host|hostname|address|addr|network address|uid|user id"
    rb"|userid|username|user|database|initial catalog|dsn|driver|port)\s{0,2}=[^;\n]{0,200};|jdbc:[a-z0-9]+:"
)
_CONN_STRING_USER = lazy(rb"(?i)(?:^|[;\"'\s?&])(?:uid|user id|userid|username|user)\s{0,2}=\s{0,2}([^;&'\"\s]{1,100})")
_DRIVER_HINT = lazy(rb"(?i)postgres|npgsql|mysql|mariadb|sql server|sqlserver|mssql|oracle|mongo|redis")
_SECRET_KEY_NAME = lazy(r"(?i)(?:password|passwd|passphrase|pwd|secret|token|credentials?)$|(?:^|[_.-])pass$")
_NOT_A_PASSWORD_KEY = lazy(
    r"(?i)(?:_file|_path|_dir|_name|_id|_ttl|_expiry|_length|_timeout|_header|_type|_env|_ref|_key_ref|keyref"
    r"|_policy|_method|_min|_max|_rounds|_hasher|_reset|_url|_uri|_command|_cmd|_prompt|_regex|_pattern)$"
    r"|allow_empty|random_root|require|encrypt|hash|salt_len|reset|forgot|expire|complexity|min_length"
    # Helm's convention for the name of a Kubernetes Secret that holds the password (existingSecret,
    # existingPasswordSecret: wikimedia's charts/datahub): a name, never the password
    r"|^existing\w{0,30}secret$"
)
_NOT_A_VALUE = lazy(
    r"(?i)^(?:true|false|yes|no|on|off|none|null|nil|undefined|required|optional|\d{1,11}|[\d.]+[smhd]?|~)$"
    r"|^(?:ENV|env|os\.environ|process\.env|System\.getenv|getenv|Environment\.)|^!(?:vault|Ref|Sub|GetAtt|secret)"
    r"|^\$|^%\(|^%[A-Za-z_]|^<|^\{|^#\{|^@[A-Za-z_]|^\[\["
    # a SQL statement's named parameter (oauth2-server-php's ``UPDATE %s SET password=:password, ...``)
    r"|^:[A-Za-z_][A-Za-z0-9_]*,?$"
    # a YAML alias, the anchor's value is judged where it is written (launchpad's pterodactyl compose:
    # ``DB_PASSWORD: *db-password`` under ``MYSQL_PASSWORD: &db-password "CHANGE_ME"``)
    r"|^\*[A-Za-z_][A-Za-z0-9_.-]{0,60}$"
)


@dataclass(frozen=True, slots=True)
class DatastoreCredential:
    """One data-store credential: where it sits (``key``), for which store, and whether it is a default."""

    key: str  # a config key path, "URL userinfo" or the connection-string key; safe to show
    store: str
    start: int  # byte offsets of the password in the file
    end: int
    default: bool
    secret: str = field(repr=False)
    local: bool = False  # a host without a domain (a service container, localhost) or a CI job's services block
    #: a CI job's own service container with its image's default password: it lives as long as the job and
    #: is reachable from nothing else, so it is not reported (a real secret in a workflow still is)
    ephemeral: bool = False
    #: the host is this machine (``localhost``, ``127.x``, ``[::1]``): a developer's own database
    loopback: bool = False
    #: a CI definition's or CI script's credential for a database the job runs itself (a host without a domain)
    #: that is no default: the job's throwaway value, shown in the context section; a secret-shaped value is
    #: still reported by its provider rule (SEC311 for a MySQL URL), which wins over this one
    ci_local: bool = False


def find_datastore_credentials(
    path: str, kind: str, data: bytes, values: Sequence[KeyValue] | None = None
) -> list[DatastoreCredential]:
    """Every data-store credential in ``data`` (see the module doc), one per value span. ``values`` are the
    file's ``structure.key_values`` when the caller already has them (read once, used twice)."""
    found: dict[tuple[int, int], DatastoreCredential] = {}
    kinds = triggers(data) if not path.endswith(_NO_CREDENTIALS) else set()
    if kinds:
        low = data.lower()
        if URL in kinds:
            for cred in _urls(data):
                found.setdefault((cred.start, cred.end), cred)
        if PASSWORD in kinds:
            for cred in _connection_strings(data, low):
                found.setdefault((cred.start, cred.end), cred)
        if DRIVER_CALL in kinds:
            for cred in _driver_calls(data):
                found.setdefault((cred.start, cred.end), cred)
    if values is None:
        fmt = config_format(path, kind)
        values = list(key_values(fmt, data)) if fmt is not None else []
    for cred in _structured(values):
        found.setdefault((cred.start, cred.end), cred)
    creds = sorted(found.values(), key=lambda c: c.start)
    if GITLAB_CI.search(path) and creds:
        creds = _gitlab_services(creds, data)
    if CI_FILE.search(path):
        creds = [replace(c, ephemeral=c.default, ci_local=not c.default) if c.local else c for c in creds]
    return creds


def _gitlab_services(creds: list[DatastoreCredential], data: bytes) -> list[DatastoreCredential]:
    """A password in a GitLab CI job's ``variables`` (or the top-level ones) for a store the job starts as a
    service (``services: [postgres:12]``): the service container's own, as in a GitHub Actions services block."""
    images = service_images(data)
    out = []
    for c in creds:
        job, _, rest = c.key.partition(".")
        scope = "" if job == "variables" else job
        in_variables = job == "variables" or rest.startswith("variables.")
        started = [*images.get(scope, ()), *images.get("", ())] if in_variables else []
        out.append(replace(c, local=True) if any(store_of(i) == c.store for i in started) else c)
    return out


def ci_service_key(provider: str, line: bytes, path: str) -> bool:
    """An AWS-shaped key assigned to a MinIO setting in a CI file: MinIO takes any key pair it is started with, so
    the value is the credential of the minio container the job starts and throws away (pulpcore's CI script:
    ``MINIO_ACCESS_KEY=AKIA…`` for ``image: "minio/minio"``), not an AWS account's key."""
    if provider != "AWS" or not CI_FILE.search(path):
        return False
    name = assigned_name(line)
    return bool(name) and store_of(*re.split(r"[_.-]", name)) == "MinIO"


def store_of(*words: str) -> str:
    """The data store a key path names (``spring.datasource.password`` -> database), or ""."""
    best = ""
    for word in words:
        for token in _tokens(word):
            m = _STORE_TOKEN.match(token)
            if m is None:
                continue
            name = _STORES[int(next(k for k, v in m.groupdict().items() if v)[1:])][0]
            if name not in ("database", "cache", "message broker"):
                return name  # a product beats a generic word
            best = best or name
    return best


def is_default(password: str, user: str = "") -> bool:
    """A product default, or the user's (or database's) own name again: ``saleor_read_only:saleor@…/saleor``.
    ``user`` may hold several names separated by ``/``."""
    return password.lower() in DEFAULT_PASSWORDS or _names_the_user(password, user)


def _names_the_user(password: str, user: str) -> bool:
    names = {n for part in user.lower().split("/") for n in (part, *re.split(r"[_.-]", part)) if len(n) >= 2}
    return password.lower() in names


def _judge(key: str, store: str, span: tuple[int, int], password: str, user: str = "") -> DatastoreCredential | None:
    """The credential, or None when the value is a reference, a placeholder or not a value. A reference
    with a fallback (``${POSTGRES_PASSWORD:-postgres}``, compose and shell) is judged by its fallback:
    that is the password whenever the variable is unset."""
    fallback = _FALLBACK.match(password)
    if fallback is not None:
        offset = len(password[: fallback.start(1)].encode("utf-8"))
        password = fallback.group(1)
        span = (span[0] + offset, span[0] + offset + len(password.encode("utf-8")))
    if not password or _NOT_A_VALUE.search(password) or is_store_reference(password, password):
        return None
    if password.lower() in DEFAULT_PASSWORDS:  # a product's default, even when it reads like a stand-in (changeme)
        return DatastoreCredential(key, store, *span, True, password)
    if len(password) < 4 or is_placeholder(password.rstrip("=")) or encodes_a_stand_in(password):
        return None  # a stand-in, also when the user is the same stand-in (wikiadmin_user/_password: override_me)
    return DatastoreCredential(key, store, *span, _names_the_user(password, user), password)


#: a host written as an upper-case name to fill in (``DB_HOSTNAME``): no DNS name has that shape, so the URL is a
#: format shown to a reader (DFE-Digital/teacher-services-cloud's konduit.sh usage text:
#: ``postgres://ADMIN_USER:URLENCODED(ADMIN_PASSWORD)@DB_HOSTNAME:5432/DB_NAME``)
_HOST_TO_FILL_IN = lazy(rb"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")


#: a port written as a word (filebrowser's flag help ``redis://user:pass@host:port``): a URL format, not an address
_PORT_TO_FILL_IN = lazy(rb":[A-Za-z]")


def _urls(data: bytes) -> Iterator[DatastoreCredential]:
    for m in _URL.finditer(data):
        if m.group("port") and int(m.group("port")) > 65535:
            continue  # no server listens there: a made-up example (nightscout's mongodb://sally:sallypass@…:99999)
        if _HOST_TO_FILL_IN.match(m.group("host")) or _PORT_TO_FILL_IN.match(data, m.end()):
            continue
        scheme = m.group("scheme").decode("ascii", "replace")
        user = (m.group("user") + b"/" + (m.group("db") or b"")).decode("utf-8", "replace")
        pw = m.group("pw").decode("utf-8", "replace")
        cred = _judge("URL userinfo", store_of(scheme.split("+")[0]) or "database", m.span("pw"), pw, user)
        if cred is not None:
            host = m.group("host").lower()
            loopback = is_loopback(host.decode("ascii", "replace"))
            yield replace(cred, local=b"." not in host or loopback, loopback=loopback)


def _driver_calls(data: bytes) -> Iterator[DatastoreCredential]:
    """Driver calls that take user and password as literal arguments: PHP ``new PDO($dsn, 'u', 'p')``,
    ``mysqli_connect('h', 'u', 'p')``/``new mysqli(…)``, Java ``DriverManager.getConnection(url, "u", "p")``."""
    for m in _DRIVER_CALL.finditer(data):
        user = m.group("user").decode("utf-8", "replace")
        pw = m.group("pw").decode("utf-8", "replace")
        hint = _DRIVER_HINT.search(m.group(0))
        store = store_of(hint.group(0).decode().replace(" ", "")) if hint else ""
        cred = _judge(f"{m.group('call').decode()}() password argument", store or "database", m.span("pw"), pw, user)
        if cred is not None:
            yield cred


def _connection_strings(data: bytes, low: bytes) -> Iterator[DatastoreCredential]:
    for m in _candidates(data, low):
        begin = data.rfind(b"\n", 0, m.start()) + 1
        end = data.find(b"\n", m.end())
        line = data[begin : end if end >= 0 else len(data)]
        if not _CONN_STRING_MARKERS.search(line) or line.count(b";") + line.count(b"&") < 1:
            continue
        user = _CONN_STRING_USER.search(line)
        hint = _DRIVER_HINT.search(line)
        store = store_of(hint.group(0).decode().replace(" ", "")) if hint else "database"
        pw = m.group("pw").decode("utf-8", "replace")
        cred = _judge(
            m.group("key").decode("ascii"),
            store or "database",
            m.span("pw"),
            pw,
            user.group(1).decode("utf-8", "replace") if user else "",
        )
        if cred is not None:
            yield cred


def _candidates(data: bytes, low: bytes) -> Iterator[re.Match[bytes]]:
    """``_CONN_STRING_PW`` matches, tried only where ``password``/``pwd`` is followed by ``=`` (a plain
    ``find`` loop: the regex over a whole file full of the word "password" is the slow part)."""
    for word in (b"password", b"pwd"):
        pos = low.find(word)
        while pos >= 0:
            after = low[pos + len(word) : pos + len(word) + 3].lstrip(b" ")
            if after.startswith(b"="):
                m = _CONN_STRING_PW.match(data, max(0, pos - 1))
                if m is None and pos == 0:
                    m = _CONN_STRING_PW.match(data, 0)
                if m is not None:
                    yield m
            pos = low.find(word, pos + 1)


_SUFFIX_FORMATS = {
    ".properties": "properties",
    ".conf": "ini",
    ".cnf": "ini",
    ".cfg": "ini",
    ".ini": "ini",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".toml": "toml",
}
_KIND_FORMATS = {
    "compose": "yaml",
    "yaml": "yaml",
    "json": "json",
    "toml": "toml",
    "ini": "ini",
    "dotenv": "properties",
}


def config_format(path: str, kind: str) -> str | None:
    """The ``structure`` reader for a file, by its suffix or its ``core.filekinds`` kind; None for code."""
    if kind == "lockfile":
        return None
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return (_SUFFIX_FORMATS.get(name[dot:]) if dot > 0 else None) or _KIND_FORMATS.get(kind)


#: a key naming where the store runs (``POSTGRES_HOST``, ``DB_HOST``, ``host``, ``hostname``)
_HOST_KEY = lazy(r"(?i)(?:^|[_.-])host(?:name)?$")


def _runs_here(host: str) -> bool:
    """A host without a domain (a service container's name) or this machine (``localhost``, ``127.x``)."""
    low = host.strip().strip("'\"").lower()
    if not re.fullmatch(r"[a-z0-9._:\[\]-]{1,253}", low):
        return False  # a reference (``${DB_HOST}``) or not a host
    return is_loopback(low) or "." not in low


def _structured(values: Sequence[KeyValue]) -> Iterator[DatastoreCredential]:
    users: dict[tuple[str, ...], str] = {}
    hosts: dict[tuple[str, ...], list[str]] = {}  # parents -> the hosts sibling keys name
    pending: list[KeyValue] = []
    for kv in values:
        name = kv.key.lower()
        if re.search(r"(?i)(?:^|[_.-])(?:user(?:name)?|login|uid)$", name):
            # ``${POSTGRES_USER:-plane}``: the user whenever the variable is unset, as for the password
            fallback = _FALLBACK.match(kv.value)
            user = fallback.group(1) if fallback else kv.value
            # every user the block names (hedgedoc's MARIADB_USER beside MARIADB_MYSQL_LOCALHOST_USER: 1)
            users[kv.parents] = f"{users[kv.parents]}/{user}" if kv.parents in users else user
            continue
        if _HOST_KEY.search(name):
            hosts.setdefault(kv.parents, []).append(kv.value)
            continue
        if _SECRET_KEY_NAME.search(kv.key) and not _NOT_A_PASSWORD_KEY.search(kv.key) and not _word_for_token(kv):
            pending.append(kv)
    for kv in pending:
        store = store_of(kv.key, *kv.parents)
        if not store:
            continue
        where = ".".join((*kv.parents, kv.key))
        cred = _judge(where, store, (kv.start, kv.end), kv.value, users.get(kv.parents, ""))
        if cred is not None:
            # a CI job's services block, or a sibling key naming a host the job runs itself (netbox's release
            # workflow: ``env: POSTGRES_HOST: 127.0.0.1`` beside ``POSTGRES_PASSWORD`` for its service container)
            # (every host named there: one remote host beside a local one leaves it undecided)
            here = kv.parents in hosts and all(_runs_here(h) for h in hosts[kv.parents])
            yield replace(cred, local="services" in kv.parents or here)


#: a key that holds a token (generated by a service), not a password (chosen by a person)
_TOKEN_KEY = lazy(r"(?i)token$")
_LETTERS = lazy(r"^[A-Za-z]{1,40}$")


def _word_for_token(kv: KeyValue) -> bool:
    """Letters only where a token goes: a field's name, not a token. A service generates its tokens; a word
    is a name (botocore's paginators: ``"input_token": "Marker"`` under ``DescribeCacheClusters``). A password
    may be a word (``POSTGRES_PASSWORD: wordpress``), so this is for token keys only."""
    return bool(_TOKEN_KEY.search(kv.key) and _LETTERS.match(kv.value))


_CAMEL = lazy(r"(?<=[a-z0-9])(?=[A-Z])")


def _tokens(word: str) -> list[str]:
    return [t.lower() for t in re.split(r"[^A-Za-z0-9+]+", _CAMEL.sub("_", word)) if t]
