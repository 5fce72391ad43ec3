"""Build a module's code index from the syntax tree ``sources/python.py`` parsed: one walk, iterative
(a deeply nested expression cannot exhaust the stack), no second parse."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import msgspec

from redline.sources.code.astwalk import child_nodes, dotted
from redline.sources.code.branches import branch_conditions, switches_on
from redline.sources.code.first_run import first_run_guards
from redline.sources.code.flow import (
    FunctionFlow,
    attr_chain,
    expr_taint,
    followed_params,
    function_flow,
    leads_somewhere,
    names_in,
    param_flows,
    string_building,
)
from redline.sources.code.loops import LOOPS as _LOOPS
from redline.sources.code.loops import LoopBodies, loop_fact, names_read
from redline.sources.code.model import (
    INT_RANGE,
    LITERAL_DEPTH,
    Arg,
    Assignment,
    CallSite,
    CodeIndex,
    Decorator,
    Definition,
    EnvDefault,
    Literal,
    Loop,
    StringFact,
    Tainted,
)
from redline.sources.code.pyenv import env_or_default, settings_defaults
from redline.sources.code.refusals import REFUSING_STATUS_NAMES
from redline.sources.python import PythonModule

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s]+$", re.IGNORECASE)
_DSN_SCHEMES = (
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "redis",
    "amqp",
    "sqlite",
    "mssql",
    "oracle",
    "rediss",
    "mongodb+srv",
)
_SQL = re.compile(
    r"^\s*(SELECT\s.+\sFROM\s|INSERT\s+INTO\s|UPDATE\s+\S+\s+SET\s|DELETE\s+FROM\s|"
    r"CREATE\s+(TABLE|INDEX|VIEW)\s|DROP\s+(TABLE|INDEX)\s|ALTER\s+TABLE\s)",
    re.IGNORECASE | re.DOTALL,
)
#: identity attributes that check the caller (not merely name them); handlers read these as an inline check
CHECKING_ATTRS = frozenset(
    {
        "is_authenticated",
        "is_anonymous",
        "is_superuser",
        "is_staff",
        "is_admin",
        "has_perm",
        "has_perms",
        "role",
        "roles",
        "permissions",
        "groups",
        "scopes",
    }
)
#: attributes that say who the caller is, what they may do, or whom an object belongs to
IDENTITY_ATTRS = CHECKING_ATTRS | frozenset(
    {
        "user",
        "current_user",
        "owner",
        "owner_id",
        "user_id",
        "author",
        "author_id",
        "created_by",
        "tenant",
        "tenant_id",
        "organization",
        "org_id",
        "account_id",
        "group_id",
        "household_id",
    }
)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_BINDINGS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.With, ast.AsyncWith)
#: statements with statement lists of their own (where an awaited call's position is kept)
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar, ast.match_case)
#: the same classes as sets, for the walk's exact-class look-ups
_DEFINITION_TYPES: frozenset[type] = frozenset({*_FUNCTIONS, ast.ClassDef})
_BINDING_TYPES: frozenset[type] = frozenset(_BINDINGS)
_COMPOUND_TYPES: frozenset[type] = frozenset(_COMPOUND)
_LOOP_TYPES: frozenset[type] = frozenset(_LOOPS)


def classify_string(value: str) -> str | None:
    """url / dsn / sql for a string literal that is one, else None."""
    if len(value) < 8 or len(value) > 100_000:
        return None
    if _URL.match(value):
        scheme = value.split("://", 1)[0].lower()
        return "dsn" if scheme.split("+")[0] in _DSN_SCHEMES or scheme in _DSN_SCHEMES else "url"
    return "sql" if _SQL.match(value) else None


def literal(node: ast.AST, depth: int = 0) -> Literal:
    if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
        value = node.value
        return None if isinstance(value, int) and value not in INT_RANGE else value
    if isinstance(node, ast.List | ast.Tuple | ast.Set) and depth < LITERAL_DEPTH:
        return tuple(literal(e, depth + 1) for e in node.elts)  # type: ignore[misc]  # depth bounds the nesting
    return None


def _plain(node: ast.expr) -> str | None:
    """A dotted name or a string literal, as an argument reads."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return dotted(node)


