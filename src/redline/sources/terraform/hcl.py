"""HCL text -> ``Block`` facts, straight from python-hcl2's Lark parse tree (lines included).

python-hcl2 8.x accepts a ``with_meta`` option but does not emit line numbers,
and its typed rule tree costs as much again as the parse itself. So this
module walks the raw Lark tree: blocks get their exact line span (Lark's
propagated positions) and expressions become the small node types of
``syntax.py`` instead of ``${…}`` strings that would need re-parsing.

The Lark walk itself lives in ``hcl_tree.py``, imported on the first parse: a run over a tree without
Terraform never imports python-hcl2 or Lark.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from redline.sources.terraform.syntax import Opaque, Template

if TYPE_CHECKING:
    from redline.sources.terraform.syntax import Block


class HclSyntaxError(ValueError):
    """The text is not valid HCL; the message says where and why."""


def parse_hcl(text: str) -> tuple[Block, ...]:
    """Parse HCL into its top-level blocks."""
    from redline.sources.terraform.hcl_tree import convert  # noqa: PLC0415 - Lark only when HCL is read

    return convert(text)[2]


def parse_hcl_attributes(text: str) -> dict[str, Any]:
    """Top-level ``name = value`` pairs (a ``*.tfvars`` file)."""
    from redline.sources.terraform.hcl_tree import convert  # noqa: PLC0415 - Lark only when HCL is read

    return convert(text)[0]


def join_template(parts: list[Any]) -> Any:
    """Template parts with adjacent literals merged; a lone literal stays a plain string."""
    merged: list[Any] = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    if not merged:
        return ""
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]
    return Template(tuple(merged))


_INTERP = re.compile(r"(?<!\$)\$\{")


def template_from_text(text: str) -> Any:
    """A string that may hold ``${…}`` interpolations (heredocs, ``.tf.json`` values)."""
    if "${" not in text and "%{" not in text:
        return text
    if "%{" in text.replace("%%{", ""):
        return Opaque(text)
    parts: list[Any] = []
    pos = 0
    for m in _INTERP.finditer(text):
        if m.start() < pos:
            continue
        end = matching_brace(text, m.end())
        if end < 0:
            return Opaque(text)
        parts.append(text[pos : m.start()].replace("$${", "${"))
        parts.append(parse_expression(text[m.end() : end]))
        pos = end + 1
    parts.append(text[pos:].replace("$${", "${"))
    return join_template(parts)


def matching_brace(text: str, start: int) -> int:
    """Index of the brace closing the one just before ``start`` (quoted braces skipped), or -1."""
    depth = 1
    quote = False
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def parse_expression(source: str) -> Any:
    """One expression from text (``${…}`` contents); unparsable text stays ``Opaque``."""
    try:
        attrs = parse_hcl_attributes(f"x = {source.strip()}\n")
    except HclSyntaxError:
        return Opaque(source)
    return attrs.get("x", Opaque(source))
