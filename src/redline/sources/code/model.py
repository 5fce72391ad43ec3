"""The facts of one module's code index: small, JSON-serialisable, kept for project-wide readers
(entry points, the map) and cached by content hash so an unchanged file is never parsed twice."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import msgspec

#: a literal scalar as the index keeps it
Scalar = str | int | float | bool | None
#: a literal argument value: a scalar or lists of them, nested at most three deep (deeper is None). Spelled
#: out rather than recursive so the index can be encoded by msgspec (cache entries and worker results).
Literal = Scalar | tuple[Scalar | tuple[Scalar | tuple[Scalar, ...], ...], ...]
#: lists nested deeper than this are kept as None
LITERAL_DEPTH = 3
#: integers the index keeps as values (msgpack's range); a larger constant is kept as None
INT_RANGE = range(-(2**63), 2**64)


class Arg(msgspec.Struct, frozen=True, omit_defaults=True, gc=False, array_like=True):
    """One argument of a call or decorator: its literal value when it is a constant, the dotted name
    it refers to when it is a name, and the call it is when it is a call (``Depends(auth)``). A msgspec
    struct, as ``CallSite`` is (see there)."""

    keyword: str | None  # None for a positional argument
    literal: Literal = None
    name: str | None = None  # dotted text as written (``views.index``)
    call: str | None = None  # dotted callee as written when the argument is a call
    call_args: tuple[str, ...] = ()  # dotted names or string literals passed positionally to that call
    #: the elements of a list/tuple argument, rendered (``Depends(get_user)``, ``IsAuthenticated``)
    items: tuple[str, ...] = ()


class CallSite(msgspec.Struct, frozen=True, omit_defaults=True, gc=False, array_like=True):
    """A call: the callee as written, its resolved dotted target when an import tells it, where it is,
    the function it is in and the name it is assigned to (``bp = Blueprint(...)``).

    Calls are four fifths of an index (171,000 on the Django sdist), so they are msgspec structs rather than
    frozen dataclasses: built several times faster, encoded without their default fields (half the bytes),
    decoded 2.8x faster (the main process decodes every index a worker sends back), and never tracked by
    the cyclic garbage collector (they hold only strings, numbers and tuples of them). Encoded as arrays
    (``array_like``: no field names, trailing defaults left out), as ``Arg`` is: the Django calls decode in
    81 ms instead of 107 ms and take 22 MB instead of 30 MB (index format 26). Change one with
    ``msgspec.structs.replace``."""

    raw: str  # dotted text as written (``bp.route``, ``cursor.execute``); "" when not a dotted name
    target: str | None  # resolved through imports (``flask.Blueprint``), None when unknowable
    line: int
    end_line: int
    function: str  # qualified name of the enclosing def, "" at module level
    args: tuple[Arg, ...] = ()
    assigned_to: str | None = None
    #: request values that reach an argument: ``(argument index or keyword, source, via names)``
    tainted: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    #: how the first argument's string was built when it was formatted: fstring / format / percent / concat
    built_by: str | None = None
    awaited: bool = False
    #: the innermost loop of the same function the call runs in: an index into ``CodeIndex.loops``, -1 when none
    loop: int = -1
    #: the local names the callee's receiver and arguments read (``get(id=book.author_id)`` -> ("book",)),
    #: kept for calls in a loop and awaited calls (what data dependency and per-item work are judged on), and in
    #: Go for calls that take request or parameter data (since index format 26)
    reads: tuple[str, ...] = ()
    #: for a call that is a whole statement (``await f()``, ``x = await f()``), kept for awaited calls (Python,
    #: and JavaScript/TypeScript since index format 21): the statement list it is in (a number unique in the
    #: module) and its position there; -1 otherwise
    block: int = -1
    position: int = -1
    #: the call passes ``**mapping``: keywords the index cannot see (a pool size in a settings dict)
    star_kwargs: bool = False
    #: the enclosing function's own parameters that reach an argument, as ``tainted`` records request values:
    #: ``(argument index or keyword, "arg:<parameter>", via names)``; what a per-function summary of which
    #: parameters reach which sinks is computed from (taint across functions)
    param_tainted: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    #: JavaScript/TypeScript, for an awaited call that is a whole statement (``block`` >= 0): the local names the
    #: statement binds, destructuring included (``const { user } = await f()`` -> ("user",)); ``assigned_to``
    #: holds only a plain name. What a later await's ``reads`` are checked against (a data dependency)
    binds: tuple[str, ...] = ()
    #: Go ``stmt, err := tx.Prepare(q)``: the first name, where ``assigned_to`` is None because the call binds
    #: a value and an error (``_`` too); what a prepared statement handle is found by
    first_assigned: str | None = None
    #: Python, since index format 26: the result is stored under a key of a mapping that an enclosing
    #: ``if key not in mapping:`` checks first (netbox's ``if t not in cache[e]: cache[e][t] = Rule.objects...``):
    #: the call runs once per distinct key, not once per item
    keyed_memo: bool = False
    #: Python, since index format 31: the call runs only when this parameter of its function is None (in the
    #: body of ``if p is None:``, the ``else`` of ``if p is not None:``): it fetches what the caller did not pass
    #: (pretalx's ``get_talk_warnings(..., speaker_overlaps_by_talk=None)``)
    when_none: str | None = None
    #: Python, since index format 35, kept for a call that passes a keyword a literal ``True`` (``debug=True``):
    #: the positive conditions of the enclosing ``if`` tests of its function whose body holds it, as written
    #: (``searx.sxng_debug``, ``args.dev and port``-> both, an ``or`` of plain conditions as one entry; a ``not``
    #: or an ``else`` branch gives none), outermost first (``sources/code/branches.py``)
    branch: tuple[str, ...] = ()
    #: Python, since index format 58: the name an ``x |= call`` or ``x &= call`` combines the call's result into
    #: (pontoon's ``translations |= Translation.objects.filter(...)`` per item: one query, run after the loop)
    combined_into: str | None = None


@dataclass(frozen=True)
class Decorator:
    raw: str
    target: str | None
    line: int
    args: tuple[Arg, ...] = ()
    is_call: bool = False


@dataclass(frozen=True)
class Definition:
    """A function or class definition with its decorators (and, for a class, its bases)."""

    name: str
    qualname: str
    kind: str  # function / async_function / class
    line: int
    end_line: int
    decorators: tuple[Decorator, ...] = ()
    bases: tuple[str, ...] = ()  # dotted text as written
    params: tuple[str, ...] = ()
    #: class attributes assigned a list/tuple of names (``permission_classes = [IsAuthenticated]``)
    class_attrs: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: the line of each of ``class_attrs``, in the same order: where a config class's ``SECRET_KEY = "…"`` is
    #: (since index format 43)
    class_attr_lines: tuple[int, ...] = ()
    #: parameters with their default call (``user=Depends(current_user)`` -> ("user", "Depends", ("current_user",)))
    param_defaults: tuple[tuple[str, Arg], ...] = ()
    #: Go: the first result type as written, pointer dropped (``func NewProfile() *Profile`` -> "Profile"):
    #: what a method call on the value a constructor returned resolves through. JavaScript/TypeScript: the
    #: qualname of the one nested function it returns (a handler factory), "" when none or several
    returns: str = ""
    #: Python: how many leading parameters take positional arguments (the rest are keyword-only); -1 unknown
    positional: int = -1
    #: TypeScript parameters with their declared type, type arguments dropped (``repo: Repository<User>`` ->
    #: ("repo", "Repository"), ``tx: Prisma.TransactionClient`` -> ("tx", "Prisma.TransactionClient"))
    param_types: tuple[tuple[str, str], ...] = ()
    #: TypeORM entity classes: the relation properties loaded lazily (a relation decorator on a ``Promise<...>``
    #: property, or ``{ lazy: true }``); each read of one queries unless the query joined it
    lazy_relations: tuple[str, ...] = ()

    @property
    def is_function(self) -> bool:
        """A function or coroutine function (not a class)."""
        return self.kind in ("function", "async_function")


@dataclass(frozen=True)
class StringFact:
    kind: str  # url / dsn / sql
    value: str  # at most 200 characters
    line: int


@dataclass(frozen=True)
class Loop:
    #: for / async_for / while / comprehension / callback (an iteration method's function argument) / receive
    #: (Go ``for m := range ch`` over a channel: a consumer waiting for messages, not a pass over data)
    kind: str
    line: int
    function: str
    end_line: int = 0
    #: the names each iteration binds (``for i, book in enumerate(books)`` -> ("i", "book"))
    targets: tuple[str, ...] = ()
    #: the iterated expression as a dotted chain, calls dropped (``Book.objects.select_related.all``),
    #: after unwrapping ``enumerate``/``list``/``sorted``/``reversed``/``iter``; "" when not a chain
    iter: str = ""
    #: string literals and dotted names passed to calls in the iterated expression (``author``,
    #: ``selectinload(Book.author)``, ``Book.author``): what it prefetches
    iter_args: tuple[str, ...] = ()
    #: ``target.attribute`` reads in the body with the first line each is read on (JavaScript/TypeScript: only
    #: the awaited ones and an arrow callback's returned one, ``await post.author``, ``p => p.author``)
    attrs: tuple[tuple[str, int], ...] = ()
    #: local names the body binds (a name assigned in one iteration and read in the next carries data)
    assigns: tuple[str, ...] = ()
    #: the enclosing loop of the same function (index into ``CodeIndex.loops``), -1 when none
    parent: int = -1
    #: whether the body breaks out or returns (a search that stops at the first hit, not per-item work)
    exits: bool = False
    #: how many items a literal iterable has (``for f in [4, 6]`` -> 2, ``range(3)`` -> 3); -1 when the data decides
    iter_size: int = -1
    #: for an iteration callback (JavaScript ``xs.map(fn)``, ``async.each(xs, fn)``): the method that calls it
    #: once per item; "" for a loop statement
    via: str = ""
    #: the iterations overlap instead of running one after the other (``Promise.all(xs.map(async x => ...))``,
    #: ``forEach(async ...)``): still one round trip per item, sent at once
    concurrent: bool = False


@dataclass(frozen=True)
class Tainted:
    """A local name that holds a value read from the request."""

    function: str
    name: str
    source: str  # ``flask.request.args``, ``request.GET``, ``param:item_id``
    line: int


@dataclass(frozen=True)
class Assignment:
    """A module-level name bound to a literal list of names or strings (``MIDDLEWARE = [...]``,
    ``urlpatterns = [...]`` is kept as calls)."""

    name: str
    line: int
    values: tuple[Literal, ...]
    #: the last line of a list bound at module level (since index format 70): the calls written inside it are its
    #: elements (umap's ``map_urls = [path(...), ...]``, later spread into ``decorated_patterns(..., *map_urls)``)
    end_line: int = 0


@dataclass(frozen=True)
class Composite:
    """A struct literal (Go ``&http.Client{Timeout: t}``): its type as written and resolved, the keys it
    sets and the name it is bound to; what a client's configuration is judged on."""

    type: str  # as written (``http.Client``)
    target: str | None  # resolved through imports (``net/http.Client``)
    line: int
    function: str
    keys: tuple[str, ...] = ()
    assigned_to: str | None = None


