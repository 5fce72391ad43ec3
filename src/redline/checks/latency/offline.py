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
from collections.abc import Collection, Iterable

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import CodeIndex, Definition
from redline.sources.code.routes.common import imports_module

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


#: Django's signals ``manage.py migrate`` sends: a function connected to one runs on deploy, never on a request
_MIGRATE_SIGNALS = frozenset({"post_migrate", "pre_migrate"})


def migrate_receivers(indexes: Iterable[CodeIndex]) -> dict[str, list[tuple[int, int]]]:
    """Path -> the (first, last) lines of each module-level function connected to ``pre_migrate``/``post_migrate``:
    decorated ``@receiver(post_migrate)``, or named in ``post_migrate.connect(create_permissions)`` (ralph's
    ``AppConfig.ready``), the name found in the connecting module or, failing that, as the project's only function
    so named. Ralph's ``create_permissions`` looks up permissions once per model: on each ``migrate``, not a request."""
    indexes = list(indexes)
    out: dict[str, list[tuple[int, int]]] = {}
    connected: list[tuple[str, str]] = []  # (connecting module, function name)
    for index in filter(_imports_migrate_signals, indexes):  # a few modules: their calls and decorators are read
        for d in _module_functions(index):
            if any(_names_a_migrate_signal(dec.raw, [a.name or "" for a in dec.args]) for dec in d.decorators):
                out.setdefault(index.path, []).append((d.line, d.end_line))
        connected += [
            (index.path, (c.args[0].name or "").rsplit(".", 1)[-1])
            for c in index.calls
            if c.args and _is_migrate_connect(c.raw)
        ]
    if not connected:
        return out
    wanted = {name for _, name in connected}
    by_name: dict[str, list[tuple[str, int, int]]] = {}
    for index in indexes:
        for d in index.definitions:
            if d.name in wanted and d.is_function and d.qualname == d.name:
                by_name.setdefault(d.name, []).append((index.path, d.line, d.end_line))
    for module, name in connected:
        found = by_name.get(name, [])
        here = [f for f in found if f[0] == module]
        for path, first, last in here or (found if len(found) == 1 else []):
            out.setdefault(path, []).append((first, last))
    return out


def _imports_migrate_signals(index: CodeIndex) -> bool:
    """The module imports ``post_migrate``/``pre_migrate`` or a ``signals`` module (``from django.db.models import
    signals``): only such a module can name one."""
    return any(q.endswith(".signals") or q.rsplit(".", 1)[-1] in _MIGRATE_SIGNALS for _, q in index.imports)


def _module_functions(index: CodeIndex) -> Iterable[Definition]:
    return (d for d in index.definitions if d.is_function and d.qualname == d.name)


def _names_a_migrate_signal(decorator: str, args: list[str]) -> bool:
    return decorator.rsplit(".", 1)[-1] == "receiver" and any(a.rsplit(".", 1)[-1] in _MIGRATE_SIGNALS for a in args)


def _is_migrate_connect(raw: str) -> bool:
    """``post_migrate.connect`` or ``signals.pre_migrate.connect``."""
    signal, _, method = raw.rpartition(".")
    return method == "connect" and signal.rsplit(".", 1)[-1] in _MIGRATE_SIGNALS


#: decorators that make a function a command-line command (Click, and Flask's ``app.cli``/blueprint ``cli`` groups,
#: which are Click's): ``@click.command()``, ``@cli.command("scan")``, ``@click.option(...)``, ``@click.argument(...)``
_CLICK_DECORATORS = frozenset({"command", "group", "option", "argument", "pass_context", "pass_obj"})


def terminal_commands(indexes: Iterable[CodeIndex]) -> dict[str, list[tuple[int, int]]]:
    """Path -> the (first, last) lines of each module-level function a module importing Click makes a command
    (``@click.command``, ``@storage.command(...)``, ``@click.option``): run from a terminal like a Django management
    command (ckan's ``ckan file scan`` looks each stored file up in the database, one query per file)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for index in indexes:
        if not imports_module(index, ("click",)):
            continue
        for d in _module_functions(index):
            if any(_commands(dec.raw, dec.target) for dec in d.decorators):
                out.setdefault(index.path, []).append((d.line, d.end_line))
    return out


def _commands(raw: str, target: str | None) -> bool:
    owner, _, name = raw.rpartition(".")
    if (target or "").startswith("click."):
        return name in _CLICK_DECORATORS
    return bool(owner) and name in {"command", "group"}  # a group of the module's own: ``@storage.command("scan")``


def offline_js_go(path: str) -> bool:
    """JavaScript/TypeScript and Go tests, samples, seed scripts and migrations: code that never serves a request."""
    return looks_like_test_or_sample(path) or bool(_SCRIPTS.search(path))
