"""Outbound HTTP calls without a timeout in JavaScript/TypeScript, from the tree-sitter code index.

``fetch`` and axios both wait without limit by default (axios's ``timeout`` is 0, fetch has no timeout
option at all: only an ``AbortSignal`` ends it). A call whose options the index cannot see (a variable, a
spread ``{...opts}``) is left alone: the options may carry the limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

from redline.checks.interface import CheckContext, ModuleCheck
from redline.checks.resilience.browser_importers import ModuleImports, browser_only, module_imports
from redline.checks.resilience.healthchecks import outside_healthchecks
from redline.core.context import lower_in_context
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.lazy_regex import lazy
from redline.core.model import Area, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.hand_run import START_FACTS, project_scripts_apart
from redline.sources.code.model import Arg, CallSite, CodeIndex
from redline.sources.code.scopes import within
from redline.sources.code.treesitter.jsnames import module_id
from redline.sources.code.tspaths import PathAliases, aliases_of
from redline.sources.containers.healthcheck import HealthcheckScript

_TAGS = ("CWE-400", "STRIDE:D")
_REF_RELEASE_IT = 'Michael T. Nygard, *Release It!*, 2nd ed., chapter 5 "Stability Patterns: Timeouts"'

FETCH_NO_SIGNAL = Rule(
    code="RES200",
    name="fetch-without-abort-signal",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="fetch() without an AbortSignal: the request has no time limit",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds server-side `fetch(url)` calls (the global, `node-fetch`, `undici`, `cross-fetch`) "
        "whose init object has no `signal`, or that pass no init object at all. Calls whose init is a "
        "variable or spreads another object (`{...opts}`) are not judged, nor are browser modules (`.jsx`/"
        "`.tsx`, modules importing React, React Native, Expo, Vue, Svelte, Angular, Preact or Solid, and files "
        "under front-end or mobile directories such as `frontend/`, `web/`, `public/`, `client/src/`, `mobile/` "
        "or `react-native-app/`, modules importing a client-side state library such as zustand or SWR, and "
        "modules that call `document.*`, `window.addEventListener`, `navigator.sendBeacon` or web storage), "
        "nor a helper module whose every importer in the project (tests aside) is browser code — a "
        "`lib/fetch.ts` used only by React hooks — or, in turn, is imported only by browser code, nor a "
        "bundler's config (`vite.config.ts`, `webpack.config.js`: dev server and build only). A module "
        "nothing imports, or one a server module imports too, is judged. A script run by hand (a module of a "
        "top-level `bin/`, `scripts/`, `tools/` … folder that runs as a program — it ends or watches its process, "
        "or runs code at module level — starts no server, and that the deployment does not "
        "start and the application does not import: etherpad's `bin/deletePad.ts`) is listed low in the context "
        "section: no request waits on it.",
        why_bad="fetch has no timeout option: only an `AbortSignal` ends a request. Node's built-in fetch "
        "waits up to five minutes for response headers and again for the body, node-fetch waits forever; "
        "one slow dependency then holds every request that calls it and the event loop's sockets fill up.",
        example='const res = await fetch("https://api.example.com/orders");',
        use_instead='const res = await fetch("https://api.example.com/orders", {\n'
        "  signal: AbortSignal.timeout(5000),\n});",
        references=(
            "https://developer.mozilla.org/en-US/docs/Web/API/AbortSignal/timeout_static",
            "https://nodejs.org/api/globals.html#fetch",
            _REF_RELEASE_IT,
        ),
    ),
)

AXIOS_NO_TIMEOUT = Rule(
    code="RES201",
    name="axios-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="axios request or instance without a timeout (or with timeout: 0)",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `axios.create(...)` instances and direct `axios(...)`/`axios.get(...)`/… calls "
        "whose config sets no `timeout`, or sets `timeout: 0`. An instance is reported once, where it is "
        "created, unless `<instance>.defaults.timeout` is assigned; direct calls are quiet when any module "
        "of the project assigns `axios.defaults.timeout`. Configs the index cannot see (a variable, a "
        "spread) are not judged, nor are browser modules (as for RES200); a script run by hand is listed low "
        "in the context section (as for RES200).",
        why_bad="axios's default `timeout` is 0, which means no limit: a peer that accepts the connection "
        "and never answers keeps the promise pending forever, and every request that needs it piles up "
        "behind it.",
        example='const api = axios.create({ baseURL: "https://api.example.com" });',
        use_instead='const api = axios.create({ baseURL: "https://api.example.com", timeout: 5000 });',
        references=(
            "https://axios-http.com/docs/req_config",
            "https://axios-http.com/docs/config_defaults",
            _REF_RELEASE_IT,
        ),
    ),
)

_FETCH_RAW = frozenset({"fetch", "globalThis.fetch", "window.fetch", "global.fetch"})
#: modules whose ``fetch`` is the WHATWG one (the import target or its root)
_FETCH_LIBS = ("node-fetch", "undici", "cross-fetch", "isomorphic-fetch", "isomorphic-unfetch")
_BROWSER_LIBS = (
    "react",
    "react-dom",
    "react-native",
    "expo",
    "vue",
    "svelte",
    "@angular",
    "preact",
    "solid-js",
    "next/link",
    "next/router",
    "next/navigation",
    # client-side state and data-fetching libraries of those frameworks
    "zustand",
    "jotai",
    "recoil",
    "swr",
    "@tanstack/react-query",
)
#: calls only a browser page can make: its document, its window's events, the beacon and web storage
_BROWSER_CALLS = ("document.", "window.addEventListener", "navigator.sendBeacon", "localStorage.", "sessionStorage.")
#: axios method -> index of its config argument
_AXIOS_CONFIG = {
    "get": 1,
    "delete": 1,
    "head": 1,
    "options": 1,
    "post": 2,
    "put": 2,
    "patch": 2,
    "postForm": 2,
    "putForm": 2,
    "patchForm": 2,
    "request": 0,
}


@dataclass(frozen=True)
class Options:
    """What an options-object argument says about one key: absent, present (with its rendered value),
    or unknowable (not an object literal, or it spreads another object)."""

    known: bool
    value: str | None = None  # rendered value when present


def options(args: tuple[Arg, ...], position: int, key: str) -> Options:
    if position >= len(args):
        return Options(known=True)
    arg = args[position]
    if arg.name is not None or arg.call is not None or arg.literal is not None:
        return Options(known=False)
    if any(item.startswith("...") for item in arg.items):
        return Options(known=False)
    for item in arg.items:
        name, _, value = item.partition("=")
        if name == key:
            return Options(known=True, value=value)
    return Options(known=True)


def _object(arg: Arg) -> bool:
    """An object literal argument (``{}`` included)."""
    return arg.name is None and arg.call is None and arg.literal is None


#: directories that hold front-end or mobile-client code (a phone app waits on its user, not on a server queue)
_BROWSER_DIRS = frozenset(
    {"frontend", "web", "webapp", "ui", "public", "static", "www", "browser", "mobile", "ios", "android"}
)
#: a directory holding a React Native / Expo app, whatever its name around it (``react-native-app/``)
_MOBILE_MARKERS = ("react-native", "expo-app")
#: a directory named like a front-end app when ``src/`` follows it
_APP_SUFFIXES = ("client", "front", "frontend", "web", "ui", "app-ui")


#: a bundler's configuration (``vite.config.ts``, ``webpack.prod.config.js``): its code runs in the dev server
#: (Azure-Samples/aks-store-demo mocks its API with ``fetch`` inside Vite's ``configureServer``) or at build time
_BUNDLER_CONFIG = lazy(r"(?i)(?:^|/)(?:vite|vitest|webpack|rollup|rspack)(?:\.[\w-]+)?\.config\.[cm]?[jt]s$")


def bundler_config(path: str) -> bool:
    """A bundler's config module: never part of what a server runs per request."""
    return bool(_BUNDLER_CONFIG.search(path))


