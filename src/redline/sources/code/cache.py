"""The code index cache: one msgpack entry per file content (and redline version) under the user cache
directory, so an unchanged file is never parsed twice, across runs and across checkouts. msgpack decoded
into the declared types by msgspec, never pickle: a cache directory is writable by whoever can write the
home directory, and loading it must not run code. A missing, corrupt or unwritable entry only means
parsing again. The same encoding carries an index from a worker process to the main one: a worker hands out
an entry undecoded (``EncodedIndex``) and decodes it only for a check that reads the module."""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

import msgspec

from redline import __version__
from redline.core.atomic import write_atomic
from redline.core.cache import cache_dir
from redline.core.facts import Deferred
from redline.core.interrupts import interrupts_deferred
from redline.sources.code.model import CodeIndex

#: bump when the index's shape or meaning changes; part of every key with the redline version
INDEX_FORMAT = 71


def index_key(language: str, path: str, data: bytes) -> str:
    """Content, language and path (the index records the path) under this redline version."""
    digest = hashlib.sha256()
    for part in (__version__, str(INDEX_FORMAT), language, path):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


def _entry(key: str) -> str:
    return os.path.join(cache_dir(), "code-index", f"v{__version__}-{INDEX_FORMAT}", key[:2], key + ".msgpack")


class _Head(msgspec.Struct):
    """The fields of an entry a worker reads before deciding whether to decode the rest: reading them walks the
    whole buffer (a truncated or garbled entry fails here) at a sixteenth of the cost of decoding it."""

    path: str
    language: str
    parser: str = "ast"


_ENCODER = msgspec.msgpack.Encoder()
with interrupts_deferred():  # a Ctrl-C inside msgspec's reading of the index's types crashed the process (SIGSEGV)
    _DECODER = msgspec.msgpack.Decoder(CodeIndex)
    _HEAD_DECODER = msgspec.msgpack.Decoder(_Head)


@dataclass(frozen=True)
class EncodedIndex(Deferred):
    """A cache entry a worker read and sends on as it is (``core.facts.Deferred``)."""

    STANDS_FOR: ClassVar[type] = CodeIndex

    path: str
    language: str
    key: str
    data: bytes

    def decoded(self) -> CodeIndex:
        try:
            return decode_index(self.data)
        except msgspec.MsgspecError as exc:  # a field of another shape: the entry is dropped, parsed next run
            with contextlib.suppress(OSError):
                os.remove(_entry(self.key))
            raise ValueError(f"code index: the cached index is unreadable ({exc}); not indexed this run") from None


def encode_index(index: CodeIndex) -> bytes:
    return _ENCODER.encode(index)


def decode_index(data: bytes) -> CodeIndex:
    """The index a buffer holds; msgspec checks every field's type, so an entry of another shape raises
    ``msgspec.ValidationError`` instead of becoming a half-filled index."""
    return _DECODER.decode(data)


def load(key: str) -> CodeIndex | None:
    """The index kept for ``key`` (stored with ``parser="cache"``)."""
    try:
        with open(_entry(key), "rb") as fh:
            index = decode_index(fh.read())
    except (OSError, msgspec.MsgspecError):
        return None
    if index.parser != "cache":  # an entry not written by ``store``: read, not trusted to be sent as it is
        return replace(index, parser="cache")
    return index


def load_encoded(key: str) -> EncodedIndex | None:
    """The entry kept for ``key``, undecoded: what a worker sends on as it was read, never encoding it again.
    ``None`` when there is none, its framing is broken, or it was not written by ``store``."""
    try:
        with open(_entry(key), "rb") as fh:
            data = fh.read()
        head = _HEAD_DECODER.decode(data)
    except (OSError, msgspec.MsgspecError):
        return None
    return EncodedIndex(head.path, head.language, key, data) if head.parser == "cache" else None


class UnencodableIndex(ValueError):
    """An index holding a value msgpack cannot carry: the builders bound literals, so this is a bug in one
    of them, reported for that file alone (a worker could not send it back either)."""


def store(key: str, index: CodeIndex) -> None:
    try:
        data = encode_index(replace(index, parser="cache"))  # as ``load`` hands it out: decoded, nothing to change
    except (OverflowError, UnicodeEncodeError, msgspec.MsgspecError) as exc:  # a lone surrogate from bad bytes
        raise UnencodableIndex(f"{type(exc).__name__}: {exc}") from None
    with contextlib.suppress(OSError):
        write_atomic(Path(_entry(key)), data)
