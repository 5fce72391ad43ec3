"""Rules that need every manifest at once: network policies per namespace, the default
service account, and the autoscaling / disruption story of each workload.

An object without ``metadata.namespace`` is counted in ``default`` (where
``kubectl apply`` would put it without ``-n``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from redline.checks.containers.common import CIS_K8S, in_test_context, key_line, kube_finding, mapping, seq
from redline.checks.containers.stateful import StatefulMount, stateful_data
from redline.checks.containers.variants import Variants
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Area, Confidence, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.containers.kubernetes import KubeManifest, KubeObject
from redline.sources.yamlsafe import LineMap

NO_NETWORK_POLICY = Rule(
    code="KUB121",
    name="kube-namespace-without-network-policy",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Namespace runs workloads but has no NetworkPolicy",
    doc=RuleDoc(
        what_it_does="For each namespace that holds workloads in the audited manifests, flags it when no NetworkPolicy "
        "in the manifests selects that namespace. Reported once per namespace, on its first workload.",
        why_bad="Without a NetworkPolicy every pod accepts traffic from every pod in the cluster: one compromised "
        "pod reaches databases and internal admin endpoints directly (no lateral-movement barrier).",
        example="kind: Deployment\nmetadata: {name: api, namespace: shop}\n# and no NetworkPolicy in 'shop'",
        use_instead="kind: NetworkPolicy\nmetadata: {name: default-deny, namespace: shop}\nspec:\n  podSelector: {}\n"
        "  policyTypes: [Ingress, Egress]",
        references=(CIS_K8S + " 5.3.2", "https://kubernetes.io/docs/concepts/services-networking/network-policies/"),
    ),
    tags=("CWE-923", "STRIDE:E"),
)
DEFAULT_SA_AUTOMOUNT = Rule(
    code="KUB132",
    name="kube-default-service-account-token",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Pod mounts the default service account token",
    doc=RuleDoc(
        what_it_does="Flags workloads that run as the `default` service account (no `serviceAccountName`) while its "
        "token "
        "is automounted: neither the pod spec nor a `default` ServiceAccount in the manifests sets "
        "`automountServiceAccountToken: false`.",
        why_bad="Every pod then carries an API token. Whatever RBAC later grants to `default` (often by accident) is "
        "granted to every workload in the namespace, and a compromised pod can query the API server.",
        example="spec:\n  template:\n    spec:\n      containers: [{name: app, image: acme/app:1.0}]",
        use_instead="spec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      containers: [...]",
        references=(
            CIS_K8S + " 5.1.5-5.1.6",
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/",
        ),
    ),
    tags=("CWE-269",),
)
SINGLE_REPLICA = Rule(
    code="KUB140",
    name="kube-single-replica",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Deployment runs one replica and has no autoscaler",
    doc=RuleDoc(
        what_it_does="Flags Deployments and StatefulSets with `replicas: 1` (or unset, which means 1) that no "
        "HorizontalPodAutoscaler or KEDA ScaledObject targets.",
        why_bad="One replica means every node drain, rollout, OOM kill or crash is an outage: there is nothing to "
        "fail over to, and no autoscaler will add capacity under load.",
        example="kind: Deployment\nspec:\n  replicas: 1",
        use_instead="kind: Deployment\nspec:\n  replicas: 3  # or an HPA with minReplicas: 2 and a PDB",
        references=(
            "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
            "https://kubernetes.io/docs/tasks/run-application/configure-pdb/",
        ),
    ),
    tags=("STRIDE:D",),
)
HPA_CPU_ONLY = Rule(
    code="KUB141",
    name="kube-hpa-cpu-only",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="HorizontalPodAutoscaler scales on CPU only",
    doc=RuleDoc(
        what_it_does="Flags HPAs whose only signal is CPU utilisation: autoscaling/v1 objects, and v2 objects whose "
        "every "
        "metric is the `cpu` Resource (or which list none, defaulting to 80% CPU).",
        why_bad="Latency-bound and I/O-bound services saturate on connections, queue depth or request rate long "
        "before CPU rises: the HPA reacts late (or never), and queue consumers scale on the wrong signal.",
        example="apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nspec:\n  metrics:\n"
        "    - type: Resource\n      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}",
        use_instead="  metrics:\n    - type: Pods\n      pods:\n        metric: {name: http_requests_per_second}\n"
        "        target: {type: AverageValue, averageValue: '100'}\n    - type: External  # e.g. queue depth",
        references=(
            "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#scaling-on-custom-metrics",
            "https://keda.sh/docs/latest/scalers/",
        ),
    ),
    tags=("STRIDE:D",),
)
HPA_NO_PDB = Rule(
    code="KUB142",
    name="kube-hpa-without-pdb",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Autoscaled workload has no PodDisruptionBudget",
    doc=RuleDoc(
        what_it_does="Flags HPAs whose target workload's pods are selected by no PodDisruptionBudget in the same "
        "namespace.",
        why_bad="Node drains (upgrades, autoscaler scale-down) may then evict every replica at once: the HPA buys "
        "capacity under load but nothing protects it from voluntary disruptions.",
        example="kind: HorizontalPodAutoscaler\nspec:\n  scaleTargetRef: {kind: Deployment, name: api}\n"
        "# no PodDisruptionBudget selecting app=api",
        use_instead="kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {app: api}",
        references=("https://kubernetes.io/docs/concepts/workloads/pods/disruptions/",),
    ),
    tags=("STRIDE:D",),
)
PDB_BLOCKS = Rule(
    code="KUB143",
    name="kube-pdb-blocks-evictions",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="PodDisruptionBudget allows no eviction",
    doc=RuleDoc(
        what_it_does="Flags PDBs with `maxUnavailable: 0` or `0%`, `minAvailable: 100%`, or an integer "
        "`minAvailable` at or "
        "above the replicas of every workload it selects.",
        why_bad="Such a budget never allows a voluntary eviction: node drains hang, cluster upgrades stall and the "
        "cluster autoscaler cannot remove nodes, until someone deletes the PDB by hand under pressure.",
        example="kind: PodDisruptionBudget\nspec:\n  minAvailable: 3  # and the Deployment has replicas: 3",
        use_instead="kind: PodDisruptionBudget\nspec:\n  maxUnavailable: 1",
        references=(
            "https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-"
            "reacts-to-disruptions",
        ),
    ),
    tags=("STRIDE:D",),
)
NO_SPREAD = Rule(
    code="KUB144",
    name="kube-no-pod-spread",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Multi-replica workload has no anti-affinity or topology spread",
    doc=RuleDoc(
        what_it_does="Flags Deployments and StatefulSets with more than one replica (or an HPA with minReplicas > "
        "1) whose "
        "pod spec has neither `podAntiAffinity` nor `topologySpreadConstraints`.",
        why_bad="The scheduler may place every replica on the same node or zone; losing that node or zone then takes "
        "all replicas down and the redundancy was an illusion.",
        example="spec:\n  replicas: 3\n  template:\n    spec:\n      containers: [...]",
        use_instead="      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: "
        "topology.kubernetes.io/zone\n"
        "          whenUnsatisfiable: ScheduleAnyway\n          labelSelector: {matchLabels: {app: api}}",
        references=("https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/",),
    ),
    tags=("STRIDE:D",),
)

DATA_NOT_DURABLE = Rule(
    code="KUB145",
    name="kube-stateful-data-not-durable",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Database or broker keeps its data on an ephemeral volume",
    doc=RuleDoc(
        what_it_does="Flags workloads running a stateful image (PostgreSQL, MySQL, MongoDB, Redis, RabbitMQ, Kafka, "
        "Elasticsearch… from the known-image table), or mounting a volume at such an image's data directory, whose "
        "data directory is on an `emptyDir` or on no volume at all, with no PersistentVolumeClaim. Such workloads "
        "are not given replica advice (KUB140): three replicas of a single-instance database is wrong advice.",
        why_bad="The container's filesystem and `emptyDir` volumes die with the pod: every rollout, node drain, "
        "eviction or crash that moves the pod starts the database empty. Replicas do not help; they only make "
        "several independent, empty databases.",
        example="kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: db\n"
        "          image: postgres:16\n          volumeMounts: [{name: data, mountPath: /var/lib/postgresql/data}]\n"
        "      volumes:\n        - name: data\n          emptyDir: {}",
        use_instead="kind: StatefulSet\nspec:\n  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec:\n"
        "        accessModes: [ReadWriteOnce]\n        resources: {requests: {storage: 10Gi}}\n"
        "# or a managed database; if the data really is disposable (a cache), say so with\n"
        "# redline.dev/ignore: KUB145=<why>",
        references=(
            "https://kubernetes.io/docs/concepts/storage/volumes/#emptydir",
            "https://kubernetes.io/docs/tutorials/stateful-application/basic-stateful-set/",
        ),
    ),
    tags=("CWE-404", "STRIDE:D"),
)

_SCALED = frozenset({"Deployment", "StatefulSet"})


def ns(obj: KubeObject) -> str:
    return obj.namespace or "default"


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A Kubernetes label selector (matchLabels + matchExpressions); an empty selector matches all."""
    for key, value in mapping(selector.get("matchLabels")).items():
        if str(labels.get(key)) != str(value) or key not in labels:
            return False
    exprs = selector.get("matchExpressions")
    for expr in exprs if isinstance(exprs, list) else []:
        if not isinstance(expr, Mapping):
            return False
        key, op = str(expr.get("key")), expr.get("operator")
        values = {str(v) for v in seq(expr.get("values"))}
        present = key in labels
        if (
            (op == "In" and (not present or str(labels[key]) not in values))
            or (op == "NotIn" and present and str(labels[key]) in values)
            or (op == "Exists" and not present)
            or (op == "DoesNotExist" and present)
        ):
            return False
    return True


