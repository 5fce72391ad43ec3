"""The build-context source: what ``COPY .`` takes, listed through the workspace (excludes, size limit)."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import audit_with
from redline.checks.secrets.containers import DockerSecretCheck
from redline.core.config import Config
from redline.core.result import AuditResult

# assembled so that no scanner reading this file sees a token
_NPM_TOKEN = "npm_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def _tree(root: Path, dockerignore: str) -> None:
    app = root / "app"
    app.mkdir(parents=True)
    (app / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . /app\nUSER app\n")
    (app / ".dockerignore").write_text(dockerignore)
    for name in ("id_rsa", "main.py"):
        (app / name).write_text("x\n")
    (app / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={_NPM_TOKEN}\n")  # a token, not only settings
    (app / ".env").write_text("DB_PASSWORD=osMVPi21KwK0Tz\n")  # a credential, not just PORT=3000
    (root / ".gitignore").write_text(".env\n")  # git ignores it, docker build still copies it


def _copied(root: Path, config: Config) -> AuditResult:
    result: AuditResult = audit_with(root, [DockerSecretCheck()], config)
    return result


def test_excludes_and_dockerignore_apply(tmp_path: Path) -> None:
    _tree(tmp_path, "id_rsa\n# comment lines are patterns too, harmlessly\n")
    result = _copied(tmp_path, Config(jobs=1, exclude=("app/.npmrc",)))
    assert [(f.rule, f.location.path, f.location.start_line, f.evidence["file"]) for f in result.findings] == [
        ("SEC905", "app/Dockerfile", 2, ".env")
    ]
    assert not result.errors and not result.skipped


def test_an_oversized_dockerignore_is_not_read_and_says_so(tmp_path: Path) -> None:
    _tree(tmp_path, "id_rsa\n" + "#" * 200 + "\n")
    result = _copied(tmp_path, Config(jobs=1, max_file_size=100))
    assert sorted(f.evidence.text("file") for f in result.findings) == [".env", ".npmrc", "id_rsa"]
    assert [(s.path, s.reason) for s in result.skipped] == [  # the walk's entry, and what it meant for the context
        ("app/.dockerignore", "larger than the size limit (208 > 100 bytes)"),
        ("app/.dockerignore", "larger than the size limit; its patterns were not applied to the build context"),
    ]


def test_an_oversized_dotenv_is_judged_by_its_name_and_says_so(tmp_path: Path) -> None:
    _tree(tmp_path, "id_rsa\n")
    (tmp_path / "app" / ".env").write_text("DB_PASSWORD=osMVPi21KwK0Tz\n" + "# padding\n" * 20)
    result = _copied(tmp_path, Config(jobs=1, max_file_size=150))
    assert [(f.evidence.text("file"), str(f.severity)) for f in result.findings] == [
        (".env", "high"),
        (".npmrc", "high"),
    ]
    assert (
        "app/.env",
        "larger than the size limit; what it would copy into an image was judged by its name alone",
    ) in [(s.path, s.reason) for s in result.skipped]


def test_an_npmrc_of_settings_only_copies_no_credential(tmp_path: Path) -> None:
    """redash's .npmrc (engine-strict, hoisting) is copied by name and with the whole context: nothing secret goes
    into the image. The same COPY of an .npmrc holding a registry token is reported."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "Dockerfile").write_text("FROM node:20\nCOPY package.json .npmrc /frontend/\nCOPY . /app\nUSER node\n")
    (app / ".npmrc").write_text("engine-strict=true\nauto-install-peers=true\n")
    assert _copied(tmp_path, Config(jobs=1)).findings == ()
    (app / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={_NPM_TOKEN}\n")
    found = [
        (f.rule, f.location.start_line, f.evidence.text("file")) for f in _copied(tmp_path, Config(jobs=1)).findings
    ]
    assert found == [("SEC905", 2, ".npmrc"), ("SEC905", 3, ".npmrc")]


def test_the_context_a_compose_file_builds_a_dockerfile_from_is_the_one_read(tmp_path: Path) -> None:
    """redash's .ci/Dockerfile.cypress is built from the repository's root (``context: ../`` in
    .ci/compose.cypress.yaml): its ``COPY .npmrc`` takes the root's .npmrc, settings only, so nothing secret; the
    same Dockerfile with a token in the root's .npmrc is reported, and so is one no compose file builds (its own
    folder holds no .npmrc the source could read)."""
    ci = tmp_path / ".ci"
    ci.mkdir()
    (ci / "Dockerfile.cypress").write_text("FROM node:20\nCOPY package.json .npmrc /app/\nUSER node\n")
    (ci / "Dockerfile.other").write_text("FROM node:20\nCOPY .npmrc /app/\nUSER node\n")
    (ci / "compose.cypress.yaml").write_text(
        "services:\n  cypress:\n    build:\n      context: ../\n      dockerfile: .ci/Dockerfile.cypress\n"
    )
    (tmp_path / ".npmrc").write_text("engine-strict=true\nauto-install-peers=true\n")
    (tmp_path / "package.json").write_text("{}\n")
    found = [(f.location.path, f.location.start_line) for f in _copied(tmp_path, Config(jobs=1)).findings]
    assert found == [(".ci/Dockerfile.other", 2)]
    (tmp_path / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={_NPM_TOKEN}\n")
    found = [(f.location.path, f.location.start_line) for f in _copied(tmp_path, Config(jobs=1)).findings]
    assert found == [(".ci/Dockerfile.cypress", 2), (".ci/Dockerfile.other", 2)]


def test_a_credential_file_copied_from_below_the_context_is_judged_by_its_text(tmp_path: Path) -> None:
    """Flagsmith's root Dockerfile copies ``frontend/.npmrc``, an empty file: no credential goes into the image. The
    same COPY of one holding a registry token is reported, and so is a copied ``.npmrc`` the tree does not hold."""
    (tmp_path / "frontend").mkdir()
    (tmp_path / "Dockerfile").write_text(
        "FROM node:20\nCOPY frontend/package.json frontend/.npmrc ./frontend/\nCOPY api/.npmrc /api/\nUSER node\n"
    )
    (tmp_path / "frontend" / ".npmrc").write_text("")
    found = [(f.location.start_line, f.evidence.text("file")) for f in _copied(tmp_path, Config(jobs=1)).findings]
    assert found == [(3, "api/.npmrc")]
    (tmp_path / "frontend" / ".npmrc").write_text(f"//registry.npmjs.org/:_authToken={_NPM_TOKEN}\n")
    found = [(f.location.start_line, f.evidence.text("file")) for f in _copied(tmp_path, Config(jobs=1)).findings]
    assert found == [(2, "frontend/.npmrc"), (3, "api/.npmrc")]


def test_a_credential_file_copied_out_of_a_build_stage_is_judged_by_its_context_text(tmp_path: Path) -> None:
    """teable's shape: the builder stage copies the context (``WORKDIR /app``, ``COPY . .``) and the image copies
    ``/app/web/.env`` out of it, a file of build flags: no credential goes into the image. The same copy of the API's
    ``.env``, which holds a password, is reported, and so is one of a stage path no copy of the context provides."""
    (tmp_path / "web").mkdir()
    (tmp_path / "api").mkdir()
    (tmp_path / "web" / ".env").write_text("NEXT_BUILD_ENV_OUTPUT=standalone\nNEXT_PUBLIC_SITE=teable\n")
    (tmp_path / "api" / ".env").write_text("DB_PASSWORD=osMVPi21KwK0Tz\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM node:20 AS builder\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN npm run build\n"
        "FROM node:20-slim\n"
        "COPY --from=builder /app/web/.env ./web/.env\n"
        "COPY --from=builder /app/api/.env ./api/.env\n"
        "COPY --from=builder /srv/made-by-run/.env ./.env\n"
        "USER node\n"
    )
    found = [(f.location.start_line, f.evidence.text("file")) for f in _copied(tmp_path, Config(jobs=1)).findings]
    assert found == [(7, "/app/api/.env"), (8, "/srv/made-by-run/.env")]


def test_a_key_file_copied_into_the_image_is_judged_by_what_it_holds(tmp_path: Path) -> None:
    """privacyIDEA's image copies ``deploy/privacyidea/NetKnights.pem``, a public key (what its subscription files are
    checked with): no credential. A ``.pem`` holding a private key, a PuTTY key, and a key file the tree does not
    hold are reported."""
    keys = tmp_path / "deploy" / "keys"
    keys.mkdir(parents=True)
    begin, end = "-----BEGIN ", "-----END "  # assembled so that no scanner reading this file sees a key
    (keys / "NetKnights.pem").write_text(f"{begin}PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B\n{end}PUBLIC KEY-----\n")
    (keys / "tls.pem").write_text(f"{begin}CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n{end}CERTIFICATE-----\n")
    (keys / "server.key").write_text(f"{begin}EC PRIVATE KEY-----\nMHcCAQEEIB4dN3Lp\n{end}EC PRIVATE KEY-----\n")
    (keys / "deploy.ppk").write_text("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\n"
        "COPY deploy/keys/NetKnights.pem deploy/keys/tls.pem /etc/app/\n"
        "COPY deploy/keys/server.key /etc/app/\n"
        "COPY deploy/keys/deploy.ppk /etc/app/\n"
        "COPY deploy/keys/absent.pem /etc/app/\n"
        "USER app\n"
    )
    found = [(f.location.start_line, f.evidence.text("file")) for f in _copied(tmp_path, Config(jobs=1)).findings]
    assert found == [(3, "deploy/keys/server.key"), (4, "deploy/keys/deploy.ppk"), (5, "deploy/keys/absent.pem")]
