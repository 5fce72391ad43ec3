"""Java: Spring MVC/WebFlux (``@RestController``/``@Controller`` with ``@RequestMapping`` on the class and
``@GetMapping``… or ``@RequestMapping(method=...)`` on methods), JAX-RS (``@Path`` on class and method,
``@GET``…) and ``@WebServlet`` servlets (``doGet``/``doPost``…). Guards: ``@PreAuthorize``/``@Secured``/
``@RolesAllowed`` (authorization), ``@PermitAll`` (public), and Spring Security's
``authorizeHttpRequests``/``authorizeRequests`` matchers (``requestMatchers(...).hasRole(...)``,
``anyRequest().authenticated()``), the first matching rule deciding as Spring does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from redline.sources.code.model import Arg, CallSite, CodeIndex, Decorator, Definition
from redline.sources.code.routes.common import Project, join
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.model import NO, UNKNOWN, YES, Route
from redline.sources.code.routes.settings import EntrypointSettings

_MAPPINGS = {
    "GetMapping": "GET",
    "PostMapping": "POST",
    "PutMapping": "PUT",
    "PatchMapping": "PATCH",
    "DeleteMapping": "DELETE",
    "RequestMapping": "ANY",
}
_JAXRS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_SERVLET = {"doGet": "GET", "doPost": "POST", "doPut": "PUT", "doDelete": "DELETE", "service": "ANY"}
_AUTHZ = {"PreAuthorize", "PostAuthorize", "Secured", "RolesAllowed"}
_PUBLIC = {"PermitAll", "AnonymousAllowed"}
_MATCHERS = ("requestMatchers", "antMatchers", "mvcMatchers", "regexMatchers", "pathMatchers")
#: what a matcher rule decides: public, authenticated, authorized (a role/authority check) or denied
_DECISIONS = {
    "permitAll": "public",
    "authenticated": "authenticated",
    "fullyAuthenticated": "authenticated",
    "hasRole": "authorized",
    "hasAnyRole": "authorized",
    "hasAuthority": "authorized",
    "hasAnyAuthority": "authorized",
    "access": "authorized",
    "denyAll": "authorized",
    "hasIpAddress": "authorized",
}


@dataclass(frozen=True)
class _Rule:
    patterns: tuple[str, ...]  # () for anyRequest()
    method: str | None
    decision: str
    evidence: str
    order: tuple[str, int, int]


def _short(dec: Decorator) -> str:
    return dec.raw.rsplit(".", 1)[-1]


def _paths(args: tuple[Arg, ...]) -> list[str]:
    for arg in args:
        if arg.keyword in {None, "value", "path", "urlPatterns"}:
            if isinstance(arg.literal, str):
                return [arg.literal]
            if isinstance(arg.literal, tuple):
                return [str(v) for v in arg.literal]
    return [""]


def _methods(dec: Decorator) -> tuple[str, ...]:
    verb = _MAPPINGS[_short(dec)]
    if verb != "ANY":
        return (verb,)
    declared = next((a for a in dec.args if a.keyword == "method"), None)
    if declared is None:
        return ("ANY",)
    names = declared.items or ((declared.name,) if declared.name else ())
    return tuple(n.rsplit(".", 1)[-1].upper() for n in names if n) or ("ANY",)


def security_rules(project: Project) -> list[_Rule]:
    """Spring Security's URL rules (``authorizeHttpRequests``, WebFlux ``authorizeExchange``), in source order."""
    rules: list[_Rule] = []
    for index in project.indexes:
        if index.language != "java":
            continue
        for call in index.calls:
            head, _, verb = call.raw.rpartition(".")
            decision = _DECISIONS.get(verb)
            if decision is None:
                continue
            before = _matcher_call(index, call, head)
            matcher = head.rsplit(".", 1)[-1]
            if before is None or (matcher not in _MATCHERS and matcher not in {"anyRequest", "anyExchange"}):
                continue
            patterns = tuple(a.literal for a in before.args if isinstance(a.literal, str) and a.literal.startswith("/"))
            method = next((a.name.rsplit(".", 1)[-1] for a in before.args if a.name and "HttpMethod" in a.name), None)
            if _paths_unknown(before.args, patterns):  # ``antMatchers(url)`` in a loop over configured URLs
                decision = UNKNOWN_PATHS
            evidence = f"{matcher}({', '.join(patterns)}).{verb}({', '.join(str(a.literal) for a in call.args)})"
            rules.append(_Rule(patterns, method, decision, evidence, (index.path, call.line, len(call.raw))))
    return sorted(rules, key=lambda r: r.order)


