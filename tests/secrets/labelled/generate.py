"""A neutral labelled corpus for secret scanners: one candidate per file, each file labelled.

Positives are credentials generated from providers' documented token formats (random, never valid;
GitHub tokens carry their documented CRC32 checksum) in realistic placements: source in several
languages, YAML/JSON/TOML/INI/.properties config, .env, compose, Kubernetes, Dockerfiles, connection
strings. Negatives are the look-alikes a senior engineer would call wrong: documentation examples,
placeholders and defaults, variable references, public-by-design keys, hashes, UUIDs, base64 blobs,
lockfile integrity hashes, recorded HTTP cassettes and dev/test config, plus real public files (the
false-positive corpus in ``tests/secrets/corpus``, with its origins in its README).

Nothing here is tuned to any scanner's own test data. The corpus is written at run time (a seeded
generator), never committed, so no credential-shaped value sits in the repository:

    python tests/secrets/labelled/generate.py OUT_DIR     # writes OUT_DIR/** and OUT_DIR/labels.json
"""

from __future__ import annotations

import base64
import json
import random
import string
import sys
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

SEED = 20261202
HERE = Path(__file__).resolve().parent
REAL_NEGATIVES = HERE.parent / "corpus"
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Sample:
    path: str
    label: str  # "positive" | "negative"
    kind: str  # what it is (provider format, or the look-alike kind)
    placement: str  # code, config, env, compose, kubernetes, dockerfile, docs, lockfile, real-file …


class Gen:
    def __init__(self, seed: int = SEED) -> None:
        self.rnd = random.Random(seed)

    def pick(self, alphabet: str, n: int) -> str:
        return "".join(self.rnd.choice(alphabet) for _ in range(n))

    def password(self) -> str:
        """A strong random password such as people choose for services (letters, digits, a symbol)."""
        core = self.pick(ALNUM, self.rnd.randint(12, 20))
        symbol = self.rnd.choice("!#%+-_=~")
        at = self.rnd.randint(1, len(core) - 1)
        return core[:at] + symbol + core[at:]

    # --- provider formats (documented) -----------------------------------------------------

    def github(self, prefix: str = "ghp_") -> str:
        """GitHub tokens: prefix, 30 random base62 characters, a base62 CRC32 checksum of those (6 chars).
        https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/"""
        body = self.pick(B62, 30)
        return prefix + body + _base62(zlib.crc32(body.encode()), 6)

    def github_fine_grained(self) -> str:
        return "github_pat_" + self.pick(ALNUM, 22) + "_" + self.pick(ALNUM, 59)

    def gitlab(self) -> str:
        return "glpat-" + self.pick(ALNUM + "-_", 20)

    def aws_pair(self) -> tuple[str, str]:
        return "AKIA" + self.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), self.pick(ALNUM + "/+", 40)

    def slack_bot(self) -> str:
        return f"xoxb-{self.pick(string.digits, 12)}-{self.pick(string.digits, 13)}-{self.pick(ALNUM, 24)}"

    def slack_webhook(self) -> str:
        return (
            "https://hooks.slack.com/services/T"
            + self.pick(string.ascii_uppercase + string.digits, 8)
            + "/B"
            + self.pick(string.ascii_uppercase + string.digits, 10)
            + "/"
            + self.pick(ALNUM, 24)
        )

    def stripe_live(self) -> str:
        return "sk_live_" + self.pick(ALNUM, 99)[: self.rnd.choice((24, 99))]

    def sendgrid(self) -> str:
        return "SG." + self.pick(ALNUM + "_-", 22) + "." + self.pick(ALNUM + "_-", 43)

    def twilio_api_key(self) -> str:
        return "SK" + self.pick(HEX, 32)

    def google_api_key(self) -> str:
        return "AIza" + self.pick(ALNUM + "_-", 35)

    def openai(self) -> str:
        return "sk-proj-" + self.pick(ALNUM + "_-", 74) + "T3BlbkFJ" + self.pick(ALNUM + "_-", 74)

    def anthropic(self) -> str:
        return "sk-ant-api03-" + self.pick(ALNUM + "_-", 93) + "AA"

    def npm(self) -> str:
        return "npm_" + self.pick(ALNUM, 36)

    def pypi(self) -> str:
        return "pypi-AgEIcHlwaS5vcmc" + self.pick(ALNUM + "_-", 70)

    def shopify(self) -> str:
        return "shpat_" + self.pick(HEX, 32)

    def digitalocean(self) -> str:
        return "dop_v1_" + self.pick(HEX, 64)

    def vault(self) -> str:
        return "hvs." + self.pick(ALNUM + "_-", 90)

    def huggingface(self) -> str:
        return "hf_" + self.pick(string.ascii_letters, 34)

    def private_key(self, label: str = "RSA PRIVATE KEY") -> str:
        blob = base64.b64encode(self.rnd.randbytes(900)).decode()
        lines = "\n".join(blob[i : i + 64] for i in range(0, len(blob), 64))
        return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----"

    def azure_storage(self) -> str:
        key = base64.b64encode(self.rnd.randbytes(64)).decode()
        return (
            f"DefaultEndpointsProtocol=https;AccountName=shop{self.pick(string.digits, 4)};AccountKey={key};"
            "EndpointSuffix=core.windows.net"
        )


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


