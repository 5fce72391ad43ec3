"""Where a value sits in a configuration file: its key and the keys of the sections above it.

A keyword rule that sees one line cannot tell that ``password: …`` belongs to ``database:`` ten
lines up, or that ``auth_token: …`` sits under ``twilio:``. This module reads YAML (indentation),
JSON (tokens), TOML and INI (section headers, dotted keys) and ``.properties``/dotenv (dotted keys)
well enough to name each scalar's parents, with byte offsets of the value. It never fails: a line it
does not understand is skipped, so a broken file still yields what can be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from redline.core.lazy_regex import lazy

MAX_BYTES = 2_000_000  # larger files are data, not configuration
MAX_LINE = 4096  # a longer line is data (or minified), not a key: skipped, which also bounds regex work


@dataclass(frozen=True, slots=True)
class KeyValue:
    parents: tuple[str, ...]  # enclosing section keys, outermost first
    key: str
    start: int  # byte offsets of the value (quotes excluded)
    end: int
    value: str = field(repr=False)


def key_values(fmt: str, data: bytes) -> Iterator[KeyValue]:
    """Scalar values of a ``yaml``/``json``/``toml``/``ini``/``properties`` document, with their parents."""
    if len(data) > MAX_BYTES:
        return iter(())
    reader = {"yaml": _yaml, "json": _json, "toml": _sections, "ini": _sections, "properties": _properties}.get(fmt)
    return reader(data) if reader is not None else iter(())


def _value_span(data: bytes, start: int, end: int) -> tuple[int, int]:
    """Strip quotes, and an inline comment after an unquoted value."""
    raw = data[start:end]
    if raw[:1] in (b'"', b"'"):
        close = raw.find(raw[:1], 1)
        return (start + 1, start + close) if close > 0 else (start + 1, end)
    for marker in (b" #", b"\t#", b" ;"):
        cut = raw.find(marker)
        if cut >= 0:
            raw = raw[:cut]
    return start, start + len(raw.rstrip())


def _kv(parents: list[str], key: str, data: bytes, start: int, end: int) -> KeyValue | None:
    start, end = _value_span(data, start, end)
    if end <= start:
        return None
    return KeyValue(tuple(parents), key, start, end, data[start:end].decode("utf-8", "replace"))


def _unquote_key(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").strip().strip("\"'")


# --- YAML --------------------------------------------------------------------------------------

_YAML_KEY = lazy(
    rb"(?P<indent>[ \t]*)(?P<dash>-[ \t]+)?(?P<key>\"[^\"\n]{1,200}\"|'[^'\n]{1,200}'|[^\s:#'\"\[\]{},&*!|>%@`-]"
    rb"[^:#\n]{0,200}?)[ \t]*:(?:[ \t]+(?P<value>[^\n]*?))?[ \t]*\r?$"
)
_YAML_ITEM = lazy(
    rb"(?P<indent>[ \t]*)-[ \t]+['\"]?(?P<key>[A-Za-z_][A-Za-z0-9_.-]{0,100})=(?P<value>[^\n]*?)"
    rb"['\"]?[ \t]*\r?$"
)
_BLOCK = (b"|", b">", b"|-", b">-", b"|+", b">+")


#: keys whose block scalar is a shell script, not an embedded configuration file (a ConfigMap's ``config.yaml: |``
#: is read as YAML): GitHub Actions' ``run``, GitLab CI's ``script``, a container's ``command``/``args``
_SCRIPT_KEYS = frozenset({"run", "script", "before_script", "after_script", "command", "args", "entrypoint", "shell"})


def _yaml(data: bytes) -> Iterator[KeyValue]:
    reader = _YamlLines(data)
    pos = 0
    for line in data.split(b"\n"):
        start = pos
        pos += len(line) + 1
        stripped = line.lstrip()
        if not stripped or stripped.startswith((b"#", b"---", b"...")) or len(line) > MAX_LINE:
            continue
        kv = reader.read(line, stripped, start)
        if kv is not None:
            yield kv


@dataclass
class _YamlLines:
    """The parents seen so far, line by line (indentation), and what the previous lines opened."""

    data: bytes
    stack: list[tuple[int, str]] = field(default_factory=list)
    item_name: tuple[int, str] | None = None  # Kubernetes env: "- name: X" then "value: v"
    script_indent: int = -1  # the key of an open script block (``run: |``): its lines are text, not keys

    def read(self, line: bytes, stripped: bytes, start: int) -> KeyValue | None:
        if self.script_indent >= 0 and len(line) - len(stripped) > self.script_indent:
            return None  # a line of the script (changedetection.io's `API_KEY=$(… grep -o '"api_access_token": …')`)
        self.script_indent = -1
        item = _YAML_ITEM.match(line)
        if item is not None:  # compose list-form environment: "- KEY=value"
            return _list_item(item, self.stack, self.data, start)
        m = _YAML_KEY.match(line)
        return None if m is None else self._keyed(m, start)

    def _keyed(self, m: re.Match[bytes], start: int) -> KeyValue | None:
        indent = len(m.group("indent")) + len(m.group("dash") or b"")
        key = _unquote_key(m.group("key"))
        while self.stack and self.stack[-1][0] >= indent:
            self.stack.pop()
        if m.group("dash"):
            self.item_name = None
        value = m.group("value")
        if value in _BLOCK and key in _SCRIPT_KEYS:
            self.script_indent = indent
            return None
        if not value or value in _BLOCK or value.startswith(b"#"):
            self.stack.append((indent, key))
            return None
        if key == "name":
            self.item_name = (indent, _unquote_key(value))
            return None
        if key == "value" and self.item_name is not None and self.item_name[0] == indent:
            key = self.item_name[1]
        return _kv([k for _, k in self.stack], key, self.data, start + m.start("value"), start + m.end("value"))


def _list_item(item: re.Match[bytes], stack: list[tuple[int, str]], data: bytes, start: int) -> KeyValue | None:
    indent = len(item.group("indent"))
    parents = [k for i, k in stack if i < indent]
    return _kv(
        parents,
        item.group("key").decode("utf-8", "replace"),
        data,
        start + item.start("value"),
        start + item.end("value"),
    )


# --- JSON --------------------------------------------------------------------------------------

_JSON_TOKEN = lazy(rb'"((?:[^"\\\n]|\\.){0,4000})"|([{}\[\]:,])|([^\s{}\[\]:,"]+)')


def _json(data: bytes) -> Iterator[KeyValue]:
    stack: list[str] = []
    key: str | None = None
    last_string: tuple[str, int, int] | None = None
    after_colon = False
    for m in _JSON_TOKEN.finditer(data):
        punct = m.group(2)
        if punct == b":":
            key = last_string[0] if last_string else None
            after_colon = True
            continue
        if punct in (b"{", b"["):
            stack.append(key or "" if after_colon else "")
        elif punct in (b"}", b"]"):
            if stack:
                stack.pop()
        elif m.group(1) is not None:
            text = m.group(1).decode("utf-8", "replace")
            if after_colon and key is not None:
                yield KeyValue(tuple(k for k in stack if k), key, m.start(1), m.end(1), text)
            last_string = (text, m.start(1), m.end(1))
        after_colon = False
        if punct in (b",", b"{", b"[", b"}", b"]"):
            key = None


# --- TOML, INI, .properties --------------------------------------------------------------------

_HEADER = lazy(rb"[ \t]*\[\[?[ \t]*(?P<name>[^\]\n]{1,200}?)[ \t]*\]\]?[ \t]*(?:[#;][^\n]*)?\r?$")
_ASSIGN = lazy(
    rb"[ \t]*(?:export[ \t]+)?(?P<key>[A-Za-z0-9_.\-\"' ]{1,200}?)[ \t]*[=:][ \t]*(?P<value>[^\n]*?)"
    rb"[ \t]*\r?$"
)


def _sections(data: bytes) -> Iterator[KeyValue]:
    return _assignments(data, headers=True)


def _properties(data: bytes) -> Iterator[KeyValue]:
    return _assignments(data, headers=False)


def _assignments(data: bytes, *, headers: bool) -> Iterator[KeyValue]:
    section: list[str] = []
    pos = 0
    for line in data.split(b"\n"):
        start = pos
        pos += len(line) + 1
        stripped = line.lstrip()
        if not stripped or stripped[:1] in (b"#", b";", b"!") or len(line) > MAX_LINE:
            continue
        if headers:
            header = _HEADER.match(line)
            if header is not None:
                section = [_unquote_key(p) for p in header.group("name").split(b".")]
                continue
        m = _ASSIGN.match(line)
        if m is None or not m.group("value"):
            continue
        parts = [_unquote_key(p) for p in m.group("key").split(b".") if p.strip()]
        if not parts:
            continue
        kv = _kv([*section, *parts[:-1]], parts[-1], data, start + m.start("value"), start + m.end("value"))
        if kv is not None:
            yield kv
