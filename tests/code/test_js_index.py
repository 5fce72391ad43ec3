"""The JavaScript/TypeScript code index: imports, definitions, calls, strings, loops, request flow,
and the files it does not cover (syntax errors, binaries, minified bundles, node_modules)."""

from __future__ import annotations

import pytest

from redline.core.workspace import FileText, SourceFile
from redline.sources.code.model import CodeIndex
from redline.sources.code.source import CodeIndexSource
from redline.sources.interface import NotCovered

APP = """\
const express = require('express');
const { Pool } = require('pg');
import * as crypto from 'node:crypto';
import jwt, { verify as check } from 'jsonwebtoken';
const pool = new Pool({ connectionString: 'postgres://app@db.internal/app' });

async function lookup(req, res) {
  const { id } = req.params;
  const sort = req.query.sort;
  const sql = `SELECT * FROM users WHERE id = ${id} ORDER BY ` + sort;
  for await (const row of pool.query(sql)) {
    res.write(row);
  }
  while (false) {}
  const safe = await pool.query('SELECT * FROM users WHERE id = $1', [id]);
  return check(req.get('authorization'), 'k');
}

const handlers = { remove: (req, res) => res.send(req.body.name) };
"""

NEST = """\
import { Controller, Get, Post, Body, Param, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

@Controller('cats')
@UseGuards(AuthGuard('jwt'))
export class CatsController extends BaseController {
  constructor(private readonly cats: CatsService) {}

  @Get(':id')
  async findOne(@Param('id') id: string): Promise<Cat> {
    return this.cats.find(id);
  }

  @Post()
  create(@Body() dto: CreateCatDto) {
    return this.cats.create(dto);
  }
}
"""


def index_of(source: str | bytes, path: str = "src/app.js", kind: str = "javascript") -> CodeIndex:
    data = source.encode() if isinstance(source, str) else source
    return CodeIndexSource().parse(
        FileText(SourceFile(path, path, kind, len(data)), data, data.decode("utf-8", "replace"))
    )


def test_imports_and_requires_with_aliases() -> None:
    index = index_of(APP)
    assert index.language == "javascript" and index.parser == "tree-sitter"
    assert dict(index.imports) == {
        "express": "express",
        "Pool": "pg.Pool",
        "crypto": "node:crypto",
        "jwt": "jsonwebtoken",
        "check": "jsonwebtoken.verify",
    }


def test_calls_resolve_targets_bindings_awaits_and_taint() -> None:
    calls = {(c.line, c.raw): c for c in index_of(APP).calls}
    assert calls[(5, "Pool")].target == "pg.Pool"
    assert calls[(5, "Pool")].assigned_to == "pool"
    query = calls[(11, "pool.query")]
    assert query.function == "lookup"
    assert query.built_by == "concat"  # a template literal, then + sort
    assert [(w, s, v) for w, s, v in query.tainted] == [("0", "req.params", ("sql", "id"))]
    safe = calls[(15, "pool.query")]
    assert safe.awaited and safe.built_by is None
    assert calls[(16, "check")].target == "jsonwebtoken.verify"
    assert [s for _, s, _ in calls[(16, "check")].tainted] == ["req.headers"]
    assert [s for _, s, _ in calls[(19, "res.send")].tainted] == ["req.body"]


def test_definitions_strings_loops_and_tainted_names() -> None:
    index = index_of(APP)
    assert [(d.name, d.qualname, d.kind, d.line) for d in index.definitions] == [
        ("lookup", "lookup", "async_function", 7),
        ("remove", "handlers.remove", "function", 19),
    ]
    assert [(s.kind, s.line) for s in index.strings] == [("dsn", 5), ("sql", 10), ("sql", 15)]
    assert [(lp.kind, lp.line, lp.function) for lp in index.loops] == [
        ("async_for", 11, "lookup"),
        ("while", 14, "lookup"),
    ]
    assert [(t.name, t.source, t.line) for t in index.tainted if t.function == "lookup"] == [
        ("id", "req.params", 8),
        ("sort", "req.query", 9),
        ("sql", "req.params", 10),
        ("safe", "req.params", 15),  # a value computed from request data is tainted, as in the Python flow
    ]


def test_typescript_decorators_bases_and_bound_parameters() -> None:
    index = index_of(NEST, "src/cats.controller.ts", "typescript")
    cls, ctor, find, _create = index.definitions
    assert (cls.name, cls.bases) == ("CatsController", ("BaseController",))
    assert [(d.raw, d.target, d.line) for d in cls.decorators] == [
        ("Controller", "@nestjs/common.Controller", 4),
        ("UseGuards", "@nestjs/common.UseGuards", 5),
    ]
    assert cls.decorators[1].args[0].items == ("AuthGuard(jwt)",)
    assert ctor.qualname == "CatsController.constructor"
    assert (find.qualname, find.kind, [d.raw for d in find.decorators]) == (
        "CatsController.findOne",
        "async_function",
        ["Get"],
    )
    assert [(n, a.call, a.call_args) for n, a in find.param_defaults] == [("id", "Param", ("id",))]
    assert [(t.name, t.source) for t in index.tainted] == [("id", "param:params"), ("dto", "param:body")]
    assert [c.tainted[0][1] for c in index.calls if c.raw == "this.cats.create"] == ["param:body"]