@dataclass(frozen=True)
class JsxAttribute:
    """A JSX HTML sink (``dangerouslySetInnerHTML={{ __html: X }}``): the element, what ``X`` is built from
    and what it reads, followed through the component's local names; what XSS rules are judged on."""

    element: str  # the tag as written (``div``, ``script``, ``Foo.Bar``)
    name: str  # the attribute (``dangerouslySetInnerHTML``)
    line: int
    function: str  # qualified name of the enclosing function, "" at module level
    value: str  # the ``__html`` expression as written, at most 120 characters
    #: each alternative the value can take (ternary, ``||``, template and concatenation parts), outermost step
    #: first: ``name:clean`` -> ``call:DOMPurify.sanitize``; ``param:html``, ``member:props.body``, ``state:x``,
    #: ``import:ICON``, ``constant``, ``template``, ``concat``, ``object`` (the attribute is not an object
    #: literal with ``__html``), ``other:<node type>``
    branches: tuple[tuple[str, ...], ...] = ()
    #: dotted names and callees the value reads, through its local bindings (``useSearchParams``, ``fetch``)
    reads: tuple[str, ...] = ()
    #: the element's attributes written as strings (``type="application/ld+json"``)
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DeclaredRoute:
    """A route declared by a call chain rather than an annotation (Spring ``RouterFunctions``): its method(s),
    path with the ``nest``/``path`` prefixes joined, the handler as written (``handler::getPerson``,
    ``<lambda>``) and the declared type of its receiver (``PersonHandler``, "" when unknown)."""

    methods: tuple[str, ...]  # ("ANY",) when the predicate names no method
    path: str
    handler: str
    handler_type: str
    line: int
    function: str  # the method that builds the router (a ``@Bean``)
    #: the ``filter``/``before`` functions of the router the route is built in, as written (a lambda as
    #: ``<lambda>``): where functional routes put their guards
    filters: tuple[str, ...] = ()


