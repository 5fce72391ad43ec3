"""LAT257-LAT259: one HTTP or gRPC call per loop item in JavaScript/TypeScript (fetch, axios instances, got)
and Go (net/http helpers, Client.Do with a per-item request, gRPC stubs); batch calls, constant lists, searches,
polling loops, local or injected ``fetch``, local functions that send nothing, ``http.Header.Get``, event
handlers, goroutines and scripts stay silent; a third-party host called from a route handler (LAT259), where
internal hosts and functions no route reaches stay silent."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.jsgo_chatty_check import JsGoChattyCheck
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "jsgo_chatty"


def _found() -> dict[tuple[str, int], Finding]:
    return {(f.location.path, f.location.start_line): f for f in findings_of(FIXTURES, JsGoChattyCheck())}


def test_chatty_calls_fire_at_their_lines_only() -> None:
    got = sorted((path, line, f.rule) for (path, line), found in _found_all().items() for f in found)
    assert got == [
        ("go/handlers.go", 8, "LAT259"),
        ("go/remote.go", 18, "LAT258"),
        ("go/remote.go", 26, "LAT258"),
        ("go/remote.go", 37, "LAT258"),
        ("go/remote.go", 75, "LAT258"),
        ("go/remote.go", 108, "LAT258"),  # a client named as one; the loop's own `client` item at 119 is not
        ("src/routes/checkout.js", 8, "LAT259"),
        ("src/routes/checkout.js", 15, "LAT259"),
        ("src/routes/checkout.js", 21, "LAT259"),
        ("src/routes/checkout.js", 28, "LAT257"),
        ("src/routes/checkout.js", 28, "LAT259"),
        ("src/services/orders.ts", 20, "LAT257"),
        ("src/services/orders.ts", 21, "LAT257"),
        ("src/services/orders.ts", 32, "LAT257"),
        ("src/services/users.js", 10, "LAT257"),
        ("src/services/users.js", 17, "LAT257"),
        ("src/services/users.js", 22, "LAT257"),
    ]


def test_messages_say_whether_the_requests_queue_or_fan_out() -> None:
    found = _found()
    serial = found[("src/services/users.js", 10)]
    assert dict(serial.evidence) == {"call": "fetch", "client": "fetch", "loop": "line 9", "concurrent": "false"}
    assert "one after the other" in serial.message and "batch endpoint" in serial.remediation
    fan_out = found[("src/services/users.js", 17)]
    assert fan_out.evidence["client"] == "api" and fan_out.evidence["concurrent"] == "true"
    assert "all at once (`map` callback at line 17)" in fan_out.message and "no bound" in fan_out.message
    assert "p-limit" in fan_out.remediation
    assert found[("src/services/users.js", 22)].evidence["client"] == "got"
    not_waited = found[("src/services/orders.ts", 32)]  # a forEach callback that does not await the request
    assert not_waited.evidence["concurrent"] == "true" and "in flight at once" in not_waited.message
    assert found[("go/remote.go", 26)].evidence["loop"] == "line 24"
    grpc = found[("go/remote.go", 37)]
    assert grpc.evidence["kind"] == "gRPC UserServiceClient" and "SetLimit" in grpc.remediation


def test_a_module_function_that_sends_the_request_is_followed_one_level() -> None:
    found = _found()
    method = found[("src/services/orders.ts", 20)]
    assert method.evidence["client"] == "fetch" and method.evidence["wraps"] == "line 14"
    assert "(it sends a request through fetch at line 14)" in method.message
    assert found[("src/services/orders.ts", 21)].evidence["client"] == "axios"
    go = found[("go/remote.go", 75)]
    assert go.evidence["wraps"] == "line 64" and go.message.startswith("HTTP call deliver(...) (it makes")


def test_a_third_party_host_on_the_request_path_names_the_route() -> None:
    found = _found()
    stripe = found[("src/routes/checkout.js", 8)]
    assert dict(stripe.evidence) == {"route": "POST /checkout", "host": "api.stripe.com", "call": "axios.post"}
    assert "job queue" in stripe.remediation
    assert found[("src/routes/checkout.js", 15)].evidence["host"] == "ipapi.co"
    assert stripe.message.endswith("the route waits on a third party on every request")
    weather = found[("go/handlers.go", 8)]
    assert weather.evidence["route"] == "ANY /weather" and weather.evidence["host"] == "api.openweathermap.org"


def test_a_call_in_a_function_the_handler_defines_says_when_it_runs() -> None:
    """A model's tool (``execute``) runs when the model calls it, not on every request; an anonymous callback is
    named by its line."""
    by_rule = {(path, line, f.rule): f for (path, line), found in _found_all().items() for f in found}
    tool = by_rule[("src/routes/checkout.js", 21, "LAT259")]
    assert tool.message == (
        "POST /ask calls api.open-meteo.com inline (fetch): the route waits on a third party whenever the "
        "handler's `execute` runs"
    )
    assert tool.evidence["in"] == "execute"
    mapped = by_rule[("src/routes/checkout.js", 28, "LAT259")]
    assert mapped.message.endswith("whenever the function the handler defines at line 27 runs")


def _found_all() -> dict[tuple[str, int], list[Finding]]:
    out: dict[tuple[str, int], list[Finding]] = {}
    for f in findings_of(FIXTURES, JsGoChattyCheck()):
        out.setdefault((f.location.path, f.location.start_line), []).append(f)
    return out
