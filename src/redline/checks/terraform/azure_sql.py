"""Azure SQL (MSSQL), PostgreSQL and MySQL servers: public endpoints, auditing and threat detection, Entra admin.

Companion resources (auditing policies, alert policies, AD administrators)
are linked to their server by reference or name; when a link may exist but is
not known (an unknown ``server_id``), the absence finding stays quiet.
"""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, as_int, may_link_to
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_false, is_true, is_unknown

_SQL = "https://learn.microsoft.com/en-us/azure/azure-sql/database/"
MSSQL = ("azurerm_mssql_server", "azurerm_sql_server")
OSS_SERVERS = (
    "azurerm_postgresql_server",
    "azurerm_mysql_server",
    "azurerm_mariadb_server",
    "azurerm_postgresql_flexible_server",
    "azurerm_mysql_flexible_server",
)

PUBLIC_SERVER = Rule(
    code="TF121",
    name="azure-database-public-network",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Azure database server accepts connections from public networks",
    tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds `azurerm_mssql_server`, `azurerm_sql_server` and single-server PostgreSQL/MySQL/"
        "MariaDB servers whose `public_network_access_enabled` is true or unset (the provider default is true; "
        "unset is reported at low severity).",
        why_bad="With public network access on, the server's endpoint answers on the internet and only the "
        "server firewall stands between it and every password-spraying bot; one broad firewall rule "
        "(0.0.0.0–255.255.255.255) makes it fully exposed.",
        example='resource "azurerm_mssql_server" "main" {\n  version = "12.0"\n}',
        use_instead='resource "azurerm_mssql_server" "main" {\n  version                       = "12.0"\n'
        "  public_network_access_enabled = false\n}\n# reach it through azurerm_private_endpoint",
        references=(
            f"{_SQL}connectivity-settings#deny-public-network-access",
            "https://learn.microsoft.com/en-us/azure/private-link/private-endpoint-overview",
        ),
    ),
)

NO_AUDIT = Rule(
    code="TF122",
    name="azure-sql-auditing-or-threat-detection-off",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Azure SQL server without auditing (≥ 90 days) or threat detection",
    tags=("CWE-778", "STRIDE:R"),
    doc=RuleDoc(
        what_it_does="Finds MSSQL servers with no extended auditing policy (inline or "
        "`azurerm_mssql_server_extended_auditing_policy`), or one keeping logs under 90 days, and servers "
        "without an enabled `azurerm_mssql_server_security_alert_policy` (or one with `disabled_alerts`); "
        "PostgreSQL/MySQL single servers whose `threat_detection_policy` is absent or disabled.",
        why_bad="Without audit logs a breach cannot be investigated (who read which table, when); without "
        "threat detection, SQL injection, brute force and access from unusual locations raise no alert.",
        example='resource "azurerm_mssql_server" "main" {\n  version = "12.0"\n}',
        use_instead='resource "azurerm_mssql_server_extended_auditing_policy" "main" {\n'
        "  server_id         = azurerm_mssql_server.main.id\n  storage_endpoint  = "
        "azurerm_storage_account.audit.primary_blob_endpoint\n  retention_in_days = 90\n}\n"
        'resource "azurerm_mssql_server_security_alert_policy" "main" {\n'
        "  resource_group_name = azurerm_resource_group.main.name\n"
        '  server_name         = azurerm_mssql_server.main.name\n  state               = "Enabled"\n}',
        references=(f"{_SQL}auditing-overview", f"{_SQL}threat-detection-overview"),
    ),
)

NO_AAD_ADMIN = Rule(
    code="TF123",
    name="azure-sql-no-entra-admin",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Azure SQL server without a Microsoft Entra (Azure AD) administrator",
    tags=("CWE-287", "STRIDE:S"),
    doc=RuleDoc(
        what_it_does="Finds MSSQL servers with neither an `azuread_administrator` block nor a linked "
        "`azurerm_sql_active_directory_administrator`.",
        why_bad="Only SQL logins (a shared admin password) can then manage the server: no MFA, no central "
        "revocation when someone leaves, and every client holds a long-lived password.",
        example='resource "azurerm_mssql_server" "main" {\n  administrator_login          = "sqladmin"\n'
        "  administrator_login_password = var.sql_password\n}",
        use_instead='resource "azurerm_mssql_server" "main" {\n  azuread_administrator {\n'
        '    login_username              = "sql-admins"\n    object_id                   = var.sql_admins_group_id\n'
        "    azuread_authentication_only = true\n  }\n}",
        references=(f"{_SQL}authentication-aad-overview",),
    ),
)

