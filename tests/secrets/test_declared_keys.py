"""Keys that are no leak for a reason written down elsewhere: the account key Azurite publishes, the key pair a CI
job starts its own minio container with, and the allow-lists another secret scanner keeps (all three in pulpcore's
CI). Each beside the look-alike that is still reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.interface import CheckContext
from redline.checks.secrets.scan import scan_blob
from redline.checks.secrets.settings import build_settings
from redline.checks.secrets.tree import SecretsFileCheck
from redline.core.config import Config
from redline.core.workspace import Workspace, read_file

_CHECK = SecretsFileCheck()
# Azurite's devstoreaccount1 key, published by Microsoft; split so no scanner reads it here
AZURITE = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2U" + "VErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# the same shape, not the published key
OTHER_KEY = "g1/sgt9pHvyKPIHhMHU+FHJl7s0JEyY4mPpIolrx3TtV43k" + "f1MiEcN/ykCBkyvMPeoIHJyie7NQiWR8NmmcxtQ=="
# a made-up AWS-shaped pair (the key ID's 16 characters from A-Z2-7), split likewise
KEY_ID = "AKIA" + "Q3ZLM7RTX2PVB6NW"
SECRET = "k9TqVx2mPz7L" + "wR4nYc8BfJ1hS6dGaE3uKoQ0Zx7P"


def scanned(path: str, text: str) -> list[tuple[str, int, str]]:
    """(rule code, line, context) of what the built-in scan reports."""
    settings = build_settings(Config(jobs=1), Path("."))
    return sorted((f.rule.code, f.line, f.context) for f in scan_blob(settings, _CHECK.core_rules, path, text.encode()))


def test_the_azurite_account_key_is_published_and_another_key_is_not() -> None:
    text = "STORAGE=DefaultEndpointsProtocol=http;AccountName={};AccountKey={};\n"
    for account in ("devstoreaccount1", "invoices"):  # the emulator's account, or any other
        assert scanned("deploy/storage.sh", text.format(account, AZURITE)) == []
        assert scanned("deploy/.env", text.format(account, AZURITE)) == []
    assert scanned("deploy/storage.sh", text.format("invoices", OTHER_KEY)) == [("SEC110", 1, "")]
    assert scanned("deploy/.env", text.format("invoices", OTHER_KEY)) == [("SEC110", 1, "")]


MINIO_CI = f"""if [ "$TEST" = "s3" ]; then
  MINIO_ACCESS_KEY={KEY_ID}
  MINIO_SECRET_KEY={SECRET}
  docker run -d --name minio -e MINIO_ACCESS_KEY -e MINIO_SECRET_KEY minio/minio server /data
  echo '{{"access_key": "{KEY_ID}", "secret_key": "{SECRET}", "endpoint_url": "http://minio:9000"}}' > settings.json
fi
"""
CI_SERVICE = "credential of a data store the CI job runs itself (a service container thrown away with the job)"


@pytest.mark.parametrize("path", [".github/workflows/scripts/before_install.sh", "ci/install.sh"])
def test_a_minio_key_pair_a_ci_job_starts_its_container_with_is_the_jobs_own(path: str) -> None:
    """pulpcore's CI script names an AWS-shaped pair MINIO_ACCESS_KEY/MINIO_SECRET_KEY for the minio/minio
    container it starts, then hands the same pair to the S3 settings pointed at it: the job's own store, every
    line of it."""
    assert scanned(path, MINIO_CI) == [
        ("SEC100", 2, CI_SERVICE),
        ("SEC100", 5, CI_SERVICE),
        ("SEC101", 3, CI_SERVICE),
        ("SEC101", 5, CI_SERVICE),
    ]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # outside CI the same lines configure a minio that stays: a credential
        ("deploy/minio.sh", MINIO_CI),
        # in CI, under AWS's own names: an AWS key
        (".github/workflows/scripts/deploy.sh", f"AWS_ACCESS_KEY_ID={KEY_ID}\nAWS_SECRET_ACCESS_KEY={SECRET}\n"),
    ],
)
def test_the_same_pair_outside_ci_or_under_aws_names_is_reported(path: str, text: str) -> None:
    expected = (
        [("SEC100", 2), ("SEC100", 5), ("SEC101", 3), ("SEC101", 5)]
        if "MINIO" in text
        else [
            ("SEC100", 1),
            ("SEC101", 2),
        ]
    )
    assert scanned(path, text) == [(code, line, "") for code, line in expected]


GITLEAKS = f"""[allowlist]
  description = "Allow specific test-keys."
  regexes = ['''{KEY_ID}''', '''{SECRET}''']
"""


@pytest.mark.parametrize("path", [".gitleaks.toml", "config/gitleaks.toml", ".secrets.baseline"])
def test_a_secret_scanners_allow_list_declares_its_values(path: str) -> None:
    assert scanned(path, GITLEAKS) == []


def test_the_same_values_in_another_toml_file_are_reported() -> None:
    assert scanned("config/storage.toml", GITLEAKS) == [("SEC100", 3, "")]


def test_generic_keyword_hits_in_installed_packages_are_noise_and_provider_keys_are_not(tmp_path: Path) -> None:
    """bazarr's libs/ (``pip install --target``, a ``*.dist-info`` per package): a library's docstring example
    (``password = "…"``) reads as noise, as in a ``vendor/`` folder; a provider-format key is reported wherever it is.
    The same keyword hit in the project's own code is reported."""
    for name in ("requests-2.32.3", "idna-3.10", "certifi-2024.8.30"):
        (tmp_path / "libs" / f"{name}.dist-info").mkdir(parents=True)
    (tmp_path / "libs" / "acme").mkdir()
    (tmp_path / "app").mkdir()
    text = 'password = "Kq7vN2xWp9Lm4Rt8"\n' + f"AWS_ACCESS_KEY_ID = '{KEY_ID}'\n"
    for folder in ("libs/acme", "app"):
        (tmp_path / folder / "client.py").write_text(text)
    found = sorted(
        (f.location.path, f.location.start_line, f.rule)
        for file in Workspace(tmp_path, max_file_size=1 << 20).walk().files
        for f in _CHECK.check_file(
            read_file(file), CheckContext(tmp_path, Config(jobs=1), frozenset({"SEC435", "SEC100"}))
        )
    )
    assert found == [
        ("app/client.py", 1, "SEC435"),
        ("app/client.py", 2, "SEC100"),
        ("libs/acme/client.py", 2, "SEC100"),
    ]
