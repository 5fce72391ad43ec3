"""Tail-latency amplifiers in application code: N+1 queries, per-item round trips, blocking calls in async
code, serialised awaits, third-party calls on the request path (LAT101-LAT199)."""

from __future__ import annotations

from redline.checks.interface import Check


def checks() -> list[Check]:
    from redline.checks.latency.check import LatencyCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.latency.js_awaits_check import JsSerialAwaitsCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.latency.jsgo_chatty_check import JsGoChattyCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.latency.jsgo_check import JsGoPerItemCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.latency.node_sync import NodeSyncIoCheck  # noqa: PLC0415 - loaded with its family

    return [LatencyCheck(), NodeSyncIoCheck(), JsGoPerItemCheck(), JsGoChattyCheck(), JsSerialAwaitsCheck()]