def render(node: ast.expr) -> str:
    """A short rendering of a list element: ``IsAuthenticated``, ``Depends(get_user)``,
    ``Security(get_user, scopes=items)``; "" for anything else."""
    if isinstance(node, ast.Call):
        inner = [p for a in node.args if (p := _plain(a))]
        inner += [
            f"{k.arg}={','.join(str(v) for v in lit) if isinstance(lit := literal(k.value), tuple) else lit}"
            for k in node.keywords
            if k.arg
        ]
        return f"{dotted(node.func) or ''}({', '.join(inner)})"
    return _plain(node) or ""


def make_arg(keyword: str | None, node: ast.expr) -> Arg:
    if isinstance(node, ast.Starred):  # ``*map_urls``: the list spread into the call, as its one item
        spread = dotted(node.value)
        return Arg(keyword, items=(f"*{spread}",) if spread else ())
    if isinstance(node, ast.Call):
        return Arg(
            keyword,
            call=dotted(node.func) or "",
            call_args=tuple(p for a in node.args if (p := _plain(a))),
            items=(render(node),),
        )
    items = tuple(render(e) for e in node.elts) if isinstance(node, ast.List | ast.Tuple) else ()
    if isinstance(node, ast.Compare):  # ``filter(Book.id == book_id)`` -> ("Book.id", "book_id"): what it reads
        items = tuple(p for side in (node.left, *node.comparators) if (p := _plain(side)))
    if isinstance(node, ast.Dict):  # ``options={"verify_signature": False}`` -> ("verify_signature=False",)
        items = tuple(
            f"{k.value}={literal(v)}"
            for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)
        )
    return Arg(keyword, literal=literal(node), name=dotted(node), items=items)


def call_args(call: ast.Call) -> tuple[Arg, ...]:
    return (
        *(make_arg(None, a) for a in call.args),
        *(make_arg(k.arg, k.value) for k in call.keywords if k.arg is not None),
    )


@dataclass
class _Walk:
    module: PythonModule
    definitions: list[Definition] = field(default_factory=list)
    strings: list[StringFact] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    assigned: dict[int, str] = field(default_factory=dict)  # id(call) -> name it is bound to
    combined: dict[int, str] = field(default_factory=dict)  # id(call) -> name an ``x |= call`` combines it into
    awaited: set[int] = field(default_factory=set)
    #: each function's own nodes in source order (its data flow is computed from them after the walk)
    functions: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, list[ast.AST]]] = field(default_factory=dict)
    pending: list[tuple[ast.Call, str, int]] = field(default_factory=list)  # calls and their loop, judged later
    #: id(node) -> the loop it runs in when that differs from its parent's (a for's iterable runs outside it)
    outside: dict[int, int] = field(default_factory=dict)
    #: id(call) -> (statement list, position) for calls that are a whole statement
    statements: dict[int, tuple[int, int]] = field(default_factory=dict)
    blocks: int = 0
    bodies: LoopBodies = field(default_factory=LoopBodies)
    reads: set[tuple[str, str]] = field(default_factory=set)
    relative: dict[str, str] = field(default_factory=dict)
    memo: set[int] = field(default_factory=set)  # id(call) stored under a key its enclosing ``if`` checks first
    when_none: dict[int, str] = field(default_factory=dict)  # id(call) -> the parameter whose None it runs on
    #: scope -> its ``if`` statements in walk order (outermost first): what ``CallSite.branch`` is read from
    ifs: dict[str, list[ast.If]] = field(default_factory=dict)
    #: ``x = os.environ.get("X") or "literal"`` (``sources/code/pyenv.py``)
    env_defaults: list[EnvDefault] = field(default_factory=list)
    #: (function, name) -> the length of the literal list or tuple it is bound to, -1 once bound to anything else
    local_lists: dict[tuple[str, str], int] = field(default_factory=dict)
    #: loops over such a name: (loop id, function, name), undone when the function changes the list
    literal_loops: list[tuple[int, str, str]] = field(default_factory=list)


