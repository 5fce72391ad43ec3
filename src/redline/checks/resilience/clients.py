"""Client objects built without a timeout, for the libraries no linter covers: urllib3 pools, aiohttp's
``ClientTimeout``, boto3 clients, Redis, PostgreSQL connections and engines, gRPC stubs and the
standard library's protocol clients. One rule per library: each has its own knob and its own default.
Test and sample files are not judged: their clients talk to mocks (moto, fakeredis) or a local server, and
on real code (the Airflow Amazon provider: 248 test-only boto3 clients) they drown the findings that matter."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from redline.checks.interface import CheckContext
from redline.checks.resilience.astutil import (
    Hit,
    assigned_values,
    bound_calls,
    has_star,
    hit_findings,
    imports_any,
    is_none,
    kw,
    method,
    receiver,
    string_parts,
    timeout_given,
)
from redline.checks.resilience.hand_run import HAND_RUN_CLIENT, is_hand_run_client
from redline.checks.resilience.healthchecks import PythonTimeoutCheck
from redline.core.context import lower_in_context
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.astwalk import dotted
from redline.sources.python import PythonModule

_TAGS = ("CWE-400", "STRIDE:D")
_RELEASE_IT = 'Michael T. Nygard, *Release It!*, 2nd ed., chapter 5 "Stability Patterns: Timeouts"'

URLLIB3_NO_TIMEOUT = Rule(
    code="RES107",
    name="urllib3-pool-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="urllib3 pool or request without a timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `urllib3.PoolManager`, `ProxyManager`, `HTTP(S)ConnectionPool`, "
        "`connection_from_url` and `urllib3.request` built or called without a `timeout` (or with "
        "`timeout=None`), unless every request made through that pool in the module passes its own timeout.",
        why_bad="urllib3's default timeout is the socket default: no timeout at all. A peer that accepts "
        "the connection and never answers holds the calling thread forever.",
        example='http = urllib3.PoolManager()\nresp = http.request("GET", url)',
        use_instead="http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=3.0, read=10.0))\n"
        'resp = http.request("GET", url)',
        references=("https://urllib3.readthedocs.io/en/stable/user-guide.html#using-timeouts", _RELEASE_IT),
    ),
)

AIOHTTP_TIMEOUT_UNBOUNDED = Rule(
    code="RES108",
    name="aiohttp-client-timeout-unbounded",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="aiohttp ClientTimeout that bounds neither the total time nor a read",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `aiohttp.ClientTimeout(...)` objects that set neither `total` nor `sock_read` "
        "to a number: `ClientTimeout()` and `ClientTimeout(total=None)` switch every limit off.",
        why_bad="Every field of `ClientTimeout` defaults to `None` (no limit); only the session's own default "
        "object carries five minutes. Building one without `total` or `sock_read` means a peer that stops "
        "sending holds the connection and the awaiting task forever.",
        example="timeout = aiohttp.ClientTimeout(total=None, sock_connect=5)",
        use_instead="timeout = aiohttp.ClientTimeout(total=30, sock_connect=5, sock_read=10)",
        references=("https://docs.aiohttp.org/en/stable/client_reference.html#clienttimeout", _RELEASE_IT),
    ),
)

BOTO3_NO_TIMEOUT = Rule(
    code="RES109",
    name="boto3-client-without-timeouts",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="boto3 client or resource without connect/read timeouts",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `boto3.client`/`boto3.resource` (and the same on a `boto3.Session`) built "
        "without a `botocore.config.Config` that sets `connect_timeout` or `read_timeout`. A `Config` "
        "bound to a name in the module is followed; one that cannot be seen keeps the rule quiet.",
        why_bad="botocore waits 60 s to connect and 60 s per read, and retries up to four more times: one "
        "slow AWS endpoint can hold a request for minutes, far beyond any caller's budget.",
        example='s3 = boto3.client("s3")',
        use_instead="from botocore.config import Config\n\n"
        's3 = boto3.client("s3", config=Config(connect_timeout=3, read_timeout=10, '
        'retries={"mode": "standard", "max_attempts": 3}))',
        references=(
            "https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html",
            _RELEASE_IT,
        ),
    ),
)

REDIS_NO_TIMEOUT = Rule(
    code="RES110",
    name="redis-client-without-socket-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Redis client or pool without socket_timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `redis.Redis`, `StrictRedis`, `redis.asyncio.Redis`, `from_url` and connection "
        "pools built without `socket_timeout` (or with `socket_timeout=None`); a client built on an "
        "explicit `connection_pool`, or a URL that carries `socket_timeout=`, is left alone.",
        why_bad="redis-py's `socket_timeout` defaults to `None`: a Redis that stalls (a long `KEYS`, a "
        "failover, a full network buffer) blocks every command forever, and a cache meant to make "
        "requests faster makes them hang.",
        example='cache = redis.Redis(host="cache", port=6379)',
        use_instead='cache = redis.Redis(host="cache", port=6379, socket_timeout=0.5, socket_connect_timeout=0.5)',
        references=("https://redis.readthedocs.io/en/stable/connections.html", _RELEASE_IT),
    ),
)

DB_NO_CONNECT_TIMEOUT = Rule(
    code="RES111",
    name="postgres-connect-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="PostgreSQL connection or SQLAlchemy engine without a connect timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `psycopg2.connect`, `psycopg.connect` and SQLAlchemy `create_engine` with a "
        "PostgreSQL URL whose connection settings (keywords, the DSN or URL text, `connect_args`) carry "
        "no `connect_timeout`. A DSN or URL held in a variable is not judged.",
        why_bad="libpq waits for the operating system to give up on an unreachable server (minutes with "
        "default TCP settings). During a database failover every new request then hangs instead of "
        "failing fast, and the worker pool drains. Pair it with a `statement_timeout` so a slow query "
        "cannot hold a connection forever either.",
        example='conn = psycopg2.connect(host="db", dbname="shop", user="app")',
        use_instead='conn = psycopg2.connect(host="db", dbname="shop", user="app", connect_timeout=5,\n'
        '                        options="-c statement_timeout=5000")',
        references=(
            "https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT",
            "https://docs.sqlalchemy.org/en/20/core/engines.html#custom-dbapi-args",
            _RELEASE_IT,
        ),
    ),
)

GRPC_NO_DEADLINE = Rule(
    code="RES112",
    name="grpc-call-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="gRPC stub method called without a timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds calls of a method on a gRPC stub (a name bound to `...Stub(channel)` in a "
        "module that imports grpc) that pass no `timeout`, unless the module installs a client interceptor "
        "(which may set a default deadline). A server stream that a loop of the same function reads message by "
        "message (`for update in stub.WatchOrders(req)`, or the name it is bound to) is left alone: a deadline "
        "would end the subscription, however healthy the server. A hand-run client script — a file named for a "
        "client, with an "
        '`if __name__ == "__main__":` block, no server of its own, every channel to this machine '
        "(`localhost:8080`, `[::]:8080`) — is listed low in the context section: no request waits on it.",
        why_bad="gRPC calls have no deadline by default: a server that stalls keeps the call, the "
        "thread and the HTTP/2 stream open forever, and the deadline cannot propagate to the services "
        "behind it.",
        example="stub = orders_pb2_grpc.OrdersStub(channel)\nreply = stub.GetOrder(request)",
        use_instead="reply = stub.GetOrder(request, timeout=2.0)",
        references=("https://grpc.io/docs/guides/deadlines/", _RELEASE_IT),
    ),
)

STDLIB_NO_TIMEOUT = Rule(
    code="RES113",
    name="stdlib-client-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="smtplib/ftplib/http.client/poplib/imaplib client without a timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `smtplib.SMTP(_SSL)`, `ftplib.FTP(_TLS)`, `http.client.HTTP(S)Connection`, "
        "`poplib.POP3(_SSL)` and `imaplib.IMAP4(_SSL)` built without a timeout (keyword or positional), "
        "unless the module sets `socket.setdefaulttimeout`.",
        why_bad="Without a timeout these clients use the global socket default, which is blocking: a mail "
        "relay or FTP server that stops answering holds the calling worker forever.",
        example='server = smtplib.SMTP("smtp.example.com", 587)',
        use_instead='server = smtplib.SMTP("smtp.example.com", 587, timeout=10)',
        references=("https://docs.python.org/3/library/smtplib.html#smtplib.SMTP", _RELEASE_IT),
    ),
)

_URLLIB3_POOLS = frozenset(
    {
        "urllib3.PoolManager",
        "urllib3.poolmanager.PoolManager",
        "urllib3.ProxyManager",
        "urllib3.poolmanager.ProxyManager",
        "urllib3.HTTPConnectionPool",
        "urllib3.HTTPSConnectionPool",
        "urllib3.connectionpool.HTTPConnectionPool",
        "urllib3.connectionpool.HTTPSConnectionPool",
        "urllib3.connection_from_url",
        "urllib3.connectionpool.connection_from_url",
    }
)
_URLLIB3_CALLS = frozenset({"urllib3.request"})
_POOL_TIMEOUT_INDEX = {"urllib3.HTTPConnectionPool": 2, "urllib3.HTTPSConnectionPool": 2}
_CLIENT_TIMEOUT = frozenset({"aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout", "aiohttp.timeout.ClientTimeout"})
_BOTO_FACTORIES = frozenset({"boto3.client", "boto3.resource"})
_BOTO_SESSIONS = frozenset({"boto3.Session", "boto3.session.Session", "aioboto3.Session"})
_BOTO_CONFIG = frozenset({"botocore.config.Config", "botocore.client.Config", "aiobotocore.config.AioConfig"})
REDIS_FACTORIES = frozenset(
    {
        f"{prefix}.{name}"
        for prefix in ("redis", "redis.client", "redis.asyncio", "redis.asyncio.client")
        for name in ("Redis", "StrictRedis", "from_url", "Redis.from_url", "StrictRedis.from_url")
    }
    | {
        f"{prefix}.{name}"
        for prefix in ("redis", "redis.connection", "redis.asyncio", "redis.asyncio.connection")
        for name in ("ConnectionPool", "BlockingConnectionPool", "ConnectionPool.from_url")
    }
)
_PG_CONNECT = frozenset(
    {"psycopg2.connect", "psycopg.connect", "psycopg.Connection.connect", "psycopg.AsyncConnection.connect"}
)
_ENGINES = frozenset({"sqlalchemy.create_engine", "sqlalchemy.ext.asyncio.create_async_engine"})
#: the positional index of ``timeout`` for each standard-library client (keyword-only where absent)
_STDLIB = {
    "smtplib.SMTP": 3,
    "smtplib.SMTP_SSL": 3,
    "ftplib.FTP": 4,
    "ftplib.FTP_TLS": 4,
    "http.client.HTTPConnection": 2,
    "http.client.HTTPSConnection": 2,
    "poplib.POP3": 2,
    "poplib.POP3_SSL": 2,
    "imaplib.IMAP4": 2,
    "imaplib.IMAP4_SSL": 2,
}


@dataclass
class _Scan:
    """What one module binds, worked out once for every rule of the check."""

    module: PythonModule
    values: dict[str, ast.expr]


def _urllib3(scan: _Scan) -> Iterator[Hit]:
    module = scan.module
    pools = bound_calls(module, _URLLIB3_POOLS)
    per_request = {r for c in module.calls if (r := receiver(c)) in pools and kw(c, "timeout") is not None}
    bound_ids = {id(call): name for name, call in pools.items()}
    for call in module.calls:
        qual = module.qualname(call.func)
        if (qual not in _URLLIB3_POOLS and qual not in _URLLIB3_CALLS) or has_star(call):
            continue
        if timeout_given(call, "timeout", _POOL_TIMEOUT_INDEX.get(qual or "")):
            continue
        if bound_ids.get(id(call)) in per_request:
            continue  # the requests made through this pool pass their own timeout
        yield Hit(
            URLLIB3_NO_TIMEOUT,
            call,
            f"`{qual}` has no timeout: urllib3 then waits on the socket default, which never times out",
            f"Pass `timeout=urllib3.Timeout(connect=3.0, read=10.0)` to this `{dotted(call.func)}(…)` call.",
        )


def _aiohttp_timeout(scan: _Scan) -> Iterator[Hit]:
    for call in scan.module.calls:
        if scan.module.qualname(call.func) not in _CLIENT_TIMEOUT or has_star(call):
            continue
        total = call.args[0] if call.args else (k.value if (k := kw(call, "total")) else None)
        read = call.args[2] if len(call.args) > 2 else (k.value if (k := kw(call, "sock_read")) else None)
        if (total is None or is_none(total)) and (read is None or is_none(read)):
            yield Hit(
                AIOHTTP_TIMEOUT_UNBOUNDED,
                call,
                "`ClientTimeout` bounds neither `total` nor `sock_read`: reads through it never time out",
                "Give it a `total` (the whole request) or at least a `sock_read`: "
                "`aiohttp.ClientTimeout(total=30, sock_connect=5, sock_read=10)`.",
            )


def _boto_config_ok(value: ast.expr | None, scan: _Scan) -> bool:
    """True when the config sets a timeout, or when it cannot be seen (quiet)."""
    if value is None:
        return False
    if isinstance(value, ast.Name) and value.id in scan.values:
        value = scan.values[value.id]
    if isinstance(value, ast.Call) and scan.module.qualname(value.func) in _BOTO_CONFIG:
        return has_star(value) or any(k.arg in {"connect_timeout", "read_timeout"} for k in value.keywords)
    return True


def _boto3(scan: _Scan) -> Iterator[Hit]:
    module = scan.module
    sessions = bound_calls(module, _BOTO_SESSIONS)
    for call in module.calls:
        qual = module.qualname(call.func)
        on_session = method(call) in {"client", "resource"} and receiver(call) in sessions
        if not (qual in _BOTO_FACTORIES or on_session) or has_star(call) or len(call.args) > 9:
            continue
        config = kw(call, "config")
        if _boto_config_ok(config.value if config else None, scan):
            continue
        first = call.args[0] if call.args else None
        service = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else "AWS"
        yield Hit(
            BOTO3_NO_TIMEOUT,
            call,
            f"{service} client uses botocore's 60 s connect and 60 s read timeouts (with retries on top)",
            'Pass `config=Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", '
            '"max_attempts": 3})` (from `botocore.config`), sized to the caller\'s budget.',
        )


def _redis(scan: _Scan) -> Iterator[Hit]:
    module = scan.module
    for call in module.calls:
        qual = module.qualname(call.func)
        if qual not in REDIS_FACTORIES or has_star(call):
            continue
        if kw(call, "connection_pool") is not None or timeout_given(call, "socket_timeout", None):
            continue
        if qual.endswith("from_url") and "socket_timeout=" in (string_parts(call.args[0]) if call.args else ""):
            continue
        if qual.endswith(("Redis", "StrictRedis")) and len(call.args) > 4:
            continue  # socket_timeout passed positionally
        yield Hit(
            REDIS_NO_TIMEOUT,
            call,
            f"`{qual}` has no socket_timeout: a stalled Redis blocks every command forever",
            "Pass `socket_timeout=0.5, socket_connect_timeout=0.5` (seconds; a cache should fail fast) "
            f"to this `{dotted(call.func)}(…)` call.",
        )


def _dict_keys(node: ast.expr | None, scan: _Scan) -> set[str] | None:
    """The string keys of a dict literal (or a name bound to one); None when it cannot be seen."""
    if isinstance(node, ast.Name):
        node = scan.values.get(node.id)
    if isinstance(node, ast.Dict):
        return {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    if isinstance(node, ast.Call) and dotted(node.func) == "dict":
        return {k.arg for k in node.keywords if k.arg} if not has_star(node) else None
    return None


def _postgres(scan: _Scan) -> Iterator[Hit]:
    module = scan.module
    for call in module.calls:
        qual = module.qualname(call.func)
        if (qual not in _PG_CONNECT and qual not in _ENGINES) or has_star(call):
            continue
        dsn = call.args[0] if call.args else (k.value if (k := kw(call, "dsn") or kw(call, "conninfo")) else None)
        text = string_parts(dsn) if dsn is not None else ""
        if dsn is not None and not text:
            continue  # the DSN/URL comes from elsewhere: it may carry the timeout
        if "connect_timeout" in text or kw(call, "connect_timeout") is not None:
            continue
        if qual in _ENGINES:
            if not text.startswith("postgres"):
                continue
            keys = _dict_keys(k.value, scan) if (k := kw(call, "connect_args")) else set()
            if keys is None or keys & {"connect_timeout", "timeout"}:
                continue
        yield Hit(
            DB_NO_CONNECT_TIMEOUT,
            call,
            f"`{qual}` sets no connect_timeout: during a failover new connections hang for minutes",
            "Add `connect_timeout=5` (seconds) to the connection settings — a keyword, the DSN "
            '(`?connect_timeout=5`) or `connect_args={"connect_timeout": 5, "options": "-c statement_timeout=5000"}` '
            "for an engine — and a `statement_timeout` so a slow query cannot hold a connection forever.",
        )


def _grpc(scan: _Scan) -> Iterator[Hit]:
    module = scan.module  # check_file runs this only where grpc or generated *_pb2_grpc stubs are imported
    if any((module.qualname(c.func) or "").startswith("grpc.intercept_channel") for c in module.calls):
        return  # an interceptor may add a default deadline
    stubs = {
        name
        for node in module.nodes
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and (dotted(node.value.func) or "").endswith("Stub")
        for target in node.targets
        if (name := dotted(target))
    }
    streams = _streams(module)
    for call in module.calls:
        rec, name = receiver(call), method(call)
        if name in {"future", "with_call"} and rec and "." in rec:
            rec, name = rec.rsplit(".", 1)
        if rec not in stubs or not name or not name[:1].isupper() or has_star(call) or id(call) in streams:
            continue
        if kw(call, "timeout") is None:
            yield Hit(
                GRPC_NO_DEADLINE,
                call,
                f"gRPC call `{rec}.{name}` has no deadline",
                f"Pass `timeout=` (seconds, within the caller's own deadline) to `{rec}.{name}(…)`.",
            )


def _streams(module: PythonModule) -> set[int]:
    """The calls (by ``id``) whose result a loop of the same function reads message by message: server-streaming
    RPCs (lnbits's ``async for i in self.rpc.SubscribeInvoices(req)``, ``res = stub.TrackPaymentV2(req)`` then
    ``async for payment in res``), which a deadline would cut off however healthy the server."""
    found: set[int] = set()
    for function in module.nodes:
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        loops = [n for n in ast.walk(function) if isinstance(n, ast.For | ast.AsyncFor)]
        found |= {id(loop.iter) for loop in loops if isinstance(loop.iter, ast.Call)}
        names = {loop.iter.id for loop in loops if isinstance(loop.iter, ast.Name)}
        found |= {
            id(node.value)
            for node in ast.walk(function)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Call)
            and any(isinstance(t, ast.Name) and t.id in names for t in _targets(node))
        }
    return found


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _stdlib(scan: _Scan) -> Iterator[Hit]:
    module = scan.module
    if any(module.qualname(c.func) == "socket.setdefaulttimeout" for c in module.calls):
        return
    for call in module.calls:
        qual = module.qualname(call.func)
        if qual not in _STDLIB or has_star(call) or timeout_given(call, "timeout", _STDLIB[qual]):
            continue
        yield Hit(
            STDLIB_NO_TIMEOUT,
            call,
            f"`{qual}` is built without a timeout: the connection blocks as long as the server lets it",
            f"Pass `timeout=10` (seconds) to this `{dotted(call.func)}(…)` call.",
        )


def _stubs(module: PythonModule) -> bool:
    """Generated gRPC stubs imported without ``grpc`` itself (``from protos import orders_pb2_grpc``)."""
    return any(name.endswith("_pb2_grpc") for name in module.imports.values())


_JUDGES: tuple[tuple[tuple[str, ...], Callable[[_Scan], Iterator[Hit]]], ...] = (
    (("urllib3",), _urllib3),
    (("aiohttp",), _aiohttp_timeout),
    (("boto3", "aioboto3"), _boto3),
    (("redis",), _redis),
    (("psycopg2", "psycopg", "sqlalchemy"), _postgres),
    (("grpc",), _grpc),
    (("smtplib", "ftplib", "http", "poplib", "imaplib"), _stdlib),
)


class ClientTimeoutCheck(PythonTimeoutCheck):
    name = "python-client-timeouts"
    rules = (
        URLLIB3_NO_TIMEOUT,
        AIOHTTP_TIMEOUT_UNBOUNDED,
        BOTO3_NO_TIMEOUT,
        REDIS_NO_TIMEOUT,
        DB_NO_CONNECT_TIMEOUT,
        GRPC_NO_DEADLINE,
        STDLIB_NO_TIMEOUT,
    )

    def check_module(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        judges = [judge for roots, judge in _JUDGES if imports_any(fact, roots) or (judge is _grpc and _stubs(fact))]
        if not judges or linter_rule_fixture(fact.lines) or looks_like_test_or_sample(fact.path):
            return []  # a client in a test talks to a mock or a local server: its timeout is not a finding
        scan = _Scan(fact, assigned_values(fact))
        found = hit_findings(self, fact, (hit for judge in judges for hit in judge(scan)), ctx.enabled)
        if any(f.rule == GRPC_NO_DEADLINE.code for f in found) and is_hand_run_client(fact):
            found = [lower_in_context(f, HAND_RUN_CLIENT) if f.rule == GRPC_NO_DEADLINE.code else f for f in found]
        return found
