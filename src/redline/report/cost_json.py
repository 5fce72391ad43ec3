"""``cost.json``: the cost summary (``synthesis.cost``) as a file; schema in ``schema/cost.schema.json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redline.report.jsontext import indented


def render_cost_json(document: Mapping[str, Any]) -> bytes:
    return (indented(document) + "\n").encode()
