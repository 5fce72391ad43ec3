"""Engine semantics, on both engines (Hyperscan and the Python re fallback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.secrets import engine as engine_module
from redline.checks.secrets.engine import SecretScanner
from redline.checks.secrets.ruleset import SecretRule, parse_rule_document
from redline.core.model import Confidence

GHP = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"
AKIA = "AKIAJRH33BZO62VK3NRF"
AWS_SECRET = "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"


def _ids(scanner: SecretScanner, text: str, path: str = "src/app.py") -> list[str]:
    return [m.rule_id for m in scanner.scan(text, path=path)]


def test_seed_examples_and_counter_examples(scanner: SecretScanner, seed_rules: tuple[SecretRule, ...]) -> None:
    for rule in seed_rules:
        for example in rule.examples:
            assert _ids(scanner, example).count(rule.id) == 1, rule.id
        for counter in rule.counter_examples:
            assert rule.id not in _ids(scanner, counter), (rule.id, counter)


def test_match_fields(scanner: SecretScanner) -> None:
    text = f'x = 1\n  token = "{GHP}"\n'
    [m] = scanner.scan(text, path="src/app.py")
    assert (m.rule_id, m.code, m.line, m.column, m.end_line) == ("seed-github-pat", "SEC495", 2, 12, 2)
    assert text[m.start : m.end] == GHP == m.secret
    assert m.confidence == Confidence.HIGH
    assert GHP not in repr(m)


def test_offsets_are_characters_for_str_and_bytes_for_bytes(scanner: SecretScanner) -> None:
    text = f'# café ünïcode\nname = "é"; token = "{GHP}"\n'
    [m] = scanner.scan(text)
    assert text[m.start : m.end] == GHP
    assert (m.line, m.column) == (2, text.splitlines()[1].index(GHP) + 1)
    data = text.encode()
    [b] = scanner.scan(data)
    assert data[b.start : b.end].decode() == GHP


@pytest.mark.parametrize(
    "text",
    [
        f'token = "{GHP[:-1]}"',  # too short
        f'token = "{GHP}x"',  # no word boundary: part of a longer string
        'token = "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"',  # xxxx placeholder
        'token = "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',  # one character
        'token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"',  # sequential
        'token = "ghp_EXAMPLExEXAMPLExEXAMPLExEXAMPLEx1234"',  # EXAMPLE
        'token = "ghp_REDACTEDtokenREDACTEDtokenREDACTED12"',
        'token = "ghp_dummytokendummytokendummytokendummyt"',
    ],
)
def test_placeholders_are_not_findings(scanner: SecretScanner, text: str) -> None:
    assert _ids(scanner, text) == []


@pytest.mark.parametrize(
    "text",
    [
        'password = "${DB_PASSWORD}"',
        "password = '{{ db_password }}'",
        'password = "%(db_password)s"',
        'password: "<your-db-password>"',
        'password = "${{ secrets.DB_PASSWORD }}"',
        'password = "vault:secret/data/db#password"',
        'password = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"',
        'password = "ssm:/prod/db/password"',
        'password = "changeme-later"',
        'password = "1234567890"',
        'password = "abababababab"',
    ],
)
def test_templates_and_secret_store_references(scanner: SecretScanner, text: str) -> None:
    assert _ids(scanner, text) == []


def test_entropy_floor(scanner: SecretScanner) -> None:
    assert _ids(scanner, 'password = "Ib2q5CVCWsrLoe"') == ["seed-password-assignment"]
    assert _ids(scanner, 'password = "aabbaabbaab"') == []  # 1 bit/char, below the 3.0 floor


def test_per_rule_allow(scanner: SecretScanner) -> None:
    assert _ids(scanner, "key = AKIAJRH33BZO62VK3NRF") == ["seed-aws-access-key-id"]
    assert _ids(scanner, "key = AKIAJRH33BZO6EXAMPLE") == []


def test_requires_pairing(scanner: SecretScanner) -> None:
    secret_only = f"aws_secret_access_key = {AWS_SECRET}\n"
    assert _ids(scanner, secret_only) == []
    both = f"aws_access_key_id = {AKIA}\n" + secret_only
    assert sorted(_ids(scanner, both)) == ["seed-aws-access-key-id", "seed-aws-secret-access-key"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/app.py", Confidence.HIGH),
        ("tests/test_app.py", Confidence.MEDIUM),
        ("pkg/fixtures/data.json", Confidence.MEDIUM),
        ("docs/setup.md", Confidence.MEDIUM),
        ("config/settings.py.example", Confidence.MEDIUM),
        ("cmd/server_test.go", Confidence.MEDIUM),
        ("test_client.py", Confidence.MEDIUM),
        ("deploy/sample_config.yaml", Confidence.MEDIUM),
        ("README.md", Confidence.MEDIUM),
    ],
)
def test_context_lowers_confidence_never_drops(scanner: SecretScanner, path: str, expected: Confidence) -> None:
    [m] = scanner.scan(f'token = "{GHP}"', path=path)
    assert m.confidence == expected
    [low] = scanner.scan('password = "Ib2q5CVCWsrLoe"', path=path)  # rule default is medium
    assert low.confidence == (Confidence.MEDIUM if expected == Confidence.HIGH else Confidence.LOW)


def _rule_doc(pattern: str, keywords: list[str]) -> tuple[SecretRule, ...]:
    return tuple(
        parse_rule_document(
            {
                "family": "t",
                "family_why": "why",
                "rule": [
                    {
                        "id": "acme-key",
                        "code": "SEC450",
                        "provider": "Acme",
                        "summary": "Acme key",
                        "keywords": keywords,
                        "pattern": pattern,
                        "severity": "high",
                        "revoke": "r",
                        "references": ["https://acme.test"],
                        "examples": [],
                    }
                ],
            },
            "t.toml",
        )
    )


@pytest.mark.parametrize("use_hs", [True, False])
def test_keyword_prefilter(use_hs: bool) -> None:
    rules = _rule_doc(r"\b(?P<secret>zq[0-9a-f]{16})\b", ["acme"])
    scanner = SecretScanner(rules, use_hyperscan=use_hs)
    assert _ids(scanner, "k = zq0f3a9c1d2e4b5a67") == []  # the pattern matches, the keyword is absent
    assert _ids(scanner, "acme_key = zq0f3a9c1d2e4b5a67") == ["acme-key"]
    assert _ids(scanner, "ACME_KEY = zq0f3a9c1d2e4b5a67") == ["acme-key"]  # keywords are case-insensitive


def test_patterns_hyperscan_rejects_fall_back_to_re_for_that_rule() -> None:
    rules = _rule_doc(r"(?P<secret>zq[a-z0-9]{8,70000})!", ["zq"])
    scanner = SecretScanner(rules, use_hyperscan=True)
    assert scanner.engine == "hyperscan" and scanner._re_only == (0,)
    assert [m.secret for m in scanner.scan("x zqa8f7d6e5c4b3! y")] == ["zqa8f7d6e5c4b3"]


def test_engines_agree_on_a_busy_text(seed_rules: tuple[SecretRule, ...]) -> None:
    chunks = []
    for i in range(300):
        chunks.append(f"line {i} filler text {'x' * (i % 7)}\n")
        if i % 50 == 7:
            chunks.append(f'token_{i} = "{GHP}" and {AKIA}\naws_secret_access_key={AWS_SECRET}\n')
        if i % 61 == 3:
            chunks.append(f'password = "Ib2q5CVCWsrLoe{i}"\n')
    text = "".join(chunks)
    hs = SecretScanner(seed_rules, use_hyperscan=True).scan(text, "a.py")
    rx = SecretScanner(seed_rules, use_hyperscan=False).scan(text, "a.py")
    assert [(m.rule_id, m.start, m.end) for m in hs] == [(m.rule_id, m.start, m.end) for m in rx]
    assert len(hs) == 6 * 3 + 5


def test_adjacent_and_repeated_matches(scanner: SecretScanner) -> None:
    text = f"{GHP} {GHP}\n{GHP}"
    assert [(m.line, m.column) for m in scanner.scan(text)] == [(1, 1), (1, 42), (2, 1)]


def test_empty_and_binaryish_input(scanner: SecretScanner) -> None:
    assert scanner.scan("") == []
    # bytes that are not UTF-8 around a token: still found (non-word bytes are boundaries), offsets in bytes
    [m] = scanner.scan(b"\xff\xfe" + GHP.encode() + b"\xff")
    assert (m.start, m.secret) == (2, GHP)
    assert scanner.scan(b"\xffA" + GHP.encode()) == []  # a word character before it: no boundary


def test_compiled_database_cache(
    seed_rules: tuple[SecretRule, ...], tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(str(tmp_path)) / "cache"
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(folder))
    first = SecretScanner(seed_rules, use_hyperscan=True)
    [db_file] = list(folder.glob("hyperscan-*.db"))
    second = SecretScanner(seed_rules, use_hyperscan=True)  # loaded, not compiled
    text = f'token = "{GHP}"'
    assert [m.rule_id for m in second.scan(text)] == [m.rule_id for m in first.scan(text)] == ["seed-github-pat"]
    db_file.write_bytes(b'{"re_only": []}\ngarbage')  # corrupt: compiled again, and rewritten
    third = SecretScanner(seed_rules, use_hyperscan=True)
    assert [m.rule_id for m in third.scan(text)] == ["seed-github-pat"]
    assert db_file.stat().st_size > 100


def test_without_hyperscan_falls_back_to_re_with_a_warning(
    seed_rules: tuple[SecretRule, ...], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(engine_module, "_hs", None)
    with caplog.at_level("WARNING", logger="redline"):
        scanner = SecretScanner(seed_rules)
    assert scanner.engine == "re"
    assert any("falls back to Python re" in r.getMessage() for r in caplog.records)
    assert [m.rule_id for m in scanner.scan(f'token = "{GHP}"')] == ["seed-github-pat"]
    with pytest.raises(RuntimeError, match="hyperscan requested"):
        SecretScanner(seed_rules, use_hyperscan=True)


def test_best_rule_per_secret() -> None:
    doc = {
        "family": "generic",
        "family_why": "why",
        "rule": [
            {
                "id": "generic-token",
                "code": "SEC460",
                "provider": "Generic",
                "summary": "token",
                "keywords": ["token"],
                "pattern": r"(?i)token\s*=\s*\"(?P<secret>[A-Za-z0-9_]{20,60})\"",
                "severity": "medium",
                "confidence": "low",
                "revoke": "r",
                "references": ["https://x.test"],
                "examples": [],
            }
        ],
    }
    seed = SecretScanner(
        (
            *parse_rule_document(doc, "generic.toml"),
            *parse_rule_document(
                {
                    "family": "p",
                    "family_why": "w",
                    "rule": [
                        {
                            "id": "p-token",
                            "code": "SEC461",
                            "provider": "P",
                            "summary": "p",
                            "keywords": ["ghp_"],
                            "pattern": r"\b(?P<secret>ghp_[A-Za-z0-9]{36})\b",
                            "severity": "high",
                            "revoke": "r",
                            "references": ["https://x.test"],
                            "examples": [],
                        }
                    ],
                },
                "p.toml",
            ),
        )
    )
    text = f'token = "{GHP}"\nTOKEN = "Ib2q5CVCWsrLoeIb2q5CVCWsrLoe"\n'
    every = seed.scan(text)
    assert sorted(m.rule_id for m in every) == ["generic-token", "generic-token", "p-token"]  # scan: every rule
    best = seed.best_per_span(every)
    assert [(m.rule_id, m.line) for m in best] == [("p-token", 1), ("generic-token", 2)]


@pytest.mark.parametrize("use_hs", [True, False])
def test_a_line_rule_sees_the_line_right_after_a_hit(use_hs: bool) -> None:
    """A line rule's match ends on the newline the next line's match starts with: the line after a hit
    (here a rejected placeholder) was never matched (techno-tim/launchpad, wings ``config.yml``)."""
    from redline.checks.secrets.ruleset import load_builtin_rules

    scanner = SecretScanner(load_builtin_rules(), use_hyperscan=use_hs)
    env = "DB_PASSWORD=changeme\nADMIN_PASSWORD=Tq9vW2x\u004cp7Rz\nOTHER_PASSWORD=Jm4\u0073Kd8vQw2N\n"
    assert [(m.rule_id, m.line) for m in scanner.scan(env, ".env")] == [
        ("generic-password-env", 2),
        ("generic-password-env", 3),
    ]
    yaml = "debug: false\ntoken_id: Qw8LmZr2TxVb5NcY\ntoken: Hk3vR9q\u0057Lm2ZxT7bN4cY8pD1fG6jS0aE5uK3wQ9rV2\n"
    assert [(m.rule_id, m.line) for m in scanner.scan(yaml, "config.yml")] == [("generic-secret-yaml", 3)]


@pytest.mark.parametrize(
    ("value", "regex"),
    [
        (r"^x-amz-security-token:(.*)$", True),
        (r"^[A-Za-z0-9]{40}$", True),
        ("^Kq9vW2xLp7Rz$", False),
        ("Kq9(vW2)x", False),
    ],
)
def test_an_anchored_pattern_is_no_value(value: str, regex: bool) -> None:
    """botocore's SigV4 test: ``token_pattern = r'^x-amz-security-token:(.*)$'``, a pattern under a token's name."""
    from redline.checks.secrets.filters import is_regex

    assert is_regex(value) is regex


@pytest.mark.parametrize("use_hs", [True, False])
def test_style_sheet_text_under_a_password_label_is_no_password(use_hs: bool) -> None:
    """casdoor's web/src/table/SignupTable.js maps each sign-up field's label to its CSS: ``"Password":
    ".signup-password{}\\n.signup-password-input{}"``. A password that only holds braces still fires."""
    from redline.checks.secrets.ruleset import load_builtin_rules

    scanner = SecretScanner(load_builtin_rules(), use_hyperscan=use_hs)
    js = (
        "export const CustomCssMap = {\n"
        '  "Password": ".signup-password{}\\n.signup-password-input{}",\n'
        '  "Confirm password": ".signup-confirm{}",\n'
        "};\n"
        'const admin = {password: "Zq{9}vW2#xLp7Rz"};\n'
    )
    assert [(m.rule_id, m.line) for m in scanner.scan(js, "web/src/table/SignupTable.js")] == [
        ("generic-password-assignment", 5)
    ]


@pytest.mark.parametrize("use_hs", [True, False])
def test_a_password_hash_is_no_credential(use_hs: bool) -> None:
    """gotify's Authelia test config stores the OIDC client's secret as a PBKDF2 hash (PHC string format): what the
    server checks a secret against, not the secret (the generic rules' allow lists: PBKDF2 beside bcrypt, argon2
    and crypt). A value that only starts with ``$`` still fires."""
    from redline.checks.secrets.ruleset import load_builtin_rules

    scanner = SecretScanner(load_builtin_rules(), use_hyperscan=use_hs)
    yaml = (
        "clients:\n"
        "  - client_secret: '$pbkdf2-sha512$310000$Pe7bGcDkDhxS9WqL$Xk2vR9qWLm2ZxT7bN4cY8pD1fG6jS0aE'\n"
        "  - client_secret: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$Hk3vR9qWLm2ZxT7bN4cY8pD1fG6j'\n"
        "  - client_secret: '$Tq9vW2xLp7Rz$Jm4sKd8vQw2N$Hk3vR9qWLm2Zx'\n"
    )
    assert [(m.rule_id, m.line) for m in scanner.scan(yaml, "config/configuration.yml")] == [
        ("generic-secret-assignment", 4),
    ]
