"""A small intra-procedural data flow: which local names of a function hold values read from the
request, and how a string passed to a call was built. Flow-insensitive within one function (a name
tainted anywhere is tainted everywhere in it), which is what a reviewer reading the handler assumes."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from redline.sources.code.astwalk import child_nodes, walk_nodes
from redline.sources.code.items import ITEM_READS, Store, call_stores, copied_items, mutates, target_store

#: attributes of Flask's ``request`` proxy that hold caller-controlled data
FLASK_ATTRS = frozenset(
    {
        "args",
        "form",
        "json",
        "values",
        "headers",
        "cookies",
        "data",
        "files",
        "get_json",
        "get_data",
        "view_args",
        "url",
        "full_path",
        "base_url",
        "path",
    }
)
#: attributes of a ``request`` parameter (Django, DRF, aiohttp, Starlette) that hold caller data
REQUEST_ATTRS = frozenset(
    {
        "GET",
        "POST",
        "body",
        "COOKIES",
        "META",
        "FILES",
        "data",
        "query_params",
        "query",
        "match_info",
        "post",
        "json",
        "text",
        "read",
        "rel_url",
        "headers",
        "cookies",
        "content",
        "path_params",
        "form",
        "query_string",
        "url",
        "path",
        "path_info",
        "get_full_path",
        "params",  # Pyramid/WebOb, Falcon
        "matchdict",  # Pyramid's URL
        "json_body",  # Pyramid
        "args",  # Sanic
    }
)
REQUEST_NAMES = frozenset({"request", "req"})
#: objects a value is stored on without making the object caller data: the request (pretalx's
#: ``request.access_code = code``) and the view (nautobot's ``self.key_params = {...}``); the attribute holds it
_HOLDERS = REQUEST_NAMES | {"self"}
#: route decorator attribute names whose handler parameters are request values (FastAPI, Starlette)
ROUTE_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route", "route", "websocket"})
#: FastAPI parameter defaults that still read the request
REQUEST_PARAM_DEFAULTS = frozenset({"Query", "Path", "Body", "Form", "Header", "Cookie", "File"})
#: handler parameters that are not request values: the object, the class, and the request object itself (Pyramid's
#: and cornice's ``def view(request)``, aiohttp's, Sanic's): what it holds is read through its attributes
#: (``request.params``, not ``request.registry.settings``, the application's)
_NOT_VALUES = frozenset({"self", "cls"}) | REQUEST_NAMES
#: annotations of handler parameters that are not request values
NOT_REQUEST_VALUES = frozenset(
    {"Request", "Response", "BackgroundTasks", "WebSocket", "Session", "AsyncSession", "HTTPConnection"}
)
#: annotations the framework converts a request value to before the handler sees it: never text
TYPED_SCALARS = frozenset({"int", "float", "bool", "UUID", "UUID4", "date", "datetime", "PositiveInt", "conint"})

Resolver = Callable[[ast.expr], "str | None"]
#: a step of a path before it is spelled: a string, or a call whose name is looked up only when a path through
#: it reaches a source (most calls a value goes through carry none)
Mark = str | ast.Call
#: a name an expression reads, the marks of its path, and whether it is read through an attribute (``w.data_dir``,
#: ``w.save()``; not ``w.get("k")``, an item): what a name tainted only in its items does not give
NamePath = tuple[str, tuple[Mark, ...], bool]


@dataclass
class FunctionFlow:
    """Tainted names (name -> (source, via names)) and strings built by formatting (name -> how)."""

    tainted: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    formatted: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    #: the function's parameters: a parameter named like an import (``request``) shadows it
    params: frozenset[str] = frozenset()
    #: whether the function mentions a request at all; when not, no call in it needs a taint look-up
    reads_request: bool = False
    #: whether reads of a request are sources; off in a parameter flow, where only the parameters are
    from_request: bool = True
    #: parameters still holding the caller's value: rebinding one (``uid = int(uid)``) replaces it
    seeded: set[str] = field(default_factory=set)
    #: whether a tainted value was stored on the request (a dotted name in ``tainted``): only then are attribute
    #: reads looked up there
    stored: bool = False
    #: tainted names whose request data sits only in their items (``watch.update(form)``, ``watch["k"] = v``):
    #: ``watch["k"]``, ``watch.get("k")``, iterating it and passing it on carry it, its attributes do not
    items: set[str] = field(default_factory=set)

    def resolver(self, resolve: Resolver) -> Resolver:
        """``resolve`` with the function's parameters shadowing module imports."""

        def local(node: ast.expr) -> str | None:
            root = attr_chain(node)
            return None if root and root[0] in self.params else resolve(node)

        return local


