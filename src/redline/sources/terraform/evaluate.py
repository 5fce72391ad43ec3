"""Resolve simple Terraform expressions: literals, ``var.``, ``local.``, templates, lists, maps,
a few pure functions and operators. Anything else becomes an explicit ``Unknown``.

Nothing is guessed: an unresolved part makes the whole template unknown, but a
list or map keeps its known items (``["10.0.0.0/8", var.extra]`` still shows
the literal CIDR to a check).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.sources.terraform.syntax import BinOp, Call, Cond, Opaque, Ref, Template, UnOp
from redline.sources.terraform.values import Missing, ResourceRef, Unknown, contains_unknown

MAX_DEPTH = 64


@dataclass
class Scope:
    """What names mean inside one module instance."""

    prefix: str  # address prefix: "" or "module.net."
    directory: str
    variables: dict[str, Any]
    locals: Mapping[str, Any]  # unevaluated expressions
    extra: dict[str, Any] = field(default_factory=dict)  # each / count / dynamic iterators
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)  # outputs of followed module calls
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
        scope = Scope(self.prefix, self.directory, self.variables, self.locals, {**self.extra, **extra},
                      self.modules)
        scope._local_values = self._local_values
        scope._evaluating = self._evaluating
        return scope


def evaluate(node: Any, scope: Scope, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return Unknown("expression nested too deeply")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [evaluate(n, scope, depth + 1) for n in node]
    if isinstance(node, dict):
        return {k: evaluate(v, scope, depth + 1) for k, v in node.items()}
    if isinstance(node, Ref):
        return _ref(node, scope, depth)
    if isinstance(node, Template):
        if len(node.parts) == 1 and not isinstance(node.parts[0], str):
            return evaluate(node.parts[0], scope, depth + 1)  # "${x}" alone is x itself, type preserved
        parts = [evaluate(p, scope, depth + 1) for p in node.parts]
        if any(isinstance(p, (Unknown, list, dict)) for p in parts):
            return Unknown("template with unknown parts")
        return "".join(_to_string(p) for p in parts)
    if isinstance(node, Cond):
        cond = evaluate(node.cond, scope, depth + 1)
        if cond is True or cond is False:
            return evaluate(node.then if cond else node.other, scope, depth + 1)
        return Unknown("condition not known")
    if isinstance(node, BinOp):
        return _binop(node.op, evaluate(node.left, scope, depth + 1), evaluate(node.right, scope, depth + 1))
    if isinstance(node, UnOp):
        value = evaluate(node.operand, scope, depth + 1)
        if node.op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
        if node.op == "!" and isinstance(value, bool):
            return not value
        return Unknown(f"operator {node.op} on an unknown value")
    if isinstance(node, Call):
        return _call(node, scope, depth)
    if isinstance(node, Opaque):
        return Unknown(f"expression not evaluated: {node.text[:60]}")
    return Unknown(f"unsupported value {type(node).__name__}")


def _ref(ref: Ref, scope: Scope, depth: int) -> Any:
    parts = ref.parts
    head = parts[0]
    if not isinstance(head, str):
        return Unknown(f"reference {ref}")
    rest = list(parts[1:])
    if head in scope.extra:
        return _index(scope.extra[head], rest, ref)
    if head == "var" and rest and isinstance(rest[0], str):
        if rest[0] not in scope.variables:
            return Unknown(f"var.{rest[0]} is not declared")
        return _index(scope.variables[rest[0]], rest[1:], ref)
    if head == "local" and rest and isinstance(rest[0], str):
        return _index(scope.local(rest[0]), rest[1:], ref)
    if head == "path" and rest and rest[0] in ("module", "root", "cwd"):
        return scope.directory or "."
    if head == "module" and rest and isinstance(rest[0], str) and rest[0] in scope.modules:
        tail = rest[1:]
        if tail and isinstance(tail[0], int):  # module.x[0].out: instances share one evaluation
            tail = tail[1:]
        return _index(scope.modules[rest[0]], tail, ref)
    if head in ("count", "each", "self", "terraform", "module"):
        return Unknown(f"{ref} is only known at plan time")
    if head == "data" and len(rest) >= 2:
        addr = f"{scope.prefix}data.{rest[0]}.{rest[1]}"
        return ResourceRef(f"reference to {addr}", addr, _attr_path(rest[2:]))
    if "_" in head and rest and isinstance(rest[0], str):
        addr = f"{scope.prefix}{head}.{rest[0]}"
        return ResourceRef(f"reference to {addr}", addr, _attr_path(rest[1:]))
    return Unknown(f"reference {ref}")


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
        "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
        "<": lambda x, y: x < y, ">": lambda x, y: x > y, "<=": lambda x, y: x <= y, ">=": lambda x, y: x >= y,
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
    if name in ("tolist", "toset", "tomap", "sensitive", "nonsensitive") and len(args) == 1:
        return args[0]
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
    if any(isinstance(a, Unknown) for a in args):
        if name == "concat":
            return [x for a in args for x in (a if isinstance(a, list) else [a])]
        if name == "merge":
            return Unknown("merge of unknown maps")
        return Unknown(f"{name}() of an unknown value")
    if name == "merge" and all(isinstance(a, dict) or a is None for a in args):
        merged: dict[str, Any] = {}
        for a in args:
            merged.update(a or {})
        return merged
    if name == "concat" and all(isinstance(a, list) for a in args):
        return [x for a in args for x in a]
    if name in ("lower", "upper", "trimspace") and len(args) == 1 and isinstance(args[0], str):
        text: str = args[0]
        return text.lower() if name == "lower" else text.upper() if name == "upper" else text.strip()
    if name == "tostring" and len(args) == 1 and isinstance(args[0], (str, int, float, bool)):
        return _to_string(args[0])
    if name == "tonumber" and len(args) == 1:
        num = _number(args[0])
        return num if num is not None else Unknown("tonumber of a non-number")
    if name == "tobool" and len(args) == 1 and isinstance(args[0], (bool, str)):
        return args[0] if isinstance(args[0], bool) else args[0] == "true"
    if (name == "join" and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], list)
            and all(isinstance(x, (str, int, float)) for x in args[1])):
        return args[0].join(_to_string(x) for x in args[1])
    if name == "split" and len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[1].split(args[0])
    if name == "format" and args and isinstance(args[0], str):
        return _format(args[0], args[1:])
    if name == "lookup" and len(args) in (2, 3) and isinstance(args[0], dict) and isinstance(args[1], str):
        if args[1] in args[0]:
            return args[0][args[1]]
        return args[2] if len(args) == 3 else Unknown("lookup of a missing key")
    if name == "coalesce":
        return next((a for a in args if a is not None and a != ""), Unknown("coalesce of nothing"))
    if name == "compact" and len(args) == 1 and isinstance(args[0], list):
        return [a for a in args[0] if a not in (None, "")]
    if name == "flatten" and len(args) == 1 and isinstance(args[0], list):
        return _flatten(args[0])
    if name == "distinct" and len(args) == 1 and isinstance(args[0], list):
        out: list[Any] = []
        for a in args[0]:
            if a not in out:
                out.append(a)
        return out
    if name == "length" and len(args) == 1 and isinstance(args[0], (list, dict, str)):
        return len(args[0])
    if name == "element" and len(args) == 2 and isinstance(args[0], list) and args[0]:
        idx = _number(args[1])
        if isinstance(idx, int):
            return args[0][idx % len(args[0])]
    if name == "contains" and len(args) == 2 and isinstance(args[0], list) and not contains_unknown(args[0]):
        return args[1] in args[0]
    if name in ("keys", "values") and len(args) == 1 and isinstance(args[0], dict):
        items = sorted(args[0].items())
        return [k for k, _v in items] if name == "keys" else [v for _k, v in items]
    if name in ("startswith", "endswith") and len(args) == 2 and all(isinstance(a, str) for a in args):
        return args[0].startswith(args[1]) if name == "startswith" else args[0].endswith(args[1])
    if name in ("min", "max") and args and all(_number(a) is not None for a in args):
        nums = [_number(a) for a in args]
        return min(nums) if name == "min" else max(nums)  # type: ignore[type-var]
    return Unknown(f"function {name}() not evaluated")


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
