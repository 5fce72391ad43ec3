"""Pod hardening (Pod Security Standards baseline + restricted) for every workload kind.

One finding per workload, rule and problem, naming every container it concerns (in the
evidence), addressed as ``Kind/namespace/name`` and located at the offending key (or the
container entry where a missing block belongs). A workload with no securityContext at all gets
one KUB116 finding listing the missing controls instead of one per control. Suppression comments
anywhere in the object and ``redline.dev/ignore`` apply. The whole tree is read first: kustomize
patches and skaffold placeholders (``variants``) and the Dockerfiles that build each image.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from redline.checks.containers.builds import BuildIndex
from redline.checks.containers.common import (
    CIS_DOCKER,
    CIS_K8S,
    PSS,
    flag_value,
    image_name,
    in_test_context,
    is_root_user,
    key_line,
    kube_finding,
    mapping,
    root_group,
    seq,
    split_image,
    unpinned_reason,
)
from redline.checks.containers.dockerfiles import image_key
from redline.checks.containers.variants import Variants
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.evidence import EMPTY, Evidence
from redline.core.facts import Facts
from redline.core.known_images import unprivileged
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.placeholders import looks_like_placeholder
from redline.core.rules import Rule, RuleDoc
from redline.core.secret_names import secret_name
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.kubernetes import BATCH_KINDS, Container, KubeManifest, KubeObject

_DEPLOY = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n"
)

RUN_AS_ROOT = Rule(
    code="KUB101",
    name="kube-run-as-root",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Container may run as root",
    doc=RuleDoc(
        what_it_does="Flags containers whose effective security context (pod level, overridden by the container) sets "
        "`runAsUser: 0`, or sets neither `runAsNonRoot: true` nor a non-zero `runAsUser`.",
        why_bad="Most images default to UID 0. A root process that escapes the container (a kernel or runtime bug, a "
        "writable hostPath) is root on the node; the restricted Pod Security Standard forbids it.",
        example=_DEPLOY + "        - name: app\n          image: acme/web:1.4",
        use_instead=_DEPLOY + "        - name: app\n          image: acme/web:1.4\n          securityContext:\n"
        "            runAsNonRoot: true\n            runAsUser: 10001",
        references=(PSS + "#restricted", CIS_K8S + " 5.2.6"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
PRIVILEGED = Rule(
    code="KUB102",
    name="kube-privileged-container",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Privileged container",
    doc=RuleDoc(
        what_it_does="Flags containers with `securityContext.privileged: true`.",
        why_bad="A privileged container sees every host device and has all capabilities: it is root on the node. "
        "The baseline Pod Security Standard forbids it.",
        example="securityContext:\n  privileged: true",
        use_instead="securityContext:\n  privileged: false\n  capabilities:\n    drop: [ALL]",
        references=(PSS + "#baseline", CIS_K8S + " 5.2.2"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
PRIV_ESCALATION = Rule(
    code="KUB103",
    name="kube-allow-privilege-escalation",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Container does not forbid privilege escalation",
    doc=RuleDoc(
        what_it_does="Flags containers that do not set `allowPrivilegeEscalation: false` (it defaults to true). "
        "Privileged "
        "containers are left to KUB102.",
        why_bad="With escalation allowed, a setuid binary or file capability in the image lets a compromised process "
        "gain more privileges than it started with (no_new_privs is off). Required by the restricted standard.",
        example="securityContext:\n  runAsNonRoot: true",
        use_instead="securityContext:\n  runAsNonRoot: true\n  allowPrivilegeEscalation: false",
        references=(PSS + "#restricted", CIS_K8S + " 5.2.5"),
    ),
    tags=("CWE-269", "STRIDE:E"),
)
CAPS_NOT_DROPPED = Rule(
    code="KUB104",
    name="kube-capabilities-not-dropped",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Container keeps the default Linux capabilities",
    doc=RuleDoc(
        what_it_does="Flags containers whose `securityContext.capabilities.drop` does not contain `ALL` (privileged "
        "containers are left to KUB102).",
        why_bad="The runtime's default set includes CHOWN, DAC_OVERRIDE, SETUID, NET_RAW and others an application "
        "rarely needs; each is a step an attacker can use after a compromise (NET_RAW allows ARP/DNS spoofing).",
        example="securityContext:\n  allowPrivilegeEscalation: false",
        use_instead="securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]  # only if needed",
        references=(PSS + "#restricted", CIS_K8S + " 5.2.9"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
CAPS_ADDED = Rule(
    code="KUB105",
    name="kube-dangerous-capabilities",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Container adds capabilities beyond the baseline set",
    doc=RuleDoc(
        what_it_does="Flags `capabilities.add` entries outside the baseline standard's allowed list (AUDIT_WRITE, "
        "CHOWN, "
        "DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, "
        "SYS_CHROOT), e.g. SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL.",
        why_bad="SYS_ADMIN is close to privileged; SYS_PTRACE reads other processes' memory; NET_ADMIN rewrites the "
        "network. Each turns a container compromise into a node compromise.",
        example="securityContext:\n  capabilities:\n    add: [SYS_ADMIN]",
        use_instead="securityContext:\n  capabilities:\n    drop: [ALL]\n    add: [NET_BIND_SERVICE]",
        references=(PSS + "#baseline", CIS_K8S + " 5.2.8"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
SECCOMP = Rule(
    code="KUB106",
    name="kube-seccomp-not-enforced",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Seccomp profile is Unconfined or unset",
    doc=RuleDoc(
        what_it_does="Flags containers whose effective seccomp profile (container, else pod, including the legacy "
        "annotations) is `Unconfined` (high severity, baseline) or not set at all (restricted; privileged "
        "containers, which run unconfined anyway, are left to KUB102).",
        why_bad="Without seccomp the container can call every syscall, including the rarely used ones most kernel "
        "exploits go through. `RuntimeDefault` blocks them at almost no cost.",
        example="spec:\n  securityContext:\n    seccompProfile:\n      type: Unconfined",
        use_instead="spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault",
        references=(PSS + "#restricted", "https://kubernetes.io/docs/tutorials/security/seccomp/"),
    ),
    tags=("CWE-693",),
)
WRITABLE_ROOT = Rule(
    code="KUB107",
    name="kube-writable-root-filesystem",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Container root filesystem is writable",
    doc=RuleDoc(
        what_it_does="Flags containers without `securityContext.readOnlyRootFilesystem: true`.",
        why_bad="A writable root lets an attacker drop tools, alter binaries or persist inside the container; "
        "a read-only root with explicit emptyDir mounts for scratch space removes that foothold.",
        example="securityContext:\n  runAsNonRoot: true",
        use_instead="securityContext:\n  readOnlyRootFilesystem: true\nvolumeMounts:\n  - {name: tmp, mountPath: /tmp}",
        references=(CIS_K8S + " 5.7.3", "CIS Docker Benchmark 5.12"),
    ),
    tags=("CWE-732",),
)
HOST_NAMESPACES = Rule(
    code="KUB108",
    name="kube-host-namespaces",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Pod shares the host network, PID or IPC namespace",
    doc=RuleDoc(
        what_it_does="Flags pod specs with `hostNetwork`, `hostPID` or `hostIPC` set to true (one finding per "
        "setting).",
        why_bad="hostNetwork exposes node-local services (kubelet, metadata endpoints) and bypasses NetworkPolicies; "
        "hostPID lets the pod see and signal every process on the node; hostIPC shares its memory segments.",
        example="spec:\n  hostNetwork: true",
        use_instead="spec:\n  hostNetwork: false  # expose through a Service instead",
        references=(PSS + "#baseline", CIS_K8S + " 5.2.3-5.2.4"),
    ),
    tags=("CWE-668", "STRIDE:E"),
)
HOST_PATH = Rule(
    code="KUB109",
    name="kube-hostpath-volume",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Pod mounts a hostPath volume",
    doc=RuleDoc(
        what_it_does="Flags `hostPath` volumes (container runtime sockets are reported by KUB110 instead).",
        why_bad="A hostPath gives the pod a piece of the node's filesystem; writable, it lets a compromised pod modify "
        "node files; read-only, it can still leak credentials and logs of other pods.",
        example="volumes:\n  - name: logs\n    hostPath: {path: /var/log}",
        use_instead="volumes:\n  - name: logs\n    emptyDir: {}",
        references=(PSS + "#baseline",),
    ),
    tags=("CWE-668",),
)
RUNTIME_SOCKET = Rule(
    code="KUB110",
    name="kube-runtime-socket-mount",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="Pod mounts the container runtime socket",
    doc=RuleDoc(
        what_it_does="Flags hostPath volumes pointing at `docker.sock`, `containerd.sock`, `crio.sock` or their "
        "directory.",
        why_bad="Whoever talks to the runtime socket can start a privileged container on the node: it is root on "
        "the node and access to every other pod's secrets.",
        example="volumes:\n  - name: docker\n    hostPath: {path: /var/run/docker.sock}",
        use_instead="Build images with a daemonless builder (BuildKit rootless, kaniko) instead of the node's daemon.",
        references=(CIS_DOCKER.replace("section 4 (Container Images and Build File)", "5.31"), PSS + "#baseline"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
IMAGE_UNPINNED = Rule(
    code="KUB111",
    name="kube-image-not-pinned",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Container image uses latest or no tag and no digest",
    doc=RuleDoc(
        what_it_does="Flags container images without a tag, or tagged `latest`, and without an `@sha256:` digest.",
        why_bad="The image that runs changes whenever someone pushes: deployments are not reproducible, rollbacks do "
        "not roll back, and a compromised registry push lands in production unnoticed.",
        example="image: nginx:latest",
        use_instead="image: nginx:1.27.2@sha256:<digest>",
        references=(CIS_K8S + " 5.5.1", "https://kubernetes.io/docs/concepts/containers/images/#image-names"),
    ),
    tags=("CWE-494", "STRIDE:T"),
)
SECRET_ENV = Rule(
    code="KUB112",
    name="kube-secret-in-env-literal",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Credential-named environment variable set to a literal value",
    doc=RuleDoc(
        what_it_does="Flags `env` entries whose NAME says credential (PASSWORD, SECRET, TOKEN, API_KEY, "
        "PRIVATE_KEY…) and "
        "which carry a literal `value` instead of `valueFrom` (the value itself is judged by the secrets rules).",
        why_bad="A literal value sits in the manifest, in git, in `kubectl get -o yaml` output and in every rendered "
        "chart: anyone who can read the Deployment reads the credential.",
        example="env:\n  - name: DB_PASSWORD\n    value: hunter2",
        use_instead="env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: password}",
        references=(
            "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
            CIS_K8S + " 5.4.1",
        ),
    ),
    tags=("CWE-798", "STRIDE:I"),
)
NO_PROBES = Rule(
    code="KUB113",
    name="kube-no-probes",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Long-running container has no probes",
    doc=RuleDoc(
        what_it_does="Flags containers of long-running workloads (not Jobs or CronJobs) with neither a readiness nor a "
        "liveness probe.",
        why_bad="Without a readiness probe traffic reaches pods that are still starting or overloaded; without a "
        "liveness probe a deadlocked process is never restarted. Both turn one bad pod into user-facing errors.",
        example="containers:\n  - name: app\n    image: acme/web:1.4",
        use_instead="containers:\n  - name: app\n    image: acme/web:1.4\n    readinessProbe:\n      httpGet: "
        "{path: /ready, "
        "port: 8080}\n    livenessProbe:\n      httpGet: {path: /live, port: 8080}",
        references=(
            "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
            "CIS Docker Benchmark 4.6",
        ),
    ),
    tags=("CWE-703",),
)
NO_RESOURCES = Rule(
    code="KUB114",
    name="kube-no-resources",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Container has no resource requests or memory limit",
    doc=RuleDoc(
        what_it_does="Flags containers (not init containers) missing `resources.requests.cpu`, "
        "`resources.requests.memory` "
        "or `resources.limits.memory`.",
        why_bad="Without requests the scheduler packs pods blindly and the pod is first to be evicted (BestEffort); "
        "without a memory limit one leaking pod takes the node's memory and its neighbours with it. Runtime "
        "tuning (GC, heap, workers) also needs to know the limits.",
        example="containers:\n  - name: app\n    image: acme/web:1.4",
        use_instead="resources:\n  requests: {cpu: 250m, memory: 256Mi}\n  limits: {memory: 512Mi}",
        references=(
            "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
            "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/",
        ),
    ),
    tags=("CWE-770", "STRIDE:D"),
)

BASELINE_OTHER = Rule(
    code="KUB115",
    name="kube-baseline-isolation-weakened",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Pod weakens another Pod Security Standards baseline control",
    doc=RuleDoc(
        what_it_does="Flags the remaining baseline controls: `hostPort` on container ports, `procMount: Unmasked`, "
        "AppArmor `Unconfined` (field or annotation), SELinux types outside container_t/container_init_t/"
        "container_kvm_t/container_engine_t (or a custom user/role), and sysctls outside the safe set.",
        why_bad="Each one removes a piece of the isolation between the pod and the node: a hostPort bypasses "
        "NetworkPolicies and pins the pod to the node's address, an unmasked /proc exposes kernel "
        "interfaces, unconfined AppArmor and custom SELinux labels drop mandatory access control, and "
        "unsafe sysctls change kernel settings for every pod on the node.",
        example="ports:\n  - containerPort: 8080\n    hostPort: 8080\nsecurityContext:\n  procMount: Unmasked",
        use_instead="ports:\n  - containerPort: 8080   # publish through a Service instead",
        references=(PSS + "#baseline", "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/"),
    ),
    tags=("CWE-668", "STRIDE:E"),
)

NO_SECURITY_CONTEXT = Rule(
    code="KUB116",
    name="kube-no-security-context",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Workload sets no securityContext at all",
    doc=RuleDoc(
        what_it_does="Flags workloads where neither the pod nor any container sets a `securityContext` (nor a legacy "
        "seccomp annotation): ONE finding per workload listing the restricted-profile controls that are missing "
        "(runAsNonRoot, allowPrivilegeEscalation, capabilities, seccomp, readOnlyRootFilesystem), instead of one "
        "finding per control and container (KUB101, KUB103, KUB104, KUB106, KUB107 report partial contexts).",
        why_bad="Without a security context the container runs with the runtime's defaults: the image's user (often "
        "root), privilege escalation allowed, the default capability set, no seccomp filter and a writable root "
        "filesystem. One missing block is one root cause, fixed by one block.",
        example=_DEPLOY + "        - name: app\n          image: acme/web:1.4",
        use_instead=_DEPLOY + "        - name: app\n          image: acme/web:1.4\n          securityContext:\n"
        "            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n"
        "            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}\n"
        "            seccompProfile: {type: RuntimeDefault}",
        references=(PSS + "#restricted", "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)

SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
BASELINE_CAPS = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)
_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock")
_SOCKET_DIRS = frozenset(
    {
        "/var/run",
        "/run",
        "/var/run/docker",
        "/run/containerd",
        "/var/run/containerd",
        "/run/docker",
        "/var/run/crio",
        "/run/crio",
    }
)


def effective(pod: Mapping[str, Any], container: Container, key: str) -> Any:
    """A security-context field: the container's value wins over the pod's."""
    own = mapping(container.body.get("securityContext")).get(key)
    return own if own is not None else mapping(pod.get("securityContext")).get(key)


def _seccomp_type(obj: KubeObject, pod: Mapping[str, Any], container: Container) -> str | None:
    profile = effective(pod, container, "seccompProfile")
    if isinstance(profile, Mapping) and isinstance(profile.get("type"), str):
        return str(profile["type"])
    ann = obj.pod_metadata().get("annotations")
    ann = ann if isinstance(ann, Mapping) else {}
    legacy = ann.get(f"container.seccomp.security.alpha.kubernetes.io/{container.name}") or ann.get(
        "seccomp.security.alpha.kubernetes.io/pod"
    )
    if isinstance(legacy, str):
        return "Unconfined" if legacy == "unconfined" else "RuntimeDefault"
    return None


def socket_path(path: str) -> bool:
    clean = path.rstrip("/") or "/"
    return clean.endswith(_SOCKETS) or clean in _SOCKET_DIRS


@dataclass(frozen=True)
class Issue:
    """One problem of one container, before the containers of a workload are merged into one finding."""

    rule: Rule
    container: str
    line: int
    text: str  # what is wrong, without naming the container
    severity: Severity | None = None
    evidence: Evidence = EMPTY
    remediation: str = ""
    group: str = ""


#: rules that only say "this control is not set": a workload without any securityContext gets KUB116 instead
_UNSET_CONTROLS: Mapping[str, tuple[str, str]] = {
    "KUB101": ("runAsNonRoot", "runAsNonRoot: true"),
    "KUB103": ("allowPrivilegeEscalation", "allowPrivilegeEscalation: false"),
    "KUB104": ("capabilities", "capabilities: {drop: [ALL]}"),
    "KUB106": ("seccompProfile", "seccompProfile: {type: RuntimeDefault}"),
    "KUB107": ("readOnlyRootFilesystem", "readOnlyRootFilesystem: true"),
}


def _sc_line(pod: Mapping[str, Any], c: Container, key: str) -> int:
    """Line of ``key`` in the container's securityContext, else the pod's, else the securityContext block,
    else the container's entry (where the missing block belongs)."""
    own = c.body.get("securityContext")
    return (
        key_line(own, key) or key_line(pod.get("securityContext"), key) or key_line(c.body, "securityContext") or c.line
    )


