"""Configuration: ``redline.toml`` or ``[tool.redline]`` in ``pyproject.toml``.

Validated on load. An unknown key or a wrong type is a ``ConfigError`` that
names the key and the file; the CLI turns it into exit code 2.
Analyzers own their own tables (``[secrets]``, ``[drift]`` …) and declare
them as ``SectionSpec``: the same key and type validation applies, then the
spec's ``parse`` turns the table into the analyzer's frozen settings object,
once, at load. Consumers read ``config.settings(SPEC)``; they never see the raw
table. A command-line override is ``dataclasses.replace`` on that object
(``config.with_settings(SPEC, replace(config.settings(SPEC), …))``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from redline.core.model import Area, Severity

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
DEFAULT_MAX_LOCKFILE_SIZE = 64 * 1024 * 1024


class OutputFormat(enum.Enum):
    """Every output redline writes; reporters are picked for it exhaustively (``report/formats.py``)."""

    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    HTML = "html"
    CYCLONEDX = "cyclonedx"
    MAP_JSON = "map-json"  # the system map: map.json
    MERMAID = "mermaid"  # map.mmd
    DOT = "dot"  # map.dot
    THREATS_CSV = "threats-csv"  # the threat register: threats.csv


class ConfigError(ValueError):
    """The configuration is invalid; the message names the file and the key."""


SettingsT = TypeVar("SettingsT")


@dataclass(frozen=True)
class Where:
    """Where a table came from, so that a settings parser names the file and the key in its errors."""

    source: str  # the config file ("" for the defaults)
    table: str  # the key path of the table, e.g. "tool.redline.supply_chain"

    def key(self, key: str) -> str:
        return f"{self.source or 'configuration'}: key '{self.table}.{key}'"


@dataclass(frozen=True)
class SectionSpec(Generic[SettingsT]):
    """An analyzer's own table: allowed keys, their Python types, and the parser that turns the
    (type-checked) table into the analyzer's frozen settings. ``parse`` raises ``ConfigError``
    (via ``Where.key``) for a value of the right type but wrong meaning; ``parse({}, …)`` gives
    the defaults."""

    name: str
    keys: Mapping[str, type | tuple[type, ...]]
    parse: Callable[[Mapping[str, Any], Where], SettingsT]
    doc: str = ""
    #: an array of tables (``[[accept]]``): each entry's keys are checked, ``parse`` gets ``{"entries": [...]}``
    array: bool = False

    def defaults(self) -> SettingsT:
        return self.parse({}, Where("", self.name))


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ()  # empty = every rule
    ignore: tuple[str, ...] = ()
    areas: tuple[Area, ...] = tuple(Area)
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_lockfile_size: int = DEFAULT_MAX_LOCKFILE_SIZE  # lockfiles only; never below max_file_size
    fail_on: Severity = Severity.HIGH
    formats: tuple[OutputFormat, ...] = tuple(OutputFormat)
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    gate_floors: Mapping[str, Severity] = field(default_factory=dict)  # per-rule gate thresholds
    jobs: int = 0  # 0 = one per core
    #: each analyzer table parsed by its ``SectionSpec``, by table name; read with ``settings(SPEC)``
    parsed_sections: Mapping[str, object] = field(default_factory=dict)
    source: str = ""  # the file it came from, for messages
    fail_on_not_covered: bool = False  # the gate fails when an input redline claims was not judged

    def settings(self, spec: SectionSpec[SettingsT]) -> SettingsT:
        """The typed settings of ``spec``'s table (its defaults when the file has no such table)."""
        if spec.name in self.parsed_sections:
            return cast(SettingsT, self.parsed_sections[spec.name])
        return spec.defaults()

    def with_settings(self, spec: SectionSpec[SettingsT], value: SettingsT) -> Config:
        return replace(self, parsed_sections={**self.parsed_sections, spec.name: value})

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$", re.IGNORECASE)
_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gib": 1024**3,
}


def parse_size(value: object, where: str) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{where}: expected a size such as 5MB, got {value!r}")
    if isinstance(value, int) and value > 0:
        return value
    if isinstance(value, str):
        m = _SIZE_RE.match(value)
        if m and (m.group(2) or "").lower() in _UNITS:
            return int(float(m.group(1)) * _UNITS[(m.group(2) or "").lower()])
    raise ConfigError(f"{where}: expected a size such as 5MB or a positive integer, got {value!r}")


def find_config(root: Path) -> Path | None:
    for name in ("redline.toml", ".redline.toml"):
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        import tomllib  # noqa: PLC0415 - a tree without a TOML file to read never imports the parser

        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # undecodable, invalid, nested 100k deep
            return None  # the project's own pyproject is not ours to reject
        if isinstance(data.get("tool"), dict) and "redline" in data["tool"]:
            return pyproject
    return None


def load_config(path: Path | None, sections: Iterable[SectionSpec[Any]] = ()) -> Config:
    if path is None:
        return parse_config({}, "", sections=sections)
    import tomllib  # noqa: PLC0415

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError as exc:  # a number longer than the interpreter converts
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        tool = raw.get("tool", {})
        raw = tool.get("redline", {}) if isinstance(tool, dict) else {}
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: key 'tool.redline' must be a table")
        prefix = "tool.redline."
    else:
        prefix = ""
    return parse_config(raw, str(path), prefix, sections)


