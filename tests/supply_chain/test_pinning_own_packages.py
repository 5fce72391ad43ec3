"""DEP101 and the tree's own packages: a dependency on a package another manifest of the repository defines (karrio's
connectors on ``karrio``, its npm workspace members on ``@karrio/*``) is built from the repository's source, pinned by
the commit; a registry package is not, even when the tree defines a package of that name elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import audit, write_tree


def _project(name: str, *deps: str) -> str:
    lines = "".join(f'    "{d}",\n' for d in deps)
    return f'[project]\nname = "{name}"\nversion = "1.0"\ndependencies = [\n{lines}]\n'


def _package(name: str, deps: dict[str, str]) -> str:
    return json.dumps({"name": name, "version": "1.0.0", "dependencies": deps}, indent=2)


# karrio's root package-lock.json: workspace members are links (the lock reader skips them), registry packages pinned
NPM_LOCK = {
    "name": "root",
    "lockfileVersion": 3,
    "packages": {
        "": {"name": "root", "workspaces": ["apps/*", "packages/*"]},
        "node_modules/@karrio/admin": {"resolved": "packages/admin", "link": True},
        "node_modules/@karrio/hooks": {"resolved": "packages/hooks", "link": True},
        "node_modules/react": {"version": "18.2.0"},
    },
}


def test_dependencies_on_the_trees_own_packages_need_no_pin(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            # Python: the SDK, a connector needing only it, a server module with third-party ranges beside it
            "modules/sdk/pyproject.toml": _project("karrio"),
            "modules/connectors/fedex/pyproject.toml": _project("karrio_fedex", "karrio"),
            "modules/core/pyproject.toml": _project("karrio_server_core", "Karrio", "psutil>=5", "dnspython"),
            "modules/poetry/pyproject.toml": '[tool.poetry]\nname = "karrio.server.extra"\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\nkarrio-server-core = "*"\n',
            "modules/admin/pyproject.toml": _project("karrio_server_admin", "karrio-server-extra"),
            # npm workspace: members depend on each other with "*" and on registry packages the root lock pins
            "package.json": json.dumps({"name": "root", "workspaces": ["apps/*", "packages/*"]}, indent=2),
            "package-lock.json": json.dumps(NPM_LOCK, indent=2),
            "packages/admin/package.json": _package("@karrio/admin", {"@karrio/hooks": "*", "react": "^18.2.0"}),
            "packages/hooks/package.json": _package("@karrio/hooks", {"@karrio/admin": "*"}),
            "apps/web/package.json": _package("web", {"@karrio/hooks": "*", "left-pad": "^1.3.0"}),
            # look-alikes that still fire: a PyPI package named like an npm package of the tree ("ui-kit"), a registry
            # package only a vendored copy defines ("requests"), a package named like the dependency but not it
            "packages/ui/package.json": _package("ui-kit", {}),
            "tools/gen/pyproject.toml": _project("gen", "ui-kit>=2"),
            "vendor/requests/pyproject.toml": _project("requests"),
            "libs/auth/pyproject.toml": _project("httpx-auth"),
            "service/pyproject.toml": _project("service", "requests>=2", "httpx>=0.27"),
        },
    )
    result = audit(tmp_path, None, select=("DEP101",))
    got = sorted((f.location.path, f.location.start_line, f.message) for f in result.findings)
    assert got == [
        ("apps/web/package.json", 6, "no lockfile beside package.json pins its 1 ranged dependency (left-pad ^1.3.0)"),
        (
            "modules/core/pyproject.toml",
            6,
            "no lockfile beside pyproject.toml pins its 2 ranged dependencies (dnspython, psutil>=5)",
        ),
        (
            "service/pyproject.toml",
            5,
            "no lockfile beside pyproject.toml pins its 2 ranged dependencies (httpx>=0.27, requests>=2)",
        ),
        ("tools/gen/pyproject.toml", 5, "no lockfile beside pyproject.toml pins its 1 ranged dependency (ui-kit>=2)"),
    ]
