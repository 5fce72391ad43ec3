"""Context before verdict: secrets in tests, docs, examples, fixtures, cassettes and dev/test config are
reported at low severity, tagged for their own section, and never fail the gate unless configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from redline.checks.secrets.report import SAMPLE_TAG
from redline.checks.secrets.scan import scan_blob
from redline.checks.secrets.settings import SECTION, build_settings
from redline.checks.secrets.tree import SecretsFileCheck
from redline.core.config import Config, parse_config
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Severity
from redline.core.result import GATE_EXEMPT_TAG, AuditResult

# a seed-rule credential (SEC495 in _engine_seed.toml), written split so no scanner reads it here
TOKEN = "ghp_" + "lJWiztlaYu16Gb9guAOeqEt3BeABegLbHiEs"


@pytest.mark.parametrize(
    ("path", "sample"),
    [
        ("config/dev.exs", True),
        ("config/test.exs", True),
        ("apps/web/config/test.exs", True),
        ("config/prod.exs", False),
        ("config/runtime.exs", False),
        ("mysite/settings/dev.py", True),
        ("mysite/settings/test.py", True),
        ("mysite/settings/production.py", False),
        ("ci/app.test.yml", True),
        ("deploy/app.yml", False),
        # framework-neutral dev/test config files in a config/ folder (dvpwa's config/dev.yaml)
        ("config/dev.yaml", True),
        ("app/config/test.json", True),
        ("config/production.yaml", False),
        ("config/devices.yaml", False),
        ("dev.yaml", False),
        # test tool folders (AzureTRE's resource_processor/test_tools/…)
        ("resource_processor/test_tools/sender/requirements.txt", True),
        ("tools/testing_tools_guide.txt", False),
        ("spec/cassettes/stripe_charge.yml", True),
        ("tests_recorded/__recordings__/api_123/recording.har", True),
        ("src/vcr_cassettes/login.yaml", True),
        ("betamax/x.json", True),
        (".devcontainer/docker-compose.yml", True),
        ("src/main/resources/application-test.yml", True),
        ("src/main/resources/application.yml", False),
        (".env.example", True),
        (".env.sample", True),
        (".env.template", True),
        (".env", False),
        (".env.production", False),
        ("config/environments/test.rb", True),
        ("config/environments/production.rb", False),
        ("compose.override.yml", True),
        ("docker-compose.override.yaml", True),
        ("compose.yml", False),
        (".ci/compose.cypress.yaml", True),  # redash's end-to-end test stack
        ("docker-compose.playwright.yml", True),
        ("frontend/apps/remark42/app/__stubs__/jwt.ts", True),
        ("src/__mocks__/api.ts", True),
        ("src/stubborn.ts", False),
        ("backend/remark.rest", True),
        ("api/requests.http", True),
        ("document/postman/mall-admin.postman_collection.json", True),
        ("src/collection.json", False),
        ("docs/restful.txt", True),
        ("src/rest.py", False),
        (".env.test", True),
        ("apps/web/.env.ci", True),
        (".env.local", False),
        (".env.development", False),
    ],
)
def test_sample_paths(path: str, sample: bool) -> None:
    assert looks_like_test_or_sample(path) is sample


def _seed_token_tree(root: Path) -> None:
    for rel in ("app/settings.py", "tests/test_api.py", "spec/cassettes/charge.yml", "docs/setup.md", "config/dev.exs"):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f'token = "{TOKEN}"\n')


def test_sample_secrets_low_tagged_and_not_gating(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    _seed_token_tree(tmp_path)
    result = run_secrets(tmp_path)
    by_path = {f.location.path: f for f in result.findings}
    assert set(by_path) == {
        "app/settings.py",
        "tests/test_api.py",
        "spec/cassettes/charge.yml",
        "docs/setup.md",
        "config/dev.exs",
    }
    real = by_path.pop("app/settings.py")
    assert real.severity == Severity.HIGH and SAMPLE_TAG not in real.tags
    for finding in by_path.values():
        assert finding.severity == Severity.LOW, finding.location.path
        assert SAMPLE_TAG in finding.tags and GATE_EXEMPT_TAG in finding.tags
    # even a gate at "low" fails only on the real one
    assert [f.location.path for f in result.gating(Severity.LOW)] == ["app/settings.py"]


def test_gate_samples_setting_lets_samples_gate(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    _seed_token_tree(tmp_path)
    cfg = parse_config({"secrets": {"gate_samples": True}, "jobs": 1}, "redline.toml", sections=[SECTION])
    result = run_secrets(tmp_path, config=cfg)
    # one token: the real place is one item, its four copies in samples another (every place listed)
    gating = sorted(f.location.path for f in result.gating(Severity.LOW))
    assert gating == ["app/settings.py", "config/dev.exs"]
    assert sorted(g.count for g in result.items) == [1, 4]
    assert all(GATE_EXEMPT_TAG not in f.tags for f in result.findings)


# --- look-alikes that must not be reported (built-in rules) ------------------------------------------

_CHECK = SecretsFileCheck()


def scan(path: str, text: str) -> list[tuple[str, int]]:
    """(rule code, line) of every secret the built-in rules report in ``text`` at ``path``."""
    settings = build_settings(Config(jobs=1), Path("."))
    return [(f.rule.code, f.line) for f in scan_blob(settings, _CHECK.core_rules, path, text.encode())]


# values assembled from parts so that no scanner reading this file sees a credential
_HEX = "6be0576ff61c" + "053d5f9a3225e2a90f76"
_STRIPE_PK = "pk_live_" + "51HqLrTJk2mN5xL7yB4cD6eF1gH0iJ2kL3mN4oP5qR6sT7uV8wX9yZ0"
_POSTHOG = "phc_" + "k3J9vQw8ZrT2mN5xL7yB4cD6eF1gH0iJ2kL3mN4oP5q"
_AIZA = "AIza" + "SyD9kP2wfxCQB3tEG569RlC2SRSVqnHoxyH"
_SPKI = "MIGfMA0GCSqGSIb3DQEBAQUAA4" + "GNADCBiQKBgQDlOJu6TyygqxfWT7eLtGDwajtNFOb9I5XRb6khyfD1Yt3YiCgQWMNW6"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        # public by design, each per its provider's documentation (context.PUBLIC_BY_DESIGN)
        ("web/analytics.js", f"posthog.init('{_POSTHOG}', {{api_host: 'https://eu.posthog.com'}})\n"),
        (".env", f"NEXT_PUBLIC_POSTHOG_KEY={_POSTHOG}\nSTRIPE_PUBLISHABLE_KEY={_STRIPE_PK}\n"),
        ("src/pay.ts", f'const STRIPE_KEY = "{_STRIPE_PK}";\n'),
        (
            "web/firebase.js",
            f'const firebaseConfig = {{\n  apiKey: "{_AIZA}",\n  authDomain: "shop.firebaseapp.com",\n}};\n',
        ),
        (".env", f"ALGOLIA_SEARCH_API_KEY={_HEX}\n"),
        ("src/search.js", f"const client = algoliasearch('LATENCY9XY', '{_HEX}');\n"),
        ("src/sentry.js", f"Sentry.init({{ dsn: 'https://{_HEX[::-1]}@o1.ingest.sentry.io/4504' }})\n"),
        ("src/keys.py", f'PUBLIC_KEY = "{_SPKI}"\n'),
        # placeholders and defaults
        (".env", "SECRET_KEY=secret\nDB_PASSWORD=password\nAPI_KEY=<your-key>\nTOKEN=changeit\n"),
        (".env", "GOOGLE_API_KEY=GOOGLE_API_KEY_VAL\nSTRIPE_SECRET=YOUR_STRIPE_SECRET\n"),
        # AzureTRE e2e_tests/.env.sample: a description of the value in angle brackets, spaces and all
        (
            ".env",
            "TEST_USER_PASSWORD=<password for custom e2e tester user>\nAPP_SECRET=<workspace app client secret>\n",
        ),
        (".env", "SECRET_KEY=changethis\nPOSTGRES_PASSWORD=changethis\n"),  # full-stack-fastapi-template's placeholder
        (".env", "POSTGRES_ASTRONOMY_PASSWORD=astronomy_password\nAPI_TOKEN=ci-api-token\n"),  # names, not values
        ("app/config.py", "password = 'changeit'\nSECRET_KEY = '%(SECRET_KEY)s'\n"),
        ("chart/templates/secret.yaml", "  password: {{ .Values.dbPassword }}\n"),
        ("docker-compose.yml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"),
        # package names holding "password" next to versions; a public key in a vendored bundle
        ("pnpm-lock.yaml", "importers:\n  .:\n    dependencies:\n      password-validator: 5.3.0-beta.2x\n"),
        ("package-lock.json", '{"dependencies": {"generate-password": "^1.7.1", "password-hash": "1.2.2-rc.7b"}}\n'),
        ("package.json", '{"dependencies": {"generate-password": "^1.7.1"}}\n'),
        (
            "static/vendor/jsencrypt.min.js",
            f'var e="-----BEGIN PUBLIC KEY-----\\n{_SPKI}\\n-----END PUBLIC KEY-----",'
            f't={{password:"kP9wfx{_HEX[:8]}"}};\n',
        ),
    ],
)
def test_look_alikes_not_reported(path: str, text: str) -> None:
    assert scan(path, text) == []


# remark42's backend/vendor/: a vendored library's mock OAuth server, and go-yaml's scanner
_MOCK_OAUTH = 'res := `{\n  "access_token":"MTQ0NjJkZmQ5' + 'OTM2NDE1ZTZjNGZmZjI3",\n  "token_type":"bearer",\n}`\n'
_GO_YAML = "if !literal {\n\ttoken.style = yaml_FOLDED_SCALAR_STYLE\n}\n"
_LITERAL = "Vq7Nw2Lx9Kp4" + "Zt8Rm3Hs6Jd1"
_RPC_TYPES = "  regenerate_token: rpcMethodTypeContainer<\n  set_password: rpcMethodTypeContainer<\n"


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        # generic keyword rules do not read another project's code copied into the tree
        ("backend/vendor/github.com/go-pkgz/auth/provider/dev_provider.go", _MOCK_OAUTH, []),
        ("backend/app/auth/provider.go", _MOCK_OAUTH, [("SEC438", 2)]),
        # provider formats still do
        ("backend/vendor/github.com/acme/client/client.go", f'const token = "{TOKEN}"\n', [("SEC150", 1)]),
        # an unquoted name in a program is a variable, not the value; in YAML or .env it is the value
        ("backend/vendor/go.yaml.in/yaml/v3/scannerc.go", _GO_YAML, []),
        ("pkg/yaml/scannerc.go", _GO_YAML, []),
        ("app/settings.py", f"API_TOKEN = {_LITERAL}\n", []),
        ("deploy/values.yaml", f"api_token: {_LITERAL}\n", [("SEC440", 1)]),
        (".env", f"API_TOKEN={_LITERAL}\n", [("SEC901", 1)]),
        ("scripts/deploy.sh", f"export API_TOKEN={_LITERAL}\n", [("SEC439", 1)]),
        ("app/settings.py", f'API_TOKEN = "{_LITERAL}"\n', [("SEC438", 1)]),
        # mathesar's RPC type map: a key naming a token or password whose value opens a generic type's arguments
        ("src/api/rpc/forms.ts", _RPC_TYPES, []),
        ("config/rpc.yaml", _RPC_TYPES, [("SEC440", 1), ("SEC437", 2)]),  # in YAML the words are the values
        ("src/api/rpc/forms.ts", "const cfg = {\n  api_token: settings.apiToken,\n};\n", []),  # a dotted name
        # langfuse's webhook helper: an optional chain is a name too
        (
            "src/hooks.ts",
            "return {\n  newUnencryptedWebhookSecret: existingActionConfig?.secretKey\n    ? undefined\n    : k,\n};\n",
            [],
        ),
    ],
)
def test_vendored_code_and_names_in_programs(path: str, text: str, found: list[tuple[str, int]]) -> None:
    assert scan(path, text) == found


# umami's public/intl/messages/*.json and memos' web/src/locales/*.json: the word "password" translated,
# under password and key names
_CATALOGUE = (
    '{\n  "label": {\n    "password": "Contraseña",\n    "change-password": "パスワードの変更",\n'
    '    "confirm-password": "ยืนยันรหัสผ่าน",\n    "incorrect-username-password": "用户名或密码不正确。",\n'
    '    "new-password": "Новый_пароль",\n    "smtp-password": "SMTP-wachtwoord",\n'
    '    "lt-password": "Slaptažodis",\n'
    '    "accesskey-description": "バケットまたはS3互換サービスのアクセスキーID。",\n'
    '    "km-password": "ពាក្យសម្ងាត់\u200bថ្មី"\n  }\n}\n'
)


def test_translated_words_under_password_keys_are_not_secrets() -> None:
    assert scan("public/intl/messages/es-ES.json", _CATALOGUE) == []
    # outline's shared/i18n/locales/da_DK/translation.json: "secret" translated, in ASCII letters
    danish = '{\n  "OAuth client secret": "OAuth-klienthemmelighed",\n  "API token": "Adgangstoken_til_API"\n}\n'
    assert scan("shared/i18n/locales/da_DK/translation.json", danish) == []
    assert scan("shared/config/oauth.json", danish) == [("SEC438", 2), ("SEC438", 3)]  # not a catalogue: values
    # NodeBB's public/language/ja/error.json: a message that quotes a field name in backticks
    message = "マスタートークンが受信されましたが、リクエストボディに`_uid`が含まれていません"
    japanese = '{\n  "api.master-token-no-uid": "' + message + '"\n}\n'
    assert scan("public/language/ja/error.json", japanese) == []
    # pocket-id's frontend/messages/da.json (Paraglide): a catalogue named by its language in messages/ (its "ID-token-
    # payload" names its own key, which ``names_itself`` now says alone; a label naming another word stands in)
    paraglide = '{\n  "id_token_payload": "ID-token-Nutzdaten"\n}\n'
    assert scan("frontend/messages/da.json", paraglide) == []
    assert scan("frontend/messages/payload.json", paraglide) == [("SEC438", 2)]  # named by no language
    # mailcow's data/web/lang/lang.ca-es.json: a form's label keeps its colon
    assert scan("data/web/lang/lang.ca-es.json", '{\n  "password": "Constrasenya:"\n}\n') == []
    assert scan("data/web/config/app.json", '{\n  "password": "Constrasenya:"\n}\n') != []  # not a catalogue
    # baserow's web-frontend/modules/core/locales/fr.json: French typography's narrow no-break space before "?"
    french = '{\n  "forgotPassword": "Oublié\u202f?",\n  "resetPassword": "Réinitialiser\u00a0!"\n}\n'
    assert scan("web-frontend/modules/core/locales/fr.json", french) == []
    assert scan("web-frontend/config/app.json", french) == [("SEC435", 2), ("SEC435", 3)]  # not a catalogue
    with_digit = '{\n  "OAuth client secret": "Kx7Qm2Zp4Ld8-Vq7Nw2Lx9"\n}\n'
    assert scan("shared/i18n/locales/da_DK/translation.json", with_digit) == [("SEC438", 2)]
    # a chosen password with a digit or a symbol is still one, whatever its script
    assert scan("app/mail.py", 'SMTP_PASSWORD = "Ñandú-Zorro2024!"\n') == [("SEC435", 1)]


# overseerr's src/i18n/locale/*.json: a job's label under a key whose path names a cache ("SettingsJobsCache")
_CACHE_LABELS = (
    '{\n  "components.Settings.SettingsJobsCache.plex-refresh-token": "Testimoni d\'actualització de Plex",\n'
    '  "components.Settings.SettingsJobsCache.plex-access-token": "Plex 새로 고침 토큰",\n'
    '  "components.Settings.SettingsJobsCache.plex-session-token": "Token de actualización de Plex"\n}\n'
)


def test_translated_labels_under_a_data_store_key_are_not_passwords() -> None:
    assert scan("src/i18n/locale/ca.json", _CACHE_LABELS) == []
    # the same words outside a catalogue are the configured value; a value with a digit in a catalogue too
    assert scan("config/settings.json", _CACHE_LABELS) == [("SEC906", 2), ("SEC906", 3), ("SEC906", 4)]
    chosen = '{\n  "components.Settings.SettingsJobsCache.plex-refresh-token": "Plex Refresh 2024 Token"\n}\n'
    assert scan("src/i18n/locale/en.json", chosen) == [("SEC906", 2)]


# shaped like a GitLab OAuth application secret (SEC162), written split so no scanner reads it here
_GLOAS = "gloa" + "s-f79cfa9a03c97f6ffab303177a5a6778a53c61e3914ba093412f68a9298a1b28"


def test_a_form_fields_placeholder_is_an_example_not_a_secret() -> None:
    """plane's admin form shows a made-up GitLab secret as the input's placeholder; HTML and JSON forms do
    the same. The same value assigned to anything else is still a secret."""
    assert scan("admin/gitlab/form.tsx", f'const fields = [{{\n  placeholder: "{_GLOAS}",\n}}];\n') == []
    assert scan("admin/form.html", f'<input name="secret" placeholder="{_GLOAS}">\n') == []
    assert scan("admin/form.json", f'{{"placeholder": "{_GLOAS}"}}\n') == []
    assert scan("admin/gitlab/form.tsx", f'const fields = [{{\n  defaultValue: "{_GLOAS}",\n}}];\n') == [("SEC162", 2)]


def test_public_context_needs_its_markers() -> None:
    """The same shapes without the context that makes them public are still reported."""
    assert scan("app/settings.py", f'GOOGLE_API_KEY = "{_AIZA}"\n') == [("SEC106", 1)]
    assert scan("app/settings.py", f'ALGOLIA_ADMIN_KEY = "{_HEX}"\n') != []
    assert scan("src/db.js", f'const x = {{password: "kP9wfx{_HEX[:8]}"}};\n') == [("SEC435", 1)]
    # a real value that merely contains angle brackets is still a value
    assert scan(".env", f"APP_SECRET=<{_HEX}\n") != []


_DEV_COMPOSE = """services:
  web:
    build: .
    command: gunicorn --reload app:app
    volumes:
      - ./:/app
  db:
    image: postgres:16
    environment:
      - POSTGRES_USER=shop
      - POSTGRES_PASSWORD=Sh0pLocal2024
