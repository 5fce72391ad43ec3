"""Secrets that reach clusters and images: Kubernetes ``Secret`` manifests with real data,
Dockerfile ``ENV``/``ARG`` with secret values and ``COPY``/``ADD`` of credential files.

Both read the containers family's facts (parsed once), never the files again; what ``COPY .``
takes comes from the build-context source (``BuildContext``), never from the disk.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from redline.checks.interface import CheckContext, ProjectCheck
from redline.checks.secrets.configfiles import assigned_secret, find_config_secrets, is_real_value
from redline.checks.secrets.datastore import is_default, store_of
from redline.checks.secrets.extra_rules import DOCKER_COPY_SECRET, DOCKER_ENV_SECRET, KUBE_SECRET
from redline.checks.secrets.filters import context_confidence
from redline.checks.secrets.redact import redact
from redline.checks.secrets.report import in_sample_context, secret_finding
from redline.checks.secrets.settings import SecretSettings, settings_for
from redline.checks.secrets.shipping import dotenv_severity, stage_ships
from redline.core.facts import Facts
from redline.core.filekinds import kind_of
from redline.core.lazy_regex import lazy
from redline.core.model import Confidence, Finding, Location, Severity
from redline.sources.containers.build_context import JUDGED_BY_TEXT, BuildContext
from redline.sources.containers.dockerfile import Dockerfile, DockerInstruction
from redline.sources.containers.kubernetes import KubeManifest, KubeObject

#: keys whose values are not credentials, the Service Binding spec's ``type`` and ``provider`` (servicebinding.io
#: Secrets, spring-petclinic's ``k8s/db.yml``) among them
_NOT_SECRET_KEYS = lazy(
    r"(?i)^(user(name)?|login|host(name)?|port|database|db(name)?|namespace|email|region|endpoint|url|type|provider|"
    # settings a Secret's author keeps beside the credentials (shynet's TIME_ZONE: "America/New_York")
    r"time_?zone|tz|locale|language|"
    r"ca\.crt|tls\.crt|.*\.crt|.*\.pub|.*_user(name)?|.*_host|.*_port|"
    # the name of a database (bank-of-anthos's ``POSTGRES_DB: accounts-db``)
    r".*_db(_?name)?|.*_database(_?name)?)$"
)
_SECRET_FILES = (
    ".env",
    ".env.*",
    "*.env",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    ".npmrc",
    ".pypirc",
    ".netrc",
    ".git-credentials",
    "credentials",
    "credentials.json",
    "*credentials*.json",
    ".htpasswd",
    "*.ppk",
    "service-account*.json",
    "secrets.y*ml",
    "secrets.json",
)
_SAMPLE_SUFFIXES = (".example", ".sample", ".template", ".tmpl", ".dist", ".pub")
#: Diffie-Hellman parameters saved as PEM (docker-mailserver's ``target/shared/ffdhe4096.pem``, the RFC 7919 group;
#: ``dhparam.pem``, ``dh2048.pem``): public numbers every server may share, no key
_DH_PARAMETERS = lazy(r"^(?:.*[-_.])?(?:dh(?:params?)?\d*|ffdhe\d+)\.pem$")


def secret_file_name(name: str) -> bool:
    low = name.lower()
    if low.endswith(_SAMPLE_SUFFIXES) or _DH_PARAMETERS.match(low):
        return False
    return any(fnmatch.fnmatchcase(low, pat) for pat in _SECRET_FILES)


class KubeSecretCheck(ProjectCheck):
    name = "secrets-kubernetes"
    fact_types = (KubeManifest,)
    rules = (KUBE_SECRET,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        settings: SecretSettings | None = None
        out: list[Finding] = []
        for manifest in facts.of(KubeManifest):
            for obj in manifest.objects:
                if obj.kind != "Secret":
                    continue
                settings = settings or settings_for(ctx)
                out.extend(self._secret(manifest.path, obj, settings))
        return out

    def _secret(self, path: str, obj: KubeObject, settings: SecretSettings) -> Iterator[Finding]:
        ignored = obj.ignored()
        for field, encoded in (("data", True), ("stringData", False)):
            values = obj.body.get(field)
            if not isinstance(values, Mapping):
                continue
            lines = _key_lines(values, obj.line)
            for key, raw in values.items():
                if not isinstance(raw, str) or _NOT_SECRET_KEYS.match(str(key)):
                    continue
                line = lines.get(key, obj.line)
                value = _decode(raw) if encoded else raw
                if value is None or value.startswith("-----BEGIN CERTIFICATE") or not is_real_value(value, strict=True):
                    continue
                if _address_without_credential(value):
                    continue
                finding = secret_finding(
                    self,
                    KUBE_SECRET,
                    path=path,
                    secret=value,
                    salt=settings.salt,
                    what=f"Secret {obj.namespace or 'default'}/{obj.name} holds a real value in {field}.{key}",
                    revoke="Rotate the credential, then replace the manifest with a sealed or externally managed "
                    "Secret.",
                    line=line,
                    end_line=obj.end_line or line,
                    snippet=f"{field}: {key}: {redact(value)}",
                    resource=f"{obj.resource}#{field}.{key}",
                    confidence=context_confidence(Confidence.HIGH, path),
                    evidence={"key": f"{field}.{key}"},
                    allowlist=settings.allowlist,
                    gate_samples=settings.gate_samples,
                )
                reason = ignored.get(KUBE_SECRET.code)
                yield finding if reason is None or finding.suppressed else replace(finding, suppressed=reason)


#: ``redis://shynet-redis.default.svc.cluster.local/1``: a scheme, a host and a path, no ``user:password@``, no query;
#: a JDBC URL too (bank-of-anthos's ``SPRING_DATASOURCE_URL: jdbc:postgresql://accounts-db-pgpool:5432/accounts-db``)
_PLAIN_ADDRESS = lazy(r"^(?:jdbc:)?[a-z][a-z0-9+.-]{1,20}://(?:[^:@/\s]+@)?[^@/?#\s]+(?:/[^?#@\s]*)?$")


def _address_without_credential(value: str) -> bool:
    """A URL that carries no password or token (shynet's secrets_template.yml keeps ``CELERY_BROKER_URL:
    redis://shynet-redis…/1`` beside its passwords): an address, not a secret. One with ``user:password@`` or a
    query string is still judged."""
    return bool(_PLAIN_ADDRESS.match(value.strip()))


def _key_lines(values: Mapping[str, Any], fallback: int) -> dict[str, int]:
    """The line of each key of a block mapping whose values are one-line scalars (the usual Secret
    layout); the mapping's first line for the rest, or when the mapping is written inline."""
    first = int(getattr(values, "line", 0) or fallback)
    last = int(getattr(values, "end_line", 0) or 0)
    lines: dict[str, int] = {}
    exact = last > first or len(values) == 1
    for index, (key, value) in enumerate(values.items()):
        lines[key] = first + index if exact else first
        if not isinstance(value, str) or "\n" in value:
            exact = False
    return lines


def _decode(raw: str) -> str | None:
    try:
        data = base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        return None  # kubectl would reject it; not a usable secret
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return raw  # binary (a keystore): hash the encoded form


class DockerSecretCheck(ProjectCheck):
    name = "secrets-dockerfile"
    fact_types = (Dockerfile, BuildContext)
    rules = (DOCKER_ENV_SECRET, DOCKER_COPY_SECRET)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        out: list[Finding] = []
        settings: SecretSettings | None = None
        contexts = {dockerfile: c for c in facts.of(BuildContext) for dockerfile in c.dockerfiles}
        for dockerfile in facts.of(Dockerfile):
            for ins in dockerfile.instructions:
                if ins.cmd in ("ENV", "ARG"):
                    pairs = list(_assignments(ins))
                    if pairs:
                        settings = settings or settings_for(ctx)
                        out.extend(self._env(dockerfile.path, ins, pairs, settings))
                elif ins.cmd in ("COPY", "ADD"):
                    settings = settings or settings_for(ctx)
                    out.extend(self._copy(dockerfile, ins, contexts, settings.gate_samples))
        return out

    def _env(
        self, path: str, ins: DockerInstruction, pairs: list[tuple[str, str]], settings: SecretSettings
    ) -> Iterator[Finding]:
        for key, value in pairs:
            found = assigned_secret(key, value) if "$" not in value else None
            if found is None:
                continue
            secret = found[1]
            default = bool(store_of(key)) and is_default(secret)
            yield secret_finding(
                self,
                DOCKER_ENV_SECRET,
                path=path,
                secret=secret,
                salt=settings.salt,
                severity=Severity.LOW if default else None,
                what=f"{ins.cmd} {key} bakes a " + ("default password" if default else "secret") + " into the image",
                revoke="Rotate the credential, then pass it "
                "with a build secret (RUN --mount=type=secret) or at run time.",
                line=ins.line,
                end_line=ins.end_line,
                snippet=f"{ins.cmd} {key}={value[: found[0]]}{redact(secret)}",
                confidence=context_confidence(Confidence.HIGH, path),
                evidence={"variable": key},
                allowlist=settings.allowlist,
                gate_samples=settings.gate_samples,
            )

    def _copy(
        self, dockerfile: Dockerfile, ins: DockerInstruction, contexts: Mapping[str, BuildContext], gate_samples: bool
    ) -> Iterator[Finding]:
        path = dockerfile.path
        built_from = contexts.get(path)
        context = built_from if ins.flag("from") is None else None
        for src in ins.operands[:-1]:
            name = PurePosixPath(src.rstrip("/")).name
            if secret_file_name(name):
                in_context = _in_context(built_from, path, ins, src)
                if built_from is not None and in_context is not None and _held_severity(built_from, in_context) is None:
                    continue  # the context's own .npmrc, read: it holds no credential (Flagsmith's empty one too)
                yield self._copy_finding(
                    path,
                    ins,
                    src,
                    f"{ins.cmd} {src} puts a credential file into the image",
                    severity=None,
                    gate_samples=gate_samples,
                )
            elif context is not None and name in (".", "*", "") and src.rstrip("/") in (".", "./", "*", "./*", ""):
                if not stage_ships(dockerfile, ins):
                    continue  # a builder stage whose output the shipped stages copy selectively
                for leaked in _context_secrets(context):
                    severity = _held_severity(context, leaked)
                    if severity is None:
                        continue  # PORT=3000 and friends: nothing secret is copied
                    yield self._copy_finding(
                        path,
                        ins,
                        leaked,
                        f"{ins.cmd} {src} copies {leaked} from the build context "
                        "(not excluded by .dockerignore) into the image",
                        severity=severity,
                        gate_samples=gate_samples,
                    )

    def _copy_finding(
        self,
        path: str,
        ins: DockerInstruction,
        src: str,
        message: str,
        *,
        severity: Severity | None,
        gate_samples: bool,
    ) -> Finding:
        found = self.finding(
            DOCKER_COPY_SECRET,
            message,
            Location(path, ins.line, ins.end_line, 0, 0, f"{ins.cmd} {ins.value}"[:160]),
            severity=severity,
            confidence=context_confidence(Confidence.HIGH, path),
            identity=f"copy:{src}",
            remediation="Remove the file from the build context (.dockerignore) and mount it only for the step "
            "that needs it: RUN --mount=type=secret,id=...,target=... ; rotate it if an image was already pushed.",
            effort="hours",
            evidence={"file": src},
        )
        return in_sample_context(found, gate_samples)


def _assignments(ins: DockerInstruction) -> Iterator[tuple[str, str]]:
    text = ins.arguments.strip()
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        return
    if not words:
        return
    if ins.cmd == "ENV" and "=" not in words[0]:  # legacy form: ENV KEY value with spaces
        parts = text.split(None, 1)
        if len(parts) == 2:
            yield parts[0], parts[1].strip().strip("\"'")
        return
    for word in words:
        key, sep, value = word.partition("=")
        if sep and value:
            yield key, value


def _context_secrets(context: BuildContext) -> list[str]:
    """Credential-named files at the top of a build context that .dockerignore does not exclude."""
    secret = [n for n in context.files if secret_file_name(n)]
    if not secret or context.dockerignore is None:
        return secret
    import pathspec  # noqa: PLC0415 - only a tree with a build context pays for it

    ignore = pathspec.GitIgnoreSpec.from_lines(list(context.dockerignore))
    return [n for n in secret if not ignore.match_file(n)]


def _in_context(context: BuildContext | None, dockerfile: str, ins: DockerInstruction, source: str) -> str | None:
    """The build-context path a COPY source reads: the source itself, or, out of an earlier stage, the context file a
    copy put there (teable's ``COPY --from=post-builder /app/apps/nextjs-app/.env``); None when neither is known."""
    if context is None:
        return None
    if ins.flag("from") is not None:
        return context.copied_from_context(dockerfile, ins.line, source)
    return None if source.startswith("/") else posixpath.normpath(source)


def _held_severity(context: BuildContext, name: str) -> Severity | None:
    """What a copied dotenv, credential-config or key file holds decides the finding (shipping.dotenv_severity; a
    token line of an .npmrc, .pypirc, .netrc; a private-key block of a ``.pem``/``.key``/``.ppk``: a public key or a
    certificate is no credential); any other credential-named file (a keystore, ``id_rsa``) is taken at its name,
    HIGH."""
    kind = kind_of(name)
    if kind not in JUDGED_BY_TEXT:
        return Severity.HIGH
    text = dict(context.texts).get(name)
    if text is None:
        return Severity.HIGH  # not read (over the size limit, unreadable), but it is in the build context
    data = text.encode("utf-8", "surrogateescape")
    if kind == "credentials-config":  # an .npmrc of engine-strict=true copies no credential
        return Severity.HIGH if find_config_secrets(name, "credentials-config", data) else None
    if kind == "key":
        return Severity.HIGH if _PRIVATE_KEY.search(text) else None
    return dotenv_severity(data)


#: a private key in PEM (PKCS#1/#8, EC, OpenSSH, encrypted) or PuTTY form
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File")
