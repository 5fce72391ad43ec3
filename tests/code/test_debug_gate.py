"""WEB301 and ``CallSite.branch``: a debug switch turned on only under a test that says debug or development mode
(searxng's ``if searx.sxng_debug: app.run(debug=True)``) stays silent; unconditional, ``__main__``-only,
production, unrelated, negated, ``else``-branch and hard-coded switches still fire."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.flaws import CodeFlawCheck
from redline.core.workspace import FileText, SourceFile
from redline.sources.code.build import build_index
from redline.sources.code.model import CodeIndex
from redline.sources.python import parse_module

FIXTURES = Path(__file__).parent / "fixtures" / "debug_gate"


def _index(source: str) -> CodeIndex:
    data = source.encode()
    return build_index(parse_module(FileText(SourceFile("m.py", "/m.py", "python", len(data)), data, source)))


def test_web301_stays_silent_only_under_a_debug_switch() -> None:
    found = sorted((f.location.path, f.location.start_line) for f in findings_of(FIXTURES, CodeFlawCheck()))
    assert found == [
        ("api.py", 11),
        *(("app.py", line) for line in (26, 31, 36, 43, 48, 53, 58, 63, 70, 95, 101)),
    ]


def test_the_index_keeps_the_positive_conditions_of_the_enclosing_tests() -> None:
    index = _index(
        "def f(a, b):\n"
        "    if a.debug and b > 1:\n"
        "        if not c:\n"
        "            g(debug=True)\n"
        "        if d or e.x:\n"
        "            g(debug=True)\n"
        "        if d or not e:\n"
        "            g(debug=True)\n"
        "    else:\n"
        "        g(debug=True)\n"
        "    if a:\n"
        "        def inner():\n"
        "            g(debug=True)\n"
        "        g(debug=False)\n"
        "if __name__ == '__main__':\n"
        "    g(debug=True)\n"
    )
    assert [(c.line, c.branch) for c in index.calls if c.raw == "g"] == [
        (4, ("a.debug", "b > 1")),  # ``not c`` holds when c is off: nothing
        (6, ("a.debug", "b > 1", "d or e.x")),
        (8, ("a.debug", "b > 1")),  # an ``or`` with a negation: nothing
        (10, ()),  # the else branch
        (13, ()),  # a nested function: its own tests only
        (14, ()),  # no literal True: not kept
        (16, ("__name__ == '__main__'",)),
    ]