def browser_module(index: CodeIndex) -> bool:
    """Code that runs in a browser or a phone app (waiting on its user, not on a server queue): RES200 and
    RES290 leave it alone."""
    if index.path.lower().endswith((".jsx", ".tsx", ".vue", ".svelte")):
        return True
    parts = [part.lower() for part in index.path.split("/")[:-1]]
    if any(part in _BROWSER_DIRS or any(m in part for m in _MOBILE_MARKERS) for part in parts):
        return True
    if any(a.endswith(_APP_SUFFIXES) and b == "src" for a, b in pairwise(parts)):
        return True  # ``client/src/``, ``pakrat_client/src/``, ``my-frontend/src/``
    if any(call.raw.startswith(_BROWSER_CALLS) for call in index.calls):
        return True  # a tracking snippet or widget: ``(window => { document.addEventListener(…) })(window)``
    return any(
        module == lib or module.startswith((lib + "/", lib + "."))
        for _, module in index.imports
        for lib in _BROWSER_LIBS
    )


def _is_fetch(call: CallSite, index: CodeIndex) -> bool:
    if call.raw not in _FETCH_RAW and call.raw.rsplit(".", 1)[-1] != "fetch":
        return False
    if call.target is not None:
        return call.target.split(".", 1)[0] in _FETCH_LIBS
    if call.raw != "fetch" and call.raw not in _FETCH_RAW:
        return False
    return not any(d.name == "fetch" for d in index.definitions)  # a local function called fetch


