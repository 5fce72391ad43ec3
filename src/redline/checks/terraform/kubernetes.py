"""Managed Kubernetes control planes (AKS, GKE, EKS): who may call the API server, and how.

One rule per concern across the three clouds: weak cluster authentication
(RBAC off, local/static credentials), an API server reachable from the whole
internet, and no network policy engine (pods talk to every pod).
"""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, strings
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Body, Resource, contains_unknown, is_false, is_true, is_unknown

_AKS = "https://learn.microsoft.com/en-us/azure/aks/"
_GKE = "https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster"
_EKS = "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html"
_WORLD = ("0.0.0.0/0", "::/0")

WEAK_AUTH = Rule(
    code="TF129",
    name="kubernetes-weak-cluster-auth",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Kubernetes cluster without RBAC, or with static local credentials",
    tags=("CWE-287", "STRIDE:S"),
    doc=RuleDoc(
        what_it_does="Finds AKS clusters with RBAC turned off (`role_based_access_control_enabled = false`) or "
        "local accounts left enabled (`local_account_disabled` not true), and GKE clusters with legacy ABAC "
        "(`enable_legacy_abac = true`), a basic-auth `master_auth` username or an issued client certificate.",
        why_bad="Without RBAC every authenticated identity is cluster admin. Local accounts and client "
        "certificates are static credentials that cannot be revoked individually and bypass the cloud identity "
        "provider (no MFA, no audit by person): whoever copies the kubeconfig keeps admin access.",
        example='resource "azurerm_kubernetes_cluster" "main" {\n  role_based_access_control_enabled = false\n}',
        use_instead='resource "azurerm_kubernetes_cluster" "main" {\n  role_based_access_control_enabled = true\n'
        "  local_account_disabled            = true\n  azure_active_directory_role_based_access_control {\n"
        "    azure_rbac_enabled = true\n  }\n}",
        references=(f"{_AKS}manage-local-accounts-managed-azure-ad", f"{_GKE}#leave_abac_disabled"),
    ),
)

PUBLIC_API = Rule(
    code="TF130",
    name="kubernetes-api-open-to-internet",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Kubernetes API server reachable from the whole internet",
    tags=("CWE-284", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Finds AKS clusters that are not private and set no API server authorized IP ranges, GKE "
        "clusters without a private endpoint and without `master_authorized_networks_config`, and EKS clusters "
        "whose public endpoint is open to `0.0.0.0/0` (the default when `endpoint_public_access` is on and "
        "`public_access_cidrs` is not set).",
        why_bad="The API server is the keys to the cluster. Exposed to everyone, it is one leaked token, one "
        "misconfigured anonymous binding or one API-server CVE away from a takeover, and it is scanned for "
        "continuously.",
        example='resource "aws_eks_cluster" "main" {\n  vpc_config {\n    subnet_ids = var.subnets\n  }\n}',
        use_instead='resource "aws_eks_cluster" "main" {\n  vpc_config {\n    subnet_ids              = var.subnets\n'
        "    endpoint_private_access = true\n    endpoint_public_access  = false\n  }\n}",
        references=(
            f"{_AKS}api-server-authorized-ip-ranges",
            _EKS,
            "https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks",
        ),
    ),
)

