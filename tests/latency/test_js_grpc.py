"""JS/TS gRPC clients (@grpc/grpc-js stubs, generated clients, nice-grpc, Connect; made in the module or imported
from the one that makes them): RES290 on unary calls without a deadline, LAT257 on calls once per loop item.
Options in a variable, interceptors, middleware, a transport's default timeout or one made elsewhere, streams,
the client's own methods, servers, browser code and constructors of other libraries stay silent."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.jsgo_chatty_check import JsGoChattyCheck
from redline.checks.resilience.js_grpc_deadline import JsGrpcDeadlineCheck
from redline.core.context import is_in_context
from redline.core.model import Finding, Severity

FIXTURES = Path(__file__).parent / "fixtures" / "jsgrpc"


def _by_line(found: list[Finding]) -> dict[tuple[str, int], Finding]:
    return {(f.location.path, f.location.start_line): f for f in found}


def test_calls_without_a_deadline_fire_at_their_lines_only() -> None:
    found = _by_line(findings_of(FIXTURES, JsGrpcDeadlineCheck()))
    assert sorted(found) == [
        ("server/connect.ts", 10),
        ("server/devtools/currency_client.js", 8),
        ("server/devtools/stock_client.js", 9),
        ("server/nice.ts", 9),
        ("server/orders.ts", 13),
        ("server/routes/humans.js", 5),
        ("server/routes/humans.js", 10),
        ("server/users.js", 9),
    ]
    assert {f.rule for f in found.values()} == {"RES290"}
    # a client made in one module and imported by another: default export and named export
    assert found[("server/routes/humans.js", 5)].evidence["client"] == "server/grpc/humans.js:5"
    assert found[("server/routes/humans.js", 10)].evidence["client"] == "server/grpc/policy.ts:5"
    grpc_js = found[("server/users.js", 9)]
    assert dict(grpc_js.evidence) == {"call": "client.getUser", "library": "grpc-js", "client": "line 6"}
    assert "deadline: Date.now() + 2000" in grpc_js.remediation
    assert found[("server/orders.ts", 13)].evidence["client"] == "line 8"  # ``this.orders`` set in the constructor
    assert "AbortSignal.timeout" in found[("server/nice.ts", 9)].remediation
    assert "defaultTimeoutMs" in found[("server/connect.ts", 10)].remediation
    # a hand-run client script calls on load and exports nothing: kept, in the context section
    assert [f for f in found.values() if is_in_context(f)] == [found[("server/devtools/currency_client.js", 8)]]
    assert found[("server/devtools/currency_client.js", 8)].severity is Severity.LOW
    assert found[("server/devtools/stock_client.js", 9)].severity is Severity.MEDIUM


def test_calls_per_loop_item_are_chatty_rpc() -> None:
    found = _by_line(findings_of(FIXTURES, JsGoChattyCheck()))
    assert sorted(found) == [
        ("server/connect.ts", 26),
        ("server/nice.ts", 19),
        ("server/orders.ts", 13),
        ("server/routes/humans.js", 20),
        ("server/users.js", 20),
    ]
    assert {f.rule for f in found.values()} == {"LAT257"}
    imported = found[("server/routes/humans.js", 20)]  # the client is made in server/grpc/humans.js
    assert imported.evidence["client"] == "gRPC grpc-js" and imported.evidence["concurrent"] == "true"
    serial = found[("server/connect.ts", 26)]
    assert serial.message.startswith("gRPC call safe.level(...)") and serial.evidence["client"] == "gRPC connect"
    assert serial.evidence["concurrent"] == "false" and "repeated field" in serial.remediation
    # a grpc-js call with a callback returns at once: the loop has every call in flight together
    assert found[("server/users.js", 20)].evidence["concurrent"] == "true"
    assert found[("server/nice.ts", 19)].evidence["concurrent"] == "true"


def test_a_client_exported_whole_from_a_root_module(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "client.js").write_text(
        "const grpc = require('@grpc/grpc-js');\n"
        "const { Users } = grpc.loadPackageDefinition(require('@grpc/proto-loader').loadSync('u.proto'));\n"
        "module.exports = new Users('users:50051', grpc.credentials.createInsecure());\n"
    )
    (tree / "app.js").write_text(
        "const users = require('./client');\n"
        "function show(id, cb) {\n"
        "  users.getUser({ id }, (err, u) => cb(u));\n"
        "}\n"
        "function later(id, cb) {\n"
        "  users.getUser({ id }, new grpc.Metadata(), { deadline: Date.now() + 500 }, cb);\n"
        "}\n"
        "module.exports = { show, later };\n"
    )
    found = findings_of(tree, JsGrpcDeadlineCheck())
    assert [(f.location.path, f.location.start_line, f.evidence["client"]) for f in found] == [
        ("app.js", 3, "client.js:3")
    ]
