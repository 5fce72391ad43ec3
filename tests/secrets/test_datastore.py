"""Data-store credentials in every language and config format (SEC906), defaults listed low (SEC907),
references and placeholders left alone; and the structure reader that names a value's parents."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from redline.checks.secrets.datastore import find_datastore_credentials
from redline.checks.secrets.scan import scan_blob
from redline.checks.secrets.settings import build_settings
from redline.checks.secrets.structure import key_values
from redline.checks.secrets.tree import SecretsFileCheck
from redline.core.config import Config

PW = "Tr0ub4dor" + "x9Qz"  # a random fake, split so no scanner reads it here
_CHECK = SecretsFileCheck()


def found(path: str, text: str) -> list[tuple[str, int, str]]:
    """(rule code, line, secret) reported by the full built-in scan."""
    settings = build_settings(Config(jobs=1), Path("."))
    return sorted((f.rule.code, f.line, f.secret) for f in scan_blob(settings, _CHECK.core_rules, path, text.encode()))


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        # ADO.NET, ODBC and JDBC connection strings
        ("src/Shop/Db.cs", 'var cs = "Host=db;Database=shop;Username=shop;Password=' + PW + ';";\n', [("SEC319", 1)]),
        ("src/Shop/Db.cs", 'var cs = "Database=shop;Uid=shop;Pwd=' + PW + ';";\n', [("SEC906", 1)]),
        (
            "src/odbc.py",
            'cs = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;UID=app;PWD=' + PW + '"\n',
            [("SEC319", 1)],
        ),
        ("src/Main.java", 'String u = "jdbc:postgresql://db/shop?user=app&password=' + PW + '";\n', [("SEC318", 1)]),
        # driver calls taking the password as an argument (PHP PDO/mysqli, Java DriverManager)
        ("api/db.php", "$pdo = new PDO('mysql:host=db;dbname=shop', 'shop', '" + PW + "');\n", [("SEC906", 1)]),
        ("api/legacy.php", '$db = mysqli_connect("db", "shop", "' + PW + '", "shop");\n', [("SEC906", 1)]),
        ("api/Db.java", 'Connection c = DriverManager.getConnection(url, "shop", "' + PW + '");\n', [("SEC906", 1)]),
        # URL userinfo in any language (redis with an empty user name)
        ("src/cache.go", 'url := "redis://:' + PW + '@cache:6379/0"\n', [("SEC313", 1)]),
        # structured configs: the parent section tells it is a data store
        (
            "config/database.yml",
            f"production:\n  database:\n    host: db\n    password: {PW}  # prod\n",
            [("SEC906", 4)],
        ),
        (
            "src/main/resources/application.properties",
            f"spring.datasource.url=jdbc:x\nspring.datasource.password={PW}\n",
            [("SEC906", 2)],
        ),
        ("config.toml", f'[server]\nport = 80\n[database]\nuser = "shop"\npassword = "{PW}"\n', [("SEC906", 5)]),
        ("config.json", '{"database": {"host": "db",\n "password": "' + PW + '"}}\n', [("SEC906", 2)]),
        ("app.ini", f"[redis]\nhost=cache\npassword={PW}\n", [("SEC906", 3)]),
        # compose environment, map and list form; Kubernetes env name/value pairs
        (
            "docker-compose.yml",
            "services:\n  mq:\n    image: rabbitmq:3\n    environment:\n"
            f"      - RABBITMQ_DEFAULT_PASS={PW}\n      - RABBITMQ_DEFAULT_USER=shop\n",
            [("SEC906", 5)],
        ),
        ("compose.yaml", f"services:\n  db:\n    environment:\n      MYSQL_ROOT_PASSWORD: '{PW}'\n", [("SEC906", 4)]),
        (
            "compose.yaml",
            "services:\n  db:\n    environment:\n      - MYSQL_PASSWORD=${MYSQL_PASSWORD:-" + PW + "}\n",
            [("SEC906", 4)],
        ),
        (
            "k8s/db.yaml",
            "spec:\n  containers:\n    - name: db\n      env:\n        - name: PGDATA\n          value: /d\n"
            f'        - name: POSTGRES_PASSWORD\n          value: "{PW}"\n',
            [("SEC906", 8)],
        ),
    ],
)
def test_real_datastore_credentials(path: str, text: str, expected: list[tuple[str, int]]) -> None:
    assert [(code, line) for code, line, _ in found(path, text)] == expected
    assert all(secret == PW for _, _, secret in found(path, text))


@pytest.mark.parametrize(
    ("path", "text", "line", "secret"),
    [
        ("src/Shop/Db.cs", 'var cs = "Host=db;Database=shop;Username=postgres;Password=postgres;";\n', 1, "postgres"),
        ("src/db.js", "const pool = new Pool({ connectionString: 'postgres://user:pass@db:5432/shop' })\n", 1, "pass"),
        ("app.py", "URI = 'postgresql+psycopg2://scott:tiger@localhost/test'\n", 1, "tiger"),
        (
            "docker-compose.yml",
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: postgres\n",
            4,
            "postgres",
        ),
        ("docker-compose.yml", "services:\n  mq:\n    environment:\n      - RABBITMQ_DEFAULT_PASS=guest\n", 4, "guest"),
        ("src/Db.cs", 'var cs = "Server=db;Database=shop;User Id=sa;Password=root;";\n', 1, "root"),
        ("config/database.yml", "db:\n  username: shop\n  password: shop\n", 3, "shop"),  # the user name again
        (  # hedgedoc's backend/docker-compose.database.yml: a second *_USER key does not hide the first
            "docker-compose.yml",
            "services:\n  db:\n    environment:\n      MARIADB_USER: hedgedoc\n      MARIADB_PASSWORD: hedgedoc\n"
            "      MARIADB_MYSQL_LOCALHOST_USER: 1\n",
            5,
            "hedgedoc",
        ),
        (".env", "POSTGRES_PASSWORD=postgres\n", 1, "postgres"),  # a default, not a committed secret (SEC901)
        ("cmd/root.go", 'cache := "redis://user:pass@cache:6379"\n', 1, "pass"),  # a real port after it
        ("app/settings.py", 'DB = env.db(default="postgres://saleor:saleor@localhost:5432/saleor")\n', 1, "saleor"),
        ("app/settings.py", '# DB_RO = "postgres://shop_read_only:shop@localhost:5432/shop"\n', 1, "shop"),
        # the fallback is the password whenever the variable is unset
        (
            "docker-compose.yml",
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-postgres}\n",
            4,
            "postgres",
        ),
    ],
)
def test_default_credentials_listed_low(path: str, text: str, line: int, secret: str) -> None:
    assert found(path, text) == [("SEC907", line, secret)]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "docker-compose.yml",
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n"
            "      - MYSQL_PASSWORD=${MYSQL_PASSWORD:-}\n      MYSQL_ALLOW_EMPTY_PASSWORD: 'yes'\n",
        ),
        ("docker-compose.yml", "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD_FILE: /run/secrets/db\n"),
        (
            "docker-compose.yml",
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n"
            "      REDIS_PASSWORD: ${REDIS_PASSWORD:-}\n",
        ),
        (
            "config/database.yml",
            "production:\n  database:\n    password: <%= ENV['DB_PASSWORD'] %>\n    password_min_length: 12\n",
        ),
        ("config.json", '{"database": {"password": "{{ .Values.db.password }}"}}\n'),
        ("src/db.js", "const url = `postgres://${user}:${password}@${host}/shop`;\n"),
        ("README.md", "Connect with `postgres://user:password@localhost/db`.\n"),
        # nightscout's docker-compose.yml comment: a port no server can listen on makes the URL an example
        ("docker-compose.yml", "# Something like mongodb://sally:sallypass@ds099999.mongolab.com:99999/nightscout\n"),
        # filebrowser's cmd/root.go flag help: a port written as a word makes the URL a format to fill in
        ("cmd/root.go", 'flags.String("redisCacheUrl", "", "e.g. redis://user:pass@host:port")\n'),
        ("k8s/db.yaml", "env:\n  - name: POSTGRES_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: pw}\n"),
        ("src/App.cs", 'var cs = $"Server={host};Database=shop;User Id={user};Password={password};";\n'),
        ("api/db.php", "$pdo = new PDO($dsn, $user, $password);\n$x = new PDO($dsn, 'shop', getenv('DB_PW'));\n"),
        ("app.properties", "spring.datasource.password=${DB_PASSWORD}\nredis.password=\n"),
        # wikimedia's charts: the name of the Kubernetes Secret holding it, and the fake value puppet replaces
        ("charts/datahub/values.yaml", "mysql:\n  auth:\n    existingSecret: mysql-secrets\n"),
        ("charts/datahub/values.yaml", "neo4j-community:\n  existingPasswordSecret: neo4j-secrets\n"),
        ("charts/linkrec/values.yaml", "config:\n  private:\n    DB_PASSWORD: snakeoil\n"),
        ("charts/dumps/values.yaml", "mariadb:\n  wikiadmin_user: override_me\n  wikiadmin_password: override_me\n"),
        # DFE-Digital/teacher-services-cloud's konduit.sh: a usage text's URL formats (upper-case names to fill
        # in, an Azure key's "=" after a stand-in) and a Terraform reference in place of a token
        (
            "scripts/konduit.sh",
            'echo "  postgres://ADMIN_USER:URLENCODED(ADMIN_PASSWORD)@DB_HOSTNAME:5432/DB_NAME"\n'
            'echo "  or rediss://:PASSWORD=@DB_HOSTNAME:6380/0"\n',
        ),
        (
            "scripts/konduit.sh",
            "#     rediss://:somepassword=@s9999t99-att-env-redis-service.redis.cache.windows.net:6380/0\n",
        ),
        (
            "terraform/terraform.tf",
            'provider "statuscake" {\n  api_token = module.infra_secrets.map.STATUSCAKE-API-TOKEN\n}\n',
        ),
        ("config/app.yaml", "smtp:\n  api_key: var.smtp_api_key\n"),
        # cloud-gov/cg-provision's Concourse pipeline: a credential manager's variable
        (
            "ci/pipeline.yml",
            "jobs:\n- name: plan\n  params:\n    TF_VAR_broker_rds_password: ((development_broker_rds_password))\n",
        ),
        # mailcow's vendored oauth2-server-php Storage/Pdo.php: SQL named parameters, not values
        (
            "vendor/oauth2/Storage/Pdo.php",
            "$stmt = $this->db->prepare(sprintf('UPDATE %s SET password=:password, first_name=:firstName where "
            "username=:username', $this->config['user_table']));\n",
        ),
    ],
)
def test_references_and_placeholders_are_not_credentials(path: str, text: str) -> None:
    assert found(path, text) == []


def test_datastore_kinds_name_the_store() -> None:
    creds = find_datastore_credentials(
        "docker-compose.yml",
        "compose",
        (
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: " + PW + "\n"
            "  cache:\n    command: redis-server --requirepass x\n    environment:\n      - REDIS_PASSWORD=" + PW + "\n"
        ).encode(),
    )
    assert [(c.key, c.store, c.default) for c in creds] == [
        ("services.db.environment.POSTGRES_PASSWORD", "PostgreSQL", False),
        ("services.cache.environment.REDIS_PASSWORD", "Redis", False),
    ]


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        (
            "yaml",
            "a:\n  b:\n    c: 1\n  d: x # note\n- e=f\n",
            [(("a", "b"), "c", "1"), (("a",), "d", "x"), ((), "e", "f")],
        ),
        ("yaml", "env:\n  - name: K\n    value: 'v'\n", [(("env",), "K", "v")]),
        (  # a workflow's shell script is text, not keys (changedetection.io); its step's env after it still is
            "yaml",
            'steps:\n  - run: |\n      KEY=$(grep -o \'"api_access_token": *"[^"]*"\' x.json)\n'
            "    env:\n      MODE: ci\n",
            [(("steps", "env"), "MODE", "ci")],
        ),
        (  # an embedded configuration file is read (a ConfigMap's block)
            "yaml",
            "data:\n  app.yaml: |\n    redis:\n      password: x\n",
            [(("data", "app.yaml", "redis"), "password", "x")],
        ),
        (
            "json",
            '{"a": {"b": "c", "d": [{"e": "f"}]}, "g": "h"}',
            [(("a",), "b", "c"), (("a", "d"), "e", "f"), ((), "g", "h")],
        ),
        ("toml", '[a.b]\nc = "d"\ne.f = 1\n', [(("a", "b"), "c", "d"), (("a", "b", "e"), "f", "1")]),
        ("ini", "[s]\nk : v ; c\n", [(("s",), "k", "v")]),
        ("properties", "a.b.c=d\n# x=y\n", [(("a", "b"), "c", "d")]),
    ],
)
def test_structure_names_parents(fmt: str, text: str, expected: list[tuple[tuple[str, ...], str, str]]) -> None:
    data = text.encode()
    got = list(key_values(fmt, data))
    assert [(kv.parents, kv.key, kv.value) for kv in got] == expected
    assert all(data[kv.start : kv.end].decode() == kv.value for kv in got)


@pytest.mark.parametrize(
    "text",
    [
        "x = 'https://example.org/a' and 'postgres://u:p@h/db'\n",
        "https://a.test http://b.test\n",
        "Pwd = 1;\n",
        "PASSWORD=x\n",
        "nothing here\n",
        "mongodb+srv://cluster\n",
        "",
        "$p = new PDO($d, 'u', 'p');\n",
    ],
)
def test_triggers_agree_with_and_without_hyperscan(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from redline.checks.secrets import triggers

    with_hs = triggers.triggers(text.encode())
    monkeypatch.setattr(triggers, "_hs", None)
    assert triggers.triggers(text.encode()) == with_hs


HEX32 = "3f0c9a1b7d2e4f60" + "8a9b0c1d2e3f4a5b"  # a random fake, split so no scanner reads it here


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        # the provider is named by the section above the key, not on the key's line
        ("config/datadog.yaml", f"datadog:\n  site: datadoghq.eu\n  api_key: {HEX32}\n", [("SEC340", 3)]),
        (
            "config/algolia.json",
            '{"algolia": {"appId": "LATENCY9XY",\n  "adminKey": "' + HEX32 + '"}}\n',
            [("SEC378", 2)],
        ),
        ("config/app.toml", f'[datadog]\napi_key = "{HEX32}"\n', [("SEC340", 2)]),
        # the same value under a section that names nothing known stays with the generic rule
        ("config/other.yaml", f"metrics:\n  api_key: {HEX32}\n", [("SEC440", 2)]),
    ],
)
def test_provider_context_from_the_enclosing_section(path: str, text: str, expected: list[tuple[str, int]]) -> None:
    assert [(code, line) for code, line, _ in found(path, text)] == expected


CI = f"""env:
  DATABASE_URL: "postgres://shop:shop@postgres:5432/shop"
  PROD_URL: "postgres://shop:shop@db.shop.example.net/shop"
