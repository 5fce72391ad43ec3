"""The database checks against a real PostgreSQL: each planted problem is found exactly, the well-indexed
twin yields nothing, a saved snapshot gives the same findings, and bad input fails cleanly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from redline.cli.main import main
from redline.core.config import Config
from redline.core.model import Confidence, Finding
from redline.pipeline.database import audit_snapshot
from redline.sources.postgres.live import snapshot_database
from redline.sources.postgres.model import Snapshot
from redline.sources.postgres.serialize import from_json, to_json
from redline.sources.postgres.settings import PostgresSettings

from . import workload
from .server import PASSWORD, Server

pytestmark = pytest.mark.postgres


def _settings(url: str = "") -> PostgresSettings:
    """Thresholds a small test workload reaches: 1 ms counts as slow, 1 s idle in transaction as long."""
    return PostgresSettings(url=url, slow_query_ms=1.0, idle_in_transaction_s=1.0)


@pytest.fixture(scope="module")
def planted(pg_server: Server) -> Iterator[tuple[str, Snapshot, int]]:
    url = workload.build_planted(pg_server)
    with workload.blocked_session(url) as blocker:
        snap = snapshot_database(_settings(url))
    yield url, snap, blocker


def _findings(snap: Snapshot) -> tuple[Finding, ...]:
    found: tuple[Finding, ...] = audit_snapshot(snap, Config(), _settings()).result.findings
    return found


def test_each_planted_problem_is_found_exactly(planted: tuple[str, Snapshot, int]) -> None:
    _, snap, blocker = planted
    q1 = next(s.queryid for s in snap.statements if "customer_id" in s.query)
    got = {(f.rule, f.location.resource) for f in _findings(snap)}
    assert got == {
        ("DB101", f"statement {q1}"),
        ("DB102", "table public.orders"),
        ("DB103", "table public.orders"),
        ("DB104", f"session {blocker}"),
        ("DB105", f"session {blocker}"),
        ("DB106", "table public.events"),
        ("DB107", "index public.bloated_code_idx"),
        ("DB108", "table public.churn"),
        ("DB109", "index public.orders_note_idx"),
        ("DB110", "index public.orders_region_idx"),
        ("DB113", "sequence public.tickets_id_seq"),
        ("DB113", "sequence public.legacy_id_seq"),
    }
    assert not snap.gaps


def test_composite_index_is_proposed_in_selectivity_order_and_confirmed(planted: tuple[str, Snapshot, int]) -> None:
    _, snap, _ = planted
    (finding,) = [f for f in _findings(snap) if f.rule == "DB103"]
    evidence = dict(finding.evidence)
    assert evidence["columns"] == ("customer_id", "status")  # 5 000 customers before 10 statuses
    assert evidence["confirmed"] is True
    after, before = evidence["cost_after"], evidence["cost_before"]
    assert isinstance(after, float) and isinstance(before, float) and after < before / 10
    assert finding.confidence is Confidence.HIGH
    assert finding.remediation == "CREATE INDEX CONCURRENTLY ON public.orders (customer_id, status);"


def test_sequence_capped_by_its_integer_column(planted: tuple[str, Snapshot, int]) -> None:
    _, snap, _ = planted
    legacy = next(f for f in _findings(snap) if f.location.resource == "sequence public.legacy_id_seq")
    assert dict(legacy.evidence)["limit"] == 2**31 - 1
    assert "capped by column public.legacy.id of type integer" in legacy.message


def test_without_hypopg_confirmation_the_proposal_is_marked_unconfirmed(planted: tuple[str, Snapshot, int]) -> None:
    from dataclasses import replace

    _, snap, _ = planted
    bare = replace(snap, whatifs=())
    (finding,) = [f for f in _findings(bare) if f.rule == "DB103"]
    assert finding.confidence is Confidence.MEDIUM and "unconfirmed" in finding.message


def test_snapshot_round_trip_gives_the_same_findings(planted: tuple[str, Snapshot, int]) -> None:
    _, snap, _ = planted
    again = from_json(to_json(snap))
    assert again == snap
    assert _findings(again) == _findings(snap)


def test_well_indexed_twin_has_no_findings(pg_server: Server) -> None:
    url = workload.build_clean(pg_server)
    snap = snapshot_database(_settings(url))
    assert _findings(snap) == ()
    assert not snap.gaps


def test_least_privilege_role_reports_what_it_skipped(planted: tuple[str, Snapshot, int], pg_server: Server) -> None:
    url, _, _ = planted
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS auditor")
        conn.execute("CREATE ROLE auditor LOGIN PASSWORD 'audit-pw' IN ROLE pg_monitor")
    snap = snapshot_database(_settings(pg_server.url("auditor", "audit-pw", "planted")))
    sections = {g.section for g in snap.gaps}
    assert {"column-stats", "sequences"} <= sections
    fixes = " ".join(g.fix for g in snap.gaps)
    assert "GRANT SELECT" in fixes
    rules = {f.rule for f in _findings(snap)}
    assert {"DB101", "DB102", "DB109", "DB110"} <= rules  # what pg_monitor can see still works
    assert "DB103" not in rules  # no statistics, no honest proposal


def test_db_audit_cli_writes_findings_and_a_replayable_snapshot(
    planted: tuple[str, Snapshot, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, _ = planted
    code = main(["db-audit", url, "--out", str(tmp_path / "live"), "--exit-zero"])
    out = capsys.readouterr()
    assert code == 0
    assert PASSWORD not in out.out + out.err
    doc = json.loads((tmp_path / "live" / "findings.json").read_text())
    assert {f["rule"] for f in doc["findings"]} >= {"DB102", "DB103", "DB109", "DB110"}
    snapshot_text = (tmp_path / "live" / "snapshot.json").read_text()
    assert PASSWORD not in snapshot_text
    code = main(
        [
            "db-audit",
            "--snapshot",
            str(tmp_path / "live" / "snapshot.json"),
            "--out",
            str(tmp_path / "replay"),
            "--exit-zero",
            "-q",
        ]
    )
    assert code == 0
    replay = json.loads((tmp_path / "replay" / "findings.json").read_text())
    assert [f["fingerprint"] for f in replay["findings"]] == [f["fingerprint"] for f in doc["findings"]]


@pytest.mark.parametrize("case", ["unreachable", "wrong-password"])
def test_connection_failures_are_clean(
    case: str, pg_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = (
        f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/postgres"
        if case == "unreachable"
        else pg_server.url(password="not-the-" + PASSWORD)
    )
    code = main(["db-audit", url, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot connect to postgresql://postgres:***@127.0.0.1" in err
    assert PASSWORD not in err and "Traceback" not in err
    assert ("password authentication failed" in err) == (case == "wrong-password")
    assert not (tmp_path / "findings.json").exists()


def test_corrupt_snapshot_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "snapshot.json"
    bad.write_text('{"format": "redline-postgres-snapshot", "version": 1, "server": ')
    assert main(["db-audit", "--snapshot", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: not valid JSON" in err and "Traceback" not in err


def test_audit_with_postgres_joins_the_tree_audit(
    planted: tuple[str, Snapshot, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _, _ = planted
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "redline.toml").write_text("[postgres]\nslow_query_ms = 1\nstatement_timeout_ms = 4000\n")
    code = main(
        ["audit", str(tree), "--postgres", url, "--out", str(tmp_path / "out"), "--format", "json", "--exit-zero", "-q"]
    )
    assert code == 0
    text = (tmp_path / "out" / "findings.json").read_text()
    assert PASSWORD not in text + capsys.readouterr().out
    rules = {f["rule"] for f in json.loads(text)["findings"]}
    assert {"DB101", "DB102", "DB103", "DB109", "DB110", "DB113"} <= rules


def test_audit_with_unreachable_postgres_is_a_tool_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    code = main(
        [
            "audit",
            str(tree),
            "--postgres",
            f"postgresql://app:{PASSWORD}@127.0.0.1:1/db",
            "--out",
            str(tmp_path / "out"),
            "--format",
            "json",
            "-q",
        ]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "postgresql://app:***@127.0.0.1:1/db" in captured.err
    assert PASSWORD not in captured.err + captured.out + (tmp_path / "out" / "findings.json").read_text()


def test_bad_postgres_settings_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "redline.toml").write_text("[postgres]\nstatement_timeout_ms = 0\n")
    code = main(["db-audit", "--config", str(tmp_path / "redline.toml"), "--snapshot", str(tmp_path / "none.json")])
    assert code == 2
    assert "postgres.statement_timeout_ms' must be positive" in capsys.readouterr().err
    (tmp_path / "redline.toml").write_text("[postgres]\nstatement_timeout = 10\n")
    assert main(["db-audit", "--config", str(tmp_path / "redline.toml"), "--snapshot", "x.json"]) == 2
    assert "postgres.statement_timeout' is unknown" in capsys.readouterr().err


def test_findings_json_carries_the_database_inventory(planted: tuple[str, Snapshot, int], tmp_path: Path) -> None:
    from importlib.resources import files

    import jsonschema

    _, snap, _ = planted
    (tmp_path / "snapshot.json").write_text(to_json(snap))
    assert (
        main(
            [
                "db-audit",
                "--snapshot",
                str(tmp_path / "snapshot.json"),
                "--out",
                str(tmp_path / "o"),
                "--exit-zero",
                "-q",
            ]
        )
        == 0
    )
    doc = json.loads((tmp_path / "o" / "findings.json").read_text())
    jsonschema.validate(doc, json.loads(files("redline.report").joinpath("schema/findings.schema.json").read_text()))
    (inventory,) = doc["inventory"]["postgres"]
    assert inventory["component"] == "postgres/planted"
    assert "customer_id" in inventory["top_statements"][0]["query"]
    assert inventory["largest_tables"][0]["table"] in {"public.bloated", "public.orders"}


def test_what_if_plans_every_candidate(pg_server: Server) -> None:
    """More statements than psycopg's auto-prepare threshold (5): the what-if step's own PREPAREs must
    not trip over the driver's prepared statements."""
    url = workload.create_database(pg_server, "whatif")
    columns = ("a", "b", "c", "d", "e", "f", "g")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements; CREATE EXTENSION hypopg")
        conn.execute(f"CREATE TABLE w (id int PRIMARY KEY, {', '.join(c + ' int' for c in columns)})")
        conn.execute(
            "INSERT INTO w SELECT i, "
            + ", ".join(f"i % {97 + n}" for n in range(len(columns)))
            + " FROM generate_series(1, 20000) i"
        )
        conn.execute("ANALYZE w")
        for col in columns:
            conn.execute(f"SELECT id FROM w WHERE {col} = %s", (1,)).fetchall()
    snap = snapshot_database(_settings(url))
    assert [g.section for g in snap.gaps] == ["pgstattuple"]  # not installed here, and reported as such
    assert sorted(w.index for w in snap.whatifs) == [f"public.w ({c})" for c in columns]
    assert all(w.uses_index and w.cost_after < w.cost_before for w in snap.whatifs)


