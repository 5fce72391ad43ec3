"""First-run guards: a function whose body, before anything that writes, returns or raises when the install is
set up already — an existence query (``Organization.query.first()``, ``User.objects.exists()``), a name for what
setup creates (``current_org``), or a settings flag (``settings.MULTI_ORG``, ``app.config["INSTALLED"]``).

redash's ``/setup`` (``handlers/setup.py``) begins ``if current_org != None or settings.MULTI_ORG: return
redirect("/")``, then creates the first organisation and admin: a page that works once, on a fresh install. The
route rules read the guard to tell that page from a form anyone can post to forever. A test that comes after a
write (the organisation is created, then the check) guards nothing and is not recorded.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from redline.sources.code.astwalk import dotted

#: how many of a function's first statements are read for the guard: it comes first or not at all
_LEADING = 4
#: an entry longer than this is cut (the condition is shown, not parsed again)
_MAX_CONDITION = 120
#: statements that may come before the guard (an ``if`` that is not one is read for writes too); a local import
#: (OctoPrint's handlers import ``abort`` and ``request`` first) writes nothing
_SIMPLE = (ast.If, ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass, ast.Import, ast.ImportFrom)
#: calls that change state: a guard after one of them comes too late
_WRITES = re.compile(
    r"^(save|create|add|add_all|commit|insert|update|delete|remove|put|post|set|flush|execute|send|"
    r"login|login_user|(bulk|create|add|save|insert|update|delete|set|register|make|send)_\w+|register\w*)$"
)
#: the calls that ask whether rows exist (on a model, a query or a session)
_EXISTENCE = frozenset({"exists", "count", "first", "one_or_none", "one", "scalar", "get", "all", "get_or_none"})
_QUERY_ROOT = re.compile(r"(^|\.)(objects|query|session|select)(\.|$)|(^|\.)[A-Z]\w*")
#: roots of a settings flag
_SETTINGS = frozenset({"settings", "config", "conf", "app", "current_app", "django_settings"})
_ENVIRONMENT = frozenset({"os.getenv", "os.environ.get"})
#: words of a name that stands for what setup creates or for setup being done
_SET_UP_WORDS = frozenset(
    {
        "org",
        "organization",
        "organisation",
        "orgs",
        "tenant",
        "site",
        "installed",
        "setup",
        "configured",
        "initialized",
        "initialised",
        "bootstrapped",
        "superuser",
    }
)


def first_run_guards(functions: Iterable[tuple[str, ast.AST]]) -> tuple[tuple[str, str, int], ...]:
    """(function, condition as written, line) of each function's first-run guard (see the module doc)."""
    found: list[tuple[str, str, int]] = []
    for qualname, node in functions:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        guard = _guard(node.body)
        if guard is not None:
            found.append((qualname, guard[0][:_MAX_CONDITION], guard[1]))
    return tuple(found)


def _guard(body: list[ast.stmt]) -> tuple[str, int] | None:
    """The condition and line of the first ``if`` among the leading statements that leaves on a set-up test, or
    of a ``try`` that leaves once a set-up query succeeds (``_tried``), with nothing written before it; a loop,
    another ``try`` or a ``with`` before it ends the search (a guard comes first, and its body is not walked)."""
    leading = body[:_LEADING]
    if not any(isinstance(stmt, (ast.If, ast.Try)) for stmt in leading):  # most functions: nothing to walk
        return None
    for stmt in leading:
        if isinstance(stmt, ast.If) and _leaves(stmt.body) and _set_up_test(stmt.test):
            return ast.unparse(stmt.test), stmt.lineno
        if isinstance(stmt, ast.Try) and (tried := _tried(stmt)) is not None:
            return tried
        if not isinstance(stmt, _SIMPLE) or _writes(stmt):
            return None
    return None


