"""Dockerfile hardening (CIS Docker Benchmark section 4)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace

from redline.checks.containers.builds import (
    BuildIndex,
    compose_build_args,
    compose_built_images,
    orchestrated_healthcheck,
    orchestrated_user,
    with_build_args,
)
from redline.checks.containers.common import (
    CIS_DOCKER,
    flag_value,
    healthcheck_group,
    image_name,
    is_root_user,
    lowered,
    root_group,
    split_image,
    unpinned_reason,
)
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.known_images import lookup, unprivileged
from redline.core.model import Area, Confidence, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.core.secret_names import secret_name
from redline.sources.containers.bake import DOCKER_IMAGE, BakeTarget
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import (
    Dockerfile,
    DockerInstruction,
    DockerStage,
    arg_pairs,
    env_pairs,
)
from redline.sources.containers.kubernetes import KubeManifest

ROOT_USER = Rule(
    code="DKR101",
    name="dockerfile-runs-as-root",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Image runs as root",
    doc=RuleDoc(
        what_it_does="Flags Dockerfiles whose final stage (including the stages it builds FROM) has no `USER` "
        "instruction, "
        "or whose last `USER` is `root` or `0`. Distroless `:nonroot` and Chainguard bases are trusted, and so "
        "is an image whose entrypoint drops root the way the official database images do (the final stage "
        "installs su-exec or gosu — in a RUN or a package list in an ARG it installs — and sets an ENTRYPOINT, "
        "the ENTRYPOINT calls one, or an s6-overlay image runs `s6-setuidgid`), and so is an image built FROM one of "
        "the project's own images (a compose service's `image:` beside its `build:`) that does not run as root, "
        "unless it empties that image's ENTRYPOINT.",
        why_bad="Containers run as UID 0 unless told otherwise. Root inside a container is one kernel or runtime bug "
        "away from root on the host, and it can modify everything in the image at run time.",
        example='FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/main.py"]',
        use_instead="FROM python:3.12-slim\nRUN useradd --uid 10001 app\nCOPY . /app\nUSER 10001\n"
        'CMD ["python", "/app/main.py"]',
        references=(CIS_DOCKER + " 4.1", "https://docs.docker.com/build/building/best-practices/#user"),
    ),
    tags=("CWE-250", "STRIDE:E"),
)
BASE_UNPINNED = Rule(
    code="DKR102",
    name="dockerfile-base-image-not-pinned",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Base image uses latest or no tag and no digest",
    doc=RuleDoc(
        what_it_does="Flags `FROM` lines pulling a registry image without a tag, or tagged `latest`, and without a "
        "digest "
        "(after `ARG` substitution; `scratch`, earlier stages, an image this tree builds itself at a tag the "
        "build passes in, `FROM ${REPO}/base:${BASE_TAG}` beside a `base/Dockerfile`, and a `docker buildx bake` "
        "named context, `FROM wheels` in a Dockerfile a bake target builds with `contexts = { wheels = "
        '"target:wheels" }`, are skipped; a named context that is a `docker-image://` reference is judged '
        "instead).",
        why_bad="The build silently changes whenever the upstream tag moves: builds are not reproducible and a "
        "compromised or broken upstream push goes straight into your image.",
        example="FROM node:latest",
        use_instead="FROM node:22.11-bookworm-slim@sha256:<digest>",
        references=(CIS_DOCKER + " 4.2", "https://docs.docker.com/reference/dockerfile/#from"),
    ),
    tags=("CWE-494", "STRIDE:T"),
)
ADD_URL = Rule(
    code="DKR103",
    name="dockerfile-add-from-url",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="ADD downloads from a URL",
    doc=RuleDoc(
        what_it_does="Flags `ADD` instructions whose source is an http(s) URL and which carry no `--checksum`.",
        why_bad="ADD fetches the URL at build time without verifying it: a changed or hijacked file lands in the "
        "image unnoticed, and the download is not cached predictably.",
        example="ADD https://example.com/tool.tar.gz /opt/",
        use_instead="ADD --checksum=sha256:<hash> https://example.com/tool.tar.gz /opt/\n"
        "# or: RUN curl -fsSLo t.tgz URL && echo '<hash>  t.tgz' | sha256sum -c -",
        references=(CIS_DOCKER + " 4.9", "https://docs.docker.com/reference/dockerfile/#add---checksum"),
    ),
    tags=("CWE-494", "STRIDE:T"),
)
SECRET_BUILD_VAR = Rule(
    code="DKR104",
    name="dockerfile-secret-in-env-or-arg",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Credential-named ENV or ARG",
    doc=RuleDoc(
        what_it_does="Flags `ENV` with a value and `ARG` instructions whose variable NAME says credential (PASSWORD, "
        "SECRET, TOKEN, API_KEY…).",
        why_bad="ENV values are stored in the image config and ARG values in the build history (`docker history`): "
        "anyone who can pull the image reads the credential.",
        example='ARG NPM_TOKEN\nRUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci',
        use_instead="RUN --mount=type=secret,id=npm_token \\\n    NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci",
        references=(
            CIS_DOCKER + " 4.10",
            "https://docs.docker.com/build/building/secrets/",
            "https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/",
        ),
    ),
    tags=("CWE-798", "STRIDE:I"),
)
NO_HEALTHCHECK = Rule(
    code="DKR105",
    name="dockerfile-no-healthcheck",
    # off by default: Kubernetes, ECS, App Service and compose (CMP106) probe the container themselves and
    # ignore or override HEALTHCHECK; in the whole-audit precision study every DKR105 item was noise
    opt_in=True,
    area=Area.RESILIENCE,
    severity=Severity.INFO,
    summary="Image defines no HEALTHCHECK",
    doc=RuleDoc(
        what_it_does="Flags Dockerfiles whose final stage (with the stages it builds on) has no `HEALTHCHECK`, or "
        "`HEALTHCHECK NONE`.",
        why_bad="Docker, compose and Swarm cannot tell a hung process from a healthy one: dependants start against a "
        "dead service and nothing restarts it. (Kubernetes ignores HEALTHCHECK and uses probes: see KUB113.)",
        example="FROM nginx:1.27\nCOPY site /usr/share/nginx/html",
        use_instead="FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n"
        "HEALTHCHECK --interval=30s --timeout=3s CMD curl -fsS http://localhost/ || exit 1",
        references=(CIS_DOCKER + " 4.6", "https://docs.docker.com/reference/dockerfile/#healthcheck"),
    ),
    tags=("CWE-703",),
)

UPDATE_ALONE = Rule(
    code="DKR106",
    name="dockerfile-update-alone",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Package index update in a RUN of its own",
    doc=RuleDoc(
        what_it_does="Flags `RUN` instructions that refresh a package index (`apt-get update`, `apt update`, `apk "
        "update`, "
        "`yum`/`dnf makecache`) without installing anything in the same instruction.",
        why_bad="The update is cached as its own layer: later builds reuse the stale index while the install layer "
        "changes, so images get outdated (unpatched) packages or fail to build when the mirror moves on.",
        example="RUN apt-get update\nRUN apt-get install -y curl",
        use_instead="RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n && rm -rf "
        "/var/lib/apt/lists/*",
        references=(CIS_DOCKER + " 4.7", "https://docs.docker.com/build/building/best-practices/#apt-get"),
    ),
    tags=("CWE-1104",),
)

_END = r"(?=$|[\s;&|)])"
_UPDATE = re.compile(
    r"\b(?:apt-get|apt|aptitude|apk)\s+(?:-\S+\s+)*update" + _END + "|"
    r"\b(?:yum|dnf|microdnf)\s+(?:-\S+\s+)*makecache" + _END + "|"
    r"\bzypper\s+(?:-\S+\s+)*(?:refresh|ref)" + _END
)
_INSTALL = re.compile(
    r"\b(?:apt-get|apt|aptitude|yum|dnf|microdnf|zypper)\s+(?:-\S+\s+)*(?:install|upgrade|"
    r"dist-upgrade|in)" + _END + r"|\bapk\s+(?:-\S+\s+)*(?:add|upgrade)" + _END
)
_URL = re.compile(r"^https?://", re.IGNORECASE)
#: the tools an entrypoint script re-executes the server with as another user (the official postgres, redis
#: and mysql images' pattern; core/known_images.toml ``drops_privileges``)
#: s6-overlay's ``s6-setuidgid``/``s6-applyuidgid`` do the same for the services its ``/init`` starts (paperless-ngx,
#: the linuxserver.io images: the supervisor stays root, each service runs as the app's user)
_DROPS_ROOT = re.compile(r"(?<![\w-])(?:su-exec|gosu|s6-setuidgid|s6-applyuidgid)(?![\w-])")


def _nonroot_base(image: str) -> bool:
    lower = image.lower()
    return ":nonroot" in lower or "-nonroot" in lower or lower.startswith("cgr.dev/chainguard/")


def _loc(df: Dockerfile, first: int, last: int, snippet: str) -> Location:
    return Location(df.path, first, max(first, last), snippet=snippet[:200])


def _sibling(stage: DockerStage, built_here: frozenset[str]) -> bool:
    """``FROM ${JITSI_REPO}/base:${BASE_TAG}`` in jitsi/docker-jitsi-meet's ``web/Dockerfile``: an image this tree
    builds itself (its name is a folder here holding a Dockerfile, ``base/``), at the tag the build passes in (an
    ``ARG``): the chain of the project's own images, which the build pins, not an upstream image that moves.
    ``FROM ${BASE_IMAGE}`` in outline/outline's ``Dockerfile``, the whole reference an ``ARG`` whose default
    (``outlinewiki/outline-base``) is the image ``Dockerfile.base`` builds: its release workflow passes that image
    at the digest it has just built."""
    written = stage.base.rsplit("/", 1)[-1]
    name, _, tag = written.partition(":")
    if "$" in tag and "$" not in name and name.lower() in built_here:
        return True
    if not _ARG_ONLY.fullmatch(stage.base.strip()):
        return False
    image = stage.image.rsplit("/", 1)[-1].partition("@")[0].partition(":")[0].lower()
    return any(image == own or image.endswith((f"-{own}", f"_{own}")) for own in built_here)


#: a ``FROM`` whose whole reference is one build argument: ``${BASE_IMAGE}``, ``$BASE``
_ARG_ONLY = re.compile(r"\$\{?\w+\}?")


def bake_contexts(targets: Iterable[BakeTarget]) -> dict[str, dict[str, set[str]]]:
    """Dockerfile -> named context (lower-case) -> what the bake targets building it put there: a ``FROM`` of that
    name takes another target, a folder or a ``docker-image://`` reference instead of pulling it (frigate's
    ``FROM wheels`` with ``contexts = { wheels = "target:wheels" }``)."""
    out: dict[str, dict[str, set[str]]] = {}
    for target in targets:
        for path in target.dockerfiles:
            for name, value in target.contexts:
                out.setdefault(path, {}).setdefault(name.lower(), set()).add(value)
    return out


def own_image_names(paths: Iterable[str]) -> frozenset[str]:
    """The names of the images this tree builds: a folder holding a Dockerfile (``base/Dockerfile``), or the
    name a Dockerfile's file name gives (``Dockerfile.base``, ``base.Dockerfile``)."""
    folders: set[str] = set()
    files: set[str] = set()
    for path in paths:
        folder, file = posixpath.split(path)
        folders.add(posixpath.basename(folder).lower())
        lowered = file.lower()
        if lowered.startswith("dockerfile."):
            files.add(lowered.removeprefix("dockerfile."))
        elif lowered.endswith(".dockerfile"):
            files.add(lowered.removesuffix(".dockerfile"))
    return frozenset(folders | (files - _VARIANTS)) - {""}


