"""Runtime tuning read from pod specs and compose services (with the Dockerfile they
build, when it is in the tree): JVM GC and heap, GOMEMLIMIT, Node's old-space
size, gunicorn/uvicorn worker counts against the CPU limit.

Each rule needs a known limit: without one nothing is judged (the
resource rules KUB114/CMP105 already report the missing limit).
"""

from __future__ import annotations

import math
import posixpath
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from redline.checks.containers.builds import BuildIndex, build_dockerfile
from redline.checks.containers.common import (
    cpu_cores,
    image_name,
    in_test_context,
    kube_finding,
    lowered,
    mapping,
    memory_bytes,
    seq,
    split_image,
    unique,
)
from redline.checks.containers.dockerfiles import env_names
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Area, Confidence, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.containers.compose import ComposeProject, ComposeService
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.kubernetes import Container, KubeManifest, KubeObject
from redline.sources.containers.scripts import ShellScript

JVM_GC = Rule(
    code="RUN101",
    name="jvm-small-container-untuned",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="JVM in a container with < 2 CPUs and no explicit GC or heap settings",
    doc=RuleDoc(
        what_it_does="Flags Java processes (a `java` command, or a JDK/JRE base image) whose container has a CPU limit "
        "below 2 and whose command line or JAVA_TOOL_OPTIONS/JAVA_OPTS/JDK_JAVA_OPTIONS lack an explicit "
        "collector (`-XX:+UseG1GC`…, or `-XX:ActiveProcessorCount`) or heap size (`-Xmx`, "
        "`-XX:MaxRAMPercentage`).",
        why_bad="With fewer than 2 CPUs (or under 1792 MB) the JVM considers itself a client machine and silently "
        "picks SerialGC: every collection stops all threads, and tail latency grows with the heap. The default "
        "max heap is 25% of the container's memory, leaving most of the limit unused or, with native memory, "
        "ending in OOM kills.",
        example="containers:\n  - name: api\n    image: eclipse-temurin:21-jre\n    command: [java, -jar, /app.jar]\n"
        "    resources: {limits: {cpu: 1, memory: 1Gi}}",
        use_instead="    env:\n      - name: JAVA_TOOL_OPTIONS\n        value: -XX:+UseG1GC -XX:MaxRAMPercentage=75",
        references=(
            "https://docs.oracle.com/en/java/javase/21/gctuning/ergonomics.html",
            "https://learn.microsoft.com/en-us/azure/developer/java/containers/overview#understand-jvm-default-"
            "ergonomics",
        ),
    ),
    tags=("STRIDE:D",),
)
GO_MEMLIMIT = Rule(
    code="RUN102",
    name="go-without-gomemlimit",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Go service with a memory limit but no GOMEMLIMIT",
    doc=RuleDoc(
        what_it_does="Flags Go services (built by a `golang` stage of the Dockerfile, or configured with "
        "GOGC/GOMAXPROCS) "
        "whose container has a memory limit and whose environment sets no `GOMEMLIMIT`.",
        why_bad="The Go runtime does not read cgroup limits: the heap grows to twice the live set (GOGC=100) "
        "regardless of the container limit, so a spike ends in an OOM kill instead of more frequent GC. "
        "GOMEMLIMIT (Go >= 1.19) makes the GC work harder as the limit nears.",
        example="services:\n  api:\n    build: ./api   # FROM golang:1.23 AS build ...\n"
        "    deploy: {resources: {limits: {memory: 512M}}}",
        use_instead="    environment:\n      GOMEMLIMIT: 450MiB   # ~90% of the limit",
        references=("https://go.dev/doc/gc-guide#Memory_limit", "https://pkg.go.dev/runtime#hdr-Environment_Variables"),
    ),
    tags=("STRIDE:D",),
)
NODE_HEAP = Rule(
    code="RUN103",
    name="node-without-max-old-space-size",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Node.js under a memory limit without --max-old-space-size",
    doc=RuleDoc(
        what_it_does="Flags Node.js processes (a `node`/`npm`/`yarn` command or a `node` base image) whose "
        "container has a "
        "memory limit and whose command line and NODE_OPTIONS set no `--max-old-space-size`.",
        why_bad="V8 sizes its old space from heuristics that older Node versions do not tie to the container limit: "
        "the "
        "heap can grow past the limit (OOM kill, no heap-out-of-memory error to debug) or stay far below it "
        "(GC thrash).",
        example="containers:\n  - name: web\n    image: node:22-slim\n    command: [node, server.js]\n"
        "    resources: {limits: {memory: 512Mi}}",
        use_instead="    env:\n      - name: NODE_OPTIONS\n        value: --max-old-space-size=384",
        references=(
            "https://nodejs.org/api/cli.html#--max-old-space-sizesize-in-mib",
            "https://nodejs.org/en/learn/diagnostics/memory/understanding-and-tuning-memory",
        ),
    ),
    tags=("STRIDE:D",),
)
WORKERS = Rule(
    code="RUN104",
    name="python-workers-vs-cpu",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="gunicorn/uvicorn worker count does not fit the CPU limit",
    doc=RuleDoc(
        what_it_does="Flags gunicorn and uvicorn commands whose worker count (`-w`, `--workers`, `WEB_CONCURRENCY`; "
        "default 1) is below the container's CPU limit, or above twice gunicorn's 2 x CPUs + 1 guideline.",
        why_bad="Python workers are single-threaded for CPU work: fewer workers than CPUs leaves paid cores idle and "
        "queues requests; far more than the CPUs allow makes workers fight for the quota (CFS throttling), "
        "multiplies memory and adds tail latency.",
        example="command: gunicorn app:app --workers 1   # limits: cpu: 4",
        use_instead="command: gunicorn app:app --workers 4   # ~ 1-2 per CPU of the limit",
        references=(
            "https://docs.gunicorn.org/en/stable/design.html#how-many-workers",
            "https://www.uvicorn.org/deployment/#using-a-process-manager",
        ),
    ),
    tags=("STRIDE:D",),
)

