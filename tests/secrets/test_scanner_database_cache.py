"""The compiled Hyperscan database is built once per rule set, ahead of time by ``redline db update`` or at
first use, and a run that builds it says so."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from redline.checks.secrets import engine
from redline.checks.secrets.ruleset import SecretRule

pytestmark = pytest.mark.skipif(not engine.hyperscan_available(), reason="hyperscan not importable here")


def test_first_use_builds_logs_and_caches_then_later_runs_load_silently(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    seed_rules: tuple[SecretRule, ...],
) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="redline"):
        first = engine.SecretScanner(seed_rules)
    assert first.compiled_in is not None
    built = [r for r in caplog.records if "compiled the secret scanner's Hyperscan database" in r.getMessage()]
    assert len(built) == 1 and built[0].levelno == logging.WARNING
    assert f"for {len(seed_rules)} rules" in built[0].getMessage()
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("hyperscan-")]) == 1
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="redline"):
        second = engine.SecretScanner(seed_rules)
    assert second.compiled_in is None
    assert [r.getMessage() for r in caplog.records if "Hyperscan database" in r.getMessage()] == []
    assert second.scan("token = ghp_" + "a1B2" * 9) == first.scan("token = ghp_" + "a1B2" * 9)


def test_prebuild_says_built_then_already_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_rules: tuple[SecretRule, ...]
) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(engine, "load_builtin_rules", lambda: seed_rules)
    n = len(seed_rules)
    built = engine.prebuild_builtin_database()
    assert built.startswith(f"secret scanner: built the Hyperscan database for {n} rules in ")
    assert engine.prebuild_builtin_database() == f"secret scanner: Hyperscan database for {n} rules already built"


def test_datastore_triggers_are_compiled_once_then_loaded_and_a_corrupt_entry_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redline.checks.secrets import triggers

    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path))
    compiled: list[int] = []
    real_compile = triggers._compile

    def counting_compile() -> object:
        compiled.append(1)
        return real_compile()

    monkeypatch.setattr(triggers, "_compile", counting_compile)
    sample = b'url = "postgres://app:pw@db/x"\npassword = 1\n$c = new PDO("mysql:host=x", $u, $p);\n'
    expected = {triggers.URL, triggers.PASSWORD, triggers.DRIVER_CALL}
    for _ in range(2):
        db = triggers._Database()
        assert db.scan(sample) == expected and db.scan(b"nothing to see") == set()
    assert len(compiled) == 1  # the second database came from the cache
    [entry] = [p for p in tmp_path.iterdir() if p.name.startswith("triggers-hyperscan-")]
    entry.write_bytes(b"not a database")
    assert triggers._Database().scan(sample) == expected
    assert len(compiled) == 2 and entry.read_bytes() != b"not a database"