def test_tsx_and_jsx_are_read_with_their_grammars() -> None:
    tsx = "export const App = (p: Props) => <div onClick={() => fetch('https://api.example.com/x')}>{p.x}</div>;\n"
    assert [c.raw for c in index_of(tsx, "src/App.tsx", "typescript").calls] == ["fetch"]
    jsx = "export default function App() { return <b>{fetch('https://api.example.com/y')}</b>; }\n"
    assert [s.value for s in index_of(jsx, "src/App.jsx").strings] == ["https://api.example.com/y"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("function (\n  x = ;\n", "JavaScript syntax error at line 1 (tree-sitter), not indexed"),
        (b"\x7fELF\x00\x00binary", "binary content in a JavaScript file, not indexed"),
        ("var a=" + "1+" * 6000 + "1;\n", "minified or generated code (a line of 12008 characters), not indexed"),
    ],
)
def test_files_not_indexed_are_not_covered_with_the_reason(data: str | bytes, reason: str) -> None:
    with pytest.raises(NotCovered) as raised:
        index_of(data)
    assert str(raised.value) == reason


def test_deeply_nested_expressions_do_not_crash() -> None:
    source = "const x = " + "[" * 3000 + "]" * 3000 + ";\nf(" + "(" * 3000 + "1" + ")" * 3000 + ");\n"
    source += "g(" + " +\n".join(["'a'"] * 3000) + ");\n" + "h(" + "{a:\n" * 2000 + "1" + "}" * 2000 + ");\n"
    index = index_of(source)
    assert [(c.raw, c.line) for c in index.calls] == [("f", 2), ("g", 3), ("h", 3002 + 1)]
    assert index.calls[1].built_by == "concat"


def test_third_party_and_vendored_code_is_not_the_apps() -> None:
    source = CodeIndexSource()
    assert source.wants(SourceFile("src/app.js", "", "javascript", 1))
    assert not source.wants(SourceFile("node_modules/express/lib/router.js", "", "javascript", 1))
    assert not source.wants(SourceFile("web/vendor/jquery.js", "", "javascript", 1))
    assert not source.wants(SourceFile("dist/main.js", "", "javascript", 1))
    assert not source.wants(SourceFile("types/index.d.ts", "", "typescript", 1))
    assert source.wants(SourceFile("app/main.py", "", "python", 1))
    assert source.wants(SourceFile("cmd/server/main.go", "", "go", 1))
    assert not source.wants(SourceFile("vendor/github.com/gin-gonic/gin/gin.go", "", "go", 1))
    assert source.wants(SourceFile("src/main/java/App.java", "", "java", 1))


@pytest.mark.parametrize(
    ("path", "kind", "source"),
    [
        ("src/app.js", "javascript", APP),
        ("src/cats.controller.ts", "typescript", NEST),
        (
            "main.go",
            "go",
            'package main\nimport "net/http"\nfunc h(w http.ResponseWriter, r *http.Request) {\n'
            '  db.Query("SELECT * FROM t WHERE id=" + r.FormValue("id"))\n}\n',
        ),
        (
            "A.java",
            "java",
            '@RestController\nclass A {\n  @GetMapping("/a")\n  String a(@RequestParam String q) { return q; }\n}\n',
        ),
    ],
)
def test_a_cached_index_reads_back_the_same(path: str, kind: str, source: str) -> None:
    first = index_of(source, path, kind)
    again = index_of(source, path, kind)
    assert again.parser == "cache" and first.parser == "tree-sitter"
    assert (again.imports, again.definitions, again.calls, again.strings, again.loops, again.tainted) == (
        first.imports,
        first.definitions,
        first.calls,
        first.strings,
        first.loops,
        first.tainted,
    )
    assert again.assignments == first.assignments and again.language == first.language


def test_a_large_bundle_is_not_covered_as_generated() -> None:
    bundle = ("var a = 1;\n" * 250_000).encode()  # 2.75 MB of short lines
    with pytest.raises(NotCovered, match=r"^generated or bundled code \(2 MB\), not indexed$"):
        index_of(bundle, "public/app.bundle.js")


def test_huge_numbers_and_deep_arrays_are_kept_as_none_so_the_index_can_travel() -> None:
    import pickle

    index = index_of("f(123456789012345678901234567890, [[[[1]]]], [1, [2, ['x']]]);\n")
    call = next(c for c in index.calls if c.raw == "f")
    assert [a.literal for a in call.args] == [None, (((None,),),), (1, (2, ("x",)))]
    assert pickle.loads(pickle.dumps(index)) == index


def test_named_exports_are_exports_assignments() -> None:
    """``export { a as B }``, ``export { C } from "./m"`` and ``export const D = e`` bind exported names; a call or a
    function exported in place is indexed as such, and ``export default`` stays ``module.exports``."""
    index = index_of(
        "const handler = make();\n"
        "export { handler as GET, handler };\n"
        'export { POST } from "../route";\n'
        "export const HEAD = handler;\n"
        "export const PUT = wrap(handler);\n"
        "export function PATCH() {}\n"
        "export default handler;\n",
        path="app/api/x/route.ts",
        kind="typescript",
    )
    assert [(a.name, a.line, a.values) for a in index.assignments] == [
        ("exports.GET", 2, ("handler",)),
        ("exports.handler", 2, ("handler",)),
        ("exports.POST", 3, ("../route.POST",)),
        ("exports.HEAD", 4, ("handler",)),
        ("module.exports", 7, ("handler",)),
    ]
