"""Hand-written exports shaped like each dialect, built row by row so each test plants what it needs."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

FOCUS_COLUMNS = (
    "BilledCost",
    "BillingCurrency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ChargeDescription",
    "ServiceName",
    "ServiceCategory",
    "ProviderName",
    "EffectiveCost",
    "ListCost",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "RegionId",
    "AvailabilityZone",
    "PricingCategory",
    "CommitmentDiscountId",
    "ConsumedQuantity",
    "ConsumedUnit",
    "Tags",
)


def focus_row(
    cost: float,
    *,
    day: str = "2024-09-10",
    resource: str = "i-1",
    service: str = "Amazon EC2",
    category: str = "Compute",
    description: str = "EC2 usage",
    tags: dict[str, str] | None = None,
    currency: str = "USD",
    provider: str = "AWS",
    pricing: str = "Standard",
    charge: str = "Usage",
    quantity: float = 1.0,
    unit: str = "Hrs",
    **extra: Any,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "BilledCost": cost,
        "BillingCurrency": currency,
        "ChargePeriodStart": f"{day} 00:00:00",
        "ChargePeriodEnd": f"{day} 01:00:00",
        "ChargeCategory": charge,
        "ChargeDescription": description,
        "ServiceName": service,
        "ServiceCategory": category,
        "ProviderName": provider,
        "EffectiveCost": cost,
        "ListCost": cost,
        "ResourceId": resource,
        "ResourceName": "NULL",
        "ResourceType": "NULL",
        "RegionId": "us-east-1",
        "AvailabilityZone": "NULL",
        "PricingCategory": pricing,
        "CommitmentDiscountId": "NULL",
        "ConsumedQuantity": quantity,
        "ConsumedUnit": unit,
        "Tags": json.dumps(tags) if tags is not None else "NULL",
    }
    row.update(extra)
    return row


def write_focus(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = FOCUS_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def days(month: str, count: int) -> list[str]:
    return [f"{month}-{d:02d}" for d in range(1, count + 1)]
