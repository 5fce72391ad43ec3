"""Credential files, Kubernetes Secrets and Dockerfiles: what counts and what does not."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from redline.checks.secrets.configfiles import find_config_secrets
from redline.checks.secrets.containers import secret_file_name
from redline.core.result import AuditResult

PW = "osMVPi21KwK0Tz"


@pytest.mark.parametrize(
    ("path", "kind", "text", "expected"),
    [
        (".env", "dotenv", f"export DB_PASSWORD='{PW}'\n", [("DB_PASSWORD", PW)]),
        (".env", "dotenv", f'SECRET_KEY="{PW}" \n', [("SECRET_KEY", PW)]),
        (".env", "dotenv", f"API_TOKEN={PW} # prod\n", [("API_TOKEN", PW)]),
        # an empty value and a comment (next-auth-example's .env.local.example); a value that begins with # is one
        (".env", "dotenv", "AUTH_SECRET= # `npx auth secret` or `openssl rand -hex 32`\n", []),
        (".env", "dotenv", "AUTH_SECRET=\t# openssl rand -hex 32 k8Fq2Lx9\n", []),
        (".env", "dotenv", f"AUTH_SECRET=#{PW}\n", [("AUTH_SECRET", f"#{PW}")]),
        (".env", "dotenv", "DB_PASSWORD=\nDB_PASSWORD=${DB_PASSWORD}\nSECRET=$(cat /run/s)\nTOKEN_TTL=3600\n", []),
        (".env", "dotenv", "DEBUG_TOKEN=true\nPASSWORD=xxxxxxxxxx\nAPI_KEY=<api-key>\nSECRET=changeme\n", []),
        (".env", "dotenv", f"MONGO_URI=mongodb://app:{PW}@db/app\nREDIS_URL=redis://cache:6379\n", [("MONGO_URI", PW)]),
        (".env", "dotenv", f"USERNAME={PW}\nHOST={PW}\n", []),  # not secret-looking keys
        (".env", "dotenv", "DB_PASSWORD_FILE=/run/secrets/db\nSECRET_KEY_PATH=./keys/app.key\nTOKEN_TTL_S=3600\n", []),
        (".env", "dotenv", "BROKER_URL=amqp://guest@rabbit//\nMAILER_DSN=null://null\n", []),
        # limits and lifetimes set for a key are not the key (plane's variables.env); the key beside them is
        (
            ".env",
            "dotenv",
            f"API_KEY_RATE_LIMIT=60/minute\nSESSION_TOKEN_MAX_AGE=1209600s\nAPI_KEY={PW}\n",
            [("API_KEY", PW)],
        ),
        (
            ".npmrc",
            "credentials-config",
            f"_auth={base64.b64encode(PW.encode()).decode()}\n",
            [("_auth", base64.b64encode(PW.encode()).decode())],
        ),
        (".npmrc", "credentials-config", "//r.test/:_authToken=${NPM_TOKEN}\nalways-auth=true\n", []),
        (".pypirc", "credentials-config", f"[pypi]\nusername: __token__\npassword: {PW}\n", [("password", PW)]),
        (".netrc", "credentials-config", f"machine a.test\n  login me\n  password {PW}\n", [("password", PW)]),
        (".git-credentials", "credentials-config", "https://me@github.com\n", []),
        ("sub/.git-credentials", "credentials-config", f"https://me:{PW}@github.com\n", [("password", PW)]),
        ("config.ini", "ini", f"password = {PW}\n", []),  # not a credential file: provider rules only
    ],
)
def test_config_secrets(path: str, kind: str, text: str, expected: list[tuple[str, str]]) -> None:
    found = find_config_secrets(path, kind, text.encode())
    assert [(c.key, c.secret) for c in found] == expected
    for c in found:
        assert text.encode()[c.start : c.end].decode() == c.secret


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        (".env", True),
        (".env.production", True),
        ("prod.env", True),
        ("id_rsa", True),
        ("id_ed25519", True),
        ("server.pem", True),
        ("tls.key", True),
        (".npmrc", True),
        ("gcp-credentials.json", True),
        (".env.example", False),
        ("id_rsa.pub", False),
        ("app.py", False),
        ("environment.yml", False),
    ],
)
def test_secret_file_names(name: str, secret: bool) -> None:
    assert secret_file_name(name) is secret


def test_kubernetes_secret_details(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    cert = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()
    binary = base64.b64encode(bytes(range(200, 256))).decode()
    (tmp_path / "s.yaml").write_text(f"""apiVersion: v1
kind: Secret
metadata:
  name: tls
  annotations:
    redline.dev/ignore: SEC903=rotated weekly by cert-manager
data:
  tls.crt: {cert}
  ca.pem: {cert}
  keystore.jks: {binary}
  broken: "!!notbase64!!"
---
apiVersion: v1
kind: Secret
metadata:
  name: api
