"""The system map as files: ``map.json`` (every fact with its file and line), ``map.mmd`` (Mermaid, renders
on GitHub) and ``map.dot`` (Graphviz). Deterministic: components and flows in id order, no timestamps."""

from __future__ import annotations

import csv
import io
import re

from redline.core.map_model import ZONE_ORDER, Colour, Component, Flow, SystemMap
from redline.core.result import AuditResult
from redline.report.interface import Reporter
from redline.report.jsontext import indented

#: fill colours of the five colours (also used by the HTML map)
PALETTE: dict[Colour, str] = {
    Colour.RISKY: "#e05252",
    Colour.LEGACY: "#b07cd8",
    Colour.UNKNOWN: "#f2c94c",
    Colour.THIRD_PARTY: "#8fa3b8",
    Colour.CORE: "#5fb37a",
}
_EMPTY = SystemMap((), ())


def map_of(result: AuditResult) -> SystemMap:
    return result.system_map or _EMPTY


def flow_label(flow: Flow) -> str:
    parts = [p for p in (flow.protocol, str(flow.port) if flow.port is not None else "") if p]
    return ":".join(parts)


class MapJsonReporter(Reporter):
    filename = "map.json"

    def render(self, result: AuditResult) -> bytes:
        doc = map_of(result).as_dict()
        doc["legend"] = {str(c): PALETTE[c] for c in Colour}
        return (indented(doc, ensure_ascii=True) + "\n").encode()


def _mermaid_id(cid: str, ids: dict[str, str]) -> str:
    return ids.setdefault(cid, f"c{len(ids)}")


def _mermaid_text(text: str) -> str:
    return re.sub(r'["<>{}\[\]|#;`]', "_", text)


class MermaidReporter(Reporter):
    filename = "map.mmd"

    def render(self, result: AuditResult) -> bytes:
        m = map_of(result)
        ids: dict[str, str] = {}
        lines = ["flowchart LR"]
        for zone in ZONE_ORDER:
            members = [c for c in m.components if c.zone == zone]
            if not members:
                continue
            lines.append(f'  subgraph z_{zone.value.replace("-", "_")}["{zone.value}"]')
            lines += [
                f'    {_mermaid_id(c.id, ids)}["{_mermaid_text(_label(c))}"]:::{_class(c.colour)}' for c in members
            ]
            lines.append("  end")
        for f in m.flows:
            label = flow_label(f)
            arrow = f" -->|{_mermaid_text(label)}| " if label else " --> "
            lines.append(f"  {_mermaid_id(f.source, ids)}{arrow}{_mermaid_id(f.target, ids)}")
        lines += [f"  classDef {_class(c)} fill:{PALETTE[c]},stroke:#333,color:#111" for c in Colour]
        return ("\n".join(lines) + "\n").encode()


def _class(colour: Colour) -> str:
    return colour.value.replace("-", "_")


def _label(c: Component) -> str:
    tech = f" ({c.technology})" if c.technology else ""
    return f"{c.name}{tech}"


def _dot(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


class DotReporter(Reporter):
    filename = "map.dot"

    def render(self, result: AuditResult) -> bytes:
        m = map_of(result)
        lines = ["digraph system {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fontname="sans"];']
        for zone in ZONE_ORDER:
            members = [c for c in m.components if c.zone == zone]
            if not members:
                continue
            lines.append(f'  subgraph "cluster_{zone.value}" {{ label="{zone.value}"; style=dashed;')
            lines += [
                f'    "{_dot(c.id)}" [label="{_dot(_label(c))}", fillcolor="{PALETTE[c.colour]}", '
                f'tooltip="{_dot(c.colour.value)}"];'
                for c in members
            ]
            lines.append("  }")
        for f in m.flows:
            label = flow_label(f)
            attrs = f' [label="{_dot(label)}"]' if label else ""
            lines.append(f'  "{_dot(f.source)}" -> "{_dot(f.target)}"{attrs};')
        lines.append("}")
        return ("\n".join(lines) + "\n").encode()


class ThreatsCsvReporter(Reporter):
    """The threat register: one row per threat, open ones first, most severe first."""

    filename = "threats.csv"
    COLUMNS = (
        "id",
        "status",
        "severity",
        "deadline",
        "owner",
        "element",
        "element_type",
        "stride",
        "threat",
        "control",
        "control_state",
        "evidence",
        "compensating_control",
        "findings",
        "acceptance",
    )

    def render(self, result: AuditResult) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.COLUMNS)
        for t in result.threats.threats if result.threats is not None else ():
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        t.id,
                        t.status,
                        t.severity,
                        t.deadline.isoformat() if t.deadline else "",
                        t.owner,
                        t.element,
                        t.element_type,
                        t.category,
                        t.title,
                        t.control,
                        t.control_state,
                        "; ".join(str(s) for s in t.evidence),
                        t.compensating,
                        " ".join(t.findings),
                        t.acceptance,
                    )
                ]
            )
        return buf.getvalue().encode()


_HANDLES = re.compile(r"^@[\w.-]+(?:/[\w.-]+)?(?:, @[\w.-]+(?:/[\w.-]+)?)*$")


def _cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula (CSV injection): a leading =, +, -, @ is quoted,
    except owner handles (``@acme/platform``), which no spreadsheet evaluates."""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _HANDLES.match(text):
        return "'" + text
    return text
