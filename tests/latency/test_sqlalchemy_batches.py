"""A loop over batches of keys that runs one SQLAlchemy statement per batch (``column.in_(chunk)``) is the fix for
N+1, not an instance of it: privacyIDEA's token queries. The same statement with one key per iteration, and a batch
read that is not handed the loop's item, keep their LAT101."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck

QUERY = (
    "from sqlalchemy import select\n"
    "from app.models import TokenOwner, db\n\n\n"
    "def _chunked(ids):\n    return [ids[i:i + 500] for i in range(0, len(ids), 500)]\n\n\n"
    "def owners(token_ids):\n"  # line 9
    "    found = {}\n"
    "    for chunk in _chunked(token_ids):\n"
    "        rows = db.session.scalars(\n"  # line 12: one query per batch
    "            select(TokenOwner).where(TokenOwner.token_id.in_(chunk))\n"
    "        )\n"
    "        found.update({r.token_id: r for r in rows})\n"
    "    return found\n\n\n"
    "def owner_each(token_ids):\n"  # line 19
    "    for token_id in token_ids:\n"
    "        yield db.session.scalars(select(TokenOwner).where(TokenOwner.token_id == token_id))\n"  # line 21
    "\n\n"
    "def same_batch(token_ids, fixed):\n"  # line 24
    "    for token_id in token_ids:\n"
    "        yield db.session.scalars(select(TokenOwner).where(TokenOwner.token_id.in_(fixed)), token_id)\n"  # 26
)
MODELS = (
    "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
    "class TokenOwner(db.Model):\n    token_id = db.Column(db.Integer)\n"
)


def test_one_statement_per_batch_of_keys_is_no_query_per_item(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "models.py").write_text(MODELS)
    (tmp_path / "app" / "query.py").write_text(QUERY)
    found = findings_of(tmp_path, LatencyCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("LAT101", "app/query.py", 21),
        ("LAT101", "app/query.py", 26),
    ]
