"""The project's entry points, derived once from every module's code index."""

from __future__ import annotations

from redline.sources.code.inventory_cache import inventory_key, load_inventory, store_inventory
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import RouteInventory, extract_routes, routing_configs
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
        files = routing_configs(f.path for f in ctx.files)
        indexes, descriptors = ctx.facts.of(CodeIndex), ctx.facts.of(WebDescriptor)
        aliases = aliases_of(ctx.facts.of(PathAliases))
        key = inventory_key(indexes, settings, aliases, descriptors, files)
        inventory = load_inventory(key) if key else None
        if inventory is None:
            # imports through tsconfig ``paths`` aliases named by the module they reach, for the routers they mount
            inventory = extract_routes(with_aliases(indexes, aliases), settings, descriptors, files)
            if key:
                store_inventory(key, inventory)
        return ProjectOutput([inventory], [], [])
