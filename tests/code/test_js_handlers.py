"""Cross-file and factory JavaScript/TypeScript handlers: a route naming a controller's member, a named or
default import, a factory call (the function it returns) or a wrapper (the handler it is given) is resolved to
the real body in the other module, so handler rules (LAT200, WEB210-213) judge that body and name the route.
Look-alikes: the factory's own body (runs once, at start-up), the wrapper's body, a member of a package that
is not the project's."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.jsgo_flaws import JsGoFlawCheck
from redline.checks.latency.node_sync import NodeSyncIoCheck
from redline.core.filekinds import kind_of
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.routes import Route, extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.source import CodeIndexSource

FIXTURES = Path(__file__).parent / "fixtures" / "jshandlers"


def _routes() -> dict[tuple[str, str], Route]:
    source = CodeIndexSource()
    indexes = []
    for path in sorted(FIXTURES.rglob("*")):
        rel = path.relative_to(FIXTURES).as_posix()
        file = SourceFile(rel, str(path), kind_of(rel), path.stat().st_size)
        if path.is_file() and source.wants(file):
            indexes.append(source.parse(read_file(file)))
    return {(r.methods[0], r.path): r for r in extract_routes(indexes, ENTRYPOINTS_SECTION.defaults()).routes}


def test_handlers_resolve_to_the_function_in_the_other_module() -> None:
    routes = _routes()
    resolved = {key: (r.handler, r.handler_path) for key, r in routes.items()}
    assert resolved == {
        ("GET", "/users"): ("list", "cjs/controllers/users.js"),  # require()'d module's member
        ("GET", "/users/:id"): ("show", "cjs/controllers/users.js"),
        ("GET", "/search"): ("search.<anonymous:5>", "cjs/controllers/search.js"),  # module.exports = function
        ("DELETE", "/users/:id"): ("makeRemove.remove", "cjs/controllers/users.js"),  # makeRemove(db)
        ("GET", "/local"): ("local", "cjs/app.js"),
        ("GET", "/lib"): ("list", "cjs/app.js"),  # a package's member: not the project's controller
        ("GET", "/wrapped"): ("show", "cjs/controllers/users.js"),  # lib.wrap(users.show)
        ("GET", "/download"): ("download", "esm/routes/files.mjs"),  # import * as files
        ("GET", "/report"): ("report.<anonymous:8>", "esm/routes/files.mjs"),  # export default function report
        ("GET", "/rest/products/search"): ("searchProducts.<anonymous:6>", "ts/routes/search.ts"),  # wrapper
    }
    assert all(r.file.endswith(("app.js", "app.mjs", "server.ts")) for r in routes.values())


def test_handler_rules_fire_in_the_real_body_only() -> None:
    found = findings_of(FIXTURES, NodeSyncIoCheck(), JsGoFlawCheck())
    assert sorted((f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in found) == [
        ("LAT200", "cjs/controllers/search.js", 6, "GET /search"),  # not line 4: the factory's own body
        ("LAT200", "cjs/controllers/users.js", 4, "GET /users"),
        ("LAT200", "cjs/controllers/users.js", 9, "GET /users/:id"),  # not line 13: makeRemove's body
        ("LAT200", "esm/routes/files.mjs", 4, "GET /download"),
        ("LAT200", "esm/routes/files.mjs", 9, "GET /report"),
        ("LAT200", "ts/routes/search.ts", 9, "GET /rest/products/search"),
        ("WEB210", "cjs/controllers/users.js", 15, "DELETE /users/:id"),
        ("WEB210", "ts/routes/search.ts", 8, "GET /rest/products/search"),
        ("WEB212", "cjs/controllers/users.js", 9, "GET /users/:id"),
        ("WEB212", "esm/routes/files.mjs", 4, "GET /download"),
    ]
