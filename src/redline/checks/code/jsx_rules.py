"""The JSX HTML sink rules: declared here, judged in ``jsx_html.py``."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_FOLLOWED = (
    "The value is followed through the component's local names (`const clean = DOMPurify.sanitize(raw)`, "
    "`useMemo(() => …)`, `useState` and every value its setter is called with), each branch of a ternary, "
    "`||`/`??` and each part of a template or concatenation on its own. A name imported from another module "
    "is not followed (it is usually an SVG or markup constant) and is not flagged."
)

_CLEAN = (
    "A value passed through a sanitiser or an escaping renderer is not flagged: DOMPurify (`DOMPurify.sanitize`, "
    "any `…sanitize…`/`…purify…`/`…escape…`/`xss`/`filterXSS` call), sanitize-html, `he.encode`, "
    "highlight.js/Prism/shiki highlighting, KaTeX and React server rendering (they escape their input), nor "
    "`marked(text, { sanitize: true })` or a module that set `marked.setOptions({ sanitize: true })` (marked "
    "before v8; the option is gone since, and the old sanitiser's bypasses are the dependency advisories' "
    "business). A translated string (`t('key')`, `i18n.t`, `intl.formatMessage`) is written by the project, "
    "not a caller, and is not flagged. "
)

UNSANITISED_HTML_JSX = Rule(
    code="WEB214",
    name="jsx-dangerously-set-inner-html-unsanitised",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="React dangerouslySetInnerHTML with unsanitised HTML from the URL, the network or a raw-HTML renderer",
    tags=("CWE-79", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags `dangerouslySetInnerHTML={{ __html: X }}` where `X` is not sanitised and comes from "
        "the URL (`location`, `useSearchParams`, `URLSearchParams`, `router.query`, `useParams`, "
        "`document.cookie`, `document.referrer`: high), a network response (`fetch`, `axios`, `useQuery`, "
        "`useSWR`: medium) or a Markdown renderer that passes raw HTML through (`marked`, showdown: medium; "
        "marked removed its `sanitize` option in v8). A URL value that only chooses what a hook or `fetch` "
        "loads (`useTagInfo({ name })` with `name` from `useParams()`) does not make the loaded HTML URL data. "
        + _CLEAN
        + "A value whose origin the component does not show (a prop, state, the app's own renderer) is WEB216's "
        "(opt-in). A `<style>` element is flagged only with URL data. `JSON.stringify` inside a `<script>` "
        "element is WEB215's. " + _FOLLOWED,
        why_bad="React escapes everything it renders except this attribute: whatever HTML the value holds "
        "runs in the page, so markup from a query parameter, an API response or a Markdown comment becomes "
        "DOM-based or stored cross-site scripting (`<img src=x onerror=…>`), with the user's session.",
        example="const q = useSearchParams().get('q');\n"
        "return <div dangerouslySetInnerHTML={{ __html: marked(q) }} />;",
        use_instead="import DOMPurify from 'dompurify';\n"
        "return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(marked(q)) }} />;\n"
        "// or render text as text: <div>{q}</div>, or Markdown as React elements (react-markdown)",
        references=(
            "https://cwe.mitre.org/data/definitions/79.html",
            "https://react.dev/reference/react-dom/components/common#dangerously-setting-the-inner-html",
            "https://github.com/cure53/DOMPurify",
            "https://marked.js.org/#usage",
        ),
    ),
)

INNER_HTML_TO_REVIEW = Rule(
    code="WEB216",
    name="jsx-inner-html-origin-unknown",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="React dangerouslySetInnerHTML with an unsanitised value whose origin the component does not show",
    tags=("CWE-79",),
    opt_in=True,
    doc=RuleDoc(
        what_it_does="Opt-in (`--select WEB216`): lists every `dangerouslySetInnerHTML={{ __html: X }}` whose `X` "
        "is neither a constant nor sanitised and whose origin the file does not show: a prop, state set from a "
        "callback, a field of an object the component was handed, the result of the app's own renderer "
        "(`renderSVG(...)`, `diffText(...)`). On real front-ends these are mostly HTML the server already "
        "rendered and sanitised, or markup the app builds itself, which is why the list is not part of a "
        "default run: it is the review list of a security pass over a front-end. " + _CLEAN + _FOLLOWED,
        why_bad="Each one is a place where the page trusts HTML: if any path delivers attacker markup to it "
        "(a comment body that skipped the server's sanitiser, a toast built from an error message that echoes "
        "input), it runs with the user's session (CWE-79).",
        example="export const Toast = ({ msg }) => <div dangerouslySetInnerHTML={{ __html: msg }} />;",
        use_instead="export const Toast = ({ msg }) => <div>{msg}</div>;\n"
        "// or, when it must be HTML: dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(msg) }}",
        references=(
            "https://cwe.mitre.org/data/definitions/79.html",
            "https://react.dev/reference/react-dom/components/common#dangerously-setting-the-inner-html",
        ),
    ),
)

SCRIPT_JSON_UNESCAPED = Rule(
    code="WEB215",
    name="jsx-script-json-not-escaped",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="JSON.stringify written into a <script> element without escaping '<'",
    tags=("CWE-79", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags `<script dangerouslySetInnerHTML={{ __html: JSON.stringify(data) }} />` (JSON-LD "
        "structured data, `window.__STATE__ = ${JSON.stringify(state)}`) when the JSON is not post-processed "
        "with `.replace(/</g, '\\\\u003c')` (or produced by `serialize-javascript`/`jsesc`/`htmlescape`, which "
        "escape it). A constant string is not flagged, nor the deployment's environment handed to the client "
        "(`window.ENV = ${JSON.stringify(data.ENV)}`, Remix's documented pattern: the operator sets those "
        "values). The finding is low: it is an XSS only when some string "
        "in the data can be chosen by a user; it is high when the data reads the URL. " + _FOLLOWED,
        why_bad="`JSON.stringify` does not escape `<`: a string `</script><script>alert(1)</script>` inside "
        "the data ends the script element early and the browser runs what follows (CWE-79). Next.js's own "
        "JSON-LD guide warns about exactly this.",
        example='<script type="application/ld+json"\n'
        "  dangerouslySetInnerHTML={{ __html: JSON.stringify(product) }} />",
        use_instead='<script type="application/ld+json"\n'
        "  dangerouslySetInnerHTML={{ __html: JSON.stringify(product).replace(/</g, '\\\\u003c') }} />",
        references=(
            "https://cwe.mitre.org/data/definitions/79.html",
            "https://nextjs.org/docs/app/guides/json-ld",
            "https://html.spec.whatwg.org/multipage/scripting.html#restrictions-for-contents-of-script-elements",
        ),
    ),
)
