"""Build examples/shop/EXPECTED.md; every line number is located from the file itself."""
import json, pathlib, subprocess, sys

REPO = pathlib.Path(__file__).resolve().parents[1]
ROOT = REPO / "examples" / "shop"
CODES = {}  # key -> rule code; filled from `redline rules` output
try:
    out = subprocess.run([str(REPO / ".venv" / "bin" / "redline"), "rules"], capture_output=True, text=True, cwd=REPO).stdout
    for line in out.splitlines():
        parts = line.split()
        if parts: CODES[parts[1]] = parts[0]
except Exception:
    pass

def line_of(path, needle, after=None, nth=1):
    lines = (ROOT / path).read_text().splitlines()
    start = 0
    if after is not None:
        hits = [i for i, l in enumerate(lines) if (l == after[1:] if after.startswith("^") else after in l)]
        assert len(hits) == 1, (path, after, hits)
        start = hits[0]
    if needle.startswith("^"):
        hits = [i for i in range(start, len(lines)) if lines[i] == needle[1:]]
    else:
        hits = [i for i in range(start, len(lines)) if needle in lines[i]]
    assert hits, (path, needle, after)
    if after is None and nth == 1:
        assert len(hits) == 1, (path, needle, [h + 1 for h in hits])
    return hits[nth - 1] + 1

def resolve(rule):
    if rule == "pending":
        return "pending"
    out = []
    for group in rule.split():
        alts = []
        for part in group.split("|"):
            if part in CODES.values():
                alts.append(part)
            elif part in CODES:
                alts.append(CODES[part])
            else:
                raise SystemExit(f"unknown rule {part}")
        out.append(" / ".join(alts))
    return ", ".join(out)


def code(*names):
    found = [CODES[n] for n in names if n in CODES]
    return ", ".join(found) if found else "pending"

# (file, needle, after, category, address, description, rule names or explicit code)
P = []
def add(file, needle, category, desc, rule="pending", after=None, address="", nth=1, offset=0):
    P.append((file, needle, after, category, address, desc, rule, nth, offset))
RETIRED = "retired"
def retired():
    """A row no longer planted: its number stays taken, no line is written."""
    P.append(("", "", None, "", "", "", RETIRED, 1, 0))


S = "services/payments/payments/settings.py"
add(S, 'STRIPE_API_KEY = "sk_live_', "secret", "Stripe live secret key (FAKE, random) hard-coded", rule="SEC220")
add(S, 'AWS_ACCESS_KEY_ID = "AKIA', "secret", "AWS access key id (FAKE, random, not the documented EXAMPLE key)", rule="SEC100")
add(S, 'AWS_SECRET_ACCESS_KEY = "', "secret", "AWS secret access key paired with the key id above (FAKE)", rule="SEC101")
add("services/payments/config/database.ini", "url = postgresql://payments:", "secret", "PostgreSQL URI with an embedded password (FAKE)", rule="SEC310")
add("services/payments/.env", "PAYMENTS_DB_PASSWORD=", "secret", "committed `.env` file holding the payments DB password (FAKE)", rule="SEC901|SEC436")
add("docker-compose.yml", "POSTGRES_PASSWORD: iBG", "secret", "PostgreSQL password as a literal in the compose environment (FAKE)", address="compose/./postgres", rule="SEC906")
add("deploy/k8s/secrets.yaml", "password: aUJH", "secret", "Kubernetes Secret with real-looking data (base64 of a FAKE password)", address="Secret/shop/orders-db#data.password", rule="SEC903")
add("deploy/k8s/secrets.yaml", "PAYMENTS_DB_PASSWORD: C7", "secret", "Kubernetes Secret stringData: the payments DB password (FAKE)", address="Secret/shop/payments-env#stringData.PAYMENTS_DB_PASSWORD", rule="SEC903")
add("deploy/k8s/secrets.yaml", "STRIPE_API_KEY: sk_live_", "secret", "the same FAKE Stripe live key copied into a Secret (one finding: the provider rule, with SEC903 in its `also` evidence)", address="Secret/shop/payments-env#stringData.STRIPE_API_KEY", rule="SEC220")
add("services/orders/Dockerfile", "ENV DATABASE_PASSWORD", "secret / container hardening", "credential-named variable set with `ENV`: baked into every image layer", rule="DKR104")

