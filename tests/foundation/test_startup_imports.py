"""Start-up does only what the command needs: the CLI imports and registers the command it runs, and the
secret checks compile their regular expressions when a file needs them (timings live in bench/)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from redline.cli.main import COMMANDS, main


def _loaded_after(code: str, prefix: str = "redline") -> list[str]:
    """The modules under ``prefix`` a fresh interpreter has loaded after running ``code``."""
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(m for m in sys.modules if m.startswith({prefix!r}))))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return out.split()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_registers_under_its_own_name(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"]) == 0
    assert capsys.readouterr().out.startswith(f"usage: redline {name} ")


def test_help_and_bad_usage_still_list_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    listing = "{" + ",".join(COMMANDS) + "}"
    assert main(["--help"]) == 0
    assert listing in capsys.readouterr().out.replace("\n", "").replace(" ", "")
    assert main(["no-such-command"]) == 2
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err


def test_version_imports_no_command_and_secrets_only_its_own() -> None:
    version = _loaded_after("from redline.cli.main import main\nmain(['--version'])")
    assert [m for m in version if m.startswith("redline.cli.commands.")] == []
    secrets = _loaded_after("from redline.cli.main import main\nmain(['secrets', '--help'])")
    assert [m for m in secrets if m.startswith("redline.cli.commands.")] == ["redline.cli.commands.secrets"]


def test_importing_the_secret_checks_compiles_none_of_their_patterns() -> None:
    code = (
        "import gc\nimport redline.checks.secrets\nfrom redline.core.lazy_regex import LazyPattern\n"
        "lazy = [o for o in gc.get_objects() if isinstance(o, LazyPattern)]\n"
        "print('LAZY', len(lazy) > 40, sum(o._compiled is not None for o in lazy))"
    )
    script = [sys.executable, "-c", code]
    out = subprocess.run(script, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["LAZY", "True", "0"]


def test_version_and_rules_explain_leave_out_what_only_a_run_needs() -> None:
    version = _loaded_after("from redline.cli.main import main\nmain(['--version'])", prefix="tempfile")
    assert "tempfile" not in version  # only the --out write probe needs it (stdout also holds the version)
    explain = _loaded_after("from redline.cli.main import main\nmain(['rules', 'explain', 'RES101'])")
    assert [m for m in explain if m.startswith(("redline.core.map_model", "redline.synthesis.interface"))] == []