def has_security_context(obj: KubeObject, pod: Mapping[str, Any]) -> bool:
    ann = mapping(obj.pod_metadata().get("annotations"))
    return (
        bool(mapping(pod.get("securityContext")))
        or any("securityContext" in c.body for c in obj.containers())
        or any(
            str(k).startswith("seccomp.security.alpha.kubernetes.io")
            or str(k).startswith("container.seccomp.security.alpha.kubernetes.io")
            for k in ann
        )
    )


@dataclass(frozen=True)
class _Tree:
    """What the whole tree says about a workload: kustomize/skaffold variants and the Dockerfiles built here."""

    variants: Variants
    builds: BuildIndex


#: why a chart release's workloads are not judged (one reason for all, so the report counts them in one line)
CHART_NOT_RENDERED = (
    "Helm chart release (Flux HelmRelease, k3s HelmChart): its workloads come from the chart, which redline does not "
    "render; render it (helm template with these values) to audit them"
)


def _chart_release(obj: KubeObject) -> bool:
    """A Flux ``HelmRelease`` or a k3s ``HelmChart``: pods defined by a chart somewhere else (onedr0p/home-ops: 80 of
    them, every workload of the cluster), so the absence of findings says nothing about them."""
    group = obj.api_version.split("/", 1)[0]
    return (obj.kind, group) in {("HelmRelease", "helm.toolkit.fluxcd.io"), ("HelmChart", "helm.cattle.io")}


