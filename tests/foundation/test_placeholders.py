"""One placeholder list for every family that judges secret values (core.placeholders): the secrets scanner,
Kubernetes env literals (KUB112) and Lambda environment variables (TF140) agree on what a stand-in is."""

from __future__ import annotations

import pytest

from redline.checks.secrets.filters import is_placeholder
from redline.core.placeholders import looks_like_placeholder

#: stand-ins the three old lists disagreed on (containers had no `example-token`, Terraform no `_VAL`, `<…>`
#: descriptions or `your-…`, secrets no quoted forms)
STAND_INS = (
    "changeit",
    "GOOGLE_API_KEY_VAL",
    "<password for the e2e user>",
    "your-api-key",
    "${DB_PASSWORD}",
    "example-token-123",
    "'changeme'",
    "[REDACTED]",
    "astronomy_password",
    "supersecret",  # getsentry/self-hosted's .env: LAUNCHPAD_RPC_SHARED_SECRET=supersecret, a default to override
    "TopSecret",
    "snakeoil",  # wikimedia's charts: "This fake password will be replaced via private puppet"
    "override_me",
    "foobarbaz",
)
CHOSEN = ("Tr0ub4dor&3-horse", "Zr8vK2mQ9xLp4Tq7", "9f8e7d6c5b4a39281706f5e4d3c2b1a0", "barrister", "bazooka")


@pytest.mark.parametrize("value", STAND_INS)
def test_stand_ins_are_placeholders_for_every_family(value: str) -> None:
    assert looks_like_placeholder(value)
    assert is_placeholder(value.strip("'"))


@pytest.mark.parametrize("value", CHOSEN)
def test_chosen_values_are_not(value: str) -> None:
    assert not looks_like_placeholder(value) and not is_placeholder(value)
