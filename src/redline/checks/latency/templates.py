"""N+1 queries a Django template issues: a ``{% for %}`` over a queryset the view passes, whose body reads a
relation the view's query did not load."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from redline.checks.latency.orm import Catalogue, resolve_name
from redline.checks.latency.per_item import Hit
from redline.checks.latency.rules import TEMPLATE_N_PLUS_ONE
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.templates import TemplateLoop, TemplateLoops

_RENDERERS = frozenset({"render", "render_to_response", "render_to_string", "TemplateResponse"})


def _template_name(call: CallSite) -> str | None:
    if call.raw.rpartition(".")[2] not in _RENDERERS:
        return None
    for arg in call.args[:2]:
        if arg.keyword in {None, "template_name"} and isinstance(arg.literal, str) and "." in arg.literal:
            return arg.literal
    return None


def template_hits(
    indexes: Sequence[CodeIndex], templates: Sequence[TemplateLoops], cat: Catalogue
) -> Iterator[tuple[str, Hit]]:
    if not cat.models or not templates:
        return
    reported: set[tuple[str, int]] = set()
    for index in indexes:
        for call in index.calls:
            name = _template_name(call)
            if name is None or not call.function:
                continue
            for template in templates:
                if template.path == name or template.path.endswith("/" + name):
                    for loop in template.loops:
                        for hit in _loop_hits(cat, index, call, loop):
                            if (template.path, hit.line) not in reported:
                                reported.add((template.path, hit.line))
                                yield template.path, hit


def _loop_hits(cat: Catalogue, index: CodeIndex, call: CallSite, loop: TemplateLoop) -> Iterator[Hit]:
    found = resolve_name(cat, index, call.function, loop.iterable, call.line)
    if found is None or found.opaque or not 1 <= len(loop.targets) <= 2:
        return
    item = loop.targets[-1]
    for attr, line in loop.attrs:
        root, _, relation_name = attr.partition(".")
        relation = found.model.relations.get(relation_name)
        if root != item or relation is None or relation.eager or relation_name in found.loaded:
            continue
        how = "select_related" if relation.kind == "fk" else "prefetch_related"
        yield Hit(
            TEMPLATE_N_PLUS_ONE,
            f"{{{{ {attr} }}}} loads {found.model.name}.{relation_name} once per row of `{loop.iterable}`, "
            f"which {call.function} passes from `{found.query}` ({index.path}:{call.line}): N+1 queries",
            line,
            line,
            {"view": f"{index.path}:{call.line}", "model": found.model.name, "relation": relation_name},
            f'Load it in the view: `{found.query}.{how}("{relation_name}")`.',
        )