@dataclass(frozen=True)
class EnvDefault:
    """An environment variable read with a string literal to fall back on when it is unset (JavaScript/TypeScript
    ``process.env.JWT_SECRET || 'dev'``, ``?? 'dev'``, ``process.env['X'] || 'dev'``, ``const { X = 'dev' } =
    process.env``; Python ``os.environ.get('X') or 'dev'``, ``sources/code/pyenv.py``): what a secret with a default
    committed beside it is judged on. The literal itself is not kept, only its length (0 for ``''``)."""

    variables: tuple[str, ...]  # the variables read (``process.env.A || process.env.B || 'x'`` -> ("A", "B"))
    line: int
    function: str  # qualified name of the enclosing function, "" at module level
    length: int  # characters of the fallback literal
    #: the name or key path the value is bound to: ``const secret = ...`` -> "secret", ``{ jwt: { secret: ... } }``
    #: -> "jwt.secret" (under ``const config =``: "config.jwt.secret"), ``this.key = ...`` -> "this.key"; "" when none
    bound: str = ""
    #: the call the value is an argument of, directly or as a member of an object argument
    #: (``session({ secret: ... })`` -> "session"), as written, and resolved through imports
    within: str = ""
    within_target: str | None = None
    #: the module stops when the variable (or the name it is bound to) is missing: an ``if`` on it that throws or
    #: exits (``if (!process.env.JWT_SECRET) throw ...``), or an ``assert``/``invariant`` of it
    checked: bool = False
    #: what the fallback says instead of being a value, "" when it is one: "unset" (``"NO-DEFINED"``,
    #: ``"undefined"``, ``"<required>"``) or "dummy" (``"placeholder"``, ``"not-needed"``, the provider's own name:
    #: ``OLLAMA_API_KEY || "ollama"``, a key a local server never checks)
    marker: str = ""
    #: the read sits in a branch that runs only in development or tests (``if (process.env.NODE_ENV !==
    #: 'production') {...}``, ``isDev ? process.env.X || 'dev' : ...``)
    dev_only: bool = False