R = "services/orders/requirements.txt"
add(R, "flask==1.0", "vulnerable dependency", "Flask 1.0: PYSEC-2023-62 (CVE-2023-30861)", address="PyPI/flask@1.0", rule="VUL101")
add(R, "jinja2==2.10", "vulnerable dependency", "Jinja2 2.10: PYSEC-2019-217 (CVE-2019-10906), PYSEC-2021-66 (CVE-2020-28493)", address="PyPI/jinja2@2.10", rule="VUL101")
add(R, "werkzeug==0.15.3", "vulnerable dependency", "Werkzeug 0.15.3: CVE-2022-29361, CVE-2023-23934, CVE-2023-25577, CVE-2023-46136", address="PyPI/werkzeug@0.15.3", rule="VUL101")
add(R, "requests==2.19.0", "vulnerable dependency", "requests 2.19.0: PYSEC-2018-28 (CVE-2018-18074), PYSEC-2023-74 (CVE-2023-32681)", address="PyPI/requests@2.19.0", rule="VUL101")
add(R, "pyyaml==5.3", "vulnerable dependency", "PyYAML 5.3: PYSEC-2020-96 (CVE-2020-1747), PYSEC-2021-142 (CVE-2020-14343)", address="PyPI/pyyaml@5.3", rule="VUL101")
add("services/payments/requirements.txt", "aiohttp==3.8.5", "vulnerable dependency", "aiohttp 3.8.5: CVE-2023-47627, CVE-2023-49081, CVE-2023-49082, CVE-2024-23829; CVE-2024-23334 has a high EPSS score; one finding for the version, ranked by its most urgent advisory", address="PyPI/aiohttp@3.8.5", rule="VUL103")
add("jobs/sales-report/requirements.txt", "pyspark==3.1.2", "vulnerable dependency", "pyspark 3.1.2: 5 advisories; CVE-2022-33891 is in CISA KEV (exploited in the wild) and must rank critical; one finding listing all five", address="PyPI/pyspark@3.1.2", rule="VUL102")
add("web/package-lock.json", '"node_modules/lodash"', "vulnerable dependency", "lodash 4.17.15 (lockfile v3): GHSA-p6mc-m468-83gw (CVE-2020-8203), GHSA-35jh-r3h4-6jhm (CVE-2021-23337, high EPSS): one finding for the version", address="npm/lodash@4.17.15", rule="VUL103")

D = "services/orders/Dockerfile"
add(D, "FROM python:latest", "container hardening", "base image `latest`, no digest", rule="DKR102")
add(D, "FROM python:latest", "container hardening", "no `USER` instruction: the service runs as root", rule="DKR101")
add(D, "ADD https://", "container hardening", "`ADD` from a URL (no checksum, unpinned content)", rule="DKR103")

C = "docker-compose.yml"
def svc(name, desc, rule, category="container hardening", key=None):
    # findings point at the offending key inside the service (`key`), or at the service when a setting is missing
    if key:
        add(C, key, category, desc, rule=rule, address="compose/./" + name, after="^  " + name + ":")
    else:
        add(C, "^  " + name + ":", category, desc, rule=rule, address="compose/./" + name)
svc("postgres", "PostgreSQL port 5432 published on all interfaces", "CMP104", key="^    ports:")
svc("postgres", "no memory limit", "CMP105", "resilience")
svc("redis", "Redis (no auth) port 6379 published on all interfaces", "CMP104", key="^    ports:")
svc("redis", "no memory limit", "CMP105", "resilience")
svc("redis", "no healthcheck", "CMP106", "resilience")
svc("rabbitmq", "RabbitMQ AMQP (5672) and management UI (15672) published on all interfaces", "CMP104",
    key="^    ports:")
