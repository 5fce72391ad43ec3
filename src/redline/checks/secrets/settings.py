"""The run's secret-scanning settings from ``[secrets]``: rules, salt, allowlist.

Built once per run and kept in the run's scope; the tree check's ``prepare()`` loads the
scanner's database there before workers fork, so they inherit it (when no cache has it, the
compile runs while the workers parse: ``SecretsFileCheck.prepare_later``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.checks.interface import CheckContext, CheckError
from redline.checks.secrets.engine import SecretScanner
from redline.checks.secrets.ruleset import RuleSetError, SecretRule, load_builtin_rules, parse_user_rules
from redline.checks.secrets.salt import project_salt
from redline.core.config import Config, ConfigError, SectionSpec, Where

log = logging.getLogger("redline")


@dataclass(frozen=True)
class SecretsTable:
    """The ``[secrets]`` table, parsed at config load."""

    user_rules: tuple[SecretRule, ...] = ()
    allowlist: tuple[str, ...] = ()  # fingerprints given inline
    allowlist_file: str = ""  # or a file of them, read when the run starts
    salt: str = ""  # configured salt; "" = the per-project random salt
    include_ignored: bool = False
    verify: bool = True  # whether --verify is permitted
    gate_samples: bool = False  # may a secret in a test/docs/sample path fail the gate?


@dataclass
class SecretSettings:
    rules: tuple[SecretRule, ...]
    salt: str
    allowlist: frozenset[str]
    verify_permitted: bool
    gate_samples: bool = False  # may a secret in a test/docs/sample path fail the gate?
    _scanner: SecretScanner | None = None

    @property
    def scanner(self) -> SecretScanner:
        """Compiled on first use: checks that only need the salt never pay for it."""
        scanner = self.scanner_loaded()
        scanner.compile()  # nothing to do when a cache had the database
        return scanner

    def scanner_loaded(self) -> SecretScanner:
        """The scanner with its database loaded from the cache if one has it, not compiled yet otherwise
        (``ready`` says which): the compile can then run while workers parse."""
        if self._scanner is None:
            self._scanner = SecretScanner(self.rules, compile_now=False)
        return self._scanner


def parse_secrets(raw: Mapping[str, Any], where: Where) -> SecretsTable:
    """The ``[secrets]`` table: user rules compiled and checked, the salt and the allowlist validated."""
    try:
        user = parse_user_rules(raw["rules"], where.source or "redline.toml") if "rules" in raw else ()
    except RuleSetError as exc:
        raise ConfigError(str(exc)) from None
    salt = raw.get("salt", "")  # "" = the project's own random salt, made on first use (salt.py)
    if "salt" in raw and not salt:
        raise ConfigError(f"{where.key('salt')} must be a non-empty string")
    allowlist = raw.get("allowlist", [])
    if isinstance(allowlist, str) and not allowlist.strip():
        raise ConfigError(f"{where.key('allowlist')} must be a list of fingerprints or the path of a file of them")
    return SecretsTable(
        user_rules=user,
        allowlist=tuple(str(v).strip() for v in allowlist if str(v).strip()) if isinstance(allowlist, list) else (),
        allowlist_file=allowlist.strip() if isinstance(allowlist, str) else "",
        salt=salt,
        include_ignored=raw.get("include_ignored", False),
        verify=raw.get("verify", True),
        gate_samples=raw.get("gate_samples", False),
    )


SECTION: SectionSpec[SecretsTable] = SectionSpec(
    name="secrets",
    keys={
        "rules": list,
        "allowlist": (list, str),
        "salt": str,
        "include_ignored": bool,
        "verify": bool,
        "gate_samples": bool,
    },
    parse=parse_secrets,
    doc="Secret scanning: extra rules ([[secrets.rules]] tables, reported as SEC999), an allowlist "
    "(fingerprints, or the path of a file of them), the salt of secret hashes, whether to scan "
    ".gitignore'd files, whether --verify is permitted, and whether secrets in tests, docs, examples, "
    "fixtures and recorded HTTP cassettes may fail the gate (gate_samples, default false: they are "
    "reported at low severity, tagged context:sample).",
)


def settings_for(ctx: CheckContext, builtin: tuple[SecretRule, ...] | None = None) -> SecretSettings:
    """The run's settings, built once per run (kept in its scope); ``builtin`` replaces the packaged
    rules (tests use the seed rules)."""
    return ctx.scope.get(("secret-settings", id(builtin)), lambda: build_settings(ctx.config, ctx.root, builtin))


def build_settings(config: Config, root: Path, builtin: tuple[SecretRule, ...] | None = None) -> SecretSettings:
    table = config.settings(SECTION)
    source = config.source or "redline.toml"
    try:
        rules = load_builtin_rules() if builtin is None else builtin
    except RuleSetError as exc:
        raise CheckError(str(exc)) from None
    clash = {r.id for r in table.user_rules} & {r.id for r in rules}
    if clash:
        raise CheckError(f"{source}: secrets.rules reuse built-in rule ids {sorted(clash)}")
    allowlist = frozenset(table.allowlist)
    if table.allowlist_file:
        allowlist |= read_allowlist(table.allowlist_file, root, source)
    return SecretSettings(
        rules=(*rules, *table.user_rules),
        salt=table.salt or project_salt(root),
        allowlist=allowlist,
        verify_permitted=table.verify,
        gate_samples=table.gate_samples,
    )


def read_allowlist(value: str, root: Path, source: str) -> frozenset[str]:
    """A file of fingerprints (one per line, ``#`` comments, or a redline baseline), relative to the
    config file (or the audited root when the configuration did not come from a file)."""
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