@dataclass(frozen=True)
class NextAuthFact:
    """NextAuth v5 (Auth.js) wiring in a JavaScript/TypeScript module (``treesitter/jsnextauth.py``), what a Next.js
    middleware's guard is resolved through across modules. ``kind``:

    - ``config``: an object of NextAuth options bound to ``name`` (``authConfig``; ``NextAuth@LINE`` for the object
      written in a ``NextAuth({...})`` call), with the names spread into it, whether it has its own ``callbacks``
      key, and ``rows``: its ``authorized`` callback's decision (None when the callbacks have none);
    - ``instance``: a ``NextAuth(config)`` call, ``name`` the config as written (a name, the in-place key, ``?``),
      ``binds`` the names its ``auth`` is bound to (``auth``, ``middleware``, ``default``, ``nextAuth.auth``);
    - ``wrapped``: ``export default auth(fn)``: ``name`` the callee as written, ``binds`` the export name, ``rows``
      the function's decision;
    - ``withauth``: v4's ``export default withAuth(…, { callbacks: { authorized } })``, ``rows`` its callback's
      decision (v4 reads the result as a boolean).

    A decision is rows of (path conditions, outcome) for a caller without a session (``jsauthdecision``)."""

    kind: str
    name: str
    line: int
    binds: tuple[str, ...] = ()
    spreads: tuple[str, ...] = ()
    callbacks: bool = False
    rows: tuple[tuple[tuple[str, ...], str], ...] | None = None


