"""Keys that are no leak for a reason written down elsewhere: the account key Azurite publishes, the key pair a CI
job starts its own minio container with, and the allow-lists another secret scanner keeps (all three in pulpcore's
CI). Each beside the look-alike that is still reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import cli_audit, cli_findings
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


# the pulp plugin template's CI settings: the S3 storage the tests use, with the pair the CI's minio is started with
TEMPLATE_CONFIG = f"""pulp_settings_s3:
  STORAGES:
    default:
      OPTIONS:
        access_key: "{KEY_ID}"
        endpoint_url: "http://minio:9000"
        secret_key: "{SECRET}"
"""
# another pair of the same shape: not the CI's
OTHER_ID, OTHER_SECRET = "AKIA" + "L5N2B7QW4MZX3KJD", "Zp3LqW8xNv2T" + "yB6mRc1HgK9sJf4EaD7uPoX0Qz5V"


def test_the_ci_services_pair_is_the_ci_services_wherever_else_the_tree_holds_it(tmp_path: Path) -> None:
    """pulpcore's template_config.yml names the pair its CI script starts minio with: low and in the CI item, as
    in the script, where it was high and critical. A pair of the same shape in the same kind of file, and the
    same pair once the CI occurrence is suppressed, stay."""
    root, out = tmp_path / "tree", tmp_path / "out"
    (root / ".github/workflows/scripts").mkdir(parents=True)
    (root / ".github/workflows/scripts/before_install.sh").write_text(MINIO_CI)
    (root / "template_config.yml").write_text(TEMPLATE_CONFIG)
    (root / "deploy").mkdir()
    (root / "deploy/storage.yml").write_text(TEMPLATE_CONFIG.replace(KEY_ID, OTHER_ID).replace(SECRET, OTHER_SECRET))
    cli_audit(root, out, "--select", "SEC100,SEC101", "--exit-zero")

    def outside_ci() -> list[tuple[str, str, int, str, str]]:
        return sorted(
            (f["rule"], f["location"]["path"], f["location"]["start_line"], f["severity"], f["group"].split(":")[1])
            for f in cli_findings(out)
            if not f["location"]["path"].startswith(".github/")
        )

    assert outside_ci() == [
        ("SEC100", "deploy/storage.yml", 5, "high", "code"),
        ("SEC101", "deploy/storage.yml", 7, "critical", "code"),
    ]
    # one value, one item: the CI script's finding lists the template's place, lowered alike
    places = sorted(
        (f["rule"], place["path"], place["start_line"], place["severity"], place["evidence"]["context"])
        for f in cli_findings(out)
        if f["location"]["path"].startswith(".github/")
        for place in f["related_locations"]
        if place["path"] == "template_config.yml"
    )
    assert places == [
        ("SEC100", "template_config.yml", 5, "low", CI_SERVICE),
        ("SEC101", "template_config.yml", 7, "low", CI_SERVICE),
    ]
    lowered = next(
        place for f in cli_findings(out) for place in f["related_locations"] if place["path"] == "template_config.yml"
    )
    assert lowered["message"].endswith(
        "(the value of a CI job's own data store in .github/workflows/scripts/before_install.sh)"
    )
    reviewed = "".join(
        f"{line}  # redline: ignore[SEC100,SEC101] reviewed\n" if KEY_ID in line or SECRET in line else f"{line}\n"
        for line in MINIO_CI.splitlines()
    )
    (root / ".github/workflows/scripts/before_install.sh").write_text(reviewed)
    cli_audit(root, out, "--select", "SEC100,SEC101", "--exit-zero")
    assert [row[1:4] for row in outside_ci()] == [
        ("deploy/storage.yml", 5, "high"),
        ("template_config.yml", 5, "high"),
        ("deploy/storage.yml", 7, "critical"),
        ("template_config.yml", 7, "critical"),
    ]


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
