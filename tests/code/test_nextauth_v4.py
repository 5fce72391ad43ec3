"""NextAuth v4's ``getServerSession``/``getToken`` read in a Next.js handler is a guard only when the handler refuses
a caller without the session (a 401/403, a redirect to sign-in, a throw; a 405, a 429 or nothing at all for the
methods it does not answer),
read by the same decision rows as v5's ``authorized`` callback and the project's ``auth()``. Look-alikes that only
read the token: ai-chatbot's guest sign-in (signed-in callers sent home), a redirect to a sign-in that gives anyone a
session, personalising, logging, a refusal in one method's branch while another answers anyone, a throw a ``catch``
swallows."""

from __future__ import annotations

import time
from pathlib import Path

from audit_helpers import audit_catalogue
from code_index import tree_files, tree_indexes
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.treesitter.index import index_tree_sitter

FIXTURE = Path(__file__).parent / "fixtures" / "jsroutes" / "nextv4"


def test_a_session_read_guards_a_route_only_where_the_handler_refuses_without_it() -> None:
    files = tree_files(FIXTURE)
    routes = extract_routes(tree_indexes(FIXTURE, files=files), ENTRYPOINTS_SECTION.defaults(), files=files).routes
    table = {(r.methods[0], r.path, r.handler, r.line): (r.authenticated, r.auth_evidence) for r in routes}
    assert table == {
        # refuses: 401, a redirect to sign-in, a throw, 401 inside a try
        ("GET", "/api/refuse", "GET", 5): ("yes", ("getServerSession",)),
        ("GET", "/api/signin", "GET", 4): ("yes", ("getToken",)),
        ("POST", "/api/throws", "POST", 4): ("yes", ("getServerSession",)),
        ("GET", "/api/workflows", "GET", 6): ("yes", ("getServerSession",)),
        # Pages Router: a read in each method's branch with 405 for the rest; a refusal sent, then ``return``
        ("ANY", "/api/teams/[teamId]", "handle", 6): ("yes", ("getServerSession",)),
        ("ANY", "/api/upload", "handler", 6): ("yes", ("getServerSession",)),
        ("ANY", "/api/invite", "handle", 6): ("yes", ("getServerSession",)),  # other methods: nothing done
        ("ANY", "/api/accept", "handle", 6): ("yes", ("getServerSession",)),  # ``res.redirect("/login…")``
        ("ANY", "/api/billing", "handle", 7): ("yes", ("getServerSession",)),  # a 429 before the read
        ("ANY", "/api/docs/[docId]", "handler", 7): ("yes", ("getServerSession",)),
        # only read: guest sign-in, a redirect that signs anyone in, personalising, logging, one branch, a caught throw
        ("GET", "/api/guest", "GET", 6): ("unknown", ()),
        ("GET", "/api/guest-redirect", "GET", 5): ("unknown", ()),
        ("GET", "/api/profile", "GET", 5): ("unknown", ()),
        ("POST", "/api/log", "POST", 4): ("unknown", ()),
        ("ANY", "/api/mixed", "handler", 6): ("unknown", ()),
        ("ANY", "/api/previews/[docId]", "handler", 7): ("unknown", ()),
        ("POST", "/api/workflows", "POST", 21): ("unknown", ()),
        ("GET", "/api/unsent", "GET", 6): ("unknown", ()),  # a 401 made, never returned
    }


def test_no_web_finding_follows_from_the_session_reads() -> None:
    """Next.js routes are never ``no``, so WEB101/WEB102 stay quiet either way; WEB105 does not read a Pages Router
    id from ``req.query`` (``docs/[docId]`` loads by it unchecked): the audit of the fixture has no WEB finding."""
    result = audit_catalogue(FIXTURE, select=("WEB",))
    assert not result.errors
    assert sorted((f.rule.code, f.location.path, f.location.start_line) for f in result.findings) == []


def test_a_handler_too_branched_to_read_is_unknown_and_read_quickly() -> None:
    """Each test the run cannot read doubles the ways through: values chosen by ``||`` in a row (papermark's
    ``app/api/views-dataroom/route.ts``) ran for minutes before the bound."""
    chosen = "\n".join(f"  const v{i} = v{i - 1} || other{i}(req);" for i in range(1, 30))
    source = (
        'import { getServerSession } from "next-auth/next";\n'
        "export async function POST(req: Request) {\n"
        "  const session = await getServerSession();\n"
        "  const v0 = other0(req);\n"
        f"{chosen}\n"
        "  if (v29 && !session) return new Response(null, { status: 401 });\n"
        "  return Response.json({});\n"
        "}\n"
    )
    started = time.monotonic()
    index = index_tree_sitter("app/api/x/route.ts", source.encode(), "typescript")
    assert time.monotonic() - started < 5
    assert index.session_decisions == (("POST", "getServerSession", 3, (((), "unknown"),)),)