Writer = Callable[[str, str, str, str, str], None]


def positives(g: Gen, add: Writer) -> None:
    """Every positive: (path, content, kind, placement)."""
    for i, prefix in enumerate(("ghp_", "gho_", "ghs_", "ghu_", "ghr_")):
        add(f"services/api{i}/deploy.py", f'GITHUB_TOKEN = "{g.github(prefix)}"\n', "github-token", "code", "positive")
    add("tools/release.sh", f"export GH_TOKEN={g.github()}\n./release.sh\n", "github-token", "shell", "positive")
    add("ci/settings.yml", f"github:\n  token: {g.github()}\n", "github-token", "config", "positive")
    add("tools/sync.go", f'const token = "{g.github_fine_grained()}"\n', "github-fine-grained", "code", "positive")
    add("ci/gitlab.env", f"GITLAB_TOKEN={g.gitlab()}\n", "gitlab-pat", "env", "positive")
    add("tools/mirror.rb", f"client = Gitlab.client(private_token: '{g.gitlab()}')\n", "gitlab-pat", "code", "positive")
    for i in range(3):
        key, secret = g.aws_pair()
        add(
            f"infra/aws{i}.py",
            f'AWS_ACCESS_KEY_ID = "{key}"\nAWS_SECRET_ACCESS_KEY = "{secret}"\n',
            "aws-key-pair",
            "code",
            "positive",
        )
    key, secret = g.aws_pair()
    add(
        "infra/credentials",
        f"[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
        "aws-key-pair",
        "config",
        "positive",
    )
    key, secret = g.aws_pair()
    add(
        "deploy/app.json",
        json.dumps({"aws": {"accessKeyId": key, "secretAccessKey": secret}}, indent=2) + "\n",
        "aws-key-pair",
        "config",
        "positive",
    )
    add("bots/notify.js", f"const slack = new WebClient('{g.slack_bot()}');\n", "slack-bot-token", "code", "positive")
    add("bots/alerts.yaml", f"alerting:\n  slack_webhook: {g.slack_webhook()}\n", "slack-webhook", "config", "positive")
    add("billing/charge.rb", f"Stripe.api_key = '{g.stripe_live()}'\n", "stripe-secret-key", "code", "positive")
    add("billing/.env.production", f"STRIPE_SECRET_KEY={g.stripe_live()}\n", "stripe-secret-key", "env", "positive")
    add("mail/send.py", f'sg = SendGridAPIClient("{g.sendgrid()}")\n', "sendgrid-key", "code", "positive")
    add(
        "sms/client.cs",
        f'var apiKey = "{g.twilio_api_key()}";\nvar apiSecret = "{g.pick(ALNUM, 32)}";\n',
        "twilio-api-key",
        "code",
        "positive",
    )
    add("maps/geocode.go", f'var mapsKey = "{g.google_api_key()}"\n', "google-api-key", "code", "positive")
    add("ai/complete.py", f'client = OpenAI(api_key="{g.openai()}")\n', "openai-key", "code", "positive")
    add(
        "ai/claude.ts",
        f'const anthropic = new Anthropic({{ apiKey: "{g.anthropic()}" }});\n',
        "anthropic-key",
        "code",
        "positive",
    )
    add("web/.npmrc", f"//registry.npmjs.org/:_authToken={g.npm()}\n", "npm-token", "config", "positive")
    add("lib/.pypirc", f"[pypi]\nusername = __token__\npassword = {g.pypi()}\n", "pypi-token", "config", "positive")
    add("shop/sync.php", f"$token = '{g.shopify()}';\n", "shopify-token", "code", "positive")
    add(
        "infra/do.tf",
        f'provider "digitalocean" {{\n  token = "{g.digitalocean()}"\n}}\n',
        "digitalocean-token",
        "config",
        "positive",
    )
    add("ops/vault.sh", f"export VAULT_TOKEN={g.vault()}\n", "vault-token", "shell", "positive")
    add("ml/train.py", f'login(token="{g.huggingface()}")\n', "huggingface-token", "code", "positive")
    add("deploy/keys/deploy_key", g.private_key() + "\n", "private-key", "key-file", "positive")
    add("ops/bootstrap.py", f'KEY = """{g.private_key("OPENSSH PRIVATE KEY")}"""\n', "private-key", "code", "positive")
    add("storage/Blob.cs", f'var conn = "{g.azure_storage()}";\n', "azure-storage", "code", "positive")
    add(
        "deploy/kube-secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ntype: Opaque\nstringData:\n"
        f"  API_TOKEN: {g.pick(ALNUM, 40)}\n",
        "kubernetes-secret",
        "kubernetes",
        "positive",
    )
    add(
        "app/Dockerfile",
        f"FROM python:3.12\nENV SENTRY_AUTH_TOKEN={g.pick(HEX, 64)}\n",
        "dockerfile-env",
        "dockerfile",
        "positive",
    )
    _datastore_positives(g, add)
    _nested_positives(g, add)
    _more_formats(g, add)


