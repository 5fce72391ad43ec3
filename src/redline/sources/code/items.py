"""Where a binding puts a value: in a name, in a mapping's items, or in an object's attributes. A form merged into a
watch (``watch.update(form)``, ``watch["k"] = form["k"]``) makes the watch's items caller data, not its attributes:
``watch.data_dir`` is a property computed from the watch's id (changedetection.io), ``watch["url"]`` and
``watch.get("url")`` are what the caller sent. ``setattr``, ``obj.x = ...`` and ``obj.__dict__.update(...)`` do set
attributes. The data flow (``flow.py``) keeps the names tainted only in their items apart."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from enum import Enum


class Store(Enum):
    """What a binding's target receives."""

    NAME = "name"  # ``x = v``: the name is rebound
    ITEMS = "items"  # ``x[k] = v``, ``x.update(v)``: the object's items change, the name still holds it
    ATTRIBUTES = "attributes"  # ``x.a = v``, ``setattr(x, "a", v)``, ``vars(x).update(v)``: its attributes change


#: methods that read a mapping's items (keys or values): what an object tainted in its items gives back
ITEM_READS = frozenset(
    {"get", "pop", "popitem", "setdefault", "items", "values", "keys", "copy", "getlist", "to_dict", "lists"}
    | {"__getitem__", "__iter__"}
)
#: methods that store their arguments in the receiver's items
_ITEM_WRITES = frozenset({"update", "setdefault"})
#: callees that copy a mapping with its items (``deepcopy(watch)``, ``dict(watch)``)
_COPIES = frozenset({"copy", "deepcopy", "copy.copy", "copy.deepcopy", "dict"})


def target_store(target: ast.expr) -> tuple[str, Store] | None:
    """The local name a subscript or attribute target mutates and how: ``watch["k"]``, ``watch[a][b]`` its items;
    ``watch.a``, ``watch.a[k]``, ``watch[k].a`` its attributes (or an item's: the whole object is then tainted).
    None for any other target (a name, a tuple, a chain not rooted at a name)."""
    node: ast.expr = target
    only_subscripts = True
    while isinstance(node, ast.Subscript | ast.Attribute):
        only_subscripts = only_subscripts and isinstance(node, ast.Subscript)
        node = node.value
    if node is target or not isinstance(node, ast.Name):
        return None
    return node.id, Store.ITEMS if only_subscripts else Store.ATTRIBUTES


def mutates(call: ast.Call) -> bool:
    """Whether the call may store into a local object (what ``call_stores`` reads): a cheap test first, as the data
    flow asks it of every call."""
    func = call.func
    if func.__class__ is ast.Attribute and isinstance(func, ast.Attribute):
        return func.attr in _ITEM_WRITES
    return func.__class__ is ast.Name and isinstance(func, ast.Name) and func.id == "setattr"


def call_stores(call: ast.Call) -> Iterator[tuple[str, ast.expr, Store]]:
    """The mutation a call makes of a local name with its arguments: ``watch.update(form)``/``setdefault`` into
    its items; ``setattr(obj, k, v)``, ``obj.__dict__.update(v)``, ``vars(obj).update(v)`` into its attributes."""
    func = call.func
    values = [*call.args, *(k.value for k in call.keywords)]
    if isinstance(func, ast.Name) and func.id == "setattr" and len(call.args) == 3:
        if isinstance(call.args[0], ast.Name):
            yield call.args[0].id, call.args[2], Store.ATTRIBUTES
        return
    if not isinstance(func, ast.Attribute) or func.attr not in _ITEM_WRITES or not values:
        return
    receiver = func.value
    value = ast.copy_location(ast.Tuple(elts=values, ctx=ast.Load()), call)
    if isinstance(receiver, ast.Name):
        yield receiver.id, value, Store.ITEMS
    elif func.attr == "update" and (owner := _attribute_dict_of(receiver)) is not None:
        yield owner, value, Store.ATTRIBUTES


def _attribute_dict_of(node: ast.expr) -> str | None:
    """``obj`` for ``obj.__dict__`` and ``vars(obj)``: the mapping of an object's attributes."""
    if isinstance(node, ast.Attribute) and node.attr == "__dict__" and isinstance(node.value, ast.Name):
        return node.value.id
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "vars"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Name)
    ):
        return node.args[0].id
    return None


def copied_items(value: ast.AST, items: set[str]) -> bool:
    """Whether the value is a name tainted only in its items, or a copy of one (``watch``, ``deepcopy(watch)``,
    ``watch.copy()``, ``dict(watch)``): the copy holds the caller's data in its items too."""
    if isinstance(value, ast.Name):
        return value.id in items
    if not isinstance(value, ast.Call) or value.keywords:
        return False
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr == "copy" and not value.args:
        return isinstance(func.value, ast.Name) and func.value.id in items
    return _callee(func) in _COPIES and len(value.args) == 1 and copied_items(value.args[0], items)


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return None