jobs:
  test:
    services:
      postgres:
        image: postgres:16
        env:
          POSTGRES_USER: shop
          POSTGRES_PASSWORD: shop
    steps:
      - run: pytest
        env:
          DEPLOY_DB_PASSWORD_URL: "mysql://deploy:{PW}@db.shop.example.net/shop"
"""


def test_ci_service_containers_default_passwords_are_not_reported() -> None:
    """A CI job's own service container (a host without a domain, a services: block) with a default
    password is left alone; a default for a real host and a real secret in the same workflow are not."""
    assert found(".github/workflows/tests.yml", CI) == [("SEC311", 15, PW), ("SEC907", 3, "shop")]
    # the same content outside a CI definition keeps its default-credential findings
    assert [code for code, _, _ in found("deploy/compose-env.yml", CI)].count("SEC907") == 3


NETBOX_CI = """jobs:
  smoke-test:
    services:
      postgres:
        image: postgres:16
    env:
      POSTGRES_USER: netbox
      POSTGRES_PASSWORD: netbox
      POSTGRES_HOST: 127.0.0.1
      REDIS_HOST: 127.0.0.1
  deploy:
    env:
      POSTGRES_USER: netbox
      POSTGRES_PASSWORD: netbox
      POSTGRES_HOST: db.netbox.example.net
  migrate:
    env:
      POSTGRES_USER: netbox
      POSTGRES_PASSWORD: netbox
      POSTGRES_HOST: ${{ secrets.DB_HOST }}