#: what a Dockerfile's file name says when it is a variant of the same image, not the name of another
_VARIANTS = frozenset({"dev", "development", "prod", "production", "test", "ci", "local", "debug", "release"})


def _stage_loc(df: Dockerfile, stage: DockerStage) -> Location:
    return _loc(df, stage.line, stage.end_line, f"FROM {stage.base}")


def env_names(ins: DockerInstruction) -> list[tuple[str, str]]:
    """``ENV a=1 b=2`` or the legacy ``ENV a 1`` -> [(name, value)]."""
    return env_pairs(ins.arguments)


def has_healthcheck(df: Dockerfile) -> bool:
    """The final image's HEALTHCHECK is in force (the nearest stage's last one; NONE disables it)."""
    final = df.final_stage
    for index in df.lineage(final.index) if final else []:
        found = df.in_stage(index, "HEALTHCHECK")
        if found:
            return found[-1].arguments.strip().upper() != "NONE"
    return False


#: base images that are toolchains or bare distributions: without a CMD/ENTRYPOINT of its own, an image built
#: on them is a build environment (code generation, packaging), not a service
_TOOLCHAINS = frozenset(
    {
        "golang",
        "rust",
        "node",
        "python",
        "maven",
        "gradle",
        "openjdk",
        "eclipse-temurin",
        "amazoncorretto",
        "alpine",
        "debian",
        "ubuntu",
        "busybox",
        "buildpack-deps",
        "gcc",
        "sdk",
        "clang",
        "fedora",
        "centos",
        "rockylinux",
        "almalinux",
        "ruby",
        "php",
        "swift",
        "dart",
    }
)
#: what a ``FROM scratch`` image cannot execute: an ENTRYPOINT naming one is only a label on an exported artifact
_ARTIFACTS = (".apk", ".aab", ".ipa", ".zip", ".tar", ".tgz", ".gz", ".whl", ".deb", ".rpm", ".jar", ".war")


