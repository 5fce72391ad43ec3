"""DuckDB over billing exports: each file is scanned once into a per-day aggregate, everything else
is computed from that aggregate. No export row ever becomes a Python object.

DuckDB is imported here, lazily, so commands that do not read exports never load it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redline.sources.cost import columns
from redline.sources.cost.gzipcheck import GzipCheck, GzipFeed, verify
from redline.sources.cost.model import UNALLOCATED, CostLine, DailyCost, ExportFile
from redline.sources.cost.settings import CostSettings
from redline.sources.inputs import expand_inputs, is_gzip

log = logging.getLogger("redline")

EXPORT_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".tsv", ".tsv.gz")
MEMORY_LIMIT = "600MB"
SNIFF_ROWS = 20_480  # rows DuckDB looks at to find the header's names (all columns are read as text)

_LOGS = r"cloudwatch|log analytics|logging|azure monitor|\blogs?\b"
_LB = r"load ?balanc|\belb\b"

#: how a charge is classified: (kind, pattern over service name + resource type, pattern over the
#: description); the first match wins, ``None`` matches anything
USAGE_KINDS: tuple[tuple[str, str | None, str | None], ...] = (
    (
        "ip-idle",
        None,
        r"idle (public )?ipv4|elastic ip address not attached|not attached to a running instance|"
        r"unassociated (static |public )?ip",
    ),
    ("volume-unattached", None, r"unattached (disk|volume|managed disk)|detached (disk|volume)"),
    (
        "lb-hours",
        _LB,
        r"load ?balancer-hours?|loadbalancerusage|lb-hours?|"
        r"per (application |network |classic |gateway )?load ?balancer.*hour",
    ),
    (
        "transfer-zone",
        None,
        r"regional data transfer|inter-?(availability )?zone|cross-?(availability )?zone|"
        r"between availability zones|datatransfer-regional",
    ),
    (
        "transfer-out",
        None,
        r"data transfer out|data transfer to |datatransfer-out|-out-bytes|egress|to internet|"
        r"inter-?region",
    ),
    ("lb-traffic", _LB, None),  # capacity units, data processed, inbound transfer: the balancer carried traffic
    ("log-storage", _LOGS, r"stor(ed|age)|archiv|retention|timedstorage"),
    ("log-ingest", _LOGS, r"ingest|datauploaded|data uploaded|collected|analyzed"),
)


class ExportError(Exception):
    """An export file cannot be read; the message names the reason (the caller names the file)."""


def expand_exports(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files and folders of monthly files → export files; what does not exist is a problem, not a crash."""
    return expand_inputs(paths, EXPORT_SUFFIXES, "folder holds no .csv, .csv.gz or .parquet export")


def connect(work_dir: Path | None = None) -> Any:
    import duckdb  # noqa: PLC0415 - heavy, only for runs that read exports

    con = duckdb.connect(":memory:")
    temp = work_dir or Path(tempfile.gettempdir()) / "redline-duckdb"
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = '{_sql_str(str(temp))}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET TimeZone = 'UTC'")
    con.execute(_STAGED_TABLE)
    return con


