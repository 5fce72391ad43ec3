"""Resolve Terraform expressions: literals, ``var.``, ``local.``, templates, lists, maps, ``for``
expressions, splats, indexes, pure functions, operators, and ``file()`` / ``templatefile()`` below
the audited root. Anything else becomes an explicit ``Unknown``.

Nothing is guessed: an unresolved part makes the whole template unknown, but a
list or map keeps its known items (``["10.0.0.0/8", var.extra]`` still shows
the literal CIDR to a check).
"""

from __future__ import annotations

import json
import math
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redline.sources.terraform.files import read_in_root
from redline.sources.terraform.hcl import template_from_text
from redline.sources.terraform.syntax import (
    BinOp,
    Call,
    Cond,
    ForExpr,
    GetAttr,
    Index,
    Opaque,
    Ref,
    Splat,
    Template,
    UnOp,
)
from redline.sources.terraform.values import Missing, ResourceRef, Unknown, contains_unknown

MAX_DEPTH = 64
#: a for expression over more items than this stays unknown (evaluation cost, not semantics)
MAX_FOR_ITEMS = 10_000


@dataclass(frozen=True)
class ModuleInstances:
    """The outputs of a module call with ``count`` / ``for_each``, per instance key."""

    by_key: dict[str | int, dict[str, Any]]


@dataclass
class Scope:
    """What names mean inside one module instance."""

    prefix: str  # address prefix: "" or "module.net."
    directory: str
    variables: dict[str, Any]
    locals: Mapping[str, Any]  # unevaluated expressions
    extra: dict[str, Any] = field(default_factory=dict)  # each / count / dynamic iterators
    modules: dict[str, dict[str, Any] | ModuleInstances] = field(default_factory=dict)  # followed calls' outputs
    fs_root: Path | None = None  # the audited root on disk: file()/templatefile() read only below it
    root_dir: str = ""  # the root module directory (Terraform's working directory), POSIX, "" for "."
    _local_values: dict[str, Any] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)

    def local(self, name: str) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        if name not in self.locals:
            return Unknown(f"local.{name} is not defined")
        if name in self._evaluating:
            return Unknown(f"local.{name} refers to itself")
        self._evaluating.add(name)
        try:
            value = evaluate(self.locals[name], self)
        finally:
            self._evaluating.discard(name)
        self._local_values[name] = value
        return value

    def child(self, extra: dict[str, Any]) -> Scope:
        scope = Scope(
            self.prefix,
            self.directory,
            self.variables,
            self.locals,
            {**self.extra, **extra},
            self.modules,
            self.fs_root,
            self.root_dir,
        )
        scope._local_values = self._local_values
        scope._evaluating = self._evaluating
        return scope


