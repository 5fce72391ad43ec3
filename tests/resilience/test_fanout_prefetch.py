"""RES170 (unbounded fan-out over request data or an unsliced query) and RES171-RES174 (consumers with no
prefetch limit beyond pika: Celery acks-late, kombu, amqplib, Go amqp091), at their exact lines, with the
look-alikes quiet: a semaphore, a validated size, chunks, a literal, a slice, a tuned multiplier, the application's
checks read through the request object."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_by_place
from redline.checks.interface import Check
from redline.checks.resilience.backpressure import ConsumerPrefetchCheck
from redline.checks.resilience.fanout import FanOutCheck
from redline.checks.resilience.prefetch import AmqpPrefetchJsGoCheck, CeleryPrefetchCheck, KombuPrefetchCheck
from redline.core.model import Finding

from .helpers import FIXTURES, lines_by_rule, run_fixture, run_source


def _run(root: Path, check: Check) -> list[Finding]:
    found: list[Finding] = findings_by_place(root, check)
    return found


def test_fan_out_over_request_data_and_unsliced_queries_fires_exactly() -> None:
    found = run_fixture(FanOutCheck(), "RES170")
    assert lines_by_rule(found) == {"RES170": [27, 32, 38, 43, 104]}
    submit, gather, task, query, appended = found
    assert "`POOL.submit` starts one job per item of `payload['orders']`, request data" in submit.message
    assert "bounds its threads but not its queue" in submit.message
    assert "`asyncio.gather` starts one task per item of `user_ids`, request data (param:user_ids)" in gather.message
    assert "nothing bounds how many coroutines" in task.message
    assert "an unsliced query (Order.objects.filter)" in query.message
    assert query.confidence.name == "MEDIUM" and submit.confidence.name == "HIGH"
    assert all(f.remediation for f in found)
    assert "per item of `urls`" in appended.message


def test_fan_out_waits_and_windows_are_quiet() -> None:
    windowed = (
        "import asyncio\n"
        "from flask import request\n"
        "async def handler():\n"
        "    for url in request.json['urls']:\n"
        "        task = asyncio.create_task(fetch(url))\n"
        "        await task\n"
        "async def fetch(u): ...\n"
    )
    assert run_source(FanOutCheck(), windowed) == []
    unguarded = windowed.replace("        await task\n", "")
    assert [f.location.start_line for f in run_source(FanOutCheck(), unguarded)] == [5]
    assert run_source(FanOutCheck(), unguarded, rel="tests/test_fetch.py") == []


def test_run_in_executor_and_task_groups_are_spawns() -> None:
    src = (
        "import asyncio\n"
        "from fastapi import FastAPI\n"
        "app = FastAPI()\n"
        "@app.post('/resize')\n"
        "async def resize(images: list[str]):\n"
        "    loop = asyncio.get_running_loop()\n"
        "    futures = [loop.run_in_executor(None, shrink, i) for i in images]\n"
        "    async with asyncio.TaskGroup() as tg:\n"
        "        for i in images:\n"
        "            tg.create_task(upload(i))\n"
        "def shrink(i): ...\n"
        "async def upload(i): ...\n"
    )
    assert [f.location.start_line for f in run_source(FanOutCheck(), src)] == [7, 10]


def test_celery_acks_late_without_a_prefetch_multiplier_fires_once() -> None:
    (finding,) = _run(FIXTURES / "prefetch" / "acks_late", CeleryPrefetchCheck())
    assert (finding.rule, finding.location.path, finding.location.start_line) == ("RES171", "settings.py", 2)
    assert "CELERY_TASK_ACKS_LATE = True" in finding.message
    assert finding.evidence["sites"] == "1"  # the setting; the task decorator's acks_late is not judged
    assert "worker_prefetch_multiplier = 1" in (finding.remediation or "")


def test_a_multiplier_in_settings_or_on_the_worker_command_line_silences_celery() -> None:
    assert _run(FIXTURES / "prefetch" / "acks_late_tuned", CeleryPrefetchCheck()) == []
    assert _run(FIXTURES / "prefetch" / "acks_late_cli", CeleryPrefetchCheck()) == []
    assert _run(FIXTURES / "prefetch" / "acks_late_conf_tuned", CeleryPrefetchCheck()) == []  # app.conf attribute


def test_acks_late_set_on_app_conf_fires_at_its_line() -> None:
    (finding,) = _run(FIXTURES / "prefetch" / "acks_late_conf", CeleryPrefetchCheck())
    assert (finding.location.path, finding.location.start_line) == ("celery.py", 5)
    assert "task_acks_late = True at celery.py:5" in finding.message


def test_kombu_consumers_without_prefetch_fire_exactly() -> None:
    found = run_fixture(KombuPrefetchCheck(), "RES172")
    assert lines_by_rule(found) == {"RES172": [9, 18, 38]}
    qos = "from kombu import Consumer\ndef f(ch, q):\n    c = Consumer(ch, queues=[q])\n    c.qos(prefetch_count=10)\n"
    assert run_source(KombuPrefetchCheck(), qos) == []


def test_aiormq_consumers_are_judged_by_res142() -> None:
    found = run_fixture(ConsumerPrefetchCheck(), "RES142_aiormq")
    assert lines_by_rule(found) == {"RES142": [7]}


def test_amqplib_and_go_amqp_consumers_without_prefetch_fire_exactly() -> None:
    found = _run(FIXTURES / "prefetch" / "amqp", AmqpPrefetchJsGoCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("RES174", "gosvc/consume.go", 10),
        ("RES174", "gosvc/consume.go", 20),
        ("RES173", "svc/consumer.js", 7),
        ("RES173", "svc/consumer.js", 8),
    ]
    assert found[3].evidence["auto_ack"] == "true" and "no flow control" in found[3].message
    assert found[2].evidence["auto_ack"] == "false" and "`Qos(n, 0, false)`" in found[0].message
