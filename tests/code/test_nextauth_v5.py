"""NextAuth v5 (Auth.js) as a Next.js middleware: ``auth`` followed to the ``NextAuth(config)`` call that made it,
the config to its ``authorized`` callback (in place, or spread from a third module), and the paths the callback
refuses without a session. Look-alikes that must leave routes as they were: a callback that lets everyone
through, no callback at all, a wrapped middleware that only sets headers (or refuses only some paths), a matcher
that excludes the route, a callback deciding through a helper, NextAuth's own endpoints."""

from __future__ import annotations

from pathlib import Path

import pytest

from code_index import tree_files, tree_indexes
from redline.core.workspace import SourceFile
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.nextdecision import outcomes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.treesitter.index import index_tree_sitter
from redline.sources.code.tspaths import read_aliases, with_aliases

MIDDLEWARE = Path(__file__).parent / "fixtures" / "jsroutes" / "nextmw"


def _table(case: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    root = MIDDLEWARE / case
    files = tree_files(root)
    configs = [SourceFile(f, str(root / f), "json", (root / f).stat().st_size) for f in files if f.endswith(".json")]
    aliases, unread = read_aliases(configs)
    assert unread == []
    indexes = with_aliases(tree_indexes(root, files=files), aliases)
    routes = extract_routes(indexes, ENTRYPOINTS_SECTION.defaults(), files=files).routes
    return {f"{r.methods[0]} {r.path}": (r.authenticated, r.auth_evidence) for r in routes}


REEXPORT = ("NextAuth authorized (src/auth.config.ts:7) in middleware.ts",)
PATHS = ("NextAuth authorized (auth.config.ts:7) in middleware.ts",)
WRAPPED = ("NextAuth auth(…) (middleware.ts:4), authorized (auth.ts:6)",)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            # ``export { auth as middleware } from "@/auth"``; ``authorized`` spread in from auth.config.ts
            "v5-reexport",
            {
                "GET /api/items": ("yes", REEXPORT),
                "GET /api/items/[id]": ("yes", REEXPORT),
                "GET /api/auth/[...nextauth]": ("unknown", ()),  # NextAuth's own endpoints
                "POST /api/auth/[...nextauth]": ("unknown", ()),
                "GET /hooks/deploy": ("unknown", ()),  # outside the matcher
                # the handler reads the session through the project's ``auth`` (v4's getServerSession)
                "POST /hooks/session": ("yes", ("auth",)),
                "POST /hooks/firebase": ("unknown", ()),  # firebase-admin's ``auth()`` is no session
                "GET /hooks/forward": ("unknown", ()),  # reads the session to forward a token, refuses nobody
            },
        ),
        (
            # next-learn's form: only /api/admin refuses, and not its public list
            "v5-paths",
            {
                "GET /api/admin/users": ("yes", PATHS),
                "GET /api/admin/users/[id]": ("yes", PATHS),
                # answers /api/admin/status too (no static route takes it), which the public list lets through
                "GET /api/admin/[id]": ("unknown", ()),
                "GET /api/admin/health": ("unknown", ()),
                "GET /api/public": ("unknown", ()),
                "GET /api/[slug]": ("unknown", ()),  # answers /api/admin too, and /api/x
            },
        ),
        ("v5-always-true", {"GET /api/items": ("unknown", ())}),
        ("v5-no-callback", {"GET /api/items": ("unknown", ())}),
        (
            # a falsy ``authorized`` lets a wrapped middleware run; it refuses /api/private itself
            "v5-wrapped",
            {"GET /api/private/notes": ("yes", WRAPPED), "GET /api/open": ("unknown", ())},
        ),
        ("v5-headers", {"GET /api/items": ("unknown", ())}),
        (
            "v5-excludes",
            {
                "GET /api/items": ("unknown", ()),
                "GET /reports": ("yes", ("NextAuth authorized (auth.ts:6) in middleware.ts",)),
            },
        ),
        ("v5-helper", {"GET /api/items": ("unknown", ())}),
    ],
)
def test_nextauth_v5_middleware_authenticates_the_paths_its_callback_refuses(
    case: str, expected: dict[str, tuple[str, tuple[str, ...]]]
) -> None:
    assert _table(case) == expected


def _rows(callback: str) -> object:
    source = (
        f'import NextAuth from "next-auth";\nexport const {{ auth }} = NextAuth({{ callbacks: {{ {callback} }} }});\n'
    )
    index = index_tree_sitter("auth.ts", source.encode(), "typescript")
    return next(f.rows for f in index.nextauth if f.kind == "config")


