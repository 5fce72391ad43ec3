"""The route inventory cache: a second audit of an unchanged tree reads the inventory the first one derived, and
any change to what it is derived from (a module, the ``[entrypoints]`` settings, redline's own code) derives it
again."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest

from redline.cli.main import main
from redline.core.cache import cache_dir, code_digest
from redline.sources.code.inventory_cache import inventory_key, load_inventory, store_inventory
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.model import Route, RouteInventory
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.tspaths import PathAliases

APP = 'from flask import Flask\napp = Flask(__name__)\n\n@app.get("/items")\ndef items():\n    return []\n'


def _routes(root: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, int]]:
    assert main(["routes", str(root), "--format", "json", "--jobs", "1"]) == 0
    return [(r["path"], r["file"], r["line"]) for r in json.loads(capsys.readouterr().out)["routes"]]


def _entries() -> list[Path]:
    return sorted(Path(cache_dir()).glob("routes-*.msgpack"))


def test_an_unchanged_tree_reads_the_inventory_it_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(APP)
    assert _routes(tmp_path, capsys) == [("/items", "app.py", 4)]
    [entry] = _entries()
    key = entry.name.removeprefix("routes-").removesuffix(".msgpack")
    stored = load_inventory(key)
    assert stored is not None and [(r.path, r.line) for r in stored.routes] == [("/items", 4)]
    # the second run lists what the entry holds: it read the entry, it did not derive the routes again
    store_inventory(key, RouteInventory((replace(stored.routes[0], path="/from-the-cache"),)))
    assert _routes(tmp_path, capsys) == [("/from-the-cache", "app.py", 4)]


def test_a_changed_module_derives_it_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(APP)
    assert _routes(tmp_path, capsys) == [("/items", "app.py", 4)]
    (tmp_path / "app.py").write_text(APP + '\n@app.post("/items")\ndef add():\n    return {}\n')
    assert _routes(tmp_path, capsys) == [("/items", "app.py", 4), ("/items", "app.py", 8)]
    (tmp_path / "admin.py").write_text(APP.replace("/items", "/admin"))
    assert _routes(tmp_path, capsys) == [("/admin", "admin.py", 4), ("/items", "app.py", 4), ("/items", "app.py", 8)]
    assert len(_entries()) == 3


def test_a_corrupt_entry_is_derived_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(APP)
    _routes(tmp_path, capsys)
    [entry] = _entries()
    entry.write_bytes(b"\x93not an inventory")
    assert _routes(tmp_path, capsys) == [("/items", "app.py", 4)]
    assert load_inventory(entry.name.removeprefix("routes-").removesuffix(".msgpack")) is not None


def _index(path: str, key: str) -> CodeIndex:
    return CodeIndex(path, "python", (), (), (), (), (), (), key=key)


def test_the_key_covers_every_input() -> None:
    indexes = [_index("a.py", "k1"), _index("b.py", "k2")]
    settings, aliases = EntrypointSettings(), PathAliases({})
    key = inventory_key(indexes, settings, aliases, (), ["a.py", "b.py"])
    assert key is not None and key == inventory_key(indexes[::-1], settings, aliases, (), ["a.py", "b.py"])
    others = [
        inventory_key([indexes[0], _index("b.py", "k3")], settings, aliases, (), ["a.py", "b.py"]),
        inventory_key(indexes, EntrypointSettings(auth_markers=frozenset({"mine"})), aliases, (), ["a.py", "b.py"]),
        inventory_key(indexes, settings, aliases, (), ["a.py", "b.py", "next.config.js"]),
        inventory_key(indexes[:1], settings, aliases, (), ["a.py", "b.py"]),
    ]
    assert len({key, *others}) == 5


def test_an_index_without_a_content_key_is_not_cached() -> None:
    indexes = [_index("a.py", "k1"), _index("b.py", "")]
    assert inventory_key(indexes, EntrypointSettings(), PathAliases({}), (), []) is None


def test_the_code_digest_follows_the_source_files(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "routes.py"
    module.write_text("X = 1\n")
    (tmp_path / "pkg" / "__pycache__").mkdir()
    first = code_digest(str(tmp_path))
    (tmp_path / "pkg" / "__pycache__" / "routes.cpython-311.pyc").write_bytes(b"compiled")
    (tmp_path / "notes.txt").write_text("not code")
    assert code_digest(str(tmp_path)) == first
    os.utime(module, ns=(1, 1))
    assert code_digest(str(tmp_path)) != first


def test_routes_round_trip_exactly() -> None:
    route = Route("flask", ("GET",), "/x", "x", "app.py", 3, "yes", "no", ("login_required",), (), "views.py", "KEY")
    store_inventory("k", RouteInventory((route,)))
    assert load_inventory("k") == RouteInventory((route,))


def test_an_input_msgpack_cannot_carry_means_no_caching() -> None:
    unencodable = PathAliases(MappingProxyType({"web": ()}))
    assert inventory_key([_index("a.py", "k1")], EntrypointSettings(), unencodable, (), []) is None
