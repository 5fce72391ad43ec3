"""Live validity checks (``--verify``): does a found credential still work?

Off by default and only run when the user passes ``--verify``: a check sends
the credential to its provider. Each provider is one module; every request
has a strict timeout, goes only to the provider's documented endpoint (or a
base URL the user configured), and its answer is reduced to a verdict. The
secret is never logged, and response bodies are not stored.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass

DEFAULT_TIMEOUT = 5.0


class Status(enum.Enum):
    LIVE = "live"  # the provider accepted the credential
    INVALID = "invalid"  # the provider rejected it: revoked, expired or never valid
    UNKNOWN = "unknown"  # could not tell (network error, rate limit, odd answer)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    detail: str = ""  # safe to show: an account name, an HTTP status, an error class

    @property
    def note(self) -> str:
        """What the finding shows: ``verified live (account octo-bot)``."""
        return f"verified {self.status.value}" + (f" ({self.detail})" if self.detail else "")


class Verifier(ABC):
    #: the provider name as written in the rule files (``provider = "GitHub"``)
    provider: str = ""
    #: the key users set with ``--verify-endpoint NAME=URL``
    key: str = ""

    def __init__(self, base_url: str = "", timeout: float = DEFAULT_TIMEOUT) -> None:
        self.base_url = (base_url or self.default_base_url()).rstrip("/")
        self.timeout = timeout

    @abstractmethod
    def default_base_url(self) -> str:
        """The provider's public API."""

    @abstractmethod
    def applies(self, rule_id: str, secret: str) -> bool:
        """Whether this verifier knows the credential type."""

    @abstractmethod
    def verify(self, secret: str) -> Verdict:
        """Ask the provider; never raise for a network problem, return ``UNKNOWN``."""