def _datastore_positives(g: Gen, add: Writer) -> None:
    p = g.password
    add(
        "api/db.js",
        f"const pool = new Pool({{ connectionString: 'postgres://shop:{p()}@db.internal:5432/shop' }});\n",
        "postgres-url",
        "code",
        "positive",
    )
    add(
        "api/db.py",
        f'engine = create_engine("postgresql+psycopg2://orders:{p()}@10.0.3.17/orders")\n',
        "sqlalchemy-url",
        "code",
        "positive",
    )
    add(
        "api/mongo.go",
        f'uri := "mongodb+srv://app:{p()}@cluster0.mongodb.net/shop"\n',
        "mongodb-url",
        "code",
        "positive",
    )
    add("api/cache.rb", f"Redis.new(url: 'rediss://:{p()}@cache.internal:6380/0')\n", "redis-url", "code", "positive")
    add(
        "worker/celery.py",
        f'broker_url = "amqps://worker:{p()}@mq.internal:5671/prod"\n',
        "amqp-url",
        "code",
        "positive",
    )
    add(
        "api/Mysql.java",
        f'String url = "jdbc:mysql://db:3306/shop?user=shop&password={p()}";\n',
        "jdbc-url",
        "code",
        "positive",
    )
    add(
        "api/Shop/Data.cs",
        f'var cs = "Server=db;Database=shop;User Id=shop;Password={p()};";\n',
        "ado-net",
        "code",
        "positive",
    )
    add(
        "api/Shop/Pg.cs",
        f'var cs = "Host=db;Database=shop;Username=shop;Password={p()}";\n',
        "ado-net",
        "code",
        "positive",
    )
    add(
        "reports/odbc.py",
        f'cs = "DRIVER={{ODBC Driver 18 for SQL Server}};SERVER=db;UID=rep;PWD={p()}"\n',
        "odbc",
        "code",
        "positive",
    )
    add(
        "config/database.yml",
        f"production:\n  adapter: postgresql\n  database: shop\n  username: shop\n  password: {p()}\n",
        "yaml-database-section",
        "config",
        "positive",
    )
    add(
        "config/app.yaml",
        f'server:\n  port: 8080\ndatabase:\n  host: db\n  user: app\n  password: "{p()}"\n',
        "yaml-database-section",
        "config",
        "positive",
    )
    add(
        "src/main/resources/application.properties",
        f"spring.datasource.url=jdbc:postgresql://db/shop\n"
        f"spring.datasource.username=shop\nspring.datasource.password={p()}\n",
        "properties-datasource",
        "config",
        "positive",
    )
    add("config/settings.toml", f'[database]\nhost = "db"\npassword = "{p()}"\n', "toml-database", "config", "positive")
    add(
        "config/settings.json",
        json.dumps({"redis": {"host": "cache", "password": p()}}, indent=2) + "\n",
        "json-redis",
        "config",
        "positive",
    )
    add("config/app.ini", f"[mysql]\nhost = db\nuser = shop\npassword = {p()}\n", "ini-mysql", "config", "positive")
    add(
        "docker-compose.yml",
        f"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {p()}\n",
        "compose-env-map",
        "compose",
        "positive",
    )
    add(
        "stack/compose.yaml",
        f"services:\n  mq:\n    image: rabbitmq:3\n    environment:\n"
        f"      - RABBITMQ_DEFAULT_USER=shop\n      - RABBITMQ_DEFAULT_PASS={p()}\n",
        "compose-env-list",
        "compose",
        "positive",
    )
    add(
        "stack/mysql-compose.yml",
        f"services:\n  mysql:\n    environment:\n      MYSQL_ROOT_PASSWORD: '{p()}'\n",
        "compose-env-map",
        "compose",
        "positive",
    )
    add(
        "k8s/postgres.yaml",
        "apiVersion: apps/v1\nkind: StatefulSet\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: db\n          image: postgres:16\n          env:\n"
        f'            - name: POSTGRES_PASSWORD\n              value: "{p()}"\n',
        "kubernetes-env",
        "kubernetes",
        "positive",
    )
    add("api/.env", f"DATABASE_URL=postgres://shop:{p()}@db:5432/shop\nPORT=3000\n", "dotenv-url", "env", "positive")
    add("worker/.env", f"DB_PASSWORD={p()}\n", "dotenv-password", "env", "positive")
    add(
        "api/settings.py",
        f"DATABASES = {{'default': {{'ENGINE': 'django.db.backends.postgresql', 'NAME': 'shop', "
        f"'USER': 'shop', 'PASSWORD': '{p()}'}}}}\n",
        "django-databases",
        "code",
        "positive",
    )
    add(
        "api/config.exs",
        f'config :shop, Shop.Repo,\n  username: "shop",\n  password: "{p()}",\n  hostname: "db"\n',
        "ecto-repo",
        "code",
        "positive",
    )
    add(
        "api/connect.php",
        f"$pdo = new PDO('mysql:host=db;dbname=shop', 'shop', '{p()}');\n",
        "php-pdo",
        "code",
        "positive",
    )