NO_NETPOL = Rule(
    code="TF131",
    name="kubernetes-no-network-policy",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Kubernetes cluster without a network policy engine",
    tags=("CWE-284", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Finds AKS clusters whose `network_profile` sets no `network_policy` (or has no "
        "`network_profile`) and GKE clusters without `network_policy { enabled = true }` and without Dataplane "
        'V2 (`datapath_provider = "ADVANCED_DATAPATH"`, which enforces policies itself).',
        why_bad="Without an engine, Kubernetes NetworkPolicy objects are accepted and silently ignored: every pod "
        "can reach every other pod and the cloud metadata endpoint, so one compromised container can move "
        "laterally to databases and internal APIs.",
        example='resource "azurerm_kubernetes_cluster" "main" {\n  network_profile {\n'
        '    network_plugin = "azure"\n  }\n}',
        use_instead='resource "azurerm_kubernetes_cluster" "main" {\n  network_profile {\n'
        '    network_plugin = "azure"\n    network_policy = "calico"\n  }\n}',
        references=(
            f"{_AKS}use-network-policies",
            "https://cloud.google.com/kubernetes-engine/docs/how-to/network-policy",
        ),
    ),
)


def _aks_rbac_off(r: Resource) -> bool:
    if is_false(r.get("role_based_access_control_enabled")):
        return True
    return any(is_false(b.get("enabled")) for b in r.nested("role_based_access_control"))


def _first(r: Resource | Body, block: str) -> Body | None:
    found = r.nested(block)
    return found[0] if found else None


class KubernetesCheck(TerraformCheck):
    name = "terraform-kubernetes"
    rules = (WEAK_AUTH, PUBLIC_API, NO_NETPOL)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type("azurerm_kubernetes_cluster"):
            yield from self._aks(r)
        for r in project.of_type("google_container_cluster"):
            yield from self._gke(r)
        for r in project.of_type("aws_eks_cluster"):
            yield from self._eks(r)

    def _aks(self, r: Resource) -> Iterator[Finding]:
        if _aks_rbac_off(r):
            yield self.emit(
                WEAK_AUTH,
                r,
                "RBAC is disabled: every authenticated user is cluster admin",
                remediation="Set `role_based_access_control_enabled = true` and `local_account_disabled "
                "= true`, with an `azure_active_directory_role_based_access_control { azure_rbac_enabled "
                "= true }` block (changing RBAC recreates the cluster).",
            )
        elif not is_true(r.get("local_account_disabled")) and not is_unknown(r.get("local_account_disabled")):
            yield self.emit(
                WEAK_AUTH,
                r,
                "local accounts are enabled (static admin kubeconfig)",
                severity=Severity.MEDIUM,
                remediation="Add `local_account_disabled = true` (needs Entra ID integration: an "
                "`azure_active_directory_role_based_access_control` block).",
            )
        profile = _first(r, "api_server_access_profile")
        raw = [r.get("api_server_authorized_ip_ranges"), profile.get("authorized_ip_ranges") if profile else None]
        ranges = [x for v in raw for x in strings(v)]
        private = r.get("private_cluster_enabled")
        known = not is_unknown(private) and not any(contains_unknown(v) for v in raw)
        if known and not is_true(private) and (not ranges or any(x in _WORLD for x in ranges)):
            yield self.emit(
                PUBLIC_API,
                r,
                "API server is public and no authorized IP ranges restrict it",
                remediation="Add `private_cluster_enabled = true`, or `api_server_access_profile { "
                'authorized_ip_ranges = ["203.0.113.0/24"] }` (your office / VPN / CI ranges).',
            )
        net = _first(r, "network_profile")
        if "network_profile" not in r.body.dynamic and (net is None or net.get("network_policy") is None):
            yield self.emit(
                NO_NETPOL,
                r,
                "no network policy engine (network_profile.network_policy is not set)",
                remediation='In `network_profile` set `network_policy = "calico"` (or "azure"/"cilium"; '
                "changing it on an existing cluster recreates it).",
            )

    def _gke(self, r: Resource) -> Iterator[Finding]:
        weak = []
        if is_true(r.get("enable_legacy_abac")):
            weak.append("legacy ABAC is enabled")
        for auth in r.nested("master_auth"):
            user = auth.get("username")
            if isinstance(user, str) and user:
                weak.append("basic authentication is configured")
            for cert in auth.nested("client_certificate_config"):
                if is_true(cert.get("issue_client_certificate")):
                    weak.append("a client certificate is issued")
        if weak:
            yield self.emit(
                WEAK_AUTH,
                r,
                "; ".join(weak),
                remediation="Remove `enable_legacy_abac` (or set false), remove `master_auth.username`/"
                "`password`, and set `master_auth { client_certificate_config { issue_client_certificate "
                "= false } }`; grant access with IAM and Kubernetes RBAC.",
            )
        private = _first(r, "private_cluster_config")
        private_endpoint = private is not None and is_true(private.get("enable_private_endpoint"))
        authorized = [
            c.get("cidr_block") for m in r.nested("master_authorized_networks_config") for c in m.nested("cidr_blocks")
        ]
        open_networks = any(c in _WORLD for c in authorized)
        if not private_endpoint and (open_networks or not r.body.may_have("master_authorized_networks_config")):
            yield self.emit(
                PUBLIC_API,
                r,
                "control plane endpoint is public and "
                + ("its authorized networks include 0.0.0.0/0" if open_networks else "has no authorized networks"),
                remediation="Add `master_authorized_networks_config { cidr_blocks { cidr_block = "
                '"203.0.113.0/24" display_name = "vpn" } }`, or `private_cluster_config { '
                "enable_private_endpoint = true }`.",
            )
        policy = _first(r, "network_policy")
        dataplane_v2 = r.get("datapath_provider") == "ADVANCED_DATAPATH"
        if (
            not dataplane_v2
            and "network_policy" not in r.body.dynamic
            and (policy is None or is_false(policy.get("enabled", False)))
            and not r.get("enable_autopilot")
        ):
            yield self.emit(
                NO_NETPOL,
                r,
                "network policy enforcement is off",
                remediation="Add `network_policy { enabled = true }` with `addons_config { "
                "network_policy_config { disabled = false } }`, or use Dataplane V2: "
                '`datapath_provider = "ADVANCED_DATAPATH"`.',
            )

    def _eks(self, r: Resource) -> Iterator[Finding]:
        for vpc in r.nested("vpc_config"):
            public = vpc.get("endpoint_public_access", True)
            cidrs = strings(vpc.get("public_access_cidrs"))
            if is_true(public) and (not vpc.has("public_access_cidrs") or any(c in _WORLD for c in cidrs)):
                yield self.emit(
                    PUBLIC_API,
                    r,
                    "public API endpoint is open to 0.0.0.0/0",
                    remediation="In `vpc_config` set `endpoint_private_access = true` and "
                    "`endpoint_public_access = false`, or restrict `public_access_cidrs` to your "
                    "VPN / CI ranges.",
                )
