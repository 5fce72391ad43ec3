"""The per-call query summaries of the project's own functions (``HelperQueries``), worked out on demand, do not
depend on the order of the modules nor on the order functions are asked in, and lose none of the summaries the
former eager rounds (kept here as a reference) found: every function of random projects (call chains across
modules, cycles, row locks, memoised helpers, constant queries, calls in loops) the reference summarises has a
summary, its own query the same one. The eager rounds themselves gave other summaries when the modules came in
another order (a helper two calls deep missed when one file was renamed)."""

from __future__ import annotations

import random

from redline.checks.latency import helper_queries as hq
from redline.checks.latency.helper_queries import DEPTH, HelperQueries, Issued
from redline.checks.latency.orm import Catalogue, catalogue, module_orm
from redline.checks.latency.per_item import orm_read, raw_read, write_lines, writes_statement
from redline.core.workspace import FileText, SourceFile
from redline.sources.code.build import build_index
from redline.sources.code.callees import Callees
from redline.sources.code.model import CodeIndex
from redline.sources.python import parse_module

Key = tuple[str, str]

MODELS = "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=9)\n"


def _index(path: str, text: str) -> CodeIndex:
    data = text.encode()
    return build_index(parse_module(FileText(SourceFile(path, "/" + path, "python", len(data)), data, text)))


def _statement(rng: random.Random, module: int, function: int, modules: int, functions: int) -> list[str]:
    """One line (or a loop of two) of a generated function ``f<function>(x, y)`` of module ``m<module>``."""
    other_m, other_f = rng.randrange(modules), rng.randrange(functions)
    callee = f"f{other_f}" if other_m == module else f"m{other_m}.f{other_f}"
    arg = rng.choice(["x", "y", "x.pk", "1", "y=x", "x=y"])
    kinds = [
        [f"Book.objects.get(pk={rng.choice(['x', 'y', '1'])})"],
        ["Book.objects.filter(pk=x).first()"],
        ["Book.objects.select_for_update().get(pk=y)"],
        [f"{callee}({arg})"],
        [f"out = {callee}(x, y)"],
        ["for b in x:", f"    {callee}(b)"],
    ]
    return rng.choices(kinds, weights=[2, 1, 0.1, 10, 1, 1])[0]


def _project(seed: int) -> list[CodeIndex]:
    rng = random.Random(seed)
    modules, functions = rng.randint(2, 5), rng.randint(3, 7)
    indexes = [_index("app/models.py", MODELS)]
    for m in range(modules):
        lines = ["import functools", "", "from app import " + ", ".join(f"m{i}" for i in range(modules))]
        lines.append("from app.models import Book")
        for f in rng.sample(range(functions), functions):  # definitions out of order: positions matter
            lines += ["", ""] + (["@functools.lru_cache"] if rng.random() < 0.05 else []) + [f"def f{f}(x, y=None):"]
            for _ in range(rng.randint(1, 5)):
                lines += [f"    {line}" for line in _statement(rng, m, f, modules, functions)]
        indexes.append(_index(f"app/m{m}.py", "\n".join(lines) + "\n"))
    rng.shuffle(indexes)
    return indexes


class _Eager:
    """The former implementation: every call of every module resolved, every function summarised, then
    ``DEPTH - 1`` rounds over all calls, each seeing what earlier calls of the same round found."""

    def __init__(self, indexes: list[CodeIndex], cat: Catalogue) -> None:
        self.callees = Callees.of(indexes)
        self.issued: dict[Key, Issued] = {}
        self.guarded: set[Key] = set()
        locking: set[Key] = set()
        for index in indexes:
            self.guarded |= {(index.path, f) for f in hq._memoised(index)}
            locking |= {(index.path, f) for f in hq._locking(index)}
        self.edges = [
            (index, call, callee)
            for index in indexes
            for call in index.calls
            if call.loop < 0 and call.function and (callee := self.callees.resolve(index, call)) is not None
        ]
        found = set(locking)
        for _ in range(DEPTH if locking else 0):
            more = {(i.path, c.function) for i, c, e in self.edges if (e.index.path, e.definition.qualname) in found}
            found |= more
        self.guarded |= found
        for index in indexes:
            self._direct(index, cat)
        for _ in range(DEPTH - 1):
            self._deepen()

    def _direct(self, index: CodeIndex, cat: Catalogue) -> None:
        orm, writes = module_orm(index), write_lines(index)
        defs = {d.qualname: d for d in index.definitions if d.kind != "class"}
        for call in index.calls:
            definition, key = defs.get(call.function), (index.path, call.function)
            if definition is None or call.loop >= 0 or key in self.issued or key in self.guarded:
                continue
            if call.line in writes:
                continue
            query = orm_read(call, cat, orm)
            sql = query is None and raw_read(call, orm, set(definition.params)) and not writes_statement(index, call)
            if query is None and not sql:
                continue
            params = frozenset().union(*(hq._parameters_read(c, definition) for c in hq._chain(index.calls, call)))
            if not params or (
                query is not None and not hq._evaluated(index.calls, call, sqlalchemy=orm == "sqlalchemy")
            ):
                continue
            if not hq._fills_in(index.calls, call, definition):
                self.issued[key] = Issued(sql, query or call.raw, index.path, call.line, params)

    def _deepen(self) -> None:
        for index, call, callee in self.edges:
            key = (index.path, call.function)
            definition = self.callees.definitions[index.path].get(call.function)
            if definition is None or definition.kind == "class" or key in self.issued or key in self.guarded:
                continue
            args = hq._own_args(call, definition)
            inner = self.issued.get((callee.index.path, callee.definition.qualname))
            if not args or (callee.index.path, callee.definition.qualname) == key or inner is None:
                continue
            if not any(callee.parameter(k) in inner.params for k, _ in args) or len(inner.via) + 1 >= DEPTH:
                continue
            step = f"{callee.definition.qualname} ({callee.index.path}:{callee.definition.line})"
            params = frozenset(hq._parameters_read(call, definition))
            self.issued[key] = Issued(inner.sql, inner.query, inner.path, inner.line, params, (step, *inner.via))


