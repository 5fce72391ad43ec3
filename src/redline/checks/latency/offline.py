"""Code that never serves a request: tests and samples, schema and data migrations, and the commands an
operator runs by hand (Django management commands; Python scripts in ``bin/``/``scripts/`` or run by a Dockerfile
``RUN`` line that the application does not import, ``sources/code/hand_run.py``; seed and one-off scripts in
JavaScript/TypeScript and Go).

Saleor's ``cleardb`` deletes staff addresses one user at a time: a demo reset run from a terminal. One query per
row there costs the operator a few seconds once; it is not a request's tail latency, which is what the N+1 and
per-item rules judge.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from redline.core.filekinds import looks_like_test_or_sample

#: folders of schema/data migrations (Django, Alembic ``versions/``): a numbered file there runs once, on deploy
_MIGRATIONS = frozenset({"migrations", "_migrations", "versions"})
#: a migrations folder named for what it migrates (DefectDojo's ``dojo/db_migrations/``, ``MIGRATION_MODULES``)
_NAMED_MIGRATIONS = ("_migrations", "-migrations")
#: JavaScript/TypeScript and Go seed, fixture-loading and migration scripts: run once by hand, never on a request
_SCRIPTS = re.compile(
    r"(?i)(^|/)(seeds?|seeders?|seeding|migrations?|migration[-_]\w+|scripts|fixtures|testutils?|testhelpers?|testdata|testing)(/|$)|(^|/)(seed|seeds|seeder|seeding)([._-][^/]*)?\.[cm]?[jt]sx?$"
)


def runs_by_hand(path: str, scripts: Collection[str] = frozenset()) -> str:
    """Why the module at ``path`` runs outside any request ("management command", "migration", "hand-run
    script"), or "". ``scripts`` are the project's scripts run by hand or at image build (``project_scripts_apart``:
    they take the project's imports to tell)."""
    if path in scripts:
        return "hand-run script"
    parts = path.split("/")
    folders = parts[:-1]
    if "management" in folders and "commands" in folders[folders.index("management") :]:
        return "management command"
    migrations = any(f in _MIGRATIONS or f.endswith(_NAMED_MIGRATIONS) for f in folders)
    # a numbered migration, or a helper module the migrations call (awx's ``migrations/_dab_rbac.py``: Django's
    # loader skips names starting with ``_``, so nothing but a migration imports it)
    if migrations and (parts[-1][:1].isdigit() or (parts[-1].startswith("_") and parts[-1] != "__init__.py")):
        return "migration"
    return ""


def offline(path: str, scripts: Collection[str] = frozenset()) -> bool:
    """Python tests, samples, migrations, management commands and the hand-run ``scripts``: code whose loops no
    request waits on."""
    return looks_like_test_or_sample(path) or bool(runs_by_hand(path, scripts))


def offline_js_go(path: str) -> bool:
    """JavaScript/TypeScript and Go tests, samples, seed scripts and migrations: code that never serves a request."""
    return looks_like_test_or_sample(path) or bool(_SCRIPTS.search(path))
