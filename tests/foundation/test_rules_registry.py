"""Every rule is documented; docs/rules.md is generated and current; plugins load through entry points."""

from __future__ import annotations

import re
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pluggy
import pytest

from redline.checks.plugins import load_plugin_checks, plugin_manager
from redline.core.rules import CODE_RE, DOC_SECTIONS, NAME_RE, RuleError
from redline.pipeline.catalogue import Catalogue, load_catalogue
from redline.report.rules_doc import rules_markdown


def test_every_rule_has_every_doc_section(repo_root: Path) -> None:
    registry = load_catalogue(with_plugins=False).registry
    documented = re.findall(r"^\| \[([A-Z]+[0-9]+)\]", (repo_root / "docs" / "rules.md").read_text(), re.M)
    assert [r.code for r in registry] == documented  # every rule, each once, in the reference's order
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


PLUGIN = textwrap.dedent("""
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
""")


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


# --- one owner per rule -----------------------------------------------------------------------------


def test_a_rule_declared_by_two_checks_is_refused_naming_both() -> None:
    from redline.checks.interface import rule_registry

    from .checks_for_tests import MARKER, MarkerCheck

    class Copycat(MarkerCheck):
        name = "copycat"

    assert [r.code for r in rule_registry([MarkerCheck()])] == [MARKER.code]
    with pytest.raises(RuleError, match="rule TST101 is declared by 'marker' and by 'copycat'"):
        rule_registry([MarkerCheck(), Copycat()])


def test_every_builtin_rule_has_exactly_one_owner() -> None:
    from collections import Counter

    checks = load_catalogue(with_plugins=False).checks
    owners = Counter(r.code for c in checks for r in c.rules)
    assert [code for code, n in owners.items() if n != 1] == []
    borrowed = {r.code for c in checks for r in c.borrows}
    assert borrowed <= set(owners), "a borrowed rule must have an owner"


def test_selecting_a_rule_plans_its_owner_and_the_checks_that_borrow_it() -> None:
    from redline.checks.builtin import builtin_checks
    from redline.core.config import Config
    from redline.pipeline.plan import make_plan

    def planned(code: str) -> list[str]:
        plan = make_plan(builtin_checks(), [], [], Config(), select=[code])
        return sorted(c.name for c in (*plan.file_checks, *plan.project_checks, *plan.module_checks))

    assert planned("SEC903") == ["secrets-kubernetes"]
    assert planned("SEC904") == ["secrets-dockerfile"]
    assert planned("SEC101") == ["secrets", "secrets-history"]
    assert planned("SEC901") == ["secrets", "secrets-history"]


def test_a_finding_for_an_undeclared_rule_fails_the_check_instead_of_vanishing(tmp_path: Path) -> None:
    from collections.abc import Iterable

    from redline.checks.interface import CheckContext, FileCheck, UndeclaredRuleError
    from redline.core.config import Config
    from redline.core.model import Finding, Location
    from redline.core.workspace import FileText
    from redline.pipeline.run import AuditRequest, run_audit
    from redline.sources.builtin import builtin_file_sources

    from .checks_for_tests import COUNT, MARKER
    from .helpers import write

    class Rogue(FileCheck):
        name = "rogue"
        rules = (MARKER,)
        fact_types = (FileText,)

        def check_file(self, fact: FileText, ctx: CheckContext) -> Iterable[Finding]:
            return [self.finding(COUNT, "not mine", Location(fact.file.path, 1, 1, 1, 1, ""))]

    with pytest.raises(UndeclaredRuleError, match="check 'rogue' emitted TST103, which it does not declare"):
        Rogue().finding(COUNT, "m", Location("a.py", 1, 1, 1, 1, ""))
    write(tmp_path, "a.txt", "hello\n")
    result = run_audit(
        AuditRequest(root=tmp_path, config=Config(), checks=[Rogue()], file_sources=builtin_file_sources())
    )
    assert result.findings == ()
    assert [(e.where, e.stage, e.fatal) for e in result.errors] == [("a.txt", "check", True)]
    assert "UndeclaredRuleError: check 'rogue' emitted TST103" in result.errors[0].reason


# --- the rule index ---------------------------------------------------------------------------------


def test_rule_index_holds_every_rule_and_table_and_is_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from redline.pipeline import rule_index as index_module

    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path))
    catalogue = load_catalogue(with_plugins=False)
    built = index_module.rule_index()
    cached = sorted(p.name for p in tmp_path.iterdir())
    assert len(cached) == 1 and cached[0].startswith(index_module.INDEX_PREFIX)
    assert list(built.registry) == list(catalogue.registry)

    def refuse() -> index_module.RuleIndex:
        raise AssertionError("the index was rebuilt although it is cached")

    monkeypatch.setattr(index_module, "build_rule_index", refuse)
    read = index_module.rule_index()
    assert list(read.registry) == list(catalogue.registry)  # every field of every rule survives the cache
    assert read.family_of == built.family_of and read.family_of["SEC903"] == "redline.checks.secrets"
    assert read.family_of["RES101"] == "redline.checks.resilience"
    assert {s.name: dict(s.keys) for s in read.sections} == {s.name: dict(s.keys) for s in catalogue.sections}


