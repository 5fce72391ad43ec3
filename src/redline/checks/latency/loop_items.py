"""Which calls of a JavaScript/TypeScript or Go module run once per item of data: the loop a call is in, the
names that loop binds over data, and how the loop is described in a message."""

from __future__ import annotations

import re

from redline.sources.code.model import CallSite, CodeIndex, Loop

#: a class attribute's one recorded value that is a name (``permission_classes = IsAuthenticated``, ``x = OTHER``):
#: maybe no list at all
_NAME = re.compile(r"[A-Za-z_][\w.]*")


def constant_lists(index: CodeIndex) -> frozenset[str]:
    """Module-level names bound to a literal list or object (``const TYPES = ['a', 'b']``, Python's
    ``TRACKED_MODELS = [...]``), and a module-level class's attributes bound to a literal list as ``Class.attr``
    (isso's ``Preferences.defaults = [("session-key", …)]``): a loop over one runs a fixed number of times, whatever
    the data."""
    names = {a.name for a in index.assignments if a.name != "module.exports" and len(a.values) > 0}
    for d in index.definitions:
        if d.kind == "class" and d.qualname == d.name:
            names |= {
                f"{d.name}.{attr}"
                for attr, values in d.class_attrs
                if len(values) > 1 or (values and not _NAME.fullmatch(values[0]))
            }
    return frozenset(names)


def iterates_constant(loop: Loop, constants: frozenset[str]) -> bool:
    """The loop iterates one of ``constants``: a module-level name (or an attribute of it), a class's literal
    attribute named through the class, or through ``self``/``cls`` in one of its methods."""
    if not loop.iter:
        return False
    owner, _, attr = loop.iter.partition(".")
    if owner in constants or loop.iter in constants:
        return True
    cls = loop.function.rpartition(".")[0]
    return owner in ("self", "cls") and bool(cls) and f"{cls}.{attr}" in constants


def item_names(index: CodeIndex, loop_id: int, constants: frozenset[str]) -> set[str]:
    """The names the enclosing loops bind over data (a ``while`` polls, a Go channel ``receive`` loop waits for
    messages, a literal list is a fixed count)."""
    names: set[str] = set()
    while loop_id >= 0:
        loop = index.loops[loop_id]
        fixed = loop.iter_size >= 0 or iterates_constant(loop, constants)
        if loop.kind not in {"while", "receive"} and not fixed:
            names |= set(loop.targets)
        loop_id = loop.parent
    return names


def per_item(index: CodeIndex, call: CallSite, constants: frozenset[str]) -> Loop | None:
    """The loop ``call`` runs in once per data item, when it reads that item and the loop is not a search."""
    if call.loop < 0:
        return None
    loop = index.loops[call.loop]
    if loop.exits or not item_names(index, call.loop, constants) & set(call.reads):
        return None
    return loop


def local_wrappers(index: CodeIndex, remote: dict[int, str]) -> dict[str, tuple[int, str]]:
    """The module's functions that make a remote call themselves (one level), from ``remote`` (id of each
    remote call -> its client or kind): qualified name -> (line of its first remote call, that client)."""
    names = {d.qualname for d in index.definitions if d.kind != "class"}
    found: dict[str, tuple[int, str]] = {}
    for call in index.calls:
        if id(call) in remote and call.function in names:
            found.setdefault(call.function, (call.line, remote[id(call)]))
    return found


def where(loop: Loop) -> str:
    what = f"`{loop.iter}`" if loop.iter else "the loop"
    if loop.kind == "callback":
        how = f"`{loop.via}` callback at line {loop.line}"
        return f"once per item of {what}{', all at once' if loop.concurrent else ''} ({how})"
    return f"once per item of {what} (loop at line {loop.line})"


def per_query(loop: Loop) -> str:
    """How the round trips add up: one after the other, or all at once (still N queries, N connections)."""
    if loop.concurrent:
        return "N queries sent together where one would do (N+1 round trips, up to N pooled connections)"
    return "one query per item (N+1)"
