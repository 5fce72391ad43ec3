"""Pod hardening (Pod Security Standards baseline + restricted) for every workload kind.

One finding per offending container (or per pod-level setting), addressed as
``Kind/namespace/name`` with the container in the evidence; the location spans
the object so inline suppressions work, and ``redline.dev/ignore`` applies.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from redline.checks.containers.common import (
    CIS_DOCKER,
    CIS_K8S,
    PSS,
    flag_value,
    kube_finding,
    secret_like_name,
    seq,
    unpinned_reason,
)
from redline.checks.interface import CheckContext, FileCheck
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.containers.kubernetes import BATCH_KINDS, Container, KubeManifest, KubeObject

_DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
           "      containers:\n")

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
        references=(PSS + "#restricted", CIS_K8S + " 5.2.6")),
    tags=("CWE-250", "STRIDE:E"))
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
        references=(PSS + "#baseline", CIS_K8S + " 5.2.2")),
    tags=("CWE-250", "STRIDE:E"))
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
        references=(PSS + "#restricted", CIS_K8S + " 5.2.5")),
    tags=("CWE-269", "STRIDE:E"))
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
        references=(PSS + "#restricted", CIS_K8S + " 5.2.9")),
    tags=("CWE-250", "STRIDE:E"))
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
        references=(PSS + "#baseline", CIS_K8S + " 5.2.8")),
    tags=("CWE-250", "STRIDE:E"))
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
        references=(PSS + "#restricted", "https://kubernetes.io/docs/tutorials/security/seccomp/")),
    tags=("CWE-693",))
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
        references=(CIS_K8S + " 5.7.3", "CIS Docker Benchmark 5.12")),
    tags=("CWE-732",))
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
        references=(PSS + "#baseline", CIS_K8S + " 5.2.3-5.2.4")),
    tags=("CWE-668", "STRIDE:E"))
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
        references=(PSS + "#baseline",)),
    tags=("CWE-668",))
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
        references=(CIS_DOCKER.replace("section 4 (Container Images and Build File)", "5.31"), PSS + "#baseline")),
    tags=("CWE-250", "STRIDE:E"))
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
        references=(CIS_K8S + " 5.5.1", "https://kubernetes.io/docs/concepts/containers/images/#image-names")),
    tags=("CWE-494", "STRIDE:T"))
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
        references=("https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables",
          CIS_K8S + " 5.4.1")),
    tags=("CWE-798", "STRIDE:I"))
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
        references=("https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
          "CIS Docker Benchmark 4.6")),
    tags=("CWE-703",))
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
        references=("https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
          "https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/")),
    tags=("CWE-770", "STRIDE:D"))

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
        references=(PSS + "#baseline", "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/")),
    tags=("CWE-668", "STRIDE:E"))

SAFE_SYSCTLS = frozenset({
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes"})
SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
BASELINE_CAPS = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                           "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})
_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "podman.sock")
_SOCKET_DIRS = frozenset({"/var/run", "/run", "/var/run/docker", "/run/containerd", "/var/run/containerd",
                          "/run/docker", "/var/run/crio", "/run/crio"})


def _m(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def effective(pod: Mapping[str, Any], container: Container, key: str) -> Any:
    """A security-context field: the container's value wins over the pod's."""
    own = _m(container.body.get("securityContext")).get(key)
    return own if own is not None else _m(pod.get("securityContext")).get(key)


def _seccomp_type(obj: KubeObject, pod: Mapping[str, Any], container: Container) -> str | None:
    profile = effective(pod, container, "seccompProfile")
    if isinstance(profile, Mapping) and isinstance(profile.get("type"), str):
        return str(profile["type"])
    ann = obj.pod_metadata().get("annotations")
    ann = ann if isinstance(ann, Mapping) else {}
    legacy = ann.get(f"container.seccomp.security.alpha.kubernetes.io/{container.name}") or \
        ann.get("seccomp.security.alpha.kubernetes.io/pod")
    if isinstance(legacy, str):
        return "Unconfined" if legacy == "unconfined" else "RuntimeDefault"
    return None


def socket_path(path: str) -> bool:
    clean = path.rstrip("/") or "/"
    return clean.endswith(_SOCKETS) or clean in _SOCKET_DIRS


class KubePodSecurityCheck(FileCheck):
    name = "kube-pod-security"
    rules = (RUN_AS_ROOT, PRIVILEGED, PRIV_ESCALATION, CAPS_NOT_DROPPED, CAPS_ADDED, SECCOMP, WRITABLE_ROOT,
             HOST_NAMESPACES, HOST_PATH, RUNTIME_SOCKET, IMAGE_UNPINNED, SECRET_ENV, NO_PROBES, NO_RESOURCES,
             BASELINE_OTHER)
    fact_types = (KubeManifest,)

    def check_file(self, fact: KubeManifest, ctx: CheckContext) -> Iterable[Finding]:
        out: list[Finding] = []
        for obj in fact.objects:
            pod = obj.pod_spec()
            if pod is None or obj.is_patch:
                continue  # a kustomize patch holds only the fields it changes
            if _m(pod.get("os")).get("name") == "windows":
                continue  # Linux security contexts do not apply
            out.extend(self._pod(obj, pod))
            for c in obj.containers():
                out.extend(self._container(obj, pod, c))
        return out

    def _pod(self, obj: KubeObject, pod: Mapping[str, Any]) -> Iterator[Finding]:
        sysctls = [str(_m(x).get("name")) for x in seq(_m(pod.get("securityContext")).get("sysctls"))]
        unsafe = sorted(n for n in sysctls if n not in SAFE_SYSCTLS)
        if unsafe:
            yield kube_finding(self, BASELINE_OTHER, obj, f"{obj.resource} sets unsafe sysctls {', '.join(unsafe)}",
                               evidence=(("sysctls", ",".join(unsafe)),))
        for key in ("hostNetwork", "hostPID", "hostIPC"):
            if pod.get(key) is True:
                yield kube_finding(self, HOST_NAMESPACES, obj, f"{obj.resource} sets {key}: true",
                                   evidence=(("setting", key),))
        volumes = pod.get("volumes")
        for vol in volumes if isinstance(volumes, list) else []:
            host = _m(vol).get("hostPath") if isinstance(vol, Mapping) else None
            if not isinstance(host, Mapping):
                continue
            path = str(host.get("path", ""))
            vname = str(vol.get("name", ""))
            if socket_path(path):
                yield kube_finding(self, RUNTIME_SOCKET, obj,
                                   f"{obj.resource} mounts the container runtime socket `{path}` (volume {vname})",
                                   evidence=(("volume", vname), ("path", path)))
            else:
                yield kube_finding(self, HOST_PATH, obj, f"{obj.resource} mounts hostPath `{path}` (volume {vname})",
                                   evidence=(("volume", vname), ("path", path)))

    def _container(self, obj: KubeObject, pod: Mapping[str, Any], c: Container) -> Iterator[Finding]:
        sc = _m(c.body.get("securityContext"))
        who = f"{obj.resource} container `{c.name}`"
        user = effective(pod, c, "runAsUser")
        if user == 0:
            yield kube_finding(self, RUN_AS_ROOT, obj, f"{who} runs as UID 0 (runAsUser: 0)", container=c.name,
                               severity=Severity.HIGH)
        elif effective(pod, c, "runAsNonRoot") is not True and not (isinstance(user, int) and user > 0):
            yield kube_finding(self, RUN_AS_ROOT, obj, f"{who} sets neither runAsNonRoot: true nor a non-zero "
                               "runAsUser: it runs as the image's user, often root", container=c.name)
        privileged = sc.get("privileged") is True
        if privileged:
            yield kube_finding(self, PRIVILEGED, obj, f"{who} is privileged", container=c.name)
        elif sc.get("allowPrivilegeEscalation") is not False:
            yield kube_finding(self, PRIV_ESCALATION, obj, f"{who} does not set allowPrivilegeEscalation: false",
                               container=c.name)
        caps = _m(sc.get("capabilities"))
        drop = {str(x).upper() for x in seq(caps.get("drop")) if isinstance(x, str)}
        if "ALL" not in drop and not privileged:
            yield kube_finding(self, CAPS_NOT_DROPPED, obj, f"{who} does not drop ALL capabilities",
                               container=c.name)
        added = [str(x).upper().removeprefix("CAP_") for x in seq(caps.get("add")) if isinstance(x, str)]
        bad = sorted(a for a in added if a not in BASELINE_CAPS)
        if bad:
            yield kube_finding(self, CAPS_ADDED, obj, f"{who} adds capabilities {', '.join(bad)}",
                               container=c.name, evidence=(("capabilities", ",".join(bad)),))
        seccomp = _seccomp_type(obj, pod, c)
        if seccomp == "Unconfined":
            yield kube_finding(self, SECCOMP, obj, f"{who} runs with seccomp Unconfined", container=c.name,
                               severity=Severity.HIGH)
        elif seccomp is None and not privileged:
            yield kube_finding(self, SECCOMP, obj, f"{who} sets no seccomp profile (RuntimeDefault is not "
                               "applied unless the kubelet defaults it)", container=c.name)
        if sc.get("readOnlyRootFilesystem") is not True:
            yield kube_finding(self, WRITABLE_ROOT, obj, f"{who} has a writable root filesystem", container=c.name)
        yield from self._baseline_other(obj, pod, c, who)
        reason = unpinned_reason(c.image)
        if reason:
            yield kube_finding(self, IMAGE_UNPINNED, obj, f"{who}: {reason}", container=c.name,
                               evidence=(("image", c.image),))
        yield from self._env(obj, c, who)
        if c.init:
            return
        if obj.kind not in BATCH_KINDS and not any(k in c.body for k in ("readinessProbe", "livenessProbe")):
            yield kube_finding(self, NO_PROBES, obj, f"{who} has no readiness or liveness probe", container=c.name)
        yield from self._resources(obj, c, who)

    def _baseline_other(self, obj: KubeObject, pod: Mapping[str, Any], c: Container, who: str) -> Iterator[Finding]:
        problems: list[str] = []
        host_ports = [str(_m(p).get("hostPort")) for p in seq(c.body.get("ports")) if _m(p).get("hostPort")]
        if host_ports:
            problems.append(f"hostPort {', '.join(host_ports)}")
        sc = _m(c.body.get("securityContext"))
        if sc.get("procMount") == "Unmasked":
            problems.append("procMount: Unmasked")
        apparmor = effective(pod, c, "appArmorProfile")
        ann = _m(obj.pod_metadata().get("annotations"))
        if _m(apparmor).get("type") == "Unconfined" or \
                ann.get(f"container.apparmor.security.beta.kubernetes.io/{c.name}") == "unconfined":
            problems.append("AppArmor Unconfined")
        selinux = _m(effective(pod, c, "seLinuxOptions"))
        if str(selinux.get("type") or "") not in SELINUX_TYPES or selinux.get("user") or selinux.get("role"):
            problems.append("custom SELinux options")
        if problems:
            yield kube_finding(self, BASELINE_OTHER, obj, f"{who}: {'; '.join(problems)}", container=c.name,
                               evidence=(("controls", "; ".join(problems)),))

    def _env(self, obj: KubeObject, c: Container, who: str) -> Iterator[Finding]:
        env = c.body.get("env")
        for item in env if isinstance(env, list) else []:
            if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
                continue
            value = item.get("value")
            if value in (None, "") or "valueFrom" in item:
                continue
            if isinstance(value, str) and value.startswith("$(") and value.endswith(")"):
                continue  # a reference to another variable
            if secret_like_name(item["name"]) and not flag_value(value):
                yield kube_finding(self, SECRET_ENV, obj, f"{who} sets `{item['name']}` to a literal value",
                                   container=c.name, evidence=(("variable", item["name"]),))

    def _resources(self, obj: KubeObject, c: Container, who: str) -> Iterator[Finding]:
        res = _m(c.body.get("resources"))
        requests, limits = _m(res.get("requests")), _m(res.get("limits"))
        missing = [label for label, present in (("cpu request", "cpu" in requests or "cpu" in limits),
                                                ("memory request", "memory" in requests or "memory" in limits),
                                                ("memory limit", "memory" in limits)) if not present]
        if missing:
            yield kube_finding(self, NO_RESOURCES, obj, f"{who} sets no {', '.join(missing)}", container=c.name,
                               evidence=(("missing", ",".join(missing)),))