#: per file: the export's own values summed per day, nothing derived yet (cheap to scan)
_STAGED_TABLE = """
CREATE TABLE staged (
  file INTEGER, day DATE, provider VARCHAR, currency VARCHAR, tags VARCHAR, resource_id VARCHAR,
  resource_name VARCHAR, resource_type VARCHAR, service_name VARCHAR, service_category VARCHAR,
  charge_category VARCHAR, pricing_category VARCHAR, description VARCHAR, cost DOUBLE, billed DOUBLE,
  effective DOUBLE, list_cost DOUBLE, quantity DOUBLE, rows BIGINT, null_cost BIGINT, undated BIGINT,
  version VARCHAR)
"""


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _scan(path: Path, names: tuple[str, ...] = ()) -> str:
    """The table function over one export. Given the header's ``names``, a CSV is read with them as
    VARCHAR and no sniffing, so a gzip stream is decompressed once (sniffing the whole file for types
    was a second full pass); every value is text and the mapping's TRY_CASTs type it, as before."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        return f"read_parquet('{_sql_str(str(path))}')"
    delim = "\\t" if name.endswith((".tsv", ".tsv.gz")) else ","
    common = f"delim = '{delim}', quote = '\"', escape = '\"', nullstr = ['NULL', ''], strict_mode = true"
    if names:
        columns = ", ".join(f"'{_sql_str(n)}': 'VARCHAR'" for n in names)
        return (
            f"read_csv('{_sql_str(str(path))}', header = true, auto_detect = false, columns = {{{columns}}}, {common})"
        )
    return f"read_csv('{_sql_str(str(path))}', header = true, all_varchar = true, sample_size = {SNIFF_ROWS}, {common})"


def _check_readable(path: Path) -> None:
    """After DuckDB failed on a gzip file: when the gzip stream itself is truncated, say that plainly
    (DuckDB reports it as a CSV dialect it could not detect). Only on the error path: it reads the file."""
    if is_gzip(path) and (reason := verify(path)):
        raise _corrupt_gzip(reason)


def _json_tag(keys: tuple[str, ...]) -> str:
    if not keys:
        return "NULL"
    parts = [f"json_extract_string(tj, '$.\"{_sql_str(k)}\"')" for k in keys]
    return f"NULLIF(TRIM(coalesce({', '.join(parts)})), '')"


def _component_expr(settings: CostSettings) -> tuple[str, str]:
    tag = "tag"  # the service tag's value, worked out in tag_map
    cases = []
    for name, patterns in sorted(settings.components.items()):
        for pattern in patterns:
            cases.append(f"WHEN regexp_matches(ident, '{_sql_str(pattern)}', 'i') THEN '{_sql_str(name)}'")
    pattern = f"CASE {' '.join(cases)} ELSE NULL END" if cases else "NULL"
    component = f"coalesce({tag}, {pattern}, '{UNALLOCATED}')"
    via = f"CASE WHEN {tag} IS NOT NULL THEN 'tag' WHEN {pattern} IS NOT NULL THEN 'pattern' ELSE '' END"
    return component, via


def _kind_expr() -> str:
    whens = []
    for kind, service, description in USAGE_KINDS:
        conds = [f"regexp_matches({col}, '{_sql_str(rx)}')" for col, rx in (("s", service), ("d", description)) if rx]
        whens.append(f"WHEN {' AND '.join(conds)} THEN '{kind}'")
    return f"CASE {' '.join(whens)} ELSE 'other' END"


_PRICING = (
    "CASE WHEN lower(pricing_category) IN ('standard', 'on-demand', 'ondemand') THEN 'on-demand' "
    "WHEN lower(pricing_category) = 'committed' THEN 'committed' WHEN lower(pricing_category) = 'dynamic' "
    "THEN 'spot' WHEN pricing_category IS NULL THEN '' ELSE 'other' END"
)


def _insert_sql(index: int, scan: str, select: str, version: str, settings: CostSettings) -> str:
    metric = {"EffectiveCost": "effective", "BilledCost": "billed", "ListCost": "list"}[settings.metric]
    return f"""
INSERT INTO staged
WITH n AS (SELECT {select}, {version} AS version FROM {scan})
SELECT {index}, CAST(period_start AS DATE), provider, coalesce(currency, 'unknown'), tags, resource_id,
       resource_name, resource_type, service_name, service_category, charge_category, pricing_category, description,
       sum(coalesce({metric}, 0)), sum(coalesce(billed, 0)), sum(coalesce(effective, 0)), sum(coalesce(list, 0)),
       sum(coalesce(quantity, 0)), count(*), count(*) FILTER (WHERE {metric} IS NULL),
       count(*) FILTER (WHERE period_start IS NULL), version
FROM n GROUP BY ALL
"""


_TRIMMED = (
    "tags",
    "resource_id",
    "resource_name",
    "resource_type",
    "service_name",
    "service_category",
    "charge_category",
    "pricing_category",
    "description",
)

#: the text columns the scan left untrimmed (``select_list(trim=False)``), trimmed in the staged per-day
#: groups; only rows that need it are written, and derive() groups again, so the values are those of
#: trimming each export row (groups of equal raw text trim alike)
_TRIM_STAGED = f"""
UPDATE staged SET provider = coalesce(NULLIF(TRIM(provider), ''), 'unknown'),
  currency = coalesce(NULLIF(TRIM(currency), ''), 'unknown'),
  {", ".join(f"{c} = NULLIF(TRIM({c}), '')" for c in _TRIMMED)}