def _entrypoints(df: Dockerfile, lineage: list[int]) -> list[DockerInstruction]:
    return [i for index in lineage for i in df.in_stage(index, "CMD", "ENTRYPOINT")]


def export_stage(df: Dockerfile, stage: DockerStage) -> bool:
    """A final stage nothing ever runs: a ``FROM scratch`` stage that only carries files out of the build
    (``docker build --output``), or a build environment on a toolchain image with no CMD, ENTRYPOINT or
    EXPOSE of its own (``genproto`` images that run protoc at build time)."""
    lineage = df.lineage(stage.index)
    base = df.stages[lineage[-1]].image
    starts = _entrypoints(df, lineage)
    if base.lower() == "scratch":
        words = [w for i in starts for w in (i.exec_form or tuple(i.arguments.split()))]
        return not starts or (bool(words) and words[0].lower().endswith(_ARTIFACTS))
    runs = starts or any(df.in_stage(index, "EXPOSE", "HEALTHCHECK") for index in lineage)
    return not runs and image_name(base) in _TOOLCHAINS


_GENERIC_DIRS = frozenset({"src", "app", "docker", "build", "deploy", "container", "image", "."})


def shipped_stage(df: Dockerfile, target: str = "") -> DockerStage | None:
    """The stage that becomes the image: the ``--target`` stage when one is named (compose ``build.target``),
    else the last one."""
    if target:
        named = next((st for st in df.stages if st.name == target.lower()), None)
        if named is not None:
            return named
    return df.final_stage