stringData:
  token: "{PW}"
  password: "${{DB_PASSWORD}}"
---
apiVersion: v1
kind: Secret
metadata:
  name: demo-db
type: servicebinding.io/postgresql
stringData:
  type: "postgresql"
  provider: "postgresql"
  host: "demo-db"
  password: "{PW}"
---
apiVersion: v1
kind: Secret
metadata:
  name: shynet-settings
stringData:
  TIME_ZONE: "America/New_York"
  CELERY_BROKER_URL: "redis://shynet-redis.default.svc.cluster.local/1"
  CACHE_URL: "redis://default@cache:6379/0"
  DATABASE_URL: "postgres://shynet:{PW}@db/shynet"
  WEBHOOK_URL: "https://hooks.acme.test/services/T0/B0?token={PW}"
---
apiVersion: v1
kind: Secret
metadata:
  name: ledger-db-config
stringData:
  POSTGRES_DB: accounts-db
  SPRING_DATASOURCE_URL: jdbc:postgresql://accounts-db-pgpool:5432/accounts-db
  LEDGER_JDBC_URL: "jdbc:postgresql://ledger:{PW}@ledger-db:5432/ledger"
  DB_TOKEN: "{PW}"
""")
    result = run_secrets(tmp_path)
    found = sorted(
        (f.location.resource, f.location.start_line, f.suppressed) for f in result.findings if f.rule == "SEC903"
    )
    assert found == [
        ("Secret/default/api#stringData.token", 18, None),
        ("Secret/default/demo-db#stringData.password", 30, None),  # spring-petclinic's binding: type, provider not
        # bank-of-anthos's ledger-db-config: a database's name and a JDBC address without a password are no
        # secrets; a JDBC URL with one and a token next to them are
        ("Secret/default/ledger-db-config#stringData.DB_TOKEN", 51, None),
        ("Secret/default/ledger-db-config#stringData.LEDGER_JDBC_URL", 50, None),
        # shynet's secrets_template.yml: the time zone and a broker address with no password are no secrets; a URL
        # with a password or a token in its query is
        ("Secret/default/shynet-settings#stringData.DATABASE_URL", 40, None),
        ("Secret/default/shynet-settings#stringData.WEBHOOK_URL", 41, None),
        ("Secret/default/tls#data.keystore.jks", 10, "rotated weekly by cert-manager"),
    ]


DOCKERFILE = f"""FROM alpine AS build
ENV GITHUB_TOKEN {PW}
ARG DB_PASSWORD={PW}
ARG VERSION=1.2.3
ENV A=1 SECRET_KEY="{PW}" B=2
ENV DATABASE_URL=mysql://app:{PW}@db:3306/app CELERY_BROKER_URL=redis://redis:6379/0 PASSWORD_FILE=/run/secrets/pw
COPY ["id_rsa", "/root/.ssh/id_rsa"]
COPY --from=build /root/.npmrc /root/.npmrc
ADD https://example.test/app.tar.gz /app/
COPY <<END /app/.env
X=1
END
COPY ./ /src/
"""


def test_dockerfile_details(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    (tmp_path / "id_rsa").write_text("not really\n")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    findings = run_secrets(tmp_path).findings
    found = sorted(
        (f.rule, f.location.start_line, dict(f.evidence).get("variable") or dict(f.evidence).get("file"))
        for f in findings
    )
    url = next(f for f in findings if dict(f.evidence).get("variable") == "DATABASE_URL")
    assert url.location.snippet == "ENV DATABASE_URL=mysql://app:…(14 chars)"
    assert found == [
        ("SEC904", 2, "GITHUB_TOKEN"),
        ("SEC904", 3, "DB_PASSWORD"),
        ("SEC904", 5, "SECRET_KEY"),
        ("SEC904", 6, "DATABASE_URL"),
        ("SEC905", 7, "id_rsa"),
        ("SEC905", 8, "/root/.npmrc"),
        ("SEC905", 13, "id_rsa"),
        ("SEC906", 6, None),  # the URL's password, found by the data-store family (seed rules have no MySQL rule)
    ]


def test_copied_diffie_hellman_parameters_are_no_credential(
    tmp_path: Path, run_secrets: Callable[..., AuditResult]
) -> None:
    """docker-mailserver copies ``target/shared/ffdhe4096.pem`` (RFC 7919's group, public numbers) into the image;
    a key or a server's PEM copied the same way is still reported, and so is a name that only ends alike."""
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:12\nCOPY target/shared/ffdhe4096.pem /etc/dovecot/dh.pem\nCOPY conf/dhparam.pem /etc/nginx/\n"
        "COPY certs/server.pem /etc/ssl/\nCOPY certs/dhkey.pem /etc/ssl/\nUSER 1000\n"
    )
    found = sorted((f.rule, f.location.start_line) for f in run_secrets(tmp_path).findings)
    assert found == [("SEC905", 4), ("SEC905", 5)]