JVM_IMAGES = frozenset(
    {
        "openjdk",
        "eclipse-temurin",
        "amazoncorretto",
        "ibm-semeru-runtimes",
        "zulu-openjdk",
        "sapmachine",
        "liberica-openjdk-debian",
        "liberica-openjdk-alpine",
        "liberica-openjre",
        "java",
        "jdk",
        "jre",
        "ubi8-openjdk-17",
        "openjdk-17",
        "openjdk-21",
        "tomcat",
    }
)
#: read by the JVM or the `java` launcher itself
_JVM_OPT_VARS = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")
#: read only by wrapper scripts (catalina.sh, start scripts) or a shell command that expands them
_SCRIPT_OPT_VARS = ("JAVA_OPTS", "JVM_OPTS", "CATALINA_OPTS")
_GC = re.compile(
    r"-XX:\+Use(G1|Parallel|ParallelOld|Serial|Z|Shenandoah|ConcMarkSweep|Epsilon)GC|"
    r"-XX:ActiveProcessorCount=([2-9]|\d{2,})"
)
_HEAP = re.compile(r"-Xmx\d|-XX:MaxRAMPercentage=|-XX:MaxRAM=|-XX:MaxRAMFraction=|-XX:MaxHeapSize=")
_WORKERS = re.compile(r"(?:^|\s)(?:-w|--workers)(?:\s+|=)(\S+)")
_REMEDY = {
    "RUN101": "env:\n  - name: JAVA_TOOL_OPTIONS\n    value: -XX:+UseG1GC -XX:MaxRAMPercentage=75\n"
    "# or give the container at least 2 CPUs",
    "RUN102": "env:\n  - name: GOMEMLIMIT\n    value: <~90% of the memory limit, e.g. 450MiB>",
    "RUN103": "env:\n  - name: NODE_OPTIONS\n    value: --max-old-space-size=<~75% of the memory limit in MiB>\n"
    "# or move to Node >= 20, which sizes the heap from the container limit",
    "RUN104": "command: gunicorn app:app --workers <1-2 per CPU of the limit>",
}


_SHELLS = frozenset({"sh", "bash", "dash", "ash", "exec", "tini", "dumb-init", "--", "-c", "-e"})
_NODE_CGROUP_AWARE = 20  # Node >= 20 sizes the V8 heap from the cgroup memory limit


