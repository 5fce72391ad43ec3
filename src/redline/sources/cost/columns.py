"""Which columns an export has, which dialect it is, and how each dialect maps onto FOCUS.

Every dialect becomes the same normalised row (``NORMALISED``): a FOCUS 1.0-1.2 export is read as is,
an AWS Cost and Usage Report 2.0 and an Azure cost-details export are mapped column by column (the
table below is the whole mapping, kept here so it can be reviewed against the providers' docs).
DuckDB matches identifiers case-insensitively, so ``costInBillingCurrency`` and ``CostInBillingCurrency``
are the same column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KNOWN_FOCUS_VERSIONS = ("1.0", "1.0-preview", "1.1", "1.2")
VERSION_COLUMNS = ("FocusVersion", "x_FocusVersion")

#: the columns every normalised row has, in this order
NORMALISED = (
    "provider",
    "currency",
    "period_start",
    "billed",
    "effective",
    "list",
    "charge_category",
    "service_name",
    "service_category",
    "resource_id",
    "resource_name",
    "resource_type",
    "region",
    "zone",
    "pricing_category",
    "commitment_id",
    "description",
    "quantity",
    "unit",
    "tags",
)


@dataclass(frozen=True)
class Dialect:
    name: str
    #: columns that must be present (any case); a file lacking one is not covered, naming them
    required: tuple[str, ...]
    #: columns whose presence tells this dialect apart
    signature: tuple[str, ...]
    #: normalised column -> SQL expression over the source columns; ``None`` where the source has none
    expressions: dict[str, str]
    #: optional source columns: when absent the expression is replaced by NULL
    optional: dict[str, tuple[str, ...]]
    #: the source column of ``period_start`` (read as is when it is already a timestamp)
    period_column: str = ""


def _cost(col: str) -> str:
    return f'TRY_CAST("{col}" AS DOUBLE)'


def _text(col: str) -> str:
    return f"NULLIF(TRIM(CAST(\"{col}\" AS VARCHAR)), '')"


_TS = (
    "coalesce(TRY_CAST(CAST({c} AS VARCHAR) AS TIMESTAMP), "
    "TRY_CAST(TRY_CAST(CAST({c} AS VARCHAR) AS TIMESTAMPTZ) AS TIMESTAMP), "
    "TRY_STRPTIME(CAST({c} AS VARCHAR), '%m/%d/%Y'), TRY_STRPTIME(CAST({c} AS VARCHAR), '%Y-%m-%d'))"
)

FOCUS = Dialect(
    name="FOCUS",
    required=("BilledCost", "BillingCurrency", "ChargePeriodStart", "ChargeCategory", "ServiceName"),
    signature=("BilledCost", "ChargePeriodStart"),
    expressions={
        "provider": "coalesce(" + _text("ProviderName") + ", 'unknown')",
        "currency": _text("BillingCurrency"),
        "period_start": _TS.format(c='"ChargePeriodStart"'),
        "billed": _cost("BilledCost"),
        "effective": _cost("EffectiveCost"),
        "list": _cost("ListCost"),
        "charge_category": _text("ChargeCategory"),
        "service_name": _text("ServiceName"),
        "service_category": _text("ServiceCategory"),
        "resource_id": _text("ResourceId"),
        "resource_name": _text("ResourceName"),
        "resource_type": _text("ResourceType"),
        "region": _text("RegionId"),
        "zone": _text("AvailabilityZone"),
        "pricing_category": _text("PricingCategory"),
        "commitment_id": _text("CommitmentDiscountId"),
        "description": _text("ChargeDescription"),
        "quantity": _cost("ConsumedQuantity"),
        "unit": _text("ConsumedUnit"),
        "tags": _text("Tags"),
    },
    period_column="ChargePeriodStart",
    optional={
        "provider": ("ProviderName",),
        "effective": ("EffectiveCost",),
        "list": ("ListCost",),
        "service_category": ("ServiceCategory",),
        "resource_id": ("ResourceId",),
        "resource_name": ("ResourceName",),
        "resource_type": ("ResourceType",),
        "region": ("RegionId",),
        "zone": ("AvailabilityZone",),
        "pricing_category": ("PricingCategory",),
        "commitment_id": ("CommitmentDiscountId",),
        "description": ("ChargeDescription",),
        "quantity": ("ConsumedQuantity",),
        "unit": ("ConsumedUnit",),
        "tags": ("Tags",),
    },
)

_CUR_SERVICE_CATEGORY = (
    "CASE WHEN line_item_product_code IN ('AmazonEC2','AWSLambda','AmazonECS','AmazonEKS','AWSFargate') "
    "THEN 'Compute' WHEN line_item_product_code IN ('AmazonRDS','AmazonDynamoDB','AmazonElastiCache',"
    "'AmazonRedshift','AmazonDocDB') THEN 'Databases' WHEN line_item_product_code IN ('AmazonS3','AmazonEFS',"
    "'AmazonGlacier') THEN 'Storage' WHEN line_item_product_code IN ('AWSDataTransfer','AmazonVPC',"
    "'AmazonCloudFront','AWSELB','AmazonRoute53') THEN 'Networking' WHEN line_item_product_code IN "
    "('AmazonCloudWatch','AWSCloudTrail','AWSConfig') THEN 'Management and Governance' ELSE 'Other' END"
)

#: AWS CUR 2.0 → FOCUS (after the FOCUS 1.0 conversion AWS documents for its own FOCUS export)
CUR2 = Dialect(
    name="AWS CUR 2.0",
    required=(
        "line_item_unblended_cost",
        "line_item_currency_code",
        "line_item_usage_start_date",
        "line_item_line_item_type",
        "line_item_product_code",
    ),
    signature=("line_item_unblended_cost", "line_item_usage_start_date"),
    expressions={
        "provider": "'AWS'",
        "currency": _text("line_item_currency_code"),
        "period_start": _TS.format(c="line_item_usage_start_date"),
        "billed": _cost("line_item_unblended_cost"),
        "effective": (
            "CASE line_item_line_item_type "
            "WHEN 'SavingsPlanCoveredUsage' "
            "THEN TRY_CAST(savings_plan_savings_plan_effective_cost AS DOUBLE) "
            "WHEN 'DiscountedUsage' THEN TRY_CAST(reservation_effective_cost AS DOUBLE) "
            "WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0 "
            "ELSE TRY_CAST(line_item_unblended_cost AS DOUBLE) END"
        ),
        "list": _cost("pricing_public_on_demand_cost"),
        "charge_category": (
            "CASE WHEN line_item_line_item_type IN ('Usage','DiscountedUsage',"
            "'SavingsPlanCoveredUsage') THEN 'Usage' WHEN line_item_line_item_type = 'Tax' "
            "THEN 'Tax' WHEN line_item_line_item_type IN ('Credit','Refund','EdpDiscount',"
            "'BundledDiscount','PrivateRateDiscount') THEN 'Credit' WHEN line_item_line_item_type "
            "IN ('Fee','RIFee','SavingsPlanRecurringFee','SavingsPlanUpfrontFee') THEN 'Purchase' "
            "ELSE 'Adjustment' END"
        ),
        "service_name": _text("line_item_product_code"),
        "service_category": _CUR_SERVICE_CATEGORY,
        "resource_id": _text("line_item_resource_id"),
        "resource_name": "NULL",
        "resource_type": _text("product_product_family"),
        "region": _text("product_region_code"),
        "zone": _text("line_item_availability_zone"),
        "pricing_category": (
            "CASE WHEN line_item_line_item_type IN ('DiscountedUsage','SavingsPlanCoveredUsage') "
            "THEN 'Committed' WHEN line_item_usage_type ILIKE '%SpotUsage%' THEN 'Dynamic' "
            "WHEN line_item_line_item_type = 'Usage' THEN 'Standard' ELSE NULL END"
        ),
        "commitment_id": (
            "NULLIF(coalesce(CAST(reservation_reservation_a_r_n AS VARCHAR), "
            "CAST(savings_plan_savings_plan_a_r_n AS VARCHAR)), '')"
        ),
        "description": "concat_ws(' ', line_item_line_item_description, line_item_usage_type)",
        "quantity": _cost("line_item_usage_amount"),
        "unit": _text("pricing_unit"),
        "tags": "CAST(to_json(resource_tags) AS VARCHAR)",
    },
    period_column="line_item_usage_start_date",
    optional={
        "list": ("pricing_public_on_demand_cost",),
        "resource_id": ("line_item_resource_id",),
        "resource_type": ("product_product_family",),
        "region": ("product_region_code",),
        "zone": ("line_item_availability_zone",),
        "effective": ("savings_plan_savings_plan_effective_cost", "reservation_effective_cost"),
        "pricing_category": ("line_item_usage_type",),
        "commitment_id": ("reservation_reservation_a_r_n", "savings_plan_savings_plan_a_r_n"),
        "description": ("line_item_line_item_description", "line_item_usage_type"),
        "quantity": ("line_item_usage_amount",),
        "unit": ("pricing_unit",),
        "tags": ("resource_tags",),
    },
)

#: Azure cost details export (actual or amortised) → FOCUS
AZURE = Dialect(
    name="Azure cost export",
    required=("CostInBillingCurrency", "Date", "MeterCategory", "ChargeType"),
    signature=("CostInBillingCurrency", "MeterCategory"),
    expressions={
        "provider": "'Microsoft'",
        "currency": "NULLIF(TRIM(CAST(BillingCurrency AS VARCHAR)), '')",
        "period_start": _TS.format(c='"Date"'),
        "billed": _cost("CostInBillingCurrency"),
        "effective": _cost("CostInBillingCurrency"),
        "list": "TRY_CAST(PayGPrice AS DOUBLE) * TRY_CAST(Quantity AS DOUBLE)",
        "charge_category": (
            "CASE ChargeType WHEN 'Usage' THEN 'Usage' WHEN 'Purchase' THEN 'Purchase' "
            "WHEN 'Refund' THEN 'Credit' WHEN 'UnusedReservation' THEN 'Usage' "
            "WHEN 'UnusedSavingsPlan' THEN 'Usage' ELSE 'Adjustment' END"
        ),
        "service_name": _text("MeterCategory"),
        "service_category": (
            "CASE WHEN MeterCategory IN ('Virtual Machines','Functions','Container Instances',"
            "'App Service','Azure Kubernetes Service') THEN 'Compute' WHEN MeterCategory IN "
            "('SQL Database','Azure Cosmos DB','Azure Database for PostgreSQL',"
            "'Azure Database for MySQL','Redis Cache') THEN 'Databases' WHEN MeterCategory IN "
            "('Storage') THEN 'Storage' WHEN MeterCategory IN ('Bandwidth','Virtual Network',"
            "'Load Balancer','Application Gateway') THEN 'Networking' ELSE 'Other' END"
        ),
        "resource_id": _text("ResourceId"),
        "resource_name": _text("ResourceName"),
        "resource_type": _text("ConsumedService"),
        "region": _text("ResourceLocation"),
        "zone": "NULL",
        "pricing_category": (
            "CASE PricingModel WHEN 'OnDemand' THEN 'Standard' WHEN 'Reservation' THEN "
            "'Committed' WHEN 'SavingsPlan' THEN 'Committed' WHEN 'Spot' THEN 'Dynamic' "
            "ELSE NULL END"
        ),
        "commitment_id": _text("ReservationId"),
        "description": "concat_ws(' ', MeterCategory, MeterSubCategory, MeterName)",
        "quantity": _cost("Quantity"),
        "unit": _text("UnitOfMeasure"),
        "tags": (
            "CASE WHEN NULLIF(TRIM(CAST(Tags AS VARCHAR)), '') IS NULL THEN NULL "
            "WHEN starts_with(TRIM(CAST(Tags AS VARCHAR)), '{') THEN TRIM(CAST(Tags AS VARCHAR)) "
            "ELSE '{' || TRIM(CAST(Tags AS VARCHAR)) || '}' END"
        ),
    },
    period_column="Date",
    optional={
        "currency": ("BillingCurrency",),
        "list": ("PayGPrice", "Quantity"),
        "resource_id": ("ResourceId",),
        "resource_name": ("ResourceName",),
        "resource_type": ("ConsumedService",),
        "region": ("ResourceLocation",),
        "pricing_category": ("PricingModel",),
        "commitment_id": ("ReservationId",),
        "description": ("MeterSubCategory", "MeterName"),
        "quantity": ("Quantity",),
        "unit": ("UnitOfMeasure",),
        "tags": ("Tags",),
    },
)

DIALECTS = (FOCUS, CUR2, AZURE)


def detect(columns: set[str]) -> Dialect | None:
    """The dialect whose signature columns are all present (names compared case-insensitively)."""
    lower = {c.lower() for c in columns}
    for dialect in DIALECTS:
        if all(c.lower() in lower for c in dialect.signature):
            return dialect
    return None


def missing_columns(dialect: Dialect, columns: set[str]) -> list[str]:
    lower = {c.lower() for c in columns}
    return [c for c in dialect.required if c.lower() not in lower]


_PLAIN_TEXT = re.compile(r"NULLIF\(TRIM\(CAST\((\"?[^\"()]+\"?) AS VARCHAR\)\), ''\)")


def select_list(dialect: Dialect, columns: set[str], types: dict[str, str] | None = None, *, trim: bool = True) -> str:
    """The SELECT list that turns one file of ``dialect`` into normalised rows (``types``: lower-case
    column name → DuckDB type, so a Parquet timestamp is not parsed as text). ``trim=False`` leaves a
    column that is only trimmed (``_text``) as it is read: the caller trims after aggregating, once per
    distinct value instead of once per row (a quarter of the scan's CPU)."""
    lower = {c.lower() for c in columns}
    parts = []
    period_type = (types or {}).get(dialect.period_column.lower(), "VARCHAR").upper()
    for name in NORMALISED:
        needs = dialect.optional.get(name, ())
        expr = dialect.expressions[name]
        if name == "period_start" and period_type.startswith(("TIMESTAMP", "DATE")):
            expr = f'CAST("{dialect.period_column}" AS TIMESTAMP)'
            if "WITH TIME ZONE" in period_type:
                expr = f"CAST(timezone('UTC', \"{dialect.period_column}\") AS TIMESTAMP)"

        if needs and not all(c.lower() in lower for c in needs):
            expr = _fallback(dialect, name, lower)
        if not trim and (plain := _PLAIN_TEXT.fullmatch(expr)):
            expr = f"CAST({plain.group(1)} AS VARCHAR)"
        parts.append(f"{expr} AS {name}")
    return ",\n  ".join(parts)


def _fallback(dialect: Dialect, name: str, lower: set[str]) -> str:
    """What an optional column becomes when its source columns are absent."""
    if dialect is CUR2 and name == "effective":
        return _cost("line_item_unblended_cost")
    if dialect is CUR2 and name == "pricing_category":
        return (
            "CASE WHEN line_item_line_item_type IN ('DiscountedUsage','SavingsPlanCoveredUsage') THEN 'Committed' "
            "WHEN line_item_line_item_type = 'Usage' THEN 'Standard' ELSE NULL END"
        )
    if dialect is CUR2 and name == "description" and "line_item_line_item_description" in lower:
        return _text("line_item_line_item_description")
    if dialect is AZURE and name == "currency" and "billingcurrencycode" in lower:
        return _text("BillingCurrencyCode")
    if dialect is AZURE and name == "description":
        return _text("MeterCategory")
    if dialect is FOCUS and name == "provider" and "serviceprovidername" in lower:
        return "coalesce(" + _text("ServiceProviderName") + ", 'unknown')"
    return "'unknown'" if name == "provider" else "NULL"
