"""Verifiers by provider, and the lookup the checks use when ``--verify`` is on.

The verifiers (and the HTTP client they use) are imported only when ``--verify`` asks for them.
"""

from __future__ import annotations

from collections.abc import Mapping

from redline.checks.secrets.verify.interface import DEFAULT_TIMEOUT, Status, Verdict, Verifier

__all__ = ["DEFAULT_TIMEOUT", "Status", "Verdict", "Verifier", "make_verifiers", "verifier_classes"]


def verifier_classes() -> tuple[type[Verifier], ...]:
    from redline.checks.secrets.verify.github import GitHubVerifier  # noqa: PLC0415 - urllib only with --verify

    return (GitHubVerifier,)


def make_verifiers(endpoints: Mapping[str, str] | None = None, timeout: float = DEFAULT_TIMEOUT) -> list[Verifier]:
    """One verifier per provider; ``endpoints`` maps a verifier key (``github``) to a base URL."""
    endpoints = endpoints or {}
    return [cls(endpoints.get(cls.key, ""), timeout) for cls in verifier_classes()]