def _shadowed(call: CallSite, index: CodeIndex) -> bool:
    """``fetch`` is a parameter of the enclosing function (or of one it is nested in): an injected fetch."""
    return any("fetch" in d.params for d in index.definitions if within(call.function, d.qualname))


def _network_url(arg: Arg) -> bool:
    """A literal URL is judged only when absolute http(s): ``data:``/``blob:`` read no network, a relative
    path is a browser's same-origin call."""
    if arg.call in {"Request", "new Request"}:
        return False
    return not isinstance(arg.literal, str) or arg.literal.startswith(("http://", "https://"))


def fetch_hits(index: CodeIndex) -> Iterator[CallSite]:
    """The module's fetch calls with no signal (a browser module's are not asked for: see the check)."""
    for call in index.calls:
        if not call.args or not _is_fetch(call, index) or not _network_url(call.args[0]) or _shadowed(call, index):
            continue
        init = options(call.args, 1, "signal")
        if init.known and init.value is None:
            yield call


def _axios_local(index: CodeIndex) -> set[str]:
    return {local for local, module in index.imports if module in {"axios", "axios.default"}}


def _axios_timeout(call: CallSite, method: str, written: set[str], global_default: bool) -> Options | None:
    """The ``timeout`` an axios call or instance is given, or None when it is not to be judged."""
    if method == "create":
        found = options(call.args, 0, "timeout")
        instance_default = bool(call.assigned_to) and f"{call.assigned_to}.defaults.timeout" in written
        return None if instance_default and found.value is None else found
    if method not in _AXIOS_CONFIG and method:
        return None
    position = _AXIOS_CONFIG.get(method, 0)
    if not method and call.args and (len(call.args) > 1 or not _object(call.args[0])):
        if len(call.args) == 1 and not isinstance(call.args[0].literal, str):
            return None  # ``axios(x)``: a URL or a whole config, the index cannot tell
        position = 1  # ``axios(url, config)``
    found = options(call.args, position, "timeout")
    return None if found.value is None and global_default else found


def axios_hits(index: CodeIndex, global_default: bool) -> Iterator[tuple[CallSite, str]]:
    """(call, what is wrong) for the module's axios instances and direct calls (a browser module's are not
    asked for: see the check)."""
    locals_ = _axios_local(index)
    if not locals_:
        return
    written = {target for _, target, _ in index.writes}
    for call in index.calls:
        head, _, method = call.raw.partition(".")
        found = _axios_timeout(call, method, written, global_default) if head in locals_ else None
        if found is None or not found.known:
            continue
        if found.value is None:
            yield call, "sets no timeout"
        elif found.value.strip() in {"0", "null", "undefined", "Infinity"}:
            yield call, f"sets timeout: {found.value.strip()} (no limit)"


