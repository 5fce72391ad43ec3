"""Manifest-like files redline does not read, listed as not covered by name — never silently skipped.

A Gradle build script, a CocoaPods or Dart lockfile, an ``mix.exs`` without its ``mix.lock``: each
declares dependencies that are then not checked for known vulnerabilities. The run says so, per
file, with what to commit instead when there is a format redline does read.
"""

from __future__ import annotations

import fnmatch
import re

from redline.core.model import Skipped
from redline.core.packages import PackageManifest
from redline.core.thirdparty import in_third_party_dir
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource

#: (base-name pattern, what it is, what redline would read instead or "")
UNSUPPORTED: tuple[tuple[str, str, str], ...] = (
    ("build.gradle", "Gradle build script", "gradle.lockfile (gradle dependencies --write-locks)"),
    ("build.gradle.kts", "Gradle build script", "gradle.lockfile (gradle dependencies --write-locks)"),
    ("packages.config", "NuGet packages.config", "PackageReference in the project file, or packages.lock.json"),
    ("paket.lock", "Paket lockfile", ""),
    ("podfile.lock", "CocoaPods lockfile", ""),
    ("podfile", "CocoaPods manifest", ""),
    ("package.resolved", "Swift Package Manager lockfile", ""),
    ("cartfile.resolved", "Carthage lockfile", ""),
    ("pubspec.lock", "Dart/Flutter lockfile", ""),
    ("pubspec.yaml", "Dart/Flutter manifest", ""),
    ("build.sbt", "sbt build", ""),
    ("project.clj", "Leiningen project", ""),
    ("deps.edn", "Clojure deps", ""),
    ("rebar.lock", "Erlang rebar3 lockfile", ""),
    ("conanfile.txt", "Conan manifest", ""),
    ("conan.lock", "Conan lockfile", ""),
    ("vcpkg.json", "vcpkg manifest", ""),
    ("stack.yaml.lock", "Haskell Stack lockfile", ""),
    ("cabal.project.freeze", "Cabal freeze file", ""),
    ("renv.lock", "R renv lockfile", ""),
    ("setup.py", "setuptools script (never executed)", "requirements.txt, pyproject.toml or a lockfile"),
    ("environment.yml", "conda environment", "requirements.txt or a lockfile for the pip part"),
)
#: a manifest redline reads only through its lockfile: listed when that lockfile is not beside it
NEEDS_LOCKFILE = {
    "mix.exs": "mix.lock",
    "gemfile": "gemfile.lock",
    "cargo.toml": "cargo.lock",
    "composer.json": "composer.lock",
    "pipfile": "pipfile.lock",
}


class UnsupportedManifestSource(ProjectSource):
    """Runs whenever the supply-chain checks do; produces no facts, only the list of what it cannot read."""

    name = "unsupported-manifests"
    produces = PackageManifest

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        names = {_split(f.path) for f in ctx.files}
        skipped = []
        for f in ctx.files:
            reason = unsupported_reason(f.path, names)
            if reason:
                skipped.append(Skipped(f.path, reason))
        return ProjectOutput([], [], skipped)


def _split(path: str) -> tuple[str, str]:
    """(folder, lower-cased name) with string operations: this runs for every file of the tree."""
    folder, _, name = path.rpartition("/")
    return folder or ".", name.lower()


#: one expression for every unsupported name pattern (group ``i`` is ``UNSUPPORTED[i]``)
_PATTERNS = re.compile("|".join(f"(?P<p{i}>{fnmatch.translate(p)})" for i, (p, _, _) in enumerate(UNSUPPORTED)))


def unsupported_reason(path: str, names: set[tuple[str, str]]) -> str:
    """Why ``path`` is a manifest redline does not read (empty when it reads it, or it is no manifest)."""
    folder, name = _split(path)
    hit = _PATTERNS.match(name)
    if hit is not None and hit.lastgroup is not None:
        _, what, instead = UNSUPPORTED[int(hit.lastgroup[1:])]
        hint = f"; commit {instead} for redline to read" if instead else ""
        reason = f"format not supported: {what}; its dependencies are not checked for known vulnerabilities{hint}"
    elif (lock := NEEDS_LOCKFILE.get(name)) and (folder, lock) not in names:
        reason = (
            f"format not supported without its lockfile: {path.rpartition('/')[2]} declares dependencies but no "
            f"{lock} beside it pins them; they are not checked for known vulnerabilities"
        )
    else:
        return ""
    # installed or vendored third-party code: its own manifests are not the project's (asked last: the name
    # tests are cheaper, and most files of a tree are no manifest)
    return "" if in_third_party_dir(path) else reason