def _pod_labels(obj: KubeObject) -> Mapping[str, Any]:
    return mapping(obj.pod_metadata().get("labels"))


class _Index:
    def __init__(self, objects: list[KubeObject], variants: Variants) -> None:
        self.objects = objects
        self.variants = variants
        self.by_kind: dict[str, list[KubeObject]] = defaultdict(list)
        for obj in objects:
            self.by_kind[obj.kind].append(obj)

    def scalers_of(self, obj: KubeObject) -> list[KubeObject]:
        out = []
        for hpa in self.by_kind["HorizontalPodAutoscaler"] + self.by_kind["ScaledObject"]:
            ref = mapping(hpa.spec.get("scaleTargetRef"))
            kind = ref.get("kind") or "Deployment"
            if (
                ns(hpa) == ns(obj)
                and ref.get("name") == obj.name
                and kind == obj.kind
                and self.variants.same_set(hpa, obj)
            ):
                out.append(hpa)
        return out

    def target_of(self, hpa: KubeObject) -> KubeObject | None:
        ref = mapping(hpa.spec.get("scaleTargetRef"))
        for obj in self.by_kind.get(str(ref.get("kind") or "Deployment"), []):
            if obj.name == ref.get("name") and ns(obj) == ns(hpa) and self.variants.same_set(hpa, obj):
                return obj
        return None

    def pdbs_for(self, obj: KubeObject) -> list[KubeObject]:
        labels = _pod_labels(obj)
        return [
            p
            for p in self.by_kind["PodDisruptionBudget"]
            if ns(p) == ns(obj)
            and isinstance(p.spec.get("selector"), Mapping)
            and labels
            and selector_matches(p.spec["selector"], labels)
            and self.variants.same_set(p, obj)
        ]


