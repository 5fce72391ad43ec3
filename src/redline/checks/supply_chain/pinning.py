"""Dependencies declared without an exact version where nothing else pins them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import PurePosixPath

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.context import in_test_or_sample, lower_in_context
from redline.core.facts import Facts
from redline.core.model import Area, Confidence, Finding, Location, Severity
from redline.core.packages import Package, PackageManifest
from redline.core.rules import Rule, RuleDoc
from redline.core.thirdparty import in_installed_package, in_third_party_dir
from redline.sources.advisories.osv import normalise_name

UNPINNED = Rule(
    code="DEP101",
    name="unpinned-dependency",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Dependency without an exact version and no lockfile pinning it",
    tags=("CWE-1357", "CWE-829"),
    doc=RuleDoc(
        what_it_does="Reports each requirement given as a range, a URL, a path outside the audited tree or an "
        "editable checkout of one in requirements files (unless a lockfile beside it pins the package; `-e .` and "
        "other paths inside the tree are the project's own code, pinned by the commit), and once per other manifest "
        "(package.json, pyproject.toml …) whose direct dependencies are ranges with no lockfile of the same "
        "ecosystem in the same directory (or, for a workspace member, in an ancestor directory "
        "pinning all of them). A dependency on a package another manifest of the tree defines (a workspace "
        "member, the monorepo's own SDK) is the project's own code, built from its source, and needs no pin. "
        "Installed packages' own manifests (node_modules, site-packages) are not judged.",
        why_bad="Every install may resolve a different version: builds stop being reproducible, a "
        "compromised or broken release is picked up silently, and vulnerability matching cannot tell which "
        "version actually runs.",
        example="# requirements.txt\nrequests>=2.0\n-e git+https://github.com/org/lib#egg=lib",
        use_instead="# requirements.txt (pip-compile --generate-hashes)\nrequests==2.32.3 \\\n    --hash=sha256:…",
        references=(
            "https://pip.pypa.io/en/stable/topics/repeatable-installs/",
            "https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json",
            "https://cwe.mitre.org/data/definitions/1357.html",
        ),
    ),
)


def _dir(path: str) -> str:
    return str(PurePosixPath(path).parent)


class UnpinnedDependencyCheck(ProjectCheck):
    name = "unpinned-dependencies"
    rules = (UNPINNED,)
    fact_types = (PackageManifest,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        manifests = facts.of(PackageManifest)
        own = _own_packages(manifests)
        locked: dict[tuple[str, str], set[str]] = {}  # (dir, ecosystem) -> pinned names
        for m in manifests:
            if m.is_lockfile:
                names = locked.setdefault((_dir(m.path), m.ecosystem), set())
                names.update(normalise_name(p.ecosystem, p.name) for p in m.packages if p.pinned and p.version)
        out: list[Finding] = []
        seen: set[tuple[str, int, str]] = set()  # a line reached through `-r` from several files is one finding
        for m in sorted(manifests, key=lambda m: m.path):
            if m.is_lockfile or in_installed_package(m.path):
                continue
            requirements = PurePosixPath(m.path).name.lower().startswith("requirements")
            lock = locked.get((_dir(m.path), m.ecosystem))
            # a managed version (Maven BOM or parent POM) is pinned although redline does not know it; a range
            # beside the same package's pinned install (a peer dependency's ``^2.10.0`` beside its ``workspace:^``
            # development copy) is the range offered to consumers, not what this project installs
            installed = {p.name for p in m.packages if p.pinned}
            loose = [p for p in m.packages if not p.pinned and p.name not in installed]
            if requirements:  # pip installs exactly these lines: each range is its own problem
                out.extend(
                    self._one(p, m.path)
                    for p in loose
                    if (lock is None or normalise_name(p.ecosystem, p.name) not in lock) and _first_sight(seen, p)
                )
            elif (
                lock is None
                and (direct := [p for p in loose if p.direct and not _is_own(p, own)])
                and not _workspace_lock_pins(m, direct, locked)
            ):
                out.append(self._no_lockfile(m, direct))  # a library's ranges are fine; the missing lock is not
        # a docs build, a test tool or an example pins loosely on purpose or without harm: the one context step
        return [lower_in_context(f) if in_test_or_sample(f.location.path) else f for f in out]

    def _one(self, pkg: Package, manifest_path: str) -> Finding:
        """At the line of the file that declares it: an included (``-r``) file's own path and line."""
        spec = pkg.requirement or "any version"
        path = pkg.manifest or manifest_path
        finding = self.finding(
            UNPINNED,
            f"{pkg.name} is not pinned to an exact version ({spec})",
            Location(path, pkg.line, pkg.line, resource=f"{pkg.ecosystem}/{pkg.name}"),
            evidence={"requirement": spec, "scope": "development" if pkg.dev else "runtime"},
            remediation=f"Pin {pkg.name} to the version you test with (`{pkg.name}==<version>`), or generate "
            f"{path} from a .in file with `pip-compile --generate-hashes` so every line is pinned.",
            identity=f"{pkg.ecosystem}/{pkg.name}:{spec}",
        )
        # one requirements file that pins nothing is one thing to fix (pip-compile it), however many lines
        return replace(finding, group=f"unpinned:{path}")

    def _no_lockfile(self, m: PackageManifest, loose: list[Package]) -> Finding:
        names = ", ".join(_spec(p) for p in loose[:5])
        more = f" and {len(loose) - 5} more" if len(loose) > 5 else ""
        first = min((p.line for p in loose if p.line), default=0)
        return self.finding(
            UNPINNED,
            f"no lockfile beside {PurePosixPath(m.path).name} pins its {len(loose)} ranged "
            f"{'dependency' if len(loose) == 1 else 'dependencies'} ({names}{more})",
            Location(m.path, first, first, resource=f"{m.ecosystem}:{m.path}"),
            confidence=Confidence.MEDIUM,
            evidence={"unpinned": tuple(p.name for p in loose)},
            remediation="Commit the lockfile your package manager writes (package-lock.json, poetry.lock, uv.lock …) "
            "for applications; libraries may keep ranges but should test against a lockfile in CI.",
            identity=f"{m.ecosystem}:no-lockfile",  # stable when dependencies are added: baselines hold
        )


