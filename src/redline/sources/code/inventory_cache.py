"""The route inventory kept by what it was derived from, so an audit of an unchanged tree reads it instead of
deriving it again.

Deriving it reads every call of every module in the main process, after the workers have finished: on the
Django sdist with the code index cached, 0.2-0.3 s that no second core could share. Its inputs are the code
indexes (each known by the content key it was cached under), the path aliases, the ``web.xml`` descriptors,
the framework config files among the walk's paths (``routing_configs``), the ``[entrypoints]`` settings and
redline's own code (``code_digest``); the key is a digest of all of them, so any change derives it again. An index
without a key (built in a test, not from a file) or an input msgpack cannot carry means no caching. Entries are
msgpack decoded into the declared types, never pickle, like the code index's; a missing or corrupt entry only means
deriving it again. The newest few are kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import msgspec

from redline.core.cache import code_digest, read_entry, write_entry
from redline.core.interrupts import interrupts_deferred
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.model import RouteInventory
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.tspaths import PathAliases
from redline.sources.code.webxml import WebDescriptor

#: bump when the inventory's shape changes (redline's code is in every key already)
INVENTORY_FORMAT = 1
#: inventories kept: one per tree audited lately (a CI machine audits one or two)
KEEP = 8
_PREFIX = "routes-"
_CANONICAL = msgspec.msgpack.Encoder(order="deterministic")  # sets and mappings sorted: the same bytes every run
with interrupts_deferred():  # a Ctrl-C inside msgspec's reading of the types crashes the process, as for the index
    _DECODER = msgspec.msgpack.Decoder(RouteInventory)


def inventory_key(
    indexes: Sequence[CodeIndex],
    settings: EntrypointSettings,
    aliases: PathAliases,
    descriptors: Sequence[WebDescriptor],
    files: Sequence[str],
) -> str | None:
    """The digest of everything the inventory is derived from, or None when it cannot be keyed."""
    keys = sorted((index.path, index.key) for index in indexes)
    if any(not key for _, key in keys):
        return None
    try:
        inputs = _CANONICAL.encode([keys, settings, aliases, sorted(descriptors, key=lambda d: d.path), files])
    except (TypeError, msgspec.EncodeError):  # an input msgpack cannot carry: derived every run, never wrong
        return None
    digest = hashlib.sha256(f"{INVENTORY_FORMAT}\0{code_digest()}\0".encode())
    digest.update(inputs)
    return digest.hexdigest()


def load_inventory(key: str) -> RouteInventory | None:
    data = read_entry(_name(key))
    if data is None:
        return None
    try:
        return _DECODER.decode(data)
    except msgspec.MsgspecError:
        return None


def store_inventory(key: str, inventory: RouteInventory) -> None:
    write_entry(_name(key), _CANONICAL.encode(inventory), prefix=_PREFIX, keep=KEEP)


def _name(key: str) -> str:
    return f"{_PREFIX}{key}.msgpack"
