"""Next.js guards outside a wrapper: a handler that refuses every call not carrying a secret from the environment
(a bearer token, a webhook signature) is authenticated, and WEB213 leaves the URL such a caller sends alone.
Look-alikes that must not change a route: a literal token, two request values compared, a secret read but never
compared, a ``NEXT_PUBLIC_`` value, a variable that is no secret, a check inside a branch or beside ``&&``, an
equality that answers early, a length comparison, a value a call made from the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import findings_of
from code_index import tree_files, tree_indexes
from redline.checks.code.jsgo_flaws import JsGoFlawCheck
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.model import Route
from redline.sources.code.routes.nextpaths import matches_every
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.treesitter.index import index_tree_sitter

GUARDS = Path(__file__).parent / "fixtures" / "jsroutes" / "nextguards"


def _routes(root: Path) -> list[Route]:
    files = tree_files(root)
    return list(extract_routes(tree_indexes(root, files=files), ENTRYPOINTS_SECTION.defaults(), files=files).routes)


def test_a_handler_refusing_callers_without_the_environment_secret_is_authenticated() -> None:
    table = {(r.path, r.handler, r.line): (r.authenticated, r.auth_evidence, r.shared_secret) for r in _routes(GUARDS)}
    assert table == {
        ("/api/cron", "GET", 5): ("yes", ("CRON_SECRET (environment secret, line 8)",), "CRON_SECRET"),
        ("/api/lookalike/branch", "POST", 2): ("unknown", (), ""),
        ("/api/lookalike/branch", "PUT", 16): ("unknown", (), ""),
        ("/api/lookalike/derived", "GET", 2): ("unknown", (), ""),
        ("/api/lookalike/equal", "GET", 2): ("unknown", (), ""),
        ("/api/lookalike/fields", "POST", 2): ("unknown", (), ""),
        ("/api/lookalike/length", "GET", 2): ("unknown", (), ""),
        ("/api/lookalike/literal", "POST", 2): ("unknown", (), ""),
        ("/api/lookalike/public", "GET", 2): ("unknown", (), ""),
        ("/api/lookalike/region", "GET", 2): ("unknown", (), ""),
        ("/api/lookalike/unread", "POST", 2): ("unknown", (), ""),
        ("/api/webhook", "POST", 3): ("yes", ("WEBHOOK_SECRET (environment secret, line 10)",), "WEBHOOK_SECRET"),
        # a Pages Router default export written in place is read for its checks too
        ("/api/mupdf/bearer", "handler", 1): (
            "yes",
            ("INTERNAL_API_KEY (environment secret, line 2)",),
            "INTERNAL_API_KEY",
        ),
        ("/api/mupdf/convert-page", "<anonymous:3>", 3): (
            "yes",
            ("INTERNAL_API_KEY (environment secret, line 10)",),
            "INTERNAL_API_KEY",
        ),
    }


def test_ssrf_is_left_alone_where_only_a_service_holding_the_secret_is_heard() -> None:
    found = sorted((f.rule, f.location.path, f.location.start_line) for f in findings_of(GUARDS, JsGoFlawCheck()))
    assert found == [
        ("WEB213", "app/api/lookalike/literal/route.ts", 7),
        ("WEB213", "app/api/lookalike/unread/route.ts", 5),
    ]


MIDDLEWARE = Path(__file__).parent / "fixtures" / "jsroutes" / "nextmw"


def _table(case: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {f"{r.methods[0]} {r.path}": (r.authenticated, r.auth_evidence) for r in _routes(MIDDLEWARE / case)}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "nextauth-default",  # the matcher's ``:path*`` covers the folder itself and everything below it
            {
                "GET /api/admin": ("yes", ("next-auth/middleware (middleware.ts:1)",)),
                "GET /api/admin/users/[id]": ("yes", ("next-auth/middleware (middleware.ts:1)",)),
                "GET /api/public": ("unknown", ()),
            },
        ),
        (
            "withauth",  # a matcher entry with ``missing`` is skipped at the caller's choice: no guarantee
            {
                "GET /api/projects": ("unknown", ()),
                "GET /api/reports": ("yes", ("withAuth (src/middleware.ts:3)",)),
                "ANY /api/reports/[id]": ("yes", ("withAuth (src/middleware.ts:3)",)),
            },
        ),
        ("withauth-own", {"GET /api/projects": ("unknown", ())}),  # its own ``authorized`` callback lets all in
        (
            # its own callback read per path: v4 takes a response as a truthy answer (let through)
            "withauth-paths",
            {
                "GET /api/items": ("yes", ("withAuth (middleware.ts:4), authorized (middleware.ts:6)",)),
                "GET /api/legacy": ("unknown", ()),
                "GET /api/public/status": ("unknown", ()),
            },
        ),
        (
            "clerk-public",  # everything but the public list; ``/api/[slug]`` answers ``/api/webhooks`` too
            {
                "GET /api/[slug]": ("unknown", ()),
                "GET /api/files/[...path]": ("yes", ("clerkMiddleware + auth.protect (middleware.ts:7)",)),
                "GET /api/projects": ("yes", ("clerkMiddleware + auth.protect (middleware.ts:7)",)),
                "GET /api/webhooks/stripe": ("unknown", ()),
            },
        ),
        (
            "clerk-protected",  # only the protected list
            {
                "GET /api/open": ("unknown", ()),
                "GET /api/private/notes": ("yes", ("clerkMiddleware + auth.protect (src/middleware.ts:7)",)),
            },
        ),
        ("clerk-lookalikes", {"GET /api/items": ("unknown", ())}),  # ``auth()`` alone refuses nobody
        ("clerk-path-test", {"GET /api/admin": ("unknown", ()), "GET /api/items": ("unknown", ())}),
        (
            "clerk-v4",  # ``authMiddleware`` refuses every path but ``publicRoutes``
            {
                "GET /api/health": ("unknown", ()),
                "GET /api/items": ("yes", ("authMiddleware (middleware.ts:3)",)),
            },
        ),
        ("locale", {"GET /api/items": ("unknown", ())}),
        ("config-call", {"GET /api/items": ("unknown", ())}),
        (
            "session-cookie",  # a session cookie read, 401 without it, on the matcher's paths only
            {
                "GET /api/other": ("unknown", ()),
                "GET /api/private/notes": ("yes", ("req.cookies.get + NextResponse.json (middleware.ts:4)",)),
            },
        ),
        ("session-jwt", {"GET /api/app/items": ("yes", ("getToken, refused without it (middleware.ts:5)",))}),
        (
            "session-path-test",  # NextAuth's token read by the same decision rows as a handler's: a path test read
            {
                "GET /api/items": ("yes", ("getToken, refused without it (middleware.ts:8)",)),
                "GET /api/public/status": ("unknown", ()),
            },
        ),
        # ai-chatbot's proxy: a caller without a token is sent to a guest sign-in that gives anyone one
        ("v4-guest", {"GET /api/auth/guest": ("unknown", ()), "POST /api/chat": ("unknown", ())}),
        ("v4-home", {"GET /api/items": ("unknown", ())}),  # the token read only to send signed-in callers away
        ("session-redirect-home", {"GET /api/items": ("unknown", ())}),
        ("session-helper", {"GET /api/items": ("unknown", ())}),
        (
            "excludes-api",
            {"GET /api/items": ("unknown", ()), "GET /settings": ("yes", ("withAuth (middleware.ts:3)",))},
        ),
        (
            "proxy",  # Next 16's proxy.ts, no matcher: every path
            {
                "ANY /api/legacy": ("yes", ("next-auth/middleware (proxy.ts:1)",)),
                "GET /api/items": ("yes", ("next-auth/middleware (proxy.ts:1)",)),
            },
        ),
    ],
)
def test_a_middleware_that_refuses_a_path_without_a_caller_authenticates_the_routes_there(
    case: str, expected: dict[str, tuple[str, tuple[str, ...]]]
) -> None:
    assert _table(case) == expected


@pytest.mark.parametrize(
    ("pattern", "covered", "not_covered"),
    [
        ("/dashboard/:path*", ["/dashboard", "/dashboard/[id]", "/Dashboard/x"], ["/dashboards", "/api/x"]),
        ("/about/:slug+", ["/about/x", "/about/[...rest]"], ["/about"]),
        ("/(api|trpc)(.*)", ["/api/x", "/trpc", "/apis"], ["/x", "/ap"]),  # ``(.*)`` needs no slash before it
        # dub's and papermark's matchers leave /api/ to the route handlers
        ("/((?!api/|_next/|_proxy/|favicon.ico|sitemap.xml).*)", ["/", "/links/[id]"], ["/api/links", "/_next/x"]),
        # formbricks': the escaped dot is a dot
        ("/((?!_next/(?:static|image)(?:/|$)|(?:favicon\\.ico)$).*)", ["/api/v1/x", "/favicon-ico"], ["/favicon.ico"]),
        # a group this reader is not sure of covers nothing
        ("/{api}/x", [], ["/api/x"]),
        ("/api/(unbalanced", [], ["/api/(unbalanced"]),
    ],
)
def test_matcher_patterns_are_read_as_path_to_regexp_reads_them(
    pattern: str, covered: list[str], not_covered: list[str]
) -> None:
    assert [p for p in covered + not_covered if matches_every(pattern, p)] == covered


def test_the_index_keeps_the_matcher_as_next_reads_it() -> None:
    source = (
        "export const config = {\n"
        '  runtime: "nodejs",\n'
        "  matcher: [\n"
        '    "/((?!_next|favicon\\\\.ico).*)",\n'
        '    { source: "/api/:path*" },\n'
        '    { source: "/app/:path*", missing: [{ type: "header", key: "next-router-prefetch" }] },\n'
        "    PATHS,\n"
        "  ],\n"
        "};\n"
    )
    index = index_tree_sitter("middleware.ts", source.encode(), "typescript")
    found = [(a.line, a.values) for a in index.assignments if a.name == "config.matcher"]
    assert found == [(3, ("/((?!_next|favicon\\.ico).*)", "/api/:path*", "?", "?"))]
    shorthand = index_tree_sitter("middleware.ts", b"export const config = { matcher };\n", "typescript")
    assert [a.values for a in shorthand.assignments if a.name == "config.matcher"] == [("?",)]
