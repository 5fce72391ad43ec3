"""The project's entry points, derived once from every module's code index."""

from __future__ import annotations

from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import RouteInventory, extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.tspaths import PathAliases, aliases_of, with_aliases
from redline.sources.code.webxml import WebDescriptor
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource


class EntryPointsSource(ProjectSource):
    name = "entry points"
    produces = RouteInventory
    needs = (CodeIndex, WebDescriptor, PathAliases)

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        settings = ctx.config.settings(ENTRYPOINTS_SECTION)
        files = [f.path for f in ctx.files]
        # imports through tsconfig ``paths`` aliases named by the module they reach, for the routers they mount
        indexes = with_aliases(ctx.facts.of(CodeIndex), aliases_of(ctx.facts.of(PathAliases)))
        return ProjectOutput([extract_routes(indexes, settings, ctx.facts.of(WebDescriptor), files)], [], [])
