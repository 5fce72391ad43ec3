"""The call resolver's table is built once per run and shared by the two checks that resolve calls (taint
across functions, the latency check's helper queries); each check still resolves only into the modules it
judges (the latency check leaves out migrations and management commands), exactly as a table of its own
modules would."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from audit_helpers import findings_of
from redline.checks.code.across import TaintAcrossFunctionsCheck
from redline.checks.code.flaws import CodeFlawCheck
from redline.checks.code.injection import InjectionCheck
from redline.checks.code.jsgo_flaws import JsGoFlawCheck
from redline.checks.interface import Check
from redline.checks.latency.check import LatencyCheck
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Finding
from redline.core.workspace import FileText, SourceFile
from redline.sources.code import callees
from redline.sources.code.build import build_index
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.python import parse_module

LATENCY_APP = Path(__file__).parents[1] / "latency" / "fixtures" / "app"
ACROSS_PY = Path(__file__).parent / "fixtures" / "across" / "py"


def _taint_checks() -> list[Check]:
    return [TaintAcrossFunctionsCheck(), CodeFlawCheck(), InjectionCheck(), JsGoFlawCheck()]


def _keys(findings: Iterable[Finding]) -> list[tuple[str, str, int, str]]:
    return sorted((f.rule, f.location.path, f.location.start_line, f.message) for f in findings)


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many tables the run builds: the real ``CallTable.of``, counted."""
    built: list[int] = []
    real = callees.CallTable.of.__func__  # type: ignore[attr-defined]

    def counting(cls: type[callees.CallTable], indexes: Iterable[CodeIndex]) -> callees.CallTable:
        table: callees.CallTable = real(cls, indexes)
        built.append(len(table.definitions))
        return table

    monkeypatch.setattr(callees.CallTable, "of", classmethod(counting))
    return built


@pytest.mark.parametrize("root", [LATENCY_APP, ACROSS_PY], ids=["latency-app", "across-py"])
def test_one_run_builds_the_table_once_and_both_checks_find_what_they_find_alone(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone_latency = _keys(findings_of(root, LatencyCheck()))
    alone_taint = _keys(findings_of(root, *_taint_checks()))
    built = _counted(monkeypatch)
    both = findings_of(root, LatencyCheck(), *_taint_checks())
    assert len(built) == 1  # one table for the two checks
    # of every Python module but tests: migrations too (taint across functions judges them)
    assert built[0] == len([p for p in root.rglob("*.py") if not looks_like_test_or_sample(str(p.relative_to(root)))])
    assert _keys(f for f in both if f.rule.startswith("LAT")) == alone_latency
    assert _keys(f for f in both if not f.rule.startswith("LAT")) == alone_taint
    assert alone_latency or alone_taint


def _index(path: str, text: str) -> CodeIndex:
    data = text.encode()
    return build_index(parse_module(FileText(SourceFile(path, "/" + path, "python", len(data)), data, text)))


VIEWS = _index("app/views.py", "from dao.users import find\n\n\ndef show(name):\n    return find(name)\n")
APP_DAO = _index("app/dao/users.py", "def find(name):\n    return name\n")
TOOLS_DAO = _index("tools/dao/users.py", "def find(name):\n    return name\n")


def _find_call() -> CallSite:
    return next(c for c in VIEWS.calls if c.raw == "find")


def test_a_view_resolves_as_a_table_of_its_own_modules() -> None:
    table = callees.CallTable.of([VIEWS, APP_DAO, TOOLS_DAO])
    # every module: ``dao.users`` names two modules, which one runs is not known
    assert callees.Callees(table).resolve(VIEWS, _find_call()) is None
    assert callees.Callees.of([VIEWS, APP_DAO, TOOLS_DAO]).resolve(VIEWS, _find_call()) is None
    # the same table seen through the modules a check judges: one holder left, as in a table of those alone
    seen = callees.Callees.among(table, [VIEWS, APP_DAO]).resolve(VIEWS, _find_call())
    own = callees.Callees.of([VIEWS, APP_DAO]).resolve(VIEWS, _find_call())
    assert seen is not None and own is not None
    assert (seen.index.path, seen.definition.qualname) == (own.index.path, own.definition.qualname)
    assert (seen.index.path, seen.definition.qualname) == ("app/dao/users.py", "find")
    # a module the check leaves out is never a callee
    assert callees.Callees.among(table, [VIEWS, TOOLS_DAO]).resolve(VIEWS, _find_call()) is not None
    assert callees.Callees.among(table, [VIEWS]).resolve(VIEWS, _find_call()) is None
