"""What the JavaScript/TypeScript and Go indexes say about a tainted value beyond its path of names: the call
that bound each name (``const id = parseInt(req.query.id)``, ``id, _ := strconv.Atoi(...)``), read back from
the index's calls and taint records, so a parsed number or a base name is not taken for raw request text."""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.checks.code.hits import Taint
from redline.sources.code.model import CallSite, CodeIndex

#: calls whose result holds no request text, whatever the sink
CLEANERS = frozenset(
    {
        "parseInt",
        "parseFloat",
        "Number",
        "Boolean",
        "isNaN",
        "Atoi",
        "ParseInt",
        "ParseUint",
        "ParseFloat",
        "ParseBool",
        "isUUID",
        "isInt",
        "toInt",
        "uuid.Parse",
        "ParseUUID",
        "MustParse",
        "escape",  # mysql.escape / pool.escape
        "escapeId",
        "quote",  # shell-quote
    }
)
#: calls that hand back the request text reshaped but whole
CARRIERS = frozenset(
    {
        "String",
        "toString",
        "trim",
        "trimStart",
        "trimEnd",
        "toLowerCase",
        "toUpperCase",
        "replace",
        "replaceAll",
        "concat",
        "join",
        "resolve",
        "normalize",
        "decodeURIComponent",
        "decodeURI",
        "parse",  # JSON.parse, url.parse
        "from",  # Buffer.from
        "slice",
        "substring",
        "substr",
        "Sprintf",
        "Sprint",
        "Join",
        "Clean",
        "Abs",
        "TrimSpace",
        "ToLower",
        "ToUpper",
        "Trim",
        "Get",
        "Query",
        "Param",
        "FormValue",
        "PostFormValue",
        "DefaultQuery",
        "Parse",  # url.Parse
        "URL",
        "format",
        "QueryUnescape",
        "PathUnescape",
        "Unescape",
    }
)
_BUILDERS = frozenset({"fmt.Sprintf", "fmt.Sprint"})


@dataclass
class Bindings:
    """Per module: for each (function, name), the tainted calls on the lines that bound it."""

    index: CodeIndex
    _by_line: dict[tuple[str, int], list[CallSite]] = field(default_factory=dict)
    _lines: dict[tuple[str, str], set[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, index: CodeIndex) -> Bindings:
        view = cls(index)
        for c in index.calls:
            if c.tainted:
                view._by_line.setdefault((c.function, c.line), []).append(c)
        for t in index.tainted:
            view._lines.setdefault((t.function, t.name), set()).add(t.line)
        return view

    def binders(self, function: str, name: str) -> list[list[CallSite]]:
        """For each line that bound the name, the tainted calls that start on it."""
        return [self._by_line.get((function, at), []) for at in sorted(self._lines.get((function, name), ()))]

    def cleaned(self, call: CallSite, taint: Taint, cleaners: frozenset[str], *, opaque: bool) -> bool:
        """Whether a name on the path was bound (every time) through a cleaner of this sink, one of every
        sink, or (``opaque``) a call that is not a known carrier (a lookup, a service, a query)."""
        wrapped = {c.raw for c in self._between(call) if c is not call and (taint[1], taint[2]) in _reads(c)}
        if wrapped & (CLEANERS | cleaners) or {last(raw) for raw in wrapped} & (CLEANERS | cleaners):
            return True  # passed through the cleaner inside the sink's own arguments (``path.basename(...)``)
        for name in taint[2]:
            bindings = self.binders(call.function, name)
            if bindings and all(_cleans(calls, cleaners, opaque=opaque) for calls in bindings):
                return True
        return False

    def built(self, call: CallSite, taint: Taint) -> bool:
        """Whether the value was formatted into a string: at the call (a template, a concatenation, an
        ``fmt.Sprintf`` inside the call) or when a name on its path was bound by ``fmt.Sprintf``."""
        if call.built_by:
            return True
        inside = self._between(call)
        if any(c.target in _BUILDERS for c in inside if c is not call):
            return True
        return any(
            c.target in _BUILDERS for name in taint[2] for calls in self.binders(call.function, name) for c in calls
        )

    def _between(self, call: CallSite) -> list[CallSite]:
        return [c for at in range(call.line, call.end_line + 1) for c in self._by_line.get((call.function, at), [])]


def last(raw: str) -> str:
    return raw.rsplit(".", 1)[-1]


def _reads(call: CallSite) -> set[tuple[str, tuple[str, ...]]]:
    return {(source, via) for _, source, via in call.tainted}


def _cleans(calls: list[CallSite], cleaners: frozenset[str], *, opaque: bool) -> bool:
    if not calls:
        return False  # bound straight from the request or another name
    names = {last(c.raw) for c in calls} | {c.raw for c in calls}
    if names & (CLEANERS | cleaners):
        return True
    return opaque and not ({last(c.raw) for c in calls} <= CARRIERS)