def attr_chain(node: ast.expr) -> list[str] | None:
    """``self.request.GET.get`` -> ["self", "request", "GET", "get"]; None when not rooted at a name."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call | ast.Subscript | ast.Await):
            node = node.func if isinstance(node, ast.Call) else node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            return parts[::-1]
        else:
            return None


def request_source(node: ast.expr, resolve: Resolver) -> str | None:
    """The request value an attribute access reads (``flask.request.args``, ``request.GET``)."""
    if not isinstance(node, ast.Attribute):
        return None
    chain = attr_chain(node)
    if not chain or len(chain) < 2:
        return None
    if chain[0] == "self":
        chain = chain[1:]
    if len(chain) < 2:
        return None
    qual = resolve(ast.Name(id=chain[0]))
    if qual == "flask.request" and chain[1] in FLASK_ATTRS:
        return f"flask.request.{chain[1]}"
    if qual is None and chain[0] in REQUEST_NAMES and chain[1] in REQUEST_ATTRS:
        return f"{chain[0]}.{chain[1]}"
    return None


#: the keys the Referer header is read by as an item (Django's ``request.META["HTTP_REFERER"]``, Werkzeug's
#: ``request.headers["Referer"]``)
_REFERER_KEYS = frozenset({"HTTP_REFERER", "Referer", "referer"})
#: what a Referer read as an item is spelt as: the source, then the key (rules tell it from other headers by it)
REFERER_ITEM = "[Referer]"


def _referer_item(node: ast.Subscript | ast.Attribute, resolve: Resolver) -> str | None:
    """``request.META["HTTP_REFERER"]`` (or Argus's ``request.META.HTTP_REFERER``) -> ``request.META[Referer]``: the
    header the browser sets to the page the user just left, kept apart from the rest of ``META``/``headers``; None
    for any other subscript or attribute."""
    if isinstance(node, ast.Attribute):
        key: object = node.attr
    else:
        key = node.slice.value if isinstance(node.slice, ast.Constant) else None
    if not (isinstance(key, str) and key in _REFERER_KEYS):
        return None
    read = request_source(node.value, resolve)
    return f"{read}{REFERER_ITEM}" if read is not None and read.endswith((".META", ".headers")) else None


#: methods of a value whose result no longer holds its text as written (an encoding, a digest, a test)
VALUE_METHODS = frozenset(
    {"urlencode", "hexdigest", "digest", "isdigit", "isnumeric", "isdecimal", "isalnum", "isalpha", "count"}
    | {"startswith", "endswith"}  # a test: True or False, whatever the text
    # the server's own temporary copy of an upload (Django's ``UploadedFile.temporary_file_path()``), not its name
    | {"temporary_file_path"}
)
#: the mark a value gets when it is placed after the start of a built string (``f"https://api/{x}"``): it
#: cannot choose the scheme or host of a URL, though it can still walk a file path or break SQL
AFTER_PREFIX = "[after prefix]"
#: the step of a path read as an object's ``.name`` (Django's ``UploadedFile.name`` is a checked base name)
NAME_ATTRIBUTE = "[.name]"
#: the step of a path that is a subscript's index: a table of the program's looked up by the caller's key holds the
#: program's data (an allow-list's entry; pgAdmin's pickled command object in ``session["gridData"][str(trans_id)]``),
#: though which item is read depends on the key (per-item work does)
INDEX_KEY = "[key]"


def expr_taint(expr: ast.AST, flow: FunctionFlow, resolve: Resolver) -> tuple[str, tuple[str, ...]] | None:
    """The request value this expression carries, with the local names it went through, the calls it was
    passed to (``os.path.basename()``: each rule knows which calls clean a value for its sink and which only
    carry it) and its position in a built string (``AFTER_PREFIX``); a value that went through no call and
    sits at the start is preferred (``_preferred``)."""
    return _preferred(_taint_hits(expr, flow, resolve))


def _preferred(hits: Iterable[tuple[str, tuple[str, ...]]]) -> tuple[str, tuple[str, ...]] | None:
    """The hit an expression's taint is: the first that went through no call and sits at the start; else the first
    that did not only choose an item (``INDEX_KEY``: clean at every sink, so it must not hide a value that is not,
    as in ``os.path.join(SUFFIXES[lang], name)``); else the first."""
    first: tuple[str, tuple[str, ...]] | None = None
    keyed: tuple[str, tuple[str, ...]] | None = None
    for hit in hits:
        if not any(marked(step) for step in hit[1]):
            return hit
        if INDEX_KEY in hit[1]:
            keyed = keyed or hit
        else:
            first = first or hit
    return first or keyed


def marked(step: str) -> bool:
    """Whether a step of a path is a call or a string position rather than a local name."""
    return step.endswith("()") or step.startswith("[")


def _taint_hits(expr: ast.AST, flow: FunctionFlow, resolve: Resolver) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every request value in the expression with its path; iterative, so deep nesting cannot overflow."""
    stack: list[tuple[ast.AST, tuple[Mark, ...]]] = [(expr, ())]
    item_reads: set[int] = set()  # id() of ``w.get`` in ``w.get("k")``: an item read, not an attribute
    while stack:
        node, marks = stack.pop()
        if flow.items and _through_attribute(node, item_reads) in flow.items:
            continue  # an attribute of an object tainted only in its items (``watch.data_dir``)
        if isinstance(node, ast.Name) and node.id in flow.tainted:
            source, via = flow.tainted[node.id]
            yield source, (*via, node.id, *_spelled(marks, resolve))
            continue
        if flow.stored and isinstance(node, ast.Attribute) and (path := dotted_text(node)) in flow.tainted:
            source, via = flow.tainted[path]  # a value stored on the request, read back (``_names``)
            yield source, (*via, path, *_spelled(marks, resolve))
            continue
        if isinstance(node, ast.Attribute) and flow.from_request:
            read = _referer_item(node, resolve) or request_source(node, resolve)
            if read is not None:
                yield read, _spelled(marks, resolve)
                continue
        if isinstance(node, ast.Subscript) and flow.from_request and (referer := _referer_item(node, resolve)):
            yield referer, _spelled(marks, resolve)
            continue
        stack.extend(reversed(list(_children(node, marks))))


#: the node classes ``_through_attribute`` answers for
_ITEM_SENSITIVE: frozenset[type] = frozenset({ast.Call, ast.Attribute})


def _through_attribute(node: ast.AST, item_reads: set[int]) -> str | None:
    """The name ``node`` reads an attribute of (``w`` for ``w.data_dir`` and ``w.save``), None for anything else and
    for the method of an item read (``w.get`` in ``w.get("k")``); an item read's method is recorded in
    ``item_reads`` when its call is met, before its function part is."""
    cls = node.__class__
    if cls is ast.Call and isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ITEM_READS:
            item_reads.add(id(func))
        return None
    if cls is ast.Attribute and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return None if id(node) in item_reads else node.value.id
    return None


def _children(node: ast.AST, marks: tuple[Mark, ...]) -> Iterator[tuple[ast.AST, tuple[Mark, ...]]]:
    """The node's children with the marks they get: a call's arguments (the call itself, spelled by
    ``_spelled`` only on a path that reaches a source), a string's later parts."""
    if isinstance(node, ast.Call):
        inner = (node, *marks)
        method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        # a method of a request value (``request.args.get``) is the value itself, unless it encodes or tests it
        yield node.func, (f"{method}()", *marks) if method in VALUE_METHODS else marks
        if (parts := _joined_parts(node)) is not None:  # ``"?".join([url, qs])``: as ``f"{url}?{qs}"``
            for position, part in enumerate(parts):
                yield part, (AFTER_PREFIX, *inner) if position else inner
            return
        for a in (*node.args, *(k.value for k in node.keywords)):
            yield a, inner
        return
    if isinstance(node, ast.JoinedStr):
        for position, value in enumerate(node.values):
            yield value, (AFTER_PREFIX, *marks) if position else marks
        return
    narrowed = _narrowed(node, marks)
    if narrowed is not None:
        yield from narrowed
        return
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        left = node.left
        template = left.value if isinstance(left, ast.Constant) and isinstance(left.value, str) else None
        yield left, marks
        if template is not None and isinstance(node.op, ast.Mod) and isinstance(node.right, ast.Tuple):
            after = _after_text(template)
            for position, value in enumerate(node.right.elts):
                yield value, (AFTER_PREFIX, *marks) if position < len(after) and after[position] else marks
            return
        leading = template is not None and template.startswith("%")
        yield node.right, marks if leading and isinstance(node.op, ast.Mod) else (AFTER_PREFIX, *marks)
        return
    for child in child_nodes(node):
        yield child, marks


def _joined_parts(call: ast.Call) -> list[ast.expr] | None:
    """The parts of a literal list a non-empty literal separator joins (umap's ``"?".join([canonical, qs])``): each
    after the first follows text, as in an f-string; None for any other call."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "join" and len(call.args) == 1 and not call.keywords):
        return None
    separator, parts = func.value, call.args[0]
    if not (isinstance(separator, ast.Constant) and isinstance(separator.value, str) and separator.value):
        return None
    if not isinstance(parts, ast.List | ast.Tuple) or any(isinstance(e, ast.Starred) for e in parts.elts):
        return None
    return parts.elts


def _narrowed(node: ast.AST, marks: tuple[Mark, ...]) -> list[tuple[ast.AST, tuple[Mark, ...]]] | None:
    """The children that carry the node's value when not all of them do, or None when all do."""
    if isinstance(node, ast.IfExp):  # the condition only chooses a branch: ``"A" if x else "B"`` is a constant
        return [(node.body, marks), (node.orelse, marks)]
    if isinstance(node, ast.Compare):  # True or False, whatever its operands hold
        return []
    if isinstance(node, ast.Attribute) and node.attr == "name":
        return [(node.value, (NAME_ATTRIBUTE, *marks))]
    if isinstance(node, ast.Subscript):
        # the index only chooses an item (``INDEX_KEY``): the item depends on it, but holds the caller's data only
        # when the container does
        return [(node.value, marks), (node.slice, (INDEX_KEY, *marks))]
    return None


#: a ``%`` conversion of printf-style formatting (``%s``, ``%(name)s``, ``%-5.2f``); ``%%`` is a literal percent
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsab%]")