def build_index(module: PythonModule, language: str = "python") -> CodeIndex:
    """One iterative walk (parents before children, so a call knows the name it is bound to), then the
    data flow of each function from the nodes the walk gave it, then the call sites."""
    walk = _Walk(module)
    _module_assignments(walk)
    stack: list[tuple[ast.AST, str, int]] = [(module.tree, "", -1)]
    functions = walk.functions
    while stack:  # node classes are compared exactly: ``ast.parse`` makes no subclasses
        node, scope, loop = stack.pop()
        if walk.outside:
            loop = walk.outside.pop(id(node), loop)
        inner = _visit(walk, node, scope, loop)
        if loop >= 0:
            walk.bodies.see(node, loop, walk.loops)
        own = functions.get(scope)
        if own is not None:
            own[1].append(node)
        cls = node.__class__
        if inner != scope or cls is ast.Lambda:  # a lambda's body does not run per iteration
            inner_loop = -1
        elif cls in _LOOP_TYPES:
            inner_loop = len(walk.loops) - 1
        else:
            inner_loop = loop
        children = child_nodes(node)
        if children:
            children.reverse()
            stack.extend([(child, inner, inner_loop) for child in children])
    _undo_changed_lists(walk)
    flows = {name: function_flow(fn, module.qualname, nodes) for name, (fn, nodes) in walk.functions.items()}
    arguments, params = _parameter_facts(walk)
    calls = sorted(
        (
            _with_params(walk, _call(walk, node, scope, flows.get(scope), loop), args, params)
            for (node, scope, loop), args in zip(walk.pending, arguments, strict=True)
        ),
        key=lambda c: (c.line, c.raw),
    )
    return CodeIndex(
        path=module.path,
        language=language,
        imports=tuple(sorted(module.imports.items())),
        definitions=tuple(walk.definitions),
        calls=tuple(calls),
        strings=tuple(walk.strings),
        loops=tuple(walk.bodies.finish(walk.loops)),
        tainted=tuple(_tainted(walk, flows)),
        assignments=tuple(walk.assignments),
        parser=module.parser,
        reads=tuple(sorted(walk.reads)),
        param_tainted=tuple(_tainted(walk, params)),
        relative_imports=tuple(sorted(walk.relative.items())),
        main_guard=main_guard(module.tree),
        env_defaults=tuple(walk.env_defaults),
        first_run_guards=first_run_guards((name, fn) for name, (fn, _nodes) in walk.functions.items()),
        returned_statuses=tuple(
            (name, status)
            for name, (_fn, nodes) in walk.functions.items()
            for node in nodes
            if isinstance(node, ast.Return) and (status := refusing_status(node.value)) is not None
        ),
    )


def refusing_status(value: ast.expr | None) -> int | None:
    """The 401/403 a ``return`` answers with as the status of a ``(body, status)`` tuple (Flask's ``return
    "authentication denied", 401``, bank-of-anthos's contacts service), else None (since index format 47)."""
    if not isinstance(value, ast.Tuple) or len(value.elts) < 2:
        return None
    status = value.elts[1]
    if isinstance(status, ast.Constant) and isinstance(status.value, int) and status.value in (401, 403):
        return status.value
    name = dotted(status) or ""
    return REFUSING_STATUS_NAMES.get(name.rsplit(".", 1)[-1])


def main_guard(tree: ast.AST) -> tuple[int, int]:
    """(first, last) line of the module-level ``if __name__ == "__main__":`` block, (0, 0) when none."""
    for stmt in getattr(tree, "body", ()):
        test = stmt.test if isinstance(stmt, ast.If) else None
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)
            and {ast.dump(test.left), ast.dump(test.comparators[0])}
            == {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}
        ):
            return stmt.lineno, stmt.end_lineno or stmt.lineno
    return (0, 0)


def _tainted(walk: _Walk, flows: dict[str, FunctionFlow] | dict[str, list[FunctionFlow]]) -> list[Tainted]:
    return [
        Tainted(name, local, source, flow.lines.get(local, walk.functions[name][0].lineno))
        for name, each in flows.items()
        for flow in (each if isinstance(each, list) else [each])
        for local, (source, _via) in sorted(flow.tainted.items())
    ]


def _parameter_facts(
    walk: _Walk,
) -> tuple[list[list[tuple[str, ast.expr, frozenset[str]]]], dict[str, list[FunctionFlow]]]:
    """Each pending call's arguments (in ``walk.pending``'s order; none for a call that cannot lead to a sink or
    a summary, or whose function has no parameter to follow) and each function's parameter flows."""
    qualname, relative = walk.module.qualname, walk.relative
    followed = {name for name, (fn, _nodes) in walk.functions.items() if followed_params(fn)}
    arguments = [
        _arguments(node) if scope in followed and leads_somewhere(node, qualname, relative) else []
        for node, scope, _loop in walk.pending
    ]
    used: dict[str, set[str]] = {}
    for (_node, scope, _loop), args in zip(walk.pending, arguments, strict=True):
        for _key, _arg, names in args:
            used.setdefault(scope, set()).update(names)
    params = {
        name: param_flows(fn, qualname, nodes, frozenset(used[name]))
        for name, (fn, nodes) in walk.functions.items()
        if name in used
    }
    return arguments, params


