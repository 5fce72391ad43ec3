"""Request volume per service (and tenant, route) per day, from whatever the team has.

Formats, recognised from the content: a CSV with a header (``date``/``day``, ``service``, optional
``tenant`` and ``route``, ``requests``/``count``); a Prometheus query-result JSON (``/api/v1/query_range``
of e.g. ``sum by (service, tenant) (increase(http_requests_total[1d]))`` with a one-day step: each
sample is the requests of the day it falls in); nginx/Apache combined access logs; JSON lines with a
time and a path (``time``/``timestamp``/``@timestamp``, ``path``/``uri``/``route``/``request``).
A log line has no service: name it with ``SERVICE=FILE`` on the command line (default: the file's stem).
Everything is counted while streaming; no file is held in memory.

Traces are the fourth input (``--traces``: server spans per service, route and tenant from the traces'
span store, sources/traces/requests.py); the dataset turns them into the same ``RequestCount`` values.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from redline.sources.cost.model import RequestCount
from redline.sources.inputs import open_text

Counts = dict[tuple[str, str, str, str], float]


class RequestsError(Exception):
    """A requests file cannot be read; the message is the reason."""


_COMBINED = re.compile(r'^\S+ \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+)[^"]*" (?P<status>\d{3}) ')
_CSV_DAY = ("date", "day")
_CSV_COUNT = ("requests", "count", "value")


def parse_spec(spec: str) -> tuple[str, Path]:
    """``SERVICE=FILE`` or ``FILE``."""
    name, sep, rest = spec.partition("=")
    if sep and name and "/" not in name and not Path(spec).exists():
        return name, Path(rest)
    return "", Path(spec)


def read_requests(spec: str) -> list[RequestCount]:
    """Every request count in one file, summed per (day, service, tenant, route)."""
    service, path = parse_spec(spec)
    service = service or path.name.split(".")[0]
    try:
        with open_text(path, errors="replace", newline="") as fh:
            head = fh.read(4096)
            fh.seek(0)
            stripped = head.lstrip()
            if stripped.startswith("{") and '"resultType"' in head:
                counts = _prometheus(fh)
            elif stripped.startswith("{"):
                counts = _json_lines(fh, service)
            elif _COMBINED.match(stripped.splitlines()[0] if stripped else ""):
                counts = _access_log(fh, service)
            else:
                counts = _csv(fh)
    except (OSError, EOFError, UnicodeError) as exc:
        raise RequestsError(f"cannot read: {exc}") from None
    out = [RequestCount(day, svc, tenant, route, float(n)) for (day, svc, tenant, route), n in sorted(counts.items())]
    if not out:
        raise RequestsError(
            "no request counts found (expected a requests CSV, a Prometheus query result, "
            "a combined access log or JSON lines)"
        )
    return out


def _csv(fh: IO[str]) -> Counts:
    reader = csv.DictReader(fh)
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    day_col = next((fields[c] for c in _CSV_DAY if c in fields), None)
    count_col = next((fields[c] for c in _CSV_COUNT if c in fields), None)
    if day_col is None or count_col is None or "service" not in fields:
        raise RequestsError(
            "requests CSV needs the columns date (or day), service and requests (or count); "
            f"found {', '.join(reader.fieldnames or []) or 'none'}"
        )
    counts: Counts = defaultdict(float)
    for lineno, row in enumerate(reader, start=2):
        try:
            day = _day(row[day_col])
            value = float(row[count_col])
        except (TypeError, ValueError):
            raise RequestsError(f"line {lineno}: bad date or count") from None
        key = (
            day,
            row[fields["service"]].strip(),
            (row.get(fields.get("tenant", ""), "") or "").strip(),
            (row.get(fields.get("route", ""), "") or "").strip(),
        )
        counts[key] += value
    return counts


def _prometheus(fh: IO[str]) -> Counts:
    try:
        doc = json.load(fh)
        result = doc["data"]["result"]
    except (ValueError, KeyError, TypeError):
        raise RequestsError("not a Prometheus query result (expected data.result)") from None
    counts: Counts = defaultdict(float)
    for series in result:
        metric = series.get("metric", {})
        svc = metric.get("service") or metric.get("job") or metric.get("app") or ""
        tenant = metric.get("tenant", "")
        route = metric.get("route") or metric.get("handler") or ""
        samples = series.get("values") or ([series["value"]] if "value" in series else [])
        for ts, value in samples:
            day = datetime.fromtimestamp(float(ts), UTC).strftime("%Y-%m-%d")
            counts[(day, svc, tenant, route)] += float(value)
    return counts


def _access_log(fh: IO[str], service: str) -> Counts:
    counts: Counts = defaultdict(float)
    for line in fh:
        m = _COMBINED.match(line)
        if not m:
            continue
        try:
            day = datetime.strptime(m["time"].split()[0], "%d/%b/%Y:%H:%M:%S").strftime("%Y-%m-%d")
        except ValueError:
            continue
        counts[(day, service, "", f"{m['method']} {m['path'].split('?')[0]}")] += 1
    return counts


def _json_lines(fh: IO[str], service: str) -> Counts:
    counts: Counts = defaultdict(float)
    for line in fh:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict):
            continue
        when = rec.get("time") or rec.get("timestamp") or rec.get("@timestamp") or rec.get("time_local")
        path = rec.get("route") or rec.get("path") or rec.get("uri") or rec.get("request") or ""
        try:
            day = _day(str(when))
        except ValueError:
            continue
        method = rec.get("method") or rec.get("request_method") or ""
        route = f"{method} {str(path).split('?')[0]}".strip()
        counts[(day, str(rec.get("service") or service), str(rec.get("tenant") or ""), route)] += 1
    return counts


def _day(text: str) -> str:
    text = text.strip()
    parsers: tuple[Callable[[str], datetime], ...] = (
        lambda t: datetime.fromisoformat(t.replace("Z", "+00:00")),
        lambda t: datetime.strptime(t.split()[0], "%d/%b/%Y:%H:%M:%S"),
    )
    for parse in parsers:
        try:
            return parse(text).strftime("%Y-%m-%d")
        except ValueError:
            continue
    raise ValueError(text)
