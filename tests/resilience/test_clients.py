"""The client timeout rules (RES106-RES113): exact lines of the true positives; look-alikes stay silent."""

from __future__ import annotations

import pytest

from redline.checks.resilience.clients import ClientTimeoutCheck
from redline.checks.resilience.timeouts import MissingTimeoutCheck

from .helpers import lines_by_rule, run_fixture, run_source

EXPECTED = {
    "RES107": [5, 7, 8, 9],
    "RES108": [5, 6, 7],
    "RES109": [5, 6, 8, 10],
    "RES110": [6, 7, 8, 9, 10],
    "RES111": [6, 7, 8, 10],
    "RES112": [9, 10, 26],  # not 21 or 23: server streams a loop reads
    "RES113": [6, 7, 8, 9],
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_client_rule_fires_exactly_at_expected_lines(code: str) -> None:
    assert lines_by_rule(run_fixture(ClientTimeoutCheck(), code)) == {code: EXPECTED[code]}


def test_session_send_and_adapter_mounted_sessions() -> None:
    """RES106 on ``send``; a session with a custom (timeout) adapter mounted is quiet for RES101 too,
    while requests' own HTTPAdapter (no timeout setting) does not excuse the session."""
    found = run_fixture(MissingTimeoutCheck(), "RES106")
    assert lines_by_rule(found) == {"RES106": [9, 12, 15], "RES101": [16]}
    assert [f.message for f in found if f.rule == "RES106"][1].startswith("`requests.Session().send`")


def test_every_client_finding_says_what_to_pass() -> None:
    for code in EXPECTED:
        for finding in run_fixture(ClientTimeoutCheck(), code):
            assert "timeout" in finding.remediation.lower() or "total" in finding.remediation
            assert finding.location.snippet


def test_clients_in_test_code_are_not_judged() -> None:
    src = 'import redis\nr = redis.Redis(host="localhost")\n'
    assert run_source(ClientTimeoutCheck(), src, rel="tests/test_cache.py") == []
    assert [f.location.start_line for f in run_source(ClientTimeoutCheck(), src, rel="app/cache.py")] == [2]


def test_socket_default_timeout_silences_stdlib_clients() -> None:
    src = "import socket\nimport smtplib\nsocket.setdefaulttimeout(10)\nsmtplib.SMTP('mail')\n"
    assert run_source(ClientTimeoutCheck(), src) == []


def test_grpc_interceptor_and_modules_without_grpc_are_quiet() -> None:
    src = (
        "import grpc\nfrom p import svc_pb2_grpc\n"
        "ch = grpc.intercept_channel(grpc.insecure_channel('x'), deadline_interceptor)\n"
        "stub = svc_pb2_grpc.SvcStub(ch)\nstub.Call(req)\n"
    )
    assert run_source(ClientTimeoutCheck(), src) == []
    assert run_source(ClientTimeoutCheck(), "stub = make.SvcStub(ch)\nstub.Call(req)\n") == []


@pytest.mark.parametrize(
    ("name", "line", "hand_run"),
    [
        ("recommendation/client", 12, True),  # microservices-demo's recommendationservice/client.py
        ("email/email_client", 10, True),  # emailservice/email_client.py: '[::]:8080', a __main__ block
        ("orders/client", 10, False),  # a script named client, its server another host
        ("worker/client", 12, False),  # it serves too
        ("shop/orders_client", 12, False),  # imported by the service: no __main__ block
        ("tools/probe", 9, False),  # a script on this machine not named for a client
    ],
)
def test_a_hand_run_client_script_of_a_local_server_is_context(name: str, line: int, hand_run: bool) -> None:
    """RES112 on a client script a developer runs against the server beside it is listed low in the context
    section with the reason; every look-alike keeps its medium finding at the same line."""
    from redline.core.context import CONTEXT_TAG
    from redline.core.model import Severity

    [found] = run_fixture(ClientTimeoutCheck(), f"hand_run/{name}", rel=f"src/{name}.py")
    assert (found.rule, found.location.start_line) == ("RES112", line)
    assert (CONTEXT_TAG in found.tags) is hand_run
    assert found.severity is (Severity.LOW if hand_run else Severity.MEDIUM)
    if hand_run:
        assert "hand-run client script" in str(found.evidence["context"])
