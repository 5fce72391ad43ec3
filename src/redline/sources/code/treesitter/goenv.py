"""Environment defaults written in Go struct tags: what an environment library fills a configuration field with when
its variable is unset (caarlos0/env ``env:"JWT_SECRET" envDefault:"dev"``, cleanenv ``env-default:"dev"``,
sethvargo/go-envconfig ``env:"JWT_SECRET, default=dev"``, kelseyhightower/envconfig ``default:"dev"`` with the
field's name or ``envconfig:"…"``): the ``EnvDefault`` facts WEB310 judges, the literal kept as its length only."""

from __future__ import annotations

import re

from redline.sources.code.model import EnvDefault
from redline.sources.code.treesitter.jsenv import fallback_marker
from redline.sources.code.treesitter.nodes import Node, line, string_value, text

#: one ``key:"value"`` pair of a struct tag (reflect.StructTag's convention)
_PAIR = re.compile(r'([A-Za-z][\w-]*):"((?:[^"\\]|\\.)*)"')
#: a library whose tags name a field's default, and the tag key it reads it from
_DEFAULT_KEYS = {
    "github.com/caarlos0/env": "envDefault",
    "github.com/ilyakaznacheev/cleanenv": "env-default",
    "github.com/kelseyhightower/envconfig": "default",
}
_SETHVARGO = "github.com/sethvargo/go-envconfig"


def tag_defaults(node: Node, imports: dict[str, str]) -> list[EnvDefault]:
    """The defaults a ``field_declaration``'s tag gives its field(s), for the environment libraries the module
    imports (a ``default:"…"`` tag means nothing without one: other libraries read it for other things)."""
    tag = node.child_by_field_name("tag")
    raw = string_value(tag) if tag is not None else None
    if not raw or "efault" not in raw:  # every key read names a default (envDefault, default=); most tags are json
        return []
    pairs = dict(_PAIR.findall(raw))
    libraries = {_library(path) for path in imports.values()}
    names = [text(n) for n in node.children_by_field_name("name")]
    found = _default(pairs, libraries, names[0] if names else "")
    if found is None:
        return []
    variable, default, key = found
    return [
        EnvDefault(
            (variable,),
            line(tag) if tag is not None else line(node),
            "",
            len(default),
            names[0] if names else variable,
            within=key,
            marker=fallback_marker(default, (variable,)),
        )
    ]


def _library(path: str) -> str:
    """``github.com/caarlos0/env/v11`` -> ``github.com/caarlos0/env`` (a module's major version suffix dropped)."""
    return re.sub(r"/v\d+$", "", path)


def _default(pairs: dict[str, str], libraries: set[str], field: str) -> tuple[str, str, str] | None:
    """(variable, default, the tag key it came from), else None."""
    for library, key in _DEFAULT_KEYS.items():
        if library in libraries and key in pairs:
            named = pairs.get("envconfig" if key == "default" else "env", "").split(",", 1)[0].strip()
            return named or field.upper(), pairs[key], key
    if _SETHVARGO in libraries and "env" in pairs:
        name, _, options = pairs["env"].partition(",")
        for option in options.split(","):
            option_key, _, value = option.strip().partition("=")
            if option_key == "default":
                return name.strip(), value, "env default="
    return None
