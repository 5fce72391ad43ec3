"""Azure storage accounts and key vaults: plain HTTP, open network access, anonymous blobs, unrecoverable vaults."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, may_link_to
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Body, Resource, is_false, is_true, is_unknown

_STORAGE = "https://learn.microsoft.com/en-us/azure/storage/common/"
_KV = "https://learn.microsoft.com/en-us/azure/key-vault/general/"

HTTP_ALLOWED = Rule(
    code="TF125",
    name="storage-account-allows-http",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Storage account accepts plain-HTTP requests",
    tags=("CWE-319", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds `azurerm_storage_account` with `enable_https_traffic_only = false` (provider < 4) or "
        "`https_traffic_only_enabled = false` (provider 4).",
        why_bad="Requests over HTTP carry the shared key signature or SAS token and the data in clear text: "
        "anyone on the path can read the blobs and replay the token.",
        example='resource "azurerm_storage_account" "data" {\n  enable_https_traffic_only = false\n}',
        use_instead='resource "azurerm_storage_account" "data" {\n  https_traffic_only_enabled = true\n'
        '  min_tls_version            = "TLS1_2"\n}',
        references=(f"{_STORAGE}storage-require-secure-transfer",),
    ),
)

OPEN_ACCOUNT = Rule(
    code="TF126",
    name="storage-account-open-access",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Storage account open to every network, or allowing anonymous blob access",
    tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds storage accounts whose firewall lets every network in (`network_rules` with "
        '`default_action = "Allow"`, or no network rules at all — low) while public network access is on, and '
        "accounts that allow containers to be made anonymous (`allow_nested_items_to_be_public` / "
        "`allow_blob_public_access` true; unset in provider 3.x means true — low).",
        why_bad="An account reachable from any network is protected only by its keys and SAS tokens, which leak "
        "in scripts and logs; allowing nested public access means one container setting publishes its blobs.",
        example='resource "azurerm_storage_account" "data" {\n  network_rules {\n    default_action = "Allow"\n  }\n}',
        use_instead='resource "azurerm_storage_account" "data" {\n  allow_nested_items_to_be_public = false\n'
        '  network_rules {\n    default_action             = "Deny"\n    bypass                     = '
        '["AzureServices"]\n    virtual_network_subnet_ids = [azurerm_subnet.app.id]\n  }\n}',
        references=(
            f"{_STORAGE}storage-network-security",
            "https://learn.microsoft.com/en-us/azure/storage/blobs/anonymous-read-access-prevent",
        ),
    ),
)

VAULT_UNRECOVERABLE = Rule(
    code="TF127",
    name="key-vault-not-recoverable",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Key vault without purge protection",
    tags=("CWE-693", "STRIDE:D"),
    doc=RuleDoc(
        what_it_does="Finds `azurerm_key_vault` without `purge_protection_enabled = true`, or with soft delete "
        "turned off (`soft_delete_enabled = false`, old providers).",
        why_bad="Without purge protection a deleted vault or key can be purged at once — by mistake or by an "
        "attacker — and everything encrypted with those keys (disks, databases, backups) becomes unreadable "
        "for good.",
        example='resource "azurerm_key_vault" "main" {\n  sku_name = "standard"\n}',
        use_instead='resource "azurerm_key_vault" "main" {\n  sku_name                   = "standard"\n'
        "  purge_protection_enabled   = true\n  soft_delete_retention_days = 90\n}",
        references=(f"{_KV}soft-delete-overview",),
    ),
)

VAULT_OPEN = Rule(
    code="TF128",
    name="key-vault-network-open",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Key vault firewall admits every network",
    tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds key vaults with public network access on and `network_acls` absent or with "
        '`default_action = "Allow"`.',
        why_bad="The vault's secrets are then protected by identity alone: a leaked service principal secret or "
        "token works from anywhere on the internet.",
        example='resource "azurerm_key_vault" "main" {\n  network_acls {\n    default_action = "Allow"\n'
        '    bypass         = "AzureServices"\n  }\n}',
        use_instead='resource "azurerm_key_vault" "main" {\n  network_acls {\n    default_action             = '
        '"Deny"\n    bypass                     = "AzureServices"\n    virtual_network_subnet_ids = '
        "[azurerm_subnet.app.id]\n  }\n}",
        references=(f"{_KV}network-security",),
    ),
)


def _network_default(project: TerraformProject, r: Resource) -> tuple[str | None, bool]:
    """The account's firewall default action, and whether it is stated (inline or a linked rules resource)."""
    rules: list[Body] = list(r.nested("network_rules"))
    rules += [
        x.body
        for x in project.of_type("azurerm_storage_account_network_rules")
        if may_link_to(x.get("storage_account_id"), r) or may_link_to(x.get("storage_account_name"), r)
    ]
    if not rules:
        return None, "network_rules" in r.body.dynamic
    actions = [b.get("default_action") for b in rules]
    if any(is_unknown(a) for a in actions):
        return None, True
    return ("Allow" if any(a == "Allow" for a in actions) else "Deny"), True