"""


def test_credentials_in_a_development_compose_file_take_the_context_step(
    tmp_path: Path, run_secrets: Callable[..., AuditResult]
) -> None:
    """kuma's and saleor's development compose files (source mounted, `--reload`) are not named like one: their
    database passwords are a laptop's, reported low, apart and not gating, in the value's samples item. The same
    file without the development service, and the same value in code, keep theirs."""
    (tmp_path / "stack").mkdir()
    (tmp_path / "stack" / "docker-compose.yml").write_text(_DEV_COMPOSE)
    (tmp_path / "deploy").mkdir()
    deploy = _DEV_COMPOSE.replace("    command: gunicorn --reload app:app\n", "").replace("      - ./:/app\n", "")
    (tmp_path / "deploy" / "docker-compose.yml").write_text(deploy.replace("volumes:\n", "volumes: []\n"))
    result = run_secrets(tmp_path)
    by_path = {(f.location.path, f.location.start_line): f for f in result.findings}
    assert set(by_path) == {("stack/docker-compose.yml", 11), ("deploy/docker-compose.yml", 9)}
    dev, deployed = by_path[("stack/docker-compose.yml", 11)], by_path[("deploy/docker-compose.yml", 9)]
    assert SAMPLE_TAG in dev.tags and GATE_EXEMPT_TAG in dev.tags and dev.severity == Severity.LOW
    assert dev.group.startswith("secret:sample:") and "development compose file" in dev.message
    assert SAMPLE_TAG not in deployed.tags and deployed.group.startswith("secret:code:")


def test_the_project_folder_mounted_as_pwd_is_a_development_container(
    tmp_path: Path, run_secrets: Callable[..., AuditResult]
) -> None:
    """Argus's compose file builds `.` and mounts `${PWD}:/argus` (the folder compose runs from, the build context):
    code edited live, a laptop's database password. Mounting another host folder is no such thing."""
    body = "services:\n  app:\n    build: .\n    environment:\n      - POSTGRES_PASSWORD=HahF9araeKoo\n"
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "docker-compose.yml").write_text(body + "    volumes:\n      - ${PWD}:/argus\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "docker-compose.yml").write_text(body + "    volumes:\n      - ${PWD}/data:/srv/data\n")
    found = {f.location.path: f for f in run_secrets(tmp_path).findings}
    assert sorted(found) == ["data/docker-compose.yml", "live/docker-compose.yml"]
    assert "development compose file" in found["live/docker-compose.yml"].message
    assert SAMPLE_TAG not in found["data/docker-compose.yml"].tags


_NOT_FOR_PRODUCTION = """\
# This docker compose setup configures the server and its database.
#
# NOTE: please do not use this configuration for production setups.
# This is intended to be used for demo, development, and learning
# purposes only.

services:
  web:
    image: example/web:1.4
    environment:
      DATABASE_URL: "postgres://postgres:HahF9araeKoo@db/db"
"""


@pytest.mark.parametrize(
    ("header", "development"),
    [
        ("", True),  # unleash's docker-compose-enterprise.yml, as it opens
        ("# Not meant for production.\n", True),
        ("# For local development purposes only\n", True),
        # look-alikes: advice about a value, a pointer to another file, or words after the first key
        ("# Do not use the default password in production: set POSTGRES_PASSWORD.\n", False),
        ("# For production, use deploy/docker-compose.prod.yml\n", False),
        # DefectDojo's, its production install method
        ("# This file is not intended for production use without first customizing it.\n", False),
    ],
)
def test_a_compose_file_that_says_it_is_not_for_production_is_a_development_file(
    tmp_path: Path, run_secrets: Callable[..., AuditResult], header: str, development: bool
) -> None:
    text = _NOT_FOR_PRODUCTION if not header else header + _NOT_FOR_PRODUCTION.split("\n\n", 1)[1]
    (tmp_path / "docker-compose-enterprise.yml").write_text(text)
    [found] = run_secrets(tmp_path).findings
    assert (
        found.location.start_line
        == text.splitlines().index('      DATABASE_URL: "postgres://postgres:HahF9araeKoo@db/db"') + 1
    )
    assert ("development compose file" in found.message) is development
    assert (found.severity == Severity.LOW) is development


def test_words_after_the_first_key_are_not_the_files_header(
    tmp_path: Path, run_secrets: Callable[..., AuditResult]
) -> None:
    text = _NOT_FOR_PRODUCTION.split("\n\n", 1)[1] + "# please do not use this configuration for production\n"
    (tmp_path / "docker-compose.yml").write_text(text)
    [found] = run_secrets(tmp_path).findings
    assert "development compose file" not in found.message


def test_a_default_for_a_database_on_this_machine_is_a_local_development_value(
    tmp_path: Path, run_secrets: Callable[..., AuditResult]
) -> None:
    """saleor's and kuma's settings fall back to `postgres://saleor:saleor@localhost/saleor` when DATABASE_URL is
    unset: a default credential for the developer's own database takes the context step. A default for a real
    host and a chosen password for localhost are reported as before."""
    (tmp_path / "settings.py").write_text(
        'LOCAL = "postgres://shop:shop@localhost:5432/shop"\n'
        'LOOP = "postgres://postgres:postgres@127.0.0.1/shop"\n'
        'REMOTE = "postgres://shop:shop@db.shop.example.net/shop"\n'
        'CHOSEN = "postgres://shop:Xk92mQ7vLp3Zt8@localhost/shop"\n'
    )
    result = run_secrets(tmp_path)
    by_line = {f.location.start_line: f for f in result.findings if f.location.path == "settings.py"}
    assert sorted(by_line) == [1, 2, 3, 4]
    for line in (1, 2):
        f = by_line[line]
        assert (f.rule, f.severity) == ("SEC907", Severity.LOW) and SAMPLE_TAG in f.tags, line
        assert f.group.startswith("secret:sample:") and "local development default" in f.message
    assert by_line[3].rule == "SEC907" and SAMPLE_TAG not in by_line[3].tags
    assert by_line[4].rule == "SEC906" and SAMPLE_TAG not in by_line[4].tags


# --- evidence that a secret in a test path is real all the same (checks/secrets/checksum.py) ----------------------

# 30 characters and their CRC32 in base62, worked out by hand: crc32 = 1500047389 = "1dW2qj" (0-9, A-Z, a-z)
_BODY = "Zk3pQ8vW1xY7tR2mN5bC0dF4gH6jK9"
_ISSUED = "ghp_" + _BODY + "1dW2qj"
_MADE_UP = "ghp_" + _BODY + "1dW2qk"  # one character off: the checksum fails


def test_the_built_in_checksum_of_github_and_npm_tokens() -> None:
    from redline.checks.secrets.checksum import checksum_valid, real_anyway
    from redline.checks.secrets.verify import Status

    assert checksum_valid(_ISSUED)
    assert checksum_valid("npm_" + _BODY + "1dW2qj")
    assert checksum_valid("ghs_" + _BODY + "1dW2qj")
    for value in (_MADE_UP, TOKEN, "ghp_" + _BODY, "xyz_" + _BODY + "1dW2qj", "github_pat_" + _BODY + "1dW2qj"):
        assert not checksum_valid(value), value
    assert real_anyway(_MADE_UP, Status.LIVE).startswith("the provider accepted it")
    assert real_anyway(_ISSUED).startswith("the token's built-in checksum validates")
    assert real_anyway(_ISSUED, Status.INVALID) == ""  # revoked: the provider's answer wins
    assert real_anyway(_MADE_UP) == ""


def test_an_issued_token_in_a_test_file_is_not_lowered(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_issued.py").write_text(f'token = "{_ISSUED}"\n')
    (tmp_path / "tests" / "test_made_up.py").write_text(f'token = "{_MADE_UP}"\n')
    result = run_secrets(tmp_path)
    by_path = {f.location.path: f for f in result.findings}
    assert set(by_path) == {"tests/test_issued.py", "tests/test_made_up.py"}
    issued, made_up = by_path["tests/test_issued.py"], by_path["tests/test_made_up.py"]
    assert SAMPLE_TAG not in issued.tags and GATE_EXEMPT_TAG not in issued.tags
    assert issued.severity == Severity.HIGH and str(issued.confidence) == "high"
    assert "checksum validates" in str(issued.evidence["real_in_context"])
    assert "but the token's built-in checksum validates" in issued.message
    assert issued.group.startswith("secret:code:")
    assert SAMPLE_TAG in made_up.tags and made_up.severity == Severity.LOW
    assert [f.location.path for f in result.gating(Severity.LOW)] == ["tests/test_issued.py"]


# alphagov/govuk-infrastructure: detect-secrets' baseline keeps a SHA-1 of each secret it saw, and Argo CD's
# `$<secret>:<key>` points into a Kubernetes Secret; neither is a credential
_BASELINE = (
    '{\n  "results": {\n    "main.tf": [\n      {\n        "type": "AWS Access Key",\n'
    '        "hashed_secret": "' + _HEX + '",\n        "line_number": 82\n'
    "      }\n    ]\n  }\n}\n"
)
_ARGO = (
    'locals {\n  oidc = yamlencode({\n    clientID     = "$dex-client-argocd:clientID"\n'
    '    clientSecret = "$dex-client-argocd:clientSecret"\n  })\n}\n'
)


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        (".secrets.baseline", _BASELINE, []),
        ("config/keys.py", f'API_TOKEN_SHA256 = "{_HEX}"\n', []),
        ("config/keys.py", f'secret_digest = "{_HEX}"\n', []),
        # an identifier of the key (a service-account file's private_key_id), not the key
        ("config/keys.json", f'{{"private_key_id": "{_HEX}"}}\n', []),
        ("config/keys.py", f'clientSecretId = "{_HEX}"\n', []),
        # the same values under keys that do not say "hash": the value itself
        ("config/keys.json", _BASELINE.replace("hashed_secret", "client_secret"), [("SEC438", 6)]),
        ("config/keys.py", f'API_TOKEN = "{_HEX}"\n', [("SEC438", 1)]),
        ("terraform/argo.tf", _ARGO, []),
        # upper case is no Kubernetes Secret name: a value that only starts with `$`
        (
            "terraform/argo.tf",
            _ARGO.replace("$dex-client-argocd:clientSecret", "$Kx7Qm2Zp4L:" + "d8Vq7Nw2Lx9"),
            [("SEC438", 4)],
        ),
    ],
)
def test_digests_and_argo_cd_references_are_not_secrets(path: str, text: str, found: list[tuple[str, int]]) -> None:
    assert scan(path, text) == found


