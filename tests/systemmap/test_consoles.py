"""Which image serves which admin console, and whether its environment turns the login on or off."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.map_model import Seen, Tri
from redline.synthesis.map.consoles import CONSOLES, ConsoleSpec, _login, spec_for
from redline.synthesis.map.refs import AddressRef

from .helpers import audit


@pytest.mark.parametrize(
    ("image", "console"),
    [
        ("grafana/grafana:11.1.0", "Grafana"),
        ("localhost:5000/grafana/grafana-oss", "Grafana"),
        ("docker.elastic.co/kibana/kibana:8.14.0", "Kibana"),
        ("rabbitmq:3.13-management-alpine", "RabbitMQ management"),
        ("jaegertracing/all-in-one@sha256:" + "0" * 64, "Jaeger UI"),
        ("rabbitmq:3.13-alpine", None),  # no management plugin in the image
        ("bitnami/grafana-loki", None),
        ("example/all-in-one", None),  # only Jaeger's all-in-one
        ("mycorp/prometheus-exporter", None),
        ("quay.io/prometheus/prometheus:v3.1.0", "Prometheus"),
    ],
)
def test_console_of_an_image(image: str, console: str | None) -> None:
    spec = spec_for(image)
    assert (spec.name if spec else None) == console


def _env(**values: str) -> dict[str, AddressRef]:
    return {k: AddressRef("c", k, v, Seen("compose.yml", 7, k)) for k, v in values.items()}


def _spec(name: str) -> ConsoleSpec:
    return next(s for s in CONSOLES if s.name == name)


@pytest.mark.parametrize(
    ("console", "env", "authenticated"),
    [
        ("Kafka UI", {}, Tri.NO),
        ("Kafka UI", {"AUTH_TYPE": "DISABLED"}, Tri.NO),
        ("Kafka UI", {"AUTH_TYPE": "LOGIN_FORM"}, Tri.YES),
        ("Grafana", {}, Tri.YES),
        ("Grafana", {"GF_AUTH_ANONYMOUS_ENABLED": "false"}, Tri.YES),
        ("pgAdmin", {"PGADMIN_CONFIG_SERVER_MODE": "False"}, Tri.NO),
        ("Consul UI/API", {}, Tri.NO),
        ("Consul UI/API", {"CONSUL_LOCAL_CONFIG": '{"acl": {"enabled": true}}'}, Tri.UNKNOWN),
        ("Kibana", {"ELASTICSEARCH_USERNAME": "kibana_system"}, Tri.YES),
        ("Redis Commander", {"HTTP_USER": ""}, Tri.NO),  # an empty value sets nothing
    ],
)
def test_login_from_defaults_and_environment(console: str, env: dict[str, str], authenticated: Tri) -> None:
    assert _login(_spec(console), _env(**env))[0] == authenticated


def test_login_from_a_command_line_flag() -> None:
    where = Seen("compose.yml", 9, "command")
    flags = [("--web.enable-lifecycle", where), ("--web.config.file=/etc/prometheus/web.yml", where)]
    assert _login(_spec("Prometheus"), {}, flags) == (
        Tri.YES,
        "Prometheus asks for a login: `--web.config.file=/etc/prometheus/web.yml` on its command line",
        where,
    )
    assert _login(_spec("Prometheus"), {}, flags[:1])[0] == Tri.NO


def test_traefik_dashboard_only_with_api_insecure(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n"
        "  edge:\n    image: traefik:v3.1\n    command: [--api.insecure=true, --providers.docker]\n"
        "    ports: ['80:80', '8080:8080']\n"
        "  edge2:\n    image: traefik:v3.1\n    command: [--api.dashboard=true]\n    ports: ['8081:8080']\n"
    )
    result = audit(tmp_path)
    assert result.system_map is not None and result.threats is not None
    consoles = {
        c.id: [(k.name, str(k.authenticated), str(k.seen)) for k in c.consoles] for c in result.system_map.components
    }
    assert consoles["edge"] == [("Traefik dashboard (api.insecure)", "no", "docker-compose.yml:4")]
    assert consoles["edge2"] == []  # the dashboard behind a router: its auth middleware is not judged here
    spoofing = [(t.element, str(t.status)) for t in result.threats.threats if "Traefik dashboard" in t.title]
    assert spoofing == [("edge", "open")]