def _str_list(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: key '{key}' must be a list of strings, got {value!r}")
    return tuple(value)


_KNOWN = frozenset(
    {
        "select",
        "ignore",
        "areas",
        "exclude",
        "max_file_size",
        "max_lockfile_size",
        "fail_on",
        "formats",
        "severity",
        "gate",
        "jobs",
        "fail_on_not_covered",
    }
)


def parse_config(
    raw: Mapping[str, Any], source: str, prefix: str = "", sections: Iterable[SectionSpec[Any]] = ()
) -> Config:
    specs = {s.name: s for s in sections}
    for key in raw:
        if key not in specs and key not in _KNOWN:
            allowed = ", ".join(sorted(_KNOWN | set(specs)))
            raise ConfigError(f"{source}: key '{prefix}{key}' is unknown (allowed: {allowed})")
    cfg: dict[str, Any] = {"source": source}
    cfg.update(_lists(raw, source, prefix))
    cfg.update(_scalars(raw, source, prefix))
    for key, field_name in (("severity", "severity_overrides"), ("gate", "gate_floors")):
        if key in raw:
            cfg[field_name] = _severity_table(raw[key], f"{source}: key '{prefix}{key}")
    cfg["parsed_sections"] = _sections(raw, specs, source, prefix)
    return Config(**cfg)


def _lists(raw: Mapping[str, Any], source: str, prefix: str) -> dict[str, Any]:
    cfg: dict[str, Any] = {key: _str_list(raw, key, source) for key in ("select", "ignore", "exclude") if key in raw}
    if "areas" in raw:
        names = _str_list(raw, "areas", source)
        try:
            cfg["areas"] = tuple(Area(n) for n in names)
        except ValueError:
            raise ConfigError(
                f"{source}: key '{prefix}areas' has an unknown area in {list(names)} "
                f"(allowed: {', '.join(a.value for a in Area)})"
            ) from None
    if "formats" in raw:
        fmts = _str_list(raw, "formats", source)
        by_value = {f.value: f for f in OutputFormat}
        bad = [f for f in fmts if f not in by_value]
        if bad:
            raise ConfigError(
                f"{source}: key '{prefix}formats' has unknown formats {bad} (allowed: {', '.join(by_value)})"
            )
        cfg["formats"] = tuple(by_value[f] for f in fmts)
    return cfg


def _scalars(raw: Mapping[str, Any], source: str, prefix: str) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        key: parse_size(raw[key], f"{source}: key '{prefix}{key}'")
        for key in ("max_file_size", "max_lockfile_size")
        if key in raw
    }
    if "jobs" in raw:
        if not isinstance(raw["jobs"], int) or isinstance(raw["jobs"], bool) or raw["jobs"] < 0:
            raise ConfigError(f"{source}: key '{prefix}jobs' must be a non-negative integer")
        cfg["jobs"] = raw["jobs"]
    if "fail_on_not_covered" in raw:
        if not isinstance(raw["fail_on_not_covered"], bool):
            raise ConfigError(f"{source}: key '{prefix}fail_on_not_covered' must be true or false")
        cfg["fail_on_not_covered"] = raw["fail_on_not_covered"]
    if "fail_on" in raw:
        cfg["fail_on"] = _severity(raw["fail_on"], f"{source}: key '{prefix}fail_on'")
    return cfg


def _severity_table(table: object, where: str) -> dict[str, Severity]:
    """``[severity]`` / ``[gate]``: CODE = "level"; ``where`` is the message prefix up to the key name."""
    if not isinstance(table, dict):
        raise ConfigError(f'{where}\' must be a table of CODE = "level"')
    return {code.upper(): _severity(level, f"{where}.{code}'") for code, level in table.items()}


def _sections(
    raw: Mapping[str, Any], specs: Mapping[str, SectionSpec[Any]], source: str, prefix: str
) -> dict[str, object]:
    """Every analyzer table parsed into its settings object (the defaults where the file has none)."""
    parsed: dict[str, object] = {}
    for name, spec in specs.items():
        if name in raw and spec.array:
            entries = raw[name] if isinstance(raw[name], list) else None
            if entries is None:
                raise ConfigError(f"{source}: key '{prefix}{name}' must be an array of tables ([[{name}]])")
            tables = []
            for i, entry in enumerate(entries, 1):
                try:
                    tables.append(_validate_section(entry, spec, source, prefix))
                except ConfigError as exc:
                    raise ConfigError(f"[[{prefix}{name}]] entry {i}: {exc}") from None
            parsed[name] = spec.parse({"entries": tables}, Where(source, f"{prefix}{name}"))
        elif name in raw:
            table = _validate_section(raw[name], spec, source, prefix)
            parsed[name] = spec.parse(table, Where(source, f"{prefix}{name}"))
        else:
            parsed[name] = spec.defaults()
    return parsed


def _severity(value: object, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string severity, got {value!r}")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _validate_section(value: object, spec: SectionSpec[Any], source: str, prefix: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: key '{prefix}{spec.name}' must be a table")
    for key, item in value.items():
        where = f"{source}: key '{prefix}{spec.name}.{key}'"
        if key not in spec.keys:
            raise ConfigError(f"{where} is unknown (allowed: {', '.join(sorted(spec.keys))})")
        expected = spec.keys[key]
        if isinstance(item, bool) and expected is not bool and not (isinstance(expected, tuple) and bool in expected):
            raise ConfigError(f"{where} has the wrong type: {type(item).__name__}")
        if not isinstance(item, expected):
            names = (expected,) if isinstance(expected, type) else expected
            raise ConfigError(f"{where} must be {' or '.join(t.__name__ for t in names)}, got {type(item).__name__}")
    return dict(value)


def str_tuple(raw: Mapping[str, Any], key: str, where: Where) -> tuple[str, ...]:
    """A list-of-strings key of an analyzer table (the type check has already made it a list)."""
    value = raw.get(key, [])
    if not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where.key(key)} must be a list of strings")
    return tuple(value)