#: the decision of a matcher whose paths come from a variable (mall's ``for (String url : ignoreUrlsConfig.getUrls())
#: registry.antMatchers(url).permitAll()``): it may match any route, so the routes after it are not known
UNKNOWN_PATHS = "unknown"


def _matcher_call(index: CodeIndex, call: CallSite, head: str) -> CallSite | None:
    """The matcher call ``call`` is chained on: the nearest one before it in the same function (a configuration
    method calls ``registry.antMatchers(...)`` several times)."""
    earlier = [c for c in index.calls if c.raw == head and c.function == call.function and c.line <= call.line]
    return max(earlier, key=lambda c: c.line, default=None)


def _paths_unknown(args: tuple[Arg, ...], patterns: tuple[str, ...]) -> bool:
    """Matcher arguments that name paths only at run time (a variable, a call), none of them a literal path."""
    return not patterns and any(not (a.name and "HttpMethod" in a.name) and a.literal is None for a in args)


def _ant(pattern: str) -> re.Pattern[str]:
    """An Ant path pattern (``/admin/**``, ``/api/*/items``, ``/users/{id}``) as a regular expression."""
    out = ""
    for part in re.split(r"(\*\*|\*|\{[^}]*\})", pattern):
        out += ".*" if part == "**" else "[^/]*" if part == "*" or part.startswith("{") else re.escape(part)
    return re.compile(out.replace("/.*", "(/.*)?") + "/?$")


def _decide(rules: list[_Rule], path: str, methods: tuple[str, ...]) -> _Rule | None:
    concrete = re.sub(r"\{[^}]*\}", "x", path)
    for rule in rules:
        if rule.method is not None and rule.method not in methods:
            continue
        if not rule.patterns or any(_ant(p).match(concrete) for p in rule.patterns):
            return rule
    return None


def spring_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    rules = security_rules(project)
    found = [
        (index, cls, route)
        for index in project.indexes
        if index.language == "java"
        for cls in (d for d in index.definitions if d.kind == "class")
        for route in _class_routes(index, cls)
    ]
    scoped = _ModuleRules(rules, {module_of(index.path) for index, _, _ in found})
    for index, cls, (framework, methods, path, handler, line) in found:
        where = (methods, path, handler, index.path, line)
        yield judge(framework, where, cls, scoped.of(module_of(index.path)), settings)


def module_of(path: str) -> str:
    """The build module a Java file belongs to: the folder above its ``src/main`` (``mall-admin``), "" at the root."""
    head, sep, _ = path.partition("src/main/")
    return head.rstrip("/") if sep else ""


class _ModuleRules:
    """Which URL rules govern a module's routes: its own security configuration when it has one; else that of the
    modules that serve no routes (a shared security library such as mall's ``mall-security``); else every rule.
    A demo module's ``antMatchers("/**").permitAll()`` (mall's ``mall-demo``) does not open the other modules."""

    def __init__(self, rules: list[_Rule], serving: set[str]) -> None:
        self._by_module: dict[str, list[_Rule]] = {}
        for rule in rules:
            self._by_module.setdefault(module_of(rule.order[0]), []).append(rule)
        self._shared = [r for module, own in self._by_module.items() if module not in serving for r in own]
        self._all = rules

    def of(self, module: str) -> list[_Rule]:
        return self._by_module.get(module) or self._shared or self._all


