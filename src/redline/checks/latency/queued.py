"""Functions whose call queues a job instead of running it: huey's task decorators.

Calling a ``@huey.task()`` (``@db_task``, ``@periodic_task``) function enqueues it and returns a result handle;
its body, and any query in it, runs later in a consumer, once per job. A loop that calls one per item puts N
jobs on the queue, it does not run N queries in the caller (linkding's ``_load_favicon_task(bookmark.id)``
under its own ``@task()`` wrapper of ``huey.task``). Celery, Dramatiq and RQ run a decorated function called
directly in the caller (they queue through ``.delay()``/``.send()``), so only huey's are counted."""

from __future__ import annotations

from redline.sources.code.model import CodeIndex, Decorator
from redline.sources.code.routes.common import imports_module

#: huey's decorators that turn a function into a queued task
_HUEY_TASKS = frozenset({"task", "db_task", "periodic_task", "db_periodic_task"})


def queued_tasks(index: CodeIndex) -> set[str]:
    """The module's functions a call only enqueues: decorated by huey's task decorators, directly
    (``@huey.task()``, ``@db_task()``) or through a decorator factory of the module that applies one."""
    if not imports_module(index, ("huey",)):
        return set()
    factories = _factories(index)
    return {
        d.qualname
        for d in index.definitions
        if d.kind != "class" and any(_huey_task(x) or x.raw in factories for x in d.decorators)
    }


def _huey_task(decorator: Decorator) -> bool:
    """``@huey.task()``, ``@HUEY.db_task()``, ``@db_task()`` imported from huey, ``@huey.periodic_task(...)``
    on an instance the module made (``huey = RedisHuey()``: no import to resolve it through)."""
    last = decorator.raw.rsplit(".", 1)[-1]
    if last not in _HUEY_TASKS:
        return False
    target = decorator.target or ""
    return target.startswith("huey.") or (not target and "huey" in decorator.raw.lower())


def _factories(index: CodeIndex) -> set[str]:
    """Module functions that apply a huey task decorator inside them (``def task(retries=5): def deco(fn): ...
    return huey.task(retries=retries)(inner)``): using one as a decorator makes a queued task too."""
    top = {d.qualname for d in index.definitions if d.kind != "class" and "." not in d.qualname}
    found: set[str] = set()
    for call in index.calls:
        owner = call.function.split(".", 1)[0]
        if owner in top and call.raw.rsplit(".", 1)[-1] in _HUEY_TASKS and (call.target or "").startswith("huey."):
            found.add(owner)
    return found
