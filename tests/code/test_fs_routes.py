"""SvelteKit endpoints (``src/routes/**/+server.ts``) and Nuxt/Nitro server routes (``server/api/**``,
``server/routes/**``) under each folder holding their config: URL, method, handler, line and guards as the
frameworks read them. Look-alikes: pages and form actions, a ``+server.ts`` outside the routes folder, a module
beside the endpoints, a server folder no config holds, middleware, utilities, tests and files Nuxt ignores."""

from __future__ import annotations

from pathlib import Path

from code_index import route_rows, tree_files, tree_indexes
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION

FIXTURES = Path(__file__).parent / "fixtures" / "jsroutes"


def table(app: str) -> list[tuple[str, ...]]:
    root = FIXTURES / app
    files = tree_files(root)
    routes = extract_routes(tree_indexes(root, files=files), ENTRYPOINTS_SECTION.defaults(), files=files).routes
    rows: list[tuple[str, ...]] = route_rows(routes)
    return rows


def test_sveltekit_endpoints_one_route_per_exported_method() -> None:
    api = "src/routes/(api)/api/v4/incidents"
    assert table("kitapp") == [
        # a group ``(api)`` adds nothing to the URL; ``hooks.server.ts`` is not followed: unknown
        ("sveltekit", "GET", "/api/v4/incidents", "GET", f"{api}/+server.ts:4", "unknown", "unknown"),
        ("sveltekit", "POST", "/api/v4/incidents", "POST", f"{api}/+server.ts:9", "unknown", "unknown"),
        # a check the handler calls itself guards it; the other method of the file stays unknown
        (
            "sveltekit",
            "PATCH",
            "/api/v4/incidents/[incident_id]",
            "PATCH",
            f"{api}/[incident_id]/+server.ts:5",
            "yes",
            "unknown",
        ),
        (
            "sveltekit",
            "DELETE",
            "/api/v4/incidents/[incident_id]",
            "DELETE",
            f"{api}/[incident_id]/+server.ts:10",
            "unknown",
            "unknown",
        ),
        # ``export { handler as GET }``
        ("sveltekit", "GET", "/api/export", "handler", "src/routes/api/export/+server.js:1", "unknown", "unknown"),
        # ``fallback`` answers every method the file exports none for
        ("sveltekit", "ANY", "/api/hooks", "fallback", "src/routes/api/hooks/+server.ts:3", "unknown", "unknown"),
        (
            "sveltekit",
            "GET",
            "/docs/raw/[...slug].md",
            "GET",
            "src/routes/docs/raw/[...slug].md/+server.ts:1",
            "unknown",
            "unknown",
        ),
    ]


def test_nuxt_and_nitro_server_routes_by_file_name() -> None:
    assert table("nuxtapp") == [
        # a standalone Nitro app: ``api/`` and ``routes/`` beside its nitro.config.ts
        ("nuxt", "GET", "/api/hello", "<anonymous:1>", "nitro/api/hello.get.ts:1", "unknown", "unknown"),
        ("nuxt", "ANY", "/", "<anonymous:1>", "nitro/routes/index.ts:1", "unknown", "unknown"),
        # ``requireAdmin(event)`` in the handler: authenticated and authorized
        ("nuxt", "PUT", "/api/admin/users/[id]", "<anonymous:3>", "server/api/admin/users/[id].put.ts:3", "yes", "yes"),
        # server/middleware/auth.ts is not followed: unknown, never no
        ("nuxt", "POST", "/api/link/create", "<anonymous:2>", "server/api/link/create.post.ts:2", "unknown", "unknown"),
        ("nuxt", "GET", "/api/link", "<anonymous:1>", "server/api/link/index.get.ts:1", "unknown", "unknown"),
        ("nuxt", "ANY", "/api/location", "<anonymous:1>", "server/api/location.ts:1", "unknown", "unknown"),
        (
            "nuxt",
            "POST",
            "/api/teams/[slug]/projects",
            "<anonymous:1>",
            "server/api/teams/[slug]/projects/index.post.ts:1",
            "yes",
            "unknown",
        ),
        # server/routes/ answers without /api; an OAuth helper's handler is the sign-in flow, not a guard
        ("nuxt", "GET", "/auth/github", "default", "server/routes/auth/github.get.ts:2", "unknown", "unknown"),
        ("nuxt", "ANY", "/sitemap.xml", "<anonymous:1>", "server/routes/sitemap.xml.ts:1", "unknown", "unknown"),
    ]
