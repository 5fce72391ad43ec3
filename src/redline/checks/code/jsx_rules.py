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

UNSANITISED_HTML_JSX = Rule(
    code="WEB214",
    name="jsx-dangerously-set-inner-html-unsanitised",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="React dangerouslySetInnerHTML with a value that is neither a constant nor sanitised",
    tags=("CWE-79", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags `dangerouslySetInnerHTML={{ __html: X }}` where `X` is not a constant and is not "
        "passed through a sanitiser or an escaping renderer: DOMPurify (`DOMPurify.sanitize`, any "
        "`…sanitize…`/`…purify…`/`…escape…`/`xss`/`filterXSS` call), sanitize-html, `he.encode`, highlight.js/"
        "Prism/shiki highlighting, KaTeX and React server rendering (they escape their input). A translated "
        "string (`t('key')`, `i18n.t`, `intl.formatMessage`) is written by the project, not a caller, and is "
        "not flagged. `marked` output is flagged: marked removed its `sanitize` option (deprecated in 0.7, "
        "gone in v8) and passes raw HTML through. Severity is high when the value reads the URL "
        "(`location`, `useSearchParams`, `URLSearchParams`, `router.query`, `useParams`, `document.cookie`, "
        "`document.referrer`), medium otherwise (props, state, network responses, Markdown renderers). A "
        "`<style>` element is flagged only with URL data (CSS from a theme object is the common, harmless "
        "case). `JSON.stringify` inside a `<script>` element is WEB215's. " + _FOLLOWED,
        why_bad="React escapes everything it renders except this attribute: whatever HTML the value holds "
        "runs in the page, so markup from a comment, a profile field, a query parameter or an API response "
        "becomes stored or DOM-based cross-site scripting (`<img src=x onerror=…>`), with the user's session.",
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
        "escape it). A constant string is not flagged. The finding is low: it is an XSS only when some string "
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