WHERE {" OR ".join(f"{c} = '' OR {c} <> TRIM({c})" for c in ("provider", "currency", *_TRIMMED))}
"""


def derive(con: Any, settings: CostSettings) -> None:
    """Turn the staged sums into the ``daily`` table: tags, patterns and kinds are worked out once per
    distinct tag set, resource and charge description, never once per export row."""
    component, via = _component_expr(settings)
    con.execute(_TRIM_STAGED)
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE tag_map AS
SELECT tags, {_json_tag(settings.service_tags)} AS tag_component, {_json_tag(settings.tenant_tags)} AS tenant,
       {_json_tag(settings.feature_tags)} AS feature, {_json_tag(settings.environment_tags)} AS environment
FROM (SELECT tags, CASE WHEN json_valid(tags) THEN tags END AS tj FROM (SELECT DISTINCT tags FROM staged))""")
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE kind_map AS
SELECT service_name, resource_type, description, {_kind_expr()} AS usage_kind
FROM (SELECT *, lower(coalesce(service_name, '') || ' ' || coalesce(resource_type, '')) AS s,
             lower(coalesce(description, '')) AS d
      FROM (SELECT DISTINCT service_name, resource_type, description FROM staged))""")
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE resource_map AS
SELECT resource_id, resource_name, tag_component, {component} AS component, {via} AS component_via
FROM (SELECT *, tag_component AS tag, concat_ws(' ', resource_id, resource_name) AS ident
      FROM (SELECT DISTINCT s.resource_id, s.resource_name, t.tag_component
            FROM staged s LEFT JOIN tag_map t ON s.tags IS NOT DISTINCT FROM t.tags))""")
    con.execute(f"""
CREATE OR REPLACE TABLE daily AS
SELECT s.day, s.provider, s.currency, r.component, r.component_via, coalesce(t.tenant, '') AS tenant,
       coalesce(t.feature, '') AS feature, coalesce(t.environment, '') AS environment,
       coalesce(s.resource_id, '') AS resource_id, coalesce(s.resource_name, '') AS resource_name,
       coalesce(s.resource_type, '') AS resource_type, coalesce(s.service_name, '') AS service_name,
       coalesce(s.service_category, '') AS service_category, coalesce(s.charge_category, '') AS charge_category,
       {_PRICING.replace("pricing_category", "s.pricing_category")} AS pricing, k.usage_kind,
       sum(s.cost) AS cost, sum(s.billed) AS billed, sum(s.effective) AS effective, sum(s.list_cost) AS list_cost,
       sum(s.quantity) AS quantity, sum(s.rows) AS rows
FROM staged s
LEFT JOIN tag_map t ON s.tags IS NOT DISTINCT FROM t.tags
JOIN resource_map r ON s.resource_id IS NOT DISTINCT FROM r.resource_id
     AND s.resource_name IS NOT DISTINCT FROM r.resource_name
     AND t.tag_component IS NOT DISTINCT FROM r.tag_component
JOIN kind_map k ON s.service_name IS NOT DISTINCT FROM k.service_name
     AND s.resource_type IS NOT DISTINCT FROM k.resource_type AND s.description IS NOT DISTINCT FROM k.description
WHERE s.day IS NOT NULL
GROUP BY ALL""")


def _version_expr(dialect: columns.Dialect, cols: set[str]) -> str:
    """The FocusVersion column (read in the same scan as the costs), or NULL."""
    lower = {x.lower() for x in cols}
    present = [c for c in columns.VERSION_COLUMNS if c.lower() in lower]
    if dialect is not columns.FOCUS or not present:
        return "NULL"
    return f"NULLIF(TRIM(CAST(\"{present[0]}\" AS VARCHAR)), '')"