def _nested_positives(g: Gen, add: Writer) -> None:
    """Provider credentials whose key names no provider: the section above does."""
    add(
        "config/notify.yml",
        f"twilio:\n  account_sid: AC{g.pick(HEX, 32)}\n  auth_token: {g.pick(HEX, 32)}\n",
        "twilio-nested",
        "config",
        "positive",
    )
    add(
        "config/mail.yml",
        f"mailgun:\n  domain: mg.shop.test\n  api_key: {g.pick(HEX, 32)}-{g.pick(HEX, 8)}-{g.pick(HEX, 8)}\n",
        "mailgun-nested",
        "config",
        "positive",
    )
    add(
        "config/datadog.yaml",
        f"datadog:\n  site: datadoghq.eu\n  api_key: {g.pick(HEX, 32)}\n",
        "datadog-nested",
        "config",
        "positive",
    )
    add(
        "config/algolia.json",
        json.dumps({"algolia": {"appId": "LATENCY9XY", "adminKey": g.pick(HEX, 32)}}, indent=2) + "\n",
        "algolia-admin-nested",
        "config",
        "positive",
    )


def _more_formats(g: Gen, add: Writer) -> None:
    """Further documented formats and plain assignments in more languages (written without looking at
    what any scanner finds)."""
    add(
        "integrations/linear.ts",
        f'const linear = new LinearClient({{ apiKey: "lin_api_{g.pick(ALNUM, 40)}" }});\n',
        "linear-key",
        "code",
        "positive",
    )
    add(
        "integrations/postman.sh",
        f"curl -H 'X-Api-Key: PMAK-{g.pick(HEX, 24)}-{g.pick(HEX, 34)}' https://api.getpostman.com/me\n",
        "postman-key",
        "shell",
        "positive",
    )
    add(
        "ops/grafana.env",
        f"GRAFANA_TOKEN=glsa_{g.pick(ALNUM, 32)}_{g.pick(HEX, 8)}\n",
        "grafana-sa-token",
        "env",
        "positive",
    )
    add(
        "ops/newrelic.yml", f"common:\n  license_key: {g.pick(HEX, 36)}NRAL\n", "newrelic-license", "config", "positive"
    )
    add(
        "bots/telegram.py",
        f'BOT_TOKEN = "{g.pick(string.digits, 10)}:AA{g.pick(ALNUM + "_-", 33)}"\n',
        "telegram-bot-token",
        "code",
        "positive",
    )
    add(
        "pay/square.java",
        f'String token = "EAAA{g.pick(ALNUM + "_-", 60)}";\n',
        "square-access-token",
        "code",
        "positive",
    )
    add(
        "docs-sync/notion.js",
        f"const notion = new Client({{ auth: 'ntn_{g.pick(string.digits, 11)}{g.pick(ALNUM, 35)}' }});\n",
        "notion-token",
        "code",
        "positive",
    )
    add(
        "infra/tfc.hcl",
        f'credentials "app.terraform.io" {{\n  token = "{g.pick(ALNUM, 14)}.atlasv1.{g.pick(ALNUM, 67)}"\n}}\n',
        "terraform-cloud-token",
        "config",
        "positive",
    )
    add(
        "ops/age.txt",
        f"AGE-SECRET-KEY-1{g.pick('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}\n",
        "age-secret-key",
        "key-file",
        "positive",
    )
    add(
        "db/planetscale.env",
        f"DATABASE_PASSWORD=pscale_pw_{g.pick(ALNUM + '_-', 43)}\n",
        "planetscale-password",
        "env",
        "positive",
    )
    add("ops/sentry.properties", f"auth.token=sntryu_{g.pick(HEX, 64)}\n", "sentry-user-token", "config", "positive")
    add("ops/pulumi.env", f"PULUMI_ACCESS_TOKEN=pul-{g.pick(HEX, 40)}\n", "pulumi-token", "env", "positive")
    add(
        "api/Config.kt",
        f'const val CLIENT_SECRET = "{g.pick(ALNUM, 32)}"\n',
        "generic-client-secret",
        "code",
        "positive",
    )
    add(
        "api/client.go",
        f'req.Header.Set("Authorization", "Bearer {g.pick(ALNUM, 48)}")\n',
        "bearer-literal",
        "code",
        "positive",
    )
    add(
        "api/Settings.java",
        f'private static final String API_KEY = "{g.pick(ALNUM, 40)}";\n',
        "generic-api-key",
        "code",
        "positive",
    )
    add("api/src/main.rs", f'let password = "{g.password()}";\n', "generic-password", "code", "positive")
    add(
        "ops/smtp.conf",
        f"[smtp]\nhost = smtp.mailgun.org\nuser = postmaster@mg.shop.test\npassword = {g.password()}\n",
        "smtp-password",
        "config",
        "positive",
    )
    add(
        "ops/ldap.yml",
        f"ldap:\n  bind_dn: cn=admin,dc=shop,dc=test\n  bind_password: {g.password()}\n",
        "ldap-password",
        "config",
        "positive",
    )


