"""WEB214/WEB215 over JSX/TSX components: ``dangerouslySetInnerHTML`` fed by the URL (high), a network
response (medium) or a value of unknown origin (low); sanitised, constant, imported, translated, highlighted,
escaped-JSON and length values stay silent, as do test files; the JSX facts of the index they rest on."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_by_place
from redline.checks.code.jsx_html import JsxHtmlCheck
from redline.core.model import Finding
from redline.sources.code.treesitter.index import index_tree_sitter

FIXTURES = Path(__file__).parent / "fixtures" / "jsx"


def _findings(root: Path = FIXTURES, select: tuple[str, ...] = ("WEB214", "WEB215", "WEB216")) -> list[Finding]:
    """The rules' findings over ``root``; WEB216 is opt-in, so it is selected by its code."""
    found: list[Finding] = findings_by_place(root, JsxHtmlCheck(), select=select)
    return found


def test_each_sink_fires_at_its_line_with_its_severity() -> None:
    assert [(f.rule, f.location.path, f.location.start_line, f.severity.name) for f in _findings()] == [
        ("WEB216", "src/Comments.tsx", 23, "LOW"),  # a prop: origin unknown here
        ("WEB214", "src/Comments.tsx", 24, "HIGH"),  # marked(q), q from useSearchParams
        ("WEB216", "src/Comments.tsx", 25, "LOW"),  # state set from a callback parameter
        ("WEB214", "src/Comments.tsx", 35, "HIGH"),  # a ternary branch carries q
        ("WEB216", "src/CustomContent.tsx", 9, "LOW"),  # configured HTML the URL's path only chooses (logto)
        ("WEB214", "src/CustomContent.tsx", 16, "HIGH"),  # the URL's own values, picked by index
        ("WEB214", "src/Feed.tsx", 10, "MEDIUM"),  # axios response
        ("WEB214", "src/Feed.tsx", 11, "MEDIUM"),  # fetch(...).json() || constant
        ("WEB216", "src/Feed.tsx", 12, "LOW"),  # the app's own renderer
        ("WEB214", "src/Legacy.jsx", 20, "MEDIUM"),  # the object this.rawMarkup() returns: marked, no sanitize
        ("WEB214", "src/Markdown.jsx", 7, "MEDIUM"),  # marked keeps raw HTML
        ("WEB214", "src/Markdown.jsx", 8, "HIGH"),  # decodeURIComponent carries location.hash
        ("WEB215", "src/Seo.jsx", 8, "LOW"),  # JSON-LD without '<' escaped
        ("WEB215", "src/Seo.jsx", 14, "HIGH"),  # JSON of the URL in a script
        ("WEB216", "src/Seo.jsx", 15, "LOW"),  # a local {__html} object
        ("WEB216", "src/Tag.tsx", 7, "LOW"),  # loaded by an id from the URL: the text is the server's, not the URL's
    ]


def test_the_review_list_is_opt_in_and_marked_sanitise_options_count() -> None:
    default = [(f.rule, f.location.path, f.location.start_line) for f in _findings(select=())]
    assert [d for d in default if d[0] == "WEB216"] == []
    assert ("WEB214", "src/Markdown.jsx", 7) in default
    assert not any(path in {"src/MarkedOld.jsx"} for _, path, _ in default)


def test_findings_say_where_the_html_comes_from_and_how_to_fix_it() -> None:
    by_line = {(f.location.path, f.location.start_line): f for f in _findings()}
    url = by_line[("src/Comments.tsx", 35)]
    assert url.message == (
        "dangerouslySetInnerHTML on <div> renders HTML read from the URL (useSearchParams), not sanitised"
    )
    assert url.evidence["origin"] == "name:q -> call:params.get"
    assert url.evidence["source"] == "useSearchParams"
    assert "DOMPurify.sanitize" in (url.remediation or "")
    state = by_line[("src/Comments.tsx", 25)]
    assert state.evidence["origin"] == "name:preview -> param:html"
    ld = by_line[("src/Seo.jsx", 8)]
    assert ld.evidence["element"] == "<script>" and "u003c" in (ld.remediation or "")
    assert "network response (axios)" in by_line[("src/Feed.tsx", 10)].message


def test_the_index_keeps_each_sink_with_its_branches_and_reads() -> None:
    source = (FIXTURES / "src" / "Comments.tsx").read_bytes()
    sinks = {s.line: s for s in index_tree_sitter("src/Comments.tsx", source, "typescript").jsx}
    assert sorted(sinks) == list(range(23, 37))
    memo = sinks[27]
    assert (memo.element, memo.name, memo.function, memo.value) == ("div", "dangerouslySetInnerHTML", "Comment", "memo")
    assert memo.branches == (("name:memo", "call:useMemo", "call:sanitizeHtml"),)
    assert sinks[34].branches == (("template", "call:t"), ("constant",))
    assert sinks[29].branches == (("name:BANNER", "constant"),)
    assert sinks[31].branches == (("import:LOGO_SVG",),)
    assert "useSearchParams" in sinks[24].reads
    seo = index_tree_sitter("src/Seo.jsx", (FIXTURES / "src" / "Seo.jsx").read_bytes(), "javascript").jsx
    assert seo[0].attrs == (("type", "application/ld+json"),)
    assert seo[-2].branches == (("object",),)  # createMarkup(): not defined in the file, not followed
    legacy = index_tree_sitter("src/Legacy.jsx", (FIXTURES / "src" / "Legacy.jsx").read_bytes(), "javascript").jsx
    assert [(s.function, s.branches) for s in legacy] == [
        ("Comment.render", (("name:rawMarkup", "call:marked"),)),
        ("Comment.render", (("call:marked+sanitize",),)),
        ("Comment.render", (("constant",),)),
    ]


def test_a_file_without_the_attribute_keeps_no_jsx_facts_and_broken_jsx_is_not_covered(tmp_path: Path) -> None:
    plain = index_tree_sitter("a.jsx", b"export const A = ({ x }) => <div title={x}>{x}</div>;\n", "javascript")
    assert plain.jsx == ()
    (tmp_path / "Broken.tsx").write_text("export const B = () => <div dangerouslySetInnerHTML={{ __html: x }}\n")
    assert _findings(tmp_path) == []


def test_type_assertions_and_awaits_are_looked_through() -> None:
    source = (
        b"export const A = ({ s }) => <div dangerouslySetInnerHTML={{ __html: s.content as string }} />;\n"
        b"export const B = async () =>\n"
        b"  <i dangerouslySetInnerHTML={{ __html: (await (await fetch('/x')).json()).h }} />;\n"
    )
    sinks = index_tree_sitter("a.tsx", source, "typescript").jsx
    assert [s.branches for s in sinks] == [(("member:s.content",),), (("call:fetch.json.h",),)]


def test_a_function_declared_inside_a_markup_function_keeps_its_returns_to_itself() -> None:
    source = b"""export function Page({ body }) {
  function createMarkup() {
    return { __html: "<b>hi</b>" };
    function other() { return { __html: body }; }
  }
  return <div dangerouslySetInnerHTML={createMarkup()} />;
}
"""
    sinks = index_tree_sitter("Page.jsx", source, "javascript").jsx
    assert [s.branches for s in sinks] == [(("constant",),)]
