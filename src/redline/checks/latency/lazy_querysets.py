"""A Django queryset built per loop item that never runs as a read of its own.

``webhooks = Webhook.objects.filter(app_id=app.id)`` inside saleor's app-by-app cleanup is only ever used as a
subquery (``Exists(webhooks.filter(...))``) and deleted (``webhooks.delete()``): building a QuerySet issues no
query, a subquery runs inside the statement that embeds it, and a delete per item is the batching rules' concern.
Told from the code index: every use of the bound name that the index sees is a write, or a composition passed
straight into another call; a loop over the name, the name passed as a value (``list(webhooks)``), a reading
method (``webhooks.first()``) or a composition bound to another name keeps it judged, and so does a name no
visible use reads (``if webhooks:`` and ``return webhooks`` are not in the index).
"""

from __future__ import annotations

from redline.checks.latency.orm import DJANGO_MANAGERS
from redline.sources.code.model import CallSite, CodeIndex

#: QuerySet methods that return another QuerySet without running a query
_COMPOSE = frozenset(
    {
        "filter", "exclude", "all", "order_by", "select_related", "prefetch_related", "only", "defer",
        "annotate", "distinct", "using", "values", "values_list", "alias", "none",
    }
)  # fmt: skip
_WRITE = frozenset({"delete", "update", "_raw_delete"})
#: expressions that embed a queryset as a subquery
_SUBQUERY = frozenset({"Exists", "Subquery"})


def never_evaluated(index: CodeIndex, call: CallSite) -> bool:
    """``call`` builds a Django queryset bound to a name whose every visible use is a write or a subquery, or
    written straight into a subquery (``Exists(X.objects.filter(pk=OuterRef("pk")))``)."""
    parts = call.raw.split(".")
    if len(parts) < 2 or parts[1] not in DJANGO_MANAGERS:
        return False  # no manager: nor has the chain this call starts, which shares its first steps
    if _inline_subquery(index, call) or _combined_for_later(index, call):
        return True
    # ``qs = X.objects.filter(...).order_by(...)``: the chain's inner calls share its line, the outermost is bound
    chain = call.raw + "."
    call = next(
        (
            c
            for c in index.calls
            if c.line == call.line
            and c.function == call.function
            and c.assigned_to
            and (c.raw == call.raw or c.raw.startswith(chain))
        ),
        call,
    )
    name = call.assigned_to
    parts = call.raw.split(".")
    if not name or "." in name or len(parts) < 3:
        return False
    if not set(parts[2:]) <= _COMPOSE:
        return False
    if any(
        loop.function == call.function and (loop.iter == name or loop.iter.startswith(name + "."))
        for loop in index.loops
    ):
        return False
    scope = [c for c in index.calls_in(call.function) if c is not call]
    embedded = {a.call for c in scope for a in c.args if a.call}
    uses = 0
    for other in scope:
        if _passes_as_value(other, name):
            return False
        if not other.raw.startswith(name + "."):
            continue
        if not _writes_or_embeds(other, embedded):
            return False  # a read (``first``, ``exists``, ``count``), or a composition kept for later
        uses += 1
    return uses > 0


def _combined_for_later(index: CodeIndex, call: CallSite) -> bool:
    """``qs |= X.objects.filter(...)`` per item (pontoon's ``latest_activity``): the composing chain on the call's line
    is OR-ed (or AND-ed) into one queryset, evaluated as one query once the loop is done; not when the loop itself
    reads the combined queryset (``qs.count()`` per item) or hands it over."""
    chain = next(
        (
            c
            for c in index.calls_in(call.function)
            if c.line == call.line and c.combined_into and c.raw.startswith(call.raw)
        ),
        None,
    )
    if chain is None or not set(chain.raw.split(".")[2:]) <= _COMPOSE:
        return False
    name = chain.combined_into or ""
    in_loop = [c for c in index.calls_in(call.function) if c.loop == call.loop and c is not chain]
    return not any(c.raw.startswith(name + ".") or _passes_as_value(c, name) for c in in_loop)


def _inline_subquery(index: CodeIndex, call: CallSite) -> bool:
    """``Exists(X.objects.filter(...))``, ``Subquery(X.objects.filter(...).values("pk"))``,
    ``filter(pk__in=X.objects.filter(...))``: a composing chain written as the argument of a subquery runs inside
    the statement that embeds it (linkding's tag search builds one ``Exists`` per search term, one query in all).
    The index names a chain argument only when no step but the last takes arguments (else ``""``), so an argument
    that is a call of either form counts, when the whole chain on the call's line only composes."""
    scope = [c for c in index.calls_in(call.function) if c is not call]
    chain = max((c.raw for c in scope if c.line == call.line and c.raw.startswith(call.raw + ".")), key=len, default="")
    if not set((chain or call.raw).split(".")[2:]) <= _COMPOSE:
        return False
    for outer in scope:
        if not outer.line <= call.line <= outer.end_line or outer.raw.startswith(call.raw):
            continue
        subquery = outer.raw.rsplit(".", 1)[-1] in _SUBQUERY
        for arg in outer.args:
            inline = arg.call == "" or (arg.call or "").startswith(call.raw)
            if inline and (subquery or bool(arg.keyword and arg.keyword.endswith("__in"))):
                return True
    return False


def _writes_or_embeds(use: CallSite, embedded: set[str]) -> bool:
    """``qs.delete()``/``qs.filter(...).update(...)``, or ``qs.filter(...)`` passed straight into another call."""
    rest = use.raw.split(".")[1:]
    if rest[-1] in _WRITE and set(rest[:-1]) <= _COMPOSE:
        return True
    return set(rest) <= _COMPOSE and not use.assigned_to and use.raw in embedded


def _passes_as_value(call: CallSite, name: str) -> bool:
    """``list(qs)``, ``send(qs)``: the queryset handed over whole (evaluated, or who knows); ``Exists(qs)`` and
    ``filter(id__in=qs)`` embed it as a subquery."""
    for arg in call.args:
        if arg.name != name:
            continue
        subquery = call.raw.rsplit(".", 1)[-1] in _SUBQUERY or bool(arg.keyword and arg.keyword.endswith("__in"))
        if not subquery:
            return True
    return False
