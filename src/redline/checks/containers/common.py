"""Helpers shared by the container checks: rule building, locations, parsing of
image references, quantities and switch-like values (which names say "secret": core.secret_names)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from redline.checks.interface import Check
from redline.core.context import DRIVER, in_test_or_sample, lower_in_context
from redline.core.evidence import Evidence, EvidenceInput, EvidenceValue
from redline.core.groups import CROSS_RULE_PREFIX
from redline.core.images import parse_image
from redline.core.model import Confidence, Finding, Location, Severity
from redline.core.rules import Rule
from redline.sources.containers.kubernetes import KubeObject
from redline.sources.yamlsafe import LineMap

PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
CIS_DOCKER = "CIS Docker Benchmark v1.6.0, section 4 (Container Images and Build File)"
CIS_K8S = "CIS Kubernetes Benchmark v1.9, section 5 (Policies)"


def key_line(mapping: Any, key: str) -> int:
    """The line of ``key`` in a loaded YAML mapping (0 when unknown or absent)."""
    if isinstance(mapping, LineMap):
        return mapping.key_lines.get(key, 0)
    return 0


def kube_location(obj: KubeObject, snippet: str = "", line: int = 0) -> Location:
    """The offending key's line when known, else the object's ``kind:`` line (never its comment header)."""
    at = line or key_line(obj.body, "kind") or obj.line
    return Location(obj.path, at, at, snippet=snippet, resource=obj.resource)


def _identity_part(value: EvidenceValue) -> str:
    """Evidence as it entered the identity when it was text (lists comma-joined), so fingerprints hold."""
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def kube_finding(
    check: Check,
    r: Rule,
    obj: KubeObject,
    message: str,
    *,
    container: str = "",
    severity: Severity | None = None,
    confidence: Confidence = Confidence.HIGH,
    evidence: EvidenceInput | None = None,
    remediation: str = "",
    line: int = 0,
    group: str = "",
) -> Finding:
    """A finding on a Kubernetes object, honouring its ``redline.dev/ignore`` annotation and the
    suppression comments inside it. Its group is the object's address plus the evidence values:
    copies of one manifest (kustomize base, rendered ``release/`` file, per-platform variants) share it."""
    given = Evidence(evidence)
    ev = Evidence({"container": container}).with_values(given) if container else given
    parts = [_identity_part(v) for v in given.values()]
    identity = ":".join([obj.resource, container, *parts])
    snippet = f"{obj.resource} container {container}" if container else obj.resource
    f = check.finding(
        r,
        message,
        kube_location(obj, snippet, line),
        severity=severity,
        confidence=confidence,
        evidence=ev,
        remediation=remediation or r.doc.use_instead,
        identity=identity,
        component=obj.name,
    )
    f = replace(lowered(f, obj.name), group=group or ":".join([obj.resource, *parts]))
    reason = obj.suppression(r.code)
    return replace(f, suppressed=reason) if reason else f


# --- images -----------------------------------------------------------------------------------


def split_image(image: str) -> tuple[str, str, str]:
    """``(repository as written, tag, digest)``; the tag is "" when absent (``core.images`` splits it)."""
    ref = parse_image(image)
    return ref.written, ref.tag, ref.digest


def unpinned_reason(image: str) -> str | None:
    """Why an image reference floats (``latest`` or no tag, no digest); ``None`` when pinned or unknown."""
    if not image or "$" in image or "{" in image:
        return None
    _repo, tag, digest = split_image(image)
    if digest:
        return None
    if not tag:
        return f"image `{image}` has no tag (resolves to latest) and no digest"
    if tag.lower() == "latest":
        return f"image `{image}` uses the `latest` tag and no digest"
    return None


def image_name(image: str) -> str:
    """Last path segment of the repository, lower-case (``eclipse-temurin``)."""
    repo = split_image(image)[0]
    return repo.rsplit("/", 1)[-1].lower()


# --- quantities -------------------------------------------------------------------------------

_MEM_UNITS = {
    "": 1,
    "k": 1000,
    "M": 1000**2,
    "G": 1000**3,
    "T": 1000**4,
    "Ki": 1024,
    "Mi": 1024**2,
    "Gi": 1024**3,
    "Ti": 1024**4,
    "m": 0.001,
}
_MEM_RE = re.compile(r"^\s*([0-9.]+)\s*([a-zA-Z]*)\s*$")


def cpu_cores(value: Any) -> float | None:
    """``500m`` -> 0.5, ``2`` -> 2.0; ``None`` when absent or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    try:
        return float(text[:-1]) / 1000 if text.endswith("m") else float(text)
    except ValueError:
        return None


