"""Performance detectors over measured traces (``sources/traces``): one module per detector."""

from __future__ import annotations

from redline.checks.performance.blocked_write import BlockedWriteCheck
from redline.checks.performance.budget import HopBudgetCheck
from redline.checks.performance.chatty import ChattyRpcCheck
from redline.checks.performance.common import TraceCheck
from redline.checks.performance.lock_wait import LockWaitCheck
from redline.checks.performance.n_plus_one import NPlusOneCheck
from redline.checks.performance.retry_storm import RetryStormCheck
from redline.checks.performance.serial import SerialCallsCheck
from redline.checks.performance.slo import SloCheck
from redline.checks.performance.slow_query import SlowQueryCheck
from redline.checks.performance.third_party import ThirdPartyCallCheck
from redline.checks.performance.variance import HighVarianceCheck


def checks() -> list[TraceCheck]:
    return [
        NPlusOneCheck(),
        ChattyRpcCheck(),
        SerialCallsCheck(),
        ThirdPartyCallCheck(),
        SlowQueryCheck(),
        HighVarianceCheck(),
        RetryStormCheck(),
        SloCheck(),
        HopBudgetCheck(),
        LockWaitCheck(),
        BlockedWriteCheck(),
    ]