def _tried(stmt: ast.Try) -> tuple[str, int] | None:
    """Kiwi TCMS's ``InitDBView``: ``try: _ = get_user_model().objects.first(); return HttpResponseRedirect("/")
    except Exception: pass``: the query succeeds once the database is set up, and the handler then leaves; on a
    fresh install it raises and the page goes on. "<query> succeeds" and the line of the ``try`` (since index
    format 55)."""
    if not stmt.body or not _leaves(stmt.body):
        return None
    for inner in stmt.body[:-1]:
        value = inner.value if isinstance(inner, (ast.Assign, ast.Expr, ast.AnnAssign)) else None
        if isinstance(value, ast.Call) and _says_set_up(value):
            return f"{ast.unparse(value)} succeeds", stmt.lineno
    return None


def _leaves(body: list[ast.stmt]) -> bool:
    """The branch ends the handler (a return, a raise, Flask's ``abort(404)``) and writes nothing on the way."""
    last = body[-1]
    ends = isinstance(last, (ast.Return, ast.Raise)) or (
        isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and _last(last.value.func) == "abort"
    )
    return ends and not any(_writes(s) for s in body)


def _writes(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and _WRITES.match(_last(n.func)) for n in ast.walk(node))


def _last(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _set_up_test(test: ast.expr) -> bool:
    return any(_says_set_up(part) for part in _parts(test))


def _parts(test: ast.expr) -> list[ast.expr]:
    """The operands a test is made of: each side of ``or``/``and``, ``not``'s operand, a comparison's sides."""
    if isinstance(test, ast.BoolOp):
        return [p for value in test.values for p in _parts(value)]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _parts(test.operand)
    if isinstance(test, ast.Compare):
        return [p for side in (test.left, *test.comparators) for p in _parts(side)]
    return [test]


def _says_set_up(part: ast.expr) -> bool:
    """An existence query, a settings flag or an environment variable named for setup (``settings.MULTI_ORG``,
    ``config["INSTALLED"]``, ``os.getenv("SETUP_DONE")``), or a name for what setup creates (``current_org``). A
    setting named for something else is no setup test: Flagsmith's ``if not settings.HUBSPOT_ACCESS_TOKEN: return``
    refuses until a token is configured, then forever lets callers through."""
    if isinstance(part, ast.Call):
        text = dotted(part.func) or ast.unparse(part.func)
        if _settings_root(text) or text in _ENVIRONMENT:
            return any(_names_set_up(str(key)) for key in _literal_keys(part.args))
        return _last(part.func) in _EXISTENCE and bool(_QUERY_ROOT.search(text))
    if isinstance(part, ast.Subscript):
        key = part.slice
        if isinstance(key, ast.Constant) and (dotted(part.value) or "").split(".", 1)[0] in _SETTINGS:
            return _names_set_up(str(key.value))
        part = part.value
    text = dotted(part) or ""
    return bool(text) and _names_set_up(text.rsplit(".", 1)[-1])


def _settings_root(text: str) -> bool:
    """``settings.get(...)``, or the settings an object keeps (OctoPrint's ``self._settings.global_get(...)``)."""
    first, _, rest = text.partition(".")
    return first in _SETTINGS or (first == "self" and rest.split(".", 1)[0].lstrip("_") in _SETTINGS)


def _literal_keys(args: list[ast.expr]) -> list[object]:
    """The literal keys a settings call is handed: each constant argument, and each constant of a list or tuple
    (OctoPrint's ``global_get(["server", "firstRun"])``)."""
    keys: list[object] = []
    for arg in args:
        items = arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]
        keys += [item.value for item in items if isinstance(item, ast.Constant)]
    return keys


def _names_set_up(name: str) -> bool:
    """``MULTI_ORG``, ``INSTALLED``, ``current_org``, ``firstRun``: a word of the name is one for setup or what it
    creates, or the name says first run (``firstRun``, ``FIRST_RUN``)."""
    low = name.lower()
    return not _SET_UP_WORDS.isdisjoint(re.split(r"[^a-z0-9]+", low)) or "firstrun" in re.sub(r"[^a-z0-9]", "", low)
