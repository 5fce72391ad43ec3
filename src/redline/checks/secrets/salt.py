"""The key of the secret hashes: random per project, created on first use, never written to a report.

A secret's hash is an HMAC keyed by this salt. With the former public default salt, the 2-4 character
prefix and the hash in ``findings.json`` let a small dictionary recover ``Summer2024!``; a key the reader
of the report does not have makes the hash useless for guessing and still stable from run to run, so
baselines and allowlists keep matching.

Where it comes from, first match wins:
1. ``[secrets] salt`` in the configuration (a team that shares baselines across machines sets it, or
2. ``$REDLINE_SECRET_SALT`` (CI: a secret variable),
3. a file ``<config dir>/salts/<hash of the project root>`` created with 256 random bits and mode 0600
   on first use; the config dir is ``$REDLINE_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/redline``, else
   ``~/.config/redline``. Outside the audited tree and outside every output folder.
When that file cannot be written (read-only home), the run uses a random salt for this run only and
says so: fingerprints of secrets then differ between runs, but nothing guessable is ever written.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("redline")

ENV_SALT = "REDLINE_SECRET_SALT"
_MEMO: dict[str, str] = {}  # per process, filled before the workers fork so they share the salt


def config_dir() -> Path:
    explicit = os.environ.get("REDLINE_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base, "redline")


def salt_file(root: Path) -> Path:
    key = hashlib.sha256(os.fsencode(str(root.resolve()))).hexdigest()[:32]
    return config_dir() / "salts" / key


def project_salt(root: Path) -> str:
    """The salt for the project at ``root`` (see the module doc for the order)."""
    env = os.environ.get(ENV_SALT)
    if env:
        return env
    key = str(root.resolve())
    if key not in _MEMO:
        _MEMO[key] = _load_or_create(salt_file(root))
    return _MEMO[key]


def _load_or_create(path: Path) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        stored = path.read_text(encoding="ascii").strip()
        if len(stored) >= 32:
            return stored
    fresh = secrets.token_hex(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run created it a moment ago: use theirs
        return _load_or_create(path)
    except OSError as exc:
        log.warning(
            "cannot store the secret-hash salt in %s (%s): using a random salt for this run only, so "
            "secret fingerprints will differ next run; set [secrets] salt or %s to keep them stable",
            path,
            exc.strerror or exc,
            ENV_SALT,
        )
        return fresh
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(fresh + "\n")
    return fresh