@dataclass
class Target:
    """One process to judge, from a pod container or a compose service."""

    label: str
    command: str
    env: dict[str, str]
    images: list[str]  # final image first, then build stages
    cpu: float | None
    memory: int | None
    make: Callable[[Rule, str, Confidence], Finding]
    go_built: bool = False
    notes: list[str] = field(default_factory=list)
    script_java: str = ""  # the `java` command line of a start script in the build context, when there is one


def _gomemlimit_fix(t: Target) -> str:
    """The GOMEMLIMIT line for this limit (~90 %, leaving room for non-heap memory), in the file's own form."""
    limit = (t.memory or 0) // 2**20
    value = f"{limit * 9 // 10}MiB   # ~90% of the {limit} MiB limit"
    if t.label.startswith("compose/"):
        return f"environment:\n  GOMEMLIMIT: {value}"
    return f"env:\n  - name: GOMEMLIMIT\n    value: {value}"


def _words(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value) if value is not None else ""


def _augment(target: Target, df: Dockerfile | None, overrides_command: bool) -> None:
    """Fold in what the image's Dockerfile sets: ENV, CMD/ENTRYPOINT (unless overridden), base images."""
    if df is None or df.final_stage is None:
        return
    lineage = df.lineage(df.final_stage.index)
    env: dict[str, str] = {}
    for stage in reversed(lineage):
        for ins in df.in_stage(stage, "ENV"):
            env.update(env_names(ins))
    target.env = {**env, **target.env}
    if not overrides_command:
        parts = []
        for cmd in ("ENTRYPOINT", "CMD"):
            found = [i for s in lineage for i in df.in_stage(s, cmd)]
            if found:
                ins = found[0] if len(lineage) == 1 else max(found, key=lambda i: i.line)
                parts.append(" ".join(ins.exec_form) if ins.exec_form is not None else ins.arguments)
        target.command = (" ".join(parts) + " " + target.command).strip()
    base = df.stages[lineage[-1]].image
    target.images = [base, *target.images, *(s.image for s in df.stages)]
    target.go_built = any(image_name(s.image) == "golang" for s in df.stages)


