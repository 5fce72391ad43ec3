"""Flaws a reviewer finds in application code, each tied to the route it is reachable from."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from redline.checks.code.cli import cli_code
from redline.checks.code.dev_switch import runs_only_in_development
from redline.checks.code.entrypoint import Launch, launches, served_by_server
from redline.checks.code.handlers import verified_decode
from redline.checks.code.hits import Hit, ModuleHit, flow_evidence, hit_finding, raw_taint
from redline.checks.code.rules import DEBUG_ON, JWT_UNVERIFIED, SHELL_FROM_REQUEST, SQL_FROM_REQUEST, WEAK_PASSWORD_HASH
from redline.checks.interface import CheckContext, ModuleCheck
from redline.core.context import lower_in_context
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.lazy_regex import lazy
from redline.core.model import Finding
from redline.sources.code.model import Arg, CallSite, CodeIndex
from redline.sources.code.routes import RouteInventory, routes_by_handler
from redline.sources.code.routes.common import imports_module
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.procfile import Procfile

_SQL_SINKS = frozenset({"execute", "executemany", "executescript", "raw", "text", "extra"})
_SHELL_FUNCS = frozenset({"os.system", "os.popen", "asyncio.create_subprocess_shell", "commands.getoutput"})
_SUBPROCESS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
    }
)
_DEBUG_APPS = frozenset(
    {"fastapi.FastAPI", "starlette.applications.Starlette", "aiohttp.web.Application", "aiohttp.web_app.Application"}
)
#: the evidence of a debug switch that runs only when the file is run directly
MAIN_GUARD = "if __name__ == '__main__'"
_PASSWORD = re.compile(r"(^|[._])(pass(word|wd)?|pwd)s?($|[._])", re.IGNORECASE)


def _sql(call: CallSite) -> Hit | None:
    if call.raw.rsplit(".", 1)[-1] not in _SQL_SINKS or not call.built_by:
        return None
    taint = raw_taint(call, frozenset({"0", "sql", "query", "where", "select"}), opaque=False)
    if taint is None:
        return None
    return Hit(
        SQL_FROM_REQUEST,
        f"SQL built by {call.built_by} from request data reaches {call.raw}",
        call,
        call.line,
        {**flow_evidence(call, taint), "built_by": call.built_by},
        "Pass the values as bound parameters (`execute(sql, params)`, `text(...).bindparams`, Django "
        "`raw(sql, params)`) and keep the SQL a constant; never format request data into it.",
    )


def _shell(call: CallSite) -> Hit | None:
    shell = call.target in _SHELL_FUNCS or (
        call.target in _SUBPROCESS and any(a.keyword == "shell" and a.literal is True for a in call.args)
    )
    taint = raw_taint(call, frozenset({"0", "args", "cmd"}), frozenset({"quote"}), opaque=False) if shell else None
    if taint is None:
        return None
    return Hit(
        SHELL_FROM_REQUEST,
        f"shell command built from request data runs through {call.raw}",
        call,
        call.line,
        flow_evidence(call, taint),
        "Run the program with an argument list and no shell (`subprocess.run([prog, '--', value])`), "
        "and validate the value against an allow-list.",
    )


def _password_arg(args: tuple[Arg, ...]) -> str | None:
    for a in args:
        for text in (a.name, a.call, *a.call_args):
            if text and _PASSWORD.search(text):
                return text
    return None


def _weak_hash(call: CallSite) -> Hit | None:
    algo = None
    if call.target in {"hashlib.md5", "hashlib.sha1"}:
        algo, args = call.target.split(".")[1], call.args
    elif call.target == "hashlib.new" and call.args and str(call.args[0].literal).lower() in {"md5", "sha1"}:
        algo, args = str(call.args[0].literal).lower(), call.args[1:]
    if algo is None:
        return None
    name = _password_arg(args)
    if name is None:
        return None
    return Hit(
        WEAK_PASSWORD_HASH,
        f"password hashed with {algo.upper()} ({name})",
        call,
        call.line,
        {"algorithm": algo, "value": name},
        "Hash passwords with argon2id, bcrypt, scrypt or PBKDF2 (Django's `make_password`, "
        "`werkzeug.security.generate_password_hash`, `passlib`); rehash on next login.",
    )


def _jwt(call: CallSite) -> Hit | None:
    if call.target in {"jose.jwt.get_unverified_claims", "jwt.get_unverified_claims"}:
        why = "get_unverified_claims"
    elif call.target in {"jwt.decode", "jose.jwt.decode"}:
        why = next((w for a in call.args for w in _jwt_why(a)), "")
    else:
        return None
    if not why or (why != "algorithms include none" and _predicate(call.function)):
        return None
    return Hit(
        JWT_UNVERIFIED,
        f"JWT decoded without signature verification ({why})",
        call,
        call.line,
        {"how": why},
        "Decode with the key and an explicit algorithm list "
        '(`jwt.decode(token, key, algorithms=["RS256"])`); never disable verification or allow `none`.',
    )


def _predicate(function: str) -> bool:
    """``is_saleor_token``: a yes/no question about a token (whose issuer is it?) answered by peeking at its
    claims; they leave the function as a bool, never as an identity, so the unverified read is not trusted."""
    name = function.rsplit(".", 1)[-1]
    return name.startswith(("is_", "has_"))


def _jwt_why(a: Arg) -> Iterator[str]:
    if a.keyword == "verify" and a.literal is False:
        yield "verify=False"
    if a.keyword == "options" and "verify_signature=False" in a.items:
        yield "verify_signature=False"
    if (
        a.keyword == "algorithms"
        and isinstance(a.literal, tuple)
        and any(isinstance(x, str) and x.lower() == "none" for x in a.literal)
    ):  # a name is not a literal "none"
        yield "algorithms include none"


def _debug(index: CodeIndex) -> Iterator[Hit]:
    flask = any(q.startswith("flask") for _, q in index.imports)
    for call in index.calls:
        on = any(a.keyword == "debug" and a.literal is True for a in call.args)
        if (
            on
            and ((flask and call.raw.endswith(".run")) or call.target in _DEBUG_APPS)
            and not runs_only_in_development(call, index)  # ``if settings.debug: app.run(debug=True)``
        ):
            first, last = index.main_guard
            yield Hit(
                DEBUG_ON,
                f"{call.raw}(debug=True) switches the debugger on",
                call,
                call.line,
                {"setting": "debug=True", **({"entry": MAIN_GUARD} if first <= call.line <= last else {})},
                "Read debug from the environment, off by default, and never "
                "enable it where the service is reachable by others.",
            )
    # a single settings module; in a settings package the base module's DEBUG is usually overridden
    if index.path.rsplit("/", 1)[-1] == "settings.py":
        for assignment in index.assignments:
            if assignment.name == "DEBUG" and assignment.values == (True,):
                yield Hit(
                    DEBUG_ON,
                    "Django settings set DEBUG = True",
                    None,
                    assignment.line,
                    {"setting": "DEBUG = True"},
                    'Set `DEBUG = os.environ.get("DJANGO_DEBUG") == '
                    '"1"` (off by default) and keep a separate development settings module.',
                )


class CodeFlawCheck(ModuleCheck):
    name = "code-flaws"
    rules = (SQL_FROM_REQUEST, SHELL_FROM_REQUEST, DEBUG_ON, WEAK_PASSWORD_HASH, JWT_UNVERIFIED)
    fact_types = (CodeIndex,)
    project_fact_types = (RouteInventory, Dockerfile, ComposeProject, Procfile)

    def reads(self, module: ModuleHead) -> bool:
        return not looks_like_test_or_sample(module.path)

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[ModuleHit]:
        index = fact
        if not self.reads(index):
            return []
        # SQL and shell sinks of JavaScript and Go are judged by WEB210/WEB211 (jsgo_flaws.py)
        judges = (_sql, _shell, _weak_hash, _jwt) if index.language == "python" else (_weak_hash, _jwt)
        hits = [
            h
            for c in index.calls
            for judge in judges
            if (h := judge(c))
            and not _client_side(index, h)
            and not _verified_after(index, h)
            and not _pwned_passwords_range(index, h)
            and not _in_a_stand_in(h)
        ]
        return [ModuleHit(index.path, hit, index.language) for hit in (*hits, *_debug(index))]

    def finish(self, partials: list[ModuleHit], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        routes = routes_by_handler(facts.of(RouteInventory))
        found = [hit_finding(self, p.path, p.hit, p.reached(routes)) for p in (x.restored(self) for x in partials)]
        if not any(f.rule == DEBUG_ON.code for f in found):
            return found  # the start commands only judge a debug run
        started = launches(facts.of(Dockerfile), facts.of(ComposeProject), facts.of(Procfile))
        return [_deployed_without_main(f, started) for f in found]


#: the class names of a test double or a null object (warehouse's ``NullOIDCPublisherService``, "intended only for
#: use in development")
_STAND_IN = lazy(r"^(?:Null|Fake|Dummy|Mock|Stub|Noop|NoOp)[A-Z]")


def _in_a_stand_in(hit: Hit) -> bool:
    """An unverified JWT read in a method of a stand-in class: the deployment wires the real service, which
    verifies; the stand-in skips verification by design."""
    if hit.rule is not JWT_UNVERIFIED or hit.call is None or "." not in hit.call.function:
        return False
    return any(_STAND_IN.match(part) for part in hit.call.function.split(".")[:-1])


def _pwned_passwords_range(index: CodeIndex, hit: Hit) -> bool:
    """A SHA-1 of a password in a function that asks Have I Been Pwned's Pwned Passwords range API (Indico's
    ``check_password_pwned``: ``hashlib.sha1(password.encode()).hexdigest()[:5]`` sent to
    ``api.pwnedpasswords.com/range/``): the API takes the first five hex digits of a SHA-1 by design
    (k-anonymity); nothing is stored. The function's name says "pwned", or it names the API's host itself."""
    if hit.rule is not WEAK_PASSWORD_HASH or hit.call is None:
        return False
    function = hit.call.function
    if "pwned" in function.lower():
        return True
    span = next(((d.line, d.end_line) for d in index.definitions if d.qualname == function), None)
    return span is not None and any(
        span[0] <= s.line <= span[1] and "pwnedpasswords.com" in s.value for s in index.strings
    )


def _client_side(index: CodeIndex, hit: Hit) -> bool:
    """An unverified JWT read in a command-line tool (the user's own token, shown to them): the server it is sent
    to verifies it, so nothing here trusts the claims."""
    return hit.rule.code == JWT_UNVERIFIED.code and hit.call is not None and bool(cli_code(index, hit.call.function))


#: the claims that say how to verify a token: who issued it, which key and algorithm signed it
_ROUTING_CLAIMS = frozenset({"iss", "aud", "kid", "alg"})


def _verified_after(index: CodeIndex, hit: Hit) -> bool:
    """An unverified JWT read that only picks how to verify it (Flagsmith's token exchange: ``unverified_claims =
    jwt.decode(token, options={"verify_signature": False})``, then ``unverified_claims.get("iss")`` to find the
    issuer's keys, then ``jwt.decode(token, signing_key.key, ...)``): the function reads the issuer or key id from
    it and decodes the token again with the key. Claims read otherwise (returned, used) are still unverified."""
    call = hit.call
    if hit.rule.code != JWT_UNVERIFIED.code or call is None or not call.assigned_to:
        return False
    later = [c for c in index.calls_in(call.function) if c.line > call.line]
    reads = [c for c in later if c.raw == f"{call.assigned_to}.get"]
    routes = bool(reads) and all(c.args and c.args[0].literal in _ROUTING_CLAIMS for c in reads)
    return routes and any(verified_decode(c) or _library_verifies(index, c) for c in later)


#: libraries that verify the token themselves, and the calls that do (pylti1p3: ``MessageLaunch.get_launch_data()``
#: validates the LTI 1.3 id_token's signature against the platform's key set; MediaCMS's LTI launch first reads
#: ``iss``/``aud`` unverified to pick the platform)
_VERIFYING_LIBRARIES = {"pylti1p3": frozenset({"get_launch_data", "validate"})}


def _library_verifies(index: CodeIndex, call: CallSite) -> bool:
    """The call verifies the token through a library the module imports (its last name is one of the library's)."""
    name = call.raw.rsplit(".", 1)[-1]
    return any(name in methods and imports_module(index, (lib,)) for lib, methods in _VERIFYING_LIBRARIES.items())


def _deployed_without_main(finding: Finding, started: Iterable[Launch]) -> Finding:
    """``app.run(debug=True)`` under ``if __name__ == "__main__":`` in a service whose image, compose service or
    Procfile starts a WSGI/ASGI server and never runs the file: the debugger only starts on a developer's machine
    (context step)."""
    if finding.rule != DEBUG_ON.code or finding.evidence.get("entry") != MAIN_GUARD:
        return finding
    server = served_by_server(finding.location.path, started)
    if not server:
        return finding
    return lower_in_context(finding, f"development entry point: the deployment serves the app with {server}")
