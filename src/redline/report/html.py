"""``report.html``: one self-contained, autoescaped page (no network, no CDN).

Every scanned string reaches the page through Jinja2 autoescaping; the
table's data is embedded as JSON in a ``<script type="application/json">``
block with ``<``, ``>`` and ``&`` escaped, and rendered with textContent.
"""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from redline import __version__
from redline.core.cache import read_entry, write_entry
from redline.core.result import AuditResult
from redline.report.interface import Reporter
from redline.report.latency_html import latency_section
from redline.report.map_html import map_section
from redline.report.plan_md import plan_by_horizon
from redline.report.sections import cost_tables, database_tables, monthly_cost_svg
from redline.report.serialize import SAMPLE_TAG, item_dicts, summary_dict

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "report.html.j2"


def _script_json(data: object) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class HtmlReporter(Reporter):
    filename = "report.html"

    def render(self, result: AuditResult) -> bytes:
        from markupsafe import Markup  # noqa: PLC0415 - with jinja2, only when a page is written

        template = _template()
        items = item_dicts(result)
        findings = [f for f in items if SAMPLE_TAG not in f["tags"]]
        samples = [f for f in items if SAMPLE_TAG in f["tags"] and f["suppressed"] is None]
        reasons = sorted(Counter(s.reason for s in result.skipped).items(), key=lambda kv: (-kv[1], kv[0]))
        page = template.render(
            version=__version__,
            root=result.root,
            summary=summary_dict(result),
            findings_json=Markup(_script_json(findings)),
            errors=result.errors,
            placements=result.topology.as_dict()["placements"] if result.topology is not None else [],
            evidence_tables=[*database_tables(result), *cost_tables(result)],
            cost_chart=Markup(monthly_cost_svg(result)),  # built from numbers and escaped labels only
            latency_html=latency_section(result),
            skipped=result.skipped,
            skipped_reasons=reasons,
            samples=samples,
            notices=[e for e in result.errors if not e.fatal and e.where == "vulnerability database"],
            map_html=map_section(result, lambda data: Markup(_script_json(data))),
            plan=plan_by_horizon(result),
        )
        return page.encode()


def _template() -> jinja2.Template:
    """The page template; jinja2 is imported only here, and its compiled form comes from the redline cache
    (compiling the template cost about as much as importing jinja2)."""
    import jinja2  # noqa: PLC0415 - a run that writes no HTML never pays for it

    class CachedBytecode(jinja2.BytecodeCache):
        """Compiled templates in the redline cache; jinja2 checks each entry's source checksum and
        Python version, and an unreadable or unwritable cache only means compiling again."""

        def load_bytecode(self, bucket: Any) -> None:
            raw = read_entry(f"jinja-{bucket.key}.bc")
            if raw:
                bucket.bytecode_from_string(raw)

        def dump_bytecode(self, bucket: Any) -> None:
            write_entry(f"jinja-{bucket.key}.bc", bucket.bytecode_to_string(), prefix="jinja-", keep=4)

    source = files("redline.report").joinpath(f"templates/{TEMPLATE}").read_text("utf-8")
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        loader=jinja2.DictLoader({TEMPLATE: source}),
        bytecode_cache=CachedBytecode(),
    )
    return env.get_template(TEMPLATE)
