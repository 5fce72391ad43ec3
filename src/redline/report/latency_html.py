"""The report's latency section (``redline audit --traces``): per root operation, a histogram of request
durations and the critical-path breakdown by hop, as inline SVG built from numbers and escaped labels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from redline.core.result import AuditResult

if TYPE_CHECKING:
    from redline.core.inventory import RootLatency

#: hop colours, in the order hops are listed (largest p95 first); the rest cycle
_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f")


def latency_section(result: AuditResult) -> Markup:
    """Heading and one block per root operation; empty when the audit read no traces."""
    if result.latency_report is None or not result.latency_report.roots:
        return Markup("")
    blocks = "".join(_block(root) for root in result.latency_report.roots)
    return Markup(
        '<h2 id="latency">Latency per root operation</h2><p class="muted">Measured from the traces: the '
        "distribution of request durations (buckets double from 1 ms) and, on the critical path, each hop's "
        f"p95 and mean share of the request.</p>{blocks}"
    )


def _block(root: RootLatency) -> str:
    title = escape(f"{root.service}: {root.operation}")
    stats = escape(f"{root.count:,} requests, p50 {root.p50_ms:g} ms, p95 {root.p95_ms:g} ms, p99 {root.p99_ms:g} ms")
    return f'<div class="latency"><h3>{title}</h3><p>{stats}</p>{histogram_svg(root)}{critical_path_svg(root)}</div>'


def histogram_svg(root: RootLatency, width: int = 480, height: int = 120) -> str:
    """One bar per duration bucket (labelled with its upper bound), heights by request count."""
    if not root.histogram:
        return ""
    first = min(int(upper).bit_length() - 1 for upper, _ in root.histogram)
    last = max(int(upper).bit_length() - 1 for upper, _ in root.histogram)
    counts = {int(upper).bit_length() - 1: n for upper, n in root.histogram}
    buckets = range(first, last + 1)
    top = max(counts.values()) or 1
    step = width / len(buckets)
    bars = []
    for i, b in enumerate(buckets):
        n = counts.get(b, 0)
        h = (height - 28) * n / top
        x = i * step + 2
        label = _ms_label(2**b)
        bars.append(
            f'<rect x="{x:.1f}" y="{height - 16 - h:.1f}" width="{max(step - 4, 1):.1f}" height="{h:.1f}" '
            f'fill="#4e79a7"><title>under {escape(label)}: {n:,} request(s)</title></rect>'
            f'<text x="{x:.1f}" y="{height - 3}" font-size="9">&lt;{escape(label)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="latency-histogram" '
        f'aria-label="{escape(root.operation)} latency histogram" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'
    )


def critical_path_svg(root: RootLatency, width: int = 480, bar: int = 18) -> str:
    """A stacked bar of the hops' mean shares of the request, and a labelled row per hop with its p95."""
    if not root.hops:
        return ""
    height = bar + 8 + 16 * len(root.hops)
    parts, x = [], 0.0
    for i, (hop, p95, share) in enumerate(root.hops):
        colour = _COLOURS[i % len(_COLOURS)]
        w = width * max(share, 0.0)
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{bar}" fill="{colour}">'
            f"<title>{escape(hop)}: {share:.0%} of the request, p95 {p95:g} ms</title></rect>"
        )
        x += w
        y = bar + 8 + 16 * i
        parts.append(
            f'<rect x="0" y="{y}" width="10" height="10" fill="{colour}"/>'
            f'<text x="16" y="{y + 9}" font-size="11">{escape(hop)}: p95 {p95:g} ms, {share:.0%} of the request</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="critical-path" '
        f'aria-label="{escape(root.operation)} critical path by hop" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )


def _ms_label(ms: float) -> str:
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:g} ms"
