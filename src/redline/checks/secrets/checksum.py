"""Tokens whose own format proves them issued: the checksum GitHub and npm build into their tokens.

GitHub's prefixed tokens (``ghp_``, ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``) and npm's ``npm_`` tokens end in six
base62 characters holding the CRC32 of the 30 random characters before them
(https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/,
https://github.blog/2021-09-23-announcing-npms-new-access-token-format/). A made-up value in a test or a README
almost never carries a valid one (one chance in 2**32), so a token whose checksum validates is an issued token
wherever it sits: a test folder does not make it a sample.
"""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redline.checks.secrets.verify import Status

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUMMED = re.compile(r"(?:gh[pousr]|npm)_(?P<body>[A-Za-z0-9]{30})(?P<check>[A-Za-z0-9]{6})")


def base62(number: int, width: int = 6) -> str:
    """``number`` in base62 (0-9, A-Z, a-z), left-padded with ``0`` to ``width``."""
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(width, "0")


def checksum_valid(secret: str) -> bool:
    """Whether ``secret`` is a GitHub or npm token whose built-in CRC32 checksum matches its body."""
    match = _CHECKSUMMED.fullmatch(secret)
    if match is None:
        return False
    return base62(zlib.crc32(match["body"].encode("ascii"))) == match["check"]


#: why a secret in a test, docs or sample file is kept out of the context step (its evidence says it is real)
CHECKSUM_REASON = "the token's built-in checksum validates: an issued token, not a made-up sample"
LIVE_REASON = "the provider accepted it (--verify): a live credential"


def real_anyway(secret: str, verified: Status | None = None) -> str:
    """Why a secret found in a test, docs or sample path is real all the same, or "" when nothing says so.
    ``verified``: the provider's answer to ``--verify`` (None when not asked)."""
    if verified is not None:
        from redline.checks.secrets.verify import Status  # noqa: PLC0415 - loaded only with --verify

        if verified is Status.LIVE:
            return LIVE_REASON
        if verified is Status.INVALID:
            return ""  # revoked or never issued: the provider's answer outweighs the checksum
    if checksum_valid(secret):
        return CHECKSUM_REASON
    return ""
