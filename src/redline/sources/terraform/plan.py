"""Terraform plan JSON (``terraform show -json plan``): drift, planned changes, prior state.

The diff of each drift entry is computed here, in the worker, so the kept
fact is small; values marked sensitive in ``before_sensitive`` or
``after_sensitive`` are replaced by a marker before they ever leave this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from redline.sources.terraform.values import Unknown

SUPPORTED_MAJOR = ("0", "1")
REDACTED = "(sensitive)"
MAX_CHANGES_PER_RESOURCE = 40
MAX_VALUE_CHARS = 80
_ARN = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):(\d{12})?:")


class PlanFormatError(ValueError):
    """The JSON is a plan redline cannot read (another format version, wrong shape)."""


@dataclass(frozen=True, slots=True)
class AttributeChange:
    path: str  # dotted, list items by index: ingress.0.cidr_blocks.1
    before: str  # rendered, truncated, or REDACTED
    after: str
    sensitive: bool


@dataclass(frozen=True, slots=True)
class DriftEntry:
    address: str
    type: str
    provider: str
    actions: tuple[str, ...]
    changes: tuple[AttributeChange, ...]
    truncated: bool  # more attributes changed than were kept


@dataclass(frozen=True, slots=True)
class PlannedChange:
    address: str
    type: str
    provider: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StateResource:
    address: str
    type: str
    provider: str
    region: str
    account: str
    zone: str


@dataclass(frozen=True)
class PlannedResource:
    """A resource as it will be after apply (``resource_changes[].change.after``).

    Values Terraform only knows after apply become ``Unknown``; values marked sensitive become
    ``Unknown("sensitive")`` here, in the worker, so no secret is ever kept.
    """

    address: str
    mode: str
    type: str
    name: str
    module: str
    provider: str
    values: dict[str, Any]


@dataclass(frozen=True)
class PlanFile:
    path: str
    format_version: str
    terraform_version: str
    has_drift_key: bool  # no key = Terraform found no drift
    drift: tuple[DriftEntry, ...]
    changes: tuple[PlannedChange, ...]
    prior_state: tuple[StateResource, ...]
    planned: tuple[PlannedResource, ...] = ()


def looks_like_plan(data: object) -> bool:
    return (
        isinstance(data, dict)
        and "format_version" in data
        and "terraform_version" in data
        and ("resource_changes" in data or "planned_values" in data)
    )


def parse_plan(path: str, data: dict[str, Any]) -> PlanFile:
    version = str(data.get("format_version", ""))
    if version.split(".", maxsplit=1)[0] not in SUPPORTED_MAJOR:
        raise PlanFormatError(
            f"unsupported Terraform plan format_version {version!r} "
            f"(redline reads 0.x and 1.x); no drift or change was read from it"
        )
    drift_raw = data.get("resource_drift")
    if drift_raw is not None and not isinstance(drift_raw, list):
        raise PlanFormatError("resource_drift is not a list")
    changes_raw = data.get("resource_changes") or []
    if not isinstance(changes_raw, list):
        raise PlanFormatError("resource_changes is not a list")
    return PlanFile(
        path=path,
        format_version=version,
        terraform_version=str(data.get("terraform_version", "")),
        has_drift_key="resource_drift" in data,
        drift=tuple(_drift(e) for e in drift_raw or [] if isinstance(e, dict)),
        changes=tuple(_change(e) for e in changes_raw if isinstance(e, dict)),
        prior_state=tuple(_state(data.get("prior_state"))),
        planned=tuple(p for p in (_planned(e) for e in changes_raw if isinstance(e, dict)) if p is not None),
    )


def _planned(entry: dict[str, Any]) -> PlannedResource | None:
    change = entry.get("change")
    if not isinstance(change, dict) or ("delete" in _actions(entry) and change.get("after") is None):
        return None
    after = change.get("after")
    if not isinstance(after, dict):
        return None
    mask = _merge_sensitive(change.get("after_sensitive"), None)
    values = _mark(after, change.get("after_unknown"), mask)
    if not isinstance(values, dict):
        return None
    return PlannedResource(
        address=str(entry.get("address", "")),
        mode=str(entry.get("mode", "managed")),
        type=str(entry.get("type", "")),
        name=str(entry.get("name", "")),
        module=str(entry.get("module_address", "")),
        provider=str(entry.get("provider_name", "")),
        values=values,
    )


def _mark(value: Any, unknown: Any, sensitive: Any) -> Any:
    """Replace sensitive leaves by ``Unknown("sensitive")`` and add attributes known only after apply."""
    if sensitive is True:
        return Unknown("sensitive")
    if unknown is True:
        return Unknown("known after apply")
    if isinstance(value, dict):
        out = {k: _mark(v, _sub(unknown, k), _sub(sensitive, k)) for k, v in value.items()}
        if isinstance(unknown, dict):
            out.update({k: Unknown("known after apply") for k, u in unknown.items() if u is True and k not in out})
        return out
    if isinstance(value, list):
        return [_mark(v, _sub(unknown, i), _sub(sensitive, i)) for i, v in enumerate(value)]
    return value


def _actions(entry: dict[str, Any]) -> tuple[str, ...]:
    change = entry.get("change") if isinstance(entry.get("change"), dict) else {}
    acts = change.get("actions") if isinstance(change, dict) else None
    return tuple(str(a) for a in acts) if isinstance(acts, list) else ()


def _change(entry: dict[str, Any]) -> PlannedChange:
    return PlannedChange(
        str(entry.get("address", "")), str(entry.get("type", "")), str(entry.get("provider_name", "")), _actions(entry)
    )


def _drift(entry: dict[str, Any]) -> DriftEntry:
    change = entry.get("change") if isinstance(entry.get("change"), dict) else {}
    assert isinstance(change, dict)
    before, after = change.get("before"), change.get("after")
    sens = _merge_sensitive(change.get("before_sensitive"), change.get("after_sensitive"))
    diffs: list[AttributeChange] = []
    _diff(before, after, sens, "", diffs)
    return DriftEntry(
        address=str(entry.get("address", "")),
        type=str(entry.get("type", "")),
        provider=str(entry.get("provider_name", "")),
        actions=_actions(entry),
        changes=tuple(diffs[:MAX_CHANGES_PER_RESOURCE]),
        truncated=len(diffs) > MAX_CHANGES_PER_RESOURCE,
    )


def _merge_sensitive(a: Any, b: Any) -> Any:
    """A mask that is true wherever either side is marked sensitive."""
    if a is True or b is True:
        return True
    if isinstance(a, dict) or isinstance(b, dict):
        da = a if isinstance(a, dict) else {}
        db = b if isinstance(b, dict) else {}
        return {k: _merge_sensitive(da.get(k), db.get(k)) for k in set(da) | set(db)}
    if isinstance(a, list) or isinstance(b, list):
        la = a if isinstance(a, list) else []
        lb = b if isinstance(b, list) else []
        return [
            _merge_sensitive(la[i] if i < len(la) else None, lb[i] if i < len(lb) else None)
            for i in range(max(len(la), len(lb)))
        ]
    return False


def _sub(mask: Any, key: str | int) -> Any:
    if mask is True:
        return True
    if isinstance(mask, dict) and isinstance(key, str):
        return mask.get(key, False)
    if isinstance(mask, list) and isinstance(key, int):
        return mask[key] if key < len(mask) else False
    return False


def _contains_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_contains_true(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_contains_true(v) for v in mask)
    return False


def _diff(before: Any, after: Any, mask: Any, path: str, out: list[AttributeChange]) -> None:
    if before == after or len(out) > MAX_CHANGES_PER_RESOURCE:
        return
    if mask is True:
        out.append(AttributeChange(path or "(resource)", REDACTED, REDACTED, True))
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            _diff(before.get(key), after.get(key), _sub(mask, key), f"{path}.{key}" if path else key, out)
        return
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            _diff(b, a, _sub(mask, i), f"{path}.{i}" if path else str(i), out)
        return
    if _contains_true(mask):
        out.append(AttributeChange(path or "(resource)", REDACTED, REDACTED, True))
        return
    out.append(AttributeChange(path or "(resource)", render(before), render(after), False))


def render(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else json.dumps(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _state(prior: Any) -> list[StateResource]:
    if not isinstance(prior, dict):
        return []
    values = prior.get("values")
    out: list[StateResource] = []
    stack = [values.get("root_module")] if isinstance(values, dict) else []
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        for res in module.get("resources") or []:
            if isinstance(res, dict):
                out.append(_state_resource(res))
        stack.extend(module.get("child_modules") or [])
    return sorted(out, key=lambda r: r.address)


def _state_resource(res: dict[str, Any]) -> StateResource:
    vals = res.get("values") if isinstance(res.get("values"), dict) else {}
    assert isinstance(vals, dict)
    region = account = ""
    arn = vals.get("arn")
    if isinstance(arn, str):
        m = _ARN.match(arn)
        if m:
            region, account = m.group(1), m.group(2) or ""
    for key in ("region", "location"):
        if not region and isinstance(vals.get(key), str):
            region = vals[key]
    zone = vals.get("availability_zone") or vals.get("zone") or ""
    return StateResource(
        str(res.get("address", "")),
        str(res.get("type", "")),
        str(res.get("provider_name", "")),
        region,
        account,
        zone if isinstance(zone, str) else "",
    )
