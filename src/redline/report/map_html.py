"""The system map drawn for ``report.html``: a layered layout computed here (no layout library, nothing
loaded from the network), drawn as inline SVG with zone boxes and a colour legend; a click on a component
shows its facts, owner and findings (from embedded JSON, rendered with textContent).

Layout: one band per trust zone from left to right (internet, edge, internal, data tier, third party);
a zone with many components wraps into several columns of at most ``ROWS`` rows; within a zone, components
are ordered by the mean row of their neighbours already placed (one barycentric pass: fewer crossings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from redline.core.map_model import ZONE_ORDER, Colour, Component, SystemMap, Zone
from redline.core.model import Finding
from redline.core.result import AuditResult
from redline.report.serialize import location_dict
from redline.report.system_map import PALETTE, flow_label

ROWS = 24
NODE_W, NODE_H = 180, 30
COL_W, ROW_H = 210, 42
ZONE_GAP, PAD, TOP = 40, 16, 34


@dataclass(frozen=True)
class Placed:
    component: Component
    x: int
    y: int


def layout(m: SystemMap) -> tuple[dict[str, Placed], list[tuple[Zone, int, int, int]], int, int]:
    """Positions of every component, the zone boxes (zone, x, width, height), and the drawing's size."""
    neighbours: dict[str, set[str]] = {}
    for f in m.flows:
        neighbours.setdefault(f.source, set()).add(f.target)
        neighbours.setdefault(f.target, set()).add(f.source)
    placed: dict[str, Placed] = {}
    boxes: list[tuple[Zone, int, int, int]] = []
    x = PAD
    height = 0
    for zone in ZONE_ORDER:
        members = [c for c in m.components if c.zone == zone]
        if not members:
            continue

        def rank(c: Component) -> tuple[float, str]:
            rows = [placed[n].y for n in neighbours.get(c.id, ()) if n in placed]
            return (sum(rows) / len(rows) if rows else float("inf"), c.id)

        members.sort(key=rank)
        cols = (len(members) + ROWS - 1) // ROWS
        for i, c in enumerate(members):
            placed[c.id] = Placed(c, x + PAD + (i // ROWS) * COL_W, TOP + PAD + (i % ROWS) * ROW_H)
        width = cols * COL_W + PAD
        box_h = min(len(members), ROWS) * ROW_H + 2 * PAD
        boxes.append((zone, x, width, box_h))
        height = max(height, TOP + box_h)
        x += width + ZONE_GAP
    return placed, boxes, x, height + PAD


def _node(p: Placed) -> str:
    c = p.component
    label = c.name if len(c.name) <= 24 else c.name[:23] + "…"
    tech = f" · {c.technology}" if c.technology else ""
    return (
        f'<g class="node" tabindex="0" role="button" data-id="{escape(c.id)}" '
        f'transform="translate({p.x},{p.y})"><title>{escape(c.id)} ({escape(c.colour.value)}){escape(tech)}'
        f'</title><rect width="{NODE_W}" height="{NODE_H}" rx="6" fill="{PALETTE[c.colour]}" stroke="#333"/>'
        f'<text x="8" y="19">{escape(label)}</text></g>'
    )


def _edge(a: Placed, b: Placed, label: str) -> str:
    """A curve from the right of ``a`` to the left of ``b``. An edge that would pass behind the nodes of the
    columns in between runs along the channel above the zone boxes instead (so it cannot be misread as
    leaving a node it only passes)."""
    x1, y1 = a.x + NODE_W, a.y + NODE_H // 2
    x2, y2 = b.x, b.y + NODE_H // 2
    if x2 <= x1:  # same column or backwards: leave from the left side and loop around
        x1 = a.x
        mid = min(x1, x2) - 30
        d = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    elif x2 - x1 > COL_W + ZONE_GAP + PAD:
        lane = 6
        d = (
            f"M{x1},{y1} C{x1 + 20},{y1} {x1 + 20},{lane} {x1 + 40},{lane} L{x2 - 40},{lane} "
            f"C{x2 - 20},{lane} {x2 - 20},{y2} {x2},{y2}"
        )
    else:
        mid = (x1 + x2) // 2
        d = f"M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
    title = f"<title>{escape(label)}</title>" if label else ""
    return f'<path class="edge" d="{d}" marker-end="url(#arrow)">{title}</path>'


def render_svg(m: SystemMap) -> str:
    placed, boxes, width, height = layout(m)
    parts = [
        f'<svg id="map" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="system map">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    ]
    for zone, x, w, h in boxes:
        parts.append(
            f'<g class="zone" data-zone="{zone.value}"><rect x="{x}" y="{TOP - 20}" width="{w}" '
            f'height="{h + 20}" rx="10" fill="none" stroke="#999" stroke-dasharray="6 4"/>'
            f'<text x="{x + 10}" y="{TOP - 4}" class="zlabel">{escape(zone.value)}</text></g>'
        )
    parts += [
        _edge(placed[f.source], placed[f.target], flow_label(f))
        for f in m.flows
        if f.source in placed and f.target in placed
    ]
    parts += [_node(p) for p in placed.values()]
    parts.append("</svg>")
    return "".join(parts)


def _panel_finding(f: Finding) -> dict[str, Any]:
    """The four keys the panel shows (the whole finding is never serialised for it)."""
    return {"rule": f.rule, "severity": str(f.severity), "message": f.message, "location": location_dict(f.location)}


def panel_data(result: AuditResult, m: SystemMap) -> dict[str, Any]:
    by_fp = {f.fingerprint: f for f in result.findings}
    return {
        c.id: {**c.as_dict(), "findings": [_panel_finding(by_fp[fp]) for fp in c.findings if fp in by_fp]}
        for c in m.components
    }


def threat_section(result: AuditResult) -> str:
    model = result.threats
    if model is None:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(t.id)}</code></td><td>{escape(t.status.value)}</td>"
        f'<td><span class="sev sev-{escape(t.severity)}">{escape(t.severity)}</span></td>'
        f"<td>{escape(t.deadline.isoformat() if t.deadline else '-')}</td><td>{escape(t.owner)}</td>"
        f"<td>{escape(t.element)}</td><td>{escape(t.category.value)}</td><td>{escape(t.title)}</td>"
        f"<td>{escape(t.control)} ({escape(t.control_state.value)})</td><td>{escape(t.compensating)}</td></tr>"
        for t in model.threats
    )
    rejected = "".join(f"<li>{escape(r)}</li>" for r in model.rejected)
    return (
        '<h2>Threat register</h2><table id="threats"><thead><tr><th>id</th><th>status</th><th>severity</th>'
        "<th>deadline</th><th>owner</th><th>element</th><th>STRIDE</th><th>threat</th><th>control</th>"
        f"<th>compensating control</th></tr></thead><tbody>{rows}</tbody></table>"
        + (f"<h3>Risk acceptances not honoured</h3><ul>{rejected}</ul>" if rejected else "")
    )


def legend() -> str:
    return "".join(f'<span class="lg"><i style="background:{PALETTE[c]}"></i>{escape(c.value)}</span>' for c in Colour)


def map_section(result: AuditResult, script_json: Any) -> Markup:
    """The whole map section (heading, legend, SVG, details panel, data, script); empty without a map. The
    threat register (``threat_section``) is a section of its own, placed by the page."""
    m = result.system_map
    if m is None or not m.components:
        return Markup("")
    problems = "".join(f"<li>{escape(p)}</li>" for p in m.problems)
    probes = "".join(
        f'<li>{escape(p.question)} <span class="muted">({escape(", ".join(str(s) for s in p.seen))})</span></li>'
        for p in m.probes
    )
    data = script_json(panel_data(result, m))
    return Markup(
        f'<h2>System map</h2><p class="muted">{len(m.components)} components, {len(m.flows)} flows. '
        f'Click a component for its facts, owner and findings.</p><div class="legend">{legend()}</div>'
        f'<div class="mapwrap">{render_svg(m)}</div><div id="mapinfo" class="mapinfo" hidden></div>'
        + (f"<h3>Probes</h3><ul>{probes}</ul>" if probes else "")
        + (f"<h3>Map problems</h3><ul>{problems}</ul>" if problems else "")
        + f'<script type="application/json" id="map-data">{data}</script><style>{_CSS}</style>'
        + f"<script>{_JS}</script>"
    )


_CSS = """
.mapwrap{overflow:auto;max-height:70vh;border:1px solid #ddd;border-radius:6px;background:#fcfcfc}
#map .node{cursor:pointer}#map .node text{font:12px system-ui,sans-serif;fill:#111;pointer-events:none}
#map .node.sel rect{stroke-width:3;stroke:#000}#map .edge{fill:none;stroke:#777;stroke-width:1.2}
#map .zlabel{font:bold 12px system-ui,sans-serif;fill:#555}
.legend{display:flex;gap:14px;margin:6px 0}.lg i{display:inline-block;width:12px;height:12px;border:1px solid #333;
margin-right:4px;vertical-align:-1px}.mapinfo{border:1px solid #ccc;border-radius:6px;padding:8px 12px;margin-top:8px}
"""

_JS = """
(function(){
  var data = JSON.parse(document.getElementById('map-data').textContent);
  var info = document.getElementById('mapinfo');
  function el(tag, text){ var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  function list(title, items){
    var box = el('div'); box.appendChild(el('b', title));
    var ul = el('ul'); items.forEach(function(t){ ul.appendChild(el('li', t)); });
    if (!items.length) ul.appendChild(el('li', 'none'));
    box.appendChild(ul); return box;
  }
  function show(id){
    var c = data[id]; if (!c) return;
    document.querySelectorAll('#map .node.sel').forEach(function(n){ n.classList.remove('sel'); });
    var node = document.querySelector('#map .node[data-id="' + CSS.escape(id) + '"]');
    if (node) node.classList.add('sel');
    info.textContent = '';
    info.appendChild(el('h3', c.name + ' — ' + c.kind + ', ' + c.zone + ', ' + c.colour));
    info.appendChild(el('p', 'owner: ' + (c.owners.length ? c.owners.join(', ') : 'unknown')
      + (c.technology ? ' · technology: ' + c.technology : '')));
    info.appendChild(list('why this colour', c.reasons.map(function(r){ return r.colour + ': ' + r.why; })));
    info.appendChild(list('seen at', c.seen.map(function(s){ return s.path + ':' + s.line + ' — ' + s.what; })));
    info.appendChild(list('exposure', c.exposure.map(function(x){
      return x.how + ' (' + x.path + ':' + x.line + ')'; })));
    if (c.admin_consoles.length) info.appendChild(list('admin consoles', c.admin_consoles.map(function(x){
      return x.name + ' on port ' + x.port + ': login ' + x.authenticated + ' — ' + x.why; })));
    c.measured.forEach(function(m){
      var box = list('measured: ' + m.source + ' (' + m.matched_by + ')', Object.keys(m.figures).map(function(k){
        return k + ': ' + m.figures[k]; }));
      box.className = 'measured'; info.appendChild(box);
    });
    var f = list('findings (' + c.findings.length + ')', c.findings.map(function(x){
      return x.severity + ' ' + x.rule + ' ' + x.location.path + ':' + x.location.start_line + ' — ' + x.message; }));
    f.id = 'mapfindings'; info.appendChild(f);
    info.hidden = false;
  }
  document.querySelectorAll('#map .node').forEach(function(n){
    n.addEventListener('click', function(){ show(n.getAttribute('data-id')); });
    n.addEventListener('keydown', function(e){ if (e.key === 'Enter') show(n.getAttribute('data-id')); });
  });
  var m = /(?:^|[#&])component=([^&]*)/.exec(location.hash);
  if (m) {
    var target = document.querySelector('#map .node[data-id="' + CSS.escape(decodeURIComponent(m[1])) + '"]');
    if (target) target.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  }
})();
"""