# privacyIDEA's Makefile: a release-signing key's OpenPGP fingerprint, handed to gpg by name
_FINGERPRINT = "53E66E1D2CABEFCD" + "B1D3B83E106164552E8D8149"
_SIGNING_MAKEFILE = (
    f"SIGNING_KEY={_FINGERPRINT}\n\npypi:\n\tpython setup.py sdist\n"
    "\tgpg --detach-sign -a --default-key ${SIGNING_KEY} dist/*.tar.gz\n"
)


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        ("Makefile", _SIGNING_MAKEFILE, []),
        ("Makefile", _SIGNING_MAKEFILE.replace("${SIGNING_KEY}", "$(SIGNING_KEY)"), []),
        ("scripts/release.sh", f"export SIGNING_KEY={_FINGERPRINT}\ngpg -u $SIGNING_KEY --clearsign notes\n", []),
        ("scripts/release.sh", f"export GPG_SIGNING_KEY={_FINGERPRINT}\n", []),
        ("scripts/release.sh", f"export RELEASE_SIGNING_KEY={_FINGERPRINT}\ngpg --recv-keys {_FINGERPRINT}\n", []),
        # no gpg in sight: forty hex digits under a signing key's name may be an HMAC key
        ("scripts/release.sh", f"export SIGNING_KEY={_FINGERPRINT}\n", [("SEC439", 1)]),
        (
            "scripts/release.sh",
            f"export JWT_SIGNING_KEY={_FINGERPRINT}\ngpg -u $OTHER_KEY --clearsign x\n",
            [("SEC439", 1)],
        ),
        # gpg's own key, but forty-one digits: no fingerprint
        ("scripts/release.sh", f"export GPG_SIGNING_KEY={_FINGERPRINT}A\n", [("SEC439", 1)]),
    ],
)
def test_an_openpgp_fingerprint_names_a_public_key(path: str, text: str, found: list[tuple[str, int]]) -> None:
    assert scan(path, text) == found


