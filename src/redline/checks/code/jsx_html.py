"""React ``dangerouslySetInnerHTML`` sinks fed unsanitised HTML from the URL, a network response or a raw-HTML
Markdown renderer (WEB214), ``JSON.stringify`` written into a ``<script>`` element without escaping ``<``
(WEB215), and, opt-in, every other unsanitised non-constant value as a review list (WEB216); judged from the
JSX facts of the JavaScript/TypeScript code index (each value's branches and what it reads)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from redline.checks.code.jsx_rules import INNER_HTML_TO_REVIEW, SCRIPT_JSON_UNESCAPED, UNSANITISED_HTML_JSX
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Confidence, Finding, Location, Severity, Skipped, ToolError
from redline.sources.code.model import CodeIndex, JsxAttribute

#: a callee (any part of it) that sanitises, escapes or renders escaped HTML: DOMPurify, sanitize-html, xss,
#: he, escape-html, serialize-javascript, jsesc, highlight.js/Prism/shiki, KaTeX, React server rendering
_CLEANING = re.compile(
    r"saniti[sz]|purif|escape|^xss$|filterxss|^encode|serialize|jsesc|safe|^highlight|codetohtml"
    r"|^rendertostring$|^rendertostaticmarkup$",
    re.IGNORECASE,
)
#: translation calls: the project's own text (``t('key')``, ``i18n.t``, ``intl.formatMessage``)
_I18N = frozenset({"t", "$t", "tc", "$tc", "formatMessage", "translate", "__", "_", "gettext", "i18n"})
#: the steps that only say how the value was reached
_PASSING = ("name:", "template", "concat", "call:useMemo", "call:React.useMemo", "call:computed")
#: reads that put the URL (or another attacker-chosen browser value) into the value
_URL = re.compile(
    r"(^|\.)(location|searchParams|useSearchParams|URLSearchParams|useParams|useLocation|useQueryParams)(\.|$)"
    r"|(^|\.)(router|route|\$route)\.(query|params)(\.|$)|^document\.(cookie|referrer|URL|documentURI)"
    r"|^window\.name$|(^|\.)req\.(query|params|body|headers|cookies)(\.|$)"
)


#: reads that put a network response into the value
_NETWORK = re.compile(r"(^|\.)(fetch|axios|useQuery|useSWR|useFetch|\$fetch|XMLHttpRequest|responseText|ky|got)(\.|$)")
#: Markdown renderers that pass raw HTML through (marked removed its ``sanitize`` option in v8)
_RAW_MARKDOWN = re.compile(r"(^|\.)(marked|makeHtml|showdown)(\.|$)")


@dataclass(frozen=True)
class _Verdict:
    kind: str  # clean / json / unsafe
    branch: tuple[str, ...] = ()


def _cleaning(callee: str) -> bool:
    parts = callee.split(".")
    if parts[-1] in _I18N or parts[0] in {"i18n", "intl", "i18next"}:
        return True
    return any(_CLEANING.search(p) and "unsafe" not in p.lower() for p in parts)


def _branch_verdict(branch: tuple[str, ...], marked_sanitises: bool = False) -> str:
    """clean / json / unsafe for one alternative of the value, from its first deciding step; ``marked_sanitises``
    when the module set ``marked.setOptions({ sanitize: true })`` (marked before v8)."""
    for step in branch:
        if step.startswith(_PASSING):
            continue
        if step in {"constant", "object"} or step.startswith("import:"):
            return "clean"  # an imported name is not followed: not flagged
        if step.startswith("call:"):
            if step.endswith("+sanitize"):
                return "clean"  # ``marked(text, { sanitize: true })``: the renderer's own sanitiser (marked < 8)
            parts = step[5:].split(".")
            if marked_sanitises and "marked" in parts:
                return "clean"
            if "stringify" in parts:
                rest = parts[parts.index("stringify") + 1 :]
                return "clean" if {"replace", "replaceAll"} & set(rest) else "json"
            return "clean" if _cleaning(step[5:]) else "unsafe"
        return "unsafe"
    return "clean"


def verdict(sink: JsxAttribute, marked_sanitises: bool = False) -> _Verdict:
    """The worst branch: unsafe over json over clean."""
    found = _Verdict("clean")
    for branch in sink.branches:
        kind = _branch_verdict(branch, marked_sanitises)
        if kind == "unsafe":
            return _Verdict("unsafe", branch)
        if kind == "json" and found.kind == "clean":
            found = _Verdict("json", branch)
    return found


def marked_sanitises(index: CodeIndex) -> bool:
    """``marked.setOptions({ sanitize: true })`` (or ``marked.use``) in the module."""
    return any(
        c.raw in {"marked.setOptions", "marked.use"} and any("sanitize=true" in i for a in c.args for i in a.items)
        for c in index.calls
    )


#: names that hold the deployment's configuration (Remix's ``window.ENV = ${JSON.stringify(data.ENV)}``)
_ENVIRONMENT = re.compile(r"(^|[._])(env|ENV|publicEnv|clientEnv|runtimeConfig|publicRuntimeConfig)$|Env$")


def _environment(sink: JsxAttribute) -> bool:
    """The script's JSON is the deployment's environment: it reads an ``env``-named value and no URL."""
    return any(_ENVIRONMENT.search(r) for r in sink.reads)


def url_read(sink: JsxAttribute) -> str:
    return next((r for r in sink.reads if _URL.search(r)), "")


@dataclass(frozen=True)
class Grade:
    severity: Severity
    confidence: Confidence
    where: str  # what the message says the HTML is


def grade(sink: JsxAttribute, branch: tuple[str, ...]) -> Grade:
    """High with URL data, medium with a network response or a Markdown renderer that keeps raw HTML, low
    (a value to review, origin unknown here: props, state, the app's own renderers) otherwise."""
    if url := url_read(sink):
        return Grade(Severity.HIGH, Confidence.HIGH, f"read from the URL ({url})")
    if network := next((r for r in sink.reads if _NETWORK.search(r)), ""):
        return Grade(Severity.MEDIUM, Confidence.MEDIUM, f"from a network response ({network})")
    if markdown := next((r for r in (*branch, *sink.reads) if _RAW_MARKDOWN.search(r.partition(":")[2] or r)), ""):
        name = markdown.partition(":")[2] or markdown
        return Grade(Severity.MEDIUM, Confidence.MEDIUM, f"rendered by `{name}`, which passes raw HTML through")
    return Grade(Severity.LOW, Confidence.LOW, f"from {_described(branch)} (its origin is not known here: review it)")


def _described(branch: tuple[str, ...]) -> str:
    """The deciding step in words: ``the prop `body```, ``the result of `marked()```."""
    step = next((s for s in branch if not s.startswith(_PASSING)), "")
    kind, _, what = step.partition(":")
    return {
        "param": f"the parameter `{what}`",
        "member": f"`{what}`",
        "call": f"the result of `{what}()`",
        "state": f"the state `{what}`",
    }.get(kind, f"`{what}`" if what else "a computed value")


def _origin(branch: tuple[str, ...]) -> str:
    return " -> ".join(s for s in branch if s not in {"template", "concat"}) or "value"


class JsxHtmlCheck(ProjectCheck):
    name = "code-jsx-html"
    rules = (UNSANITISED_HTML_JSX, SCRIPT_JSON_UNESCAPED, INNER_HTML_TO_REVIEW)
    fact_types = (CodeIndex,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        found: list[Finding] = []
        for index in facts.of(CodeIndex):
            if index.jsx and not looks_like_test_or_sample(index.path):
                sanitised = marked_sanitises(index)
                found += (f for sink in index.jsx if (f := self._judge(index.path, sink, sanitised)) is not None)
        return found

    def _judge(self, path: str, sink: JsxAttribute, sanitised: bool) -> Finding | None:
        judged = verdict(sink, sanitised)
        url = url_read(sink)
        element = sink.element.lower()
        if judged.kind == "clean" or (element == "style" and not url):
            return None
        evidence = {"element": f"<{sink.element}>", "value": sink.value, "origin": _origin(judged.branch)}
        if url:
            evidence["source"] = url
        location = Location(path, sink.line, sink.line)
        if judged.kind == "json" and element == "script" and not url and _environment(sink):
            return None  # ``window.ENV = ${JSON.stringify(data.ENV)}``: configuration the operator sets
        if judged.kind == "json" and element == "script":
            return self.finding(
                SCRIPT_JSON_UNESCAPED,
                "JSON.stringify written into <script> without escaping '<'"
                + (f" (the data reads {url})" if url else ""),
                location,
                severity=Severity.HIGH if url else None,
                evidence=evidence,
                remediation="Escape `<` in the JSON before it enters the script element: "
                "`JSON.stringify(data).replace(/</g, '\\\\u003c')`, or serialise with `serialize-javascript`.",
            )
        graded = grade(sink, judged.branch)
        rule = UNSANITISED_HTML_JSX if graded.severity >= Severity.MEDIUM else INNER_HTML_TO_REVIEW
        return self.finding(
            rule,
            f"dangerouslySetInnerHTML on <{sink.element}> renders HTML {graded.where}, not sanitised",
            location,
            severity=graded.severity,
            confidence=graded.confidence,
            evidence=evidence,
            remediation="Sanitise at the sink: `{ __html: DOMPurify.sanitize(html) }` (sanitize-html on the "
            "server); or render the text as text (`<div>{text}</div>`) or Markdown as React elements "
            "(react-markdown) instead of HTML.",
        )