_AUDIT_FIX = (
    'Add `resource "azurerm_mssql_server_extended_auditing_policy" "<name>" { server_id = <server>.id '
    "storage_endpoint = <storage account>.primary_blob_endpoint retention_in_days = 90 }`."
)
_ALERT_FIX = (
    'Add `resource "azurerm_mssql_server_security_alert_policy" "<name>" { server_name = <server>.name '
    'resource_group_name = <server>.resource_group_name state = "Enabled" email_account_admins = true }` '
    "without `disabled_alerts`."
)


def _linked(project: TerraformProject, server: Resource, *types: str) -> list[Resource]:
    return [
        r
        for r in project.of_type(*types)
        if may_link_to(r.get("server_id"), server) or may_link_to(r.get("server_name"), server)
    ]


class AzureSqlCheck(TerraformCheck):
    name = "terraform-azure-sql"
    rules = (PUBLIC_SERVER, NO_AUDIT, NO_AAD_ADMIN)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type(*MSSQL, *OSS_SERVERS):
            yield from self._public(r)
        for r in project.of_type(*MSSQL):
            yield from self._auditing(project, r)
            if not r.body.may_have("azuread_administrator") and not _linked(
                project, r, "azurerm_sql_active_directory_administrator"
            ):
                yield self.emit(
                    NO_AAD_ADMIN,
                    r,
                    "no Entra ID (Azure AD) administrator; only SQL logins",
                    remediation='Add `azuread_administrator { login_username = "sql-admins" object_id '
                    "= <group object id> azuread_authentication_only = true }`.",
                )
        yield from self._alert_policies(project)
        for r in project.of_type("azurerm_postgresql_server", "azurerm_mysql_server", "azurerm_mariadb_server"):
            if (
                not any(is_true(t.get("enabled", True)) for t in r.nested("threat_detection_policy"))
                and "threat_detection_policy" not in r.body.dynamic
            ):
                yield self.emit(
                    NO_AUDIT,
                    r,
                    "threat detection policy is absent or disabled",
                    remediation="Add `threat_detection_policy { enabled = true email_account_admins = "
                    "true retention_days = 90 }`.",
                )

    def _public(self, r: Resource) -> Iterator[Finding]:
        value = r.get("public_network_access_enabled")
        if is_false(value) or is_unknown(value):
            return
        default = value is None
        if default and r.type.endswith("flexible_server"):
            return  # flexible servers default to private access when delegated_subnet_id is set
        yield self.emit(
            PUBLIC_SERVER,
            r,
            "public network access is enabled" + (" (the default)" if default else ""),
            severity=Severity.LOW if default else None,
            remediation="Set `public_network_access_enabled = false` and connect through an "
            "`azurerm_private_endpoint` (or VNet rules).",
        )

    def _auditing(self, project: TerraformProject, r: Resource) -> Iterator[Finding]:
        problems: list[str] = []
        fixes: list[str] = []
        inline = r.nested("extended_auditing_policy")
        linked = _linked(project, r, "azurerm_mssql_server_extended_auditing_policy")
        if not inline and not linked and "extended_auditing_policy" not in r.body.dynamic:
            problems.append("auditing is not enabled")
            fixes.append(_AUDIT_FIX)
        else:
            days = [as_int(p.get("retention_in_days")) for p in (*inline, *(x.body for x in linked))]
            short = [d for d in days if d is not None and 0 < d < 90]
            if short:
                problems.append(f"audit logs are kept {min(short)} days (< 90)")
                fixes.append("Set `retention_in_days = 90` or more (0 keeps them forever).")
        alerts = _linked(project, r, "azurerm_mssql_server_security_alert_policy")
        if not alerts:
            problems.append("threat detection (security alert policy) is not enabled")
            fixes.append(_ALERT_FIX)
        if problems:
            yield self.emit(NO_AUDIT, r, "; ".join(problems), remediation=" ".join(fixes))

    def _alert_policies(self, project: TerraformProject) -> Iterator[Finding]:
        """A policy that exists but is off or skips alert types: reported where the fix is, on the policy."""
        for a in project.of_type("azurerm_mssql_server_security_alert_policy"):
            if a.get("state") == "Disabled" or a.get("disabled_alerts"):
                yield self.emit(
                    NO_AUDIT,
                    a,
                    "threat detection is disabled or skips some alert types",
                    remediation='Set `state = "Enabled"` and remove `disabled_alerts`.',
                )
