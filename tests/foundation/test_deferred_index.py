"""A worker hands a cached code index out undecoded and decodes it only for a check that reads the module
(``core.facts.Deferred``, ``ModuleCheck.reads``); the main process decodes every one it receives."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from redline.checks.code.flaws import CodeFlawCheck
from redline.checks.interface import CheckContext, ModuleCheck
from redline.core import facts
from redline.core.config import Config
from redline.core.model import Skipped
from redline.core.workspace import SourceFile, read_file
from redline.pipeline import run as pipeline_run
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.worker import ChunkOutcome, WorkerState, process_file
from redline.sources.code import cache
from redline.sources.code.model import CodeIndex
from redline.sources.code.source import CodeIndexSource
from redline.sources.interface import SourceError

from .helpers import write

VIEW = """\
from django.db import connection
from django.http import HttpResponse

def search(request):
    connection.cursor().execute("SELECT * FROM t WHERE name = '%s'" % request.GET["q"])
    return HttpResponse("ok")
"""
MODULES = ("shop/views.py", "shop/tests/test_views.py")  # the same code, once as a test


def _state(root: Path) -> WorkerState:
    check = CodeFlawCheck()
    ctx = CheckContext(root, Config(), frozenset(r.code for r in check.rules))
    return WorkerState((CodeIndexSource(),), (), ctx, needs_text=False, module_checks=(check,))


def _files(root: Path) -> list[SourceFile]:
    return [SourceFile(rel, str(root / rel), "python", (root / rel).stat().st_size) for rel in MODULES]


def test_a_worker_decodes_a_cached_index_only_for_a_check_that_reads_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    for rel in MODULES:
        write(tmp_path, rel, VIEW)
    state = _state(tmp_path)
    here = ChunkOutcome()  # the main process: every index built (and kept in the cache) and decoded
    for file in _files(tmp_path):
        process_file(state, file, here)
    assert [(type(f), getattr(f, "path", "")) for f in here.facts] == [(CodeIndex, rel) for rel in MODULES]

    monkeypatch.setattr(facts, "_SENDING", True)  # a worker, the cache warm
    decoded: list[str] = []
    decode = cache.decode_index

    def counted(data: bytes) -> CodeIndex:
        index = decode(data)
        decoded.append(index.path)
        return index

    monkeypatch.setattr(cache, "decode_index", counted)
    sent = ChunkOutcome()
    for file in _files(tmp_path):
        process_file(state, file, sent)
    assert decoded == ["shop/views.py"]  # the flaw check leaves tests out: the test module is not decoded
    assert [(type(f), getattr(f, "path", "")) for f in sent.facts] == [(cache.EncodedIndex, rel) for rel in MODULES]
    assert sent.partials == here.partials and [getattr(h, "path", "") for h in sent.partials[0]] == ["shop/views.py"]

    received = ChunkOutcome()
    pipeline_run._merge(received, sent)  # the main process decodes both
    assert received.skipped == []
    assert received.facts == [CodeIndexSource().parse(read_file(file)) for file in _files(tmp_path)]


def test_an_index_the_main_process_cannot_decode_is_listed_as_not_covered() -> None:
    broken = cache.EncodedIndex("shop/views.py", "python", "0" * 64, b"\x81\xa4path\x07")
    received = ChunkOutcome()
    pipeline_run._merge(received, ChunkOutcome(facts=[broken]))
    assert received.facts == []
    assert received.skipped == [
        Skipped(
            "shop/views.py",
            "code index: the cached index is unreadable (Expected `str`, got `int` - at `$.path`); "
            "not indexed this run",
        )
    ]


@pytest.mark.usefixtures("own_cache")
def test_a_module_check_finds_nothing_in_a_module_it_says_it_does_not_read(tmp_path: Path) -> None:
    """What a worker relies on to leave a module undecoded: ``check_module`` of a module its ``reads`` says no
    to is empty, for every module check over code indexes, over the code fixtures in every language placed as
    application code and as tests."""
    fixtures = Path(__file__).resolve().parents[1] / "code" / "fixtures"
    kinds = {".py": "python", ".js": "javascript", ".ts": "typescript", ".go": "go", ".java": "java"}
    indexes: list[CodeIndex] = []
    for path in sorted(p for p in fixtures.rglob("*") if p.suffix in kinds):
        for rel in (path.relative_to(fixtures).as_posix(), f"tests/{path.name}"):
            try:
                indexes.append(
                    CodeIndexSource().parse(
                        read_file(SourceFile(rel, str(path), kinds[path.suffix], path.stat().st_size))
                    )
                )
            except SourceError:  # the fixtures of bad input
                continue
    checks = [c for c in load_catalogue(with_plugins=False).checks if isinstance(c, ModuleCheck)]
    refused: dict[str, int] = {}
    for check in (c for c in checks if CodeIndex in c.fact_types):
        ctx = CheckContext(tmp_path, Config(), frozenset(r.code for r in (*check.rules, *check.borrows)))
        for index in (i for i in indexes if not check.reads(i)):
            refused[check.name] = refused.get(check.name, 0) + 1
            assert list(check.check_module(index, ctx)) == [], (check.name, index.path)
    # ten checks, and each leaves something out (tests, or other languages)
    assert len(refused) == 10 and min(refused.values()) > 0, refused


def test_a_cached_index_that_fails_to_decode_in_the_worker_does_not_stop_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry whose head reads but whose fields do not (written by another program, or damaged): the worker
    judges the file without it and sends it on; the main process lists the file as not covered, with the reason."""
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    for rel in MODULES:
        write(tmp_path, rel, VIEW)
    file = _files(tmp_path)[0]
    key = cache.index_key("python", file.path, VIEW.encode())
    entry = Path(cache._entry(key))
    entry.parent.mkdir(parents=True)
    entry.write_bytes(msgspec.msgpack.encode({"path": file.path, "language": "python", "parser": "cache", "calls": 7}))
    monkeypatch.setattr(facts, "_SENDING", True)
    sent = ChunkOutcome()
    process_file(_state(tmp_path), file, sent)  # the flaw check reads the module: decoding is tried, and fails
    assert [type(f) for f in sent.facts] == [cache.EncodedIndex] and sent.errors == [] and sent.partials == {}
    received = ChunkOutcome()
    pipeline_run._merge(received, sent)
    assert received.facts == []
    assert [(s.path, s.reason.split(" (")[0]) for s in received.skipped] == [
        ("shop/views.py", "code index: the cached index is unreadable")
    ]