def evaluate(node: Any, scope: Scope, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return Unknown("expression nested too deeply")
    rule = _EVALUATORS.get(type(node))
    if rule is None:  # a subclass of a node type (a str subclass, ...): the first type it is an instance of
        rule = next((r for t, r in _EVALUATORS.items() if isinstance(node, t)), _unsupported)
    return rule(node, scope, depth)


_Evaluator = Callable[[Any, "Scope", int], Any]


def _literal(node: Any, _scope: Scope, _depth: int) -> Any:
    return node


def _list(node: list[Any], scope: Scope, depth: int) -> list[Any]:
    return [evaluate(n, scope, depth + 1) for n in node]


def _map(node: dict[str, Any], scope: Scope, depth: int) -> dict[str, Any]:
    return {k: evaluate(v, scope, depth + 1) for k, v in node.items()}


def _template(node: Template, scope: Scope, depth: int) -> Any:
    if len(node.parts) == 1 and not isinstance(node.parts[0], str):
        return evaluate(node.parts[0], scope, depth + 1)  # "${x}" alone is x itself, type preserved
    parts = [evaluate(p, scope, depth + 1) for p in node.parts]
    if any(isinstance(p, (Unknown, list, dict)) for p in parts):
        return Unknown("template with unknown parts")
    return "".join(_to_string(p) for p in parts)


def _cond(node: Cond, scope: Scope, depth: int) -> Any:
    cond = evaluate(node.cond, scope, depth + 1)
    if cond is True or cond is False:
        return evaluate(node.then if cond else node.other, scope, depth + 1)
    return Unknown("condition not known")


def _binop_node(node: BinOp, scope: Scope, depth: int) -> Any:
    return _binop(node.op, evaluate(node.left, scope, depth + 1), evaluate(node.right, scope, depth + 1))


def _unop(node: UnOp, scope: Scope, depth: int) -> Any:
    value = evaluate(node.operand, scope, depth + 1)
    if node.op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return -value
    if node.op == "!" and isinstance(value, bool):
        return not value
    return Unknown(f"operator {node.op} on an unknown value")


def _index_node(node: Index, scope: Scope, depth: int) -> Any:
    return _index_expr(evaluate(node.base, scope, depth + 1), evaluate(node.key, scope, depth + 1))


def _get_attr_node(node: GetAttr, scope: Scope, depth: int) -> Any:
    return _get_attr(evaluate(node.base, scope, depth + 1), node.name)


def _opaque(node: Opaque, _scope: Scope, _depth: int) -> Unknown:
    return Unknown(f"expression not evaluated: {node.text[:60]}")


def _unsupported(node: Any, _scope: Scope, _depth: int) -> Unknown:
    return Unknown(f"unsupported value {type(node).__name__}")


def _ref(ref: Ref, scope: Scope, _depth: int) -> Any:
    parts = ref.parts
    head = parts[0]
    if not isinstance(head, str):
        return Unknown(f"reference {ref}")
    rest = list(parts[1:])
    if head in scope.extra:
        return _index(scope.extra[head], rest, ref)
    named = bool(rest) and isinstance(rest[0], str)
    if head == "var" and named:
        if rest[0] not in scope.variables:
            return Unknown(f"var.{rest[0]} is not declared")
        return _index(scope.variables[rest[0]], rest[1:], ref)
    if head == "local" and named:
        return _index(scope.local(str(rest[0])), rest[1:], ref)
    if head == "path" and rest and rest[0] in ("root", "cwd", "module"):
        return _path_ref(str(rest[0]), scope)
    if head == "module" and named and rest[0] in scope.modules:
        return _module_ref(scope.modules[str(rest[0])], str(rest[0]), rest[1:], ref)
    if head in ("count", "each", "self", "terraform", "module"):
        return Unknown(f"{ref} is only known at plan time")
    if head == "data" and len(rest) >= 2:
        return _resource_ref(f"{scope.prefix}data.{rest[0]}.{rest[1]}", rest[2:])
    if "_" in head and named:
        return _resource_ref(f"{scope.prefix}{head}.{rest[0]}", rest[1:])
    return Unknown(f"reference {ref}")


def _path_ref(name: str, scope: Scope) -> str:
    """``path.root`` / ``path.cwd`` are ``.``; ``path.module`` is relative to the root module, as Terraform
    shows it."""
    if name == "module":
        return posixpath.relpath(scope.directory or ".", scope.root_dir or ".")
    return "."


def _module_ref(outputs: Any, name: str, tail: list[str | int], ref: Ref) -> Any:
    """``module.x.out`` / ``module.x["key"].out``: an output of the module (instance) when it was evaluated."""
    if isinstance(outputs, ModuleInstances):
        if not tail:
            return outputs
        if tail[0] not in outputs.by_key:
            return Unknown(f"module.{name}: no instance {tail[0]!r}")
        return _index(outputs.by_key[tail[0]], tail[1:], ref)
    if tail and isinstance(tail[0], int):  # module.x[0].out with an unknown count: one evaluation
        tail = tail[1:]
    return _index(outputs, tail, ref)


def _resource_ref(addr: str, tail: list[str | int]) -> ResourceRef:
    if tail and isinstance(tail[0], int):  # aws_instance.web[0].id names one instance
        addr = f"{addr}[{tail[0]}]"
        tail = tail[1:]
    return ResourceRef(f"reference to {addr}", addr, _attr_path(tail))


def instance_key(key: str | int) -> str:
    """``[0]`` or ``["a"]``, as Terraform writes instance keys in addresses."""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key, ensure_ascii=False)}]"


