"""Which image serves which admin console, and whether its environment turns the login on or off."""

from __future__ import annotations

import pytest

from redline.core.map_model import Seen, Tri
from redline.synthesis.map.consoles import CONSOLES, ConsoleSpec, _login, spec_for
from redline.synthesis.map.refs import AddressRef


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