class KubePodSecurityCheck(ProjectCheck):
    name = "kube-pod-security"
    rules = (
        RUN_AS_ROOT,
        PRIVILEGED,
        PRIV_ESCALATION,
        CAPS_NOT_DROPPED,
        CAPS_ADDED,
        SECCOMP,
        WRITABLE_ROOT,
        HOST_NAMESPACES,
        HOST_PATH,
        RUNTIME_SOCKET,
        IMAGE_UNPINNED,
        SECRET_ENV,
        NO_PROBES,
        NO_RESOURCES,
        BASELINE_OTHER,
        NO_SECURITY_CONTEXT,
    )
    fact_types = (KubeManifest, Dockerfile)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped]:
        manifests = sorted(facts.of(KubeManifest), key=lambda m: m.path)
        tree = _Tree(Variants.of(manifests), BuildIndex.of(facts.of(Dockerfile), manifests))
        out: list[Finding | Skipped] = []
        for manifest in manifests:
            for obj in manifest.objects:
                if _chart_release(obj):
                    out.append(Skipped(f"{obj.path}:{obj.line}", CHART_NOT_RENDERED))
                    continue
                pod = obj.pod_spec()
                if pod is None or obj.is_patch or obj.path in tree.variants.patch_files:
                    continue  # a kustomize patch holds only the fields it changes
                if mapping(pod.get("os")).get("name") == "windows":
                    continue  # Linux security contexts do not apply
                out.extend(self._workload(obj, pod, tree))
        return out

    def _workload(self, obj: KubeObject, pod: Mapping[str, Any], tree: _Tree) -> Iterator[Finding]:
        yield from self._pod(obj, pod)
        issues = [i for c in obj.containers() for i in self._container(obj, pod, c, tree)]
        if not has_security_context(obj, pod):
            unset = [i for i in issues if i.rule.code in _UNSET_CONTROLS and i.severity is None]
            if unset:
                yield self._no_context(obj, unset)
                issues = [i for i in issues if i not in unset]
        yield from self._merge(obj, issues)

    def _no_context(self, obj: KubeObject, unset: list[Issue]) -> Finding:
        controls = [code for code in _UNSET_CONTROLS if any(i.rule.code == code for i in unset)]
        names = list(dict.fromkeys(i.container for i in unset))
        block = "securityContext:\n" + "".join(f"  {_UNSET_CONTROLS[code][1]}\n" for code in controls)
        shown = ", ".join(_UNSET_CONTROLS[code][0] for code in controls)
        return kube_finding(
            self,
            NO_SECURITY_CONTEXT,
            obj,
            f"{obj.resource} sets no securityContext for {_who(names)}: missing {shown}",
            container=",".join(names),
            line=unset[0].line,
            evidence={"missing": tuple(_UNSET_CONTROLS[c][0] for c in controls)},
            remediation=f"Add to each container ({', '.join(names)}):\n{block}",
        )

    def _merge(self, obj: KubeObject, issues: list[Issue]) -> Iterator[Finding]:
        """One finding per rule and problem for the workload, naming every container it concerns."""
        merged: dict[tuple[Any, ...], list[Issue]] = {}
        for issue in issues:
            key = (issue.rule.code, issue.text, issue.evidence, issue.severity, issue.group)
            merged.setdefault(key, []).append(issue)
        for group in merged.values():
            first = group[0]
            names = list(dict.fromkeys(i.container for i in group if i.container))
            who = f"{obj.resource} {_who(names)}" if names else obj.resource
            yield kube_finding(
                self,
                first.rule,
                obj,
                f"{who}: {first.text}",
                container=",".join(names),
                severity=first.severity,
                evidence=first.evidence,
                line=first.line,
                remediation=first.remediation,
                group=first.group,
            )

    def _pod(self, obj: KubeObject, pod: Mapping[str, Any]) -> Iterator[Finding]:
        sysctls = [str(mapping(x).get("name")) for x in seq(mapping(pod.get("securityContext")).get("sysctls"))]
        unsafe = sorted(n for n in sysctls if n not in SAFE_SYSCTLS)
        if unsafe:
            yield kube_finding(
                self,
                BASELINE_OTHER,
                obj,
                f"{obj.resource} sets unsafe sysctls {', '.join(unsafe)}",
                evidence={"sysctls": tuple(unsafe)},
                line=key_line(pod.get("securityContext"), "sysctls"),
            )
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(key) is True:
                yield kube_finding(
                    self,
                    HOST_NAMESPACES,
                    obj,
                    f"{obj.resource} sets {key}: true",
                    evidence={"setting": key},
                    line=key_line(pod, key),
                    remediation=f"{key}: false",
                )
        yield from self._host_paths(obj, pod)

    def _host_paths(self, obj: KubeObject, pod: Mapping[str, Any]) -> Iterator[Finding]:
        for vol in seq(pod.get("volumes")):
            host = mapping(vol).get("hostPath")
            if not isinstance(host, Mapping):
                continue
            path = str(host.get("path", ""))
            vname = str(vol.get("name", ""))
            line = key_line(vol, "hostPath") or key_line(pod, "volumes")
            if socket_path(path):
                yield kube_finding(
                    self,
                    RUNTIME_SOCKET,
                    obj,
                    f"{obj.resource} mounts the container runtime socket `{path}` (volume {vname})",
                    evidence={"volume": vname, "path": path},
                    line=line,
                )
            else:
                yield kube_finding(
                    self,
                    HOST_PATH,
                    obj,
                    f"{obj.resource} mounts hostPath `{path}` (volume {vname})",
                    evidence={"volume": vname, "path": path},
                    line=line,
                    remediation=f"volumes:\n  - name: {vname}\n    emptyDir: {{}}   # or a "
                    "PersistentVolumeClaim; mount it readOnly if the host path is really needed",
                )

    def _container(self, obj: KubeObject, pod: Mapping[str, Any], c: Container, tree: _Tree) -> Iterator[Issue]:
        yield from self._identity(pod, c, tree.builds.for_image(c.image))
        yield from self._privileges(pod, c)
        yield from self._confinement(obj, pod, c)
        yield from self._baseline_other(obj, pod, c)
        reason = unpinned_reason(c.image)
        if reason and not tree.variants.placeholder(c.image) and not tree.variants.patches(obj, "image"):
            yield Issue(
                IMAGE_UNPINNED,
                c.name,
                key_line(c.body, "image") or c.line,
                reason,
                evidence=Evidence({"image": c.image}),
                remediation=f"image: {split_image(c.image)[0]}:<version>@sha256:<digest>",
            )
        yield from self._env(c)
        if c.init:
            return
        if in_test_context(obj.path, obj.name):
            return  # a load generator or test runner serves nobody: probes and sizing are not its concern
        if obj.kind not in BATCH_KINDS and not any(k in c.body for k in ("readinessProbe", "livenessProbe")):
            yield Issue(NO_PROBES, c.name, c.line, "has no readiness or liveness probe")
        yield from self._resources(c)

    def _identity(self, pod: Mapping[str, Any], c: Container, df: Dockerfile | None) -> Iterator[Issue]:
        user = effective(pod, c, "runAsUser")
        group = root_group(image_key(df) if df is not None else image_name(c.image) or c.name)
        if user == 0:
            yield Issue(
                RUN_AS_ROOT,
                c.name,
                _sc_line(pod, c, "runAsUser"),
                "runs as UID 0 (runAsUser: 0)",
                severity=Severity.HIGH,
                remediation="securityContext:\n  runAsUser: 10001\n  runAsNonRoot: true",
                group=group,
            )
        elif effective(pod, c, "runAsNonRoot") is not True and not (isinstance(user, int) and user > 0):
            if unprivileged(c.image, entrypoint_overridden="command" in c.body):
                return  # the image itself runs unprivileged (known-image table)
            found = df.effective_user(df.final_stage.index) if df is not None and df.final_stage else None
            if found is not None and not is_root_user(found[0]):
                return  # the Dockerfile that builds it sets a non-root USER
            yield Issue(
                RUN_AS_ROOT,
                c.name,
                _sc_line(pod, c, "runAsNonRoot"),
                "sets neither runAsNonRoot: true nor a non-zero runAsUser: it runs as the image's user, often root",
                group=group,
            )

    def _privileges(self, pod: Mapping[str, Any], c: Container) -> Iterator[Issue]:
        sc = mapping(c.body.get("securityContext"))
        privileged = sc.get("privileged") is True
        if privileged:
            yield Issue(PRIVILEGED, c.name, _sc_line(pod, c, "privileged"), "is privileged")
        elif sc.get("allowPrivilegeEscalation") is not False:
            yield Issue(
                PRIV_ESCALATION,
                c.name,
                _sc_line(pod, c, "allowPrivilegeEscalation"),
                "does not set allowPrivilegeEscalation: false",
            )
        caps = mapping(sc.get("capabilities"))
        drop = {str(x).upper() for x in seq(caps.get("drop")) if isinstance(x, str)}
        if "ALL" not in drop and not privileged:
            yield Issue(CAPS_NOT_DROPPED, c.name, _sc_line(pod, c, "capabilities"), "does not drop ALL capabilities")
        added = [str(x).upper().removeprefix("CAP_") for x in seq(caps.get("add")) if isinstance(x, str)]
        bad = sorted(a for a in added if a not in BASELINE_CAPS)
        if bad:
            yield Issue(
                CAPS_ADDED,
                c.name,
                key_line(caps, "add") or _sc_line(pod, c, "capabilities"),
                f"adds capabilities {', '.join(bad)}",
                evidence=Evidence({"capabilities": tuple(bad)}),
            )

    def _confinement(self, obj: KubeObject, pod: Mapping[str, Any], c: Container) -> Iterator[Issue]:
        sc = mapping(c.body.get("securityContext"))
        seccomp = _seccomp_type(obj, pod, c)
        if seccomp == "Unconfined":
            yield Issue(
                SECCOMP,
                c.name,
                _sc_line(pod, c, "seccompProfile"),
                "runs with seccomp Unconfined",
                severity=Severity.HIGH,
            )
        elif seccomp is None and sc.get("privileged") is not True:
            yield Issue(
                SECCOMP,
                c.name,
                _sc_line(pod, c, "seccompProfile"),
                "sets no seccomp profile (RuntimeDefault is not applied unless the kubelet defaults it)",
            )
        if sc.get("readOnlyRootFilesystem") is not True:
            yield Issue(
                WRITABLE_ROOT, c.name, _sc_line(pod, c, "readOnlyRootFilesystem"), "has a writable root filesystem"
            )

    def _baseline_other(self, obj: KubeObject, pod: Mapping[str, Any], c: Container) -> Iterator[Issue]:
        problems: list[str] = []
        host_ports = [str(mapping(p).get("hostPort")) for p in seq(c.body.get("ports")) if mapping(p).get("hostPort")]
        if host_ports:
            problems.append(f"hostPort {', '.join(host_ports)}")
        sc = mapping(c.body.get("securityContext"))
        if sc.get("procMount") == "Unmasked":
            problems.append("procMount: Unmasked")
        apparmor = effective(pod, c, "appArmorProfile")
        ann = mapping(obj.pod_metadata().get("annotations"))
        if (
            mapping(apparmor).get("type") == "Unconfined"
            or ann.get(f"container.apparmor.security.beta.kubernetes.io/{c.name}") == "unconfined"
        ):
            problems.append("AppArmor Unconfined")
        selinux = mapping(effective(pod, c, "seLinuxOptions"))
        if str(selinux.get("type") or "") not in SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
            problems.append("custom SELinux options")
        if problems:
            line = key_line(c.body, "ports") if host_ports else _sc_line(pod, c, "procMount")
            yield Issue(
                BASELINE_OTHER, c.name, line, "; ".join(problems), evidence=Evidence({"controls": tuple(problems)})
            )

    def _env(self, c: Container) -> Iterator[Issue]:
        for item in seq(c.body.get("env")):
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                continue
            value = item.get("value")
            if value in (None, "") or "valueFrom" in item:
                continue
            if isinstance(value, str) and value.startswith("$(") and value.endswith(")"):
                continue  # a reference to another variable
            if secret_name(item["name"]) and not flag_value(value):
                name = item["name"]
                placeholder = looks_like_placeholder(str(value))
                yield Issue(
                    SECRET_ENV,
                    c.name,
                    key_line(item, "value") or c.line,
                    f"sets `{name}` to a literal value"
                    if not placeholder
                    else f"sets `{name}` to a stand-in value: if it is replaced at deploy time, the real credential "
                    "then sits in the manifest as a literal; if not, the container runs with the stand-in",
                    evidence=Evidence({"variable": name}),
                    severity=Severity.LOW if placeholder else None,
                    remediation=f"- name: {name}\n  valueFrom:\n    secretKeyRef: {{name: <secret>, key: <key>}}",
                )

    def _resources(self, c: Container) -> Iterator[Issue]:
        res = mapping(c.body.get("resources"))
        requests, limits = mapping(res.get("requests")), mapping(res.get("limits"))
        missing = [
            label
            for label, present in (
                ("cpu request", "cpu" in requests or "cpu" in limits),
                ("memory request", "memory" in requests or "memory" in limits),
                ("memory limit", "memory" in limits),
            )
            if not present
        ]
        if missing:
            yield Issue(
                NO_RESOURCES,
                c.name,
                key_line(c.body, "resources") or c.line,
                f"sets no {', '.join(missing)}",
                evidence=Evidence({"missing": tuple(missing)}),
            )


def _who(names: list[str]) -> str:
    if len(names) == 1:
        return f"container `{names[0]}`"
    return "containers " + ", ".join(f"`{n}`" for n in names)
