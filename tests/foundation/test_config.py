"""Configuration is validated on load; mistakes name the file and the key, and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import cli_audit as audit
from audit_helpers import cli_findings as findings
from redline.core.config import Config, ConfigError, SectionSpec, load_config, parse_size
from redline.core.model import Area, Severity

from .helpers import HTTP_CALL, write


def test_full_config_loads(tmp_path: Path) -> None:
    cfg = write(
        tmp_path,
        "redline.toml",
        """
select = ["RES"]
ignore = ["RES105"]
areas = ["resilience", "security"]
exclude = ["vendor/**"]
max_file_size = "2MiB"
fail_on = "medium"
formats = ["json", "sarif"]
jobs = 1
[severity]
RES101 = "high"
""",
    )
    config = load_config(cfg)
    assert config.select == ("RES",) and config.ignore == ("RES105",)
    assert config.areas == (Area.RESILIENCE, Area.SECURITY)
    assert config.max_file_size == 2 * 1024 * 1024
    assert config.fail_on is Severity.MEDIUM
    assert config.severity_overrides == {"RES101": Severity.HIGH}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour = 'red'\n", "key 'colour' is unknown"),
        ("select = 'RES'\n", "key 'select' must be a list of strings"),
        ("fail_on = 'severe'\n", "unknown severity 'severe'"),
        ("max_file_size = 'lots'\n", "key 'max_file_size'"),
        ("areas = ['speed']\n", "key 'areas' has an unknown area"),
        ("formats = ['pdf']\n", "unknown formats ['pdf']"),
        ("[severity]\nRES101 = 3\n", "key 'severity.RES101' must be a string severity"),
        ("select = [\n", "invalid TOML"),
        ("jobs = -1\n", "key 'jobs' must be a non-negative integer"),
    ],
)
def test_invalid_config_names_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    cfg = write(tmp_path, "redline.toml", body)
    with pytest.raises(ConfigError) as err:
        load_config(cfg)
    assert str(cfg) in str(err.value)
    assert message in str(err.value)


def test_analyzer_sections_are_validated(tmp_path: Path) -> None:
    spec = SectionSpec("drift", {"ignore": list}, parse=lambda raw, where: tuple(raw.get("ignore", [])))
    ok = write(tmp_path, "ok.toml", "[drift]\nignore = ['a.*']\n")
    assert load_config(ok, [spec]).settings(spec) == ("a.*",)
    assert load_config(None, [spec]).settings(spec) == () == Config().settings(spec)  # the defaults
    bad = write(tmp_path, "bad.toml", "[drift]\nignore = 'a.*'\n")
    with pytest.raises(ConfigError, match=r"key 'drift.ignore' must be list"):
        load_config(bad, [spec])
    unknown = write(tmp_path, "unknown.toml", "[drift]\nskip = []\n")
    with pytest.raises(ConfigError, match=r"key 'drift.skip' is unknown"):
        load_config(unknown, [spec])


def test_pyproject_tool_table_is_read(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "pyproject.toml", "[project]\nname = 'x'\n[tool.redline]\nfail_on = 'medium'\n")
    write(src, "client.py", HTTP_CALL)
    assert audit(src, tmp_path / "out") == 1


def test_pyproject_unknown_key_names_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    write(src, "pyproject.toml", "[tool.redline]\nfail = 'medium'\n")
    assert audit(src, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "pyproject.toml" in err and "'tool.redline.fail' is unknown" in err


def test_malformed_config_exits_two_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    write(src, "redline.toml", "fail_on = [\n")
    write(src, "client.py", HTTP_CALL)
    out = tmp_path / "out"
    assert audit(src, out) == 2
    assert "redline.toml: invalid TOML" in capsys.readouterr().err
    assert not out.exists()


def test_severity_override_applies(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "redline.toml", "[severity]\nRES101 = 'critical'\n")
    write(src, "client.py", HTTP_CALL)
    assert audit(src, tmp_path / "out") == 1
    assert [f["severity"] for f in findings(tmp_path / "out")] == ["critical"]


@pytest.mark.parametrize(("text", "size"), [("5MB", 5_000_000), ("5MiB", 5 * 1024**2), (1024, 1024), ("10k", 10_000)])
def test_parse_size(text: object, size: int) -> None:
    assert parse_size(text, "x") == size


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[supply_chain]\nepss_threshold = 2\n", "key 'supply_chain.epss_threshold' must be within 0..1, got 2.0"),
        ("[supply_chain]\nmax_db_age_days = -1\n", "key 'supply_chain.max_db_age_days' must not be negative"),
        ("[supply_chain]\nlicense_deny = [1]\n", "key 'supply_chain.license_deny' must be a list of strings"),
        ('[secrets]\nsalt = ""\n', "key 'secrets.salt' must be a non-empty string"),
        (
            "[terraform]\nvar_files = ['../x.tfvars']\n",
            "[terraform] var_files: '../x.tfvars' is outside the audited root",
        ),
        ("[drift]\nignore = [3]\n", "key 'drift.ignore' must be a list of strings"),
    ],
)
def test_analyzer_values_are_checked_at_load(tmp_path: Path, body: str, message: str) -> None:
    """A bad value fails the load, naming the file and the key, before anything runs."""
    from redline.pipeline.catalogue import load_catalogue

    cfg = write(tmp_path, "redline.toml", body)
    with pytest.raises(ConfigError) as err:
        load_config(cfg, load_catalogue(with_plugins=False).sections)
    assert str(err.value).startswith(str(cfg)) and message in str(err.value)


def test_settings_are_typed_and_overridden_by_replace(tmp_path: Path) -> None:
    from dataclasses import replace

    from redline.pipeline.catalogue import load_catalogue
    from redline.sources.advisories.settings import SECTION, SupplyChainSettings

    cfg = write(tmp_path, "redline.toml", "[supply_chain]\nepss_threshold = 0.5\nlicense_deny = ['GPL-*']\n")
    config = load_config(cfg, load_catalogue(with_plugins=False).sections)
    assert config.settings(SECTION) == SupplyChainSettings(epss_threshold=0.5, license_deny=("GPL-*",))
    changed = config.with_settings(SECTION, replace(config.settings(SECTION), fail_on_kev=True))
    assert changed.settings(SECTION).fail_on_kev and not config.settings(SECTION).fail_on_kev
