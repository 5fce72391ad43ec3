"""The function a JavaScript/TypeScript route runs, in whichever module it is: a controller's member
(``router.get('/x', controller.list)`` with ``controller = require('./controllers/x')`` or ``import * as``),
a named or default import, the function a factory returns (``app.get('/x', makeHandler(deps))``, Juice
Shop's ``search()``), and the handler a wrapper is given (``asyncHandler(searchProducts())``). Handler facts,
guards and taint are then those of the real body. A name that resolves to nothing is left as written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from redline.sources.code.model import Arg, CodeIndex, Definition
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.jscommon import handler_name

#: how many wrappers or factories deep a route argument is followed (``wrap(auth(make()))``)
DEPTH = 3


@dataclass(frozen=True)
class Handler:
    """A route's handler: its qualified name, its definition when known, and the file it is defined in
    when that is not the file the route is registered in ("" otherwise)."""

    name: str
    definition: Definition | None = None
    file: str = ""


@dataclass
class HandlerResolver:
    project: Project
    exports: Mapping[str, str]
    modules: dict[str, list[CodeIndex]]

    @classmethod
    def of(cls, project: Project) -> HandlerResolver:
        return cls(project, project.js_exports, project.by_module_id)

    def handler(self, index: CodeIndex, arg: Arg | None, lines: range) -> Handler:
        """The handler a route's last argument names, registered on ``lines`` of ``index``."""
        found = self._argument(index, arg, lines, 0) if arg is not None else None
        if found is not None:
            module, definition = found
            return Handler(definition.qualname, definition, "" if module.path == index.path else module.path)
        name, written = handler_name(self.project, index, arg)
        return Handler(name, written)

    def _argument(self, index: CodeIndex, arg: Arg, lines: range, depth: int) -> tuple[CodeIndex, Definition] | None:
        if arg.name and not arg.name.startswith("<anonymous"):
            return self.definition(index, arg.name)
        if arg.call and depth < DEPTH:
            return self._made(index, arg.call, lines, depth)
        return None

    def _made(self, index: CodeIndex, callee: str, lines: range, depth: int) -> tuple[CodeIndex, Definition] | None:
        """What a call in a route's arguments hands the router: the handler it wraps when its first argument
        is one (``asyncHandler(search())``, ``catchErrors(list)``), else the function it returns."""
        site = next((c for c in index.calls if c.line in lines and c.raw == callee), None)
        if site is not None and site.args:
            wrapped = self._argument(index, site.args[0], lines, depth + 1)
            if wrapped is not None and wrapped[1].kind != "class":
                return wrapped
        factory = self.definition(index, callee)
        if factory is None or not factory[1].returns:
            return None
        module = factory[0]
        made = next((d for d in module.definitions if d.qualname == factory[1].returns), None)
        return (module, made) if made is not None else None

    def definition(self, index: CodeIndex, name: str) -> tuple[CodeIndex, Definition] | None:
        """The function a name refers to: defined in this module, or imported (a module's member, a named
        import, a default export)."""
        head, _, rest = name.partition(".")
        imported = index.imported(head)
        if imported is None:  # ``list`` or a member of a local object (``controller.list``)
            local = _top(index, name)
            return (index, local) if local is not None else None
        if imported in self.modules:  # the module itself: ``users.list``, or its default export
            return self._member(imported, rest) if rest else self._default(imported)
        module, _, member = imported.rpartition(".")  # a named import: ``{ searchProducts }``
        if rest or module not in self.modules:
            return None
        return self._member(module, member)

    def _member(self, module: str, member: str) -> tuple[CodeIndex, Definition] | None:
        """``exports.list = ...`` / ``export function list``, or a member of the exported object
        (``module.exports = controller`` with ``const controller = { list (req, res) {...} }``)."""
        exported = self.exports.get(module, "")
        for name in (member, f"{exported}.{member}" if exported else ""):
            found = [(i, d) for i in self.modules[module] if name and (d := _top(i, name)) is not None]
            if len(found) == 1:
                return found[0]
        return None

    def _default(self, module: str) -> tuple[CodeIndex, Definition] | None:
        """``module.exports = function search () {...}`` / ``export default function report``."""
        local = self.exports.get(module)
        if not local:
            return None
        for index in self.modules[module]:
            if local.startswith("<anonymous:"):
                at = local.removeprefix("<anonymous:").rstrip(">")
                found = next((d for d in index.definitions if "." not in d.qualname and str(d.line) == at), None)
            else:
                found = _top(index, local)
            if found is not None:
                return index, found
        return None


def _top(index: CodeIndex, name: str) -> Definition | None:
    """A module-level function (or ``exports.name = function``) of that name."""
    return next((d for d in index.definitions if d.qualname == name and d.kind != "class"), None)