def _arguments(node: ast.Call) -> list[tuple[str, ast.expr, frozenset[str]]]:
    """A call's arguments (position or keyword) with the local names each reads; positions after a ``*args``
    are not known, so they are left out."""
    known = next((i for i, a in enumerate(node.args) if isinstance(a, ast.Starred)), len(node.args))
    pairs = [
        *((str(i), a) for i, a in enumerate(node.args[:known])),
        *((k.arg, k.value) for k in node.keywords if k.arg),
    ]
    return [(key, arg, names_in(arg)) for key, arg in pairs]


def _with_params(
    walk: _Walk,
    call: CallSite,
    arguments: list[tuple[str, ast.expr, frozenset[str]]],
    flows: dict[str, list[FunctionFlow]],
) -> CallSite:
    """The call with the enclosing function's parameters that reach its arguments (one flow per parameter, so
    an argument that carries two of them records both)."""
    found: list[tuple[str, str, tuple[str, ...]]] = []
    for flow in flows.get(call.function, ()) if arguments else ():
        resolve = flow.resolver(walk.module.qualname)
        for key, arg, names in arguments:
            if names.isdisjoint(flow.tainted):
                continue
            if isinstance(arg, ast.Name):  # the common case, as ``expr_taint`` would say it
                source, via = flow.tainted[arg.id]
                found.append((key, source, (*via, arg.id)))
            elif hit := expr_taint(arg, flow, resolve):
                found.append((key, *hit))
    return msgspec.structs.replace(call, param_tainted=tuple(found)) if found else call


def _module_assignments(walk: _Walk) -> None:
    """Module-level names bound to lists, dicts of lists, constants and dependency aliases."""
    for stmt in walk.module.tree.body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    walk.assignments.extend(_module_lists(target.id, stmt.value) or _alias(walk, target.id, stmt.value))
                    walk.assignments.extend(_router_urls(target.id, stmt.value))
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and isinstance(stmt.op, ast.Add):
            walk.assignments.extend(_router_urls(stmt.target.id, stmt.value))


def _alias(walk: _Walk, name: str, value: ast.expr) -> list[Assignment]:
    """``MIDDLEWARE = DJANGO_MIDDLEWARE_CLASSES`` (DefectDojo's settings): a module-level name bound to another the
    module bound to a list before takes its values (since index format 57)."""
    if not isinstance(value, ast.Name):
        return []
    bound = [a for a in walk.assignments if a.name == value.id]
    return [Assignment(name, value.lineno, bound[-1].values)] if bound else []


def _router_urls(name: str, value: ast.expr) -> list[Assignment]:
    """``urlpatterns = router.urls``, ``urlpatterns += router.urls``, ``[path(...), *router.urls]``: the DRF
    routers whose URLs the module serves itself, as ``urlpatterns.urls`` ("router", ...); a router
    handed to ``include(...)`` is a pattern of its own (kept as a call), so calls are not looked into."""
    if name != "urlpatterns":
        return []
    found: list[str] = []
    todo: list[ast.AST] = [value]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Attribute) and node.attr == "urls" and (owner := dotted(node.value)):
            found.append(owner)
        elif not isinstance(node, ast.Call):
            todo.extend(ast.iter_child_nodes(node))
    kept = [Assignment(f"{name}.urls", value.lineno, tuple(sorted(found)))] if found else []
    return kept + _spread_in_calls(name, value)


def _spread_in_calls(name: str, value: ast.expr) -> list[Assignment]:
    """``include([path(...), *api_router.urls])`` inside ``urlpatterns``: a router's URLs spread into a list a
    call is handed (paperless-ngx's API; a namespaced ``include(([...], "api"))`` too), as
    ``urlpatterns.spread_urls`` ("router",) at the line of the ``*``: the routes see which ``include`` pattern's
    call spans it. A list handed to a call inside is that call's own (since index format 54)."""
    found: list[Assignment] = []
    for call in ast.walk(value):
        if not isinstance(call, ast.Call):
            continue
        todo: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
        while todo:
            node = todo.pop()
            if isinstance(node, ast.Starred) and isinstance(node.value, ast.Attribute) and node.value.attr == "urls":
                if owner := dotted(node.value.value):
                    found.append(Assignment(f"{name}.spread_urls", node.lineno, (owner,)))
            elif isinstance(node, ast.List | ast.Tuple):
                todo.extend(node.elts)
    return sorted(found, key=lambda a: a.line)


