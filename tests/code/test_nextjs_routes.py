"""Next.js file-system routes: App Router route handlers and Pages Router API routes under each folder holding a
``next.config.*``, with route groups, slots and private folders read as Next.js reads them, and a wrapper's name or
auth module as the guard. Look-alikes: a module named ``route.ts`` outside ``app/``, an ``app/`` folder no Next.js
project holds, a private folder's handler."""

from __future__ import annotations

from pathlib import Path

from code_index import tree_files, tree_indexes
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.model import Route
from redline.sources.code.routes.nextjs import next_roots
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION

APP = Path(__file__).parent / "fixtures" / "jsroutes" / "nextapp"


def _files() -> list[str]:
    files: list[str] = tree_files(APP)
    return files


def _indexes() -> list[CodeIndex]:
    found: list[CodeIndex] = tree_indexes(APP)
    return found


def _routes(files: list[str]) -> list[Route]:
    return list(extract_routes(_indexes(), ENTRYPOINTS_SECTION.defaults(), files=files).routes)


def test_route_handlers_and_api_routes_with_their_urls_methods_and_lines() -> None:
    table = [
        (",".join(r.methods), r.path, r.handler, f"{r.file}:{r.line}", r.authenticated, r.authorized)
        for r in _routes(_files())
    ]
    assert table == [
        ("GET", "/api/search", "GET", "apps/docs/app/api/search/route.js:1", "unknown", "unknown"),
        ("GET", "/about", "GET", "src/app/(marketing)/about/route.ts:1", "unknown", "unknown"),
        ("GET", "/photo", "GET", "src/app/@modal/photo/route.ts:1", "unknown", "unknown"),
        # ``export { handler as GET, handler as POST }``: the handler NextAuth made, at the export
        (
            "GET",
            "/api/auth/[...nextauth]",
            "handler",
            "src/app/api/auth/[...nextauth]/route.ts:6",
            "unknown",
            "unknown",
        ),
        (
            "POST",
            "/api/auth/[...nextauth]",
            "handler",
            "src/app/api/auth/[...nextauth]/route.ts:6",
            "unknown",
            "unknown",
        ),
        # ``export const GET = ping``: the function's own line
        # a cache's ``getSession`` is not NextAuth's
        ("POST", "/api/cache", "POST", "src/app/api/cache/route.ts:4", "unknown", "unknown"),
        ("GET", "/api/health", "ping", "src/app/api/health/route.ts:1", "unknown", "unknown"),
        ("HEAD", "/api/health", "ping", "src/app/api/health/route.ts:1", "unknown", "unknown"),
        # a wrapper from an auth module authenticates; one named for admins authorizes; a logger decides nothing
        ("DELETE", "/api/links/[linkId]", "DELETE", "src/app/api/links/[linkId]/route.ts:5", "yes", "unknown"),
        ("PATCH", "/api/links/[linkId]", "PATCH", "src/app/api/links/[linkId]/route.ts:9", "yes", "yes"),
        ("PUT", "/api/links/[linkId]", "PUT", "src/app/api/links/[linkId]/route.ts:13", "unknown", "unknown"),
        # the handler reads the session itself (NextAuth) and refuses without it, or calls a guard named for admins
        ("GET", "/api/me", "GET", "src/app/api/me/route.ts:4", "yes", "unknown"),
        ("DELETE", "/api/me", "DELETE", "src/app/api/me/route.ts:10", "yes", "yes"),
        # ``export { GET, POST } from "../route"``: another file's handlers under this URL
        ("GET", "/api/users/legacy", "../route.GET", "src/app/api/users/legacy/route.ts:1", "unknown", "unknown"),
        ("POST", "/api/users/legacy", "../route.POST", "src/app/api/users/legacy/route.ts:1", "unknown", "unknown"),
        ("GET", "/api/users", "GET", "src/app/api/users/route.ts:4", "unknown", "unknown"),
        ("POST", "/api/users", "POST", "src/app/api/users/route.ts:8", "unknown", "unknown"),
        ("ANY", "/api/hello", "handler", "src/pages/api/hello.ts:3", "unknown", "unknown"),
        ("ANY", "/api/items", "default", "src/pages/api/items/index.ts:1", "unknown", "unknown"),
    ]


def test_the_guard_evidence_names_the_wrapper_its_module_or_the_call() -> None:
    routes = _routes(_files())
    by_method = {r.methods[0]: r for r in routes if r.path == "/api/links/[linkId]"}
    assert by_method["DELETE"].auth_evidence == ("withWorkspace (@/lib/auth)",)
    assert by_method["PATCH"].authz_evidence == ("withAdmin",)
    me = {r.methods[0]: r for r in routes if r.path == "/api/me"}
    assert me["GET"].auth_evidence == ("getServerSession",)
    assert me["DELETE"].authz_evidence == ("requireAdmin",)


def test_without_a_next_config_nothing_is_a_nextjs_route() -> None:
    assert [r for r in _routes([f for f in _files() if "next.config" not in f]) if r.framework == "nextjs"] == []


def test_the_deepest_next_project_holds_a_file() -> None:
    assert next_roots(["next.config.mjs", "apps/docs/next.config.js", "apps/docs/README.md"]) == ["apps/docs", ""]
