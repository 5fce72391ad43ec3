"""Application code on the map: client calls in a service's build context become flows to the datastore,
broker or third party they reach; tests, imports without calls, relative imports and code outside every
build context do not."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from redline.core.map_model import Colour, Kind, SystemMap, Zone
from redline.core.threat_model import Stride

from .helpers import FIXTURES, audit, system_map

ROOT = FIXTURES / "map_code"


@pytest.fixture(scope="module")
def coded() -> SystemMap:
    return system_map(ROOT)


def test_flows_from_code_clients(coded: SystemMap) -> None:
    got = {(f.source, f.target): (f.protocol, f.port, [str(s) for s in f.seen]) for f in coded.flows}
    assert got == {
        ("internet", "api"): ("", None, ["docker-compose.yml:2"]),
        ("internet", "grafana"): ("", None, ["docker-compose.yml:19"]),
        ("internet", "jaeger"): ("", None, ["docker-compose.yml:25"]),
        ("internet", "pgadmin"): ("", None, ["docker-compose.yml:29"]),
        # the DSN variable and the psycopg call are one flow with both facts
        ("api", "db"): ("postgresql", 5432, ["api/shop/db.py:13", "docker-compose.yml:6"]),
        # redis.Redis(host="cache"): the component the call names (a Valkey server speaks Redis)
        ("api", "cache"): ("redis", None, ["api/shop/db.py:17"]),
        ("api", "stripe"): ("https", None, ["api/shop/payments.py:7"]),
        ("api", "aws s3"): ("https", None, ["api/shop/payments.py:11"]),
        # a URL given to an HTTP client (the URL in a log message is not a request)
        ("api", "slack"): ("http", 443, ["api/shop/payments.py:15"]),
        ("worker", "sentry"): ("https", None, ["worker/tasks.py:5"]),
        ("worker", "db"): ("postgresql", 5432, ["worker/tasks.py:6"]),
        # BlockingConnection(ConnectionParameters(host="mq")): two calls on one line, one fact
        ("worker", "mq"): ("rabbitmq", None, ["worker/tasks.py:10"]),
        ("worker", "sessions"): ("redis", 6379, ["worker/tasks.py:17"]),
    }


def test_components_the_code_adds(coded: SystemMap) -> None:
    got = {c.id: (c.kind, c.zone, c.colour) for c in coded.components if not c.seen or c.seen[0].path.endswith(".py")}
    assert got == {
        "internet": (Kind.INTERNET, Zone.INTERNET, Colour.THIRD_PARTY),
        "aws s3": (Kind.OBJECT_STORE, Zone.THIRD_PARTY, Colour.THIRD_PARTY),
        "sentry": (Kind.EXTERNAL_API, Zone.THIRD_PARTY, Colour.THIRD_PARTY),
        "slack": (Kind.EXTERNAL_API, Zone.THIRD_PARTY, Colour.THIRD_PARTY),
        "stripe": (Kind.EXTERNAL_API, Zone.THIRD_PARTY, Colour.THIRD_PARTY),
        "sessions": (Kind.CACHE, Zone.DATA, Colour.UNKNOWN),
    }
    assert [(p.component, [str(s) for s in p.seen]) for p in coded.probes] == [("sessions", ["worker/tasks.py:17"])]


def test_no_flow_from_tests_imports_alone_or_code_outside_build_contexts(coded: SystemMap) -> None:
    ids = {c.id for c in coded.components}
    assert "kafka" not in ids  # imported in a try block, never called
    assert "reports" not in ids and "mongodb" not in ids  # tools/ is in no build context
    assert not any(f.source == "api" and f.target == "mq" for f in coded.flows)  # api/tests/ publishes to mq
    assert not any(s.path == "api/shop/local.py" for f in coded.flows for s in f.seen)  # relative imports
    assert coded.problems == ()


def test_ambiguous_client_draws_no_flow_and_says_why(tmp_path: Path) -> None:
    root = tmp_path
    (root / "app").mkdir()
    (root / "docker-compose.yml").write_text(
        "services:\n  app:\n    build: ./app\n  redis-a:\n    image: redis:7\n  redis-b:\n    image: redis:7\n"
    )
    (root / "app" / "main.py").write_text("import redis\n\nclient = redis.Redis()\n")
    m = system_map(root)
    assert not any(f.source == "app" for f in m.flows)
    assert m.problems == (
        "app/main.py:3: `app` uses a redis client and 2 components could be what it reaches (redis-a, redis-b): "
        "no flow drawn",
    )


def _repudiation(root: Path) -> list[tuple[str, str, str, list[str]]]:
    result = audit(root)
    assert result.threats is not None
    return [
        (t.element, str(t.control_state), str(t.status), [str(s) for s in t.evidence])
        for t in result.threats.threats
        if t.category == Stride.REPUDIATION and t.element_type == "process" and t.evidence
    ]


def test_repudiation_threat_for_state_changing_routes_without_audit_trail() -> None:
    # GET /orders changes nothing; the worker has no routes
    assert _repudiation(ROOT) == [("api", "missing", "open", ["api/shop/views.py:13", "api/shop/views.py:19"])]


def _system_with_routes(root: Path, extra_module: str) -> Path:
    (root / "web").mkdir()
    (root / "docker-compose.yml").write_text(
        "services:\n  web:\n    build: ./web\n    ports: ['8000:8000']\n  worker:\n    build: ./web\n"
    )
    (root / "web" / "app.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.post('/items')\ndef add():\n    return ''\n"
    )
    (root / "web" / "audit.py").write_text(extra_module)
    return root


def test_repudiation_mitigated_by_an_audit_logger_on_the_serving_component_only(tmp_path: Path) -> None:
    root = _system_with_routes(tmp_path, 'import logging\n\nlog = logging.getLogger("shop.audit")\n')
    # web and worker share the build context; only web takes requests (a published port)
    assert _repudiation(root) == [("web", "detected", "mitigated", ["web/audit.py:3"])]


def test_a_logger_named_otherwise_is_no_audit_trail(tmp_path: Path) -> None:
    root = _system_with_routes(tmp_path, 'import logging\n\nlog = logging.getLogger("shop.requests")\n')
    assert _repudiation(root) == [("web", "missing", "open", ["web/app.py:6"])]


def test_admin_consoles_with_their_login(coded: SystemMap) -> None:
    got = {
        c.id: [(k.name, k.port, str(k.authenticated), k.why, str(k.seen)) for k in c.consoles]
        for c in coded.components
        if c.consoles
    }
    assert got == {
        "grafana": [
            (
                "Grafana",
                3000,
                "no",
                "Grafana without a login: GF_AUTH_ANONYMOUS_ENABLED=true",
                "docker-compose.yml:23",
            )
        ],
        "jaeger": [("Jaeger UI", 16686, "no", "Jaeger UI answers anyone by default", "docker-compose.yml:25")],
        "mq": [
            (
                "RabbitMQ management",
                15672,
                "yes",
                "RabbitMQ management asks for a login by default",
                "docker-compose.yml:15",
            )
        ],
        "pgadmin": [("pgAdmin", 80, "yes", "pgAdmin asks for a login by default", "docker-compose.yml:29")],
        "prometheus": [("Prometheus", 9090, "no", "Prometheus answers anyone by default", "docker-compose.yml:33")],
    }


def test_console_threats_only_where_reachable_from_outside() -> None:
    result = audit(ROOT)
    assert result.threats is not None
    got = [
        (t.element, str(t.status), t.severity, [str(s) for s in t.evidence])
        for t in result.threats.threats
        if t.category == Stride.SPOOFING
    ]
    # prometheus is published on loopback only, mq publishes no port: neither is reachable
    assert got == [
        ("grafana", "open", "high", ["docker-compose.yml:19", "docker-compose.yml:23"]),
        ("jaeger", "open", "high", ["docker-compose.yml:25"]),
        ("pgadmin", "mitigated", "high", ["docker-compose.yml:29"]),
    ]


def test_map_json_with_consoles_is_valid(coded: SystemMap) -> None:
    schema = Path(__file__).resolve().parents[2] / "src" / "redline" / "report" / "schema" / "map.schema.json"
    doc = {**coded.as_dict(), "legend": {}}
    jsonschema.Draft202012Validator(json.loads(schema.read_text())).validate(doc)
    assert doc["schema_version"] == "1.1"


def test_javascript_and_go_clients_are_flows_too() -> None:
    """`pg`/`ioredis`/`@aws-sdk/client-s3` in a Node service and `pgx`/`sarama` in a Go one; a utility
    package (lodash, uuid) is no client."""
    polyglot = system_map(FIXTURES / "map_code_polyglot")
    code = {(f.source, f.target): [str(s) for s in f.seen if not s.path.endswith(".yml")] for f in polyglot.flows}
    assert {k: v for k, v in code.items() if v} == {
        ("web", "db"): ["web/src/server.js:6"],
        ("web", "cache"): ["web/src/server.js:7"],
        ("web", "aws s3"): ["web/src/server.js:8"],
        ("orders", "db"): ["orders/main.go:13"],
        ("orders", "broker"): ["orders/main.go:14"],
    }