def _module_lists(name: str, value: ast.expr) -> list[Assignment]:
    """``MIDDLEWARE = [...]`` and one level of dict (``REST_FRAMEWORK = {"DEFAULT_...": [...]}``)."""
    if isinstance(value, ast.List | ast.Tuple):
        return [Assignment(name, value.lineno, tuple(render(e) for e in value.elts), value.end_lineno or 0)]
    if isinstance(value, ast.Subscript) and (calls := _dependency_calls(value)):  # CurrentUser = Annotated[...]
        return [Assignment(name, value.lineno, (render(calls[0]),))]
    if isinstance(value, ast.Constant) and isinstance(value.value, bool | str | int):
        kept = value.value if not isinstance(value.value, int) or value.value in INT_RANGE else None
        return [Assignment(name, value.lineno, (kept,))]
    if isinstance(value, ast.Dict):
        return [
            Assignment(f"{name}.{k.value}", v.lineno, tuple(render(e) for e in v.elts))
            for k, v in zip(value.keys, value.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str) and isinstance(v, ast.List | ast.Tuple)
        ]
    return []


def _visit(walk: _Walk, node: ast.AST, scope: str, loop: int) -> str:
    """Record what this node says; return the scope its children are in."""
    cls = node.__class__  # exact classes (see build_index) in sets first: this runs for every node
    if cls in _DEFINITION_TYPES and isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
        _statement_lists(walk, node)
        return _definition(walk, node, scope)
    if cls is ast.Call and isinstance(node, ast.Call):
        walk.pending.append((node, scope, loop))
    elif cls in _BINDING_TYPES and isinstance(node, _BINDINGS):
        _bound_calls(walk, node, scope)
    elif cls is ast.ImportFrom and isinstance(node, ast.ImportFrom):
        _relative_import(walk, node)
    elif cls in _LOOP_TYPES and isinstance(node, _LOOPS):
        walk.loops.append(_over_local_list(walk, loop_fact(node, scope, loop), node, scope))
        for part in _outside_parts(node):
            walk.outside[id(part)] = loop
    else:
        _leaf(walk, node, cls, scope)
    if cls is ast.If and isinstance(node, ast.If):
        _keyed_memo(walk, node)
        _when_none(walk, node, scope)
        walk.ifs.setdefault(scope, []).append(node)
    if cls in _COMPOUND_TYPES:
        _statement_lists(walk, node)
    return scope


def _keyed_memo(walk: _Walk, node: ast.If) -> None:
    """``if key not in cache: cache[key] = f(...)``: the calls whose result the branch stores under a key of the
    mapping its test checks, so they run once per distinct key (``walk.memo``). A branch that stores into the
    mapping at its top level runs once per distinct key as a whole (tandoor's ``if not t in types:
    t_obj = MealType.objects.get_or_create(...)[0]; types[t] = t_obj.pk``): every call in it is."""
    mapping = _checked_mapping(node.test)
    if mapping is None:
        return
    if any(
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Subscript)
        and _mapping_root(stmt.targets[0]) == mapping
        for stmt in node.body
    ):
        walk.memo.update(id(call) for call in _calls_in(node.body))


