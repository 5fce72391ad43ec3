"""What ``COPY .`` takes: the top of each Dockerfile's build context, listed once per run.

A project source derived from the Dockerfile facts. It lists through the workspace (the
``--exclude`` globs apply; ``.gitignore`` does not, as for ``docker build``) and reads
``.dockerignore`` within the size limit, so no check touches the disk.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from redline.core.filekinds import kind_of
from redline.core.model import Skipped
from redline.core.workspace import SourceFile, UnreadableFile, Workspace, read_file
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.image_paths import context_sources, staged_sources
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource

DOCKERIGNORE = ".dockerignore"


@dataclass(frozen=True)
class BuildContext:
    """The directory Dockerfiles are built from: the one a compose service's ``build.context`` names for it, else the
    Dockerfile's own (``docker build .`` next to it)."""

    directory: str  # relative POSIX path, "" for the audited root
    files: tuple[str, ...]  # names of the regular files directly in it, sorted
    dockerignore: tuple[str, ...] | None  # its .dockerignore patterns, None when there is none (or unread)
    #: the text of the dotenv and credential-config files directly in it, and of those below it its Dockerfiles copy by
    #: name, by path in the context (within the size limit), so that a check
    #: can tell a ``.env`` holding credentials from one holding ``PORT=3000``, and an ``.npmrc`` with a token from
    #: one with ``engine-strict=true`` (redash's); in memory only, never reported
    texts: tuple[tuple[str, str], ...] = ()
    dockerfiles: tuple[str, ...] = ()  # the Dockerfiles built from it
    #: (Dockerfile, line, source) of a ``COPY --from=<stage>`` of a dotenv or credential-config file -> the context
    #: path a copy of the context put there (``image_paths.staged_sources``), judged by its text like a direct copy
    staged: tuple[tuple[tuple[str, int, str], str], ...] = ()

    def copied_from_context(self, dockerfile: str, line: int, source: str) -> str | None:
        """The context path behind a ``COPY --from`` source of ``dockerfile`` at ``line``, or None."""
        return dict(self.staged).get((dockerfile, line, source))


def context_directories(dockerfiles: list[Dockerfile], projects: list[ComposeProject]) -> dict[str, str]:
    """Each Dockerfile's build context: the first compose service building it says where (redash's
    ``.ci/Dockerfile.cypress`` is built from the repository's root, ``context: ../``), else its own folder."""
    declared: dict[str, str] = {}
    for project in projects:
        for service in project.services:
            path, directory = service.dockerfile_path, service.build_directory
            if path is not None and directory is not None:
                declared.setdefault(path, "" if directory == "." else directory)
    return {d.path: declared.get(d.path, posixpath.dirname(d.path)) for d in dockerfiles}


class BuildContextSource(ProjectSource):
    name = "docker-build-contexts"
    produces = BuildContext
    needs = (Dockerfile, ComposeProject)

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        workspace = Workspace(ctx.root, exclude=ctx.config.exclude, max_file_size=ctx.config.max_file_size)
        out = ProjectOutput([], [], [])
        built_from = context_directories(ctx.facts.of(Dockerfile), ctx.facts.of(ComposeProject))
        by_path = {d.path: d for d in ctx.facts.of(Dockerfile)}
        for directory in sorted(set(built_from.values())):
            if directory.startswith(".."):
                continue  # a context outside the audited tree
            files = workspace.files_in(directory)
            ignore_file = next((f for f in files if posixpath.basename(f.path) == DOCKERIGNORE), None)
            patterns: tuple[str, ...] | None = None
            if ignore_file is not None and ignore_file.size > ctx.config.max_file_size:
                out.skipped.append(
                    Skipped(
                        ignore_file.path,
                        "larger than the size limit; its patterns were not applied to the build context",
                    )
                )
            elif ignore_file is not None:
                try:
                    text = read_file(ignore_file).text
                except UnreadableFile as exc:
                    out.skipped.append(Skipped(ignore_file.path, f"{exc}; its patterns were not applied"))
                else:
                    patterns = tuple(ln.strip().lstrip("/") for ln in text.splitlines() if ln.strip())
            dockerfiles = tuple(sorted(d for d, built in built_from.items() if built == directory))
            listing = _Listing(workspace, directory)
            built = [by_path[d] for d in dockerfiles if d in by_path]
            staged = tuple(
                ((df.path, line, source), found)
                for df in built
                for (line, source), found in staged_sources(df, listing.holds, _judged_by_text).items()
            )
            copied = _copied_files(listing, built, [found for _, found in staged])
            texts = tuple(_credential_texts(directory, [*files, *copied], ctx.config.max_file_size, out))
            names = tuple(posixpath.basename(f.path) for f in files)
            out.facts.append(BuildContext(directory, names, patterns, texts, dockerfiles, staged))
        return out


