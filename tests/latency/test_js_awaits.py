"""LAT260: independent reads awaited one after the other in JavaScript/TypeScript (Prisma, Sequelize scopes,
TypeORM repositories, Mongoose chains, pooled SQL, Redis, fetch/axios/got GETs). Look-alikes stay silent: an
await that uses an earlier result (plain or destructured), writes and a write followed by a read, awaits in
different branches or a try and its finally, calls already in Promise.all, non-network awaits, a statement
between the awaits, a single pg Client, a locking SELECT, POSTs and options the index cannot see, transactions
(a callback's ``tx``, ``{ transaction: t }``, a Mongoose session, a repository bound to the request context),
one query per loop item (LAT250's), a field assigned through ``this``, scripts."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.js_awaits_check import JsSerialAwaitsCheck
from redline.checks.latency.jsgo_check import JsGoPerItemCheck
from redline.core.model import Finding
from redline.sources.code.treesitter.javascript import JsWalk
from redline.sources.code.treesitter.parser import parser

FIXTURES = Path(__file__).parent / "fixtures" / "js_awaits"
PROFILE = "src/services/profile.ts"


def _found() -> dict[tuple[str, int], Finding]:
    return {(f.location.path, f.location.start_line): f for f in findings_of(FIXTURES, JsSerialAwaitsCheck())}


def test_independent_reads_fire_once_per_run_at_its_lines() -> None:
    got = sorted((path, line, f.location.end_line, f.rule) for (path, line), f in _found().items())
    assert got == [
        ("src/routes/users.js", 7, 8, "LAT260"),
        ("src/services/catalog.ts", 12, 14, "LAT260"),
        ("src/services/catalog.ts", 33, 34, "LAT260"),
        (PROFILE, 8, 10, "LAT260"),
        (PROFILE, 70, 71, "LAT260"),
        (PROFILE, 84, 85, "LAT260"),
    ]


def test_the_finding_names_the_calls_and_the_promise_all_that_replaces_them() -> None:
    found = _found()
    dashboard = found[(PROFILE, 8)]
    assert dict(dashboard.evidence) == {
        "calls": "prisma.user.findUnique(...); prisma.order.findMany(...); axios.get(...)",
        "lines": "8, 9, 10",
        "clients": "HTTP axios, Prisma",
    }
    assert dashboard.message.startswith("3 independent HTTP axios and Prisma reads awaited one after the other")
    assert "in dashboard" in dashboard.message
    assert (
        "`const [user, orders, { rates }] = await Promise.all([prisma.user.findUnique(...), "
        "prisma.order.findMany(...), axios.get(...)])`" in dashboard.remediation
    )
    assert "Promise.allSettled" in dashboard.remediation
    mongoose = found[("src/routes/users.js", 7)]
    assert mongoose.evidence["calls"] == "User.findById(...).lean(); User.find(...).limit().exec()"
    assert "in the function at line 6" in mongoose.message
    assert found[(PROFILE, 70)].evidence["clients"] == "Redis, SQL"
    assert found[("src/services/catalog.ts", 12)].evidence["clients"] == "Sequelize, TypeORM"
    assert found[("src/services/catalog.ts", 33)].evidence["calls"] == "got(...).json(); got(...)"


def test_a_loop_of_queries_is_reported_once_by_the_per_item_rule() -> None:
    per_item = {(f.location.path, f.location.start_line, f.rule) for f in findings_of(FIXTURES, JsGoPerItemCheck())}
    assert {(PROFILE, 99, "LAT250"), (PROFILE, 100, "LAT250")} <= per_item
    assert not any(path == PROFILE and 97 <= line <= 103 for path, line in _found())


def test_the_index_keeps_each_awaited_statement_with_its_block_position_and_bindings() -> None:
    source = b"""async function f(id) {
  const user = await db.user.findUnique({ where: { id } }) as User;
  // a comment is no statement
  const { data: page, next } = await axios.get(`/pages/${user.id}`);
  total = await got(id);
  const body = (await fetch(id)).body;
  log(await redis.get(id));
  if (id) { await a(); }
  return await b(page);
}
"""
    index = JsWalk("f.ts", "typescript").run(parser("typescript").parse(source).root_node)
    facts = {c.raw: (c.line, c.block, c.position, c.binds, c.reads) for c in index.calls}
    block = facts["db.user.findUnique"][1]
    assert facts["db.user.findUnique"] == (2, block, 0, ("user",), ("db", "id"))
    assert facts["axios.get"][1:4] == (block, 1, ("next", "page"))
    assert facts["axios.get"][4] == ("axios", "user")
    assert facts["got"][1:4] == (block, 2, ("total",))
    assert facts["fetch"][1:4] == (block, 3, ("body",))
    assert facts["redis.get"][1:3] == (-1, -1)  # an argument, not the statement
    assert facts["a"][1] not in {-1, block} and facts["a"][2] == 0
    assert facts["b"][1:4] == (block, 6, ()) and facts["b"][4] == ("page",)
