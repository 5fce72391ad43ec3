"""Python code that never serves a request: tests and samples, schema and data migrations, and the commands an
operator runs by hand (Django management commands).

Saleor's ``cleardb`` deletes staff addresses one user at a time: a demo reset run from a terminal. One query per
row there costs the operator a few seconds once; it is not a request's tail latency, which is what the N+1 and
per-item rules judge.
"""

from __future__ import annotations

from redline.core.filekinds import looks_like_test_or_sample

#: folders of schema/data migrations (Django, Alembic ``versions/``): a numbered file there runs once, on deploy
_MIGRATIONS = frozenset({"migrations", "_migrations", "versions"})


def runs_by_hand(path: str) -> str:
    """Why the module at ``path`` runs outside any request ("management command", "migration"), or ""."""
    parts = path.split("/")
    folders = parts[:-1]
    if "management" in folders and "commands" in folders[folders.index("management") :]:
        return "management command"
    if parts[-1][:1].isdigit() and _MIGRATIONS & set(folders):
        return "migration"
    return ""


def offline(path: str) -> bool:
    """Tests, samples, migrations and management commands: code whose loops no request waits on."""
    return looks_like_test_or_sample(path) or bool(runs_by_hand(path))