def _version(con: Any, index: int) -> str:
    rows = con.execute(f"SELECT DISTINCT version FROM staged WHERE file = {index} AND version IS NOT NULL").fetchall()
    versions = sorted({str(r[0]) for r in rows})
    unknown = [v for v in versions if v not in columns.KNOWN_FOCUS_VERSIONS]
    if unknown:
        raise ExportError(
            f"unknown FOCUS version {', '.join(unknown)} (known: {', '.join(columns.KNOWN_FOCUS_VERSIONS)})"
        )
    return ", ".join(versions)


def load_file(con: Any, index: int, path: Path, settings: CostSettings) -> ExportFile:
    """Scan one export into the ``staged`` table, all or nothing; raise ``ExportError`` with the reason."""
    import duckdb  # noqa: PLC0415

    described = _describe(con, path)
    cols = {str(r[0]) for r in described}
    types = {str(r[0]).lower(): str(r[1]) for r in described}
    dialect = _dialect(cols, settings)
    select = columns.select_list(dialect, cols, types, trim=False)  # trimmed in derive(), per staged group
    names = tuple(str(r[0]) for r in described)
    with _gzip_source(path) as (source, gzip_reason):
        sql = _insert_sql(index, _scan(source, names), select, _version_expr(dialect, cols), settings)
        con.execute("BEGIN TRANSACTION")
        try:
            rows, null_cost, undated, version = _stage(con, index, sql, focus=dialect is columns.FOCUS)
            if reason := gzip_reason(True):
                raise _corrupt_gzip(reason)
            con.execute("COMMIT")
        except (duckdb.Error, ExportError) as exc:
            con.execute("ROLLBACK")
            raise _failure(exc, gzip_reason) from None
    return ExportFile(
        str(path),
        dialect.name,
        version or ("" if dialect is not columns.FOCUS else "1.0+"),
        rows,
        null_cost,
        undated,
    )


def _stage(con: Any, index: int, sql: str, *, focus: bool) -> tuple[int, int, int, str]:
    """Run one file's INSERT of per-day sums; its row, null-cost and undated counts and FOCUS version."""
    con.execute(sql)
    rows, null_cost, undated = con.execute(
        f"SELECT coalesce(sum(rows), 0), coalesce(sum(null_cost), 0), coalesce(sum(undated), 0) "
        f"FROM staged WHERE file = {index}"
    ).fetchone()
    return int(rows), int(null_cost), int(undated), _version(con, index) if focus else ""


def _corrupt_gzip(reason: str) -> ExportError:
    """The one message for a gzip stream that fails its CRC-32/length check or ends early."""
    return ExportError(f"corrupt or truncated gzip file ({reason})")


def _failure(exc: Exception, gzip_reason: Callable[[bool], str | None]) -> ExportError:
    """The ExportError for a failed scan: a corrupt gzip stream first (DuckDB then read a cut file)."""
    if isinstance(exc, ExportError):
        return exc
    if reason := gzip_reason(False):
        return _corrupt_gzip(reason)
    return ExportError(f"cannot read: {_first_line(exc)}")


@contextmanager
def _gzip_source(path: Path) -> Iterator[tuple[Path, Callable[[bool], str | None]]]:
    """What DuckDB scans for ``path``, and after the scan ``reason(scan_ok)``: why the gzip stream is corrupt
    or truncated, or None. DuckDB inflates gzip on its own without checking the CRC-32 and length, so a
    gzip CSV is inflated by ``GzipFeed`` into a FIFO (in a folder removed on any exit) that DuckDB reads as
    plain text; without FIFOs DuckDB reads the file and ``GzipCheck`` inflates it once more beside it."""
    if not is_gzip(path) or path.name.lower().endswith(".parquet"):
        yield path, lambda _ok: None
        return
    if not GzipFeed.available():  # pragma: no cover - Windows
        check = GzipCheck(path)
        try:
            yield path, lambda _ok: check.result()
        finally:
            check.cancel()
        return
    tsv = path.name.lower().endswith((".tsv.gz", ".tsv"))
    with tempfile.TemporaryDirectory(prefix="redline-gzip-") as tmp:
        feed = GzipFeed(path, Path(tmp) / ("export.tsv" if tsv else "export.csv"))
        finished: list[tuple[str | None, bool]] = []

        def reason(scan_ok: bool) -> str | None:
            if not finished:
                finished.append(feed.finish())
            error, complete = finished[0]
            if error is None and scan_ok and not complete:
                return "the CSV reader stopped before the end of the stream"
            return error

        try:
            yield feed.fifo, reason
        finally:
            reason(False)