def _after_text(template: str) -> list[bool]:
    """For each conversion of a printf-style template, whether literal text comes before it: in ``"%s?%s"`` the
    second value follows a ``?`` and cannot choose a URL's scheme or host, whatever the first one holds."""
    found: list[bool] = []
    text = False
    end = 0
    for match in _PERCENT.finditer(template):
        text = text or match.start() > end
        end = match.end()
        if match.group() == "%%":
            text = True
        else:
            found.append(text)
    return found


def _format_marks(call: ast.Call, marks: tuple[Mark, ...]) -> tuple[Mark, ...]:
    """``"https://api/{}".format(x)``: an argument of a literal template not starting with a placeholder."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "format"
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, str)
        and not func.value.value.startswith("{")
    ):
        return (AFTER_PREFIX, *marks)
    return marks


def dotted_text(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def string_building(expr: ast.AST, flow: FunctionFlow) -> str | None:
    """How a string expression was built from parts: fstring / format / percent / concat, or None."""
    if isinstance(expr, ast.JoinedStr) and any(isinstance(v, ast.FormattedValue) for v in expr.values):
        return "fstring"
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
        and isinstance(expr.func.value, ast.Constant)
        and isinstance(expr.func.value.value, str)
    ):
        return "format"
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and _is_str(expr.left, flow):
        return "percent"
    if (
        isinstance(expr, ast.BinOp)
        and isinstance(expr.op, ast.Add)
        and (_is_str(expr.left, flow) or _is_str(expr.right, flow))
    ):
        return "concat"
    if isinstance(expr, ast.Name):
        return flow.formatted.get(expr.id)
    return None


def _is_str(node: ast.expr, flow: FunctionFlow) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_str(node.left, flow) if isinstance(node.op, ast.Add | ast.Mod) else False
    return isinstance(node, ast.Name) and node.id in flow.formatted


def _own_statements(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """Every node in the function's body, in source order, not entering nested functions or classes."""
    stack: list[ast.AST] = list(reversed(fn.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        stack.extend(reversed(child_nodes(node)))


def _bindings(node: ast.AST) -> Iterator[tuple[ast.expr, ast.AST]]:
    """(target, value) pairs a statement binds."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            yield target, node.value
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value is not None:
        yield node.target, node.value if not isinstance(node, ast.AugAssign) else node
    elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
        yield node.target, node.iter
    elif isinstance(node, ast.withitem) and node.optional_vars is not None:
        yield node.optional_vars, node.context_expr


def _stores(node: ast.AST) -> Iterator[tuple[list[str], ast.AST, Store]]:
    """(names, value, how) for each binding of a statement or part: a name rebound, or a local object whose items
    or attributes a subscript/attribute target or a mutating call (``w.update(v)``, ``setattr(w, k, v)``) change."""
    if node.__class__ is ast.Call and isinstance(node, ast.Call):
        for name, argument, store in call_stores(node):
            if name not in REQUEST_NAMES:  # the request itself is never a mapping the handler fills
                yield [name], argument, store
        return
    for target, value in _bindings(node):
        mutated = target_store(target)
        if mutated is None or mutated[0] in _HOLDERS:  # stored on the request or the view: ``_names``
            yield _names(target), value, Store.NAME
        else:
            yield [mutated[0]], value, mutated[1]


def _names(target: ast.expr) -> list[str]:
    """The names a binding target binds, in ``ast.walk``'s order (a plain name without a walk)."""
    if target.__class__ is ast.Name and isinstance(target, ast.Name):
        return [target.id]
    names = [n.id for n in _bound_nodes(target) if isinstance(n, ast.Name)]
    base = target
    while isinstance(base, ast.Attribute | ast.Subscript):
        base = base.value
    if base is not target and isinstance(base, ast.Name) and base.id in _HOLDERS:
        # a value stored on the request (pretalx's ``request.access_code = code``) or on the view (nautobot's
        # ``self.key_params = {...}``) does not make the object caller data (passing ``request`` on, or any
        # ``self.method()``, would carry it into every callee's sink): the attribute it is stored under holds it
        # (``request.session["next"] = ...`` -> ``request.session``)
        names.remove(base.id)
        stored = target
        while isinstance(stored, ast.Subscript):
            stored = stored.value
        path = dotted_text(stored) if stored is not base else None
        if path is not None:
            names.append(path)
    return names


def _bound_nodes(target: ast.expr) -> list[ast.AST]:
    """The target's nodes in breadth-first order, without the index of a subscript: its names are read, not bound
    (``request.session[self.redirect_field_name] = next_page`` stores into the session, not into ``self``)."""
    out: list[ast.AST] = [target]
    for current in out:  # the list grows while it is read
        out.extend((current.value,) if isinstance(current, ast.Subscript) else child_nodes(current))
    return out


def handler_params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """FastAPI/Starlette-style handler parameters that carry request values (name -> source)."""
    if not any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_VERBS
        for d in fn.decorator_list
    ):
        return {}
    args = fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs
    defaults: list[ast.expr | None] = [None] * (len(fn.args.posonlyargs + fn.args.args) - len(fn.args.defaults))
    defaults += [*fn.args.defaults, *fn.args.kw_defaults]
    found: dict[str, str] = {}
    for arg, default in zip(args, defaults, strict=False):
        chain = attr_chain(arg.annotation) if arg.annotation is not None else None
        if arg.arg in _NOT_VALUES or (chain and chain[-1] in NOT_REQUEST_VALUES | TYPED_SCALARS):
            continue
        if default is not None:
            call = attr_chain(default.func) if isinstance(default, ast.Call) else None
            if not call or call[-1] not in REQUEST_PARAM_DEFAULTS:
                continue
        found[arg.arg] = f"param:{arg.arg}"
    return found


def function_flow(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolver, nodes: list[ast.AST] | None = None
) -> FunctionFlow:
    """Tainted and formatted local names of one function, to a fixed point (two passes suffice for the
    straight-line code of a handler; a third catches a loop that feeds itself). ``nodes`` are the function's
    own nodes in source order when the caller has them already (the index's single walk)."""
    args = fn.args
    flow = FunctionFlow(params=frozenset(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)))
    resolve = flow.resolver(resolve)
    for name, source in handler_params(fn).items():
        flow.tainted[name] = (source, ())
        flow.lines[name] = fn.lineno
    nodes = list(_own_statements(fn)) if nodes is None else nodes
    names = {n.id for n in nodes if n.__class__ is ast.Name and isinstance(n, ast.Name)}
    # a name resolves by its text alone (an import, unless a parameter shadows it): each is looked up once
    flow.reads_request = bool(flow.tainted) or any(
        name in REQUEST_NAMES or resolve(ast.Name(id=name)) == "flask.request" for name in names
    )
    if not flow.reads_request:
        nodes = [n for n in nodes if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign)]  # formatting only
    nodes = [n for n in nodes if _binds(n)]
    for _ in range(3):
        before = (len(flow.tainted), len(flow.formatted), len(flow.items))
        for node in nodes:
            for bound, value, store in _stores(node):
                _bind(bound, value, store, flow, resolve)
        if (len(flow.tainted), len(flow.formatted), len(flow.items)) == before:
            break
    return flow


