"""Say, once per run, whether the local vulnerability database can be used.

A ``ProjectSource``: it never downloads, only opens the file ``redline db
update`` built. When manifests exist but the database is missing, unreadable
or older than ``[supply_chain] max_db_age_days``, the run gets a tool error
and the manifests are listed as not covered: an empty or absent database must
never read as "no vulnerabilities".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from redline.core.facts import Facts
from redline.core.model import Skipped, Stage, ToolError
from redline.sources.advisories.database import DB_FILENAME, AdvisoryDatabase, DatabaseError
from redline.sources.advisories.settings import SECTION, database_dir
from redline.sources.advisories.spdx import LicenceNormaliser
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource

MANIFEST_KINDS = frozenset({"lockfile", "package-manifest"})
#: the OSV ecosystem a manifest or lockfile name belongs to
_ECOSYSTEM_OF = {
    "package.json": "npm",
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "npm",
    "pnpm-lock.yaml": "npm",
    "bun.lock": "npm",
    "go.mod": "Go",
    "go.sum": "Go",
    "cargo.lock": "crates.io",
    "gemfile.lock": "RubyGems",
    "composer.lock": "Packagist",
    "pom.xml": "Maven",
    "gradle.lockfile": "Maven",
    "packages.lock.json": "NuGet",
    "mix.lock": "Hex",
}
_ECOSYSTEM_OF_SUFFIX = {".csproj": "NuGet", ".fsproj": "NuGet", ".vbproj": "NuGet"}


def ecosystem_of(path: str) -> str:
    name = PurePosixPath(path).name.lower()
    # else requirements*.txt, pyproject, poetry/uv/pdm/Pipfile/pylock
    return _ECOSYSTEM_OF.get(name) or _ECOSYSTEM_OF_SUFFIX.get(PurePosixPath(name).suffix, "PyPI")


@dataclass(frozen=True)
class AdvisoryDbStatus:
    """Where the database is and whether it may be used; ``path`` is empty when it may not."""

    path: str
    built_at: str = ""
    source: str = ""
    age_days: float = 0.0
    problem: str = ""

    @property
    def usable(self) -> bool:
        return bool(self.path) and not self.problem


class AdvisoryDbSource(ProjectSource):
    name = "vulnerability-database"
    produces = AdvisoryDbStatus

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        settings = ctx.config.settings(SECTION)
        db_path = database_dir(settings, ctx.root) / DB_FILENAME
        manifests = [f.path for f in ctx.files if f.kind in MANIFEST_KINDS]
        max_age = settings.max_db_age_days
        try:
            db = AdvisoryDatabase(db_path)
        except DatabaseError as exc:
            status = AdvisoryDbStatus("", problem=str(exc))
            if not manifests:
                return ProjectOutput([status], [], [])
            reason = (
                f"{exc}. Dependencies were NOT checked for known vulnerabilities "
                f"({len(manifests)} manifest(s) not covered)."
            )
            return ProjectOutput(
                [status],
                [ToolError("vulnerability database", reason, stage=Stage.NOTICE)],
                [Skipped(p, "not checked for known vulnerabilities: no usable database") for p in manifests],
            )
        info = db.info()
        db.close()
        age = info.age_days()
        status = AdvisoryDbStatus(str(db_path), info.built_at, info.source, round(age, 2))
        errors: list[ToolError] = []
        skipped: list[Skipped] = []
        present = set(info.meta.get("osv_ecosystems", "").split(","))
        uncovered = sorted({ecosystem_of(p) for p in manifests} - present)
        if uncovered:
            paths = [p for p in manifests if ecosystem_of(p) in uncovered]
            errors.append(
                ToolError(
                    "vulnerability database",
                    (
                        f"{db_path} holds no OSV data for {', '.join(uncovered)}: {len(paths)} manifest(s) of those "
                        "ecosystems were NOT checked for known vulnerabilities. Run `redline db update` with a source "
                        "that has them."
                    ),
                    stage=Stage.NOTICE,
                )
            )
            skipped += [
                Skipped(p, f"not checked for known vulnerabilities: no {ecosystem_of(p)} advisories in the database")
                for p in paths
            ]
        if manifests and age > max_age:
            errors.append(
                ToolError(
                    "vulnerability database",
                    (
                        f"{db_path} was built {age:.0f} days ago (limit {max_age}); advisories published since then "
                        "are missing from this report. Run `redline db update`."
                    ),
                    stage=Stage.NOTICE,
                )
            )
        return ProjectOutput([status], errors, skipped)


def normaliser_for(facts: Facts) -> LicenceNormaliser:
    """With the SPDX list from the run's usable database when there is one, else the list
    license-expression ships. The licence check and the SBOM step read one per run
    (``ctx.scope.derived(normaliser_for, facts)``): each builds license-expression's index."""
    statuses = [s for s in facts.of(AdvisoryDbStatus) if s.usable]
    if statuses:
        try:
            db = AdvisoryDatabase(Path(statuses[0].path))
            rows = db.spdx_licences()
            db.close()
            if rows:
                return LicenceNormaliser(
                    ((i, exc) for i, _n, _o, _d, exc in rows), names=((n, i) for i, n, _o, _d, exc in rows if not exc)
                )
        except DatabaseError:
            pass
    return LicenceNormaliser()