svc("rabbitmq", "no memory limit", "CMP105", "resilience")
svc("rabbitmq", "no healthcheck", "CMP106", "resilience")
# orders, orders-consumer and web have no healthcheck, but nothing waits on them (no depends_on):
# CMP106 does not ask them (plain compose restarts on exit, not on ill health). Their rows were retired;
# their numbers stay taken so that every other row keeps its number.
svc("orders", "`privileged: true`", "CMP101", key="privileged: true")
svc("orders", "runs as root (no `user:`, and its Dockerfile has no `USER`)", "CMP103")
svc("orders", "no memory limit", "CMP105", "resilience")
retired()
svc("orders-consumer", "mounts `/var/run/docker.sock` (root on the host)", "CMP102", key="^    volumes:")
svc("orders-consumer", "runs as root (no `user:`, and its Dockerfile has no `USER`)", "CMP103")
svc("orders-consumer", "no memory limit", "CMP105", "resilience")
retired()
svc("payments", "no memory limit (otherwise the hardened look-alike)", "CMP105", "resilience")
retired()
svc("web", "no memory limit", "CMP105", "resilience")

K = "deploy/k8s/orders-deployment.yaml"
OD = "Deployment/shop/orders"
add(K, "privileged: true", "k8s", "privileged container (`privileged: true`)", address=OD, rule="KUB102")
add(K, "runAsUser: 0", "k8s", "runs as root (`runAsUser: 0`, no `runAsNonRoot`)", address=OD, rule="KUB101")
add(K, "^          securityContext:", "k8s", "writable root filesystem", address=OD, rule="KUB107")
add(K, "- name: orders", "k8s", "no resource requests or limits", address=OD, rule="KUB114")
add(K, "- name: orders", "k8s", "no liveness or readiness probe", address=OD, rule="KUB113")
add(K, "image: registry.acme-shop.example/orders:latest", "k8s", "image tag `latest`, no digest", address=OD, rule="KUB111")
add(K, "^  replicas: 1", "k8s", "`replicas: 1` and no HPA: one pod restart is an outage", address=OD, rule="KUB140")
add(K, "^apiVersion: apps/v1", "k8s", "token of a cluster-admin service account automounted into an internet-facing pod", address=OD)
add("deploy/k8s/orders-service.yaml", "^  type: LoadBalancer", "k8s", "Service of type LoadBalancer exposes orders directly", address="Service/shop/orders", rule="KUB120")
add("deploy/k8s/rbac.yaml", "^  name: cluster-admin", "k8s", "ClusterRoleBinding of cluster-admin to the `orders-deployer` service account", address="ClusterRoleBinding/orders-deployer-admin", rule="KUB131")
add("deploy/k8s/namespace.yaml", "^kind: Namespace", "k8s", "namespace `shop` runs workloads and has no NetworkPolicy", address="Namespace/shop", rule="KUB121")
N = "deploy/k8s/notifications.yaml"
add(N, "^  replicas: 2", "k8s", "2 replicas (up to 10 via HPA) with no topology spread or pod anti-affinity", address="Deployment/shop/notifications", rule="KUB144")
add(N, "^  metrics:", "k8s", "HPA scales on CPU only (a queue consumer: scale on queue depth)", address="HorizontalPodAutoscaler/shop/notifications", rule="KUB141")
add(N, "^  scaleTargetRef:", "k8s", "HPA without a PodDisruptionBudget for its workload", address="HorizontalPodAutoscaler/shop/notifications", rule="KUB142")

