"""WEB210-213 over an Express module and a net/http + gin module: the exact lines of the true positives;
look-alikes (placeholders with values apart, parsed numbers, execFile/spawn with an argument list, a root
option, a base name, a checked path, a URL built after a fixed host, one-segment Go path parameters, table and
column names validated before the SQL) stay silent, and WEB201/202 no longer judge JavaScript or Go."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.flaws import CodeFlawCheck
from redline.checks.code.jsgo_flaws import JsGoFlawCheck
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "jsgo"


def _findings(root: Path = FIXTURES) -> list[Finding]:
    return list(findings_of(root, JsGoFlawCheck(), CodeFlawCheck()))


def test_each_rule_fires_exactly_at_its_lines() -> None:
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in _findings()) == [
        ("WEB210", "app.js", 13),
        ("WEB210", "app.js", 32),
        ("WEB210", "app.js", 33),
        ("WEB210", "main.go", 20),
        ("WEB210", "main.go", 22),
        ("WEB210", "main.go", 34),
        ("WEB210", "main.go", 47),
        ("WEB210", "main.go", 49),
        # a second value the SQL reads is left unchecked (40), the check comes after the query (45); the validated
        # table names of lines 23 and 31 stay silent
        ("WEB210", "tables.go", 40),
        ("WEB210", "tables.go", 45),
        ("WEB210", "tables.js", 22),  # the value is not checked; line 12's column is matched against a pattern
        ("WEB211", "app.js", 21),
        ("WEB211", "app.js", 22),
        ("WEB211", "app.js", 40),
        ("WEB211", "main.go", 26),
        ("WEB212", "app.js", 24),
        ("WEB212", "app.js", 25),
        ("WEB212", "main.go", 28),
        ("WEB212", "main.go", 29),
        # a file named in the entry the request's key picks (81, 82: semaphore's OIDC providers) is the server's;
        # an element of request data is still request data
        ("WEB212", "main.go", 84),
        # filebrowser's branding files: ``http.ServeFile`` refuses a ``..`` in ``r.URL.Path`` (88 silent); ``os.Open``
        # does not (89), and a form value joined after the URL path is still the caller's to pick (90, 92)
        ("WEB212", "main.go", 89),
        ("WEB212", "main.go", 90),
        ("WEB212", "main.go", 92),
        ("WEB212", "store.go", 28),  # the pattern checked another value; storeRead's checked one is silent (18)
        ("WEB213", "app.js", 29),
        ("WEB213", "app.js", 31),
        ("WEB213", "main.go", 30),
        ("WEB213", "main.go", 63),  # the request picks the whole URL, a suffix added
        ("WEB213", "main.go", 65),  # after a bare scheme: the request picks the host
        ("WEB213", "oauth.js", 14),  # the options' url; line 10 sends the request value in the body only
    ]  # silent at 67, 69, 71: after a configured base, a fixed origin, a path (it cannot pick the host)


def test_findings_name_the_route_the_path_and_a_fix_in_the_files_language() -> None:
    by_line = {(f.location.path, f.location.start_line): f for f in _findings()}
    js_sql = by_line[("app.js", 13)]
    assert js_sql.message.endswith("reachable from GET /users")
    assert js_sql.evidence["flow"] == "req.query -> name -> pool.query(arg 0)"
    assert "[name]" in (js_sql.remediation or "")
    go_sql = by_line[("main.go", 20)]
    assert go_sql.evidence["flow"] == "r.query -> q -> name -> db.Query(arg 0)"
    assert "db.Query(" in (go_sql.remediation or "") and "Sprintf" in (go_sql.remediation or "")
    assert "execFile" in (by_line[("app.js", 21)].remediation or "")
    assert by_line[("main.go", 26)].evidence["flow"] == "r.query -> name -> exec.Command(arg 2)"
    assert by_line[("app.js", 24)].message.endswith("reachable from POST /run")
    # the table was validated, the column was not: the evidence names the value left unchecked
    assert by_line[("tables.go", 40)].evidence["unchecked"] == "column"
    assert "unchecked" not in by_line[("tables.go", 45)].evidence  # no check before the query at all


def test_python_wording_rules_leave_javascript_sql_to_web210(tmp_path: Path) -> None:
    (tmp_path / "db.js").write_text(
        "const knex = require('knex')();\n"
        "module.exports = (req, res) => knex.raw(`SELECT * FROM t WHERE a = '${req.query.a}'`);\n"
    )
    assert [(f.rule, f.location.start_line) for f in _findings(tmp_path)] == [("WEB210", 2)]


def test_nothing_fires_without_a_request_value(tmp_path: Path) -> None:
    (tmp_path / "jobs.js").write_text(
        "const { exec } = require('child_process');\n"
        "const name = process.argv[2];\n"
        "exec(`convert ${name}`);\n"
        "pool.query(`SELECT * FROM t WHERE a = '${name}'`);\n"
    )
    (tmp_path / "job.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n'
        'func run(name string) {\n\tdb.Query(fmt.Sprintf("SELECT %s", name))\n\tos.Open(name)\n}\n'
    )
    assert _findings(tmp_path) == []


def test_a_nextjs_route_handler_reads_the_request_through_the_fetch_api(tmp_path: Path) -> None:
    """``await request.json()`` is the body and ``request.nextUrl.searchParams`` the query; a ``Response``'s
    ``json()`` is not the request, and a request value sent in the body to a fixed URL picks no host."""
    (tmp_path / "next.config.js").write_text("module.exports = {};\n")
    route = tmp_path / "app" / "api" / "proxy"
    route.mkdir(parents=True)
    (route / "route.ts").write_text(
        "export async function POST(request: Request) {\n"
        "  const { url } = await request.json();\n"
        "  const res = await fetch(url);\n"
        "  const next = await res.json();\n"
        "  await fetch(next.href);\n"
        "  const note = await request.text();\n"
        '  await fetch("https://hooks.example.com/notes", { method: "POST", body: note });\n'
        "  return Response.json({});\n"
        "}\n"
        "export async function GET(request: NextRequest) {\n"
        '  const name = request.nextUrl.searchParams.get("name");\n'
        "  const rows = await prisma.$queryRawUnsafe(`SELECT * FROM users WHERE name = '${name}'`);\n"
        "  return Response.json(rows);\n"
        "}\n"
    )
    found = {(f.rule, f.location.start_line): f for f in _findings(tmp_path)}
    assert sorted(found) == [("WEB210", 12), ("WEB213", 3)]
    assert found[("WEB213", 3)].evidence["flow"] == "request.body -> url -> fetch(arg 0)"
    assert found[("WEB213", 3)].message.endswith("reachable from POST /api/proxy")
    assert found[("WEB210", 12)].evidence["flow"] == "request.query -> name -> prisma.$queryRawUnsafe(arg 0)"
