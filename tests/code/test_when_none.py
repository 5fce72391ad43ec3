"""``CallSite.when_none``: a call in the branch a parameter's None takes (``if p is None:``, the ``else`` of
``if p is not None:``) names that parameter; a local's None test or the other branch names nothing."""

from __future__ import annotations

from redline.core.workspace import FileText, SourceFile
from redline.sources.code.build import build_index
from redline.sources.python import parse_module

SOURCE = """\
def warnings(talk, overlaps=None, rooms=None):
    if overlaps is not None:
        clash = talk.pk in overlaps
    else:
        clash = find_overlaps(talk)
    if rooms is None:
        rooms = load_rooms(talk)
    cached = lookup(talk)
    if cached is None:
        cached = compute(talk)
    if overlaps is None:
        pass
    else:
        report(overlaps)
    return clash, rooms, cached
"""


def test_calls_on_a_parameters_none_branch_name_it() -> None:
    data = SOURCE.encode()
    index = build_index(parse_module(FileText(SourceFile("w.py", "/w.py", "python", len(data)), data, SOURCE)))
    assert {c.raw: c.when_none for c in index.calls} == {
        "find_overlaps": "overlaps",
        "load_rooms": "rooms",
        "lookup": None,
        "compute": None,  # ``cached`` is a local, not a parameter
        "report": None,  # the branch taken when ``overlaps`` was given
    }