# privacyIDEA's static/contrib/js/angular.js: AngularJS's own documentation sets an example Basic header
_BASIC = "Authorization = 'Basic " + "bXlhcHA6UzNjcjN0UGFzcw==';"
_ANGULAR_BANNER = (
    "/**\n * @license AngularJS v1.8.3\n * (c) 2010-2020 Google LLC. http://angularjs.org\n * License: MIT\n */\n"
)
_ANGULAR_BODY = f"(function(window) {{\n/**\n *   $http.defaults.headers.common.{_BASIC}\n */\n}})(window);\n"


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        ("app/static/contrib/js/angular.js", _ANGULAR_BANNER + _ANGULAR_BODY, []),
        (
            "app/static/lib/bootstrap.css",
            f"/*!\n * Bootstrap v3.4.1 (https://getbootstrap.com/)\n * Copyright 2011-2019\n */\n/* {_BASIC} */\n",
            [],
        ),
        (
            "app/static/ui.js",
            "/*\n * angular-ui-bootstrap\n\n * Version: 2.5.6 - 2017-10-14\n * License: MIT\n */\n" + _ANGULAR_BODY,
            [],
        ),
        # the app's own file: no release banner, or a banner without a licence, or one not at the top
        ("app/static/contrib/js/app.js", _ANGULAR_BODY, [("SEC442", 3)]),
        ("app/static/contrib/js/app.js", "/* AngularJS v1.8.3 helpers */\n" + _ANGULAR_BODY, [("SEC442", 4)]),
        ("app/static/contrib/js/app.js", "const x = 1;\n" + _ANGULAR_BANNER + _ANGULAR_BODY, [("SEC442", 9)]),
        # a banner does not hide a provider's format
        ("app/static/contrib/js/angular.js", _ANGULAR_BANNER + f'var t = "{TOKEN}";\n', [("SEC150", 6)]),
    ],
)
def test_a_library_copied_into_static_files_is_known_by_its_release_banner(
    path: str, text: str, found: list[tuple[str, int]]
) -> None:
    assert scan(path, text) == found


