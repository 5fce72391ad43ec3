"""Data-path checks (design step 5): batching and compression on the way to queues, streams and files."""

from __future__ import annotations

from redline.checks.interface import Check


def checks() -> list[Check]:
    from redline.checks.datapath.batching import BatchingCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.datapath.compression import CompressionCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.datapath.response_compression import (  # noqa: PLC0415 - loaded with its family
        ResponseCompressionCheck,
    )

    return [BatchingCheck(), CompressionCheck(), ResponseCompressionCheck()]