class KubeClusterCheck(ProjectCheck):
    name = "kube-cluster"
    rules = (
        NO_NETWORK_POLICY,
        DEFAULT_SA_AUTOMOUNT,
        SINGLE_REPLICA,
        HPA_CPU_ONLY,
        HPA_NO_PDB,
        PDB_BLOCKS,
        NO_SPREAD,
        DATA_NOT_DURABLE,
    )
    fact_types = (KubeManifest,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        # kustomize patches only hold the fields they change: judging them as objects would misfire
        manifests = sorted(facts.of(KubeManifest), key=lambda m: m.path)
        variants = Variants.of(manifests)
        objects = [o for m in manifests for o in m.objects if not o.is_patch and o.path not in variants.patch_files]
        index = _Index(objects, variants)
        out: list[Finding] = []
        out += self._network_policies(index)
        out += self._default_sa(index)
        for obj in objects:
            if obj.kind in _SCALED:
                out += self._replicas(index, obj)
            elif obj.kind == "HorizontalPodAutoscaler":
                out += self._hpa(index, obj)
            elif obj.kind == "PodDisruptionBudget":
                out += self._pdb(index, obj)
        return out

    def _network_policies(self, index: _Index) -> Iterator[Finding]:
        covered = {ns(p) for p in index.by_kind["NetworkPolicy"]}
        first: dict[str, KubeObject] = {}
        for obj in index.objects:
            if obj.is_workload and ns(obj) not in covered:
                first.setdefault(ns(obj), obj)
        declared = {o.name: o for o in index.by_kind["Namespace"]}
        for namespace, obj in sorted(first.items()):
            # anchor at the Namespace object when the tree declares it: that is where the policy belongs
            anchor = declared.get(namespace, obj)
            yield kube_finding(
                self,
                NO_NETWORK_POLICY,
                anchor,
                f"namespace `{namespace}` runs {obj.resource} but "
                "no NetworkPolicy in the audited manifests applies to it",
                evidence={"namespace": namespace},
                line=key_line(anchor.metadata, "namespace"),
                group=f"namespace/{namespace}",
                remediation=f"kind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: "
                f"{namespace}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n"
                "# then one policy per workload allowing only the traffic it needs",
            )

    def _default_sa(self, index: _Index) -> Iterator[Finding]:
        off = {
            ns(sa)
            for sa in index.by_kind["ServiceAccount"]
            if sa.name == "default" and sa.body.get("automountServiceAccountToken") is False
        }
        for obj in index.objects:
            pod = obj.pod_spec()
            if not pod:
                continue
            account = pod.get("serviceAccountName") or pod.get("serviceAccount") or "default"
            if account != "default" or pod.get("automountServiceAccountToken") is False or ns(obj) in off:
                continue
            if any(index.variants.patches(obj, k) for k in ("serviceAccountName", "automountServiceAccountToken")):
                continue  # an overlay or component sets it: the base is not what gets applied
            yield kube_finding(
                self,
                DEFAULT_SA_AUTOMOUNT,
                obj,
                f"{obj.resource} runs as the default service account with its API token mounted",
                line=_pod_line(obj, pod),
            )

    def _replicas(self, index: _Index, obj: KubeObject) -> Iterator[Finding]:
        replicas = obj.replicas
        scalers = index.scalers_of(obj)
        line = key_line(obj.spec, "replicas") or key_line(obj.body, "spec")
        stateful = stateful_data(obj)
        if stateful:  # a single-instance database wants durable storage, not three replicas
            yield from self._durability(obj, stateful)
        elif (
            (replicas is None or replicas == 1)
            and not scalers
            and not index.variants.patches(obj, "replicas")
            and not in_test_context(obj.path, obj.name)
        ):  # one load generator is enough
            shown = "replicas: 1" if replicas == 1 else "no replicas field (defaults to 1)"
            yield kube_finding(
                self,
                SINGLE_REPLICA,
                obj,
                f"{obj.resource} has {shown} and no autoscaler",
                line=line,
                remediation="spec:\n  replicas: 2   # or an HPA with minReplicas: 2, plus a PodDisruptionBudget",
            )
        mins = [s.spec.get("minReplicas", s.spec.get("minReplicaCount", 1)) for s in scalers]
        min_replicas = max([m for m in mins if isinstance(m, int)] or [0])
        if max(replicas or 0, min_replicas) > 1:
            affinity = mapping(mapping(obj.pod_spec()).get("affinity"))
            if not affinity.get("podAntiAffinity") and not mapping(obj.pod_spec()).get("topologySpreadConstraints"):
                yield kube_finding(
                    self,
                    NO_SPREAD,
                    obj,
                    f"{obj.resource} runs {max(replicas or 0, min_replicas)} "
                    "replicas with no podAntiAffinity or topologySpreadConstraints",
                    line=line,
                )

    def _durability(self, obj: KubeObject, stateful: list[StatefulMount]) -> Iterator[Finding]:
        for item in stateful:
            if item.durable:
                continue
            where = f"on emptyDir `{item.volume}`" if item.volume else "on no volume (the container's own filesystem)"
            yield kube_finding(
                self,
                DATA_NOT_DURABLE,
                obj,
                f"{obj.resource} container `{item.container}` runs "
                f"{item.what} with its data directory {item.path} {where}: the data is lost whenever "
                "the pod restarts or moves",
                container=item.container,
                line=item.line,
                evidence={"data": item.path},
            )

    def _hpa(self, index: _Index, hpa: KubeObject) -> Iterator[Finding]:
        line = (
            key_line(hpa.spec, "metrics")
            or key_line(hpa.spec, "targetCPUUtilizationPercentage")
            or key_line(hpa.body, "spec")
        )
        if _cpu_only(hpa):
            yield kube_finding(
                self,
                HPA_CPU_ONLY,
                hpa,
                f"{hpa.resource} scales on CPU utilisation only; add a load signal such as request rate or queue depth",
                line=line,
            )
        target = index.target_of(hpa)
        if target is not None and not index.pdbs_for(target):
            yield kube_finding(
                self,
                HPA_NO_PDB,
                hpa,
                f"{hpa.resource} scales {target.resource}, whose pods no PodDisruptionBudget selects",
                line=key_line(hpa.spec, "scaleTargetRef") or line,
                remediation=f"kind: PodDisruptionBudget\nmetadata: {{name: {target.name}}}\nspec:\n"
                f"  maxUnavailable: 1\n  selector: {{matchLabels: <the pod labels of {target.name}>}}",
            )

    def _pdb(self, index: _Index, pdb: KubeObject) -> Iterator[Finding]:
        spec = pdb.spec
        max_unavailable, min_available = spec.get("maxUnavailable"), spec.get("minAvailable")
        if max_unavailable in (0, "0", "0%"):
            yield kube_finding(
                self,
                PDB_BLOCKS,
                pdb,
                f"{pdb.resource} sets maxUnavailable: {max_unavailable}: no pod may ever be evicted",
                line=key_line(spec, "maxUnavailable"),
            )
            return
        if min_available == "100%":
            yield kube_finding(
                self,
                PDB_BLOCKS,
                pdb,
                f"{pdb.resource} sets minAvailable: 100%: no pod may ever be evicted",
                line=key_line(spec, "minAvailable"),
            )
            return
        if not isinstance(min_available, int) or isinstance(min_available, bool):
            return
        selector = mapping(spec.get("selector"))
        selected = [
            o
            for o in index.objects
            if o.kind in _SCALED
            and ns(o) == ns(pdb)
            and _pod_labels(o)
            and selector_matches(selector, _pod_labels(o))
            and index.variants.same_set(pdb, o)
        ]
        if selected and all(not index.scalers_of(o) and min_available >= (o.replicas or 1) for o in selected):
            names = ", ".join(o.resource for o in selected)
            yield kube_finding(
                self,
                PDB_BLOCKS,
                pdb,
                f"{pdb.resource} requires minAvailable: {min_available}, as many as the replicas of {names}",
                confidence=Confidence.MEDIUM,
                line=key_line(spec, "minAvailable"),
            )


def _pod_line(obj: KubeObject, pod: Mapping[str, Any]) -> int:
    """The pod spec's ``spec:`` line (where ``serviceAccountName`` or ``automountServiceAccountToken`` belongs)."""
    return pod.key_line if isinstance(pod, LineMap) else 0


def _cpu_only(hpa: KubeObject) -> bool:
    if hpa.api_version == "autoscaling/v1":
        return True
    metrics = hpa.spec.get("metrics")
    if not isinstance(metrics, list) or not metrics:
        return True  # v2 without metrics defaults to 80% average CPU
    for metric in metrics:
        m = mapping(metric)
        kind = m.get("type")
        if kind == "Resource" and mapping(m.get("resource")).get("name") == "cpu":
            continue
        if kind == "ContainerResource" and mapping(m.get("containerResource")).get("name") == "cpu":
            continue
        return False
    return True
