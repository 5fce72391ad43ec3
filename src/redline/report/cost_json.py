"""``cost.json``: the cost summary (``synthesis.cost``) as a file; schema in ``schema/cost.schema.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def render_cost_json(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
