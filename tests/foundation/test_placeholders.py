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
    "CLAUDE_API_KEY,GH_AW_CI_ANALYST_TOKEN,GITHUB_TOKEN",  # langfuse's workflow: the secrets' names
    "redispassword",  # readthedocs' docker-compose settings: redis://:redispassword@cache:6379
    "dbsecret",
    "supersecret",  # getsentry/self-hosted's .env: LAUNCHPAD_RPC_SHARED_SECRET=supersecret, a default to override
    "TopSecret",
    "snakeoil",  # wikimedia's charts: "This fake password will be replaced via private puppet"
    "override_me",
    "foobarbaz",
    # read against the peer scanners on real repositories (secrets9)
    "yourCloudflareApiToken",  # techno-tim/launchpad's Cloudflare Secret
    "some-base-64-encoded-password",  # launchpad's pterodactyl Secret
    "/run/secrets/db-password",  # docker/awesome-compose: the file a compose secret is mounted at
    "~/.ssh/id_ed25519",  # khuedoan/homelab: ansible_ssh_private_key_file
    "NextToken",  # botocore's paginators: "input_token": "NextToken", a field's name
    "nextPageToken",
    "oldExpiredSessionToken",
    "Aladdin:open sesame",  # RFC 7617's Basic credentials (botocore's signer tests encode them)
    "random_string",  # milesmcc/shynet's TEMPLATE.env: DJANGO_SECRET_KEY=random_string
    "a-long-random-value",
    "dev-only-pepper-not-for-production-use-32b+",  # sysadminsmedia/homebox's Taskfile.yml
    "NOT_FOR_PROD",
    "secret-key-missing!",  # Mayan EDMS's config.env: DEFAULT_SECRET_KEY, a sentinel its settings check for
    "API_KEY_NOT_SET",
    "unset",
    "wowdonotusethisfakesecuritykeyyouneedarealsecure1",  # django-helpdesk's quicktest.py SECRET_KEY
    "do-not-use-in-production-Kq7vW2xLp9",
    "fake_api_key_123",
    "((development_domains_broker_rds_password))",  # cloud-gov/cg-provision's Concourse pipeline
    "((vault/db.password))",
    "id=github_private_cloud_token,env=GH_TOKEN",  # Flagsmith's Dockerfile: a BuildKit secret's spec
    "id=sse_pgp_pkey,src=./sse_pgp_pkey.key",
    "xox" + "b-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",  # Slack's documented example (Grafana OnCall)
)
#: two runs of three (launchpad's Kubernetes Secrets): too regular to be chosen, for the secrets filters
SEQUENCES = ("123abc", "abc123==", "xyz789")
CHOSEN = (
    "Tr0ub4dor&3-horse",
    "Zr8vK2mQ9xLp4Tq7",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "barrister",
    "bazooka",
    "/Kq9vW+2xLp7Rz",  # starts with "/" but is no path
    "/Zq8/Kd3+vW2xLp7Rz==",  # base64 with slashes: its first segment is no directory name
    "Admin_123",  # one run of three in nine
    "AKIAQ7VW2XLP9ZR8KT4N,SECRET",  # a value first: no list of names
    "redispassword7",  # a word and a digit after it: chosen, however weak
    "Kq7vWpassword",  # mixed case before the word
    "yourself4Kx7Qm",
    "Zr8vKmQ2Token",  # digits: no field's name
    "random_Kq7vW2xLp9",  # a word, then a chosen value
    "randomize",  # one word that only starts like one
    "notforproduct7Kq2vW",  # the words run together with a chosen value: no statement about the value
    "not-for-products-Kq7vW2xLp9",
    "missing-Kq7vW2xLp9",  # the word first, then a chosen value
    "Kq7vW2xLp9-missing",  # a chosen value, then the word: no words only
    "fakeroot7Kq2vW9xLp",  # "fake" not before what the value is
    "((Kq7vW2xLp9)) and more",  # brackets inside a value: not one reference
    "id=Kq7vW2xLp9Zr8",  # a value that starts like a spec but names no source
    "xox" + "b-17653672481-19874698323-Qm7vW2xLp9Zr8Kt4Nc6Yb1Hd",  # the same shape, a chosen secret part
)


@pytest.mark.parametrize("value", STAND_INS)
def test_stand_ins_are_placeholders_for_every_family(value: str) -> None:
    assert looks_like_placeholder(value)
    assert is_placeholder(value.strip("'"))


@pytest.mark.parametrize("value", CHOSEN)
def test_chosen_values_are_not(value: str) -> None:
    assert not looks_like_placeholder(value) and not is_placeholder(value)


@pytest.mark.parametrize("value", SEQUENCES)
def test_runs_of_three_are_stand_ins(value: str) -> None:
    assert is_placeholder(value)
