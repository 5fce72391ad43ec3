"""What the JavaScript/TypeScript route extractors share: module identity, exported objects, handlers."""

from __future__ import annotations

from collections.abc import Mapping

from redline.sources.code.model import Arg, CodeIndex, Definition
from redline.sources.code.routes.common import JsExports, Project
from redline.sources.code.treesitter.jsnames import import_target, module_id

JS_LANGUAGES = frozenset({"javascript", "typescript"})
#: what JavaScript route methods are called -> the HTTP method
VERBS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "del": "DELETE",
    "options": "OPTIONS",
    "head": "HEAD",
    "all": "ANY",
}
#: middleware that parses, logs, limits or serves files: never an authentication guard, never hiding one
BENIGN_MIDDLEWARE = frozenset(
    {
        "json",
        "urlencoded",
        "text",
        "raw",
        "static",
        "cors",
        "helmet",
        "morgan",
        "compression",
        "compress",
        "cookieparser",
        "bodyparser",
        "logger",
        "errorhandler",
        "ratelimit",
        "limiter",
        "ratelimiter",
        "csrf",
        "csurf",
        "session",
        "initialize",
        "single",
        "array",
        "fields",
        "none",
        "serve",
        "setup",
        "favicon",
        "methodoverride",
        "responsetime",
        "timeout",
        "nocache",
        "hpp",
        "xss",
        "mongosanitize",
        "validate",
        "validator",
        "express.json",
        "optional",  # ``auth.optional``: identifies a caller when there is one, lets everyone through
    }
)


def is_js(index: CodeIndex) -> bool:
    return index.language in JS_LANGUAGES


def benign(name: str) -> bool:
    return name.split("(", 1)[0].rsplit(".", 1)[-1].lower() in BENIGN_MIDDLEWARE


def referenced(index: CodeIndex, arg: Arg, exports: Mapping[str, str]) -> tuple[str, str] | None:
    """(module id, local name) of the object an argument refers to: a local variable, an imported
    module's default export or named export, or ``require("./routes")`` written in place."""
    here = module_id(index.path)
    if arg.call == "require" and arg.call_args:
        module = import_target(index.path, arg.call_args[0])
        return (module, exports[module]) if module in exports else None
    if not arg.name:
        return None
    head, _, rest = arg.name.partition(".")
    imported = index.imported(head)
    if imported is None:
        return (here, arg.name)
    qualified = f"{imported}.{rest}" if rest else imported
    if isinstance(exports, JsExports):  # ``export { default } from "./documents"`` on the way
        qualified = exports.passed_on(qualified)
    if qualified in exports:
        return (qualified, exports[qualified])
    module, _, name = qualified.rpartition(".")
    return (module, exports.get(f"{module}#{name}", name)) if module else None


def handler_name(project: Project, index: CodeIndex, arg: Arg | None) -> tuple[str, Definition | None]:
    """The qualified name of a route handler and its definition when the project has it."""
    if arg is None:
        return "", None
    name = arg.name or arg.call or (arg.items[0] if arg.items else "")
    if not arg.name:
        return name, None
    head, _, rest = arg.name.partition(".")
    imported = index.imported(head)
    if imported is not None:
        module = imported if not rest else f"{imported}.{rest}".rpartition(".")[0]
        last = arg.name.rsplit(".", 1)[-1]
        for other in project.by_module_id.get(module, ()):
            found = next((d for d in other.definitions if d.name == last), None)
            if found is not None:
                return found.qualname, found
    found_pair = project.find(arg.name, index)
    return (found_pair[1].qualname, found_pair[1]) if found_pair else (arg.name, None)


def expand(project: Project, index: CodeIndex, name: str, exports: Mapping[str, str]) -> str:
    """A middleware written as a member of a module-level object (``auth.required`` with
    ``const auth = { required: jwt(...) }``, here or imported) as the value it holds (``jwt()``);
    an ``optional`` member is left as written (it lets anonymous callers through)."""
    head, _, member = name.partition(".")
    if not member or "." in member or "optional" in member.lower():
        return name
    module, var = module_id(index.path), head
    imported = index.imported(head)
    if imported is not None:
        module, var = imported, exports.get(imported, "")
    for other in project.by_module_id.get(module, ()):
        for assignment in other.assignments:
            if assignment.name == var:
                value = next(
                    (str(v).split("=", 1)[1] for v in assignment.values if str(v).startswith(member + "=")), ""
                )
                return value or name
    return name


def unchain(owner: str) -> str:
    """``router.get.post`` (methods chained on a router, each returning it) -> ``router``."""
    head, *rest = owner.split(".")
    return head if rest and all(p in VERBS or p == "use" for p in rest) else owner
