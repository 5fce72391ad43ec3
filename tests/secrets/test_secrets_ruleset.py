"""Rule loading: validation errors name the file and rule; rules become documented core rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from redline.checks.secrets import ruleset
from redline.checks.secrets.ruleset import (
    RuleSetError,
    SecretRule,
    load_builtin_rules,
    load_rule_file,
    load_rule_files,
    parse_rule_document,
    parse_user_rules,
    validate_set,
)
from redline.core.model import Area, Severity
from redline.core.rules import RuleRegistry


def _doc(**overrides: Any) -> dict[str, Any]:
    rule = {
        "id": "acme-key",
        "code": "SEC450",
        "provider": "Acme",
        "summary": "Acme key",
        "keywords": ["acme_"],
        "pattern": r"\b(?P<secret>acme_[a-z0-9]{24})\b",
        "severity": "high",
        "revoke": "Revoke it at https://acme.test/keys.",
        "references": ["https://acme.test/docs"],
        "examples": ['ACME = "acme_q8w7e6r5t4y3u2i1o9p8a7s6"'],
    }
    rule.update(overrides)
    return {"family": "acme", "family_why": "Acme keys grant full account access.", "rule": [rule]}


def test_valid_rule_becomes_a_documented_core_rule() -> None:
    [rule] = parse_rule_document(_doc(), "acme.toml")
    core = rule.core_rule()
    core.validate()
    assert (core.code, core.name, core.area, core.severity) == ("SEC450", "acme-key", Area.SECURITY, Severity.HIGH)
    assert core.tags == ("CWE-798", "STRIDE:I", "STRIDE:S")
    assert not core.doc.missing()
    assert core.doc.example == 'ACME = "acme…(29 chars)"'  # the example's secret shown redacted
    assert "acme_q8w7" not in core.doc.markdown()
    assert core.doc.why_bad == "Acme keys grant full account access."
    assert 'os.environ["ACME_KEY"]' in core.doc.use_instead


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"pattern": r"\b(acme_[a-z0-9]{24})\b"}, "exactly one named group 'secret'"),
        ({"pattern": r"(?P<secret>acme_(?=x)[a-z]{4})"}, "lookahead"),
        ({"pattern": r"(?<=k)(?P<secret>acme_[a-z]{4})"}, "lookahead/lookbehind"),
        ({"pattern": r"(?P<q>a)(?P<secret>acme_(?P=q))"}, "exactly one named group"),
        ({"pattern": r"(a)(?P<secret>acme_\1)"}, "backreference"),
        ({"pattern": r"(?P<secret>acme_(?>[a-z]{4}))"}, "atomic group"),
        ({"pattern": r"(?P<secret>acme_[a-z]++)"}, "possessive"),
        ({"pattern": r"(?P<secret>acme_[a-z]{4}"}, "invalid regular expression"),
        ({"pattern": r"x(?P<secret>[a-z]*)"}, "'secret' group can match the empty string"),
        ({"severity": "urgent"}, "unknown severity"),
        ({"confidence": "sure"}, "SURE"),
        ({"code": "XYZ101"}, "must look like SEC101"),
        ({"code": "SEC050"}, "outside SEC100..SEC499"),
        ({"id": "Acme_Key"}, "kebab-case"),
        ({"keywords": ["ACME"]}, "lowercase"),
        ({"allow": ["("]}, "allow pattern"),
        ({"entropy": 9}, "entropy"),
        ({"requires": "nope"}, "requires unknown rule 'nope'"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"examples": "one"}, "wrong type"),
    ],
)
def test_invalid_rules_name_file_and_rule(override: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleSetError) as err:
        rules = parse_rule_document(_doc(**override), "acme.toml")
        validate_set(rules, code_range=(100, 499))
    assert message in str(err.value)
    assert str(err.value).startswith("acme.toml")
    if "id" not in override:
        assert "'acme-key'" in str(err.value)


def test_missing_required_key() -> None:
    doc = _doc()
    del doc["rule"][0]["revoke"]
    with pytest.raises(RuleSetError, match=r"acme.toml: rule 'acme-key': missing key 'revoke'"):
        parse_rule_document(doc, "acme.toml")


def test_file_level_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("family = \n")
    with pytest.raises(RuleSetError, match=r"bad\.toml: invalid TOML"):
        load_rule_file(bad)
    with pytest.raises(RuleSetError, match="needs at least one"):
        parse_rule_document({"family": "x", "family_why": "y"}, "x.toml")
    with pytest.raises(RuleSetError, match="unknown top-level keys"):
        parse_rule_document({"family": "x", "family_why": "y", "rules": []}, "x.toml")


def _write(path: Path, doc: dict[str, Any]) -> None:
    rule = doc["rule"][0]
    lines = [f'family = "{doc["family"]}"', f'family_why = "{doc["family_why"]}"', "[[rule]]"]
    for key, value in rule.items():
        if isinstance(value, list):
            items = ", ".join("'" + v + "'" for v in value)
            lines.append(f"{key} = [{items}]")
        else:
            lines.append(f"{key} = '''{value}'''")
    path.write_text("\n".join(lines) + "\n")


def test_duplicate_ids_and_codes_across_files(tmp_path: Path) -> None:
    _write(tmp_path / "a.toml", _doc())
    _write(tmp_path / "b.toml", _doc(code="SEC451"))
    with pytest.raises(RuleSetError, match=r"b.toml: rule 'acme-key': id is also used in a.toml"):
        load_rule_files([tmp_path / "a.toml", tmp_path / "b.toml"])
    _write(tmp_path / "b.toml", _doc(id="acme-other"))
    with pytest.raises(RuleSetError, match=r"code SEC450 is also used by rule 'acme-key' \(a.toml\)"):
        load_rule_files([tmp_path / "a.toml", tmp_path / "b.toml"])


def test_user_rules_report_under_sec999() -> None:
    [rule] = parse_user_rules([{k: v for k, v in _doc()["rule"][0].items() if k != "code"}], "redline.toml")
    assert rule.code == "SEC999" and rule.family == "user"
    with pytest.raises(RuleSetError, match="'code' is not allowed"):
        parse_user_rules([_doc()["rule"][0]], "redline.toml")
    with pytest.raises(RuleSetError, match="list of tables"):
        parse_user_rules({"id": "x"}, "redline.toml")


def test_builtin_rules_load_and_register() -> None:
    rules: tuple[SecretRule, ...] = load_builtin_rules()
    registry = RuleRegistry(r.core_rule() for r in rules)  # validates every doc section
    assert len(registry) == len(rules)
    assert all(not r.source.startswith("_") for r in rules)  # seeds are not built-in rules


def test_builtin_rules_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path))
    ruleset.load_builtin_rules.cache_clear()
    try:
        fresh = ruleset.load_builtin_rules()
        [entry] = list(tmp_path.glob("rules-*.json"))
        ruleset.load_builtin_rules.cache_clear()
        cached = ruleset.load_builtin_rules()
        assert cached == fresh
        assert [r.core_rule() for r in cached] == [r.core_rule() for r in fresh]
        pairs = zip(cached, fresh, strict=True)
        assert all(c.regex.pattern == f.regex.pattern and c.window == f.window for c, f in pairs)
        entry.write_text('[{"id": 1}]')  # corrupt: validated again from the TOML files
        ruleset.load_builtin_rules.cache_clear()
        assert ruleset.load_builtin_rules() == fresh
    finally:
        ruleset.load_builtin_rules.cache_clear()