def test_rule_index_key_changes_when_a_check_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import redline.checks
    from redline.pipeline import rule_index as index_module

    before = index_module._index_key()
    fake = tmp_path / "checks"
    fake.mkdir()
    (fake / "extra.py").write_text("RULES = ()\n")
    monkeypatch.setattr(redline.checks, "__path__", [*redline.checks.__path__, str(fake)])
    after_add = index_module._index_key()
    (fake / "extra.py").write_text("RULES = (1,)\n")
    assert len({before, after_add, index_module._index_key()}) == 3


def test_cli_format_choices_match_the_config() -> None:
    from redline.cli.commands.rules import AREAS
    from redline.cli.common import FORMATS as CLI_FORMATS
    from redline.core.config import OutputFormat
    from redline.core.model import Area

    assert tuple(f.value for f in OutputFormat) == CLI_FORMATS
    assert tuple(a.value for a in Area) == AREAS


def test_a_one_family_catalogue_plans_what_the_full_catalogue_plans_for_that_family() -> None:
    from redline.core.config import Config
    from redline.pipeline.plan import make_plan

    full = load_catalogue(with_plugins=False)
    partial = load_catalogue(
        with_plugins=False, families=("redline.checks.secrets",), steps=("redline.synthesis.overlaps",)
    )

    def planned(catalogue: Catalogue) -> tuple[list[str], list[str], list[str]]:
        plan = make_plan(catalogue.checks, catalogue.file_sources, catalogue.project_sources, Config(), select=["SEC"])
        return (
            sorted(c.name for c in (*plan.file_checks, *plan.project_checks, *plan.module_checks)),
            sorted(s.name for s in plan.file_sources),
            sorted(s.name for s in plan.project_sources),
        )

    assert planned(partial) == planned(full)
    assert [s.name for s in partial.steps] == ["merging overlapping credential findings"]
    assert partial.known_rules.get("RES101").code == "RES101"  # other families' rules stay selectable
    assert {s.name for s in partial.sections} == {s.name for s in full.sections}  # and their tables valid


def test_a_plugin_check_redeclaring_a_builtin_rule_is_left_out_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from redline.checks import plugins
    from redline.checks.interface import ProjectCheck
    from redline.core.facts import Facts
    from redline.pipeline import catalogue as catalogue_module

    builtin = load_catalogue(with_plugins=False).registry.get("RES101")

    class Thief(ProjectCheck):
        name = "thief"
        rules = (builtin,)

        def check(self, facts: Facts, ctx: object) -> list[object]:  # type: ignore[override]
            return []

    class Honest(Thief):
        name = "honest"
        rules = (replace(builtin, code="EXT901", name="extra-honest"),)

    monkeypatch.setattr(catalogue_module, "_plugins_installed", lambda: True)
    monkeypatch.setattr(plugins, "load_plugin_checks", lambda: ([Thief(), Honest()], []))
    for families in (None, ("redline.checks.secrets",)):
        loaded = load_catalogue(families=families)
        assert [c.name for c in loaded.checks if c.name in ("thief", "honest")] == ["honest"]
        assert len(loaded.plugin_problems) == 1
        assert loaded.plugin_problems[0].startswith("plugin check 'thief' not loaded: rule RES101 ")
        assert loaded.known_rules.get("EXT901").name == "extra-honest"


def test_plugin_presence_is_read_from_the_metadata_folders_like_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib.metadata import entry_points

    from redline.pipeline.catalogue import PLUGIN_GROUP, _plugins_installed

    def agree() -> bool:
        found = _plugins_installed()
        assert found == bool(entry_points(group=PLUGIN_GROUP))
        return found

    monkeypatch.syspath_prepend(str(tmp_path / "missing"))
    assert agree() is False
    other = tmp_path / "other-1.0.dist-info"
    other.mkdir()
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: other\nVersion: 1.0\n")
    (other / "entry_points.txt").write_text("[console_scripts]\nother = other:main  # redline.checks\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert agree() is False
    egg = tmp_path / "Spaced.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.2\nName: spaced\nVersion: 2.0\n")
    (egg / "entry_points.txt").write_text("[console_scripts]\nx = y\n\n[ redline.checks ]\nspaced = spaced\n")
    assert agree() is False  # importlib.metadata does not strip blanks inside the brackets either
    (egg / "entry_points.txt").write_text("[console_scripts]\nx = y\n\n  [redline.checks]\nspaced = spaced\n")
    assert agree() is True
