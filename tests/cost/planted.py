"""One export with planted waste of every kind and, beside each, a look-alike that must not fire."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .exports import days, focus_row, write_focus

LB_HOURS = "$0.0225 per Application LoadBalancer-hour (or partial hour)"
LB_LCU = "$0.008 per used Application load balancer capacity unit-hour (or partial hour)"


def _app(name: str, tenant: str = "") -> dict[str, str]:
    return {"application": name, **({"tenant": tenant} if tenant else {})}


def planted_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    # checkout: steady on-demand EC2 (COST107) whose cost per request rises 1000 -> ~1530 on flat traffic (COST103)
    rows += [focus_row(1000.0 / 31, day=d, resource="i-checkout", tags=_app("checkout")) for d in days("2024-08", 31)]
    rows += [
        focus_row(50.0 + i % 3, day=d, resource="i-checkout", tags=_app("checkout"))
        for i, d in enumerate(days("2024-09", 30))
    ]
    rows.append(
        focus_row(
            10.0,
            day="2024-09-05",
            resource="i-checkout",
            tags=_app("checkout"),
            description="$0.09 per GB - data transfer out to internet",
            category="Networking",
        )
    )
    # search: +15 % per request (no COST103); spiky on-demand (no COST107); tenant acme far above its share (COST104)
    rows += [focus_row(50.0, day=d, resource="i-search", tags=_app("search")) for d in days("2024-08", 10)]
    rows += [focus_row(12.5, day=d, resource="i-search", tags=_app("search")) for d in days("2024-09", 10)]
    rows.append(
        focus_row(
            400.0,
            day="2024-09-03",
            resource="es-acme",
            tags=_app("search", "acme"),
            service="Amazon OpenSearch Service",
            category="Analytics",
        )
    )
    rows.append(
        focus_row(
            50.0,
            day="2024-09-03",
            resource="es-globex",
            tags=_app("search", "globex"),
            service="Amazon OpenSearch Service",
            category="Analytics",
        )
    )
    # steady but committed: no COST107
    rows += [
        focus_row(
            20.0,
            day=d,
            resource="i-search-ri",
            tags=_app("search-batch"),
            pricing="Committed",
            CommitmentDiscountId="ri-1",
        )
        for d in days("2024-09", 30)
    ]
    # legacy: requests in August only, still billed in September (COST102); orders-db never in requests (no COST102)
    rows.append(focus_row(30.0, day="2024-08-10", resource="i-legacy", tags=_app("legacy")))
    rows.append(focus_row(40.0, day="2024-09-10", resource="i-legacy", tags=_app("legacy")))
    rows.append(
        focus_row(
            100.0,
            day="2024-09-10",
            resource="db-orders",
            tags=_app("orders"),
            service="Amazon RDS",
            category="Databases",
            pricing="Committed",
        )
    )
    # orders: 60 of 160 is cross-zone transfer (COST105); checkout's 10 of 1540 egress is not
    rows.append(
        focus_row(
            60.0,
            day="2024-09-11",
            resource="i-orders",
            tags=_app("orders"),
            category="Networking",
            description="$0.01 per GB - regional data transfer - in/out/between EC2 AZs",
        )
    )
    # untagged (COST101): the five largest must be named in this order
    rows.append(
        focus_row(
            300.0,
            day="2024-09-01",
            resource="vol-orphan-big",
            service="Amazon EC2",
            category="Storage",
            description="$0.08 per GB-month of gp3 provisioned storage",
        )
    )
    rows.append(focus_row(100.0, day="2024-09-01", resource="i-untagged"))
    rows.append(
        focus_row(
            20.0,
            day="2024-09-01",
            resource="vol-detached",
            service="Azure Disks",
            category="Storage",
            description="Unattached disk storage P10",
        )
    )
    # idle IP (COST102) and an in-use one (no finding)
    rows.append(
        focus_row(
            3.6,
            day="2024-09-01",
            resource="eipalloc-idle",
            service="Amazon VPC",
            category="Networking",
            description="$0.005 per Idle public IPv4 address per hour",
        )
    )
    rows.append(
        focus_row(
            3.6,
            day="2024-09-01",
            resource="eipalloc-used",
            service="Amazon VPC",
            category="Networking",
            description="$0.005 per In-use public IPv4 address per hour",
        )
    )
    # a load balancer with no traffic (COST102) and a busy one (no finding)
    for lb in ("lb/app/silent", "lb/app/busy", "lb/app/egress"):
        rows += [
            focus_row(
                4.0, day=d, resource=lb, service="Elastic Load Balancing", category="Networking", description=LB_HOURS
            )
            for d in days("2024-09", 4)
        ]
    # a balancer billed on one day only (created, or torn down): not judged
    rows.append(
        focus_row(
            16.0,
            day="2024-09-01",
            resource="lb/app/new",
            service="Elastic Load Balancing",
            category="Networking",
            description=LB_HOURS,
        )
    )
    # ... and one whose only traffic charge is outbound transfer (no finding either)
    rows.append(
        focus_row(
            0.9,
            day="2024-09-01",
            resource="lb/app/egress",
            service="Elastic Load Balancing",
            category="Networking",
            description="$0.09 per GB - data transfer out",
            quantity=10.0,
        )
    )
    rows.append(
        focus_row(
            2.0,
            day="2024-09-02",
            resource="lb/app/busy",
            service="Elastic Load Balancing",
            category="Networking",
            description=LB_LCU,
            quantity=250.0,
            unit="LCU-Hrs",
        )
    )
    # logs: 400 GB-months kept for 10 GB a month (COST106); 100 GB kept for 100 GB a month is fine
    for group, ingest_gb, stored_gb, ingest_cost, store_cost in (
        ("/aws/lambda/orders", 10.0, 400.0, 5.0, 12.0),
        ("/aws/lambda/search", 100.0, 100.0, 50.0, 3.0),
    ):
        rows.append(
            focus_row(
                ingest_cost,
                day="2024-09-01",
                resource=group,
                service="AmazonCloudWatch",
                category="Management and Governance",
                description="$0.50 per GB - data ingested",
                quantity=ingest_gb,
                unit="GB",
            )
        )
        rows.append(
            focus_row(
                store_cost,
                day="2024-09-01",
                resource=group,
                service="AmazonCloudWatch",
                category="Management and Governance",
                description="$0.03 per GB-mo of log storage",
                quantity=stored_gb,
                unit="GB-Mo",
            )
        )
    return rows


REQUESTS_CSV = """date,service,tenant,requests
2024-08-15,checkout,,1000000
2024-09-15,checkout,,1000000
2024-08-15,search,acme,50000
2024-08-15,search,globex,250000
2024-08-15,search,initech,200000
2024-09-15,search,acme,50000
2024-09-15,search,globex,250000
2024-09-15,search,initech,200000
2024-08-15,legacy,,1000
"""


def write_planted(folder: Path) -> tuple[Path, Path]:
    export = write_focus(folder / "focus.csv", planted_rows())
    requests = folder / "requests.csv"
    requests.write_text(REQUESTS_CSV, encoding="utf-8")
    return export, requests