# privacyIDEA's tools/privacyidea-migrate-linotp.py prints this for --help
_EXAMPLE_URL = "mysql+pymysql://pi:" + "QEK_k_f3SGbu" + "@db.internal/pi"
_EXAMPLE_TOOL = (
    'import json\n\nEXAMPLE_CONFIG_FILE = """{\n    "SQL": {\n'
    f'        "PRIVACYIDEA_URI": "{_EXAMPLE_URL}",\n'
    '        "INSERT_CHUNK_SIZE": 10000\n    }\n}"""\n\n'
    f'PRODUCTION_URI = "{_EXAMPLE_URL}"\n'
)


def test_a_value_in_a_string_named_as_an_example_takes_the_context_step(
    tmp_path: Path, run_secrets: Callable[..., AuditResult]
) -> None:
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "migrate.py").write_text(_EXAMPLE_TOOL)
    (tmp_path / "tools" / "settings.js").write_text(
        f"const sampleSettings = `\nDATABASE_URL={_EXAMPLE_URL}\n`;\nconst live = `{_EXAMPLE_URL}`;\n"
    )
    result = run_secrets(tmp_path)
    found = sorted((f.location.path, f.location.start_line, f.rule, f.severity) for f in result.findings)
    assert found == [
        ("tools/migrate.py", 5, "SEC906", Severity.LOW),  # inside EXAMPLE_CONFIG_FILE's string
        ("tools/migrate.py", 10, "SEC906", Severity.HIGH),  # the string closed: a constant of its own
        ("tools/settings.js", 2, "SEC906", Severity.LOW),
        ("tools/settings.js", 4, "SEC906", Severity.HIGH),
    ]
    lowered = [f for f in result.findings if f.severity == Severity.LOW]
    assert all(SAMPLE_TAG in f.tags and "names as an example" in f.message for f in lowered)