def _index_expr(base: Any, key: Any) -> Any:
    if isinstance(base, ModuleInstances):
        if isinstance(key, (str, int)) and not isinstance(key, bool) and key in base.by_key:
            return base.by_key[key]
        return Unknown("module instance not known")
    if isinstance(base, ResourceRef):
        if base.attribute or "[" in base.address.rsplit(".", 1)[-1]:
            tail = f"[{key}]" if isinstance(key, (str, int)) and not isinstance(key, bool) else "[?]"
            return ResourceRef(base.reason, base.address, base.attribute + tail)
        if isinstance(key, (str, int)) and not isinstance(key, bool):
            addr = base.address + instance_key(key)
            return ResourceRef(f"reference to {addr}", addr, "")
        return base  # some instance of it: still a link to the resource
    if isinstance(base, Unknown):
        return base
    if isinstance(key, Unknown):
        return Unknown("index not known")
    if isinstance(base, list):
        num = _number(key)
        key = int(num) if isinstance(num, (int, float)) and float(num).is_integer() else key
    if isinstance(base, dict) and isinstance(key, (int, float)) and not isinstance(key, bool):
        key = _to_string(key)
    return _index(base, [key], Ref(("value",)))


def _get_attr(base: Any, name: str) -> Any:
    if isinstance(base, ResourceRef):
        return ResourceRef(base.reason, base.address, f"{base.attribute}.{name}" if base.attribute else name)
    return _index(base, [name], Ref(("value", name)))


def _splat(node: Splat, scope: Scope, depth: int) -> Any:
    path, after = list(node.path), []
    if not node.full:  # the legacy a.*.b takes attributes only: a following [0] indexes the result
        cut = next((i for i, step in enumerate(path) if not isinstance(step, str)), len(path))
        path, after = path[:cut], path[cut:]
    base = evaluate(node.base, scope, depth + 1)
    if isinstance(base, ResourceRef):  # aws_instance.web[*].id: every instance, each unknown
        names = ".".join(p for p in path if isinstance(p, str))
        if not after:
            return ResourceRef(base.reason, base.address, f"*.{names}" if names else "*")
        key = evaluate(after[0].key, scope, depth + 1)  # aws_instance.web.*.id[0]: instance 0's id
        if isinstance(key, int) and not isinstance(key, bool) and len(after) == 1:
            addr = base.address + instance_key(key)
            return ResourceRef(f"reference to {addr}", addr, names)
        return base
    if isinstance(base, Unknown):
        return base
    items = [] if base is None else base if isinstance(base, list) else [base]
    out: list[Any] = [_steps(item, path, scope, depth) for item in items]
    return _steps(out, after, scope, depth) if after else out


def _steps(value: Any, path: list[Any], scope: Scope, depth: int) -> Any:
    for step in path:
        if isinstance(step, str):
            value = _get_attr(value, step)
        else:
            value = _index_expr(value, evaluate(step.key, scope, depth + 1))
    return value


def _for(node: ForExpr, scope: Scope, depth: int) -> Any:
    pairs = _for_pairs(evaluate(node.collection, scope, depth + 1))
    if isinstance(pairs, Unknown):
        return pairs
    items: list[Any] = []
    keyed: dict[str, Any] = {}
    for k, v in pairs:
        bound = {node.value_var: v} | ({node.key_var: k} if node.key_var else {})
        inner = scope.child(bound)
        if node.cond is not None:
            keep = evaluate(node.cond, inner, depth + 1)
            if not isinstance(keep, bool):
                return Unknown("for expression condition not known")
            if not keep:
                continue
        value = evaluate(node.value, inner, depth + 1)
        if not node.is_object:
            items.append(value)
            continue
        problem = _for_put(keyed, evaluate(node.key, inner, depth + 1), value, node.group)
        if problem is not None:
            return problem
    return keyed if node.is_object else items


def _for_pairs(coll: Any) -> list[tuple[Any, Any]] | Unknown:
    """(key, value) pairs a for expression iterates: maps in key order (as Terraform does), lists by index."""
    if isinstance(coll, dict):
        pairs: list[tuple[Any, Any]] = sorted(coll.items())
    elif isinstance(coll, list):
        pairs = list(enumerate(coll))
    elif isinstance(coll, Unknown):
        return Unknown("for expression over an unknown collection")
    else:
        return Unknown("for expression over a non-collection")
    if len(pairs) > MAX_FOR_ITEMS:
        return Unknown("for expression over too many items")
    return pairs