def negatives(g: Gen, add: Writer) -> None:
    aws_doc = "AKIAIOSFODNN7" + "EXAMPLE"
    aws_doc_secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY"
    stripe_doc = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
    add(
        "docs/aws.md",
        f"```\naws_access_key_id = {aws_doc}\naws_secret_access_key = {aws_doc_secret}\n```\n",
        "docs-example",
        "docs",
        "negative",
    )
    add("docs/payments.md", f"```ruby\nStripe.api_key = '{stripe_doc}'\n```\n", "docs-example", "docs", "negative")
    add(
        "README.md", "Set `GITHUB_TOKEN=ghp_" + "x" * 36 + "` before running.\n", "docs-placeholder", "docs", "negative"
    )
    add(
        "docs/install.rst",
        "Use ``postgres://user:password@localhost/db`` as DATABASE_URL.\n",
        "docs-placeholder",
        "docs",
        "negative",
    )
    add(
        "app/.env.example",
        "SECRET_KEY=secret\nDB_PASSWORD=password\nSTRIPE_KEY=<your-key>\nAPI_TOKEN=changeme\n",
        "env-example",
        "env",
        "negative",
    )
    add(
        "app/.env.sample",
        "DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app\nREDIS_PASSWORD=\n",
        "env-sample",
        "env",
        "negative",
    )
    add(
        "web/.env.template",
        "GOOGLE_API_KEY=GOOGLE_API_KEY_VAL\nSENDGRID_API_KEY=YOUR_SENDGRID_API_KEY\n",
        "env-template",
        "env",
        "negative",
    )
    add(
        "chart/templates/secret.yaml",
        "stringData:\n  password: {{ .Values.db.password | quote }}\n",
        "helm-template",
        "kubernetes",
        "negative",
    )
    add(
        "app/config.py",
        "SQLALCHEMY_DATABASE_URI = '%(DATABASE_URL)s'\nPASSWORD = os.environ['DB_PASSWORD']\n",
        "env-reference",
        "code",
        "negative",
    )
    add(
        "compose-ref.yml",
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      POSTGRES_PASSWORD_FILE: /run/secrets/db\n",
        "compose-reference",
        "compose",
        "negative",
    )
    add(
        "k8s/app.yaml",
        "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: password}\n",
        "kubernetes-secret-ref",
        "kubernetes",
        "negative",
    )
    add("ansible/vars.yml", 'db_password: "{{ vault_db_password }}"\n', "ansible-template", "config", "negative")
    add("app/keys.py", "JAVA_HOME_KEYSTORE_PASSWORD = 'changeit'\n", "default-placeholder", "code", "negative")
    # public by design (per each provider's documentation)
    add(
        "web/analytics.js",
        f"posthog.init('phc_{g.pick(ALNUM, 43)}', {{ api_host: 'https://eu.posthog.com' }})\n",
        "posthog-project-key",
        "code",
        "negative",
    )
    add(
        "web/checkout.ts",
        f"const stripe = await loadStripe('pk_live_{g.pick(ALNUM, 99)}');\n",
        "stripe-publishable-key",
        "code",
        "negative",
    )
    add(
        "web/firebase.js",
        f'const firebaseConfig = {{\n  apiKey: "{g.google_api_key()}",\n'
        '  authDomain: "shop-4711.firebaseapp.com",\n  projectId: "shop-4711",\n'
        f'  messagingSenderId: "{g.pick(string.digits, 12)}",\n}};\n',
        "firebase-web-config",
        "code",
        "negative",
    )
    add(
        "web/sentry.ts",
        f"Sentry.init({{ dsn: 'https://{g.pick(HEX, 32)}@o{g.pick(string.digits, 6)}"
        f".ingest.sentry.io/{g.pick(string.digits, 7)}' }});\n",
        "sentry-dsn",
        "code",
        "negative",
    )
    add(
        "web/search.js",
        f"const client = algoliasearch('LATENCY9XY', '{g.pick(HEX, 32)}');\n",
        "algolia-search-key",
        "code",
        "negative",
    )
    add(
        "web/.env",
        f"NEXT_PUBLIC_ALGOLIA_SEARCH_KEY={g.pick(HEX, 32)}\nNEXT_PUBLIC_POSTHOG_KEY=phc_{g.pick(ALNUM, 43)}\n"
        "PORT=3000\n",
        "public-keys-env",
        "env",
        "negative",
    )
    add(
        "web/mapbox.js",
        f"mapboxgl.accessToken = 'pk.eyJ1Ijoic2hvcCIsImEiOiJ{g.pick(ALNUM, 20)}.{g.pick(ALNUM, 22)}';\n",
        "mapbox-public-token",
        "code",
        "negative",
    )
    spki = base64.b64encode(
        b"0\x81\x9f0\r\x06\t*\x86H\x86\xf7\r\x01\x01\x01\x05\x00\x03\x81\x8d\x00" + g.rnd.randbytes(140)
    ).decode()
    add(
        "static/vendor/jsencrypt.min.js",
        f'var k="-----BEGIN PUBLIC KEY-----\\n{spki}\\n-----END PUBLIC KEY-----";'
        "function e(t){return t.password?t.password:null}\n",
        "public-key-in-bundle",
        "bundle",
        "negative",
    )
    # hashes, identifiers, blobs
    add(
        "build/assets.json",
        json.dumps(
            {"main.js": f"main.{g.pick(HEX, 20)}.js", "sha256": g.pick(HEX, 64), "etag": g.pick(HEX, 32)}, indent=2
        )
        + "\n",
        "asset-hashes",
        "config",
        "negative",
    )
    add(
        "db/migrations/0042_ids.py",
        f"ids = ['{g.pick(HEX, 8)}-{g.pick(HEX, 4)}-4{g.pick(HEX, 3)}-a{g.pick(HEX, 3)}-"
        f"{g.pick(HEX, 12)}']\ncommit = '{g.pick(HEX, 40)}'\n",
        "uuid-and-sha",
        "code",
        "negative",
    )
    add(
        "web/index.html",
        f'<script src="app.js" integrity="sha384-{base64.b64encode(g.rnd.randbytes(48)).decode()}" '
        'crossorigin="anonymous"></script>\n',
        "sri-hash",
        "html",
        "negative",
    )
    add(
        "web/logo.css",
        f".logo{{background:url(data:image/png;base64,{base64.b64encode(g.rnd.randbytes(300)).decode()})}}\n",
        "base64-blob",
        "css",
        "negative",
    )
    add(
        "api/token_fields.py",
        "TOKEN_TYPE = 'bearer'\npassword_field = 'new_password1'\nCSRF_HEADER = 'HTTP_X_CSRFTOKEN'\n",
        "identifiers",
        "code",
        "negative",
    )
    add(
        "pnpm-lock.yaml",
        "packages:\n  password-validator@5.3.0:\n    resolution: {integrity: sha512-"
        f"{base64.b64encode(g.rnd.randbytes(64)).decode()}}}\n  generate-password@1.7.1:\n    resolution: "
        f"{{integrity: sha512-{base64.b64encode(g.rnd.randbytes(64)).decode()}}}\n",
        "lockfile-package-names",
        "lockfile",
        "negative",
    )
    add(
        "web/package.json",
        '{"dependencies": {"generate-password": "^1.7.1", "password-validator": "5.3.0"}}\n',
        "manifest-package-names",
        "config",
        "negative",
    )
    # samples: recorded cassettes, dev/test framework config, test passwords
    add(
        "spec/cassettes/charge.yml",
        f"http_interactions:\n- request:\n    headers:\n      Authorization:\n      - Bearer {g.pick(ALNUM, 40)}\n",
        "vcr-cassette",
        "cassette",
        "negative",
    )
    add(
        "config/dev.exs",
        f'config :shop, ShopWeb.Endpoint,\n  secret_key_base: "{g.pick(ALNUM + "+/", 64)}"\n',
        "phoenix-dev-config",
        "config",
        "negative",
    )
    add(
        "config/test.exs",
        'config :shop, Shop.Repo,\n  username: "postgres",\n  password: "postgres"\n',
        "phoenix-test-config",
        "config",
        "negative",
    )
    add(
        "shop/settings/dev.py",
        f"SECRET_KEY = 'django-insecure-{g.pick(ALNUM + '!@#%^&*(-_=+)', 50)}'\n",
        "django-dev-settings",
        "code",
        "negative",
    )
    add(
        "tests/test_login.py",
        f"def test_login(client):\n    client.login(username='ada', password='{g.password()}')\n",
        "test-password",
        "test",
        "negative",
    )
    add("ci/app.test.yml", f"database:\n  password: {g.password()}\n", "test-config", "config", "negative")
    _more_negatives(g, add)


