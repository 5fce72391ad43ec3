"""Rules that are not provider patterns: credential files, Kubernetes Secrets, image build
context, and the umbrella code for user rules. Codes SEC901..SEC999 (providers use SEC100..SEC499)."""

from __future__ import annotations

from redline.checks.secrets.ruleset import TAGS, USER_RULE_CODE
from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_WHY = (
    "A credential in the repository is readable by everyone with access to it, its forks, clones, CI caches "
    "and backups, for as long as the history exists; deleting the line later does not remove it from history."
)
_OWASP = "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html"
_CWE = "https://cwe.mitre.org/data/definitions/798.html"

COMMITTED_DOTENV = Rule(
    code="SEC901",
    name="committed-dotenv-secret",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A .env file holds a real secret value",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Finds `.env` files (also `*.env`, `.env.*`) whose secret-looking variables (`*_SECRET`, "
        "`*_TOKEN`, `*_PASSWORD`, `*_API_KEY`, URLs with a password …) hold a value that is not a placeholder.",
        why_bad=_WHY + " `.env` files are meant to stay on one machine; once committed they also end up in "
        "container images and backups.",
        example="# .env (committed)\nSTRIPE_SECRET_KEY=sk_l…(32 chars)\n"
        "DATABASE_URL=postgres://app:s3cr…(12 chars)@db/app",
        use_instead="# .env.example (committed, placeholders only)\nSTRIPE_SECRET_KEY=\n"
        "DATABASE_URL=postgres://app:<password>@db/app\n# and .env in .gitignore",
        references=(_OWASP, _CWE, "https://12factor.net/config"),
    ),
)

CREDENTIALS_CONFIG = Rule(
    code="SEC902",
    name="credentials-config-file",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A .npmrc/.pypirc/.netrc/.git-credentials file holds a credential",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Finds `_authToken`/`_auth`/`_password` in `.npmrc`, `password` in `.pypirc` and `.netrc`, "
        "and `https://user:password@host` lines in `.git-credentials`, unless the value is a placeholder or "
        "an environment reference such as `${NPM_TOKEN}`.",
        why_bad=_WHY + " These files hold publish or clone credentials: a leaked registry token lets anyone "
        "publish a malicious version of your package.",
        example="//registry.npmjs.org/:_authToken=npm_…(40 chars)",
        use_instead="//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
        references=(
            "https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration",
            "https://packaging.python.org/en/latest/specifications/pypirc/",
            _CWE,
        ),
    ),
)

KUBE_SECRET = Rule(
    code="SEC903",
    name="kubernetes-secret-manifest",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A Kubernetes Secret manifest holds real data",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Finds `kind: Secret` objects whose `data` (base64) or `stringData` values are real, "
        "non-placeholder values.",
        why_bad=_WHY + " base64 in `data` is an encoding, not encryption: anyone who reads the manifest reads "
        "the secret.",
        example="kind: Secret\ndata:\n  password: czNj…(16 chars)",
        use_instead="Keep the Secret out of git: create it from a secret store (External Secrets Operator, "
        "Vault agent) or commit it encrypted (Sealed Secrets, SOPS).",
        references=(
            "https://kubernetes.io/docs/concepts/configuration/secret/#information-security-for-secrets",
            "https://github.com/bitnami-labs/sealed-secrets",
            _OWASP,
        ),
    ),
)

DOCKER_ENV_SECRET = Rule(
    code="SEC904",
    name="dockerfile-secret-env-arg",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A Dockerfile ENV or ARG holds a secret value",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Finds `ENV` and `ARG` instructions that set a secret-looking variable (`*_TOKEN`, "
        "`*_PASSWORD`, `*_SECRET`, `*_API_KEY` …) to a literal value.",
        why_bad=_WHY + " `ENV` values are stored in the image config and `ARG` values in its history: "
        "`docker history` and `docker inspect` show them to anyone who can pull the image.",
        example="ARG NPM_TOKEN=npm_…(40 chars)\nENV DB_PASSWORD=s3cr…(16 chars)",
        use_instead="RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci",
        references=(
            "https://docs.docker.com/build/building/secrets/",
            "https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/",
            _CWE,
        ),
    ),
)

DOCKER_COPY_SECRET = Rule(
    code="SEC905",
    name="dockerfile-copies-secret-file",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A Dockerfile COPY/ADD puts a secret file into the image",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Finds `COPY`/`ADD` of files that hold credentials by name: `.env`, `id_rsa`, `*.pem`, "
        "`*.key`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`, `credentials*`, `*.p12`. A dotenv or "
        "credential-config file the build context holds is judged by its text (a `.env` of `PORT=3000` or build "
        "flags copies no credential), also when it is copied out of an earlier stage that took it from the "
        "context (`COPY --from=builder /app/web/.env`, through `WORKDIR /app` and `COPY . .`).",
        why_bad="Every layer of an image is readable by whoever can pull it; a file deleted in a later layer "
        "is still in the earlier one.",
        example="COPY .npmrc /root/.npmrc\nRUN npm ci",
        use_instead="RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
        references=(
            "https://docs.docker.com/build/building/secrets/",
            "https://docs.docker.com/build/concepts/context/#dockerignore-files",
            _CWE,
        ),
    ),
)

