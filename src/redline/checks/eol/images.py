"""Images whose release cycle has reached its end of life: Dockerfile ``FROM``, compose ``image:`` and
Kubernetes container images, judged against the endoflife.date data (``[eol]``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Area, Finding, Location, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.kubernetes import KubeManifest
from redline.sources.eol.products import EolData
from redline.sources.eol.settings import EOL_SECTION

EOL_IMAGE = Rule(
    code="EOL101",
    name="end-of-life-image",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Image or runtime past its end of life",
    tags=("CWE-1104", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Reads the image of every Dockerfile `FROM` (the stages the final image is built on), "
        "compose `image:` and Kubernetes container `image:`, finds its product and release cycle in the "
        "endoflife.date data (`python:3.8` → Python 3.8, `postgres:9.6` → PostgreSQL 9.6, "
        "`mcr.microsoft.com/dotnet/aspnet:7.0` → .NET 7, `alpine:3.8` → Alpine 3.8) and reports the cycles "
        "whose end-of-life date has passed, with that date.",
        why_bad="After its end of life a runtime, OS or database gets no security fixes: every vulnerability "
        "found later stays open, and scanners stop tracking it. Upgrading then becomes a forced migration "
        "across several major versions instead of a routine bump.",
        example="FROM python:3.8-slim",
        use_instead="FROM python:3.12-slim   # a supported release cycle; track its end-of-life date",
        references=(
            "https://endoflife.date/",
            "https://cwe.mitre.org/data/definitions/1104.html",
            "https://devguide.python.org/versions/",
        ),
    ),
)


class EolImageCheck(ProjectCheck):
    name = "eol-images"
    rules = (EOL_IMAGE,)
    fact_types = (EolData, Dockerfile, ComposeProject, KubeManifest)
    config_sections = (EOL_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped]:
        data = facts.of(EolData)
        if not data:
            return
        eol = data[0]
        if eol.missing:
            if next(_images(facts), None) is not None:
                yield Skipped(eol.where, eol.missing)
            return
        for image, location in _images(facts):
            found = eol.for_image(image)
            if found is None or not eol.is_eol(found[1]):
                continue
            product, release = found
            when = release.eol.isoformat() if not isinstance(release.eol, bool) else "a date not published"
            finding = self.finding(
                EOL_IMAGE,
                f"`{image}` is {product.title} {release.cycle}, end of life since {when}",
                location,
                evidence={
                    "image": image,
                    "product": product.name,
                    "cycle": release.cycle,
                    "eol": when,
                    "latest": release.latest,
                },
                remediation=f"Move to a supported {product.title} release cycle (see https://endoflife.date/"
                f"{product.name}) and rebuild; track the cycle's end-of-life date.",
                identity=image,
            )
            yield replace(finding, group=f"eol:{product.name}:{release.cycle}")


def _images(facts: Facts) -> Iterator[tuple[str, Location]]:
    for dockerfile in facts.of(Dockerfile):
        final = dockerfile.final_stage
        used = set(dockerfile.lineage(final.index)) if final else set()
        for stage in dockerfile.stages:
            if stage.index in used and stage.external and "$" not in stage.image:
                yield stage.image, Location(dockerfile.path, stage.line, stage.line, snippet=f"FROM {stage.base}")
    seen: set[tuple[str, str]] = set()
    for project in facts.of(ComposeProject):
        for svc in project.services:
            image = svc.body.get("image")
            if isinstance(image, str) and image and "build" not in svc.body:
                path, first, last = svc.origin("image")
                if (path, svc.name) not in seen:
                    seen.add((path, svc.name))
                    yield image, Location(path, first, last, resource=f"service/{svc.name}")
    for manifest in facts.of(KubeManifest):
        for obj in manifest.objects:
            for container in obj.containers():
                if container.image:
                    yield (
                        container.image,
                        Location(manifest.path, container.line, container.line, resource=obj.resource),
                    )