T = "deploy/terraform/main.tf"
add(T, 'resource "aws_s3_bucket" "order_exports"', "terraform", "S3 bucket without a server-side encryption configuration", address="aws_s3_bucket.order_exports", rule="TF111")
add(T, 'resource "aws_s3_bucket" "order_exports"', "terraform", "S3 bucket without a lifecycle rule", address="aws_s3_bucket.order_exports", rule="TF116")
add(T, 'resource "aws_s3_bucket" "order_exports"', "terraform", "S3 bucket without a public access block", address="aws_s3_bucket.order_exports", rule="TF110")
add(T, 'resource "aws_security_group" "db"', "terraform", "SSH (22, through the `var.admin_cidr` default) and PostgreSQL (5432) open to 0.0.0.0/0", address="aws_security_group.db", rule="TF101")
add(T, 'resource "aws_iam_policy" "deployer"', "terraform", "IAM policy allows Action \"*\" on Resource \"*\"", address="aws_iam_policy.deployer", rule="TF105")
add(T, 'resource "aws_cloudwatch_log_group" "orders"', "terraform", "log group without `retention_in_days`", address="aws_cloudwatch_log_group.orders", rule="TF117")
add(T, 'resource "aws_dynamodb_table" "order_events"', "terraform", "DynamoDB table partitioned by a timestamp (`hash_key = \"created_at\"`: hot partition)", address="aws_dynamodb_table.order_events", rule="TF118")
add(T, 'resource "aws_dynamodb_table" "order_events"', "terraform", "DynamoDB table without point-in-time recovery", address="aws_dynamodb_table.order_events", rule="TF115")
M = "deploy/terraform/modules/database/main.tf"
DB = "module.database.aws_db_instance.main"
add(M, 'resource "aws_db_instance" "main"', "terraform", "RDS publicly accessible (module variable `publicly_accessible` defaults to `true`)", address=DB, rule="TF104")
add(M, 'resource "aws_db_instance" "main"', "terraform", "RDS single-AZ (`multi_az = false`)", address=DB, rule="TF114")
add(M, 'resource "aws_db_instance" "main"', "terraform", "RDS automated backups disabled (`backup_retention_period = 0`)", address=DB, rule="TF115")
add(M, 'resource "aws_db_instance" "main"', "terraform", "no final snapshot on delete and `deletion_protection = false`", address=DB)
PL = "deploy/terraform/plan.tfplan.json"
add(PL, '"address": "aws_security_group.db"', "drift", "drift: ingress rule 6379/tcp from 0.0.0.0/0 added outside Terraform", address="aws_security_group.db", after='"resource_drift"', rule="TF119")
add(PL, '"address": "module.database.aws_db_instance.main"', "drift", "drift: instance_class db.t3.medium → db.m5.large, allocated_storage 100 → 250", address=DB, after='"resource_drift"', rule="TF119")

add("services/orders/app/clients/payments.py", "resp = requests.post(", "resilience timeout", "`requests.post` to payments without a timeout", rule="requests-without-timeout", after="def charge(")
add("services/orders/app/clients/payments.py", "timeout=None", "resilience timeout", "`requests.get` with `timeout=None`", rule="requests-without-timeout")
add("services/orders/app/clients/shipping.py", "_client = httpx.Client(", "resilience timeout", "`httpx.Client(timeout=None)` to the third-party carrier", rule="httpx-timeout-disabled")
add("services/orders/app/clients/shipping.py", "resp = _session.get(", "resilience timeout", "`requests.Session().get` to the carrier API without a timeout", rule="requests-without-timeout")
add("services/orders/app/clients/tax.py", "resp = requests.get(", "resilience timeout", "`requests.get` to the third-party VAT API without a timeout", rule="requests-without-timeout")
add("services/orders/app/clients/inventory.py", "with urllib.request.urlopen(req)", "resilience timeout", "`urllib.request.urlopen` without a timeout", rule="urlopen-without-timeout")
add("services/payments/payments/gateway.py", "async with aiohttp.ClientSession() as session", "resilience timeout", "`aiohttp.ClientSession()` with aiohttp's five-minute default", rule="aiohttp-session-without-timeout")
add("services/payments/payments/ledger.py", "socket.create_connection((settings.LEDGER_HOST, settings.LEDGER_PORT)) as sock", "resilience timeout", "`socket.create_connection` without a timeout", rule="socket-connect-without-timeout")
add("web/src/api.js", "const res = await fetch(`${API}/orders?limit", "resilience timeout", "browser `fetch` without an AbortSignal/timeout")
add("web/src/api.js", "const res = await fetch(`${API}/orders/${orderId}/checkout`", "resilience timeout", "browser `fetch` without an AbortSignal/timeout")

