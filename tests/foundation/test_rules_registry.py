"""Every rule is documented; docs/rules.md is generated and current; plugins load through entry points."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pluggy
import pytest

from redline.checks.plugins import load_plugin_checks, plugin_manager
from redline.cli.catalogue import load_catalogue
from redline.core.rules import CODE_RE, DOC_SECTIONS, NAME_RE, RuleError
from redline.report.rules_doc import rules_markdown


def test_every_rule_has_every_doc_section() -> None:
    registry = load_catalogue(with_plugins=False).registry
    assert len(registry) >= 5
    for rule in registry:
        sections = rule.doc.sections()
        assert tuple(sections) == DOC_SECTIONS
        missing = [name for name, text in sections.items() if not text.strip()]
        assert not missing, f"{rule.code} lacks {missing}"
        assert CODE_RE.match(rule.code) and NAME_RE.match(rule.name), rule.code
        assert rule.summary and rule.doc.references


def test_a_rule_without_a_section_is_rejected() -> None:
    from dataclasses import replace

    rule = next(iter(load_catalogue(with_plugins=False).registry))
    broken = replace(rule, doc=replace(rule.doc, use_instead=" "))
    with pytest.raises(RuleError, match="lacks: Use instead"):
        broken.validate()


def test_docs_rules_md_is_current(repo_root: Path) -> None:
    expected = rules_markdown(load_catalogue(with_plugins=False).registry)
    actual = (repo_root / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale: run `make docs`"


PLUGIN = textwrap.dedent('''
    from redline.checks.plugins import hookimpl
    from redline.checks.interface import ProjectCheck
    from redline.core.model import Area, Severity
    from redline.core.rules import Rule, RuleDoc

    DOC = RuleDoc("w", "y", "e", "u", ("https://example.com",))

    class Extra(ProjectCheck):
        name = "extra"
        rules = (Rule("EXT101", "extra-rule", Area.COST, Severity.LOW, "extra", DOC),)
        def check(self, facts, ctx):
            return []

    @hookimpl
    def redline_checks():
        return [Extra()]
''')


def _install_plugin(tmp_path: Path, module: str, code: str) -> None:
    (tmp_path / f"{module}.py").write_text(code)
    dist = tmp_path / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[redline.checks]\n{module} = {module}\n")


def test_plugin_checks_load_through_the_entry_point_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _install_plugin(tmp_path, "redline_extra_plugin", PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    checks, problems = load_plugin_checks()
    assert problems == []
    assert [c.name for c in checks] == ["extra"]
    assert "EXT101" in load_catalogue().registry
    sys.modules.pop("redline_extra_plugin", None)


def test_plugin_with_a_wrong_hook_signature_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = "from redline.checks.plugins import hookimpl\n\n@hookimpl\ndef redline_checks(config):\n    return []\n"
    _install_plugin(tmp_path, "redline_bad_plugin", bad)
    monkeypatch.syspath_prepend(str(tmp_path))
    checks, problems = load_plugin_checks()
    assert checks == []
    assert len(problems) == 1 and "redline_bad_plugin" in problems[0] and "config" in problems[0]
    sys.modules.pop("redline_bad_plugin", None)


def test_plugin_returning_junk_is_reported() -> None:
    pm = plugin_manager()

    class Junk:
        @pluggy.HookimplMarker("redline")
        def redline_checks(self) -> object:
            return ["not a check"]

    pm.register(Junk(), name="junk")
    checks, problems = load_plugin_checks(pm)
    assert checks == [] and "is not a redline Check" in problems[0]