def _class_routes(index: CodeIndex, cls: Definition) -> Iterator[tuple[str, tuple[str, ...], str, Definition, int]]:
    names = {_short(d) for d in cls.decorators}
    members = [d for d in index.definitions if d.qualname == f"{cls.qualname}.{d.name}" and d.kind == "function"]
    if names & {"RestController", "Controller"}:
        prefixes = _paths(next((d.args for d in cls.decorators if _short(d) == "RequestMapping"), ()))
        for method in members:
            for dec in (d for d in method.decorators if _short(d) in _MAPPINGS):
                for prefix in prefixes:
                    for path in _paths(dec.args):
                        yield "spring", _methods(dec), "/" + join(prefix, path).strip("/"), method, dec.line
    elif "Path" in names:
        prefix = _paths(next(d.args for d in cls.decorators if _short(d) == "Path"))[0]
        for method in members:
            verbs = [_short(d) for d in method.decorators if _short(d) in _JAXRS]
            sub = next((d for d in method.decorators if _short(d) == "Path"), None)
            if verbs or sub is not None:
                path = "/" + join(prefix, _paths(sub.args)[0] if sub else "").strip("/")
                line = min(d.line for d in method.decorators if _short(d) in _JAXRS or d is sub)
                yield "jaxrs", tuple(verbs) or ("ANY",), path, method, line
    elif "WebServlet" in names:
        servlet = next(d for d in cls.decorators if _short(d) == "WebServlet")
        for method in (m for m in members if m.name in _SERVLET):
            for path in _paths(servlet.args):
                yield "servlet", (_SERVLET[method.name],), path, method, method.line


_ROLE_CHECK = re.compile(r"has(?:Any)?(?:Role|Authority)|hasPermission|denyAll|@Secured|@RolesAllowed")


def judge(
    framework: str,
    where: tuple[tuple[str, ...], str, Definition, str, int],
    cls: Definition,
    rules: list[_Rule],
    settings: EntrypointSettings,
) -> Route:
    """Method security first (it applies whatever the URL rules say), then ``@PermitAll``, then the first
    URL rule that matches, then the project's own guard annotations."""
    methods, path, handler, file, line = where
    route = Route(framework, methods, path, handler.qualname, file, line)
    decorators = (*cls.decorators, *handler.decorators)
    method_security = tuple(
        f"@{d.raw}({', '.join(str(a.literal) for a in d.args)})" for d in decorators if _short(d) in _AUTHZ
    )
    public = tuple(f"@{d.raw}" for d in decorators if _short(d) in _PUBLIC)
    if method_security and "permitAll" not in " ".join(method_security):
        if _ROLE_CHECK.search(" ".join(method_security)):
            return replace(
                route, authenticated=YES, authorized=YES, auth_evidence=method_security, authz_evidence=method_security
            )
        return replace(route, authenticated=YES, authorized=UNKNOWN, auth_evidence=method_security)
    if public or method_security:
        return replace(route, authenticated=NO, authorized=NO, auth_evidence=public or method_security)
    rule = _decide(rules, path, methods)
    if rule is not None:
        evidence = (rule.evidence,)
        if rule.decision == UNKNOWN_PATHS:
            return replace(route, authenticated=UNKNOWN, authorized=UNKNOWN, auth_evidence=evidence)
        if rule.decision == "public":
            return replace(route, authenticated=NO, authorized=NO, auth_evidence=evidence)
        if rule.decision == "authorized":
            return replace(route, authenticated=YES, authorized=YES, auth_evidence=evidence, authz_evidence=evidence)
        return replace(route, authenticated=YES, authorized=UNKNOWN, auth_evidence=evidence)
    guards = Guards()
    guards.add(d.raw for d in decorators)
    return guards.judge(route, settings, default=UNKNOWN if rules else NO)