def _for_put(keyed: dict[str, Any], key: Any, value: Any, group: bool) -> Unknown | None:
    """Add one ``key => value`` of an object for expression; grouping (``...``) collects values per key."""
    if isinstance(key, (int, float)) and not isinstance(key, bool):
        key = _to_string(key)
    if not isinstance(key, str):
        return Unknown("for expression key not known")
    if group:
        keyed.setdefault(key, []).append(value)
    elif key in keyed:
        return Unknown(f"for expression produces duplicate key {key!r}")
    else:
        keyed[key] = value
    return None


def _attr_path(parts: list[str | int]) -> str:
    return ".".join(str(p) for p in parts)


def _index(value: Any, rest: list[str | int], ref: Ref) -> Any:
    for key in rest:
        if isinstance(value, Unknown):
            return value
        in_map = isinstance(value, dict) and isinstance(key, str) and key in value
        in_list = isinstance(value, list) and isinstance(key, int) and -len(value) <= key < len(value)
        if in_map or in_list:
            value = value[key]
        else:
            return Missing(f"{ref}: no element {key!r}")
    return value


def _to_string(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return None
    return None


def _binop(op: str, left: Any, right: Any) -> Any:
    if op in ("==", "!="):
        if contains_unknown(left) or contains_unknown(right):
            return Unknown("comparison with an unknown value")
        return (left == right) if op == "==" else (left != right)
    if op in ("&&", "||"):
        if op == "&&" and (left is False or right is False):
            return False
        if op == "||" and (left is True or right is True):
            return True
        if isinstance(left, bool) and isinstance(right, bool):
            return left and right if op == "&&" else left or right
        return Unknown("logic on an unknown value")
    a, b = _number(left), _number(right)
    if a is None or b is None:
        return Unknown(f"operator {op} on a non-number")
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "<": lambda x, y: x < y,
        ">": lambda x, y: x > y,
        "<=": lambda x, y: x <= y,
        ">=": lambda x, y: x >= y,
    }
    if op in ops:
        return ops[op](a, b)
    if op in ("/", "%") and b != 0:
        return a / b if op == "/" else math.fmod(a, b)
    return Unknown(f"operator {op}")


def _call(node: Call, scope: Scope, depth: int) -> Any:
    name = node.name
    args = [evaluate(a, scope, depth + 1) for a in node.args]
    if name == "jsonencode" and len(args) == 1:
        return args[0]  # kept as structure: checks read policies as data, unknown leaves included
    if name == "jsondecode" and len(args) == 1 and isinstance(args[0], str):
        try:
            return json.loads(args[0])
        except (ValueError, RecursionError):
            return Unknown("jsondecode of invalid JSON")
    if name == "toset" and len(args) == 1 and isinstance(args[0], list) and all(isinstance(a, str) for a in args[0]):
        return sorted(set(args[0]))  # a set of strings iterates in lexical order
    if name in ("tolist", "toset", "tomap", "sensitive", "nonsensitive") and len(args) == 1:
        return args[0]
    if name in ("file", "templatefile", "fileexists"):
        return _file_call(name, args, scope, depth)
    if name == "try":
        # the first argument that evaluates without error; an unknown one might have failed
        for arg in args:
            if not isinstance(arg, Unknown):
                return arg
            if not isinstance(arg, Missing):
                return Unknown("try() of an unknown value")
        return Unknown("try() with no usable argument")
    return _pure(name, args)


def _pure(name: str, args: list[Any]) -> Any:
    """A built-in function without side effects, through :data:`_PURE`; a function or an argument shape
    not listed there stays unknown."""
    if any(isinstance(a, Unknown) for a in args):
        if name == "concat":
            return [x for a in args for x in (a if isinstance(a, list) else [a])]
        if name == "merge":
            return Unknown("merge of unknown maps")
        return Unknown(f"{name}() of an unknown value")
    function = _PURE.get(name)
    result = function(name, args) if function is not None else _NOT_EVALUATED
    return Unknown(f"function {name}() not evaluated") if result is _NOT_EVALUATED else result


#: what a function returns when its arguments are not of a shape it is evaluated for
_NOT_EVALUATED: Any = object()


