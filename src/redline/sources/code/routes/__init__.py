"""Entry points: every HTTP route of the project's web frameworks (Python, JavaScript/TypeScript), with its guards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import aiohttp, django, fastapi, flask
from redline.sources.code.routes.aiohttp import aiohttp_routes
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.django import django_routes
from redline.sources.code.routes.express import express_routes
from redline.sources.code.routes.fastapi import fastapi_routes
from redline.sources.code.routes.fastify import fastify_routes
from redline.sources.code.routes.flask import flask_routes
from redline.sources.code.routes.goroutes import go_routes
from redline.sources.code.routes.koa import koa_routes
from redline.sources.code.routes.model import Route, RouteInventory, routes_by_handler
from redline.sources.code.routes.nestjs import nestjs_routes
from redline.sources.code.routes.nextjs import CONFIG_NAMES as NEXT_CONFIGS
from redline.sources.code.routes.nextjs import nextjs_routes
from redline.sources.code.routes.nuxt import NITRO_CONFIGS, NUXT_CONFIGS, nuxt_routes
from redline.sources.code.routes.servlets import container_guarded, mounted, servlet_routes
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.routes.spring import spring_routes
from redline.sources.code.routes.springfn import spring_fn_routes
from redline.sources.code.routes.sveltekit import CONFIG_NAMES as SVELTE_CONFIGS
from redline.sources.code.routes.sveltekit import sveltekit_routes
from redline.sources.code.webxml import WebDescriptor

__all__ = ["Route", "RouteInventory", "extract_routes", "routes_by_handler"]

_EXTRACTORS = (
    flask_routes,
    fastapi_routes,
    django_routes,
    aiohttp_routes,
    express_routes,
    nestjs_routes,
    koa_routes,
    fastify_routes,
    go_routes,
    spring_routes,
    spring_fn_routes,
)
#: every call the extractors look up by target or callee ending, found in one pass
_WANTED = flask.WANTED | fastapi.WANTED | django.WANTED | aiohttp.WANTED


#: the file names that mark a project whose routes are its files: all ``extract_routes`` reads of the walk's paths
_ROUTING_CONFIGS = NEXT_CONFIGS | SVELTE_CONFIGS | NUXT_CONFIGS | NITRO_CONFIGS


def routing_configs(files: Iterable[str]) -> list[str]:
    """The walk's paths ``extract_routes`` reads: the Next.js, SvelteKit, Nuxt and Nitro config files."""
    return [f for f in files if f.rpartition("/")[2] in _ROUTING_CONFIGS]


def extract_routes(
    indexes: Sequence[CodeIndex],
    settings: EntrypointSettings,
    descriptors: Sequence[WebDescriptor] = (),
    files: Sequence[str] = (),
) -> RouteInventory:
    """Every route of the code indexes, of the servlets ``web.xml`` descriptors declare, and of the Next.js,
    SvelteKit and Nuxt/Nitro projects among ``files`` (the walk's paths: a ``next.config.*``, ``svelte.config.*``,
    ``nuxt.config.*`` or ``nitro.config.*`` marks one)."""
    project = Project(sorted(indexes, key=lambda i: i.path), wanted=_WANTED)
    found = [r for extractor in _EXTRACTORS for r in extractor(project, settings)]
    found += nextjs_routes(project, settings, files)
    found += sveltekit_routes(project, settings, files)
    found += nuxt_routes(project, settings, files)
    found += servlet_routes(project, sorted(descriptors, key=lambda d: d.path), settings)
    if descriptors:
        found = container_guarded(mounted(found, descriptors), descriptors, settings)
    routes = {(r.file, r.line, r.path, r.methods): r for r in found}
    return RouteInventory(tuple(sorted(routes.values(), key=lambda r: (r.file, r.line, r.path))))