# ckan: a factory table and setup.cfg's entry points name objects by import path under token-like keys
@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        ("ckan/cli/generate.py", '_factories = {\n    "api-token": "ckan.tests.factories:APIToken",\n}\n', []),
        (
            "setup.cfg",
            "[options.entry_points]\nckan.plugins =\n"
            "    expire_api_token = ckanext.expire_api_token.plugin:ExpireApiTokenPlugin\n",
            [],
        ),
        # a value with digits after the colon, or an upper-case "module", is no import path
        ("app/config.py", 'API_TOKEN = "svc.deploy:' + 'Xk29fj3kdQ7Lm"\n', [("SEC438", 1)]),
        ("app/config.py", 'API_TOKEN = "Svc.Deploy:' + 'XkrfjkdQLmWvTz"\n', [("SEC438", 1)]),
    ],
)
def test_an_import_path_under_a_token_key_names_an_object(path: str, text: str, found: list[tuple[str, int]]) -> None:
    assert scan(path, text) == found


# Indico's rb client: Redux action types name themselves
@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        ("client/js/config/actions.js", "export const SET_ROOMS_SPRITE_TOKEN = 'config/SET_ROOMS_SPRITE_TOKEN';\n", []),
        ("client/js/auth.ts", 'export const TOKEN_REFRESHED = "auth:token_refreshed";\n', []),
        # a private field naming a WebDAV property (Radicale's web client)
        ("web/js/models/collection.js", '    static #_SHARE_TOKEN = "RADICALE:share-token";\n', []),
        # a value that only holds another name, or its own name somewhere else than at its end, is read
        (
            "client/js/config/actions.js",
            "export const SPRITE_TOKEN = 'Zq8Kx2SPRITE_TOKENvB7mW3pL9';\n",
            [("SEC438", 1)],
        ),
        ("web/js/models/collection.js", '    static #_SHARE_TOKEN = "RADICALE:share-Zq8Kx2vB7mW3";\n', [("SEC438", 1)]),
    ],
)
def test_a_value_that_ends_with_its_own_name_is_a_label(path: str, text: str, found: list[tuple[str, int]]) -> None:
    assert scan(path, text) == found


