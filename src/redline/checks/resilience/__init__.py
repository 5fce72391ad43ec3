"""Resilience checks: timeouts, retries, circuit breakers, backpressure."""

from __future__ import annotations

from redline.checks.interface import Check
from redline.checks.resilience.timeouts import MissingTimeoutCheck


def checks() -> list[Check]:
    from redline.checks.resilience.backpressure import (  # noqa: PLC0415 - loaded with its family
        CeleryTimeLimitCheck,
        ConsumerPrefetchCheck,
        UnboundedQueueCheck,
    )
    from redline.checks.resilience.breakers import CircuitBreakerCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.caches import CacheExpiryCheck, UnboundedMemoCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.clients import ClientTimeoutCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.fanout import FanOutCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.go_timeouts import GoTimeoutCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.js_grpc_deadline import JsGrpcDeadlineCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.js_timeouts import JsTimeoutCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.pools import PoolBudgetCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.prefetch import (  # noqa: PLC0415 - loaded with its family
        AmqpPrefetchJsGoCheck,
        CeleryPrefetchCheck,
        KombuPrefetchCheck,
    )
    from redline.checks.resilience.retries import RetryCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.resilience.retry_backoff import RetryBackoffCheck  # noqa: PLC0415 - loaded with its family

    return [
        MissingTimeoutCheck(),
        ClientTimeoutCheck(),
        RetryCheck(),
        CircuitBreakerCheck(),
        UnboundedQueueCheck(),
        CeleryTimeLimitCheck(),
        ConsumerPrefetchCheck(),
        CacheExpiryCheck(),
        UnboundedMemoCheck(),
        JsTimeoutCheck(),
        GoTimeoutCheck(),
        PoolBudgetCheck(),
        RetryBackoffCheck(),
        FanOutCheck(),
        CeleryPrefetchCheck(),
        KombuPrefetchCheck(),
        AmqpPrefetchJsGoCheck(),
        JsGrpcDeadlineCheck(),
    ]
