"""Event-loop stalls and serialised awaits in ``async def`` bodies."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import groupby

from redline.checks.latency.clients import (
    HTTP_READS,
    SYNC_HTTP_CLIENTS,
    SYNC_REDIS,
    Bindings,
    http_kind,
    method,
    receiver,
)
from redline.checks.latency.per_item import Hit
from redline.checks.latency.rules import AWAIT_IN_LOOP, BLOCKING_IN_ASYNC, SERIAL_AWAITS
from redline.checks.latency.serial_runs import independent_runs
from redline.sources.code.model import CallSite, CodeIndex

_BLOCKING = {
    "time.sleep": "await asyncio.sleep(...)",
    "urllib.request.urlopen": "an async HTTP client (httpx.AsyncClient, aiohttp)",
    "subprocess.run": "await asyncio.create_subprocess_exec(...)",
    "subprocess.call": "await asyncio.create_subprocess_exec(...)",
    "subprocess.check_call": "await asyncio.create_subprocess_exec(...)",
    "subprocess.check_output": "await asyncio.create_subprocess_exec(...)",
    "os.system": "await asyncio.create_subprocess_exec(...)",
    "psycopg2.connect": "an async driver (psycopg AsyncConnection, asyncpg) or a pool used through to_thread",
    "pymysql.connect": "an async driver (aiomysql, asyncmy)",
    "MySQLdb.connect": "an async driver (aiomysql, asyncmy)",
    "smtplib.SMTP": "aiosmtplib, or a background task",
    "smtplib.SMTP_SSL": "aiosmtplib, or a background task",
}
_FILE_READS = frozenset({"open.read", "open.readlines", "Path.read_text", "Path.read_bytes", "pathlib.Path.read_text"})


def async_functions(index: CodeIndex) -> set[str]:
    return {d.qualname for d in index.definitions if d.kind == "async_function"}


def blocking_hits(index: CodeIndex, bindings: Bindings) -> Iterator[Hit]:
    asyncs = async_functions(index)
    for call in index.calls:
        if call.function not in asyncs or call.awaited:
            continue
        fix = _blocking_fix(call, bindings)
        if fix is None:
            continue
        yield Hit(
            BLOCKING_IN_ASYNC,
            f"{call.raw}(...) blocks the event loop inside async def {call.function}",
            call.line,
            call.end_line,
            {"call": call.raw, "function": call.function},
            f"Use {fix}; for a blocking library with no async form, `await asyncio.to_thread(fn, ...)`.",
        )


def _blocking_fix(call: CallSite, bindings: Bindings) -> str | None:
    if call.target in _BLOCKING:
        return _BLOCKING[call.target]
    if (
        call.target
        and call.target.startswith("requests.")
        and method(call) in {"get", "post", "put", "patch", "delete", "head", "request"}
    ):
        return "an async HTTP client (httpx.AsyncClient, aiohttp)"
    if call.raw in _FILE_READS:
        return "aiofiles, or `await asyncio.to_thread(path.read_text)`"
    holder = bindings.of(call.function, receiver(call)) if receiver(call) else None
    if holder in SYNC_HTTP_CLIENTS:
        return "an async HTTP client (httpx.AsyncClient, aiohttp)"
    if holder in SYNC_REDIS and method(call) not in {"pipeline", "close"}:
        return "redis.asyncio"
    return None


def _external_read(call: CallSite, bindings: Bindings) -> bool:
    kind = http_kind(call, bindings)
    return call.awaited and (kind == "rpc" or (kind == "async" and method(call) in HTTP_READS))


def serial_hits(index: CodeIndex, bindings: Bindings) -> Iterator[Hit]:
    asyncs = async_functions(index)
    statements = sorted(
        (c for c in index.calls if c.function in asyncs and c.block >= 0 and _external_read(c, bindings)),
        key=lambda c: (c.block, c.position),
    )
    for _, group in groupby(statements, key=lambda c: c.block):
        for run in independent_runs(list(group), _itself):
            first = run[0]
            lines = ", ".join(str(c.line) for c in run)
            yield Hit(
                SERIAL_AWAITS,
                f"{len(run)} independent calls awaited one after the other (lines {lines}) in {first.function}",
                first.line,
                run[-1].end_line,
                {"calls": "; ".join(c.raw for c in run), "lines": lines},
                "Start them together and await once: `await asyncio.gather(a(), b())` or an "
                "`asyncio.TaskGroup`; the wait becomes the slowest call, not the sum.",
            )


def await_loop_hits(index: CodeIndex, bindings: Bindings) -> Iterator[Hit]:
    for call in index.calls:
        if call.loop < 0 or not call.awaited or http_kind(call, bindings) not in {"async", "rpc"}:
            continue
        loop = index.loops[call.loop]
        if loop.kind not in {"for", "comprehension"} or loop.exits or not set(loop.targets) & set(call.reads):
            continue
        if method(call) not in HTTP_READS and http_kind(call, bindings) != "rpc":
            continue
        carried = (set(loop.assigns) - set(loop.targets)) & set(call.reads)
        if carried:
            continue  # the call reads what an earlier iteration computed (a cursor, a token)
        yield Hit(
            AWAIT_IN_LOOP,
            f"{call.raw}(...) awaited once per item of `{loop.iter or 'the loop'}` (loop at line {loop.line}), "
            "one after the other",
            call.line,
            call.end_line,
            {"call": call.raw, "loop": f"line {loop.line}"},
            "Fan out with a bound: `asyncio.gather(*(fetch(x) for x in items))` behind an `asyncio.Semaphore`, "
            "or a batch endpoint when the service has one.",
        )


def _itself(call: CallSite) -> CallSite:
    return call
