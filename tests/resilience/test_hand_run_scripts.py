"""Scripts a maintainer runs by hand (redash's bin/release_manager.py): timeout findings kept apart at low, latency
rules silent, as for management commands, and so are scripts a Dockerfile RUN line runs at build time; the same
calls in the application, in a script it imports, in one the deployment starts (Dockerfile CMD, compose command) or
in one that runs a server are reported as before."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck
from redline.checks.resilience.clients import ClientTimeoutCheck
from redline.checks.resilience.timeouts import MissingTimeoutCheck
from redline.core.context import is_in_context
from redline.core.model import Severity
from redline.sources.code.hand_run import BUILD_SCRIPT, HAND_RUN_SCRIPT

FIXTURE = Path(__file__).parent / "fixtures" / "hand_run_scripts"


def _judged(root: Path) -> list[tuple[str, str, int, Severity, bool]]:
    found = findings_of(root, MissingTimeoutCheck(), ClientTimeoutCheck(), LatencyCheck())
    return sorted((f.rule, f.location.path, f.location.start_line, f.severity, is_in_context(f)) for f in found)


def test_hand_run_scripts_are_kept_apart_and_every_look_alike_reported(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "repo")
    assert _judged(tmp_path / "repo") == [
        ("LAT106", "bin/pricing.py", 10, Severity.MEDIUM, False),  # a script the application imports
        ("LAT106", "shop/payments.py", 10, Severity.MEDIUM, False),
        ("LAT131", "bin/serve.py", 9, Severity.LOW, False),
        ("RES101", "bin/pricing.py", 5, Severity.MEDIUM, False),
        ("RES101", "bin/release_manager.py", 6, Severity.LOW, True),  # imported by a test only
        ("RES101", "bin/release_manager.py", 11, Severity.LOW, True),  # and no LAT106 for its loop
        ("RES101", "bin/serve.py", 9, Severity.MEDIUM, False),  # its __main__ block runs a server: the app
        ("RES101", "dev/code-generation/gen_locales.py", 5, Severity.LOW, True),  # mealie's dev/ code generators
        ("RES101", "devices/poll.py", 5, Severity.MEDIUM, False),  # a folder that only starts alike
        ("RES101", "helper-scripts/caa_record.py", 7, Severity.LOW, True),  # mailcow's helper-scripts/
        ("RES101", "scripts/common.py", 5, Severity.MEDIUM, False),  # no way to run it: a module scripts import
        ("RES101", "scripts/worker.py", 5, Severity.MEDIUM, False),  # the Dockerfile's CMD runs it
        ("RES101", "shop/payments.py", 5, Severity.MEDIUM, False),  # the application itself
        ("RES101", "shop/setup/install_model.py", 8, Severity.LOW, True),  # the Dockerfile RUNs it at build time
        ("RES101", "shop/setup/warm_rates.py", 5, Severity.MEDIUM, False),  # RUN at build, and the app imports it
        ("RES101", "tools/consumer.py", 4, Severity.MEDIUM, False),  # compose runs `python -m tools.consumer`
        ("RES101", "tools/deploy/notify.py", 4, Severity.LOW, True),
        ("RES101", "tools/lib/helpers.py", 9, Severity.MEDIUM, False),  # a module-level call of another's: a library
        ("RES101", "tools/scripts/next_release.py", 5, Severity.LOW, True),  # runs its own function at module level
        ("RES101", "transcripts/fetch.py", 5, Severity.MEDIUM, False),  # a folder that only ends alike
        ("RES103", "scripts/sync_users.py", 8, Severity.LOW, True),  # argparse: a command-line program
    ]
    found = findings_of(tmp_path / "repo", MissingTimeoutCheck())
    spared = next(f for f in found if f.location.path == "scripts/sync_users.py")
    assert spared.evidence.text("context") == HAND_RUN_SCRIPT
    built = next(f for f in found if f.location.path == "shop/setup/install_model.py")
    assert built.evidence.text("context") == BUILD_SCRIPT


def test_a_script_without_a_way_to_run_it_is_reported(tmp_path: Path) -> None:
    """Without its ``__main__`` block release_manager.py can only be imported: judged as application code."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    script = root / "bin" / "release_manager.py"
    script.write_text(script.read_text().replace('if __name__ == "__main__":\n    release(["v1"])\n', ""))
    assert [j for j in _judged(root) if j[1] == "bin/release_manager.py"] == [
        ("LAT106", "bin/release_manager.py", 11, Severity.MEDIUM, False),
        ("RES101", "bin/release_manager.py", 6, Severity.MEDIUM, False),
        ("RES101", "bin/release_manager.py", 11, Severity.MEDIUM, False),
    ]


def test_without_the_start_commands_the_started_scripts_are_hand_run(tmp_path: Path) -> None:
    """The worker and the consumer are reported at medium only because the deployment starts them."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / "Dockerfile").unlink()
    (root / "docker-compose.yml").unlink()
    started = [j for j in _judged(root) if j[1] in {"scripts/worker.py", "tools/consumer.py"}]
    assert started == [
        ("RES101", "scripts/worker.py", 5, Severity.LOW, True),
        ("RES101", "tools/consumer.py", 4, Severity.LOW, True),
    ]