def _more_negatives(g: Gen, add: Writer) -> None:
    jwt_io = (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    )
    add(
        "docs/auth.md",
        f"Send `Authorization: Bearer {jwt_io}` (the jwt.io example).\n",
        "docs-jwt-example",
        "docs",
        "negative",
    )
    add(
        "deploy/image.yaml",
        f"image: registry.shop.test/api@sha256:{g.pick(HEX, 64)}\ncommit: {g.pick(HEX, 40)}\n",
        "image-digest",
        "config",
        "negative",
    )
    add(
        "keys/deploy.pub",
        f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{g.pick(ALNUM + '+/', 43)} deploy@shop\n",
        "ssh-public-key",
        "key-file",
        "negative",
    )
    cert = base64.b64encode(g.rnd.randbytes(600)).decode()
    add(
        "certs/ca.crt",
        "-----BEGIN CERTIFICATE-----\n"
        + "\n".join(cert[i : i + 64] for i in range(0, len(cert), 64))
        + "\n-----END CERTIFICATE-----\n",
        "certificate",
        "key-file",
        "negative",
    )
    add(
        ".github/workflows/deploy.yml",
        "env:\n  NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n  GH_TOKEN: ${{ github.token }}\n",
        "ci-secret-reference",
        "config",
        "negative",
    )
    add(
        "infra/rds.tf",
        'resource "aws_db_instance" "db" {\n  password = var.db_password\n}\n',
        "terraform-variable",
        "config",
        "negative",
    )
    add(
        ".gitlab-ci.yml",
        "deploy:\n  script:\n    - docker login -u gitlab-ci-token -p $CI_JOB_TOKEN $CI_REGISTRY\n",
        "ci-variable",
        "config",
        "negative",
    )
    add(
        "api/Constants.java",
        'public static final String PASSWORD_PARAM = "password";\n'
        'public static final String TOKEN_HEADER = "X-Auth-Token";\n',
        "constant-names",
        "code",
        "negative",
    )
    add(
        "api/hashing.py",
        f"SALT_ROUNDS = 12\nEXPECTED_DIGEST = '{g.pick(HEX, 64)}'\n",
        "digest-constant",
        "code",
        "negative",
    )
    add(
        "web/i18n/en.json",
        json.dumps(
            {
                "password": "Password",
                "password_hint": "At least 12 characters",
                "token_expired": "Your session token has expired",
            },
            indent=2,
        )
        + "\n",
        "i18n-strings",
        "config",
        "negative",
    )