add("services/orders/app/repository.py", "order.customer.email", "performance", "N+1: lazy-loaded `order.customer` inside a loop over a query result")
add("services/orders/app/repository.py", "cur.execute(", "performance", "N+1: one `cursor.execute` per loop iteration")
add("services/orders/app/checkout.py", "def checkout(", "performance", "serial chain of independent remote calls on the request path (inventory → VAT → shipping quote → payments → shipping booking)")
add("services/orders/app/cache.py", "cache.set(f\"cart:{cart_id}\", json.dumps(cart))", "performance", "Redis `SET` without a TTL: carts never expire")
add("services/orders/app/consumer.py", "channel.basic_consume(", "performance", "RabbitMQ consumer without `basic_qos(prefetch_count=…)`: unbounded prefetch")

L = []
def look(file, needle, desc, after=None, address="", offset=0):
    L.append((file, needle, after, address, desc, offset))
look("services/orders/app/clients/payments.py", "timeout=(3.05, 10)", "`requests.post` with connect/read timeouts")
look("services/orders/app/clients/tax.py", "/rates\", **request_options", "`requests.get(**opts)`: timeout may be forwarded, not visible")
look("services/orders/app/clients/shipping.py", "httpx.Timeout(5.0, connect=2.0)", "httpx client with a finite timeout")
look("services/orders/app/clients/inventory.py", "timeout=5", "`urlopen(..., timeout=5)`")
look("services/payments/payments/gateway.py", "ClientSession(timeout=timeout)", "aiohttp session with `ClientTimeout`")
look("services/payments/payments/ledger.py", "timeout=3", "`socket.create_connection(..., timeout=3)`")
look("services/orders/app/repository.py", "selectinload(Order.customer)", "eager loading: no N+1")
look("services/orders/app/cache.py", "ex=300", "Redis `SET` with a TTL")
look("services/notifications/src/index.js", "channel.prefetch(20)", "amqplib consumer with bounded prefetch")
look("services/notifications/src/index.js", "signal: controller.signal", "`fetch` bounded by an AbortController timer")
look("web/src/api.js", "AbortSignal.timeout(4000)", "`fetch` with `AbortSignal.timeout`")
look("services/orders/app/config.py", 'DATABASE_PASSWORD = os.environ.get', "password read from the environment")
look("services/payments/payments/settings.py", "WEBHOOK_SECRET = os.environ.get", "secret read from the environment")
look("services/payments/config/database.ini", "${PAYMENTS_RO_PASSWORD}", "URI whose password is an environment placeholder")
look("services/payments/.env.example", "<your-db-password>", "`.env.example` placeholder")
look("services/payments/.env.example", "whsec_xxxx", "placeholder webhook secret")
look("services/payments/.env.example", "AKIAIOSFODNN7EXAMPLE", "AWS's documented example access key id")
look("services/payments/.env.example", "EXAMPLEKEY", "AWS's documented example secret key")
look("services/payments/tests/test_gateway.py", "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "Stripe's publicly documented test-mode key from its API reference, in a test: not a leak")
look(".github/workflows/ci.yml", "${{ secrets.CI_POSTGRES_PASSWORD }}", "reference to the CI secret store")
look("docker-compose.yml", "${ORDERS_DB_PASSWORD}", "compose variable interpolation, no value")
look("deploy/k8s/orders-deployment.yaml", "secretKeyRef:", "password taken from a Secret reference", after="DATABASE_PASSWORD")
look("deploy/terraform/modules/database/main.tf", "random_password.master.result", "generated password reference")
look("services/payments/requirements.txt", "--hash=sha256:5ed1c46f", "lockfile hashes (all `--hash=sha256:` lines)")
look("web/package-lock.json", '"integrity": "sha512-8xOc', "lockfile integrity hashes")
look("web/package.json", '"dayjs": "1.11.10"', "dependency without known advisories")
look("services/payments/Dockerfile", "FROM python:3.11.7-slim-bookworm@sha256", "hardened multi-stage Dockerfile: digest-pinned base, non-root `USER`, `HEALTHCHECK`", after="AS build")
look("docker-compose.yml", '"127.0.0.1:8080:8080"', "payments: loopback-only port, healthcheck, read-only root, capabilities dropped, no-new-privileges (it does lack a memory limit: planted row above)")
look("deploy/k8s/payments.yaml", "^kind: Deployment", "hardened Deployment: restricted securityContext, probes, resources, 3 replicas, zone spread, digest-pinned image", address="Deployment/shop/payments", offset=-1)
look("deploy/k8s/payments.yaml", "^kind: Service", "internal (ClusterIP) Service", address="Service/shop/payments", offset=-1)
look("deploy/k8s/payments.yaml", "^kind: PodDisruptionBudget", "PDB with minAvailable 2 of 3 replicas (evictions still possible)", address="PodDisruptionBudget/shop/payments", offset=-1)
look("deploy/k8s/payments.yaml", "^kind: HorizontalPodAutoscaler", "HPA on request rate, with a PDB", address="HorizontalPodAutoscaler/shop/payments", offset=-1)
look("deploy/k8s/rbac.yaml", "^kind: Role", "namespaced read-only Role on one ConfigMap", address="Role/shop/payments-config-reader", offset=-1)
look("deploy/k8s/rbac.yaml", "^kind: ServiceAccount", "service account with `automountServiceAccountToken: false`", address="ServiceAccount/shop/payments", after="# Look-alike", offset=-1)
look("deploy/terraform/main.tf", 'resource "aws_s3_bucket" "receipts"', "bucket with KMS encryption, public access block and lifecycle", address="aws_s3_bucket.receipts")
look("deploy/terraform/main.tf", 'resource "aws_security_group" "alb"', "HTTPS (443) open to the internet on the public load balancer", address="aws_security_group.alb")
look("deploy/terraform/main.tf", 'resource "aws_iam_policy" "receipts_writer"', "least-privilege policy", address="aws_iam_policy.receipts_writer")
look("deploy/terraform/main.tf", 'resource "aws_cloudwatch_log_group" "payments"', "log group with 30 days of retention", address="aws_cloudwatch_log_group.payments")
look("deploy/terraform/main.tf", 'resource "aws_dynamodb_table" "carts"', "table keyed by a high-cardinality id, with TTL, CMK encryption and PITR", address="aws_dynamodb_table.carts")
look("deploy/terraform/main.tf", 'resource "aws_kms_key" "shop"', "KMS key with rotation", address="aws_kms_key.shop")
look("deploy/terraform/plan.tfplan.json", '"address": "aws_cloudwatch_log_group.payments"', "`resource_changes` entry with a no-op action, not in `resource_drift`: not drift", address="aws_cloudwatch_log_group.payments", after='"resource_changes"')

def row(cells):
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

out = []
out.append("""# What redline should find in the example shop

Every problem planted in `examples/shop/`, with its exact place, and every
look-alike that must **not** be reported. All credentials in the tree are
**fake**: random strings in the providers' formats, generated for this demo,
each marked as fake where it appears.

How to read the tables:

- Paths are relative to `examples/shop/`; lines are 1-based.
- "Resource" is the address redline writes in `location.resource`. "Line" is
  where that resource starts: the Terraform block, the first line of the
  Kubernetes document, the compose service's key, the final stage's `FROM` for
  Dockerfile-wide problems. A finding from a JSON file that carries no line
  (line 0) matches by its resource instead.
- "Rule" lists the codes that must report the row: every code of a
  comma-separated list, either code of an `A / B` pair. `pending` means no rule
  covers it yet.
- Any other finding of a code named here is a false positive, except a second
  secret rule (`SEC…`) reporting a planted secret line (a generic rule beside the
  provider's rule is a duplicate, not a false positive) and the judgement calls
  at the end. Nothing may be reported on a look-alike.
- The vulnerable-dependency rows need the vulnerability database:
  `redline db update --mirror ../shared/data --ecosystem PyPI --ecosystem npm`.

## Planted problems
""")
out.append(row(["#", "File", "Line", "Resource", "Category", "Problem", "Rule"]))
out.append(row(["---"] * 7))
for i, (f, n, after, cat, addr, desc, rule, nth, offset) in enumerate(P, 1):
    if rule == RETIRED:
        continue
    ln = line_of(f, n, after, nth) + offset
    rc = resolve(rule)
    out.append(row([str(i), f"`{f}`", str(ln), addr, cat, desc, rc]))
out.append("""
## Look-alikes that must not be reported
""")
out.append(row(["#", "File", "Line", "Resource", "Why it is fine"]))
out.append(row(["---"] * 5))
for i, (f, n, after, addr, desc, offset) in enumerate(L, 1):
    out.append(row([str(i), f"`{f}`", str(line_of(f, n, after) + offset), addr, desc]))
J = []
def judge(file, needle, codes, note, after=None, address="", offset=0):
    J.append((file, needle, after, address, codes, note, offset))
for svc_name, why in (("postgres", "the official image starts as root and drops to `postgres` in its entrypoint"),
                      ("redis", "the official image starts as root and drops to `redis` in its entrypoint"),
                      ("rabbitmq", "the official image starts as root and drops to `rabbitmq` in its entrypoint"),
                      ("web", "nginx's master process runs as root by design, its workers as `nginx`")):
    judge("docker-compose.yml", "^  " + svc_name + ":", "CMP103", why + "; a low \"may run as root\" is fair", address="compose/./" + svc_name)
judge("deploy/k8s/orders-deployment.yaml", "^apiVersion: apps/v1", "KUB103 KUB104 KUB106", "privilege escalation, capabilities and seccomp are moot under `privileged: true`; reporting them or folding them into KUB102 are both fine", address="Deployment/shop/orders")
judge("deploy/k8s/notifications.yaml", "^apiVersion: apps/v1", "", "liveness probe only: the consumer serves no traffic (no Service), so no readiness probe is acceptable", address="Deployment/shop/notifications")
judge("web/package.json", '"lodash": "4.17.15"', "VUL103", "the direct declaration of the lodash the lockfile pins; redline reports it once, on the lockfile", address="npm/lodash@4.17.15")
for svc_name in ("orders", "orders-consumer", "notifications"):
    judge("docker-compose.yml", "AMQP_URL: amqp://guest:guest@rabbitmq", "SEC314", "RabbitMQ's well-known default `guest:guest`: a default credential, not a leaked secret", after="^  " + svc_name + ":")
judge("services/orders/app/config.py", "amqp://guest:guest@", "SEC314", "same default `guest:guest` URI as a fallback value")
judge("services/orders/requirements.txt", "gunicorn==21.2.0", "VUL101", "CVE-2024-1135 (fixed in 22.0.0) is not in the bundled OSV snapshot; a current database reports it")
judge("services/payments/requirements.txt", "gunicorn==20.1.0", "VUL101", "same: CVE-2024-1135, not in the bundled snapshot")
judge("services/notifications/Dockerfile", "FROM node:", "DKR102", "tag-pinned (`node:20.11-alpine3.19`) but no digest")
judge("services/orders/Dockerfile", "CMD [\"gunicorn\"", "RUN104", "`--workers 1`, but neither compose nor the pod sets a CPU limit to compare against")
judge("deploy/terraform/main.tf", 'resource "aws_security_group" "db"', "", "egress to 0.0.0.0/0 on all ports (the AWS default)", address="aws_security_group.db")
judge("deploy/terraform/main.tf", 'resource "aws_dynamodb_table" "order_events"', "", "AWS-owned encryption key rather than a CMK", address="aws_dynamodb_table.order_events")
out.append("""
## Judgement calls (reporting them or not are both acceptable)
""")
out.append(row(["#", "File", "Line", "Resource", "Rule", "Note"]))
out.append(row(["---"] * 6))
for i, (f, n, after, addr, codes, note, offset) in enumerate(J, 1):
    out.append(row([str(i), f"`{f}`", str(line_of(f, n, after) + offset), addr, ", ".join(codes.split()) or "—", note]))
out.append("""
The image digests in `services/payments/Dockerfile` and `deploy/k8s/payments.yaml` are
illustrative: well-formed sha256 digests, but the demo is never built or pulled.
""")
(ROOT / "EXPECTED.md").write_text("\n".join(out))
print("planted", len(P), "look-alikes", len(L))
