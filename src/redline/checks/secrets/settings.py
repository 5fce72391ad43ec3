"""The run's secret-scanning settings from ``[secrets]``: rules, salt, allowlist.

Built once per process and configuration (workers are forked, each compiles
its own scanner the first time it needs one).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.checks.interface import CheckError
from redline.checks.secrets.engine import SecretScanner
from redline.checks.secrets.ruleset import RuleSetError, SecretRule, load_builtin_rules, parse_user_rules
from redline.checks.secrets.salt import project_salt
from redline.core.config import Config

log = logging.getLogger("redline")


@dataclass
class SecretSettings:
    rules: tuple[SecretRule, ...]
    salt: str
    allowlist: frozenset[str]
    verify_permitted: bool
    _scanner: SecretScanner | None = None

    @property
    def scanner(self) -> SecretScanner:
        """Compiled on first use: checks that only need the salt never pay for it."""
        if self._scanner is None:
            self._scanner = SecretScanner(self.rules)
        return self._scanner


_CACHE: dict[tuple[int, int], tuple[Config, SecretSettings]] = {}
_LOCK = threading.Lock()


def settings_for(config: Config, root: Path, builtin: tuple[SecretRule, ...] | None = None) -> SecretSettings:
    """Settings for this config; ``builtin`` replaces the packaged rules (tests use the seed rules)."""
    key = (id(config), id(builtin))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is config:
            return hit[1]
        made = build_settings(config, root, builtin)
        if len(_CACHE) >= 8:  # one entry per run in practice; tests make many
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (config, made)
        return made


def build_settings(config: Config, root: Path, builtin: tuple[SecretRule, ...] | None = None) -> SecretSettings:
    section = config.section("secrets")
    source = config.source or "redline.toml"
    try:
        rules = load_builtin_rules() if builtin is None else builtin
        user = parse_user_rules(section["rules"], source) if "rules" in section else ()
    except RuleSetError as exc:
        raise CheckError(str(exc)) from None
    clash = {r.id for r in user} & {r.id for r in rules}
    if clash:
        raise CheckError(f"{source}: secrets.rules reuse built-in rule ids {sorted(clash)}")
    salt = section["salt"] if "salt" in section else project_salt(root)
    if not isinstance(salt, str) or not salt:
        raise CheckError(f"{source}: secrets.salt must be a non-empty string")
    return SecretSettings(
        rules=(*rules, *user),
        salt=salt,
        allowlist=read_allowlist(section.get("allowlist", []), root, source),
        verify_permitted=bool(section.get("verify", True)),
    )


def read_allowlist(value: Any, root: Path, source: str) -> frozenset[str]:
    """Fingerprints given inline, or a file of them (one per line, ``#`` comments, or a redline baseline)."""
    if isinstance(value, list):
        return frozenset(str(v).strip() for v in value if str(v).strip())
    path = Path(value)
    if not path.is_absolute():
        base = Path(source).parent if source and Path(source).is_file() else root
        path = base / path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckError(f"{source}: secrets.allowlist file {path}: cannot read: {exc.strerror}") from None
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
            return frozenset(str(e["fingerprint"]) for e in doc["findings"])
        except (ValueError, KeyError, TypeError):
            raise CheckError(f"{source}: secrets.allowlist file {path}: not a redline baseline") from None
    items = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(i for i in items if i)
