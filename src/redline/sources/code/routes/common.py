"""What every framework extractor reads: the indexes by module name, and definitions by name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from redline.sources.code.model import Arg, CodeIndex, Definition


def module_name(path: str) -> str:
    """``src/shop/urls.py`` -> ``src.shop.urls`` (matched by suffix, so the source root does not matter)."""
    stem = path[:-3] if path.endswith(".py") else path
    stem = stem.removesuffix("/__init__")
    return stem.replace("/", ".")


def join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def arg(args: Sequence[Arg], position: int, keyword: str) -> Arg | None:
    positional = [a for a in args if a.keyword is None]
    if position < len(positional):
        return positional[position]
    return next((a for a in args if a.keyword == keyword), None)


def text(value: Arg | None) -> str | None:
    return value.literal if value is not None and isinstance(value.literal, str) else None


@dataclass
class Project:
    indexes: Sequence[CodeIndex]
    definitions: dict[str, list[tuple[CodeIndex, Definition]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index in self.indexes:
            for definition in index.definitions:
                self.definitions.setdefault(definition.name, []).append((index, definition))

    def find(self, dotted: str, near: CodeIndex) -> tuple[CodeIndex, Definition] | None:
        """The definition a dotted handler name refers to: in the same file first, else the one
        module whose name ends with the dotted prefix, else the only definition of that name."""
        name = dotted.rsplit(".", 1)[-1]
        candidates = self.definitions.get(name, [])
        same = [c for c in candidates if c[0].path == near.path]
        if same:
            return same[0]
        if "." in dotted:
            owner = dotted.rsplit(".", 1)[0]
            by_module = [c for c in candidates if module_name(c[0].path).endswith(owner.split(".")[-1])]
            if len(by_module) == 1:
                return by_module[0]
        return candidates[0] if len(candidates) == 1 else None
