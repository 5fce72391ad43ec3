"""Exposure and identity on single Kubernetes objects: Services, RBAC roles and bindings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from redline.checks.containers.common import CIS_K8S, key_line, kube_finding, mapping, seq
from redline.checks.containers.variants import Variants
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Area, Confidence, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.containers.kubernetes import KubeManifest, KubeObject
from redline.sources.yamlsafe import LineMap

EXPOSED_SERVICE = Rule(
    code="KUB120",
    name="kube-service-exposed",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Service of type LoadBalancer or NodePort",
    doc=RuleDoc(
        what_it_does="Flags Services of type `LoadBalancer` (unless annotated as an internal load balancer or "
        "limited by `loadBalancerSourceRanges` without 0.0.0.0/0) and of type `NodePort`. A LoadBalancer that is "
        "the system's entry point on purpose (an Ingress of the same manifests routes to it, or it is named like "
        "a front door — frontend, web, storefront, gateway… — and serves only web ports) is reported at low "
        "severity as exposure to review, not like an accidentally exposed database.",
        why_bad="A LoadBalancer usually gets a public address; a NodePort opens the port on every node. Either puts "
        "the workload on the network edge, outside the ingress controller's TLS, authentication and rate limits.",
        example="kind: Service\nspec:\n  type: LoadBalancer\n  ports: [{port: 5432}]",
        use_instead="kind: Service\nspec:\n  type: ClusterIP  # publish HTTP through an Ingress with TLS",
        references=(
            "https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
            "https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer",
        ),
    ),
    tags=("CWE-668", "STRIDE:I"),
)
RBAC_WILDCARD = Rule(
    code="KUB130",
    name="kube-rbac-wildcard",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="RBAC rule grants wildcard verbs or resources",
    doc=RuleDoc(
        what_it_does="Flags Roles and ClusterRoles with a rule whose `verbs`, `resources` or `apiGroups` contain `*` "
        "(aggregated ClusterRoles, whose rules the controller fills in, are skipped).",
        why_bad="A wildcard grants every current and future verb or resource, including `escalate`, `bind`, "
        "`impersonate`, secrets and CRDs added later: least privilege is lost silently as the cluster grows.",
        example="rules:\n  - apiGroups: ['*']\n    resources: ['*']\n    verbs: ['*']",
        use_instead="rules:\n  - apiGroups: ['apps']\n    resources: ['deployments']\n    verbs: ['get', 'list', "
        "'watch']",
        references=(CIS_K8S + " 5.1.3", "https://kubernetes.io/docs/concepts/security/rbac-good-practices/"),
    ),
    tags=("CWE-269", "STRIDE:E"),
)
CLUSTER_ADMIN_SA = Rule(
    code="KUB131",
    name="kube-cluster-admin-service-account",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="cluster-admin bound to a service account",
    doc=RuleDoc(
        what_it_does="Flags ClusterRoleBindings and RoleBindings that bind the `cluster-admin` ClusterRole to a "
        "ServiceAccount (or to all service accounts through a group).",
        why_bad="Every pod running as that service account holds full control of the cluster; one compromised "
        "container (an RCE, a leaked token) owns every namespace and secret.",
        example="kind: ClusterRoleBinding\nroleRef: {kind: ClusterRole, name: cluster-admin}\n"
        "subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]",
        use_instead="Bind a ClusterRole listing only the verbs and resources the controller needs, in the "
        "namespaces it needs.",
        references=(
            CIS_K8S + " 5.1.1",
            "https://kubernetes.io/docs/reference/access-authn-authz/rbac/#user-facing-roles",
        ),
    ),
    tags=("CWE-269", "STRIDE:E"),
)

_INTERNAL_LB = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": None,
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "networking.gke.io/load-balancer-type": "internal",
    "cloud.google.com/load-balancer-type": "internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
    "service.beta.kubernetes.io/oci-load-balancer-internal": "true",
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": "private",
}


def _internal(obj: KubeObject) -> bool:
    for key, wanted in _INTERNAL_LB.items():
        value = obj.annotations.get(key)
        if value is None:
            continue
        text = str(value).lower()
        if wanted is None and text not in ("false", "0", ""):
            return True
        if wanted is not None and text == wanted:
            return True
    ranges = obj.spec.get("loadBalancerSourceRanges")
    return isinstance(ranges, list) and bool(ranges) and not any(str(r) in ("0.0.0.0/0", "::/0") for r in ranges)


#: names of services that are the system's entry point on purpose
_ENTRY_NAME = re.compile(
    r"(?i)(^|[-_])(frontend|front|web|www|site|storefront|store|shop|ui|portal|gateway|"
    r"api-gateway|edge|ingress|proxy|nginx|envoy|traefik)([-_]|$)"
)
#: ports a public entry point serves (HTTP(S), gRPC-web)
_WEB_PORTS = frozenset({80, 443, 8080, 8443, 3000, 4000, 5000, 8000, 8888})


def _entry_point(obj: KubeObject, ports: list[int]) -> bool:
    """A Service meant to be reached from outside: named like the front door and serving web ports only."""
    return bool(_ENTRY_NAME.search(obj.name)) and bool(ports) and all(p in _WEB_PORTS for p in ports)


def _strs(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _ingress_backends(ingress: KubeObject) -> set[str]:
    """Names of the Services an Ingress routes to (default backend and every rule path; v1 and v1beta1)."""
    spec = ingress.spec
    backends = [spec.get("defaultBackend"), spec.get("backend")]
    for rule in seq(spec.get("rules")):
        backends += [mapping(p).get("backend") for p in seq(mapping(mapping(rule).get("http")).get("paths"))]
    names = {mapping(mapping(b).get("service")).get("name") or mapping(b).get("serviceName") for b in backends}
    return {str(n) for n in names if n}


class KubeObjectCheck(ProjectCheck):
    name = "kube-objects"
    rules = (EXPOSED_SERVICE, RBAC_WILDCARD, CLUSTER_ADMIN_SA)
    fact_types = (KubeManifest,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        manifests = sorted(facts.of(KubeManifest), key=lambda m: m.path)
        variants = Variants.of(manifests)
        ingresses = [o for m in manifests for o in m.objects if o.kind == "Ingress"]
        out: list[Finding] = []
        for obj in (o for m in manifests for o in m.objects if o.path not in variants.patch_files):
            if obj.kind == "Service":
                routed = any(
                    obj.name in _ingress_backends(i)
                    and (i.namespace or "default") == (obj.namespace or "default")
                    and variants.same_set(i, obj)
                    for i in ingresses
                )
                out.extend(self._service(obj, routed))
            elif obj.kind in ("Role", "ClusterRole"):
                out.extend(self._role(obj))
            elif obj.kind in ("RoleBinding", "ClusterRoleBinding"):
                out.extend(self._binding(obj))
        return out

    def _service(self, obj: KubeObject, routed: bool) -> Iterator[Finding]:
        """``routed``: an Ingress of the same rendered set sends traffic to it: the service is an entry point."""
        kind = obj.spec.get("type")
        numbers = [p.get("port") for p in seq(obj.spec.get("ports")) if isinstance(p, Mapping)]
        ports = ", ".join(str(p) for p in numbers)
        line = key_line(obj.spec, "type")
        if kind == "NodePort":
            yield kube_finding(
                self,
                EXPOSED_SERVICE,
                obj,
                f"{obj.resource} is a NodePort Service (ports {ports}) opened on every node",
                severity=Severity.LOW,
                line=line,
                remediation="spec:\n  type: ClusterIP   # reach it through an Ingress or a port-forward",
            )
        elif kind == "LoadBalancer" and not _internal(obj):
            if routed or _entry_point(obj, [p for p in numbers if isinstance(p, int)]):
                yield kube_finding(
                    self,
                    EXPOSED_SERVICE,
                    obj,
                    f"{obj.resource} is the public entry point (LoadBalancer"
                    f", ports {ports}): review its exposure (TLS, WAF, rate limits, authentication) "
                    "rather than treat it as an accidental leak",
                    severity=Severity.LOW,
                    confidence=Confidence.MEDIUM,
                    line=line,
                    remediation="Terminate TLS and rate-limit in front of it: publish it through an "
                    "Ingress/Gateway with TLS (and a WAF), or restrict spec.loadBalancerSourceRanges; "
                    "keep type: ClusterIP when the Ingress is the front door",
                )
            else:
                yield kube_finding(
                    self,
                    EXPOSED_SERVICE,
                    obj,
                    f"{obj.resource} is a LoadBalancer Service (ports "
                    f"{ports}) with no internal annotation or source ranges",
                    line=line,
                    remediation="metadata:\n  annotations:\n    networking.gke.io/load-balancer-type: "
                    "Internal   # or your cloud's internal-LB annotation\nspec:\n  type: ClusterIP   "
                    "# or loadBalancerSourceRanges: [<office/VPN CIDR>]",
                )

    def _role(self, obj: KubeObject) -> Iterator[Finding]:
        if obj.kind == "ClusterRole" and isinstance(obj.body.get("aggregationRule"), Mapping):
            return
        rules = obj.body.get("rules")
        for index, item in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(item, Mapping):
                continue
            wild = [field for field in ("verbs", "resources", "apiGroups") if "*" in _strs(item.get(field))]
            if wild:
                yield kube_finding(
                    self,
                    RBAC_WILDCARD,
                    obj,
                    f"{obj.resource} rule {index + 1} grants `*` in {', '.join(wild)}",
                    evidence={"rule": index + 1},
                    line=item.line if isinstance(item, LineMap) else key_line(obj.body, "rules"),
                )

    def _binding(self, obj: KubeObject) -> Iterator[Finding]:
        ref = obj.body.get("roleRef")
        if not isinstance(ref, Mapping) or ref.get("name") != "cluster-admin" or ref.get("kind") != "ClusterRole":
            return
        subjects = obj.body.get("subjects")
        for s in subjects if isinstance(subjects, list) else []:
            if not isinstance(s, Mapping):
                continue
            if s.get("kind") == "ServiceAccount" or (
                s.get("kind") == "Group" and str(s.get("name", "")).startswith("system:serviceaccounts")
            ):
                who = (
                    f"Group {s.get('name')}"
                    if s.get("kind") == "Group"
                    else f"ServiceAccount {s.get('namespace', obj.namespace or 'default')}/{s.get('name')}"
                )
                yield kube_finding(
                    self,
                    CLUSTER_ADMIN_SA,
                    obj,
                    f"{obj.resource} binds cluster-admin to {who}",
                    evidence={"subject": who},
                    line=key_line(ref, "name") or key_line(obj.body, "roleRef"),
                )