@pytest.mark.parametrize(
    ("callback", "rows"),
    [
        ("authorized: ({ auth }) => !!auth", (((), "deny"),)),
        ("authorized: ({ auth }) => Boolean(auth?.user)", (((), "deny"),)),
        # ``auth.user`` throws when there is no session: not read as a refusal
        ("authorized({ auth }) { return !!auth.user; }", ((("?",), "allow"), (("?",), "deny"))),
        ("authorized() { return NextResponse.next(); }", (((), "pass"),)),
        ("authorized() { throw new Error('x'); }", (((), "unknown"),)),
        ("authorized({ auth }) { if (auth) return true; }", (((), "deny"),)),  # falling off the end: undefined
        (
            "authorized({ auth, request }) { return auth?.user?.role === 'admin' || "
            "request.nextUrl.pathname.startsWith('/api/public'); }",
            ((("startsWith:/api/public",), "allow"), (("!startsWith:/api/public",), "deny")),
        ),
        (
            "authorized: ({ auth, request: { nextUrl } }) => "
            "['/a', '/b'].some((p) => nextUrl.pathname.startsWith(p)) ? true : !!auth",
            (
                (("startsWith:/a",), "allow"),
                (("!startsWith:/a", "startsWith:/b"), "allow"),
                (("!startsWith:/a", "!startsWith:/b"), "deny"),
            ),
        ),
        # a test of the method is no test of the path: either way may hold
        (
            "authorized({ auth, request }) { if (request.method === 'GET') return true; return !!auth; }",
            ((("?",), "allow"), (("?",), "deny")),
        ),
        ("authorized: checkAccess", (((), "unknown"),)),  # a function this module does not define
        ("session: ({ session }) => session", None),  # callbacks without ``authorized``
    ],
)
def test_the_authorized_callback_is_read_for_a_caller_without_a_session(callback: str, rows: object) -> None:
    assert _rows(callback) == rows


def test_nextauth_route_handlers_destructured_from_handlers_are_exported() -> None:
    source = 'import { handlers } from "@/auth";\nexport const { GET, POST: post } = handlers;\n'
    index = index_tree_sitter("route.ts", source.encode(), "typescript")
    assert [(a.name, a.line, a.values) for a in index.assignments] == [
        ("exports.GET", 2, ("handlers.GET",)),
        ("exports.post", 2, ("handlers.POST",)),
    ]


def test_a_handler_refusing_without_the_session_it_read_is_recorded() -> None:
    source = (
        'import { auth } from "@/auth";\n'
        "export async function GET() {\n"
        "  const session = await auth();\n"
        '  if (!session?.user) return Response.json({ error: "no" }, { status: 401 });\n'
        "  return Response.json({});\n"
        "}\n"
        "export async function POST() {\n"  # answers an empty list: no refusal
        "  const session = await auth();\n"
        "  if (!session) return Response.json([]);\n"
        "  return Response.json({});\n"
        "}\n"
        "export const DELETE = async () => {\n"
        "  const session = await auth();\n"
        '  if (!session) redirect("/login");\n'  # next/navigation's redirect throws
        "  return Response.json({});\n"
        "};\n"
        "export async function PUT() {\n"  # checked only in one branch of the method's work
        "  const session = await auth();\n"
        "  if (process.env.LOCKED && !session) return new Response(null, { status: 403 });\n"
        "  return Response.json({});\n"
        "}\n"
    )
    index = index_tree_sitter("app/api/x/route.ts", source.encode(), "typescript")
    decided = {(fn, callee, at): outcomes(rows, "/api/x") for fn, callee, at, rows in index.session_decisions}
    assert decided == {
        ("GET", "auth", 3): {"refuse"},
        ("POST", "auth", 8): {"other"},
        ("DELETE", "auth", 13): {"refuse"},
        ("PUT", "auth", 18): {"refuse", "other"},
    }
    pages = (
        'import { getSession } from "next-auth/react";\n'
        "export default async function handler(req, res) {\n"
        "  const session = await getSession({ req });\n"
        "  if (!session) return res.status(401).json({});\n"
        "  res.status(200).json({});\n"
        "}\n"
    )
    index = index_tree_sitter("pages/api/me.ts", pages.encode(), "typescript")
    assert index.session_decisions == (("handler", "getSession", 3, (((), "refuse"),)),)
    # only route files and middlewares are read
    assert index_tree_sitter("lib/x.ts", source.encode(), "typescript").session_decisions == ()


def test_a_wrapped_middleware_is_read_only_where_next_runs_one() -> None:
    source = (
        'import { auth } from "./auth";\n'
        "export default auth((req) => {\n"
        '  if (!req.auth) return Response.redirect("/login");\n'
        "});\n"
    )
    middleware = index_tree_sitter("src/middleware.ts", source.encode(), "typescript")
    assert [(f.kind, f.name, f.line, f.binds, f.rows) for f in middleware.nextauth] == [
        ("wrapped", "auth", 2, ("default",), (((), "respond"),))
    ]
    assert index_tree_sitter("src/pages/index.ts", source.encode(), "typescript").nextauth == ()
