"""Snapshot <-> JSON. Reading validates every field, so a corrupt or hand-edited file is a clear error
naming the field, never a traceback or a silently wrong finding."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from redline.sources.postgres.model import SNAPSHOT_FORMAT, SNAPSHOT_VERSION, Snapshot

T = TypeVar("T")


class SnapshotError(ValueError):
    """The snapshot file cannot be used; the message says where and why."""


def to_json(snapshot: Snapshot) -> str:
    """Compact JSON: the C encoder (no ``indent``) is ten times faster
    than the indenting one, which matters for a snapshot of thousands of tables and statements."""
    body = {"format": SNAPSHOT_FORMAT, "version": SNAPSHOT_VERSION, **_plain(snapshot)}
    return json.dumps(body, sort_keys=True, allow_nan=False, separators=(",", ":")) + "\n"


_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(obj: Any) -> Any:
    """Like ``dataclasses.asdict`` without its deep copies."""
    if isinstance(obj, tuple | list):
        return [_plain(v) for v in obj]
    kind = type(obj)
    if dataclasses.is_dataclass(obj):
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(obj))
        return {name: _plain(getattr(obj, name)) for name in names}
    return obj


def from_json(text: str, where: str = "snapshot") -> Snapshot:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise SnapshotError(f"{where}: nested too deeply") from None
    if not isinstance(raw, dict) or raw.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f'{where}: not a redline PostgreSQL snapshot (no "format": "{SNAPSHOT_FORMAT}")')
    if raw.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(
            f"{where}: snapshot version {raw.get('version')!r} is not supported "
            f"(this redline reads version {SNAPSHOT_VERSION})"
        )
    body = {k: v for k, v in raw.items() if k not in ("format", "version")}
    return _build(Snapshot, body, where)


def read_snapshot(path: Path) -> Snapshot:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SnapshotError(f"{path}: not UTF-8 text") from None
    return from_json(text, str(path))


_SCHEMAS: dict[type, tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]] = {}


def _schema(cls: type) -> tuple[dict[str, Any], dict[str, dataclasses.Field[Any]]]:
    """Type hints and fields of a record class, resolved once (``get_type_hints`` is slow)."""
    if cls not in _SCHEMAS:
        _SCHEMAS[cls] = (get_type_hints(cls), {f.name: f for f in dataclasses.fields(cls)})
    return _SCHEMAS[cls]


def _build(cls: type[T], raw: object, where: str) -> T:
    if not isinstance(raw, dict):
        raise SnapshotError(f"{where}: expected an object")
    hints, fields = _schema(cls)
    unknown = set(raw) - set(fields)
    if unknown:
        raise SnapshotError(f"{where}: unknown field(s) {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in raw:
            if f.default is dataclasses.MISSING:
                raise SnapshotError(f"{where}: missing field {name!r}")
            continue
        values[name] = _value(hints[name], raw[name], f"{where}.{name}")
    return cls(**values)


def _value(hint: Any, value: object, where: str) -> Any:
    origin = get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = get_args(hint)
        if value is None and type(None) in options:
            return None
        inner = [o for o in options if o is not type(None)]
        return _value(inner[0], value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise SnapshotError(f"{where}: expected a list")
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(args) != len(value):
            raise SnapshotError(f"{where}: expected {len(args)} items")
        return tuple(_value(a, v, f"{where}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True)))
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)  # type: ignore[arg-type]
    return _scalar(hint, value, where)


def _scalar(hint: Any, value: object, where: str) -> Any:
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value  # type: ignore[arg-type]
    elif hint is str:
        ok = isinstance(value, str)
    else:
        raise SnapshotError(f"{where}: unsupported type {hint!r}")
    if not ok:
        raise SnapshotError(f"{where}: expected {hint.__name__}, got {type(value).__name__}")
    return value
