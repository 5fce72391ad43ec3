"""Evaluated Terraform values: plain Python data, plus explicit markers for what is not known.

A check must be able to tell "the attribute is absent" (Terraform's default
applies) from "the attribute is set to something redline could not resolve".
The second is an ``Unknown``; checks stay quiet on it rather than guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value redline cannot know statically; ``reason`` says why (for messages and debugging)."""

    reason: str


@dataclass(frozen=True, slots=True)
class ResourceRef(Unknown):
    """A reference to another resource's attribute (``aws_s3_bucket.logs.id``): unknown as a value,
    but it names the resource, which is how checks link resources together."""

    address: str = ""
    attribute: str = ""


@dataclass(frozen=True, slots=True)
class Missing(Unknown):
    """A known map or list without the requested element: an error in Terraform, which ``try()`` catches."""


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


def is_true(value: object) -> bool:
    """Known to be true (``true`` or the string ``"true"``, as Terraform converts)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def contains_unknown(value: object) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False


@dataclass(frozen=True)
class Body:
    """A resolved block body: attributes, nested blocks by type, and where it starts."""

    attrs: dict[str, Any]
    blocks: dict[str, list[Body]]
    start_line: int
    end_line: int
    dynamic: frozenset[str] = frozenset()  # nested block types produced by ``dynamic`` (content partly unknown)
    from_dynamic: bool = False

    def get(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs and self.attrs[name] is not None

    def nested(self, type_: str) -> list[Body]:
        return self.blocks.get(type_, [])

    def may_have(self, type_: str) -> bool:
        """A nested block of this type exists or may exist (a ``dynamic`` block generates it)."""
        return bool(self.blocks.get(type_)) or type_ in self.dynamic


@dataclass(frozen=True)
class Provider:
    """A provider configuration as the resource sees it (after aliases and module ``providers``)."""

    name: str  # aws, google, azurerm
    alias: str
    region: Any  # str or Unknown
    account: Any  # str, Unknown or "" when not stated
    zone: Any = ""
    path: str = ""
    line: int = 0
    #: credential arguments (``access_key``, ``client_secret`` …) set to a known literal: names only, never values
    credentials: tuple[str, ...] = ()
    #: the block says the credentials are not checked (``skip_credentials_validation``: a local emulator)
    mock: bool = False


@dataclass(frozen=True)
class Resource:
    """One resource or data source of an assembled module instance, with evaluated attributes."""

    address: str  # module.net.aws_security_group.web, data.aws_iam_policy_document.x
    mode: str  # managed | data
    type: str
    name: str
    module: str  # "" for a root module, else module.a.module.b
    module_dir: str
    path: str
    body: Body
    provider: Provider | None
    meta: dict[str, Any] = field(default_factory=dict)  # count, for_each, depends_on … (evaluated)
    root: str = ""  # the root module directory this instance belongs to

    @property
    def start_line(self) -> int:
        return self.body.start_line

    @property
    def end_line(self) -> int:
        return self.body.end_line

    def get(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default)

    def has(self, name: str) -> bool:
        return self.body.has(name)

    def nested(self, type_: str) -> list[Body]:
        return self.body.nested(type_)

    @property
    def provider_name(self) -> str:
        if self.provider is not None:
            return self.provider.name
        return self.type.split("_", 1)[0]