def _checked_mapping(test: ast.expr) -> str | None:
    """The mapping ``key not in mapping`` (or ``not key in mapping``) tests, None for any other test."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Compare):
        inner = test.operand
        if len(inner.ops) == 1 and isinstance(inner.ops[0], ast.In):
            return _mapping_root(inner.comparators[0])
        return None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn):
        return _mapping_root(test.comparators[0])
    return None


def _when_none(walk: _Walk, node: ast.If, scope: str) -> None:
    """``if p is None: ...`` / ``if p is not None: ... else: ...`` on a parameter ``p`` of the enclosing function:
    the calls of the branch taken when it is None run only when the caller did not pass it (``walk.when_none``)."""
    test = node.test
    if not (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is | ast.IsNot)
        and isinstance(test.left, ast.Name)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return
    own = walk.functions.get(scope)
    args = own[0].args if own is not None else None
    if args is None or test.left.id not in {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}:
        return
    for call in _calls_in(node.body if isinstance(test.ops[0], ast.Is) else node.orelse):
        walk.when_none.setdefault(id(call), test.left.id)


def _calls_in(statements: list[ast.stmt]) -> Iterator[ast.Call]:
    """Every call of a branch, nested ones included."""
    return (inner for stmt in statements for inner in ast.walk(stmt) if isinstance(inner, ast.Call))


def _mapping_root(node: ast.expr) -> str | None:
    """``cache``, ``self._cache`` for ``cache[a][b]``, ``self._cache[a]``, ``cache``: the mapping under the keys."""
    while isinstance(node, ast.Subscript):
        node = node.value
    return dotted(node)


def _relative_import(walk: _Walk, node: ast.ImportFrom) -> None:
    """``from .dao import get_user`` -> ("get_user", ".dao.get_user"); absolute imports are the module's."""
    for alias in node.names if node.level else ():
        if alias.name != "*":
            prefix = "." * node.level + (f"{node.module}." if node.module else "")
            walk.relative[alias.asname or alias.name] = prefix + alias.name


def _leaf(walk: _Walk, node: ast.AST, cls: type, scope: str) -> None:
    """An awaited call, an identity attribute read, a URL/DSN/SQL string."""
    if cls is ast.Await and isinstance(node, ast.Await):
        if isinstance(node.value, ast.Call):
            walk.awaited.add(id(node.value))
    elif cls is ast.Attribute and isinstance(node, ast.Attribute):
        # read, not assigned: ``photo.owner = request.user`` reads the caller but no owner
        if scope and node.attr in IDENTITY_ATTRS and isinstance(node.ctx, ast.Load) and (name := dotted(node)):
            walk.reads.add((scope, name))
    elif cls is ast.Constant and isinstance(node, ast.Constant) and isinstance(node.value, str):
        kind = classify_string(node.value)
        if kind:
            walk.strings.append(StringFact(kind, node.value[:200], node.lineno))


_MUTATORS = frozenset({"append", "extend", "insert", "__setitem__", "__iadd__"})


def _bind_local(walk: _Walk, scope: str, name: str, value: ast.expr) -> None:
    """Keep the size of a non-empty literal list or tuple a function binds to a name once (kitsune's ``reports =
    [(CODE, [...]), ...]`` in ``cohort_analysis``); a second binding makes the name's length unknown."""
    key = (scope, name)
    size = len(value.elts) if isinstance(value, ast.List | ast.Tuple) else 0
    if isinstance(value, ast.List | ast.Tuple) and any(isinstance(e, ast.Starred) for e in value.elts):
        size = 0
    walk.local_lists[key] = size if size and key not in walk.local_lists else -1


def _over_local_list(walk: _Walk, fact: Loop, node: ast.AST, scope: str) -> Loop:
    """A for loop over a name its function bound to a literal runs a fixed number of times, like ``for x in [a,
    b]``; ``_undo_changed_lists`` takes it back when the function appends to the list."""
    if fact.iter_size >= 0 or not isinstance(node, ast.For | ast.AsyncFor) or not isinstance(node.iter, ast.Name):
        return fact
    size = walk.local_lists.get((scope, node.iter.id), -1)
    if size <= 0:
        return fact
    walk.literal_loops.append((len(walk.loops), scope, node.iter.id))
    return replace(fact, iter_size=size)


def _undo_changed_lists(walk: _Walk) -> None:
    """A list the function appends to, extends, adds to or rebinds after the loop is not the literal any more."""
    for loop_id, scope, name in walk.literal_loops:
        nodes = walk.functions[scope][1] if scope in walk.functions else []
        changed = walk.local_lists.get((scope, name), -1) < 0 or any(
            (isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and n.target.id == name)
            or (
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and isinstance(n.func.value, ast.Name)
                and n.func.value.id == name
                and n.func.attr in _MUTATORS
            )
            for n in nodes
        )
        if changed:
            walk.loops[loop_id] = replace(walk.loops[loop_id], iter_size=-1)