def _merge(_name: str, args: list[Any]) -> Any:
    if not all(isinstance(a, dict) or a is None for a in args):
        return _NOT_EVALUATED
    merged: dict[str, Any] = {}
    for a in args:
        merged.update(a or {})
    return merged


def _concat(_name: str, args: list[Any]) -> Any:
    return [x for a in args for x in a] if all(isinstance(a, list) for a in args) else _NOT_EVALUATED


def _case(name: str, args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], str):
        return _NOT_EVALUATED
    text: str = args[0]
    return text.lower() if name == "lower" else text.upper() if name == "upper" else text.strip()


def _tostring(_name: str, args: list[Any]) -> Any:
    ok = len(args) == 1 and isinstance(args[0], (str, int, float, bool))
    return _to_string(args[0]) if ok else _NOT_EVALUATED


def _tonumber(_name: str, args: list[Any]) -> Any:
    if len(args) != 1:
        return _NOT_EVALUATED
    num = _number(args[0])
    return num if num is not None else Unknown("tonumber of a non-number")


def _tobool(_name: str, args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], (bool, str)):
        return _NOT_EVALUATED
    return args[0] if isinstance(args[0], bool) else args[0] == "true"


def _join(_name: str, args: list[Any]) -> Any:
    if (
        len(args) == 2
        and isinstance(args[0], str)
        and isinstance(args[1], list)
        and all(isinstance(x, (str, int, float)) for x in args[1])
    ):
        return args[0].join(_to_string(x) for x in args[1])
    return _NOT_EVALUATED


def _split(_name: str, args: list[Any]) -> Any:
    return args[1].split(args[0]) if len(args) == 2 and all(isinstance(a, str) for a in args) else _NOT_EVALUATED


def _format_call(_name: str, args: list[Any]) -> Any:
    return _format(args[0], args[1:]) if args and isinstance(args[0], str) else _NOT_EVALUATED


def _lookup(_name: str, args: list[Any]) -> Any:
    if len(args) not in (2, 3) or not isinstance(args[0], dict) or not isinstance(args[1], str):
        return _NOT_EVALUATED
    if args[1] in args[0]:
        return args[0][args[1]]
    return args[2] if len(args) == 3 else Unknown("lookup of a missing key")


def _coalesce(_name: str, args: list[Any]) -> Any:
    return next((a for a in args if a is not None and a != ""), Unknown("coalesce of nothing"))


def _one_list(args: list[Any]) -> list[Any] | None:
    return args[0] if len(args) == 1 and isinstance(args[0], list) else None


def _compact(_name: str, args: list[Any]) -> Any:
    items = _one_list(args)
    return _NOT_EVALUATED if items is None else [a for a in items if a not in (None, "")]


def _flatten_call(_name: str, args: list[Any]) -> Any:
    items = _one_list(args)
    return _NOT_EVALUATED if items is None else _flatten(items)


def _distinct(_name: str, args: list[Any]) -> Any:
    items = _one_list(args)
    if items is None:
        return _NOT_EVALUATED
    out: list[Any] = []
    for a in items:
        if a not in out:
            out.append(a)
    return out


def _length(_name: str, args: list[Any]) -> Any:
    return len(args[0]) if len(args) == 1 and isinstance(args[0], (list, dict, str)) else _NOT_EVALUATED


def _element(_name: str, args: list[Any]) -> Any:
    if len(args) == 2 and isinstance(args[0], list) and args[0]:
        idx = _number(args[1])
        if isinstance(idx, int):
            return args[0][idx % len(args[0])]
    return _NOT_EVALUATED


def _contains(_name: str, args: list[Any]) -> Any:
    if len(args) == 2 and isinstance(args[0], list) and not contains_unknown(args[0]):
        return args[1] in args[0]
    return _NOT_EVALUATED


def _keys_values(name: str, args: list[Any]) -> Any:
    if len(args) != 1 or not isinstance(args[0], dict):
        return _NOT_EVALUATED
    items = sorted(args[0].items())
    return [k for k, _v in items] if name == "keys" else [v for _k, v in items]


def _affix(name: str, args: list[Any]) -> Any:
    if len(args) != 2 or not all(isinstance(a, str) for a in args):
        return _NOT_EVALUATED
    return args[0].startswith(args[1]) if name == "startswith" else args[0].endswith(args[1])


