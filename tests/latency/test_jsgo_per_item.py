"""LAT250-LAT256: one query or Redis command per loop item in JavaScript/TypeScript (Sequelize, Prisma,
TypeORM, Mongoose, node-postgres, ioredis, association getters) and Go (database/sql, GORM, go-redis); eager
loading, batched keys, constant lists, searches, writes, pipelines, tests and seeds stay silent."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from audit_helpers import findings_of
from redline.checks.latency import js_clients
from redline.checks.latency.js_awaits_check import JsSerialAwaitsCheck
from redline.checks.latency.jsgo_check import JsGoPerItemCheck
from redline.checks.latency.offline import offline_js_go
from redline.core.model import Finding
from redline.core.rules import RuleRegistry
from redline.sources.code.model import CodeIndex
from redline.synthesis.measured_link import n_plus_one_rules

FIXTURES = Path(__file__).parent / "fixtures" / "jsgo"


def test_per_item_round_trips_fire_at_their_lines_only() -> None:
    found = findings_of(FIXTURES, JsGoPerItemCheck())
    got = sorted((f.location.path, f.location.start_line, f.rule) for f in found)
    assert got == [
        ("go/articles.go", 17, "LAT254"),
        ("go/articles.go", 21, "LAT254"),
        ("go/articles.go", 22, "LAT254"),
        ("go/cache.go", 12, "LAT255"),
        ("go/store.go", 16, "LAT253"),
        ("src/routes/posts.js", 12, "LAT250"),
        ("src/routes/posts.js", 14, "LAT250"),
        ("src/routes/posts.js", 49, "LAT256"),
        ("src/services/articles.ts", 7, "LAT250"),
        ("src/services/articles.ts", 9, "LAT250"),
        ("src/services/articles.ts", 25, "LAT250"),
        ("src/services/authors.js", 8, "LAT250"),
        ("src/services/authors.js", 12, "LAT251"),
        ("src/services/authors.js", 14, "LAT252"),
        ("src/services/authors.js", 30, "LAT256"),
        ("src/services/cats.service.ts", 12, "LAT250"),
        ("src/services/cats.service.ts", 23, "LAT251"),
        ("src/services/digest.ts", 18, "LAT250"),  # through authorOf, imported from pricing/lookup.ts
        ("src/services/digest.ts", 19, "LAT251"),  # through shelfCount's pool.query
        ("src/services/digest.ts", 23, "LAT250"),  # through this.titleOf, all at once
        ("src/services/feed.service.ts", 11, "LAT256"),  # a TypeORM lazy relation declared in entities/
        ("src/services/feed.service.ts", 19, "LAT256"),
        ("src/services/users.service.ts", 13, "LAT250"),
    ]


def test_messages_name_the_orm_and_say_when_the_queries_run_at_once() -> None:
    found = {(f.location.path, f.location.start_line): f for f in findings_of(FIXTURES, JsGoPerItemCheck())}
    serial = found[("src/routes/posts.js", 12)]
    assert serial.evidence["orm"] == "Sequelize" and serial.evidence["concurrent"] == "false"
    assert "(loop at line 11)" in serial.message and "include" in serial.remediation
    fan_out = found[("src/services/articles.ts", 9)]
    assert fan_out.evidence["concurrent"] == "true" and "all at once (`map` callback at line 9)" in fan_out.message
    assert "N queries sent together" in fan_out.message and "in: ids" in fan_out.remediation
    assert found[("src/services/authors.js", 8)].evidence["orm"] == "Mongoose"
    assert "populate" in found[("src/services/authors.js", 8)].remediation
    assert found[("src/services/users.service.ts", 13)].evidence["orm"] == "TypeORM"
    assert "MGET" in found[("src/services/authors.js", 14)].remediation
    lazy = found[("src/services/feed.service.ts", 11)]
    assert (lazy.evidence["entity"], lazy.evidence["relation"], lazy.evidence["orm"]) == ("Post", "author", "TypeORM")
    assert "relations: ['author']" in lazy.remediation and "(loop at line 10)" in lazy.message
    assert "all at once" in found[("src/services/feed.service.ts", 19)].message
    helper = found[("src/services/digest.ts", 18)]
    assert (helper.evidence["helper"], helper.evidence["query_at"]) == ("authorOf", "src/pricing/lookup.ts:4")
    assert helper.evidence["query"] == "prisma.user.findUnique" and "`authorOf`" in helper.remediation
    assert "Preload" in found[("go/articles.go", 17)].remediation
    assert found[("go/articles.go", 21)].evidence["association"] == "true"
    assert "MGet" in found[("go/cache.go", 12)].remediation
    getter = found[("src/routes/posts.js", 49)]
    assert getter.evidence["query"] == "Post.findAll" and "include" in getter.remediation
    assert found[("src/services/authors.js", 30)].evidence["orm"] == "Mongoose"


def test_the_n_plus_one_rules_carry_the_tag_runtime_evidence_links_on() -> None:
    tagged = n_plus_one_rules(RuleRegistry(JsGoPerItemCheck.rules))
    assert sorted(tagged) == ["LAT250", "LAT251", "LAT253", "LAT254", "LAT256"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("seeders/seed.js", True),
        ("prisma/seed.ts", True),
        ("db/migrations/001_init.js", True),
        ("src/routes/posts.test.js", True),
        ("internal/store/store_test.go", True),
        ("src/lib/seed-data.js", True),
        ("src/services/seedling.ts", False),
        ("src/services/users.ts", False),
        ("packages/server/migration-scripts/add-actions.ts", True),
        ("scripts/backfill.js", True),
        ("internal/testutil/redis.go", True),
        ("internal/store/store.go", False),
    ],
)
def test_offline_scripts_are_left_out(path: str, expected: bool) -> None:
    assert offline_js_go(path) is expected


def test_the_js_project_facts_are_built_once_for_both_js_latency_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-item and the serial-awaits checks read one ``JsProject`` a run (``RunScope.derived``), and each
    finds with it what it finds alone."""
    built: list[int] = []
    real = js_clients.js_project

    def counted(indexes: Sequence[CodeIndex]) -> js_clients.JsProject:
        built.append(len(indexes))
        return real(indexes)

    monkeypatch.setattr(js_clients, "js_project", counted)
    alone = {*findings_of(FIXTURES, JsGoPerItemCheck()), *findings_of(FIXTURES, JsSerialAwaitsCheck())}
    assert len(built) == 2
    built.clear()
    together = findings_of(FIXTURES, JsGoPerItemCheck(), JsSerialAwaitsCheck())
    assert len(built) == 1 and built[0] > 0
    assert sorted(together, key=Finding.sort_key) == sorted(alone, key=Finding.sort_key)
    assert {f.rule for f in together} >= {"LAT250", "LAT256"}
