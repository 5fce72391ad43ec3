"""SQL, shell, file path and outbound URL sinks of JavaScript/TypeScript and Go reached by request data,
each tied to the route it is reachable from; judged from the tree-sitter code index's calls and taint."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from redline.checks.code.hits import Hit, ModuleHit, Taint, flow_evidence, hit_finding
from redline.checks.code.jsgo_rules import (
    PATH_FROM_REQUEST_JSGO,
    SHELL_FROM_REQUEST_JSGO,
    SQL_FROM_REQUEST_JSGO,
    SSRF_FROM_REQUEST_JSGO,
)
from redline.checks.code.jsgo_taint import Bindings, last
from redline.checks.interface import CheckContext, ModuleCheck
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Finding
from redline.sources.code.flow import AFTER_PREFIX
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import Route, RouteInventory, routes_by_handler

LANGUAGES = frozenset({"javascript", "typescript", "go"})

_JS_SQL = frozenset({"query", "execute", "raw", "$queryRawUnsafe", "$executeRawUnsafe", "unsafe"})
_GO_SQL_FIRST = frozenset({"Query", "QueryRow", "Exec", "Prepare", "Raw", "Where", "MustExec", "Queryx"})
_GO_SQL_SECOND = frozenset(
    {"QueryContext", "QueryRowContext", "ExecContext", "PrepareContext", "Select", "Get", "QueryxContext"}
)
_GO_SQLX = frozenset({"Get", "Select"})
_DB_RECEIVER = re.compile(r"(^|\.)([Dd][Bb]x?|[Tt]x|[Cc]onn|sqlx?[Dd][Bb]|[Dd]atabase)$|[a-z](DB|Db)$")
_JS_SHELL = frozenset({"child_process.exec", "child_process.execSync"})
_JS_SPAWN = frozenset(f"child_process.{name}" for name in ("spawn", "spawnSync", "execFile", "execFileSync"))
_SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "cmd", "cmd.exe", "powershell", "pwsh"})
_SHELL_FLAGS = frozenset({"-c", "/c", "/C", "-Command", "-lc"})
_FS = ("fs.", "fs/promises.", "node:fs.", "node:fs/promises.", "fs-extra.")
_FS_FUNCS = frozenset(
    {
        "readFile",
        "readFileSync",
        "createReadStream",
        "writeFile",
        "writeFileSync",
        "createWriteStream",
        "appendFile",
        "appendFileSync",
        "unlink",
        "unlinkSync",
        "rm",
        "rmSync",
        "rmdir",
        "open",
        "openSync",
        "readdir",
        "readdirSync",
        "remove",
        "outputFile",
    }
)
_GO_FILES = frozenset(
    {
        "os.Open",
        "os.OpenFile",
        "os.ReadFile",
        "os.Create",
        "os.Remove",
        "os.RemoveAll",
        "os.WriteFile",
        "os.ReadDir",
        "io/ioutil.ReadFile",
        "io/ioutil.WriteFile",
    }
)
_SEND_FILE = frozenset({"sendFile", "download"})
_CTX_FILE = frozenset({"File", "FileAttachment", "Attachment", "SendFile", "Download"})
_PATH_CLEAN = frozenset({"basename", "Base", "sanitize", "sanitizeFilename"})
#: calls that check a path against a root or a pattern (``re.test(name)``, ``p.startsWith(root)``)
_PATH_CHECKS = frozenset(
    {"test", "startsWith", "HasPrefix", "Rel", "IsLocal", "relative", "includes", "indexOf", "Contains"}
)
_JS_HTTP = frozenset({"fetch", "got", "needle", "superagent", "axios", "request"})
_JS_HTTP_MODULES = ("axios.", "got.", "needle.", "http.", "https.", "node-fetch", "undici.", "superagent.")
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "request", "fetch"})
_GO_HTTP = {"net/http.Get": "0", "net/http.Post": "0", "net/http.Head": "0", "net/http.PostForm": "0"}
_GO_HTTP |= {"net/http.NewRequest": "1", "net/http.NewRequestWithContext": "2"}
_VALIDATOR = re.compile(r"(allow|safe|valid|check|verify|trusted|permitted|whitelist|^is[A-Z_])")


def _validates(other: CallSite, taint: Taint) -> bool:
    """Whether another call takes the same value: a name of its path, or the same request part read directly."""
    names = set(taint[2])
    receiver = other.raw.rpartition(".")[0]
    if receiver and receiver in names:
        return True
    return any(names & set(via) or (not via and not names and source == taint[1]) for _, source, via in other.tainted)


def _validator(name: str) -> bool:
    return bool(_VALIDATOR.search(name)) and "unsafe" not in name.lower()


def _first(call: CallSite, where: frozenset[str]) -> Taint | None:
    return next((t for t in call.tainted if t[0] in where), None)


def _sql(call: CallSite, lang: str, view: Bindings) -> Hit | None:
    name = last(call.raw)
    if lang == "go":
        where = "0" if name in _GO_SQL_FIRST else "1" if name in _GO_SQL_SECOND else None
        if name in _GO_SQLX and not _DB_RECEIVER.search(call.raw.rpartition(".")[0]):
            where = None  # ``rdb.Get(ctx, key)`` is a cache read, sqlx ``db.Get(&dest, query)`` a query
    else:
        where = "0" if name in _JS_SQL and "." in call.raw else None
    taint = _first(call, frozenset({where})) if where else None
    if taint is None or not view.built(call, taint) or view.cleaned(call, taint, frozenset(), opaque=False):
        return None
    checks = _checks(call, view.index)
    unchecked = _sql_unchecked(call, view.index, checks)
    if unchecked is not None and not unchecked:
        return None
    # some values were checked: name the ones that were not (the flow shows the argument's first value only)
    extra = {"unchecked": ", ".join(sorted(unchecked))} if unchecked and checks else {}
    fix = (
        'Keep the SQL a constant with placeholders and pass the values apart: `db.Query("… WHERE name = $1", '
        'name)` (GORM: `Where("name = ?", name)`); never `fmt.Sprintf` request data into SQL.'
        if lang == "go"
        else "Keep the SQL a constant with placeholders and pass the values apart: "
        '`pool.query("… WHERE name = $1", [name])` (mysql2 `?`, knex `raw(sql, bindings)`, Prisma tagged '
        "`$queryRaw`); never put request data into the SQL text."
    )
    return Hit(
        SQL_FROM_REQUEST_JSGO,
        f"SQL built from request data reaches {call.raw}",
        call,
        call.line,
        {**flow_evidence(call, taint), "built_by": call.built_by or "format", **extra},
        fix,
    )


def _go_shell(call: CallSite) -> Taint | None:
    if call.target not in {"os/exec.Command", "os/exec.CommandContext"}:
        return None
    offset = 1 if call.target.endswith("Context") else 0
    program = _first(call, frozenset({str(offset)}))
    if program is not None:
        return program
    literals = [a.literal for a in call.args[offset : offset + 2]]
    if len(literals) == 2 and literals[0] in _SHELLS and literals[1] in _SHELL_FLAGS:
        return _first(call, frozenset({str(offset + 2)}))
    return None


def _shell(call: CallSite, lang: str, view: Bindings) -> Hit | None:
    if lang == "go":
        taint = _go_shell(call)
    elif call.target in _JS_SHELL:
        taint = _first(call, frozenset({"0"}))
    elif call.target in _JS_SPAWN and any("shell=true" in item for a in call.args for item in a.items):
        taint = _first(call, frozenset({"0", "1"}))
    else:
        taint = None
    if taint is None or view.cleaned(call, taint, frozenset(), opaque=False):
        return None
    fix = (
        'Run the program directly with an argument list, no shell: `exec.Command("convert", "--", name)`, '
        "and validate the value against an allow-list."
        if lang == "go"
        else 'Run the program without a shell: `execFile("convert", ["--", name])` (or `spawn` without '
        "`shell: true`), and validate the value against an allow-list."
    )
    return Hit(
        SHELL_FROM_REQUEST_JSGO,
        f"shell command from request data runs through {call.raw}",
        call,
        call.line,
        flow_evidence(call, taint),
        fix,
    )


def _path_where(call: CallSite, lang: str) -> str | None:
    """Which argument of a file sink holds the path, or None when the call is not one."""
    name, receiver = last(call.raw), call.raw.rpartition(".")[0]
    if lang == "go":
        if call.target in _GO_FILES:
            return "0"
        if call.target == "net/http.ServeFile":
            return "2"
        return "0" if name in _CTX_FILE and receiver in {"c", "ctx", "context"} else None
    if call.target and call.target.startswith(_FS) and name in _FS_FUNCS:
        return "0"
    if name in _SEND_FILE and receiver in {"res", "response", "reply"}:
        return None if any(item.startswith("root=") for a in call.args[1:] for item in a.items) else "0"
    return None


def _served_url_path(call: CallSite) -> bool:
    """``http.ServeFile(w, r, filepath.Join(base, r.URL.Path))`` (filebrowser's branding files): ServeFile answers
    400 to a request whose ``r.URL.Path`` holds a ``..`` element, so a path made from that URL path alone cannot
    climb out of ``base``; a query or form value can."""
    sources = [source for where, source, _ in call.tainted if where == "2"]
    return call.target == "net/http.ServeFile" and bool(sources) and all(s.endswith(".path") for s in sources)


def _path_checked(call: CallSite, taint: Taint, index: CodeIndex) -> bool:
    """Whether the handler checks the value (or a name it went through) against a root, a validator or a pattern
    (stefanprodan/podinfo's ``if !validHash.MatchString(hash) { return }`` before ``os.ReadFile``)."""
    return any(
        (last(other.raw) in _PATH_CHECKS or last(other.raw) in _PATTERN_CHECKS or _validator(last(other.raw)))
        and _validates(other, taint)
        for other in index.calls_in(call.function)
        if other is not call
    )


#: a regular expression matched against the value (``validTable.MatchString(name)``, ``/^\w+$/.test(name)``)
_PATTERN_CHECKS = frozenset({"MatchString", "test"})


def _sql_unchecked(call: CallSite, index: CodeIndex, checks: list[CallSite]) -> set[str] | None:
    """The request values the SQL call reads that no validator (``validateTableName(table)``, ``isValidColumn``)
    or pattern match saw before it; empty when every one was checked: what makes a table or column name safe to
    write into SQL, which placeholders cannot carry (vikunja's dump restore checks ``^[a-zA-Z_][a-zA-Z0-9_]*$``
    first). A name made from checked parameters only (``seq := table + "_id_seq"``) is checked too. A path check
    (``filepath.IsLocal``) does not count, nor does a check of one value when the SQL reads another (the taint
    keeps only the first value of an argument: the call's names are what tell). ``checks``: the function's
    validator calls before ``call`` (``_checks``). None: the index kept no names of the call, so it is not judged."""
    sources: dict[str, set[str]] = {}
    for t in index.tainted:
        if t.function == call.function:
            sources.setdefault(t.name, set()).add(t.source)
    for _, source, via in call.tainted:
        for name in (*via, source.removeprefix("arg:")):
            sources.setdefault(name, set())
    names = set(call.reads) & sources.keys()
    if not names:
        return None

    def passed(name: str) -> bool:
        return any(_checks_name(other, name) for other in checks)

    def checked(name: str) -> bool:
        found = sources[name]  # a name made from parameters only, each of them checked
        return passed(name) or (bool(found) and all(s.startswith("arg:") and passed(s[4:]) for s in found))

    return {name for name in names if not checked(name)}


def _checks(call: CallSite, index: CodeIndex) -> list[CallSite]:
    """The validator and pattern calls of the function before ``call``."""
    return [
        other
        for other in index.calls_in(call.function)
        if other is not call
        and other.line <= call.line
        and (_validator(last(other.raw)) or last(other.raw) in _PATTERN_CHECKS)
    ]


def _checks_name(check: CallSite, name: str) -> bool:
    """The validator takes the name itself (``validate(table)``, ``re.MatchString(table)``) or a value made from it."""
    return any(a.name == name for a in check.args) or any(name in via for _, _, via in check.tainted)


def _path(call: CallSite, lang: str, view: Bindings) -> Hit | None:
    where = _path_where(call, lang)
    taint = _first(call, frozenset({where})) if where else None
    if taint is None or view.cleaned(call, taint, _PATH_CLEAN, opaque=True):
        return None
    if _served_url_path(call):
        return None
    if _path_checked(call, taint, view.index):
        return None
    fix = (
        "Reduce the value to a bare name (`filepath.Base`) or refuse it unless `filepath.IsLocal(name)`, then "
        "open it under a root (`os.OpenRoot(base)`, `http.ServeFileFS(w, r, os.DirFS(base), name)`)."
        if lang == "go"
        else "Send files relative to a root (`res.sendFile(name, { root: BASE })`), or resolve the path and "
        "refuse it unless `path.relative(BASE, resolved)` stays inside (no leading `..`, not absolute); "
        "`path.basename` for a bare file name."
    )
    return Hit(
        PATH_FROM_REQUEST_JSGO,
        f"file path from request data reaches {call.raw} (path traversal)",
        call,
        call.line,
        flow_evidence(call, taint),
        fix,
    )


def _url_where(call: CallSite, lang: str) -> str | None:
    if lang == "go":
        return _GO_HTTP.get(call.target or "")
    if call.raw in _JS_HTTP or call.target in {"node-fetch", "axios", "got", "undici.request", "undici.fetch"}:
        return "0"
    if call.target and call.target.startswith(_JS_HTTP_MODULES) and last(call.raw) in _HTTP_VERBS:
        return "0"
    return None


#: the properties of a request's options object that choose where it goes
_URL_KEYS = frozenset({"url", "uri", "baseURL", "baseUrl", "host", "hostname", "origin", "href"})
_WORD = re.compile(r"[\w$]+")


def _only_in_the_body(call: CallSite, taint: tuple[str, str, tuple[str, ...]]) -> bool:
    """An options object (``request({ url: TOKEN_URL, json: data })``) whose URL properties read none of the
    names the request value came through: the value is in the body or a header, not in where the request goes
    (codimd's GitHub token exchange). An object with a spread or a shorthand property is not judged."""
    position = int(taint[0]) if taint[0].isdigit() else -1
    items = call.args[position].items if 0 <= position < len(call.args) else ()
    pairs = [item.partition("=") for item in items]
    if not pairs or any(not sep or key.startswith("...") for key, sep, _ in pairs):
        return False
    carried = {taint[1].split(".", 1)[0], *taint[2]}
    return not any(carried & set(_WORD.findall(value)) for key, _, value in pairs if key in _URL_KEYS)


def _ssrf(call: CallSite, lang: str, view: Bindings) -> Hit | None:
    where = _url_where(call, lang)
    taint = _first(call, frozenset({where})) if where else None
    if (
        taint is None
        or (lang == "js" and _only_in_the_body(call, taint))
        or AFTER_PREFIX in taint[2]  # after a fixed start (Go ``base + "/" + id``): it cannot pick the host
        or view.built(call, taint)
        or view.cleaned(call, taint, frozenset(), opaque=True)
    ):
        return None
    for other in view.index.calls_in(call.function):
        fn = last(other.raw)
        if other is not call and (fn == "Hostname" or (_validator(fn) and _validates(other, taint))):
            return None
    fix = (
        "Do not fetch caller-chosen URLs; parse with `url.Parse`, allow only https and hosts on an allow-list, "
        "and dial through a `net.Dialer` whose `Control` refuses private, loopback and link-local addresses."
        if lang == "go"
        else "Do not fetch caller-chosen URLs; parse with `new URL(value)`, allow only https and hosts on an "
        "allow-list, refuse private, loopback and link-local addresses after resolving, and turn redirects off."
    )
    return Hit(
        SSRF_FROM_REQUEST_JSGO,
        f"outbound request to a URL from request data through {call.raw} (SSRF)",
        call,
        call.line,
        flow_evidence(call, taint),
        fix,
    )


def _one_segment(hit: Hit, route: Route | None) -> bool:
    """A Go file path from a path parameter of a route with no wildcard: Go routers match the decoded path
    one segment per parameter, so the value holds no ``/`` (and ``http.ServeFile`` refuses a ``..`` in the
    URL path); Express decodes ``%2F`` inside a parameter, so JavaScript parameters are not spared."""
    source = hit.evidence.get("source", "")
    if hit.rule is not PATH_FROM_REQUEST_JSGO or route is None or not source.endswith(".params"):
        return False
    return not any(mark in route.path for mark in ("*", "...", ":.", "{path"))


JUDGES: tuple[Callable[[CallSite, str, Bindings], Hit | None], ...] = (_sql, _shell, _path, _ssrf)


def judged(index: CodeIndex) -> Iterator[Hit]:
    """Every judge's hit on the module's tainted calls (request values here; parameters in taint across)."""
    lang = "go" if index.language == "go" else "js"
    view = Bindings.of(index)
    for call in index.calls:
        if call.tainted:
            yield from (hit for judge in JUDGES if (hit := judge(call, lang, view)))


class JsGoFlawCheck(ModuleCheck):
    name = "code-flaws-js-go"
    rules = (SQL_FROM_REQUEST_JSGO, SHELL_FROM_REQUEST_JSGO, PATH_FROM_REQUEST_JSGO, SSRF_FROM_REQUEST_JSGO)
    fact_types = (CodeIndex,)
    project_fact_types = (RouteInventory,)

    def reads(self, module: ModuleHead) -> bool:
        return module.language in LANGUAGES and not looks_like_test_or_sample(module.path)

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[ModuleHit]:
        index = fact
        if not self.reads(index):
            return []
        if not any(c.tainted for c in index.calls):
            return []
        return [ModuleHit(index.path, hit, index.language) for hit in judged(index)]

    def finish(self, partials: list[ModuleHit], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        routes = routes_by_handler(facts.of(RouteInventory))
        found: list[Finding] = []
        for p in (x.restored(self) for x in partials):
            reached = p.reached(routes)
            if not (p.language == "go" and _one_segment(p.hit, reached)) and not _service_call(p.hit, reached):
                found.append(hit_finding(self, p.path, p.hit, reached))
        return found


def _service_call(hit: Hit, route: Route | None) -> bool:
    """An outbound URL sent by another service that must present a secret from the environment to be heard
    (papermark's PDF worker calls ``/api/mupdf/convert-page`` with ``INTERNAL_API_KEY``): the URL is that
    service's choice, not a user's."""
    return hit.rule is SSRF_FROM_REQUEST_JSGO and route is not None and bool(route.shared_secret)