#: enough projects that a walk in plain call order, or a single deepening round, gives other summaries somewhere
SEEDS = range(300)


def _summaries(indexes: list[CodeIndex], keys: list[Key]) -> dict[Key, Issued | None]:
    lazy = HelperQueries(indexes, catalogue(indexes))
    return {k: lazy.issued(*k) for k in keys}


def _differs(seed: int) -> bool:
    indexes = _project(seed)
    eager = _Eager(indexes, catalogue(indexes))
    keys = [(i.path, d.qualname) for i in indexes for d in i.definitions if d.kind != "class"]
    found = _summaries(indexes, keys)
    random.Random(seed).shuffle(keys)  # asked in any order: a function may be asked while its callers are worked out
    same = found == _summaries(indexes[::-1], keys)
    kept = all(found[k] is not None and (issued.via or found[k] == issued) for k, issued in eager.issued.items())
    return not (same and kept)


def test_summaries_on_demand_are_independent_of_module_order_and_keep_the_eager_ones() -> None:
    assert [seed for seed in SEEDS if _differs(seed)] == []


def test_a_helper_two_calls_deep_is_found_whatever_the_files_are_named() -> None:
    """``f -> g -> d`` where ``g`` first calls ``g1 -> k`` (too deep for ``f``) then ``d``: ``f`` reaches ``d``'s
    query two calls deep whether ``g1``'s file sorts before ``g``'s or after (the eager rounds, walking modules in
    order, took ``g1``'s summary when its file came first and so lost ``f``'s)."""
    for g1 in ("a_g1", "z_g1"):
        files = {
            "app/models.py": MODELS,
            "app/q.py": "from app.models import Book\n\n\ndef d(x):\n    return Book.objects.get(pk=x)\n\n\n"
            "def k(x):\n    return Book.objects.get(pk=x)\n",
            f"app/{g1}.py": "from app.q import k\n\n\ndef g1(x):\n    return k(x)\n",
            "app/m_g.py": f"from app.{g1} import g1\nfrom app.q import d\n\n\ndef g(x):\n    g1(x)\n    return d(x)\n",
            "app/n_f.py": "from app.m_g import g\n\n\ndef f(x):\n    return g(x)\n",
        }
        indexes = [_index(path, text) for path, text in sorted(files.items())]
        issued = HelperQueries(indexes, catalogue(indexes)).issued("app/n_f.py", "f")
        assert issued is not None and (issued.line, issued.via) == (5, ("g (app/m_g.py:5)", "d (app/q.py:4)"))


def test_the_generated_projects_reach_every_kind_of_summary() -> None:
    """The comparison is not vacuous: across the seeds there are direct summaries, summaries one and two
    calls deep, and functions kept out by a row lock or a memoising decorator."""
    depths: set[int] = set()
    guarded = 0
    for seed in SEEDS:
        indexes = _project(seed)
        eager = _Eager(indexes, catalogue(indexes))
        depths |= {len(issued.via) for issued in eager.issued.values()}
        guarded += len(eager.guarded)
    assert depths == {0, 1, DEPTH - 1}
    assert guarded > 0


def test_a_long_chain_of_helpers_is_walked_without_recursion() -> None:
    """``f0(x) -> f1(x) -> ... -> f1999(x)``, defined bottom-up, longer than Python's recursion limit: asking
    ``f0`` follows it no further than ``DEPTH - 1`` calls; only the last ``DEPTH`` functions have a summary, as in
    the eager rounds."""
    size = 2000
    lines = ["from app.models import Book", "", "", f"def f{size - 1}(x):", "    return Book.objects.get(pk=x)"]
    for n in range(size - 2, -1, -1):
        lines += ["", "", f"def f{n}(x):", f"    return f{n + 1}(x)"]
    indexes = [_index("app/models.py", MODELS), _index("app/chain.py", "\n".join(lines) + "\n")]
    cat = catalogue(indexes)
    lazy = HelperQueries(indexes, cat)
    assert lazy.issued("app/chain.py", "f0") is None
    eager = _Eager(indexes, cat)
    keys = [("app/chain.py", f"f{n}") for n in range(size)]
    assert {k: lazy.issued(*k) for k in keys} == {k: eager.issued.get(k) for k in keys}
    assert [k[1] for k in keys if k in eager.issued] == [f"f{n}" for n in range(size - DEPTH, size)]
