"""Python environment reads with a literal fallback after ``or`` (``os.environ.get("SECRET_KEY") or "dev"``, the
form Flask tutorials spread) and pydantic settings fields with a literal default (``secret_key: str = "dev"``): the
``EnvDefault`` facts JavaScript's ``||`` gives, for the same rule. The calls that take the default as an argument
(``os.getenv("X", "dev")``) are judged from the call sites instead."""

from __future__ import annotations

import ast
import re

from redline.sources.code.flow import Resolver, dotted_text
from redline.sources.code.model import EnvDefault
from redline.sources.code.treesitter.jsenv import fallback_marker

_READERS = frozenset({"os.environ.get", "os.getenv"})
#: pydantic's settings base classes: each field is read from the environment variable of its name, else its default
SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.env_settings.BaseSettings",
    }
)
#: a config class or function for development or tests (``class DevelopmentConfig``, ``def test_app``)
_DEVELOPMENT = re.compile(r"(?i)dev|test|local|debug")


def env_or_default(value: ast.BoolOp, target: ast.expr, scope: str, qualname: Resolver) -> EnvDefault | None:
    """``target = os.environ.get("X") or "literal"`` as a fact, else None."""
    last = value.values[-1]
    if not isinstance(value.op, ast.Or) or not isinstance(last, ast.Constant) or not isinstance(last.value, str):
        return None
    variables = tuple(v for part in value.values[:-1] if (v := _env_read(part, qualname)))
    if not variables:
        return None
    return EnvDefault(
        variables,
        value.lineno,
        scope,
        len(last.value),
        _bound_name(target),
        marker=fallback_marker(last.value, variables),
        dev_only=bool(_DEVELOPMENT.search(scope)),
    )


def _env_read(node: ast.expr, qualname: Resolver) -> str | None:
    """``os.environ.get("X")`` / ``os.getenv("X")`` / ``os.environ["X"]`` -> "X"."""
    if isinstance(node, ast.Call) and node.args and len(node.args) <= 2 and not node.keywords:
        first = node.args[0]
        if qualname(node.func) in _READERS and isinstance(first, ast.Constant):
            return first.value if isinstance(first.value, str) else None
    if isinstance(node, ast.Subscript) and qualname(node.value) == "os.environ":
        key = node.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    return None


def _bound_name(target: ast.expr) -> str:
    """``SECRET_KEY``, ``self.key``, ``app.config["SECRET_KEY"]`` -> "SECRET_KEY"."""
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return str(target.slice.value)
    return dotted_text(target) or ""


def settings_defaults(node: ast.ClassDef, qualname: str, resolve: Resolver) -> list[EnvDefault]:
    """The fields of a pydantic settings class given a string default (``secret_key: str = "dev"``,
    ``Field("dev")``, ``Field(default="dev")``): pydantic fills each from the variable of its name, else from the
    default. A private attribute (``_default_password``) is never read from the environment."""
    bases = [b for b in node.bases if resolve(b) in SETTINGS_BASES]
    if not bases:
        return []
    found: list[EnvDefault] = []
    for stmt in node.body:
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name) or stmt.value is None:
            continue
        name, value = stmt.target.id, _field_default(stmt.value, resolve)
        if name.startswith("_") or value is None:
            continue
        found.append(
            EnvDefault(
                (name,),
                stmt.lineno,
                qualname,
                len(value),
                name,
                within=dotted_text(bases[0]) or "BaseSettings",
                marker=fallback_marker(value, (name.upper(),)),
                dev_only=bool(_DEVELOPMENT.search(qualname)),
            )
        )
    return found


def _field_default(value: ast.expr, resolve: Resolver) -> str | None:
    """``"dev"``, ``Field("dev")``, ``Field(default="dev")`` -> "dev"; anything else (a call, ``None``) -> None."""
    if isinstance(value, ast.Call) and resolve(value.func) in {"pydantic.Field", "pydantic.fields.Field"}:
        given = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "default"), None)
        return _field_default(given, resolve) if given is not None and not isinstance(given, ast.Call) else None
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
