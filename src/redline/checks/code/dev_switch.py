"""Whether a call runs only when a debug or development switch is on (``if searx.sxng_debug: app.run(debug=True)``):
the debugger then follows the setting, as a reviewer would advise, instead of being on in every deployment. Read
from ``CallSite.branch``, the positive conditions of the enclosing ``if`` tests, as written."""

from __future__ import annotations

import ast

from redline.core.secret_names import words
from redline.sources.code.model import CallSite, CodeIndex

#: the words of a name that say debug or development mode (``DEBUG``, ``args.dev``, ``FLASK_DEBUG``, ``isDebug``)
_DEV_WORDS = frozenset({"debug", "debugger", "debugging", "dev", "devel", "develop", "development"})
#: environment names a setting is compared with that are not production (``ENV == "development"``)
_DEV_ENVIRONMENTS = _DEV_WORDS | {"local", "test", "testing"}
#: literals a switch is compared with to test it on (``FLASK_DEBUG == "1"``)
_ON = frozenset({"1", "true", "yes", "on", "y", "t"})


def runs_only_in_development(call: CallSite, index: CodeIndex) -> bool:
    """Whether one of the call's branch conditions is a debug/development switch that is not hard-coded on."""
    return any(_development(condition, index) for condition in call.branch)


def _development(condition: str, index: CodeIndex) -> bool:
    """The condition (``a or b``: each alternative) tests a debug/development switch on."""
    try:
        test = ast.parse(condition, mode="eval").body
    except SyntaxError:
        return False
    alternatives = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or) else [test]
    return all(_switch_on(alternative, index) for alternative in alternatives)


def _switch_on(test: ast.expr, index: CodeIndex) -> bool:
    if isinstance(test, ast.Compare):
        return _compared_on(test)
    if isinstance(test, ast.Name) and _hard_coded_on(test.id, index):
        return False
    return isinstance(test, ast.Name | ast.Attribute | ast.Call | ast.Subscript) and _names_development(test)


def _compared_on(test: ast.Compare) -> bool:
    """``ENV == "development"``, ``FLASK_DEBUG == "1"``, ``ENV in ("dev", "local")``, ``"--dev" in sys.argv``;
    never ``!=``/``not in``/``is``."""
    if len(test.ops) != 1:
        return False
    op, (left, right) = test.ops[0], (test.left, test.comparators[0])
    if isinstance(op, ast.Eq):
        value, other = (left, right) if isinstance(left, ast.Constant) else (right, left)
        if not isinstance(value, ast.Constant):
            return False
        text = str(value.value).lower()
        return text in _DEV_ENVIRONMENTS or (text in _ON and _names_development(other))
    if isinstance(op, ast.In) and isinstance(left, ast.Constant):  # ``"--dev" in sys.argv``
        return _names_development(left)
    if isinstance(op, ast.In) and isinstance(right, ast.Tuple | ast.List | ast.Set) and right.elts:
        return all(isinstance(e, ast.Constant) and str(e.value).lower() in _DEV_ENVIRONMENTS for e in right.elts)
    return False


def _names_development(node: ast.expr) -> bool:
    """A name or string literal in the expression says debug/development (``settings.debug``,
    ``os.environ.get("FLASK_DEBUG")``, ``config["DEV_MODE"]``)."""
    for part in ast.walk(node):
        text = part.id if isinstance(part, ast.Name) else part.attr if isinstance(part, ast.Attribute) else None
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text = part.value
        if text and any(word.lower() in _DEV_WORDS for word in words(text)):  # isDebugMode, SXNG_DEBUG
            return True
    return False


def _hard_coded_on(name: str, index: CodeIndex) -> bool:
    """``DEBUG = True`` at module level and ``if DEBUG:``: the switch is always on."""
    return any(a.name == name and a.values == (True,) for a in index.assignments)
