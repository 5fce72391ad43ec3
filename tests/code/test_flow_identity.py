"""The index build's cheaper parameter flows compute what straightforward ones do: every parameter of every
function of the Python fixtures and examples followed through every binding of its function, three passes,
``expr_taint`` on each value (``param_flows`` reads only the bindings a parameter reaches, once per function
as name paths whose calls are spelled only on a hit), and the names read found by ``ast.walk``. Django's whole
sdist is compared by ``bench/index_identity_bench.py`` (encoded indexes hashed before and after)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from redline.sources.code import flow
from redline.sources.code.astwalk import walk_nodes
from redline.sources.python import PythonModule, collect_imports

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = (ROOT / "tests" / "code" / "fixtures", ROOT / "examples")
MODULES = [*sorted(p for base in FIXTURES for p in base.rglob("*.py")), ROOT / "edges.py"]  # edges.py: EDGES

Function = ast.FunctionDef | ast.AsyncFunctionDef

#: the cases a fixture may lack: a parameter rebound to a constant, to itself converted, a loop that feeds
#: itself, a nameless template call, a name bound twice, a parameter only read inside a nested call
EDGES = """\
import subprocess as sp
from os import path


def edges(db, uid, name, limit, *rest, key="k", **extra):
    uid = 5
    name = str(name)
    acc = ""
    for part in rest:
        acc = acc + part
        acc += "%s" % acc
    q = "SELECT {} FROM t".format(key) + "https://x/{}".format(name)
    a, a = limit, key
    db.execute(q, (acc, a), path.join("/srv", sp.quote(extra["x"])))
    return db.run(f"{limit:>{uid}}", sorted(name)[0], lambda: name)
"""


def _module(path: Path) -> PythonModule | None:
    text = path.read_text(encoding="utf-8") if path.name != "edges.py" else EDGES
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    return PythonModule(path.name, tree, tuple(text.splitlines()), collect_imports(tree))


def _functions(tree: ast.AST) -> list[Function]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def _reference_flow(fn: Function, seed: str, module: PythonModule) -> flow.FunctionFlow:
    """One parameter followed through every binding of the function, ``expr_taint`` on each, three passes."""
    args = fn.args
    params = frozenset(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
    found = flow.FunctionFlow(params=params, reads_request=True, from_request=False, seeded={seed})
    found.tainted[seed] = (f"arg:{seed}", ())
    found.lines[seed] = fn.lineno
    resolve = found.resolver(module.qualname)
    stores = [store for node in flow._own_statements(fn) for store in flow._stores(node)]
    for _ in range(3):
        for names, value, how in stores:
            flow._bind(names, value, how, found, resolve)
    return found


def _facts(found: flow.FunctionFlow) -> tuple[object, ...]:
    return (sorted(found.tainted.items()), sorted(found.lines.items()), sorted(found.seeded), sorted(found.items))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_parameter_flows_match_the_straightforward_ones(path: Path) -> None:
    module = _module(path)
    if module is None:
        pytest.skip("the fixture is not Python this interpreter parses")
    for fn in _functions(module.tree):
        nodes = list(flow._own_statements(fn))
        every = frozenset(n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name))
        seeds = sorted({a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)} - {"self", "cls"})
        references = iter([_facts(_reference_flow(fn, seed, module)) for seed in seeds])
        # one flow per parameter that reaches a name, in the parameters' order: a subsequence of the references
        for computed in flow.param_flows(fn, module.qualname, nodes, every):
            assert any(_facts(computed) == reference for reference in references), (path, fn.name)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_name_paths_give_expr_taint_and_names_in_gives_ast_walk(path: Path) -> None:
    module = _module(path)
    if module is None:
        pytest.skip("the fixture is not Python this interpreter parses")
    for fn in _functions(module.tree):
        names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
        state = flow.FunctionFlow(params=frozenset(), reads_request=True, from_request=False)
        state.tainted.update((name, (f"arg:{name}", ())) for name in names)
        # every other name tainted only in its items: its attributes are not read, its items are
        items = flow.FunctionFlow(params=frozenset(), reads_request=True, from_request=False)
        items.tainted.update(state.tainted)
        items.items.update(sorted(names)[::2])
        resolve = state.resolver(module.qualname)
        for node in ast.walk(fn):
            if not isinstance(node, ast.expr):
                continue
            walked = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
            assert [n.id for n in walk_nodes(node) if isinstance(n, ast.Name)] == walked
            assert flow.names_in(node) == frozenset(walked)
            assert flow._path_taint(flow.name_paths(node), state, resolve) == flow.expr_taint(node, state, resolve)
            assert flow._path_taint(flow.name_paths(node), items, resolve) == flow.expr_taint(node, items, resolve)
