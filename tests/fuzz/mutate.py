"""Mutations of real samples: what a messy tree, a bad merge or a hostile file does to a format.

Every mutation is a pure function of the input bytes and a ``random.Random``, so a failing input is
reproduced from its seed and the corpus stores the bytes themselves.
"""

from __future__ import annotations

import json
import random
import tomllib
from collections.abc import Callable
from typing import Any

import yaml

Mutation = Callable[[bytes, random.Random], bytes]

#: the largest input a mutation builds; big enough to hit limits, small enough for a 2-core run
MAX_BYTES = 4 * 1024 * 1024


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(len(data) + 1)] if data else data


def flip_bytes(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return bytes([rnd.randrange(256)])
    out = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        out[rnd.randrange(len(out))] = rnd.randrange(256)
    return bytes(out)


_TOKENS = (
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b'"',
    b"'",
    b"\n",
    b"  ",
    b"- ",
    b"=",
    b"#",
    b"\\",
    b"${",
    b"<<<<<<< HEAD\n",
    b"=======\n",
    b">>>>>>> branch\n",
    b"\x00",
    b"\xff\xfe",
    b"\xe9",
    b"&a ",
    b"*a",
    b"!!python/object:os.system",
    b"\t",
    b"\r\n",
    b"null",
    b"true",
    b"-1",
    b"1e999",
    b"NaN",
    b"\xef\xbb\xbf",
)


def splice_token(data: bytes, rnd: random.Random) -> bytes:
    pos = rnd.randrange(len(data) + 1)
    return data[:pos] + rnd.choice(_TOKENS) * rnd.randint(1, 3) + data[pos:]


def conflict_markers(data: bytes, rnd: random.Random) -> bytes:
    """A git merge left in the file, the way a bad rebase commits it."""
    lines = data.splitlines(keepends=True) or [b""]
    a, b = sorted(rnd.randrange(len(lines) + 1) for _ in range(2))
    ours, theirs = b"".join(lines[a:b]), b"".join(reversed(lines[a:b]))
    merged = b"<<<<<<< HEAD\n" + ours + b"=======\n" + theirs + b">>>>>>> main\n"
    return b"".join(lines[:a]) + merged + b"".join(lines[b:])


def deep_nesting(data: bytes, rnd: random.Random) -> bytes:
    depth = rnd.choice((100, 1_000, 10_000, 100_000))
    opener, closer = rnd.choice(
        (
            (b"[", b"]"),
            (b'{"a":', b"}"),
            (b"{a=", b"}"),
            (b"- ", b""),
            (b"(", b")"),
            (b"a = [", b"]"),
            (b"<a>", b"</a>"),
        )
    )
    pos = rnd.randrange(len(data) + 1)
    return data[:pos] + opener * depth + b"1" + closer * depth + data[pos:]


def huge_value(data: bytes, rnd: random.Random) -> bytes:
    pos = rnd.randrange(len(data) + 1)
    size = rnd.choice((10_000, 200_000, 2_000_000))
    filler = rnd.choice((b"a", b"9", b" ", b'"', b"\n", b"x=", b"\xc3\xa9"))
    return data[:pos] + filler * (size // len(filler)) + data[pos:]


def repeat_chunk(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return data
    a = rnd.randrange(len(data))
    b = min(len(data), a + rnd.randint(1, 256))
    times = min(rnd.choice((2, 10, 1000)), MAX_BYTES // max(1, b - a))
    return data[:b] + data[a:b] * times + data[b:]


def wrong_encoding(data: bytes, rnd: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    enc = rnd.choice(("utf-16", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig"))
    return text.encode(enc, "replace")


_WRONG: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**70,
    1.5,
    float("inf"),
    "",
    "x" * 300,
    [],
    [None],
    {},
    {"": {}},
    ["a", 1],
    {"a": [1, {"b": None}]},
)


def _wrong_types(doc: Any, rnd: random.Random) -> Any:
    """Replace one node anywhere in the tree by a value of another type."""
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if len(nodes) > 5000:
            return
        if isinstance(node, dict):
            for key in list(node):
                nodes.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for i in range(len(node)):
                nodes.append((node, i))
                walk(node[i])

    walk(doc)
    if not nodes:
        return rnd.choice(_WRONG)
    for _ in range(rnd.randint(1, 3)):
        parent, key = rnd.choice(nodes)
        parent[key] = rnd.choice(_WRONG)
    return doc


def wrong_types(data: bytes, rnd: random.Random) -> bytes:
    """Parse the sample as JSON, TOML or YAML and put a value of the wrong type at a random key."""
    text = data.decode("utf-8", "replace")
    try:
        return json.dumps(_wrong_types(json.loads(text), rnd), allow_nan=True).encode()
    except (ValueError, RecursionError, TypeError):
        pass
    try:
        return _toml_dumps(_wrong_types(tomllib.loads(text), rnd)).encode()
    except (ValueError, RecursionError, TypeError):
        pass
    try:
        docs = list(yaml.safe_load_all(text))
    except (yaml.YAMLError, RecursionError, ValueError):
        return flip_bytes(data, rnd)
    return yaml.safe_dump_all([_wrong_types(d, rnd) for d in docs]).encode()


def _toml_dumps(doc: Any) -> str:
    """A tiny TOML writer: every table inline, enough for type-confusion inputs."""
    if not isinstance(doc, dict):
        raise TypeError("top level must be a table")
    return "".join(f"{json.dumps(str(k))} = {_toml_value(v)}\n" for k, v in doc.items())


def _toml_value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "inf" if value == float("inf") else repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "flip": flip_bytes,
    "splice": splice_token,
    "conflict": conflict_markers,
    "nest": deep_nesting,
    "huge": huge_value,
    "repeat": repeat_chunk,
    "encoding": wrong_encoding,
    "types": wrong_types,
}


def mutate(
    data: bytes, rnd: random.Random, rounds: int | None = None, max_bytes: int = MAX_BYTES
) -> tuple[bytes, tuple[str, ...]]:
    """One to three mutations in a row; returns the input and the names of what was done. ``make test``
    passes a smaller ``max_bytes`` so its short run stays well inside the time limit on a busy machine."""
    done: list[str] = []
    for _ in range(rounds or rnd.randint(1, 3)):
        name = rnd.choice(tuple(MUTATIONS))
        data = MUTATIONS[name](data, rnd)[:max_bytes]
        done.append(name)
    return data, tuple(done)
