"""docs/architecture.md stays true to the tree: every module it names exists, and the README links it."""

from __future__ import annotations

import re
from pathlib import Path

#: `core/evidence.py`, `synthesis/builtin.py` … and `src/redline/report/<name>.py`-style folders
_PATH = re.compile(r"`(?:src/redline/)?((?:cli|core|pipeline|report|store|synthesis|checks|sources)/[\w/.]*)`")


def test_every_named_module_exists(repo_root: Path) -> None:
    text = (repo_root / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = {m.split(" ")[0] for m in _PATH.findall(text)}
    assert len(named) >= 25
    missing = sorted(p for p in named if "<" not in p and not (repo_root / "src" / "redline" / p.rstrip("/")).exists())
    assert missing == []


def test_the_readme_links_it(repo_root: Path) -> None:
    assert "[docs/architecture.md](docs/architecture.md)" in (repo_root / "README.md").read_text(encoding="utf-8")