#: parameters that are never a caller's data in a parameter flow
_SELF = frozenset({"self", "cls"})


#: method names a sink is recognised by whatever its receiver (``cursor.execute``, ``session.get``,
#: ``env.from_string``): a call to one is followed for parameters even when the receiver is not resolved
METHOD_SINKS = frozenset(
    {"execute", "executemany", "executescript", "raw", "text", "extra", "from_string", "urlopen"}
    | {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}
)
#: builtins that are neither a sink nor a function of the project: a parameter passed to one leads nowhere
_NOWHERE = frozenset(
    {
        "len",
        "str",
        "int",
        "float",
        "bool",
        "isinstance",
        "issubclass",
        "getattr",
        "setattr",
        "hasattr",
        "print",
        "repr",
        "list",
        "dict",
        "set",
        "tuple",
        "sorted",
        "min",
        "max",
        "sum",
        "any",
        "all",
        "enumerate",
        "zip",
        "range",
        "type",
        "super",
        "iter",
        "next",
        "map",
        "filter",
        "id",
        "hash",
        "abs",
        "round",
        "callable",
        "vars",
        "frozenset",
        "bytes",
        "reversed",
    }
)


def leads_somewhere(call: ast.Call, resolve: Resolver, relative: dict[str, str]) -> bool:
    """Whether a parameter passed to this call can reach a sink: a sink a judge knows by name, a function of
    the module or the project (a bare name, ``self.m``, an imported or relatively imported name), or
    anything imported (a library sink is judged by its resolved target). A method of an unresolved object
    (``obj.save(x)``, ``logger.info(x)``) is not followed: no summary can be found for it."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id not in _NOWHERE
    if isinstance(func, ast.Attribute) and func.attr in METHOD_SINKS:
        return True
    chain = attr_chain(func)
    if not chain:
        return False
    return chain[0] in {"self", "cls"} or chain[0] in relative or resolve(func) is not None


#: statements and parts that bind names (what ``_bindings`` reads), and the calls that mutate one (``_stores``)
_BINDING_NODES = (
    ast.Call,
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.NamedExpr,
    ast.For,
    ast.AsyncFor,
    ast.comprehension,
    ast.withitem,
)


#: the same classes but the call, for exact-class look-ups
_BINDING_TYPES: frozenset[type] = frozenset(_BINDING_NODES) - {ast.Call}


def _binds(node: ast.AST) -> bool:
    """Whether ``_stores`` finds a binding in the node (a call only when it may mutate a local object)."""
    cls = node.__class__
    return cls in _BINDING_TYPES or (cls is ast.Call and isinstance(node, ast.Call) and mutates(node))


def names_in(node: ast.AST) -> frozenset[str]:
    """The local names an expression reads (a constant, a name and an attribute chain without a walk)."""
    if isinstance(node, ast.Constant):
        return frozenset()
    if isinstance(node, ast.Name):
        return frozenset((node.id,))
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return frozenset((node.value.id,))
    return frozenset(n.id for n in walk_nodes(node) if isinstance(n, ast.Name))


def followed_params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function has a parameter a parameter flow follows (any but ``self``/``cls``)."""
    args = fn.args
    return any(a.arg not in _SELF for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))


