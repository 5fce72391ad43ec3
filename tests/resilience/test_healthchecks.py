"""Timeout findings in the scripts a Dockerfile runs as its HEALTHCHECK: Docker's --timeout bounds them, so they
are not reported; the same calls anywhere else still are (healthchecks' docker/fetchstatus.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_helpers import findings_of
from redline.checks.resilience.clients import ClientTimeoutCheck
from redline.checks.resilience.js_timeouts import JsTimeoutCheck
from redline.checks.resilience.timeouts import MissingTimeoutCheck

FIXTURE = Path(__file__).parent / "fixtures" / "healthcheck"


def test_a_healthcheck_script_is_spared_and_every_look_alike_reported(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "repo")
    found = findings_of(tmp_path / "repo", MissingTimeoutCheck(), ClientTimeoutCheck(), JsTimeoutCheck())
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in found) == [
        ("RES101", "svc/probe/old.py", 3),  # a HEALTHCHECK a later one replaced
        ("RES101", "worker/main.py", 3),  # the worker itself, copied beside its compose health check's probe
        ("RES103", "app/status.py", 7),  # the same urlopen in an application module
        ("RES103", "docker/commented_probe.py", 5),  # named in a comment only
        ("RES103", "docker/warmup.py", 5),  # run by a RUN line, at build time
        ("RES103", "ops/cache_probe.py", 3),  # a compose health check's script the pulled image does not hold
        ("RES200", "api/src/server.js", 2),  # the server's own fetch
    ]
    # spared: docker/fetchstatus.py (./fetchstatus.py, copied by `COPY docker/fetchstatus.py /opt/app/` from the
    # root context), svc/probe/ping.py (`sh -c "… python -u probe/ping.py …"`: RES101 and RES110),
    # api/scripts/health.js (exec form, WORKDIR-relative, `COPY . .`)


def test_without_the_healthchecks_their_scripts_are_reported(tmp_path: Path) -> None:
    """The spared scripts do hold what the rules look for: with every HEALTHCHECK turned into a comment they are
    reported at their lines."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    for dockerfile in root.glob("*/Dockerfile"):
        dockerfile.write_text(dockerfile.read_text().replace("HEALTHCHECK", "# HEALTHCHECK"))
    compose = root / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("healthcheck:", "x-healthcheck:"))
    found = findings_of(root, MissingTimeoutCheck(), ClientTimeoutCheck(), JsTimeoutCheck())
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in found) == [
        ("RES101", "svc/probe/old.py", 3),
        ("RES101", "svc/probe/ping.py", 4),
        ("RES101", "worker/main.py", 3),
        ("RES101", "worker/probe.py", 3),
        ("RES103", "app/status.py", 7),
        ("RES103", "docker/commented_probe.py", 5),
        ("RES103", "docker/fetchstatus.py", 6),
        ("RES103", "docker/warmup.py", 5),
        ("RES103", "ops/cache_probe.py", 3),
        ("RES103", "ops/queue_probe.py", 3),
        ("RES110", "svc/probe/ping.py", 5),
        ("RES200", "api/scripts/health.js", 1),
        ("RES200", "api/src/server.js", 2),
    ]
