"""Every built-in secret rule proves itself on its own examples.

For each rule in ``src/redline/checks/secrets/rules/*.toml``: every example
yields exactly one match of that rule, at the offsets of the expected secret
(``rule_examples_expected.toml`` beside this file lists them, in order); every
counter-example yields no match of that rule. Ids and codes are unique, there
are at least 200 rules, every family file is well formed, and Hyperscan
compiles every pattern on its own (no prefilter or ``re`` fallback needed).
"""

from __future__ import annotations

import itertools
import tomllib
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from redline.checks.secrets.engine import SecretScanner
from redline.checks.secrets.patterns import hyperscan_expression
from redline.checks.secrets.ruleset import SecretRule, builtin_rule_files, load_builtin_rules

EXPECTED_FILE = Path(__file__).with_name("rule_examples_expected.toml")
RULES = load_builtin_rules()
IDS = [r.id for r in RULES]


@lru_cache(maxsize=1)
def scanner() -> SecretScanner:
    return SecretScanner(RULES)


@lru_cache(maxsize=1)
def expected() -> dict[str, list[str]]:
    with EXPECTED_FILE.open("rb") as fh:
        return {k: list(v) for k, v in tomllib.load(fh).items()}


def test_at_least_200_rules_with_unique_ids_and_codes() -> None:
    assert len(RULES) >= 200
    assert not [i for i, n in Counter(r.id for r in RULES).items() if n > 1]
    assert not [c for c, n in Counter(r.code for r in RULES).items() if n > 1]


def test_every_rule_has_examples_counter_examples_and_docs() -> None:
    for rule in RULES:
        assert len(rule.examples) >= 2, rule.id
        assert len(rule.counter_examples) >= 2, rule.id
        assert rule.references and rule.revoke.strip(), rule.id
        assert not rule.core_rule().doc.missing(), rule.id


def test_expected_secrets_listed_for_every_rule() -> None:
    exp = expected()
    assert set(exp) == set(IDS)
    for rule in RULES:
        assert len(exp[rule.id]) == len(rule.examples), rule.id


def test_codes_stay_in_their_family_block() -> None:
    # each family file allocates its own block of codes; blocks never interleave
    spans: dict[str, tuple[int, int]] = {}
    for rule in RULES:
        n = int(rule.code[3:])
        lo, hi = spans.get(rule.family, (n, n))
        spans[rule.family] = (min(lo, n), max(hi, n))
    ordered = sorted(spans.values())
    for (_, hi), (lo, _) in itertools.pairwise(ordered):
        assert hi < lo


def test_one_file_per_family() -> None:
    families: Counter[str] = Counter()
    for path in builtin_rule_files():
        with path.open("rb") as fh:
            families[tomllib.load(fh)["family"]] += 1
        assert path.stem == path.stem.lower()
    assert all(n == 1 for n in families.values())
    assert len(families) >= 12


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_examples_match_exactly_once_at_the_secret(rule: SecretRule) -> None:
    for text, secret in zip(rule.examples, expected()[rule.id], strict=True):
        found = [m for m in scanner().scan(text, path="src/app/settings.py") if m.rule_id == rule.id]
        assert len(found) == 1, f"{rule.id}: {len(found)} matches in example {text[:60]!r}"
        m = found[0]
        assert text.count(secret) == 1
        start = text.index(secret)
        assert (m.start, m.end) == (start, start + len(secret)), f"{rule.id}: wrong span in {text[:60]!r}"
        assert m.secret == secret
        assert m.line == text.count("\n", 0, start) + 1
        assert m.code == rule.code


def test_each_example_keeps_its_own_rule_after_dedupe() -> None:
    # one finding per secret: a generic or broader rule on the same bytes must not shadow the intended one
    lost = []
    for rule in RULES:
        for text in rule.examples:
            best = scanner().best_per_span(scanner().scan(text, path="src/app/settings.py"))
            if not any(m.rule_id == rule.id for m in best):
                lost.append(rule.id)
    assert not lost


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_counter_examples_do_not_match(rule: SecretRule) -> None:
    for text in rule.counter_examples:
        found = [m for m in scanner().scan(text, path="src/app/settings.py") if m.rule_id == rule.id]
        assert not found, f"{rule.id} fired on counter-example {text[:60]!r}"


def test_examples_pass_the_keyword_prefilter() -> None:
    for rule in RULES:
        for text in rule.examples:
            low = text.lower().encode()
            assert not rule.keywords or any(k in low for k in rule.keywords), rule.id


def test_hyperscan_compiles_every_pattern_without_fallback() -> None:
    hyperscan = pytest.importorskip("hyperscan")
    exprs = [hyperscan_expression(r.pattern) for r in RULES]
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:  # one database with every rule, as the engine builds it (no prefilter mode, no re fallback)
        db.compile(expressions=exprs, ids=list(range(len(exprs))), elements=len(exprs), flags=[0] * len(exprs))
    except hyperscan.error:
        failed = []
        for rule, expr in zip(RULES, exprs, strict=True):
            one = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            try:
                one.compile(expressions=[expr], ids=[0], elements=1, flags=[0])
            except hyperscan.error as exc:
                failed.append(f"{rule.id}: {exc}")
        pytest.fail("Hyperscan rejects: " + "; ".join(failed or ["the combined database"]))
    assert scanner().engine == "hyperscan"
    assert scanner().prefiltered == ()


def test_hyperscan_and_re_agree_on_examples() -> None:
    pytest.importorskip("hyperscan")
    plain = SecretScanner(RULES, use_hyperscan=False)
    for rule in RULES:
        for text in (*rule.examples, *rule.counter_examples):
            a = [(m.rule_id, m.start, m.end) for m in scanner().scan(text)]
            b = [(m.rule_id, m.start, m.end) for m in plain.scan(text)]
            assert a == b, rule.id


CORPUS = Path(__file__).with_name("corpus")


def test_false_positive_corpus_has_zero_findings() -> None:
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) >= 15
    fired = []
    for path in files:
        data = path.read_bytes()
        for m in scanner().scan_bytes(data, path.name).matches:
            fired.append(f"{path.name}:{m.line} {m.rule_id}")  # never the secret itself
    assert not fired, fired


def test_corpus_covers_the_look_alike_kinds() -> None:
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in CORPUS.rglob("*") if p.is_file())
    for needle in (
        "sha512-",
        "h1:",
        "--hash=sha256:",
        "data:image/",
        "AKIAIOSFODNN7EXAMPLE",
        "sk_test_",
        "${{ secrets.",
        "secretKeyRef",
        "pbkdf2_sha256$",
        "msgid",
        "#",
        "eyJhbGciOi",
    ):
        assert needle in text, needle