DATASTORE_CREDENTIAL = Rule(
    code="SEC906",
    name="datastore-credential",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A data-store password written into code or configuration",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Finds passwords of databases, caches and brokers wherever they are written down: URL "
        "userinfo (`postgres://user:pass@host`, MySQL, MongoDB `+srv`, Redis, AMQP, SQL Server, `jdbc:` and "
        "SQLAlchemy `dialect+driver://` URLs) in any language, ADO.NET/ODBC/JDBC connection strings "
        "(`Password=…;`, `PWD=…`, `?password=`), and `password`/`secret`/`token` keys whose own name or parent "
        "section names a data store in YAML, JSON, TOML, INI and `.properties` files — `database:` sections, "
        "`spring.datasource.password`, `[redis]`, compose `environment` (map and list form) and Kubernetes "
        "`env` entries such as `POSTGRES_PASSWORD`, `MYSQL_ROOT_PASSWORD`, `RABBITMQ_DEFAULT_PASS`. "
        "Variable references (`${POSTGRES_PASSWORD}`) and placeholders are not reported. In a CI definition or a "
        "script CI runs (`.github/workflows/`, a Jenkinsfile, `ci/`, `scripts/ci-*`), the password of a database "
        "the job runs itself (a host without a domain, a `services:` container, a job `env:` whose `*_HOST` "
        "is one or loopback, or a GitLab job's `variables:` for a store its `services:` list starts) is the job's "
        "throwaway value: a "
        "product default is not reported, another value is listed low in the context section; a secret-shaped "
        "value still gets its provider rule (SEC311 for a MySQL URL).",
        why_bad=_WHY + " A data-store password gives direct access to the data, around the application's "
        "authorization, and is rarely rotated.",
        example='var cs = "Server=db;Database=shop;User Id=app;Password=Tr0u…(12 chars);";\n'
        "# config/database.yml\nproduction:\n  database:\n    password: Tr0u…(12 chars)",
        use_instead='var cs = Environment.GetEnvironmentVariable("SHOP_DB");\n'
        "production:\n  database:\n    password: ${DB_PASSWORD}   # injected from a secret store",
        references=(
            _OWASP,
            _CWE,
            "https://www.postgresql.org/docs/current/libpq-pgpass.html",
            "https://learn.microsoft.com/en-us/dotnet/framework/data/adonet/protecting-connection-information",
        ),
    ),
)

DEFAULT_DATASTORE_CREDENTIAL = Rule(
    code="SEC907",
    name="default-datastore-credential",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="A data store configured with a well-known default password",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Finds data-store passwords (in the same places as SEC906) that are a product default or a "
        "tutorial value — postgres/postgres, root/root, guest/guest, admin/admin, scott/tiger, a password equal "
        "to the user name. Listed at low severity: usually a local or CI setup, but the same value reaching a "
        "shared environment is the first thing an attacker tries.",
        why_bad="Default credentials are in every scanner's dictionary; a data store reachable from a network "
        "with them is open. In configuration that ships (compose files, manifests) they often survive into "
        "staging and production.",
        example="services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres",
        use_instead="services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_PASSWORD_FILE: /run/secrets/db_password\n    secrets: [db_password]",
        references=(
            "https://cwe.mitre.org/data/definitions/1392.html",
            "https://hub.docker.com/_/postgres",
            "https://docs.docker.com/compose/how-tos/use-secrets/",
        ),
    ),
)

USER_RULE = Rule(
    code=USER_RULE_CODE,
    name="user-secret-rule",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A credential matched by a rule from redline.toml [[secrets.rules]]",
    tags=TAGS,
    doc=RuleDoc(
        what_it_does="Reports matches of the rules you add in `[[secrets.rules]]` (same fields as the built-in "
        "rule files, without `code`); the message names your rule's id and severity.",
        why_bad=_WHY,
        example='[[secrets.rules]]\nid = "acme-api-key"\nprovider = "Acme"\nsummary = "Acme API key"\n'
        'keywords = ["acme_"]\npattern = \'\\b(?P<secret>acme_[a-z0-9]{32})\\b\'\nseverity = "high"',
        use_instead="Load the credential from the environment or a secret store at run time.",
        references=(_OWASP, _CWE),
    ),
)

#: the rules a scan of one blob reports beside the provider patterns (owned by the tree scan, borrowed by
#: the history scan); the Kubernetes and Dockerfile rules belong to their own checks
BLOB_RULES = (COMMITTED_DOTENV, CREDENTIALS_CONFIG, DATASTORE_CREDENTIAL, DEFAULT_DATASTORE_CREDENTIAL, USER_RULE)