# a service-account file's shape with a generated key; the identifiers decide (wikimedia's push-notifications chart
# ships it with "dummyproject" and a key id of forty 1s)
_KEY_BODY = "MII" + "Ev0BFcB0vuBZrwJ8W+bpML3M0YkaQPQ1kJfx684I1TOVyoAidVL/PTxOJkhzWriCw8" + "\\n/kxdkgAiwMpzQPMOM41SoBp7"


def _service_account(project: str, key_id: str, email: str) -> str:
    return (
        'notifications:\n  google: |-\n    {\n    "type": "service_account",\n'
        f'    "project_id": "{project}",\n    "private_key_id": "{key_id}",\n'
        '    "private_key": "-----BEGIN ' + "PRIVATE KEY-----\\n" + _KEY_BODY + '\\n-----END PRIVATE KEY-----\\n",\n'
        f'    "client_email": "{email}"\n    }}\n'
    )


@pytest.mark.parametrize(
    ("project", "key_id", "email", "found"),
    [
        ("dummyproject", "1" * 40, "f" * 23 + "@g111.com", []),
        ("my-project", "9c930c836d952077f49179fe2f9e4cdbdde0a242", "ci@my-project.iam.gserviceaccount.com", []),
        # real identifiers: a real key file
        (
            "billing-prod",
            "9c930c836d952077f49179fe2f9e4cdbdde0a242",
            "ci@billing-prod.iam.gserviceaccount.com",
            [("SEC105", 7)],
        ),
    ],
)
def test_a_key_file_whose_identifiers_are_stand_ins_is_one(
    project: str, key_id: str, email: str, found: list[tuple[str, int]]
) -> None:
    assert scan("charts/push-notifications/values.yaml", _service_account(project, key_id, email)) == found