def test_missing_extensions_are_reported_with_the_fix(
    pg_server: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = workload.create_database(pg_server, "bare")
    assert main(["db-audit", url, "--out", str(tmp_path), "--exit-zero"]) == 0
    out = capsys.readouterr().out
    assert "not covered: statements: pg_stat_statements is not installed" in out
    assert "CREATE EXTENSION pg_stat_statements" in out
    assert "not covered: pgstattuple: pgstattuple is not installed" in out
    assert "not covered: hypopg: hypopg is not installed" in out and "postgresql-NN-hypopg" in out
    doc = json.loads((tmp_path / "findings.json").read_text())
    assert {e["path"] for e in doc["not_covered"]} == {"postgres/bare"}
    assert len(doc["not_covered"]) == 3


def test_evidence_of_the_partition_and_lock_findings(planted: tuple[str, Snapshot, int]) -> None:
    _, snap, blocker = planted
    found = {f.rule: dict(f.evidence) for f in _findings(snap)}
    assert found["DB106"]["hot_partition"] == "public.events_1"
    db106 = found["DB106"]
    assert (db106["hot_rows"], db106["median_rows"], db106["key"]) == (30000, 500, ("tenant",))
    assert found["DB104"]["blocker"] == blocker
    assert found["DB104"]["waiting_for"] == ("transactionid (ShareLock)",)
    assert found["DB110"]["kept_index"] == "public.orders_region_created_idx"
    assert not any(s.query.startswith("/* redline */") or "redline_whatif" in s.query for s in snap.statements)