#: the kinds of file whose text decides whether copying them into an image leaks a credential (a ``.pem`` may hold a
#: public key only: privacyIDEA's image ships ``NetKnights.pem``, the key its subscription files are checked with)
JUDGED_BY_TEXT = frozenset({"dotenv", "credentials-config", "key"})


def _copied_files(listing: _Listing, dockerfiles: list[Dockerfile], staged: list[str]) -> list[SourceFile]:
    """The dotenv, credential-config and key files below the top of the context that the Dockerfiles ``COPY`` by name
    (Flagsmith's ``COPY frontend/.npmrc ./frontend/``), or copy out of an earlier stage that took them from the
    context (``staged``: teable's ``COPY --from=post-builder /app/apps/nextjs-app/.env``)."""
    direct = [s for df in dockerfiles for s in context_sources(df) if "/" in s.strip("/") and _judged_by_text(s)]
    wanted = {listing.path(source) for source in [*direct, *staged]}
    folders = sorted({posixpath.dirname(path) for path in wanted})
    return [f for folder in folders for f in listing.files(folder) if f.path in wanted]


def _judged_by_text(path: str) -> bool:
    """A dotenv, credential-config or key file: what it holds, not its name, decides whether copying it leaks."""
    return kind_of(posixpath.basename(path.rstrip("/"))) in JUDGED_BY_TEXT


class _Listing:
    """The folders of one build context, each listed through the workspace once."""

    def __init__(self, workspace: Workspace, directory: str) -> None:
        self._workspace = workspace
        self._directory = directory
        self._listed: dict[str, list[SourceFile]] = {}

    def path(self, in_context: str) -> str:
        """The tree path of a path in the context."""
        return posixpath.normpath(posixpath.join(self._directory, in_context)) if in_context else self._directory

    def files(self, folder: str) -> list[SourceFile]:
        if folder not in self._listed:
            self._listed[folder] = self._workspace.files_in(folder)
        return self._listed[folder]

    def holds(self, in_context: str) -> bool:
        """Whether the context holds a file at ``in_context`` (``image_paths.Holds``)."""
        full = self.path(in_context)
        return any(f.path == full for f in self.files(posixpath.dirname(full)))


def _credential_texts(directory: str, files: list[SourceFile], limit: int, out: ProjectOutput) -> list[tuple[str, str]]:
    """The dotenv, credential-config and key files of the context within the size limit (a larger one is judged by its
    name alone), each by its path in the context."""
    texts = []
    for file in files:
        name = posixpath.relpath(file.path, directory or ".")
        if kind_of(posixpath.basename(name)) not in JUDGED_BY_TEXT:
            continue
        if file.size > limit:
            out.skipped.append(
                Skipped(
                    file.path,
                    "larger than the size limit; what it would copy into an image was judged by its name alone",
                )
            )
            continue
        try:
            texts.append((name, read_file(file).text))
        except UnreadableFile as exc:
            out.skipped.append(Skipped(file.path, f"{exc}; what it would copy into an image was not judged"))
    return texts
