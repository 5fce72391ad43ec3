"""Verifiers by provider, and the lookup the checks use when ``--verify`` is on."""

from __future__ import annotations

from collections.abc import Mapping

from redline.checks.secrets.verify.github import GitHubVerifier
from redline.checks.secrets.verify.interface import DEFAULT_TIMEOUT, Status, Verdict, Verifier

VERIFIERS: tuple[type[Verifier], ...] = (GitHubVerifier,)

__all__ = ["VERIFIERS", "Status", "Verdict", "Verifier", "make_verifiers"]


def make_verifiers(endpoints: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT) -> list[Verifier]:
    """One verifier per provider; ``endpoints`` maps a verifier key (``github``) to a base URL."""
    endpoints = endpoints or {}
    return [cls(endpoints.get(cls.key, ""), timeout) for cls in VERIFIERS]
