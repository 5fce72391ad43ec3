"""Snapshot files and URLs without a server: validation, redaction, predicates."""

from __future__ import annotations

import json

import pytest

from redline.core.redact import redact_url
from redline.sources.postgres.connect import scrub
from redline.sources.postgres.model import Statement
from redline.sources.postgres.predicates import extract_predicates
from redline.sources.postgres.serialize import SnapshotError, from_json


def test_wrong_field_type_names_the_field() -> None:
    with pytest.raises(SnapshotError, match=r"snapshot: not a redline PostgreSQL snapshot"):
        from_json(json.dumps({"tables": []}))
    with pytest.raises(SnapshotError, match=r"version 7 is not supported"):
        from_json(json.dumps({"format": "redline-postgres-snapshot", "version": 7}))
    with pytest.raises(SnapshotError, match=r"missing field 'server'"):
        from_json(json.dumps({"format": "redline-postgres-snapshot", "version": 1}))


def test_redaction_hides_passwords_everywhere() -> None:
    assert (
        redact_url("postgresql://app:hunter2@db:5432/shop?sslmode=require&password=x")
        == "postgresql://app:***@db:5432/shop?sslmode=require&password=***"
    )
    assert redact_url("postgresql://app@db/shop") == "postgresql://app@db/shop"
    assert redact_url("postgresql://app:p@ss@db/shop") == "postgresql://app:***@db/shop"  # "@" in a password
    assert "hunter2" not in scrub('FATAL: role "hunter2"\n  failed', "postgresql://app:hunter2@db/shop")


def test_predicates_only_single_table_conditions() -> None:
    stmts = [
        Statement(
            "1",
            "SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id "
            "WHERE o.status = $1 AND c.region = $2 ORDER BY o.created_at",
            1,
            1,
            1,
            1,
            0,
            0,
        ),
        Statement("2", "SELECT * FROM orders WHERE a = $1 OR b = $2", 1, 1, 1, 1, 0, 0),
        Statement("3", "UPDATE orders SET note = $1 WHERE customer_id = $2 AND created_at > $3", 1, 1, 1, 1, 0, 0),
        Statement(
            "4", "SELECT * FROM orders WHERE status IN ($1, $2) ORDER BY created_at DESC LIMIT $3", 1, 1, 1, 1, 0, 0
        ),
        Statement("5", "not sql at all", 1, 1, 1, 1, 0, 0),
        Statement(
            "6",
            'SELECT "shop_order"."id" FROM "shop_order" WHERE ("shop_order"."customer_id" = $1 AND '
            '"shop_order"."state" = ANY($2)) ORDER BY "shop_order"."created" DESC LIMIT $3',
            1,
            1,
            1,
            1,
            0,
            0,
        ),  # what Django sends
        Statement("7", "SELECT * FROM orders WHERE lower(email) = $1 AND note IS NULL AND a = b", 1, 1, 1, 1, 0, 0),
    ]
    preds, unparsed = extract_predicates(stmts)
    got = {(p.queryid, p.table, p.equality, p.ranges, p.order_by) for p in preds}
    assert got == {
        ("1", "orders", ("status",), (), ()),  # two tables: ORDER BY is not a single-table sort
        ("1", "customers", ("region",), (), ()),
        ("3", "orders", ("customer_id",), ("created_at",), ()),
        ("4", "orders", ("status",), (), ("created_at",)),
        ("6", "shop_order", ("customer_id", "state"), (), ("created",)),
    }
    assert unparsed == 1


def test_utility_statements_are_withheld() -> None:
    from redline.sources.postgres.collect import safe_text

    assert safe_text("CREATE ROLE app LOGIN PASSWORD 'hunter2'") == "<CREATE ROLE statement; text withheld>"
    assert safe_text("/* x */ SELECT 1 FROM t WHERE a = $1") == "/* x */ SELECT 1 FROM t WHERE a = $1"


@pytest.mark.parametrize(
    ("columns", "total", "toplevel"),
    [
        ({"total_time", "calls"}, "(s.total_time)", False),  # pg_stat_statements 1.7 and older
        ({"total_exec_time", "total_plan_time", "calls"}, "(s.total_exec_time + s.total_plan_time)", False),  # PG 13
        ({"total_exec_time", "total_plan_time", "toplevel"}, "(s.total_exec_time + s.total_plan_time)", True),  # 14+
    ],
)
def test_statement_columns_follow_the_server_version(columns: set[str], total: str, toplevel: bool) -> None:
    from redline.sources.postgres.collect import statements_sql

    sql = statements_sql('"public"', columns)
    assert f"{total}::float8 AS total_ms" in sql
    assert ("AND s.toplevel" in sql) is toplevel