def _bound_calls(
    walk: _Walk, node: ast.Assign | ast.AnnAssign | ast.AugAssign | ast.With | ast.AsyncWith, scope: str
) -> None:
    """The name a call's result is bound to: ``x = f()``, ``x: T = await f()``, ``with f() as x``; the name an
    ``x |= f()`` combines it into; and an environment read with an ``or`` fallback bound to a name."""
    if isinstance(node, ast.AugAssign):
        combines = isinstance(node.op, ast.BitOr | ast.BitAnd) and isinstance(node.value, ast.Call)
        if combines and isinstance(node.target, ast.Name):
            walk.combined[id(node.value)] = node.target.id
        return
    if isinstance(node, ast.With | ast.AsyncWith):
        pairs = [(item.optional_vars, item.context_expr) for item in node.items if item.optional_vars is not None]
    elif isinstance(node, ast.Assign):
        pairs = [(node.targets[0], node.value)] if len(node.targets) == 1 else []
    else:
        pairs = [(node.target, node.value)] if node.value is not None else []
    for target, bound in pairs:
        value = bound.value if isinstance(bound, ast.Await) else bound
        if isinstance(target, ast.Name) and scope in walk.functions:
            _bind_local(walk, scope, target.id, value)
        name = dotted(target)
        if name and isinstance(value, ast.Call):
            walk.assigned[id(value)] = name
        elif value.__class__ is ast.BoolOp and isinstance(value, ast.BoolOp):
            found = env_or_default(value, target, scope, walk.module.qualname)
            if found is not None:
                walk.env_defaults.append(found)


def _outside_parts(node: ast.For | ast.AsyncFor | ast.While | ast.expr) -> list[ast.AST]:
    """The parts of a loop that run once, outside its iterations (a for's iterable, the else branch, a
    comprehension's first iterable)."""
    if isinstance(node, ast.For | ast.AsyncFor):
        return [node.iter, node.target, *node.orelse]
    if isinstance(node, ast.While):
        return list(node.orelse)
    if isinstance(node, _COMPREHENSIONS):
        return [node.generators[0].iter]
    return []


def _statement_lists(walk: _Walk, node: ast.AST) -> None:
    """Number each statement list of this statement; remember the position of calls that are a statement."""
    for name in ("body", "orelse", "finalbody"):
        stmts = getattr(node, name, None)
        if not isinstance(stmts, list) or not stmts or not isinstance(stmts[0], ast.stmt):
            continue
        walk.blocks += 1
        for position, stmt in enumerate(stmts):
            call = statement_call(stmt)
            if call is not None:
                walk.statements[id(call)] = (walk.blocks, position)
    for handler in getattr(node, "handlers", None) or ():
        _statement_lists(walk, handler)


def statement_call(stmt: ast.stmt) -> ast.Call | None:
    """The call a statement is (``f()``, ``await f()``, ``x = await f()``, ``return await f()``), else None."""
    value: ast.expr | None = None
    if isinstance(stmt, ast.Expr | ast.Return | ast.AnnAssign) or (
        isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
    ):
        value = stmt.value
    if isinstance(value, ast.Await):
        value = value.value
    return value if isinstance(value, ast.Call) else None


def _definition(walk: _Walk, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, scope: str) -> str:
    qualname = f"{scope}.{node.name}" if scope else node.name
    module = walk.module
    decorators = tuple(
        Decorator(
            raw=dotted(d.func if isinstance(d, ast.Call) else d) or "",
            target=module.qualname(d.func if isinstance(d, ast.Call) else d),
            line=d.lineno,
            args=call_args(d) if isinstance(d, ast.Call) else (),
            is_call=isinstance(d, ast.Call),
        )
        for d in node.decorator_list
    )
    if isinstance(node, ast.ClassDef):
        attrs = _class_attrs(node)
        walk.definitions.append(
            Definition(
                node.name,
                qualname,
                "class",
                node.lineno,
                node.end_lineno or node.lineno,
                decorators,
                bases=tuple(d for b in node.bases if (d := dotted(b))),
                class_attrs=tuple(attr for attr, _line in attrs),
                class_attr_lines=tuple(line for _attr, line in attrs),
            )
        )
        walk.env_defaults += settings_defaults(node, qualname, module.qualname) if node.bases else []
        return qualname
    args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
    defaults = dict(
        zip([a.arg for a in (node.args.posonlyargs + node.args.args)][::-1], node.args.defaults[::-1], strict=False)
    )
    defaults.update({a.arg: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d})
    walk.definitions.append(
        Definition(
            node.name,
            qualname,
            "async_function" if isinstance(node, ast.AsyncFunctionDef) else "function",
            node.lineno,
            node.end_lineno or node.lineno,
            decorators,
            params=tuple(a.arg for a in args),
            positional=len(node.args.posonlyargs) + len(node.args.args),
            param_defaults=(
                *((name, make_arg(name, d)) for name, d in defaults.items() if isinstance(d, ast.Call)),
                *_annotated(args),
            ),
        )
    )
    walk.functions[qualname] = (node, [])
    return qualname