def _describe(con: Any, path: Path) -> list[tuple[Any, ...]]:
    import duckdb  # noqa: PLC0415

    try:
        return list(con.execute(f"DESCRIBE SELECT * FROM {_scan(path)}").fetchall())
    except duckdb.Error as exc:
        _check_readable(path)  # a truncated gzip file: say so rather than DuckDB's sniffing error
        raise ExportError(
            f"cannot read as {'Parquet' if path.suffix == '.parquet' else 'CSV'}: {_first_line(exc)}"
        ) from None


def _dialect(cols: set[str], settings: CostSettings) -> columns.Dialect:
    """The export's dialect, or ``ExportError`` naming the columns it lacks."""
    dialect = columns.detect(cols)
    if dialect is None:
        raise ExportError(
            "not a FOCUS, AWS CUR 2.0 or Azure cost export: missing columns "
            f"{', '.join(columns.FOCUS.required)} (FOCUS) or equivalents"
        )
    missing = columns.missing_columns(dialect, cols)
    if dialect is columns.FOCUS and settings.metric.lower() not in {c.lower() for c in cols}:
        missing.append(settings.metric)
    if missing:
        raise ExportError(f"{dialect.name} export lacks required column(s): {', '.join(missing)}")
    return dialect


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


#: ``daily`` has one row per day and group, so counting rows counts days
_LINE_SQL = """
SELECT strftime(day, '%Y-%m') AS month, provider, currency, component, component_via, tenant, feature, environment,
       resource_id, resource_name, resource_type, service_name, service_category, charge_category, pricing,
       usage_kind, sum(cost), sum(billed), sum(effective), sum(list_cost), sum(quantity), sum(rows),
       count(*) FILTER (WHERE cost <> 0 OR quantity <> 0)
FROM daily GROUP BY ALL
"""

_DAILY_SQL = """
SELECT strftime(day, '%Y-%m-%d'), currency, provider, component, tenant, service_name,
       pricing = 'on-demand' AND charge_category = 'Usage' AND service_category IN ('Compute', 'Databases'),
       sum(cost)
FROM daily GROUP BY ALL ORDER BY ALL
"""


_LINE_TEXT = (
    "month",
    "provider",
    "currency",
    "component",
    "component_via",
    "tenant",
    "feature",
    "environment",
    "resource_id",
    "resource_name",
    "resource_type",
    "service_name",
    "service_category",
    "charge_category",
    "pricing",
    "usage_kind",
)


def cost_lines(con: Any) -> list[CostLine]:
    """Every month-grain line, in a stable order (sorted here: cheaper than ORDER BY over many text columns)."""
    return sorted(_cost_lines(con), key=_line_key)


def _line_key(line: CostLine) -> tuple[str, ...]:
    return (
        line.month,
        line.provider,
        line.currency,
        line.component,
        line.tenant,
        line.resource_id,
        line.service_name,
        line.charge_category,
        line.pricing,
        line.usage_kind,
        line.feature,
        line.environment,
        line.resource_name,
        line.resource_type,
        line.service_category,
        line.component_via,
    )


def _cost_lines(con: Any) -> Iterator[CostLine]:
    cur = con.execute(_LINE_SQL)
    while batch := cur.fetchmany(10_000):
        for r in batch:
            texts = dict(zip(_LINE_TEXT, r[:16], strict=True))
            yield CostLine(
                **texts,
                cost=float(r[16]),
                billed=float(r[17]),
                effective=float(r[18]),
                list_cost=float(r[19]),
                quantity=float(r[20]),
                rows=int(r[21]),
                days=int(r[22]),
            )


def daily_costs(con: Any) -> list[DailyCost]:
    return sorted(
        _daily_costs(con),
        key=lambda d: (d.day, d.currency, d.provider, d.component, d.tenant, d.service_name, d.commitment_eligible),
    )


def _daily_costs(con: Any) -> Iterator[DailyCost]:
    cur = con.execute(_DAILY_SQL)
    while batch := cur.fetchmany(10_000):
        for r in batch:
            yield DailyCost(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), float(r[7]))