def image_key(df: Dockerfile) -> str:
    """What the image built by a Dockerfile is called in groups: its directory (the build context), or the
    directory above a generic one (``cartservice/src`` -> ``cartservice``)."""
    parts = [p for p in posixpath.dirname(df.path).lower().split("/") if p]
    while len(parts) > 1 and parts[-1] in _GENERIC_DIRS:
        parts.pop()
    name = posixpath.basename(df.path)
    key = parts[-1] if parts else name
    return key if name.lower() == "dockerfile" or not parts else f"{key}/{name}"  # Dockerfile.cypress: another image


class DockerfileCheck(ProjectCheck):
    name = "dockerfile-hardening"
    rules = (ROOT_USER, BASE_UNPINNED, ADD_URL, SECRET_BUILD_VAR, NO_HEALTHCHECK, UPDATE_ALONE)
    fact_types = (Dockerfile, KubeManifest, ComposeProject, BakeTarget)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        manifests = list(facts.of(KubeManifest))
        index = BuildIndex.of(facts.of(Dockerfile), manifests)
        projects = list(facts.of(ComposeProject))
        covered = orchestrated_healthcheck(index, manifests, projects)
        nonroot = orchestrated_user(index, manifests, projects)
        args = compose_build_args(index.dockerfiles, projects)
        built_here = own_image_names(index.dockerfiles)
        parents = ctx.scope.derived(compose_built_images, facts)
        contexts = bake_contexts(facts.of(BakeTarget))
        out: list[Finding] = []
        for df in index.dockerfiles.values():
            found = covered.get(df.path), nonroot.get(df.path), args.get(df.path, {})
            scan = self._scan(df, *found, built_here=built_here, parents=parents, contexts=contexts.get(df.path, {}))
            out.extend(lowered(f) for f in scan)
        return out

    def _scan(
        self,
        df: Dockerfile,
        health_covered: str | None,
        runs_nonroot: str | None,
        build_args: dict[str, str],
        *,
        built_here: frozenset[str],
        parents: dict[str, Dockerfile],
        contexts: dict[str, set[str]],
    ) -> Iterator[Finding]:
        """``parents``: the images this tree builds, by name (``compose_built_images``); ``contexts``: the named
        contexts bake targets hand this Dockerfile (``bake_contexts``)."""
        final = df.final_stage
        if final is None:
            return
        shipped = not export_stage(df, final)  # runtime rules judge only an image that runs
        if shipped and runs_nonroot is None:  # else every deployment of it sets a non-root user
            yield from self._user(df, final, build_args, parents)
        yield from self._pinning(df, built_here, contexts)
        yield from self._instructions(df)
        if shipped and health_covered is None and not has_healthcheck(df) and not looks_like_test_or_sample(df.path):
            f = self.finding(
                NO_HEALTHCHECK,
                "the final image defines no HEALTHCHECK",
                _stage_loc(df, final),
                identity="healthcheck",
                remediation=NO_HEALTHCHECK.doc.use_instead,
            )
            yield replace(f, group=healthcheck_group(df.path))  # one cause with CMP106 on services built from it

    def _pinning(self, df: Dockerfile, built_here: frozenset[str], contexts: dict[str, set[str]]) -> Iterator[Finding]:
        for stage in df.stages:
            if not stage.external or _sibling(stage, built_here):
                continue
            images, via = [stage.image], ""
            if (replaced := contexts.get(stage.image.lower())) is not None:  # a bake target or folder, not a pull
                images = sorted(v.removeprefix(DOCKER_IMAGE) for v in replaced if v.startswith(DOCKER_IMAGE))
                via = f", bake context `{stage.image}`"
            for image in images:
                reason = unpinned_reason(image)
                if reason:
                    yield self.finding(
                        BASE_UNPINNED,
                        f"stage {stage.index} (`FROM {stage.base}`{via}): {reason}",
                        _loc(df, stage.line, stage.line, f"FROM {stage.base}"),
                        identity=image,
                        evidence={"image": image},
                        remediation=f"FROM {split_image(image)[0]}:<version>@sha256:<digest>",
                    )

    def _instructions(self, df: Dockerfile) -> Iterator[Finding]:
        for ins in df.instructions:
            if ins.cmd == "ADD" and ins.flag("checksum") is None:
                sources = ins.arguments.split()[:-1]
                urls = [s for s in sources if _URL.match(s)]
                if urls:
                    yield self.finding(
                        ADD_URL,
                        f"ADD downloads {urls[0]} without --checksum",
                        _loc(df, ins.line, ins.end_line, f"ADD {ins.value}"),
                        remediation=f"ADD --checksum=sha256:<hash> {ins.arguments}",
                    )
            elif ins.cmd in ("ENV", "ARG"):
                yield from self._secret_vars(df, ins)
            elif ins.cmd == "RUN" and not ins.heredoc:
                command = " ".join(ins.exec_form) if ins.exec_form is not None else ins.arguments
                if _UPDATE.search(command) and not _INSTALL.search(command):
                    yield self.finding(
                        UPDATE_ALONE,
                        "RUN refreshes the package index without installing in the same layer",
                        _loc(df, ins.line, ins.end_line, f"RUN {ins.value}"),
                        identity=f"update:{ins.stage}",
                        remediation=UPDATE_ALONE.doc.use_instead,
                    )

    def _user(
        self, df: Dockerfile, final: DockerStage, build_args: dict[str, str], parents: dict[str, Dockerfile]
    ) -> Iterator[Finding]:
        """``build_args``: what compose passes when it builds the image (``FROM ${SENTRY_IMAGE}``)."""
        if entrypoint_drops_root(df, final):
            return  # starts as root to fix volume ownership, then its entrypoint re-executes as another user
        found = df.effective_user(final.index)
        base = with_build_args(df.stages[df.lineage(final.index)[-1]].image, build_args)
        fix = "RUN useradd --uid 10001 --no-create-home app\nUSER 10001"
        group = root_group(image_key(df))
        if found is None:
            overridden = any(df.in_stage(i, "ENTRYPOINT") for i in df.lineage(final.index))
            if _nonroot_base(base) or unprivileged(base, entrypoint_overridden=overridden):
                return  # the base image sets a non-root USER, or its entrypoint drops root itself
            if own_parent_drops_root(df, parents.get(image_name(base)), base, overridden=overridden):
                return  # built FROM an image of this tree that does not run as root
            known = lookup(base)
            why = f" ({known.note})" if known and known.note else ""
            f = self.finding(
                ROOT_USER,
                f"the final stage sets no USER: the container runs as root{why}",
                _stage_loc(df, final),
                identity="user",
                confidence=Confidence.MEDIUM if "$" in base else Confidence.HIGH,
                remediation=fix,
            )
            yield replace(f, group=group)
            return
        user, ins = found
        if is_root_user(user):
            f = self.finding(
                ROOT_USER,
                f"the last USER of the final stage is `{user}`",
                _loc(df, ins.line, max(final.end_line, ins.line), f"USER {user}"),
                identity="user",
                remediation="USER 10001   # a user created in the image, after the steps that need root",
            )
            yield replace(f, group=group)

    def _secret_vars(self, df: Dockerfile, ins: DockerInstruction) -> Iterator[Finding]:
        if ins.cmd == "ARG":
            names = [(name, value or "") for name, value in arg_pairs(ins.arguments)]
        else:
            names = [(k, v) for k, v in env_names(ins) if v and not flag_value(v)]
        for name, _value in names:
            if secret_name(name):
                yield self.finding(
                    SECRET_BUILD_VAR,
                    f"{ins.cmd} `{name}` puts a credential into the image "
                    f"{'history' if ins.cmd == 'ARG' else 'configuration'}",
                    _loc(df, ins.line, ins.end_line, f"{ins.cmd} {name}"),
                    identity=f"{ins.cmd}:{name}",
                    evidence={"variable": name},
                    remediation=SECRET_BUILD_VAR.doc.use_instead,
                )