def _dependency_calls(node: ast.expr) -> list[ast.Call]:
    """``Depends(...)``/``Security(...)`` inside an annotation (``Annotated[User, Depends(me)]``)."""
    return [
        n
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and (dotted(n.func) or "").rsplit(".", 1)[-1] in {"Depends", "Security"}
    ]


def _annotated(args: list[ast.arg]) -> Iterator[tuple[str, Arg]]:
    """Dependencies declared in parameter annotations: inline ``Annotated[..., Depends(f)]`` as the call,
    a bare alias name (``user: CurrentUser``) as the name, resolved against module aliases later."""
    for a in args:
        if a.annotation is None:
            continue
        calls = _dependency_calls(a.annotation)
        if calls:
            yield a.arg, make_arg(a.arg, calls[0])
        elif (name := dotted(a.annotation)) is not None:
            yield a.arg, Arg(a.arg, name=name)


def _class_attrs(node: ast.ClassDef) -> list[tuple[tuple[str, tuple[str, ...]], int]]:
    """Each attribute assigned names or a literal, with its line."""
    found: list[tuple[tuple[str, tuple[str, ...]], int]] = []
    for stmt in node.body:
        # ``permission_classes: ClassVar[list] = [IsAdminUser]`` too: ruff's RUF012 asks for the annotation
        target, value = _single_binding(stmt)
        if target is None or value is None:
            continue
        if isinstance(value, ast.List | ast.Tuple):
            names = tuple(
                d or str(literal(e)) for e in value.elts if (d := dotted(e) or _combined(e)) or literal(e) is not None
            )
            found.append(((target, names), stmt.lineno))
        elif (d := dotted(value)) or isinstance(literal(value), str | bool):
            found.append(((target, (d or str(literal(value)),)), stmt.lineno))
    return found


def _single_binding(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """``name = value`` or ``name: annotation = value``: the name and the value, else (None, None)."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return stmt.target.id, stmt.value
    return None, None


def _combined(node: ast.expr) -> str | None:
    """DRF's composed permission (``(IsOwner | IsShared) & HasScope``) as written, or None: an entry of
    ``permission_classes`` that is neither a name nor a literal, kept for the route reader to judge."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
        return ast.unparse(node)
    return None


def _call(walk: _Walk, node: ast.Call, scope: str, flow: FunctionFlow | None, loop: int) -> CallSite:
    flow = flow or FunctionFlow()
    resolve = flow.resolver(walk.module.qualname)
    tainted: list[tuple[str, str, tuple[str, ...]]] = []
    for position, arg in enumerate(node.args if flow.reads_request else ()):
        hit = expr_taint(arg, flow, resolve)
        if hit:
            tainted.append((str(position), *hit))
    for kw in node.keywords if flow.reads_request else ():
        hit = expr_taint(kw.value, flow, resolve)
        if hit:
            tainted.append((kw.arg or "**", *hit))
    chain = attr_chain(node.func)
    raw = dotted(node.func) or (".".join(chain) if chain else "")
    return CallSite(
        raw=raw,
        target=resolve(node.func),
        line=node.lineno,
        end_line=node.end_lineno or node.lineno,
        function=scope,
        args=call_args(node),
        assigned_to=walk.assigned.get(id(node)),
        tainted=tuple(tainted),
        built_by=string_building(node.args[0], flow) if node.args else None,
        awaited=(awaited := id(node) in walk.awaited),
        loop=loop,
        reads=names_read(node) if loop >= 0 or awaited else (),
        block=walk.statements.get(id(node), (-1, -1))[0] if awaited else -1,
        position=walk.statements.get(id(node), (-1, -1))[1] if awaited else -1,
        star_kwargs=any(k.arg is None for k in node.keywords),
        keyed_memo=id(node) in walk.memo,
        when_none=walk.when_none.get(id(node)),
        branch=branch_conditions(node, walk.ifs.get(scope, ())) if switches_on(node) else (),
        combined_into=walk.combined.get(id(node)),
    )