@dataclass(frozen=True)
class _AxiosDefault:
    """The module sets ``<axios>.defaults.timeout``: every axios call of the project gets that timeout."""


@dataclass(frozen=True)
class _Pending:
    """A finding that stands only when no module of the project sets an axios default timeout."""

    finding: Finding


_Partial = Finding | _Pending | _AxiosDefault | ModuleImports


class JsTimeoutCheck(ModuleCheck):
    name = "js-timeouts"
    rules = (FETCH_NO_SIGNAL, AXIOS_NO_TIMEOUT)
    fact_types = (CodeIndex,)
    project_fact_types = (HealthcheckScript, PathAliases, CodeIndex, *START_FACTS)

    def reads(self, module: ModuleHead) -> bool:
        return module.language in {"javascript", "typescript"}

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[_Partial]:
        index = fact
        if not self.reads(index):
            return []
        out: list[_Partial] = []
        locals_ = _axios_local(index)
        if any(target == f"{local}.defaults.timeout" for local in locals_ for _, target, _ in index.writes):
            out.append(_AxiosDefault())
        if looks_like_test_or_sample(index.path) or bundler_config(index.path):
            return out
        browser = browser_module(index)  # once per module: it reads every call and import
        out.append(module_imports(index, browser=browser))
        if browser:
            return out
        out += [self._fetch(index, call) for call in fetch_hits(index)]
        with_default = {(id(call), why) for call, why in axios_hits(index, True)}
        for call, why in axios_hits(index, False):
            finding = self._axios(index, call, why)
            out.append(finding if (id(call), why) in with_default else _Pending(finding))
        return out

    def finish(self, partials: list[_Partial], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        global_default = any(isinstance(p, _AxiosDefault) for p in partials)
        aliases = aliases_of(facts.of(PathAliases))
        browser = browser_only([p for p in partials if isinstance(p, ModuleImports)], aliases)
        found: list[Finding] = []
        for p in partials:
            if isinstance(p, Finding):
                found.append(p)
            elif isinstance(p, _Pending) and not global_default:
                found.append(p.finding)
        # a helper only browser code imports runs in the browser, like its importers (umami's lib/fetch.ts)
        kept = outside_healthchecks((f for f in found if module_id(f.location.path) not in browser), facts)
        apart = ctx.scope.derived(project_scripts_apart, facts) if kept else {}  # one mapping for every family
        return [lower_in_context(f, why) if (why := apart.get(f.location.path)) else f for f in kept]

    def _fetch(self, index: CodeIndex, call: CallSite) -> Finding:
        return self.finding(
            FETCH_NO_SIGNAL,
            f"`{call.raw}(...)` has no AbortSignal: the request waits as long as the peer lets it",
            Location(index.path, call.line, call.end_line),
            evidence={"call": call.raw, "function": call.function or "<module>"},
            remediation="Pass `signal: AbortSignal.timeout(ms)` in the init object (or combine it with the "
            "caller's signal through `AbortSignal.any([...])`).",
        )

    def _axios(self, index: CodeIndex, call: CallSite, why: str) -> Finding:
        what = f"`{call.raw}(...)`"
        if call.raw.endswith(".create"):
            name = call.assigned_to
            what = "axios instance" + (" (default export)" if name == "default" else f" `{name}`" if name else "")
        return self.finding(
            AXIOS_NO_TIMEOUT,
            f"{what} {why}: axios then waits without limit",
            Location(index.path, call.line, call.end_line),
            evidence={"call": call.raw, "problem": why},
            remediation="Set `timeout` (milliseconds) in the config, on the instance (`axios.create({ timeout: "
            "5000 })`) or once for the process (`axios.defaults.timeout = 5000`).",
        )