def own_parent_drops_root(df: Dockerfile, parent: Dockerfile | None, base: str, *, overridden: bool) -> bool:
    """``base`` is an image this tree builds (``parent``: a compose service's ``image:`` beside its ``build:``;
    baserow's platform images ``FROM baserow/baserow:1.35.3``, built by ``deploy/all-in-one/Dockerfile``) whose final
    stage sets a non-root USER, or whose ENTRYPOINT drops root while this image keeps that ENTRYPOINT."""
    if parent is None or parent is df or "$" in base or (final := parent.final_stage) is None:
        return False
    user = parent.effective_user(final.index)
    if user is not None:
        return not is_root_user(user[0])
    return not overridden and entrypoint_drops_root(parent, final)


def entrypoint_drops_root(df: Dockerfile, final: DockerStage) -> bool:
    """An image of the project's own that does what the official database images do: the final stage installs
    su-exec or gosu and has an ENTRYPOINT (memos: ``apk add su-exec``, ``USER root``, an entrypoint.sh that
    ``exec su-exec "$UID:$GID"``s the server), or the ENTRYPOINT calls one itself; an s6-overlay image whose
    build runs ``s6-setuidgid`` (its services drop root the same way). The scripts are not read."""
    entry, _cmd = df.start()
    if entry is None:
        return False
    if _DROPS_ROOT.search(entry.arguments):
        return True
    stages = df.lineage(final.index)
    runs = [ins.arguments for i in stages for ins in df.in_stage(i, "RUN")]
    if any(_DROPS_ROOT.search(run) for run in runs):
        return True
    # a package list kept in a build argument the RUN installs (paperless: ``ARG RUNTIME_PACKAGES="… gosu …"``,
    # ``apt-get install ${RUNTIME_PACKAGES}``); global ARGs (before the first FROM) have stage -1
    lists = [ins for i in (*stages, -1) for ins in df.in_stage(i, "ARG", "ENV")]
    return any(
        _DROPS_ROOT.search(value) and any(f"${name}" in run or f"${{{name}}}" in run for run in runs)
        for ins in lists
        for name, value in env_pairs(ins.arguments)
    )
