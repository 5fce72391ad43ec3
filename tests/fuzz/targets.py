"""Every parser and source redline has, as a fuzz target with real seed inputs.

A target turns one input (bytes) into an outcome: ``"parsed"`` or ``"not covered: <reason>"``. The only
failure is an exception escaping (anything but the format's own "cannot parse" error), a hang, or an
outcome without a reason; ``check.run_one`` enforces that and the time limit.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from redline.core.config import ConfigError, find_config, load_config
from redline.core.filekinds import kind_of
from redline.core.workspace import FileText, SourceFile, Workspace
from redline.sources.builtin import builtin_file_sources
from redline.sources.interface import FileSource, ProjectContext, ProjectSource, SourceError, parse_guarded
from redline.sources.packages.interface import ManifestParser

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"
if not SHARED.is_dir():  # a worktree beside the project: ../shared from the checkout
    SHARED = (REPO / ".." / "shared" / "data").resolve()
SAMPLES = SHARED / "lockfiles" / "by-ecosystem"
FIXTURE_DIRS = (REPO / "tests", REPO / "examples")
MAX_SEED_BYTES = 256 * 1024


@dataclass
class Target:
    name: str
    run: Callable[[bytes], str]
    seeds: list[bytes] = field(default_factory=list)


def _file_text(name: str, data: bytes) -> FileText:
    try:
        text, error = data.decode("utf-8"), ""
    except UnicodeDecodeError as exc:
        text, error = data.decode("utf-8", "replace"), f"invalid UTF-8 at byte {exc.start}"
    return FileText(SourceFile(name, "/nonexistent/" + name, kind_of(name), len(data)), data, text, error)


def file_source_runner(source: FileSource, name: str) -> Callable[[bytes], str]:
    def run(data: bytes) -> str:
        try:
            fact = parse_guarded(source, _file_text(name, data))
        except SourceError as exc:
            return f"not covered: {exc}"
        return "parsed" if fact is not None else "not this kind"

    return run


def _pose_name(source: FileSource, seed_name: str) -> str | None:
    """A file name the source wants: the seed's own, else the format's canonical name."""
    if source.wants(SourceFile(seed_name, "", kind_of(seed_name), 0)):
        return seed_name
    if isinstance(source, ManifestParser):
        return source.file_names[0].replace("*", "")
    return None


@cache
def _fixture_files() -> tuple[Path, ...]:
    found: list[Path] = []
    for base in FIXTURE_DIRS:
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d not in {"__pycache__", ".work", "corpus"}]
            found += [Path(dirpath, f) for f in filenames]
    return tuple(sorted(found))


def _sample_parser_name(rel: str) -> str:
    from packages.helpers import parser_for_sample  # the tests' own map of sample folders to parsers

    return type(parser_for_sample(rel)).__name__


def _read_seed(path: Path) -> bytes | None:
    try:
        if path.stat().st_size > MAX_SEED_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def file_source_targets() -> list[Target]:
    targets: dict[str, Target] = {}
    sources = builtin_file_sources()
    by_class = {type(s).__name__: s for s in sources}
    names: dict[str, str] = {}
    for source in sources:
        key = type(source).__name__
        targets[key] = Target(key, lambda d: "")
    for path in _fixture_files():
        data = _read_seed(path)
        if data is None:
            continue
        for source in sources:
            if source.wants(SourceFile(path.name, "", kind_of(path.name), 0)):
                key = type(source).__name__
                targets[key].seeds.append(data)
                names.setdefault(key, path.name)
    if SAMPLES.is_dir():
        for path in sorted(p for p in SAMPLES.rglob("*") if p.is_file()):
            data = _read_seed(path)
            if data is not None:
                targets[_sample_parser_name(path.relative_to(SAMPLES).as_posix())].seeds.append(data)
    for key, target in targets.items():
        source = by_class[key]
        name = names.get(key) or _pose_name(source, "x") or f"x.{next(iter(source.kinds), 'txt')}"
        if key == "KubernetesSource":
            name = "deploy.yaml"
        target.run = file_source_runner(source, name)
        target.name = f"source:{key}"
        if not target.seeds:
            target.seeds.append(b"")
    return sorted(targets.values(), key=lambda t: t.name)


def project_source_runner(source: ProjectSource, rel: str, extra: dict[str, bytes]) -> Callable[[bytes], str]:
    """Write the input at ``rel`` in a fresh tree (with ``extra`` files beside it) and collect."""

    def run(data: bytes) -> str:
        from redline.core.config import Config

        with tempfile.TemporaryDirectory(prefix="redline-fuzz-") as tmp:
            root = Path(tmp)
            for name, content in {**extra, rel: data}.items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(content)
            walk = Workspace(root, max_file_size=8 * 1024 * 1024, honour_gitignore=False).walk()
            out = source.collect(ProjectContext(root, Config(), tuple(walk.files)))
        reasons = [e.reason for e in out.errors] + [s.reason for s in out.skipped]
        return f"not covered: {reasons[0]}" if reasons and not out.facts else "parsed"

    return run


def project_source_targets() -> list[Target]:
    from redline.sources.advisories.licences import DeclaredLicenceSource
    from redline.sources.containers.compose import ComposeSource

    out: list[Target] = []
    layouts: tuple[tuple[str, Any, str, dict[str, bytes], str], ...] = (
        ("licence-package.json", DeclaredLicenceSource(), "package.json", {}, "package.json"),
        (
            "licence-node_modules",
            DeclaredLicenceSource(),
            "node_modules/left-pad/package.json",
            {"package.json": b'{"name": "app", "license": "MIT"}'},
            "package.json",
        ),
        ("licence-pyproject", DeclaredLicenceSource(), "pyproject.toml", {}, "pyproject.toml"),
        (
            "licence-metadata",
            DeclaredLicenceSource(),
            ".venv/lib/python3.11/site-packages/a-1.0.dist-info/METADATA",
            {},
            "METADATA",
        ),
        ("compose", ComposeSource(), "compose.yaml", {}, "compose"),
        (
            "compose-dotenv",
            ComposeSource(),
            ".env",
            {"compose.yaml": b"services:\n  web:\n    image: nginx:${TAG}\n"},
            ".env",
        ),
    )
    for name, source, rel, extra, seed_like in layouts:
        seeds = [d for p in _fixture_files() if _matches(p, seed_like) and (d := _read_seed(p)) is not None]
        out.append(
            Target(
                f"project:{name}",
                project_source_runner(source, rel, extra),
                seeds[:40] or [b"Name: a\nVersion: 1\nLicense: MIT\n"],
            )
        )
    return out


def _matches(path: Path, like: str) -> bool:
    if like == "compose":
        return kind_of(path.name) == "compose"
    return path.name == like or PurePosixPath(path.name).match(like)


def config_runner(name: str) -> Callable[[bytes], str]:
    def run(data: bytes) -> str:
        from redline.pipeline.catalogue import load_catalogue

        with tempfile.TemporaryDirectory(prefix="redline-fuzz-") as tmp:
            path = Path(tmp, name)
            path.write_bytes(data)
            try:
                found = find_config(Path(tmp))
                load_config(path, load_catalogue().sections)
            except ConfigError as exc:
                return f"not covered: {exc}"
        return "parsed" if found is not None or name != "pyproject.toml" else "not ours"

    return run


def config_targets() -> list[Target]:
    seeds = [
        d for p in _fixture_files() if p.name in {"redline.toml", "pyproject.toml"} and (d := _read_seed(p)) is not None
    ]
    seeds.append(
        b'select = ["SEC", "RES"]\nfail_on = "high"\n[severity]\nRES101 = "low"\n'
        b"[secrets]\nallowlist = []\n[supply_chain]\nepss_threshold = 0.5\n"
    )
    return [
        Target("config:redline.toml", config_runner("redline.toml"), seeds),
        Target(
            "config:pyproject.toml",
            config_runner("pyproject.toml"),
            [b"[tool.redline]\n" + s for s in seeds[-1:]] + seeds[:-1],
        ),
    ]


def all_targets() -> list[Target]:
    return [*file_source_targets(), *project_source_targets(), *config_targets(), *extra_targets()]


def baseline_runner(data: bytes) -> str:
    from redline.store.baseline import read_baseline

    with tempfile.TemporaryDirectory(prefix="redline-fuzz-") as tmp:
        path = Path(tmp, "baseline.json")
        path.write_bytes(data)
        try:
            read_baseline(path)
        except ValueError as exc:  # BaselineError is the reader's "cannot use this file"
            return f"not covered: {exc}"
    return "parsed"


def gitignore_runner(data: bytes) -> str:
    """A hostile ``.gitignore``: the walk must still list every file it does not ignore."""
    with tempfile.TemporaryDirectory(prefix="redline-fuzz-") as tmp:
        root = Path(tmp)
        (root / ".gitignore").write_bytes(data)
        (root / "app.py").write_text("x = 1\n")
        Workspace(root, max_file_size=1 << 20).walk()
    return "parsed"


def database_runner(data: bytes) -> str:
    """A damaged vulnerability database: refused on open, or every query answers or raises its error."""
    import sqlite3

    from redline.sources.advisories.database import DB_FILENAME, AdvisoryDatabase, DatabaseError

    with tempfile.TemporaryDirectory(prefix="redline-fuzz-") as tmp:
        path = Path(tmp, DB_FILENAME)
        path.write_bytes(data)
        try:
            db = AdvisoryDatabase(path)
        except DatabaseError as exc:
            return f"not covered: {exc}"
        try:
            db.info()
            found = db.entries("PyPI", "demo-pkg")
            if set(db.advisories(i for i, _ in found)) != {i for i, _ in found}:
                return "not covered: damaged database: an advisory is referenced but absent"
            db.kev(["CVE-2024-0001"])
            db.epss(["CVE-2024-0001"])
            db.spdx_licences()
        except (DatabaseError, sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # the check reports these
            return f"not covered: damaged database: {exc}"
        finally:
            db.close()
    return "parsed"


@cache
def _database_seed() -> bytes:
    from redline.sources.advisories.database import DB_FILENAME
    from redline.sources.advisories.update import update_database
    from supply_chain.test_db_update import small_mirror  # the tests' own tiny OSV/KEV/EPSS mirror

    with tempfile.TemporaryDirectory(prefix="redline-fuzz-") as tmp:
        mirror = small_mirror(Path(tmp, "mirror"))
        update_database(Path(tmp, "db"), mirror=str(mirror), ecosystems=("PyPI",))
        return Path(tmp, "db", DB_FILENAME).read_bytes()


def extra_targets() -> list[Target]:
    baseline = b'{"version": 1, "findings": [{"fingerprint": "0123456789abcdef0123456789abcdef", "rule": "RES101"}]}'
    ignores = [d for p in _fixture_files() if p.name == ".gitignore" and (d := _read_seed(p)) is not None]
    return [
        Target("extra:baseline", baseline_runner, [baseline]),
        Target("extra:gitignore", gitignore_runner, ignores or [b"*.log\n!keep.log\nbuild/\n"]),
        Target("extra:database", database_runner, [_database_seed()]),
    ]
