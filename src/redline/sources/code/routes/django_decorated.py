"""URL patterns a helper in a urls module decorates as a group: djangosnippets 532's ``decorated_patterns`` (umap's
``decorated_patterns([login_required], path(...), ...)`` and ``decorated_patterns([can_edit_map], *map_urls)``) and
django-required's ``required(login_required, [path(...)])``. A pattern written inside the helper's call, or in a
module-level list the call spreads (``*map_urls``, and what ``map_urls.append(path(...))`` adds), takes the
decorators of the call's first argument, as ``login_required(view)`` in the pattern itself would give it."""

from __future__ import annotations

import re

from redline.sources.code.model import CallSite, CodeIndex

#: the helpers' names, last segment: ``decorated_patterns``, ``decorated_urlpatterns``, ``decorate_urls``, ``required``
_HELPER = re.compile(r"decorated?_\w*(?:patterns|urls)|required")
#: what adds to a module-level list of patterns after it is bound
_ADDS = ("append", "extend", "insert")


def pattern_decorators(index: CodeIndex) -> list[tuple[int, int, tuple[str, ...]]]:
    """The line spans of the module whose patterns take decorators, each with them (``[]`` for most modules)."""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for call in index.calls:
        if not _HELPER.fullmatch(call.raw.rsplit(".", 1)[-1]) or len(call.args) < 2:
            continue
        decorators = _decorators(call)
        if not decorators:
            continue
        spans.append((call.line, call.end_line, decorators))
        spread = {item[1:] for a in call.args[1:] for item in a.items if item.startswith("*")}
        spans += [(a.line, a.end_line, decorators) for a in index.assignments if a.name in spread and a.end_line]
        spans += [(c.line, c.end_line, decorators) for c in index.calls if _adds_to(c, spread)]
    return spans


def decorators_at(spans: list[tuple[int, int, tuple[str, ...]]], call: CallSite) -> tuple[str, ...]:
    """The decorators every span holding the pattern's call gives it."""
    return tuple(name for start, end, names in spans if start <= call.line <= end for name in names)


def _decorators(call: CallSite) -> tuple[str, ...]:
    """The first argument: a list of decorators (``[login_required, never_cache]``) or one (``login_required``)."""
    first = call.args[0]
    if first.keyword is not None:
        return ()
    if first.items and not any(item.startswith("*") for item in first.items):
        return first.items
    return (first.name,) if first.name else ()


def _adds_to(call: CallSite, lists: set[str]) -> bool:
    owner, _, method = call.raw.rpartition(".")
    return method in _ADDS and owner in lists
