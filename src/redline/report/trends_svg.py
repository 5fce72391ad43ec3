"""Small inline SVG line charts of the history (one per series): numbers and escaped labels only, no
script, nothing loaded. Without recorded runs there is nothing to draw and the page says how to get it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from redline.core.inventory import HistoryDigest


WIDTH, HEIGHT, PAD = 220, 56, 4


@dataclass(frozen=True)
class Trend:
    name: str
    first: float
    last: float
    points: int
    svg: Markup


def sparkline(name: str, series: Sequence[tuple[int, float]]) -> Markup:
    """A polyline over the run times (x) and values (y), with a dot on the last point."""
    xs = [t for t, _ in series]
    ys = [v for _, v in series]
    span_x = (max(xs) - min(xs)) or 1
    top = max(ys) or 1.0
    low = min(0.0, *ys)
    span_y = (top - low) or 1.0

    def at(t: int, v: float) -> tuple[float, float]:
        return (
            PAD + (t - min(xs)) / span_x * (WIDTH - 2 * PAD),
            HEIGHT - PAD - (v - low) / span_y * (HEIGHT - 2 * PAD),
        )

    pts = [at(t, v) for t, v in series]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    lx, ly = pts[-1]
    return Markup(
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(name)}: {len(series)} runs">'
        f'<polyline fill="none" stroke="#1565c0" stroke-width="1.6" points="{path}"/>'
        f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="2.6" fill="#1565c0"/></svg>'
    )


def trends(digest: HistoryDigest | None) -> list[Trend]:
    if digest is None:
        return []
    out = []
    for name, series in sorted(digest.series.items()):
        if len(series) < 2:
            continue
        out.append(Trend(name, series[0][1], series[-1][1], len(series), sparkline(name, series)))
    return out