def _exe_names(command: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    return [posixpath.basename(w) for w in words]


def _start_script(command: str) -> str:
    """The script a command starts (``/app/start.sh``, ``sh -c ./run.sh``), by file name; "" when none."""
    for word in _exe_names(command):
        if word in _SHELLS:
            continue
        return word if word.endswith(".sh") else ""
    return ""


def _script_java(target: Target, df: Dockerfile | None, scripts: Mapping[str, list[ShellScript]]) -> None:
    """A JVM started from a shell script of the image's build context: its `java` line joins the command."""
    name = _start_script(target.command)
    if not name or df is None:
        return
    context = posixpath.dirname(df.path)
    found = [sc for sc in scripts.get(name, []) if not context or sc.path.startswith(context + "/")]
    if len(found) == 1:
        script = found[0]
        target.script_java = " ".join(t for _, t in script.java_lines)
        target.env = {**dict(script.text_vars), **target.env}
        target.notes.append(f"started by {script.path}:{script.java_lines[0][0]}")


def node_major(images: list[str]) -> int | None:
    """The Node.js major version of the first ``node`` image (``node:18-alpine`` -> 18); ``None`` when the
    images say nothing; an untagged or ``lts``/``current`` node image counts as current."""
    for image in images:
        if image_name(image) != "node":
            continue
        tag = split_image(image)[1].lower()
        m = re.match(r"v?(\d+)", tag)
        if m:
            return int(m.group(1))
        return (
            _NODE_CGROUP_AWARE
            if tag in ("", "latest", "lts", "current", "alpine", "slim") or tag.startswith(("lts-", "current-"))
            else None
        )
    return None


class RuntimeTuningCheck(ProjectCheck):
    name = "runtime-tuning"
    rules = (JVM_GC, GO_MEMLIMIT, NODE_HEAP, WORKERS)
    fact_types = (KubeManifest, ComposeProject, Dockerfile, ShellScript)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        manifests = list(facts.of(KubeManifest))
        index = BuildIndex.of(facts.of(Dockerfile), manifests)
        scripts: dict[str, list[ShellScript]] = {}
        for script in facts.of(ShellScript):
            scripts.setdefault(posixpath.basename(script.path), []).append(script)
        out: list[Finding] = []
        for manifest in manifests:
            for obj in manifest.objects:
                if obj.is_patch:
                    continue
                if in_test_context(obj.path, obj.name):
                    continue  # a load generator or test runner: its tuning is not the system's
                for c in obj.containers(include_init=False):
                    df = index.for_image(c.image)
                    out.extend(self._judge(self._kube_target(obj, c, df, scripts)))
        for project in facts.of(ComposeProject):
            for svc in project.services:
                if in_test_context(svc.origin(None)[0], svc.name):
                    continue
                df = build_dockerfile(svc, index.dockerfiles)
                out.extend(self._judge(self._compose_target(svc, df, scripts)))
        return unique(out)

    def _kube_target(
        self, obj: KubeObject, c: Container, df: Dockerfile | None, scripts: Mapping[str, list[ShellScript]]
    ) -> Target:
        limits = mapping(mapping(c.body.get("resources")).get("limits"))
        env = {
            str(e["name"]): str(e.get("value", ""))
            for e in seq(c.body.get("env"))
            if isinstance(e, Mapping) and "name" in e
        }
        command = f"{_words(c.body.get('command'))} {_words(c.body.get('args'))}".strip()

        def make(r: Rule, message: str, confidence: Confidence) -> Finding:
            return kube_finding(
                self,
                r,
                obj,
                f"{obj.resource} container `{c.name}`: {message}",
                container=c.name,
                confidence=confidence,
                line=c.line,
                remediation=_REMEDY[r.code],
            )

        target = Target(
            f"{obj.resource}/{c.name}",
            command,
            env,
            [c.image],
            cpu_cores(limits.get("cpu")),
            memory_bytes(limits.get("memory")),
            make,
        )
        if df is not None:  # the image is built from a Dockerfile in this tree
            _augment(target, df, bool(c.body.get("command")))
            _script_java(target, df, scripts)
            target.notes.append(f"image matched to {df.path}")
        return target

    def _compose_target(
        self, svc: ComposeService, df: Dockerfile | None, scripts: Mapping[str, list[ShellScript]]
    ) -> Target:
        body = svc.body
        limits = mapping(mapping(mapping(body.get("deploy")).get("resources")).get("limits"))
        command = f"{_words(body.get('entrypoint'))} {_words(body.get('command'))}".strip()
        cpu = cpu_cores(limits.get("cpus", body.get("cpus")))
        memory = memory_bytes(limits.get("memory", body.get("mem_limit")), docker=True)
        resource = f"compose/{svc.directory or '.'}/{svc.name}"

        def make(r: Rule, message: str, confidence: Confidence) -> Finding:
            path, first, _last = svc.origin(None)
            loc = Location(path, first, first, snippet=f"service {svc.name}", resource=resource)
            f = self.finding(
                r,
                f"service `{svc.name}`: {message}",
                loc,
                confidence=confidence,
                identity=f"{resource}:{r.code}",
                component=svc.name,
                remediation=_REMEDY[r.code],
            )
            return lowered(f, svc.name)

        image = str(body.get("image", ""))
        target = Target(resource, command, svc.environment, [image] if image else [], cpu, memory, make)
        _augment(target, df, "entrypoint" in body or "command" in body)
        _script_java(target, df, scripts)
        return target

    def _judge(self, t: Target) -> Iterator[Finding]:
        exes = _exe_names(t.command)
        yield from self._jvm(t, exes)
        yield from self._go(t)
        yield from self._node(t, exes)
        server = next((e for e in exes if e in ("gunicorn", "uvicorn")), None)
        if server and t.cpu is not None:
            yield from self._workers(t, server)

    def _jvm(self, t: Target, exes: list[str]) -> Iterator[Finding]:
        names = {image_name(i) for i in t.images if i}
        is_jvm = "java" in exes or "-jar" in exes or bool(t.script_java) or (not exes and bool(names & JVM_IMAGES))
        if not is_jvm or t.cpu is None or t.cpu >= 2:
            return
        command = f"{t.command} {t.script_java}".strip()
        direct = bool(exes) and exes[0] == "java"
        script_vars = [v for v in _SCRIPT_OPT_VARS if not direct or f"${v}" in command or f"${{{v}}}" in command]
        flags = " ".join([command, *(t.env.get(v, "") for v in (*_JVM_OPT_VARS, *script_vars))])
        gc, heap = bool(_GC.search(flags)), bool(_HEAP.search(flags))
        missing = [
            label
            for label, ok in (("GC flag (-XX:+UseG1GC)", gc), ("heap size (-Xmx or -XX:MaxRAMPercentage)", heap))
            if not ok
        ]
        if not missing:
            return
        effect = "it will pick SerialGC" if not gc else "its heap defaults to 25% of the memory limit"
        ignored = [v for v in _SCRIPT_OPT_VARS if v in t.env and v not in script_vars]
        if ignored:
            effect += f" ({ignored[0]} is set, but `java` itself does not read it)"
        started = f" ({t.notes[-1]})" if t.script_java and t.notes else ""
        confidence = Confidence.HIGH if t.command else Confidence.MEDIUM
        yield t.make(
            JVM_GC,
            f"JVM{started} with a CPU limit of {t.cpu:g} sets no {' and no '.join(missing)}; {effect}",
            confidence,
        )

    def _go(self, t: Target) -> Iterator[Finding]:
        if (
            (t.go_built or any(k in t.env for k in ("GOGC", "GOMAXPROCS")))
            and t.memory is not None
            and "GOMEMLIMIT" not in t.env
        ):
            f = t.make(
                GO_MEMLIMIT,
                f"Go service with a {t.memory // 2**20} MiB memory limit and no GOMEMLIMIT",
                Confidence.MEDIUM,
            )
            yield replace(f, remediation=_gomemlimit_fix(t))

    def _node(self, t: Target, exes: list[str]) -> Iterator[Finding]:
        names = {image_name(i) for i in t.images if i}
        first = exes[:1]
        is_node = (
            bool({"node", "nodejs"} & set(first))
            or (bool(first) and first[0] in ("npm", "yarn", "pnpm") and "start" in exes)
            or (not exes and "node" in names)
        )
        if not is_node or t.memory is None:
            return
        if "--max-old-space-size" in f"{t.command} {t.env.get('NODE_OPTIONS', '')}":
            return
        major = node_major(t.images)
        if major is None or major >= _NODE_CGROUP_AWARE:
            return  # Node >= 20 sizes its heap from the cgroup limit; an unknown version is not guessed at
        confidence = Confidence.HIGH if t.command else Confidence.MEDIUM
        yield t.make(
            NODE_HEAP,
            f"Node.js {major} with a {t.memory // 2**20} MiB memory limit and no "
            "--max-old-space-size (Node < 20 does not size its heap from the container limit)",
            confidence,
        )

    def _workers(self, t: Target, server: str) -> Iterator[Finding]:
        assert t.cpu is not None
        m = _WORKERS.search(t.command) or _WORKERS.search(t.env.get("GUNICORN_CMD_ARGS", ""))
        raw = m.group(1) if m else t.env.get("WEB_CONCURRENCY")
        if raw is None and re.search(r"(?:^|\s)(-c|--config)(\s|=)", t.command):
            return  # workers come from a config file we do not execute
        if raw is None:
            workers = 1
        elif raw.isdigit():
            workers = int(raw)
        else:
            return  # $(nproc) and friends: decided at run time
        cpus = t.cpu
        if workers < math.floor(cpus):
            yield t.make(
                WORKERS,
                f"{server} runs {workers} worker(s) under a CPU limit of {cpus:g}: "
                f"{math.floor(cpus) - workers} CPU(s) stay idle",
                Confidence.HIGH,
            )
        elif workers > 2 * (2 * math.ceil(cpus) + 1):
            yield t.make(
                WORKERS,
                f"{server} runs {workers} workers under a CPU limit of {cpus:g}: they will be throttled",
                Confidence.HIGH,
            )
