"""Database audit at scale: snapshot + checks of a database with 1,000 tables and 5,000 statements in
pg_stat_statements (goal: under 10 s). Starts its own throwaway PostgreSQL (tests/database/server.py).

There is no peer tool to compare in the same run (the usual ones — pghero, pgwatch, pganalyze — are
services, not command-line audits), so this reports redline's own figures: the whole `redline db-audit`
command as a user runs it, and the snapshot and the checks timed in process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from tests.database.server import running_server  # noqa: E402

from redline.core.config import Config  # noqa: E402
from redline.pipeline.database import audit_snapshot  # noqa: E402
from redline.sources.postgres.live import snapshot_database  # noqa: E402
from redline.sources.postgres.serialize import from_json, to_json  # noqa: E402
from redline.sources.postgres.settings import PostgresSettings  # noqa: E402

TABLES = 1000
QUERIES = (
    "SELECT id FROM {t} WHERE a = %s",
    "SELECT id FROM {t} WHERE b = %s",
    "SELECT id FROM {t} WHERE a = %s AND b = %s",
    "SELECT id FROM {t} WHERE c = %s",
    "SELECT id FROM {t} WHERE b > %s ORDER BY a LIMIT 5",
)


def build(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_stat_statements; CREATE EXTENSION hypopg; CREATE EXTENSION pgstattuple")
        conn.execute(f"""DO $$ BEGIN FOR i IN 1..{TABLES} LOOP
            EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, a int, b int, c text)', i);
            EXECUTE format('INSERT INTO t%s SELECT g, g %% 50, g %% 7, md5(g::text) FROM generate_series(1, 200) g', i);
            EXECUTE format('CREATE INDEX ON t%s (a)', i);
          END LOOP; END $$""")
        conn.execute("ANALYZE")
        conn.execute("SELECT pg_stat_statements_reset()")
        for i in range(1, TABLES + 1):
            for query in QUERIES:
                params = (1, 2) if query.count("%s") == 2 else (("x",) if "c =" in query else (1,))
                conn.execute(query.format(t=f"t{i}"), params).fetchall()  # type: ignore[arg-type]
        count = conn.execute("SELECT count(*) FROM pg_stat_statements").fetchone()
        print(f"pg_stat_statements holds {count[0] if count else 0:,} statements")


def main() -> int:
    with running_server() as server:
        url = server.url()
        started = time.perf_counter()
        build(url)
        print(f"built {TABLES:,} tables and their workload in {time.perf_counter() - started:.1f} s")
        settings = PostgresSettings(url=url)
        t0 = time.perf_counter()
        snap = snapshot_database(settings)
        t1 = time.perf_counter()
        result = audit_snapshot(snap, Config(), settings).result
        t2 = time.perf_counter()
        text = to_json(snap)
        t3 = time.perf_counter()
        again = from_json(text)
        audit_snapshot(again, Config(), settings)
        replay_s = time.perf_counter() - t3
        size = len(text)
        print(
            f"in process: snapshot {t1 - t0:.2f} s ({len(snap.tables):,} tables, {len(snap.indexes):,} indexes, "
            f"{len(snap.columns):,} column stats, {len(snap.statements):,} statements, {len(snap.predicates):,} "
            f"predicates, {len(snap.whatifs)} hypopg what-ifs), checks {t2 - t1:.2f} s, "
            f"{len(result.findings)} findings, snapshot.json {size / 1024**2:.1f} MiB; "
            f"replay from JSON (parse, validate, check) {replay_s:.2f} s"
        )
        with tempfile.TemporaryDirectory() as out:
            env = {**os.environ, "REDLINE_POSTGRES_URL": url}
            t3b = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "redline", "db-audit", "--out", out, "--exit-zero", "-q"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            t4 = time.perf_counter()
            replay = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "redline",
                    "db-audit",
                    "--snapshot",
                    str(Path(out) / "snapshot.json"),
                    "--out",
                    str(Path(out) / "replay"),
                    "--exit-zero",
                    "-q",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            t5 = time.perf_counter()
        print(f"redline db-audit --snapshot (offline replay, new process): {t5 - t4:.2f} s, exit {replay.returncode}")
        verdict = "met" if t4 - t3b < 10 else "NOT met"
        print(
            f"redline db-audit (whole command, new process): {t4 - t3b:.2f} s, exit {proc.returncode}; "
            f"goal < 10 s: {verdict}"
        )
        if proc.returncode != 0:
            print(proc.stderr)
        return 0 if proc.returncode == 0 and replay.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