def _range(_name: str, args: list[Any]) -> Any:
    if not 1 <= len(args) <= 3 or not all(isinstance(_number(a), int) for a in args):
        return _NOT_EVALUATED
    bounds = [int(a) for a in args]
    if len(bounds) == 1:
        bounds = [0, *bounds]
    step = bounds[2] if len(bounds) == 3 else (1 if bounds[1] >= bounds[0] else -1)
    if step != 0 and abs((bounds[1] - bounds[0]) // step) <= MAX_FOR_ITEMS:
        return list(range(bounds[0], bounds[1], step))
    return _NOT_EVALUATED


def _zipmap(_name: str, args: list[Any]) -> Any:
    if (
        len(args) == 2
        and all(isinstance(a, list) for a in args)
        and len(args[0]) == len(args[1])
        and all(isinstance(k, str) for k in args[0])
    ):
        return dict(zip(args[0], args[1], strict=True))
    return _NOT_EVALUATED


def _min_max(name: str, args: list[Any]) -> Any:
    if not args or not all(_number(a) is not None for a in args):
        return _NOT_EVALUATED
    nums = [_number(a) for a in args]
    return min(nums) if name == "min" else max(nums)  # type: ignore[type-var]


#: the pure built-in functions redline evaluates, each given (name, evaluated arguments)
_PURE: dict[str, Callable[[str, list[Any]], Any]] = {
    "merge": _merge,
    "concat": _concat,
    "lower": _case,
    "upper": _case,
    "trimspace": _case,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "join": _join,
    "split": _split,
    "format": _format_call,
    "lookup": _lookup,
    "coalesce": _coalesce,
    "compact": _compact,
    "flatten": _flatten_call,
    "distinct": _distinct,
    "length": _length,
    "element": _element,
    "contains": _contains,
    "keys": _keys_values,
    "values": _keys_values,
    "startswith": _affix,
    "endswith": _affix,
    "range": _range,
    "zipmap": _zipmap,
    "min": _min_max,
    "max": _min_max,
}


def _file_call(name: str, args: list[Any], scope: Scope, depth: int) -> Any:
    """``file`` / ``templatefile`` / ``fileexists``: read below the audited root only, never run anything."""
    if not args or not isinstance(args[0], str):
        return Unknown(f"{name}() of an unknown path")
    if scope.fs_root is None:
        return Unknown(f"{name}() without the audited root")
    text = read_in_root(scope.fs_root, scope.root_dir, args[0])
    if name == "fileexists":
        return (
            Unknown("fileexists() of an unreadable path")
            if isinstance(text, Unknown) and text.reason != "no such file"
            else not isinstance(text, Unknown)
        )
    if isinstance(text, Unknown) or name == "file":
        return text
    if len(args) != 2 or not isinstance(args[1], dict):
        return Unknown("templatefile() variables not known")
    template = template_from_text(text)
    inner = Scope("", scope.directory, {}, {}, dict(args[1]), {}, scope.fs_root, scope.root_dir)
    return evaluate(template, inner, depth + 1)


def _flatten(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out


def _format(spec: str, args: list[Any]) -> Any:
    out: list[str] = []
    i = 0
    it = iter(args)
    while i < len(spec):
        ch = spec[i]
        if ch == "%" and i + 1 < len(spec):
            verb = spec[i + 1]
            if verb == "%":
                out.append("%")
            elif verb in "sdv":
                try:
                    out.append(_to_string(next(it)))
                except StopIteration:
                    return Unknown("format with too few arguments")
            else:
                return Unknown(f"format verb %{verb}")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


#: how each kind of node evaluates, in the order a subclass is matched (``evaluate`` dispatches on the type)
_EVALUATORS: dict[type, _Evaluator] = {
    type(None): _literal,
    bool: _literal,
    int: _literal,
    float: _literal,
    str: _literal,
    list: _list,
    dict: _map,
    Ref: _ref,
    Template: _template,
    Cond: _cond,
    BinOp: _binop_node,
    UnOp: _unop,
    Call: _call,
    Index: _index_node,
    GetAttr: _get_attr_node,
    Splat: _splat,
    ForExpr: _for,
    Opaque: _opaque,
}