def _peer_disagreements(g: Gen, add: Writer) -> None:
    """What reading redline against gitleaks, betterleaks, Kingfisher and detect-secrets on real repositories
    showed (bench/README.md, secrets9): a key on the line right after another hit, stand-ins and file paths."""
    add(
        "deploy/wings/config.yml",
        f"debug: false\ntoken_id: {g.pick(ALNUM, 16)}\ntoken: {g.pick(ALNUM, 64)}\napi:\n  port: 443\n",
        "yaml-token-after-id",
        "config",
        "positive",
    )
    add(
        "ops/app.env",
        f"DB_PASSWORD=changeme\nADMIN_PASSWORD={g.password()}\n",
        "env-password-after-placeholder",
        "env",
        "positive",
    )
    add(
        "deploy/pg/compose.yaml",
        "services:\n  db:\n    image: postgres:16\n    environment:\n"
        f"      POSTGRES_PASSWORD: /{g.pick(ALNUM, 6)}+{g.pick(ALNUM, 9)}\n",
        "password-starting-with-slash",
        "compose",
        "positive",
    )
    add(
        "deploy/react-express/compose.yaml",
        "services:\n  backend:\n    image: node:20\n    environment:\n      - DATABASE_USER=root\n"
        "      - DATABASE_PASSWORD=/run/secrets/db-password\n    secrets:\n      - db-password\n"
        "secrets:\n  db-password:\n    file: db/password.txt\n",
        "secret-file-path",
        "compose",
        "negative",
    )
    add(
        "ansible/group_vars/all.yml",
        "ansible_user: ops\nansible_ssh_private_key_file: ~/.ssh/id_ed25519\n",
        "key-file-path",
        "config",
        "negative",
    )
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ntype: Opaque\n{field}:\n  {key}: {value}\n"
    for path, name, field, key, value, kind in (
        ("deploy/issuer-secret.yaml", "cf-token", "stringData", "cloudflare-token", "123abc", "sequence-stand-in"),
        ("deploy/dashboard-auth.yaml", "dashboard-auth", "data", "users", "abc123==", "sequence-stand-in-base64"),
        ("deploy/cf-apikey.yaml", "cloudflare-apikey", "stringData", "apiKey", "yourCloudflareApiToken", "your-name"),
        (
            "deploy/panel-secret.yaml",
            "panel",
            "data",
            "DB_PASSWORD",
            "some-base-64-encoded-password",
            "description-of-value",
        ),
    ):
        add(path, secret.format(name=name, field=field, key=key, value=value), kind, "kubernetes", "negative")
    add(
        "deploy/panel/compose.yaml",
        'x-db: &db\n  MYSQL_PASSWORD: &db-password "CHANGE_ME"\nservices:\n  panel:\n    image: panel:1\n'
        "    environment:\n      DB_PASSWORD: *db-password\n",
        "yaml-alias",
        "compose",
        "negative",
    )
    add(
        "sdk/data/athena/paginators-1.json",
        json.dumps(
            {
                "pagination": {
                    "ListDatabases": {"input_token": "NextToken", "output_token": "NextToken"},
                    "DescribeCacheClusters": {"input_token": "Marker", "output_token": "Marker"},
                    "GetRelationalDatabaseBlueprints": {"input_token": "pageToken", "output_token": "nextPageToken"},
                }
            },
            indent=2,
        )
        + "\n",
        "field-names-as-values",
        "config",
        "negative",
    )
    add(
        "config/influx.json",
        json.dumps({"influxdb": {"url": "http://influx:8086", "token": g.pick(ALNUM, 40)}}, indent=2) + "\n",
        "datastore-token",
        "config",
        "positive",
    )
    add(
        "api/sigv4.py", "token_pattern = r'^x-amz-security-token:(.*)$'\n", "regex-under-token-name", "code", "negative"
    )
    add(
        "api/proxy.py",
        "HEADERS = {'proxy-authorization': 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'}\n",  # RFC 7617's aladdin:opensesame
        "rfc-basic-auth-example",
        "code",
        "negative",
    )
    basic = base64.b64encode(f"deploy:{g.password()}".encode()).decode()
    add("api/upstream.py", f"HEADERS = {{'authorization': 'Basic {basic}'}}\n", "basic-auth-header", "code", "positive")
    add(
        "deploy/anchored/compose.yaml",
        f'x-db: &db\n  MYSQL_PASSWORD: &db-password "{g.password()}"\nservices:\n  panel:\n    image: panel:1\n'
        "    environment:\n      DB_PASSWORD: *db-password\n",
        "password-behind-yaml-anchor",
        "compose",
        "positive",
    )


def generate(out: Path, seed: int = SEED) -> list[Sample]:
    """Write the corpus under ``out`` and return its labels (also written to ``out/labels.json``)."""
    g = Gen(seed)
    samples: list[Sample] = []

    def add(path: str, content: str, kind: str, placement: str, label: str) -> None:
        target = out / path
        if target.exists():
            raise ValueError(f"duplicate sample path {path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        samples.append(Sample(path, label, kind, placement))

    positives(g, add)
    negatives(g, add)
    _peer_disagreements(g, add)
    for real in sorted(REAL_NEGATIVES.iterdir()):
        if real.name != "README.md":
            add(f"real/{real.name}", real.read_text(encoding="utf-8"), "real-public-file", "real-file", "negative")
    (out / "labels.json").write_text(json.dumps([asdict(s) for s in samples], indent=1) + "\n", encoding="utf-8")
    return samples


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    made = generate(Path(sys.argv[1]))
    print(f"{sum(s.label == 'positive' for s in made)} positives, {sum(s.label == 'negative' for s in made)} negatives")
