"""Terraform syntax as small, picklable facts: blocks with line ranges and unevaluated expressions.

Parsing (``hcl.py``, ``jsonsyntax.py``) happens once per file in a worker; the
facts travel to the main process, where ``modules.py`` assembles directories
into modules and ``evaluate.py`` resolves what can be resolved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Ref:
    """A traversal such as ``var.region``, ``aws_s3_bucket.logs.arn`` or ``local.tags["env"]``."""

    parts: tuple[str | int, ...]

    def __str__(self) -> str:
        out = ""
        for p in self.parts:
            out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
        return out


@dataclass(frozen=True, slots=True)
class Template:
    """A quoted string with interpolations: literal ``str`` parts and expressions."""

    parts: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Cond:
    cond: Any
    then: Any
    other: Any


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class UnOp:
    op: str
    operand: Any


@dataclass(frozen=True, slots=True)
class Index:
    """``base[key]`` where the key is an expression, or a bracket key on a resource address
    (``aws_s3_bucket.b["a"]``, kept apart from the attribute ``aws_s3_bucket.b.a``)."""

    base: Any
    key: Any


@dataclass(frozen=True, slots=True)
class GetAttr:
    """``base.name`` where ``base`` is not a plain reference (``var.m[each.key].name``)."""

    base: Any
    name: str


@dataclass(frozen=True, slots=True)
class Splat:
    """``base[*].a.b`` (``full``) or the legacy ``base.*.a.b``; ``path`` holds attribute names
    (``str``) and index expressions (``Index(None, key)``)."""

    base: Any
    path: tuple[Any, ...]
    full: bool = True


@dataclass(frozen=True, slots=True)
class ForExpr:
    """``[for k, v in coll : value if cond]`` or ``{for k, v in coll : key => value... if cond}``."""

    key_var: str | None
    value_var: str
    collection: Any
    key: Any  # the key expression of the object form, None for the list form
    value: Any
    cond: Any = None
    group: bool = False
    is_object: bool = False


@dataclass(frozen=True, slots=True)
class Opaque:
    """An expression redline does not evaluate (template directives, ``...`` expansion …); kept as text."""

    text: str


#: an unevaluated expression: JSON-like Python values (lists, dicts, scalars) or the nodes above
Expr = (
    str
    | int
    | float
    | bool
    | None
    | list[Any]
    | dict[str, Any]
    | Ref
    | Template
    | Call
    | Cond
    | BinOp
    | UnOp
    | Index
    | GetAttr
    | Splat
    | ForExpr
    | Opaque
)


@dataclass(frozen=True)
class Block:
    """One block (``resource "aws_s3_bucket" "logs" { … }``) with its lines (1-based, inclusive)."""

    type: str
    labels: tuple[str, ...]
    attrs: dict[str, Any]
    blocks: tuple[Block, ...]
    start_line: int
    end_line: int
    attr_lines: dict[str, int]

    def children(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(frozen=True)
class TerraformFile:
    """A parsed ``*.tf`` or ``*.tf.json`` file (kept: modules span several files)."""

    path: str
    directory: str  # POSIX, "" for the root
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class TfVarsFile:
    """Variable values from a ``*.tfvars`` file (literal expressions only, as Terraform requires)."""

    path: str
    directory: str
    values: dict[str, Any]
    auto: bool  # terraform.tfvars or *.auto.tfvars: loaded without -var-file