"""


def test_a_ci_jobs_env_beside_a_host_it_runs_itself_is_its_service_container() -> None:
    """netbox's release workflow: the job's env gives POSTGRES_PASSWORD beside POSTGRES_HOST: 127.0.0.1 (its
    service container's published port): the job's throwaway default, not reported. The same default beside a
    host with a domain, or a host the workflow takes from a secret, is still reported."""
    assert found(".github/workflows/release.yml", NETBOX_CI) == [("SEC907", 14, "netbox"), ("SEC907", 19, "netbox")]
    # outside a CI definition a loopback host changes nothing here
    assert [line for code, line, _ in found("deploy/env.yml", NETBOX_CI) if code == "SEC907"] == [8, 14, 19]


PLANE_COMPOSE = """x-db-env: &db-env
  PGHOST: ${PGHOST:-plane-db}
  POSTGRES_USER: ${POSTGRES_USER:-plane}
  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-plane}
x-mq-env: &mq-env
  RABBITMQ_DEFAULT_USER: ${RABBITMQ_USER:-plane}
  RABBITMQ_DEFAULT_PASS: ${RABBITMQ_PASSWORD:-kX9vTq2mWz}
"""


def test_a_fallback_user_is_the_user_a_fallback_password_is_compared_with() -> None:
    """plane's shipped compose: the password's fallback equals the user's fallback, the product's default
    (SEC907, low); a chosen fallback password beside a fallback user is still SEC906."""
    assert [(code, line) for code, line, _ in found("deployments/docker-compose.yml", PLANE_COMPOSE)] == [
        ("SEC906", 7),
        ("SEC907", 4),
    ]


JENKINS = f"""def compose_test() {{
    def db_url = 'postgres://kuma:kuma@postgres:5432/developer_mozilla_org'
    def prod_url = 'postgres://kuma:kuma@db.kuma.example.net/kuma'
    def deploy = 'mysql://deploy:{PW}@mysql:3306/kuma'
}}
"""


@pytest.mark.parametrize("path", ["Jenkinsfile", "ci/Jenkinsfile.release", "Jenkinsfiles/utils.groovy", ".travis.yml"])
def test_jenkins_and_travis_service_containers_are_ci_definitions_too(path: str) -> None:
    """kuma's Jenkinsfiles/utils.groovy: the test stage's own postgres container with the user's name as its
    password is left alone like a GitHub Actions service; a default for a real host and a real secret stay."""
    assert found(path, JENKINS) == [("SEC311", 4, PW), ("SEC907", 3, "kuma")]


def test_groovy_outside_a_ci_definition_keeps_its_defaults() -> None:
    assert sorted((code, line) for code, line, _ in found("src/db/utils.groovy", JENKINS)) == [
        ("SEC311", 4),
        ("SEC907", 2),
        ("SEC907", 3),
    ]


KUMA_CI = """#!/bin/bash
docker-compose up -d
# Hang tight until MySQL appears to be working
docker-compose exec -T web urlwait mysql://root:kuma@mysql:3306/developer_mozilla_org 30
docker-compose exec -T web urlwait mysql://deploy:kuma@db.shop.example.net/shop 30
"""


@pytest.mark.parametrize("path", ["scripts/ci-python", "bin/run_ci.sh", "ci/test.sh", ".github/scripts/db.sh"])
def test_a_ci_scripts_own_database_password_is_context(path: str) -> None:
    """kuma's scripts/ci-python waits for the job's own MySQL container (`@mysql`, no domain) with the
    compose file's throwaway password: the context section (low, listed apart), not a high finding. The same
    password for a host with a domain stays high; so does the script outside CI."""
    assert found(path, KUMA_CI) == [("SEC906", 4, "kuma"), ("SEC906", 5, "kuma")]
    [local] = [
        s
        for s in scan_blob(build_settings(Config(jobs=1), Path(".")), _CHECK.core_rules, path, KUMA_CI.encode())
        if s.line == 4
    ]
    assert "CI job runs itself" in local.context


MAYAN_GITLAB_CI = f"""variables:
  MYSQL_ROOT_PASSWORD: "{PW}"
