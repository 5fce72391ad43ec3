"""TypeORM entity facts of a JavaScript/TypeScript module: the relation properties an entity class declares
lazy, and the relation-like reads a loop body makes on its item (``await post.author``), so that a lazy
relation loaded once per row (N+1) is found even when the entity is declared in another module."""

from __future__ import annotations

from dataclasses import replace

from redline.sources.code.model import Loop
from redline.sources.code.treesitter.jsdecorators import decorator_name, decorators_of
from redline.sources.code.treesitter.nodes import Node, line, named, text

#: TypeORM relation decorators
_RELATIONS = frozenset({"ManyToOne", "OneToMany", "OneToOne", "ManyToMany"})
_FIELDS = frozenset({"public_field_definition", "field_definition"})


def lazy_relations(body: Node | None) -> tuple[str, ...]:
    """The properties of a class body a TypeORM relation decorator marks lazy: typed ``Promise<...>`` (how
    TypeORM decides) or given ``{ lazy: true }``."""
    if body is None:
        return ()
    found: list[str] = []
    for member in named(body):
        if member.type not in _FIELDS:
            continue
        relation = [d for d in decorators_of(member) if decorator_name(d) in _RELATIONS]
        name = member.child_by_field_name("name") or member.child_by_field_name("property")
        if not relation or name is None:
            continue
        annotation = member.child_by_field_name("type")
        promised = annotation is not None and text(annotation).lstrip(":").strip().startswith("Promise<")
        if promised or any(_says_lazy(d) for d in relation):
            found.append(text(name))
    return tuple(found)


def _says_lazy(decorator: Node) -> bool:
    """``@ManyToOne(() => User, { lazy: true })``."""
    stack = list(named(decorator))
    while stack:
        node = stack.pop()
        if node.type == "pair":
            key = node.child_by_field_name("key")
            value = node.child_by_field_name("value")
            if key is not None and value is not None and text(key) == "lazy" and value.type == "true":
                return True
        stack.extend(named(node))
    return False


def item_read(node: Node) -> tuple[str, int] | None:
    """``await post.author`` or the body of ``post => post.author``: the ``item.property`` read whose value
    is awaited or handed back (what a lazy relation is read through), with its line."""
    if node.type == "await_expression":
        inner = named(node)
        target = inner[-1] if inner else None
    elif node.type == "member_expression" and node.parent is not None and node.parent.type == "arrow_function":
        body = node.parent.child_by_field_name("body")
        target = node if body is not None and body.id == node.id else None
    else:
        return None
    if target is None or target.type != "member_expression":
        return None
    owner = target.child_by_field_name("object")
    prop = target.child_by_field_name("property")
    if owner is None or prop is None or owner.type != "identifier" or prop.type != "property_identifier":
        return None
    return f"{text(owner)}.{text(prop)}", line(target)


def attach_reads(loops: list[Loop], reads: list[tuple[int, str, int]]) -> list[Loop]:
    """Each read ``(innermost loop, item.property, line)`` kept on the nearest enclosing loop that binds the
    item, first line only."""
    attrs: dict[int, dict[str, int]] = {}
    for loop_id, read, at in reads:
        owner = read.split(".", 1)[0]
        current = loop_id
        while current >= 0 and owner not in loops[current].targets:
            current = loops[current].parent
        if current >= 0:
            attrs.setdefault(current, {}).setdefault(read, at)
    return [
        replace(lp, attrs=(*lp.attrs, *sorted(attrs[i].items(), key=lambda kv: kv[1]))) if i in attrs else lp
        for i, lp in enumerate(loops)
    ]