@dataclass(frozen=True)
class CodeIndex:
    """What one source module says, independent of framework: the input of entry points and code rules."""

    path: str
    language: str
    imports: tuple[tuple[str, str], ...]  # local name -> qualified name
    definitions: tuple[Definition, ...]
    calls: tuple[CallSite, ...]
    strings: tuple[StringFact, ...]
    loops: tuple[Loop, ...]
    tainted: tuple[Tainted, ...]
    assignments: tuple[Assignment, ...] = ()
    parser: str = "ast"  # ast / tree-sitter (Python newer than the interpreter, other languages) / cache
    #: (function, dotted attribute read) for attributes that say who the caller is or what they may do
    #: (``request.user.is_staff``, ``order.owner_id``, ``current_user.id``): inline guards and ownership checks
    reads: tuple[tuple[str, str], ...] = ()
    #: (function, dotted attribute assigned, line) for assignments to an attribute (``axios.defaults.timeout
    #: = 5000``, ``c.Timeout = 5 * time.Second``): configuration set after construction
    writes: tuple[tuple[str, str, int], ...] = ()
    #: struct literals (Go), in source order
    composites: tuple[Composite, ...] = ()
    #: JSX HTML sinks (``dangerouslySetInnerHTML``), in source order
    jsx: tuple[JsxAttribute, ...] = ()
    #: routes declared by call chains (Spring ``RouterFunctions``), in source order
    declared_routes: tuple[DeclaredRoute, ...] = ()
    #: local names bound to a parameter's value, as ``tainted`` records request values (source ``arg:<param>``)
    param_tainted: tuple[Tainted, ...] = ()
    #: Python relative imports, local name -> the imported name with its dots (``from .dao import get`` ->
    #: ("get", ".dao.get")); kept apart from ``imports`` so no rule mistakes them for packages
    relative_imports: tuple[tuple[str, str], ...] = ()
    #: (first, last) line of the module's ``if __name__ == "__main__":`` block, (0, 0) when none: code there runs
    #: only when the file is run directly, never when a WSGI/ASGI server imports the module
    main_guard: tuple[int, int] = (0, 0)
    #: Go names bound to one string literal (``const insertQuery = `INSERT ...```, ``q := "SELECT ..."``):
    #: (function, name, the literal's first 200 characters), function "" at package level; what the SQL a
    #: statement is prepared from is read from
    string_bindings: tuple[tuple[str, str, str], ...] = ()
    #: Go names bound to a slice literal of names and calls (``userMW := []errchain.Middleware{a.mwAuthToken,
    #: a.mwRoles(...)}``): (function, name, the elements as written); what a ``userMW...`` argument hands on
    #: (since index format 42)
    slice_bindings: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    #: (function, status) of each return that answers 401 or 403: Go's ``return http.StatusUnauthorized, …`` (the first
    #: value; filebrowser's ``handleFunc`` returns its status, since index format 42), Python's ``return "denied",
    #: 401`` (a Flask view's status, since index format 47)
    returned_statuses: tuple[tuple[str, int], ...] = ()
    #: Go: the file's ``//go:build`` expression, "" when none (pocket-id's ``e2etest`` controller is compiled into
    #: the end-to-end test build only; since index format 46)
    build_constraint: str = ""
    #: Go packages imported for their side effects only (``_ "github.com/mattn/go-sqlite3"``: a database
    #: driver registering itself); kept apart from ``imports``, which holds names the code can use
    blank_imports: tuple[str, ...] = ()
    #: (function, environment variable, line) of each check that refuses every call whose request value differs
    #: from a secret kept in the environment (JavaScript ``if (token !== process.env.API_KEY) return …``): a
    #: machine-to-machine guard
    secret_checks: tuple[tuple[str, str, int], ...] = ()
    #: environment variables read with a literal fallback, in source order: JavaScript/TypeScript ``||``/``??``/
    #: destructuring defaults, Python ``os.environ.get("X") or "..."`` (since index format 32)
    env_defaults: tuple[EnvDefault, ...] = ()
    #: JavaScript/TypeScript environment variables the module stops the service without (an ``if`` that throws
    #: or exits, an assertion, an environment schema, or a name listed in a module that throws): a fallback for
    #: one of them elsewhere never reaches production unnoticed (since index format 32)
    env_validated: tuple[str, ...] = ()
    #: NextAuth v5 option objects, ``NextAuth(...)`` calls and middlewares handed to ``auth`` (since index format 40)
    nextauth: tuple[NextAuthFact, ...] = ()
    #: Next.js route files and middlewares: (function, callee, line, rows) where a function binds ``const session =
    #: await callee()`` (NextAuth's ``getServerSession``/``getToken``, the project's ``auth``): what it answers a
    #: caller without that session, as decision rows (``jsauthdecision``, mode ``handler``; since index format 42)
    session_decisions: tuple[tuple[str, str, int, tuple[tuple[tuple[str, ...], str], ...]], ...] = ()
    #: Python functions that return or raise, before any write, once the install is set up already (an existence
    #: query, a settings flag, ``current_org``): (function, condition as written, line); a first-run setup page
    #: (since index format 43)
    first_run_guards: tuple[tuple[str, str, int], ...] = ()
    #: the cache key of the file content it was built from (``cache.index_key``), "" for an index built otherwise:
    #: what the project facts derived from every index are cached by (since index format 52)
    key: str = ""

    def __reduce__(self) -> tuple[object, tuple[bytes]]:
        """Sent from a worker as one msgpack buffer: pickling the tens of thousands of small frozen objects
        of a large tree took longer than parsing it did. An index read from the cache is not decoded in the
        worker at all unless a check reads it, and is sent as it was read (``cache.EncodedIndex``)."""
        from redline.sources.code.cache import decode_index, encode_index  # noqa: PLC0415 - a cycle

        return decode_index, (encode_index(self),)

    def imported(self, local: str) -> str | None:
        return dict(self.imports).get(local)

    def calls_in(self, function: str) -> tuple[CallSite, ...]:
        return self._calls_by_function.get(function, ())

    @cached_property
    def _calls_by_function(self) -> dict[str, tuple[CallSite, ...]]:
        """The calls of each function, in source order: grouped once, where each ``calls_in`` read every call of
        the module again (2,100 reads on the Django audit's project checks)."""
        grouped: dict[str, list[CallSite]] = {}
        for call in self.calls:
            grouped.setdefault(call.function, []).append(call)
        return {function: tuple(calls) for function, calls in grouped.items()}