services:
  - name: registry.example.com/library/redis:7
    alias: cache
job_postgres_test:
  script:
    - make test
  services:
    - docker:20-dind
    - postgres:12.11-alpine
  variables:
    POSTGRES_USER: "mayan"
    POSTGRES_PASSWORD: "mayanuserpass"
    REDIS_PASSWORD: "{PW}"
job_deploy:
  script:
    - make deploy
  variables:
    POSTGRES_PASSWORD: "{PW}"
job_mysql:
  services: [docker:dind]
  variables:
    MYSQL_PASSWORD: "{PW}"
"""


@pytest.mark.parametrize("path", [".gitlab-ci.yml", "ci/tests.gitlab-ci.yml", ".gitlab/ci/test.yml"])
def test_a_gitlab_jobs_variables_for_a_service_it_starts_are_the_service_containers(path: str) -> None:
    """Mayan EDMS's ``job_postgres_test`` starts ``postgres:12.11-alpine`` as a service and sets its
    ``POSTGRES_PASSWORD`` in the job's variables (GitLab hands them to the service): the job's throwaway value,
    listed in the context section, as in a GitHub Actions services block; the top-level ``services`` start a
    Redis every job has. Not so: a job with no PostgreSQL service (``job_deploy``), a store no ``services`` list
    starts (MySQL: a ``services`` in flow style names only ``docker:dind``), and the same file under another name."""
    settings = build_settings(Config(jobs=1), Path("."))
    got = [
        (s.rule.code, s.line, s.context) for s in scan_blob(settings, _CHECK.core_rules, path, MAYAN_GITLAB_CI.encode())
    ]
    service = "credential of a data store the CI job runs itself (a service container thrown away with the job)"
    assert sorted(got) == [
        ("SEC906", 2, ""),
        ("SEC906", 14, service),
        ("SEC906", 15, service),
        ("SEC906", 20, ""),
        ("SEC906", 24, ""),
    ]
    assert [line for _, line, context in found("deploy/gitlab-vars.yml", MAYAN_GITLAB_CI)] == [2, 14, 15, 20, 24]


@pytest.mark.parametrize("path", ["scripts/deploy-db", "scripts/civic.sh", "src/ci_models.py"])
def test_a_script_not_named_for_ci_keeps_its_database_password(path: str) -> None:
    settings = build_settings(Config(jobs=1), Path("."))
    assert [(s.line, s.context) for s in scan_blob(settings, _CHECK.core_rules, path, KUMA_CI.encode())] == [
        (4, ""),
        (5, ""),
    ]


def test_the_ci_scripts_finding_is_listed_low_in_the_context_section(tmp_path: Path) -> None:
    from audit_helpers import findings_of
    from redline.core.context import CONTEXT_TAG
    from redline.core.model import Severity

    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "ci-python").write_text(KUMA_CI)
    got = {f.location.start_line: f for f in findings_of(tmp_path, SecretsFileCheck())}
    assert sorted(got) == [4, 5]
    assert got[4].severity is Severity.LOW and CONTEXT_TAG in got[4].tags
    assert "(a CI job's own data store)" in got[4].message
    assert got[5].severity is Severity.HIGH and CONTEXT_TAG not in got[5].tags


def _kube_secret(name: str, data: dict[str, str]) -> str:
    rows = "".join(f"  {k}: {v}\n" for k, v in data.items())
    return f"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ndata:\n{rows}"


def test_base64_of_a_stand_in_is_a_stand_in() -> None:
    """Azure-Samples/aks-store-demo's quickstart Secrets hold base64 of "username" and "password"
    (``dXNlcm5hbWU=``, ``cGFzc3dvcmQ=``): SEC449, SEC906 and SEC437 reported the encoding as a leaked credential
    at high. The same words written plainly were already stand-ins; a real value encoded the same way still fires."""
    real = base64.b64encode(PW.encode()).decode()
    text = (
        _kube_secret(
            "rabbitmq-secrets", {"RABBITMQ_DEFAULT_USER": "dXNlcm5hbWU=", "RABBITMQ_DEFAULT_PASS": "cGFzc3dvcmQ="}
        )
        + _kube_secret(
            "order-service-secrets", {"ORDER_QUEUE_USERNAME": "dXNlcm5hbWU=", "ORDER_QUEUE_PASSWORD": "cGFzc3dvcmQ="}
        )
        + _kube_secret("changeme", {"RABBITMQ_DEFAULT_PASS": base64.b64encode(b"changeme").decode()})
        # true positive: the same shape holding a chosen password
        + _kube_secret("real", {"RABBITMQ_DEFAULT_PASS": real})
    )
    hits = found("aks-store-all-in-one.yaml", text)
    assert hits == [("SEC906", 30, real)]  # SEC449 on the same bytes gives way to the data-store rule
    # the generic YAML password rule (SEC437) reads the encoding the same way
    assert found("config/app.yaml", "smtp:\n  password: cGFzc3dvcmQ=\n") == []
    assert [c for c, _l, _s in found("config/app.yaml", f"smtp:\n  password: {real}\n")] == ["SEC437"]


def test_real_values_beside_the_formats_still_fire() -> None:
    """The look-alikes above keep their true positives: a real host, a chosen password, a literal token."""
    hits = found("scripts/konduit.sh", f'echo "postgres://admin:{PW}@db.internal:5432/app"\n')
    assert [(code, line) for code, line, _ in hits] == [("SEC310", 1)]
    hits = found("terraform/terraform.tf", f'provider "statuscake" {{\n  api_token = "{PW}{PW}"\n}}\n')
    assert [line for _c, line, _ in hits] == [2]