_DOCKER_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


def memory_bytes(value: Any, *, docker: bool = False) -> int | None:
    """Kubernetes quantities (``512Mi``, ``1G``) or, with ``docker``, Docker's binary units (``512m``)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value)
    m = _MEM_RE.match(str(value))
    if not m:
        return None
    unit = m.group(2) if not docker else m.group(2).lower()
    table = _DOCKER_UNITS if docker else _MEM_UNITS
    if unit not in table:
        return None
    try:
        return int(float(m.group(1)) * table[unit])
    except ValueError:
        return None


# --- values that are switches, not credentials ---------------------------------------------------

_FLAG_VALUES = frozenset({"yes", "no", "true", "false", "on", "off", "0", "1", "none", "null", "disabled", "enabled"})


def flag_value(value: object) -> bool:
    """A switch, not a credential (``ALLOW_EMPTY_PASSWORD=no``, ``TOKEN_AUTH=true``)."""
    return str(value).strip().strip("\"'").lower() in _FLAG_VALUES


def unique(findings: Iterable[Finding]) -> list[Finding]:
    """Drop repeats (compose project variants see the base file's services more than once)."""
    seen: dict[tuple[str, str, int, str, str], Finding] = {}
    for f in findings:
        seen.setdefault((f.rule, f.location.path, f.location.start_line, f.location.resource, f.message), f)
    return list(seen.values())


def mapping(value: Any) -> Mapping[str, Any]:
    """A YAML mapping as itself; anything else (a list, a scalar, null) as an empty mapping."""
    return value if isinstance(value, Mapping) else {}


def seq(value: Any) -> list[Any]:
    """A YAML sequence as a list; a lone string as one item; anything else (a typo'd scalar) as nothing."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    return []


# --- context: tests, load generators, dev and CI files -----------------------------------------

#: workload and service names of things that drive or test the system rather than being part of it
_DRIVER_NAME = re.compile(
    r"(?i)(^|[-_.])(loadgen|loadgenerator|load-generator|locust|k6|e2e|tests?|"
    r"test-runner|integration-tests?|smoke-tests?)([-_.]|$)"
)


def in_test_context(path: str, name: str = "") -> bool:
    """A test/dev/debug/CI file (``core.context``' one definition) or a load generator / test runner."""
    return in_test_or_sample(path) or driver_name(name)


def driver_name(name: str) -> bool:
    """A workload or service that drives or tests the system (``loadgenerator``, ``e2e``, ``test-runner``)."""
    return bool(name and _DRIVER_NAME.search(name))


def lowered(finding: Finding, name: str = "", *, why: str = "") -> Finding:
    """Findings in test, dev, CI or load-generator files (or, with ``why``, a development project) go through the
    one context step of every family (``core.context.lower_in_context``): kept, never above LOW, listed apart."""
    if why:
        return lower_in_context(finding, why)
    if in_test_or_sample(finding.location.path):
        return lower_in_context(finding)
    if driver_name(name):
        return lower_in_context(finding, DRIVER)
    return finding


def root_group(image_key: str) -> str:
    """The group every "runs as root" finding about one image shares (DKR101, KUB101, CMP103): one item
    whatever the family (a ``cause:`` group, redline.core.groups)."""
    return f"{CROSS_RULE_PREFIX}runs-as-root:{image_key}"


def healthcheck_group(dockerfile_path: str) -> str:
    """The group DKR105 on a Dockerfile and CMP106 on the services built from it share: one item."""
    return f"{CROSS_RULE_PREFIX}healthcheck:{dockerfile_path}"


#: the USER values that leave a process as uid 0 (a group after the colon does not change the user)
ROOT_USERS = frozenset({"root", "0", "root:root", "0:0", "root:0", "0:root"})


def is_root_user(user: str) -> bool:
    """Whether a Dockerfile ``USER``, compose ``user:`` or image default runs as root — one answer for the
    DKR, KUB and CMP rules that share a "runs as root" item."""
    value = user.strip().lower()
    return value in ROOT_USERS or value.startswith(("root:", "0:"))