def param_flows(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, resolve: Resolver, nodes: list[ast.AST], used: frozenset[str]
) -> list[FunctionFlow]:
    """For each parameter but ``self``/``cls``, which local names of the function hold its value (source
    ``arg:<name>``): the half of a summary of which parameters reach which sinks. One flow per parameter, as a
    name holds one source in a flow and ``f"{a}{b}"`` carries both. ``used`` are the names the function's call
    arguments read: a parameter that reaches none of them by name gets no flow, and each flow reads only the
    bindings its parameter reaches, which keeps the index build close to its cost without them."""
    args = fn.args
    every = frozenset(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
    seeds = sorted(every - _SELF)
    if not seeds or not used:
        return []  # nothing is passed to a call: no sink, no callee
    bindings = [
        _Binding(value, names, store)
        for node in nodes
        if node.__class__ in _BINDING_TYPES or (node.__class__ is ast.Call and _binds(node))
        for names, value, store in _stores(node)
    ]
    flows = []
    for seed in seeds:
        reach = _reach(seed, bindings)
        if reach.isdisjoint(used):
            continue
        relevant = [binding for binding in bindings if binding.read & reach or seed in binding.bound]
        flows.append(_param_flow(fn, seed, every, resolve, relevant))
    return flows


class _Binding:
    """One binding of a function as a parameter flow reads it: the value, the names it reads, the names it binds
    (in order, and as a set), and the value's name paths (``name_paths``), walked the first time a flow finds a
    tainted name among those it reads (most bindings are never read by any flow)."""

    __slots__ = ("_paths", "bound", "names", "read", "store", "value")

    def __init__(self, value: ast.AST, names: list[str], store: Store) -> None:
        self.value = value
        self.read = names_in(value)
        self.names = names
        self.store = store
        self.bound = frozenset(names)
        self._paths: list[NamePath] | None = None

    def paths(self) -> list[NamePath]:
        if self._paths is None:
            self._paths = name_paths(self.value)
        return self._paths


def name_paths(expr: ast.AST) -> list[NamePath]:
    """Every name the expression reads, in ``_taint_hits``'s order, with the marks ``_children`` gives its
    path, calls left unspelled. Without request sources a parameter flow's hits are exactly the tainted ones
    of these, so each binding is walked once per function instead of once per parameter and pass."""
    if expr.__class__ is ast.Name and isinstance(expr, ast.Name):
        return [(expr.id, (), False)]
    found: list[NamePath] = []
    stack: list[tuple[ast.AST, tuple[Mark, ...]]] = [(expr, ())]
    item_reads: set[int] = set()
    while stack:
        node, marks = stack.pop()
        if node.__class__ is ast.Name and isinstance(node, ast.Name):
            found.append((node.id, marks, False))
            continue
        if node.__class__ in _ITEM_SENSITIVE and (owner := _through_attribute(node, item_reads)) is not None:
            named = isinstance(node, ast.Attribute) and node.attr == "name"  # as ``_children`` marks it
            found.append((owner, (NAME_ATTRIBUTE, *marks) if named else marks, True))
            continue
        stack.extend(reversed(list(_children(node, marks))))
    return found


def _spelled(marks: tuple[Mark, ...], resolve: Resolver) -> tuple[str, ...]:
    """The marks of a path as they read: a call by its resolved or written name, a nameless call by its
    template's position (``_format_marks``)."""
    out: list[str] = []
    for mark in marks:
        if isinstance(mark, str):
            out.append(mark)
        elif name := resolve(mark.func) or dotted_text(mark.func):
            out.append(f"{name}()")
        elif _format_marks(mark, ()):
            out.append(AFTER_PREFIX)
    return tuple(out)


def _path_taint(paths: list[NamePath], flow: FunctionFlow, resolve: Resolver) -> tuple[str, tuple[str, ...]] | None:
    """``expr_taint`` of a parameter flow from the value's name paths."""
    tainted, items = flow.tainted, flow.items
    return _preferred(
        (tainted[name][0], (*tainted[name][1], name, *_spelled(marks, resolve)))
        for name, marks, attribute in paths
        if name in tainted and not (attribute and name in items)
    )


def _reach(seed: str, bindings: list[_Binding]) -> set[str]:
    """The names a parameter's value can flow into, by name alone (an over-approximation of the flow)."""
    reach = {seed}
    grown = True
    while grown:
        grown = False
        for binding in bindings:
            if binding.read & reach and not binding.bound <= reach:
                reach |= binding.bound
                grown = True
    return reach


def _param_flow(
    fn: ast.FunctionDef | ast.AsyncFunctionDef,
    seed: str,
    params: frozenset[str],
    resolve: Resolver,
    bindings: list[_Binding],
) -> FunctionFlow:
    """One parameter's flow: a first pass in source order, then again only the bindings that read a name
    tainted at or after them (a loop feeding itself), at most three passes as ``function_flow``. A binding
    that reads no tainted name and rebinds no parameter changes nothing (a parameter flow's only sources are
    its tainted names; it records no string building) and is passed over without reading its value."""
    flow = FunctionFlow(params=params, reads_request=True, from_request=False, seeded={seed})
    flow.tainted[seed] = (f"arg:{seed}", ())
    flow.lines[seed] = fn.lineno
    resolve = flow.resolver(resolve)
    todo = list(enumerate(bindings))
    tainted, seeded = flow.tainted, flow.seeded
    for _ in range(3):
        when: dict[str, int] = {}
        for position, binding in todo:
            if binding.read.isdisjoint(tainted) and (
                binding.store is not Store.NAME or binding.bound.isdisjoint(seeded)
            ):
                continue
            known, only_items = set(tainted), set(flow.items)
            taint = _path_taint(binding.paths(), flow, resolve) if not binding.read.isdisjoint(tainted) else None
            _record(binding.names, binding.value, taint, None, flow, store=binding.store)
            when.update((name, position) for name in (flow.tainted.keys() - known) | (only_items - flow.items))
        todo = [(i, b) for i, b in enumerate(bindings) if any(when.get(n, -1) >= i for n in b.read)]
        if not todo:
            break
    return flow


def _bind(names: list[str], value: ast.AST, store: Store, flow: FunctionFlow, resolve: Resolver) -> None:
    """A binding as ``function_flow`` reads it (a parameter flow calls ``_record`` itself, without formatting)."""
    taint = expr_taint(value, flow, resolve)
    built = string_building(value.value if isinstance(value, ast.AugAssign) else value, flow)
    _record(names, value, taint, built if store is Store.NAME else None, flow, store=store)


def _record(
    names: list[str],
    value: ast.AST,
    taint: tuple[str, tuple[str, ...]] | None,
    built: str | None,
    flow: FunctionFlow,
    *,
    store: Store = Store.NAME,
) -> None:
    """What a binding of ``names`` to ``value`` makes of them: tainted (whole, or only in its items when the value
    goes into them or copies an object tainted so), built by formatting, or rebound. A mutation (``w["k"] = v``,
    ``w.update(v)``, ``w.a = v``) never rebinds a parameter: the name still holds the caller's object."""
    for name in names:
        if store is Store.NAME and name in flow.seeded and not isinstance(value, ast.AugAssign):
            # ``uid = int(uid)``: from here on the name holds what the rebinding made of the parameter
            flow.seeded.discard(name)
            flow.tainted.pop(name, None)
            flow.items.discard(name)
        if taint is not None:
            _taint(
                name,
                value,
                taint,
                store is Store.ITEMS or (store is Store.NAME and copied_items(value, flow.items)),
                flow,
            )
        if built is not None and name not in flow.formatted:
            flow.formatted[name] = built


def _taint(name: str, value: ast.AST, taint: tuple[str, tuple[str, ...]], items: bool, flow: FunctionFlow) -> None:
    """Taint the name (only its items when ``items``); a name tainted only in its items and now tainted whole
    (``w.a = form["a"]`` after ``w.update(form)``) is tainted whole from here on."""
    if name not in flow.tainted:
        flow.tainted[name] = taint
        flow.stored = flow.stored or "." in name
        flow.lines[name] = getattr(value, "lineno", 0)
        if items:
            flow.items.add(name)
    elif not items and name in flow.items:
        flow.items.discard(name)
        flow.tainted[name] = taint
