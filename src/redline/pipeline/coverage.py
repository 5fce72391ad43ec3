"""What the run claimed to read but could not: every such input is a "not covered" entry.

A source that cannot parse a file records a ``ToolError`` (stage ``parse``; ``source`` when the source
itself crashed). On its own that is a line among the tool errors, which summaries count only when fatal,
so a lockfile with merge-conflict markers used to vanish: 0 findings, gate passed. Each of them becomes a
``Skipped`` entry too, which every output and the terminal summary list.
"""

from __future__ import annotations

from collections.abc import Iterable

from redline.core.model import Skipped, ToolError

#: stages whose errors mean an input (or part of it) was not judged at all
NOT_COVERED_STAGES = frozenset({"parse", "source", "read"})


def not_covered_from_errors(errors: Iterable[ToolError], known: Iterable[Skipped]) -> list[Skipped]:
    """One ``Skipped`` per errored input not listed yet (the walk already lists unreadable files)."""
    known = list(known)
    paths = {s.path for s in known}
    listed = {(s.path, s.reason) for s in known}
    out: list[Skipped] = []
    for error in errors:
        stage = str(error.stage)
        if stage not in NOT_COVERED_STAGES or (stage == "read" and error.where in paths):
            continue
        item = Skipped(error.where, f"could not be parsed: {error.reason}" if stage == "parse" else error.reason)
        if (item.path, item.reason) not in listed:
            listed.add((item.path, item.reason))
            out.append(item)
    return out
