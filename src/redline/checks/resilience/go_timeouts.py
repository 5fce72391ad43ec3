"""Outbound calls without a time limit in Go, from the tree-sitter code index: ``http.Client`` literals
without ``Timeout``, the package-level helpers that use ``http.DefaultClient`` (no timeout), and gRPC dials
that block with no deadline."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.checks.interface import CheckContext, ModuleCheck
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.model import CallSite, CodeIndex, Composite

_TAGS = ("CWE-400", "STRIDE:D")
_REF_RELEASE_IT = 'Michael T. Nygard, *Release It!*, 2nd ed., chapter 5 "Stability Patterns: Timeouts"'
_REF_CLOUDFLARE = "https://blog.cloudflare.com/the-complete-guide-to-golang-net-http-timeouts/"

GO_CLIENT_NO_TIMEOUT = Rule(
    code="RES210",
    name="go-http-client-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Go http.Client built without a Timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `http.Client{...}` / `&http.Client{...}` literals that set no `Timeout`, unless the "
        "variable they are bound to gets one later (`c.Timeout = ...`) or the file builds deadline contexts "
        "(`context.WithTimeout`/`WithDeadline`), which may bound each request instead. A literal with a "
        "custom `Transport` is not reported: such clients (Docker, object storage, registry proxies) often "
        "stream long bodies, where a whole-request `Timeout` is the wrong limit and the transport's "
        "`ResponseHeaderTimeout` or per-request contexts are the right one.",
        why_bad="A zero `Timeout` means no limit: a server that accepts the connection and stops sending "
        "holds the goroutine, the connection and whatever the caller locked for ever. Transport-level "
        "timeouts (`ResponseHeaderTimeout`, dial timeouts) do not cover reading a slow body.",
        example="client := &http.Client{Transport: tr}",
        use_instead="client := &http.Client{Transport: tr, Timeout: 10 * time.Second}",
        references=("https://pkg.go.dev/net/http#Client", _REF_CLOUDFLARE, _REF_RELEASE_IT),
    ),
)

GO_DEFAULT_CLIENT = Rule(
    code="RES211",
    name="go-default-http-client",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Go request through http.DefaultClient, which has no timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `http.Get`, `http.Head`, `http.Post`, `http.PostForm` and `http.DefaultClient.*` "
        "calls, unless some file of the project sets `http.DefaultClient.Timeout`.",
        why_bad="These helpers use `http.DefaultClient`, whose `Timeout` is zero: no limit at all. One peer "
        "that stops answering blocks the calling goroutine for ever.",
        example='resp, err := http.Get("https://api.example.com/orders")',
        use_instead="var client = &http.Client{Timeout: 10 * time.Second}\n\n"
        'resp, err := client.Get("https://api.example.com/orders")',
        references=("https://pkg.go.dev/net/http#Get", _REF_CLOUDFLARE, _REF_RELEASE_IT),
    ),
)

GRPC_BLOCKING_DIAL = Rule(
    code="RES212",
    name="grpc-blocking-dial-without-deadline",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="gRPC dial that blocks (WithBlock) with no deadline",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `grpc.Dial(..., grpc.WithBlock())` without `grpc.WithTimeout`, and "
        "`grpc.DialContext(ctx, ..., grpc.WithBlock())` whose context is `context.Background()` or "
        "`context.TODO()` (no deadline). Non-blocking dials (`grpc.NewClient`, `Dial` without `WithBlock`) "
        "return at once and are not reported.",
        why_bad="`WithBlock` makes the dial wait until the connection is up; with no deadline, an address that "
        "never answers blocks start-up (or the calling request) for ever instead of failing.",
        example="conn, err := grpc.DialContext(context.Background(), addr, grpc.WithBlock())",
        use_instead="ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)\ndefer cancel()\n"
        "conn, err := grpc.DialContext(ctx, addr, grpc.WithBlock())",
        references=(
            "https://pkg.go.dev/google.golang.org/grpc#DialContext",
            "https://github.com/grpc/grpc-go/blob/master/Documentation/anti-patterns.md",
        ),
    ),
)

_HTTP = "net/http"
_DEFAULT_HELPERS = frozenset({"Get", "Head", "Post", "PostForm"})
_DEADLINE_CALLS = frozenset({"context.WithTimeout", "context.WithDeadline", "context.WithTimeoutCause"})
_GRPC = "google.golang.org/grpc"


def test_support(path: str) -> bool:
    """Test helpers outside ``_test.go`` files (``testsuites/``, ``testutil/``, ``mocks/``, ``e2e/``)."""
    return any(part.lower().startswith(("test", "mock", "fake", "e2e")) for part in path.split("/")[:-1])


def _deadlines(index: CodeIndex) -> bool:
    return any((c.target or "").rsplit("/", 1)[-1] in _DEADLINE_CALLS for c in index.calls)


def client_hits(index: CodeIndex) -> Iterator[Composite]:
    if _deadlines(index):
        return
    written = {(function, target) for function, target, _ in index.writes if target.endswith(".Timeout")}
    for literal in index.composites:
        if literal.target != f"{_HTTP}.Client" or "Timeout" in literal.keys or "Transport" in literal.keys:
            continue  # a custom Transport: see the rule's documentation
        if literal.assigned_to and _timeout_set(literal, written):
            continue
        yield literal


def _timeout_set(literal: Composite, written: set[tuple[str, str]]) -> bool:
    """``c.Timeout = ...`` in the function that built ``c``; for a package-level variable, anywhere."""
    attribute = f"{literal.assigned_to}.Timeout"
    return any(
        target == attribute and (function == literal.function or not literal.function) for function, target in written
    )


def _context_requests(index: CodeIndex) -> set[str]:
    """Functions that build a request with a caller's context (``http.NewRequestWithContext(ctx, ...)``):
    its deadline, if any, bounds ``DefaultClient.Do``; ``context.Background()``/``TODO()`` carry none."""
    return {
        c.function
        for c in index.calls
        if c.target == f"{_HTTP}.NewRequestWithContext"
        and c.args
        and c.args[0].call not in {"context.Background", "context.TODO"}
    }


def default_client_hits(index: CodeIndex) -> Iterator[CallSite]:
    with_context = _context_requests(index)
    for call in index.calls:
        target = call.target or ""
        if not target.startswith(_HTTP + "."):
            continue
        rest = target[len(_HTTP) + 1 :].removeprefix("DefaultClient.")
        if rest in _DEFAULT_HELPERS or (rest == "Do" and call.function not in with_context):
            yield call


def grpc_hits(index: CodeIndex) -> Iterator[CallSite]:
    for call in index.calls:
        if call.target not in {f"{_GRPC}.Dial", f"{_GRPC}.DialContext"}:
            continue
        options = [a.call or "" for a in call.args]
        if not any(o.endswith(".WithBlock") for o in options) or any(o.endswith(".WithTimeout") for o in options):
            continue
        if call.target.endswith("Context"):
            context = call.args[0].call if call.args else None
            if context not in {"context.Background", "context.TODO"}:
                continue
        yield call


@dataclass(frozen=True)
class _DefaultClientUse:
    """A call through ``http.DefaultClient``: a finding unless some module of the project sets its Timeout."""

    path: str
    call: CallSite


@dataclass(frozen=True)
class _SetsDefaultTimeout:
    """The module assigns ``http.DefaultClient.Timeout`` (which bounds every default-client call)."""


class GoTimeoutCheck(ModuleCheck):
    name = "go-timeouts"
    rules = (GO_CLIENT_NO_TIMEOUT, GO_DEFAULT_CLIENT, GRPC_BLOCKING_DIAL)
    fact_types = (CodeIndex,)

    def reads(self, module: ModuleHead) -> bool:
        return module.language == "go"

    def check_module(
        self, fact: CodeIndex, ctx: CheckContext
    ) -> Iterable[Finding | _DefaultClientUse | _SetsDefaultTimeout]:
        index = fact
        if not self.reads(index):
            return []
        found: list[Finding | _DefaultClientUse | _SetsDefaultTimeout] = []
        if any(t == "http.DefaultClient.Timeout" for _, t, _ in index.writes):
            found.append(_SetsDefaultTimeout())
        if looks_like_test_or_sample(index.path) or test_support(index.path):
            return found
        found += [self._client(index, literal) for literal in client_hits(index)]
        found += [_DefaultClientUse(index.path, call) for call in default_client_hits(index)]
        found += [self._dial(index, call) for call in grpc_hits(index)]
        return found

    def finish(
        self, partials: list[Finding | _DefaultClientUse | _SetsDefaultTimeout], facts: Facts, ctx: CheckContext
    ) -> Iterable[Finding]:
        default_set = any(isinstance(p, _SetsDefaultTimeout) for p in partials)
        found: list[Finding] = []
        for p in partials:
            if isinstance(p, Finding):
                found.append(p)
            elif isinstance(p, _DefaultClientUse) and not default_set:
                found.append(self._default(p.path, p.call))
        return found

    def _client(self, index: CodeIndex, literal: Composite) -> Finding:
        name = f" `{literal.assigned_to}`" if literal.assigned_to else ""
        return self.finding(
            GO_CLIENT_NO_TIMEOUT,
            f"http.Client{name} has no Timeout: its requests wait without limit",
            Location(index.path, literal.line),
            evidence={"keys": ",".join(literal.keys) or "(none)", "function": literal.function or "<package>"},
            remediation="Set `Timeout` in the literal (`&http.Client{Timeout: 10 * time.Second}`), or send every "
            "request with a deadline context (`http.NewRequestWithContext` with `context.WithTimeout`); a client "
            "that streams long bodies can bound `Transport.ResponseHeaderTimeout` and an idle deadline instead.",
        )

    def _default(self, path: str, call: CallSite) -> Finding:
        return self.finding(
            GO_DEFAULT_CLIENT,
            f"`{call.raw}` uses http.DefaultClient, which has no timeout",
            Location(path, call.line, call.end_line),
            evidence={"call": call.raw, "function": call.function or "<package>"},
            remediation="Use an `http.Client` with `Timeout` set (one per process, reused), or a request built "
            "with `http.NewRequestWithContext` and a deadline context.",
        )

    def _dial(self, index: CodeIndex, call: CallSite) -> Finding:
        return self.finding(
            GRPC_BLOCKING_DIAL,
            f"`{call.raw}` blocks until connected (WithBlock) with no deadline",
            Location(index.path, call.line, call.end_line),
            evidence={"call": call.raw},
            remediation="Dial with a context from `context.WithTimeout`, or drop `WithBlock` and use "
            "`grpc.NewClient` (connections are made lazily; each RPC then carries its own deadline).",
        )
