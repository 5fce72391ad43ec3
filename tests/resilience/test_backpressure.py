"""RES140 (unbounded queues filled in a loop) and RES141 (Celery tasks with no time limit anywhere)."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.resilience.backpressure import CeleryTimeLimitCheck, ConsumerPrefetchCheck, UnboundedQueueCheck
from redline.core.model import Finding

from .helpers import FIXTURES, lines_by_rule, run_fixture, run_source


def test_unbounded_queues_filled_in_loops_fire_exactly() -> None:
    found = run_fixture(UnboundedQueueCheck(), "RES140")
    assert lines_by_rule(found) == {"RES140": [8, 15, 22]}
    assert "`jobs` is an unbounded queue.Queue" in found[0].message


def test_queue_in_test_code_is_not_judged() -> None:
    src = "import queue\nq = queue.Queue()\nwhile True:\n    q.put(1)\n"
    assert run_source(UnboundedQueueCheck(), src, rel="tests/test_q.py") == []
    assert len(run_source(UnboundedQueueCheck(), src)) == 1


def _celery(root: Path) -> list[Finding]:
    found: list[Finding] = findings_of(root, CeleryTimeLimitCheck(), select=("RES141",))  # opt-in: by its code
    return found


def test_celery_tasks_without_any_time_limit_fire_once_per_project() -> None:
    (finding,) = _celery(FIXTURES / "celery" / "unlimited")
    assert (finding.rule, finding.location.path, finding.location.start_line) == ("RES141", "tasks.py", 7)
    assert finding.message.startswith("2 Celery task(s) have no time limit")
    assert "send_invoice, sync_stock" in finding.message


def test_celery_rule_is_opt_in() -> None:
    from redline.checks.resilience.backpressure import CELERY_NO_TIME_LIMIT

    assert CELERY_NO_TIME_LIMIT.opt_in


def test_a_global_time_limit_in_settings_silences_celery_tasks() -> None:
    assert _celery(FIXTURES / "celery" / "limited") == []


def test_consumers_without_prefetch_fire_on_channels_the_module_opens() -> None:
    found = run_fixture(ConsumerPrefetchCheck(), "RES142")
    assert lines_by_rule(found) == {"RES142": [9, 17]}
    limited = (
        "import pika\n"
        "def consume(conn, handle):\n"
        "    channel = conn.channel()\n"
        "    channel.basic_qos(prefetch_count=20)\n"
        "    channel.basic_consume(queue='orders', on_message_callback=handle)\n"
    )
    assert run_source(ConsumerPrefetchCheck(), limited) == []