# nautobot's settings.yaml documents each setting in Markdown: the example of NAPALM_ARGS shows an api_key
SETTINGS_DOCS = """napalm_args:
  default: {}
  details: |-
    Example:

    ```python
    NAPALM_ARGS = {
        'api_key': '472071a93b60a1bd1fafb401d9f8ef41',
    }
    ```
plugin:
  api_key: '9c0a6e1d2b3f4e5a6b7c8d9e0f1a2b3c'
"""


def test_a_keyword_match_in_a_markdown_code_block_is_a_documented_example(tmp_path: Path) -> None:
    from audit_helpers import findings_of

    (tmp_path / "settings.yaml").write_text(SETTINGS_DOCS)
    got = {f.location.start_line: f for f in findings_of(tmp_path, SecretsFileCheck())}
    assert sorted(got) == [8, 12]
    assert got[8].severity is Severity.LOW and SAMPLE_TAG in got[8].tags
    assert "(an example in documentation text)" in got[8].message
    assert SAMPLE_TAG not in got[12].tags  # after the block closes: a configured value


def test_a_key_that_names_a_setting_about_the_secret_holds_no_secret() -> None:
    """awx's scheduler/kubernetes.py: the name template of a pull secret and the Secret's type, under keys whose last
    word (``name``, ``type``) says they describe the secret; the same values under a key naming the secret fire."""
    awx = (
        '        secret_name = "automation-{0}-image-pull-secret-{1}".format(uuid, cred)\n'
        '        secret.type = "kubernetes.io/dockerconfigjson"\n'
    )
    assert scan("awx/main/scheduler/kubernetes.py", awx) == []
    kept = f'        pull_secret = "{_LITERAL}-{_LITERAL}"\n'
    assert scan("awx/main/scheduler/kubernetes.py", kept) == [("SEC438", 1)]
    # a URL setting that carries credentials in it is read whatever its key says (DefectDojo's sonar.html sample)
    url = f'$sshUrl = "ssh://user:{_LITERAL}@example.domain"\n'
    assert scan("app/deploy.php", url) == [("SEC444", 1)]


# an OAuth token response as identity-provider clients paste it above the code that reads it (casdoor's idp/*.go,
# Grafana OnCall's Mattermost backend); values assembled so that no scanner reading this file sees a credential
_ACCESS = "d30bedaa4d8e" + "b3128cf35ddc1030e27d"
_REFRESH = "WxFDKwqScZIQ" + "Dm4iWmKDvetyFugM6HkX"


def _token_response(extra: str = '        "expires_in": 1630220614,\n') -> str:
    return f'{{\n        "access_token": "{_ACCESS}",\n{extra}        "refresh_token": "{_REFRESH}"\n}}\n'


_PASSPHRASE = "UAWOHW#&@_%!" + "tnwmxh832025"


def _lemur_view(introduction: str) -> str:
    """A view whose docstring shows a keystore export's body below ``introduction``; the passphrase on line 6."""
    return (
        'def post(self):\n    """\n'
        f"           {introduction}"
        "              {\n"
        '                "data": "base64encodedstring",\n'
        f'                "passphrase": "{_PASSPHRASE}",\n'
        '                "extension": "jks"\n'
        "              }\n"
        '    """\n'
    )


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        ("idp/bilibili.go", "package idp\n\n// GetToken\n/*\n" + _token_response() + "*/\n", []),
        (
            "apps/social_auth/backends.py",
            'def get_user_details(self, response):\n    """\n    Sample response\n'
            + _token_response('        "token_type": "bearer",\n')
            + '    """\n    return response\n',
            [],
        ),
        ("docs/notes.py", "".join(f"# {line}\n" for line in _token_response().splitlines()), []),
        # look-alikes: the same object in code (a mock the client is handed), a commented object without the token
        # response's fields, and a provider's own token format in the sample
        ("idp/mock.go", "package idp\n\nvar resp = `\n" + _token_response() + "`\n", [("SEC438", 5), ("SEC438", 7)]),
        (
            "idp/bilibili.go",
            "package idp\n\n/*\n" + _token_response('        "name": "zhangsan",\n') + "*/\n",
            [("SEC438", 5), ("SEC438", 7)],
        ),
        (
            "idp/github.go",
            "package idp\n\n/*\n" + _token_response().replace(_ACCESS, TOKEN) + "*/\n",
            [("SEC150", 5)],  # the generic refresh token beside it is still the sample's
        ),
        # Lemur's API docstrings: an object introduced as an example response; the same passphrase in a docstring
        # that introduces no example, and under an introduction but in code, still fire
        (
            "lemur/certificates/views.py",
            _lemur_view("**Example response**:\n\n           .. sourcecode:: http\n\n              HTTP/1.1 200 OK\n"),
            [],
        ),
        ("lemur/certificates/views.py", _lemur_view("The stored keystore:\n"), [("SEC435", 6)]),
        (
            "lemur/certificates/views.py",
            "# Example response\nKEYSTORE = {\n" + f'    "passphrase": "{_PASSPHRASE}",\n' + "}\n",
            [("SEC435", 3)],
        ),
    ],
)
def test_a_sample_request_or_response_in_documentation_is_no_secret(
    path: str, text: str, found: list[tuple[str, int]]
) -> None:
    assert scan(path, text) == found