class AzureStorageCheck(TerraformCheck):
    name = "terraform-azure-storage"
    rules = (HTTP_ALLOWED, OPEN_ACCOUNT, VAULT_UNRECOVERABLE, VAULT_OPEN)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type("azurerm_storage_account"):
            for attr in ("enable_https_traffic_only", "https_traffic_only_enabled"):
                if is_false(r.get(attr)):
                    yield self.emit(
                        HTTP_ALLOWED,
                        r,
                        f"{attr} = false",
                        remediation=f"Set `{attr} = true` "
                        '(and `min_tls_version = "TLS1_2"`); clients must use https:// endpoints.',
                    )
            yield from self._open_account(project, r)
        for r in project.of_type("azurerm_key_vault"):
            yield from self._vault(r)

    def _open_account(self, project: TerraformProject, r: Resource) -> Iterator[Finding]:
        problems: list[tuple[str, bool]] = []  # (what, stated explicitly)
        if not is_false(r.get("public_network_access_enabled")):
            action, stated = _network_default(project, r)
            if action == "Allow":
                problems.append(('network rules default_action is "Allow"', True))
            elif not stated:
                problems.append(("no network rules: every network is admitted", False))
        for attr in ("allow_nested_items_to_be_public", "allow_blob_public_access"):
            if is_true(r.get(attr)):
                problems.append((f"{attr} = true (containers can be made anonymous)", True))
        if r.get("allow_nested_items_to_be_public") is None and r.get("allow_blob_public_access") is None:
            problems.append(("allow_nested_items_to_be_public is not set (true by default in provider 3.x)", False))
        if problems:
            explicit = any(e for _w, e in problems)
            yield self.emit(
                OPEN_ACCOUNT,
                r,
                "; ".join(w for w, _e in problems),
                severity=None if explicit else Severity.LOW,
                remediation="Set `allow_nested_items_to_be_public = false` and add `network_rules { "
                'default_action = "Deny" bypass = ["AzureServices"] virtual_network_subnet_ids = '
                "[...] ip_rules = [...] }` (or `public_network_access_enabled = false` with a private "
                "endpoint).",
            )

    def _vault(self, r: Resource) -> Iterator[Finding]:
        purge, soft = r.get("purge_protection_enabled"), r.get("soft_delete_enabled")
        if is_false(soft) or (not is_true(purge) and not is_unknown(purge)):
            what = "soft delete is disabled" if is_false(soft) else "purge protection is not enabled"
            yield self.emit(
                VAULT_UNRECOVERABLE,
                r,
                what,
                remediation="Set `purge_protection_enabled = true` (it cannot be turned off again) and "
                "keep `soft_delete_retention_days` at 90.",
            )
        if is_false(r.get("public_network_access_enabled")) or "network_acls" in r.body.dynamic:
            return
        acls = r.nested("network_acls")
        if not acls or any(a.get("default_action") == "Allow" for a in acls):
            yield self.emit(
                VAULT_OPEN,
                r,
                'network_acls default_action is "Allow"' if acls else "no network_acls",
                remediation='Add `network_acls { default_action = "Deny" bypass = "AzureServices" '
                "virtual_network_subnet_ids = [...] ip_rules = [...] }`.",
            )
