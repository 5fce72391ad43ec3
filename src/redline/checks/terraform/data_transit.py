"""Databases and caches that accept unencrypted or unauthenticated connections, and single-node caches."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_false, is_true, is_unknown

DB_TLS = Rule(
    code="TF124",
    name="database-tls-not-enforced",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Database server accepts connections without TLS",
    tags=("CWE-319", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds Azure PostgreSQL/MySQL/MariaDB single servers with `ssl_enforcement_enabled = "
        "false`, Cloud SQL instances that neither set `ssl_mode` to an encrypted-only mode nor `require_ssl = "
        "true`, and Alibaba Cloud RDS instances whose `ssl_action` is not `Open` (SSL is off by default).",
        why_bad="Clients may then connect in clear text: credentials and query results cross the network "
        "readable and alterable by anyone on the path, and a misconfigured client silently falls back to "
        "plain text.",
        example='resource "azurerm_postgresql_server" "main" {\n  ssl_enforcement_enabled = false\n}',
        use_instead='resource "azurerm_postgresql_server" "main" {\n  ssl_enforcement_enabled          = true\n'
        '  ssl_minimal_tls_version_enforced = "TLS1_2"\n}',
        references=(
            "https://learn.microsoft.com/en-us/azure/postgresql/single-server/concepts-ssl-connection-security",
            "https://cloud.google.com/sql/docs/postgres/configure-ssl-instance",
        ),
    ),
)

CACHE_SINGLE_NODE = Rule(
    code="TF132",
    name="cache-without-replica",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Memorystore Redis instance on the BASIC tier (no replica, no failover)",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does="Finds `google_redis_instance` whose `tier` is `BASIC` or unset (BASIC is the default).",
        why_bad="A BASIC instance is one node: a zone outage, a host failure or maintenance flushes the cache and "
        "takes it offline; every request then falls through to the database at once (a thundering herd), and "
        "sessions or queues kept in Redis are lost.",
        example='resource "google_redis_instance" "cache" {\n  memory_size_gb = 1\n}',
        use_instead='resource "google_redis_instance" "cache" {\n  memory_size_gb = 1\n'
        '  tier           = "STANDARD_HA"\n}',
        references=("https://cloud.google.com/memorystore/docs/redis/redis-tiers",),
    ),
)

CACHE_OPEN = Rule(
    code="TF133",
    name="cache-without-auth-or-tls",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Redis cache without authentication or in-transit encryption",
    tags=("CWE-306", "CWE-319", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds `google_redis_instance` without `auth_enabled = true` or without "
        '`transit_encryption_mode = "SERVER_AUTHENTICATION"`, and ElastiCache replication groups without '
        "`transit_encryption_enabled = true` or without an `auth_token` / user group.",
        why_bad="Any workload in the network can then read and overwrite every key (sessions, tokens, cached "
        "personal data) and sniff the traffic; Redis has no other access control.",
        example='resource "google_redis_instance" "cache" {\n  tier = "STANDARD_HA"\n}',
        use_instead='resource "google_redis_instance" "cache" {\n  tier                    = "STANDARD_HA"\n'
        '  auth_enabled            = true\n  transit_encryption_mode = "SERVER_AUTHENTICATION"\n}',
        references=(
            "https://cloud.google.com/memorystore/docs/redis/about-redis-auth",
            "https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/in-transit-encryption.html",
        ),
    ),
)

_ENCRYPTED_ONLY = ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")


def _cloud_sql_plaintext(r: Resource) -> bool:
    for settings in r.nested("settings"):
        if "ip_configuration" in settings.dynamic:
            return False
        ips = settings.nested("ip_configuration")
        if not ips:
            return True
        mode, require = ips[0].get("ssl_mode"), ips[0].get("require_ssl")
        if is_unknown(mode) or is_unknown(require):
            return False
        return mode not in _ENCRYPTED_ONLY and not is_true(require)
    return False


class DataTransitCheck(TerraformCheck):
    name = "terraform-data-transit"
    rules = (DB_TLS, CACHE_SINGLE_NODE, CACHE_OPEN)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type("azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"):
            if is_false(r.get("ssl_enforcement_enabled")):
                yield self.emit(
                    DB_TLS,
                    r,
                    "ssl_enforcement_enabled = false",
                    remediation="Set `ssl_enforcement_enabled = true` and `ssl_minimal_tls_version_enforced"
                    ' = "TLS1_2"`; update client connection strings to sslmode=require.',
                )
        for r in project.of_type("google_sql_database_instance"):
            if _cloud_sql_plaintext(r):
                yield self.emit(
                    DB_TLS,
                    r,
                    "unencrypted connections are accepted (no ssl_mode / require_ssl)",
                    remediation="In `settings { ip_configuration { ... } }` set `ssl_mode = "
                    '"ENCRYPTED_ONLY"` (provider ≥ 5) or `require_ssl = true`.',
                )
        for r in project.of_type("alicloud_db_instance"):
            action = r.get("ssl_action", "Close")
            if not is_unknown(action) and action not in ("Open", "Update"):
                default = "" if r.has("ssl_action") else " (the default)"
                yield self.emit(
                    DB_TLS,
                    r,
                    f"ssl_action is {action}{default}",
                    remediation='Set `ssl_action = "Open"` and require SSL in the clients.',
                )
        for r in project.of_type("google_redis_instance"):
            yield from self._memorystore(r)
        for r in project.of_type("aws_elasticache_replication_group"):
            gaps = []
            transit = r.get("transit_encryption_enabled")
            if not is_true(transit) and not is_unknown(transit):
                gaps.append("in-transit encryption is off")
            if not r.has("auth_token") and not r.has("user_group_ids"):
                gaps.append("no auth_token or user group")
            if gaps:
                yield self.emit(
                    CACHE_OPEN,
                    r,
                    "; ".join(gaps),
                    remediation="Set `transit_encryption_enabled = true` and `auth_token = "
                    "random_password.<name>.result` (or RBAC `user_group_ids`); clients must use TLS.",
                )

    def _memorystore(self, r: Resource) -> Iterator[Finding]:
        tier = r.get("tier", "BASIC")
        if tier == "BASIC":
            yield self.emit(
                CACHE_SINGLE_NODE,
                r,
                "tier is BASIC: one node, no replica or failover" + ("" if r.has("tier") else " (the default)"),
                remediation='Set `tier = "STANDARD_HA"` (optionally `replica_count` and `read_replicas_mode'
                ' = "READ_REPLICAS_ENABLED"`); changing the tier recreates the instance.',
            )
        gaps = []
        if not is_true(r.get("auth_enabled")) and not is_unknown(r.get("auth_enabled")):
            gaps.append("AUTH is off")
        mode = r.get("transit_encryption_mode", "DISABLED")
        if mode == "DISABLED":
            gaps.append("in-transit encryption is off")
        if gaps:
            yield self.emit(
                CACHE_OPEN,
                r,
                "; ".join(gaps),
                remediation="Set `auth_enabled = true` and `transit_encryption_mode = "
                '"SERVER_AUTHENTICATION"` (clients then need the AUTH string and the server CA).',
            )
