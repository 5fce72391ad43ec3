"""The compiled dataclass methods cache: a class made from it behaves exactly as one ``dataclasses`` compiles itself;
the second interpreter compiles nothing; a changed class is compiled afresh and its stale code dropped; an unreadable
or foreign cache file is ignored; nothing is written when Python is told not to write bytecode.

Each case runs in a fresh interpreter: ``dataclasses`` is process-wide, and the cache is read once per process."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

MODELS = """
import dataclasses
from dataclasses import InitVar, KW_ONLY, dataclass, field


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()


@dataclass(order=True)
class Version:
    major: int
    minor: int = field(default=0, compare=True)
    label: str = field(default="", compare=False, repr=False)


@dataclass
class Bag:
    items: list[int] = field(default_factory=list)
    _: KW_ONLY
    name: str = "bag"
    seed: InitVar[int] = 0

    def __post_init__(self, seed: int) -> None:
        self.items.append(seed)


@dataclass(frozen=True, slots=True)
class Slotted:
    a: str = "a"


@dataclass(frozen=True)
class Child(Point):
    z: int = 3
"""

SCRIPT = """
import atexit, dataclasses, inspect, json, sys, types
from pathlib import Path

import redline.core  # installs the package's own cache: set aside, so that the case decides
atexit.unregister(dataclasses.exec.__self__.save)
del dataclasses.exec
from redline.core.dataclass_code import CodeCache

cache = CodeCache(Path(sys.argv[1])) if sys.argv[1] else None
if cache is not None:
    dataclasses.exec = cache.exec
module = sys.modules["fixture_models"] = types.ModuleType("fixture_models")  # dataclasses reads its globals there
namespace = module.__dict__
exec(compile(sys.argv[2], "fixture_models.py", "exec"), namespace)
Point, Version, Bag, Slotted, Child = (namespace[n] for n in ("Point", "Version", "Bag", "Slotted", "Child"))

def raised(fn):
    try:
        fn()
    except Exception as exc:
        return type(exc).__name__
    return ""

p = Point(1, tags=("a",))
seen = {
    "repr": [repr(p), repr(Version(1, 2, "x")), repr(Bag(seed=5)), repr(Slotted()), repr(Child(1, 2))],
    "eq": [p == Point(1, 0, ("a",)), p == Point(2), Version(1, 2, "x") == Version(1, 2, "y"), Child(1) == Point(1)],
    "hash": [hash(p) == hash(Point(1, 0, ("a",))), raised(lambda: hash(Bag()))],
    "order": [Version(1, 2) < Version(1, 3), sorted([Version(2), Version(1, 5)]) == [Version(1, 5), Version(2)]],
    "frozen": [
        raised(lambda: setattr(p, "x", 3)), raised(lambda: delattr(p, "y")), raised(lambda: setattr(Bag(), "name", "n"))
    ],
    "init": [str(inspect.signature(c)) for c in (Point, Version, Bag, Slotted, Child)],
    "errors": [raised(lambda: Point()), raised(lambda: Bag(1, 2))],
    "match_args": [list(c.__match_args__) for c in (Point, Version, Bag, Child)],
    "slots": [hasattr(Slotted, "__slots__"), raised(lambda: setattr(Slotted(), "b", 1))],
    "defaults": [Bag().items, Bag().items is not Bag().items, Bag(seed=2).name],
}
if cache is not None:
    cache.save()
print(json.dumps({"compiled": cache.compiled if cache else None, "seen": seen}))
"""


def _run(cache: Path | None, models: str = MODELS, *, write: bool = True) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(cache or ""), models], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def test_a_cached_class_behaves_as_a_compiled_one_and_the_second_run_compiles_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "dataclasses.bin"
    plain = _run(None)
    first = _run(cache)
    second = _run(cache)
    assert first["compiled"] == 28  # the methods of the five classes: 6 + 7 + 3 + 6 + 6
    assert second["compiled"] == 0
    assert first["seen"] == second["seen"] == plain["seen"]
    assert plain["seen"]["repr"][0] == "Point(x=1, y=0, tags=('a',))"
    assert plain["seen"]["frozen"] == ["FrozenInstanceError", "FrozenInstanceError", ""]
    assert (
        plain["seen"]["init"][2]
        == "(items: list[int] = <factory>, *, name: str = 'bag', seed: dataclasses.InitVar[int] = 0) -> None"
    )


def test_a_changed_class_is_compiled_afresh_and_its_old_code_dropped(tmp_path: Path) -> None:
    cache = tmp_path / "dataclasses.bin"
    _run(cache)
    changed = MODELS.replace("    tags: tuple[str, ...] = ()\n", "    tags: tuple[str, ...] = ()\n    w: int = 9\n", 1)
    after = _run(cache, changed)
    # Point's six methods (its frozen __setattr__/__delattr__ name its fields too), and Child's six: it inherits
    # the field; Version, Bag and Slotted are unchanged
    assert after["compiled"] == 12
    assert after["seen"]["repr"][0] == "Point(x=1, y=0, tags=('a',), w=9)"
    fresh = tmp_path / "fresh.bin"
    _run(fresh, changed)
    assert _texts(cache) == _texts(fresh)  # what the old classes compiled is gone
    assert _run(cache, changed)["compiled"] == 0


def _texts(cache: Path) -> set[str]:
    _, stored = marshal.loads(cache.read_bytes())
    return set(marshal.loads(stored["fixture_models"]))


def test_an_unreadable_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "dataclasses.bin"
    cache.write_bytes(b"\x00not marshal")
    assert _run(cache)["compiled"] == 28
    assert _run(cache)["compiled"] == 0  # rewritten whole
    cache.write_bytes(marshal.dumps(("2.7.18 (other interpreter)", {"fixture_models": marshal.dumps({})})))
    assert _run(cache)["compiled"] == 28


def test_nothing_is_written_when_python_writes_no_bytecode(tmp_path: Path) -> None:
    cache = tmp_path / "dataclasses.bin"
    assert _run(cache, write=False)["compiled"] == 28
    assert not cache.exists()
    assert list(tmp_path.iterdir()) == []