def _spec(pkg: Package) -> str:
    """``requests>=2`` (PEP 508 text already names the package) or ``lodash ^4.17.0``."""
    if not pkg.requirement:
        return pkg.name
    if normalise_name("PyPI", pkg.requirement).startswith(normalise_name("PyPI", pkg.name)):
        return pkg.requirement
    return f"{pkg.name} {pkg.requirement}"


def _own_packages(manifests: Iterable[PackageManifest]) -> set[tuple[str, str]]:
    """(ecosystem, name) of every package a manifest of the tree defines: karrio's connectors depend on ``karrio``
    (modules/sdk), its npm workspace members on ``@karrio/*`` with ``*``; they are built from the repository's
    source at its commit, which pins them. A copy of another project (vendor/, node_modules) defines none: a
    dependency of the same name is still resolved from the registry."""
    return {
        (m.ecosystem, normalise_name(m.ecosystem, m.name))
        for m in manifests
        if m.name and not m.is_lockfile and not in_installed_package(m.path) and not in_third_party_dir(m.path)
    }


def _is_own(pkg: Package, own: set[tuple[str, str]]) -> bool:
    return (pkg.ecosystem, normalise_name(pkg.ecosystem, pkg.name)) in own


def _workspace_lock_pins(m: PackageManifest, loose: list[Package], locked: dict[tuple[str, str], set[str]]) -> bool:
    """A workspace member (uv/bun/npm/pnpm/yarn/cargo workspaces) has no lockfile of its own: the one lockfile
    of the workspace sits in an ancestor directory. It covers the member when it pins every ranged dependency."""
    wanted = {normalise_name(p.ecosystem, p.name) for p in loose}
    for parent in PurePosixPath(m.path).parent.parents:
        names = locked.get((str(parent), m.ecosystem))
        if names is not None and wanted <= names:
            return True
    return False


def _first_sight(seen: set[tuple[str, int, str]], pkg: Package) -> bool:
    key = (pkg.manifest, pkg.line, pkg.name)
    if key in seen:
        return False
    seen.add(key)
    return True
