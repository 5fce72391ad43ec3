"""Start-up does only what the command needs: the CLI imports and registers the command it runs, and the
secret checks compile their regular expressions when a file needs them (timings live in bench/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from redline.cli.main import COMMANDS, main

if TYPE_CHECKING:
    from redline.pipeline.rule_index import RuleIndex


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


#: what a ``redline secrets`` run on a tree without a .gitignore, Dockerfile or config file has no use for:
#: the map, inventory and threat models and their reporters, the SBOM, the other families, the verifiers
#: (only with --verify), pathspec (only for ignore files and globs), the worker pool, the TOML parser
SECRETS_NEVER = (
    "redline.core.map_model",
    "redline.core.inventory",
    "redline.core.threat_model",
    "redline.report.map_html",
    "redline.report.system_map",
    "redline.report.cyclonedx",
    "redline.report.sbom_summary",
    "redline.report.trends_svg",
    "redline.synthesis.map",
    "redline.store.settings",
    "redline.checks.secrets.verify.interface",
    "pathspec",
    "multiprocessing",
    "tomllib",
    "platform",
)


def _secrets_run_modules(root: Path, out: Path, *extra: str) -> list[str]:
    """The modules a fresh interpreter holds after ``redline secrets root``; a first run fills the caches
    (rule set, Hyperscan database), so the second is what every later run imports."""
    argv = ["secrets", str(root), "--out", str(out), "-q", *extra]
    code = f"from redline.cli.main import main\nmain({argv!r})"
    _loaded_after(code)
    return _loaded_after(code, prefix="")


def _small_tree(root: Path) -> Path:
    root.mkdir()
    (root / "app.py").write_text('import os\n\nTOKEN = os.environ["TOKEN"]\n')
    (root / "README.md").write_text("# small\n")
    (root / "settings.toml").write_text('name = "small"\n')
    return root


def _imported(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [m for m in modules if m in names or m.startswith(tuple(f"{n}." for n in names))]


def test_a_secrets_run_on_a_small_tree_imports_only_what_it_uses(tmp_path: Path) -> None:
    out = tmp_path / "out"
    modules = _secrets_run_modules(_small_tree(tmp_path / "tree"), out)
    assert _imported(modules, SECRETS_NEVER) == []
    families = {m.split(".")[2] for m in modules if m.startswith("redline.checks.") and m.count(".") >= 3}
    assert families == {"secrets"}
    assert "jinja2" in modules and (out / "report.html").is_file()  # the page is written, so jinja2 is needed


def test_a_secrets_run_without_the_html_page_never_imports_jinja2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    modules = _secrets_run_modules(_small_tree(tmp_path / "tree"), out, "--format", "json")
    assert _imported(modules, ("jinja2", "markupsafe", "redline.report.html", "redline.report.sarif")) == []
    assert sorted(p.name for p in out.iterdir()) == [".redline-manifest.json", "findings.json"]


def test_the_rule_index_is_read_only_when_a_file_or_a_code_needs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redline.pipeline import catalogue as catalogue_module
    from redline.pipeline.rule_index import rule_index

    tree = _small_tree(tmp_path / "tree")
    real = rule_index
    reads: list[int] = []

    def counted() -> RuleIndex:
        reads.append(1)
        return real()

    monkeypatch.setattr(catalogue_module, "rule_index", counted)
    assert main(["secrets", str(tree), "--out", str(tmp_path / "a"), "-q"]) == 0
    assert reads == []
    assert main(["secrets", str(tree), "--out", str(tmp_path / "b"), "-q", "--ignore", "RES101"]) == 0
    assert reads == [1]  # another family's rule code is still known
    (tree / "redline.toml").write_text('ignore = ["TF101"]\n\n[terraform]\nvar_files = ["prod.tfvars"]\n')
    assert main(["secrets", str(tree), "--out", str(tmp_path / "c"), "-q"]) == 0  # another family's table
    assert reads == [1, 1]
    (tree / "redline.toml").write_text('ignore = ["XYZ999"]\n')
    assert main(["secrets", str(tree), "--out", str(tmp_path / "d"), "-q"]) == 2  # and a wrong code refused
