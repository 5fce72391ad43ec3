"""DEP101 unpinned-dependency: ranges, URLs and editables, unless a lockfile beside the manifest pins them."""

from __future__ import annotations

import json
from pathlib import Path

from .helpers import audit, write_tree

LOCK = {
    "name": "locked",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "locked", "version": "1.0.0", "dependencies": {"lodash": "^4.17.0"}},
        "node_modules/lodash": {"version": "4.17.21"},
    },
}


def test_unpinned_dependencies(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": "requests==2.31.0\nflask>=2.0\n-e git+https://github.com/org/lib#egg=lib\n"
            "attrs==23.1.0 ; python_version >= '3.8'\n",
            "web/package.json": json.dumps(
                {"name": "web", "version": "1.0.0", "dependencies": {"lodash": "^4.17.0", "left-pad": "1.3.0"}},
                indent=2,
            ),
            "locked/package.json": json.dumps(
                {"name": "locked", "version": "1.0.0", "dependencies": {"lodash": "^4.17.0"}}
            ),
            "locked/package-lock.json": json.dumps(LOCK),
        },
    )
    result = audit(tmp_path, None, select=("DEP",))
    got = {(f.location.path, f.location.start_line, f.location.resource) for f in result.findings}
    # left-pad 1.3.0 is exact; requests/attrs are pinned; locked/ has a lockfile pinning lodash
    assert got == {
        ("requirements.txt", 2, "PyPI/flask"),
        ("requirements.txt", 3, "PyPI/lib"),
        ("web/package.json", 5, "npm:web/package.json"),  # one finding for the missing lockfile
    }
    [web] = [f for f in result.findings if f.location.path == "web/package.json"]
    assert web.message == "no lockfile beside package.json pins its 1 ranged dependency (lodash ^4.17.0)"
    [flask] = [f for f in result.findings if f.location.resource == "PyPI/flask"]
    assert "flask>=2.0" in flask.message


def test_a_local_path_inside_the_tree_is_the_projects_own_code(tmp_path: Path) -> None:
    """ckan's requirements-docs.txt installs the project itself (``-e .``): the commit audited pins it. A sibling
    checkout outside the tree and a remote checkout without a commit are still unpinned."""
    write_tree(
        tmp_path,
        {
            "requirements-docs.txt": "-e .\n-e ./libs/billing[extra]\n./libs/ledger\n-e ../sibling\n"
            "-e git+https://github.com/org/lib#egg=lib\n",
            "libs/billing/pyproject.toml": "[project]\nname = 'billing'\nversion = '1.0'\n",
            "libs/ledger/pyproject.toml": "[project]\nname = 'ledger'\nversion = '1.0'\n",
        },
    )
    result = audit(tmp_path, None, select=("DEP101",))
    got = sorted((f.location.path, f.location.start_line, f.location.resource) for f in result.findings)
    assert got == [("requirements-docs.txt", 4, "PyPI/sibling"), ("requirements-docs.txt", 5, "PyPI/lib")]


POETRY_LOCK = """[[package]]
name = "requests"
version = "2.31.0"
description = "HTTP"
optional = false
python-versions = ">=3.7"
files = []

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "0"
"""


def test_pyproject_with_and_without_lockfile(tmp_path: Path) -> None:
    project = '[project]\nname = "{}"\nversion = "1.0"\ndependencies = [\n    "requests>=2",\n]\n'
    write_tree(
        tmp_path,
        {
            "app/pyproject.toml": project.format("app"),
            "app/poetry.lock": POETRY_LOCK,
            "lib/pyproject.toml": project.format("lib"),
            "node_modules/dep/package.json": json.dumps(
                {"name": "dep", "version": "1.0.0", "dependencies": {"x": "^1"}}
            ),
        },
    )
    result = audit(tmp_path, None, select=("DEP",))
    assert [(f.location.path, f.location.start_line, f.message) for f in result.findings] == [
        ("lib/pyproject.toml", 5, "no lockfile beside pyproject.toml pins its 1 ranged dependency (requests>=2)")
    ]


def test_workspace_member_pinned_by_the_root_lockfile(tmp_path: Path) -> None:
    """A uv workspace member (full-stack-fastapi-template's backend/) has no uv.lock of its own: the root one
    pins its dependencies. A member whose dependency the root lock does not pin is still reported."""
    member = '[project]\nname = "{}"\nversion = "1.0"\ndependencies = [\n    "{}>=2",\n]\n'
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "root"\nversion = "1"\n[tool.uv.workspace]\nmembers = ["backend"]\n',
            "uv.lock": 'version = 1\n\n[[package]]\nname = "requests"\nversion = "2.31.0"\n'
            'source = { registry = "https://pypi.org/simple" }\n',
            "backend/pyproject.toml": member.format("backend", "requests"),
            "other/pyproject.toml": member.format("other", "flask"),
        },
    )
    result = audit(tmp_path, None, select=("DEP",))
    got = {(f.location.path, f.location.start_line) for f in result.findings}
    assert got == {("other/pyproject.toml", 5)}


PNPM_LOCK = """lockfileVersion: '9.0'

importers:

  .: {}

  apps/web:
    dependencies:
      '@acme/ui':
        specifier: workspace:*
        version: link:../../packages/ui
      react-modal:
        specifier: ^3.16.1
        version: 3.16.1

  packages/ui: {}

packages:

  react-modal@3.16.1:
    resolution: {integrity: sha512-AAAA}

snapshots:

  react-modal@3.16.1: {}
"""


def test_a_pnpm_workspace_member_with_workspace_protocol_dependencies_is_pinned_by_the_root_lockfile(
    tmp_path: Path,
) -> None:
    """docmost's shape: a member's `workspace:*`/`link:` dependencies are packages of the same repository, not
    registry ranges, and the root pnpm-lock.yaml pins its one registry range. A member of another repository
    layout with a range nobody pins is still reported."""
    write_tree(
        tmp_path,
        {
            "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - 'packages/*'\n",
            "pnpm-lock.yaml": PNPM_LOCK,
            "apps/web/package.json": json.dumps(
                {"name": "web", "dependencies": {"@acme/ui": "workspace:*", "react-modal": "^3.16.1"}}, indent=2
            ),
            "packages/ui/package.json": json.dumps({"name": "@acme/ui", "version": "1.0.0"}, indent=2),
            "tools/cli/package.json": json.dumps(
                {"name": "cli", "dependencies": {"@acme/ui": "link:../../packages/ui", "chalk": "^5.0.0"}}, indent=2
            ),
        },
    )
    result = audit(tmp_path, None, select=("DEP",))
    assert [(f.location.path, f.location.start_line, f.message) for f in result.findings] == [
        ("tools/cli/package.json", 5, "no lockfile beside package.json pins its 1 ranged dependency (chalk ^5.0.0)")
    ]


def test_a_peer_range_beside_the_packages_own_install_is_for_consumers(tmp_path: Path) -> None:
    """Artalk's plugins: ``artalk`` is a peer dependency (``^2.10.0``, what a site using the plugin must have) and a
    ``workspace:^`` development install; the root lockfile pins the other ranges. A peer range beside an exact
    development copy is the consumers' range too; a peer range with no install beside it is still a range this
    manifest leaves open."""
    write_tree(
        tmp_path,
        {
            "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n  - 'packages/*'\n",
            "pnpm-lock.yaml": PNPM_LOCK,
            "apps/web/package.json": json.dumps(
                {
                    "name": "web",
                    "devDependencies": {"@acme/ui": "workspace:^", "react-modal": "^3.16.1"},
                    "peerDependencies": {"@acme/ui": "^1.0.0"},
                },
                indent=2,
            ),
            "packages/ui/package.json": json.dumps(
                {"name": "@acme/ui", "version": "1.0.0", "peerDependencies": {"react": "^18.0.0"}}, indent=2
            ),
            "packages/kit/package.json": json.dumps(
                {
                    "name": "@acme/kit",
                    "devDependencies": {"react": "18.2.0"},
                    "peerDependencies": {"react": "^18.0.0"},
                },
                indent=2,
            ),
        },
    )
    result = audit(tmp_path, None, select=("DEP",))
    assert [(f.location.path, f.location.start_line, f.message) for f in result.findings] == [
        ("packages/ui/package.json", 5, "no lockfile beside package.json pins its 1 ranged dependency (react ^18.0.0)")
    ]


def test_included_requirements_are_reported_once_at_their_own_line(tmp_path: Path) -> None:
    """AzureTRE's root requirements.txt includes docs/requirements.txt with `-r`: each unpinned line was
    reported twice, once at the including file with the included file's line numbers (pointing at a comment)."""
    write_tree(
        tmp_path,
        {
            "requirements.txt": "# Dev requirements\nflake8==7.3.0\n\n-r docs/requirements.txt\n",
            "docs/requirements.txt": "markdown\nmkdocs<2.0.0\n",
        },
    )
    result = audit(tmp_path, None, select=("DEP",))
    got = sorted((f.location.path, f.location.start_line, f.location.resource) for f in result.findings)
    assert got == [("docs/requirements.txt", 1, "PyPI/markdown"), ("docs/requirements.txt", 2, "PyPI/mkdocs")]
    # one file that pins nothing is one item to fix, with both lines
    assert [(g.lead.location.start_line, g.count) for g in result.items] == [(1, 2)]
    assert "markdown==<version>" in result.findings[0].remediation


def test_docs_and_test_tool_requirements_take_the_shared_context_step(tmp_path: Path) -> None:
    # AzureTRE's docs/requirements.txt and test_tools/…/requirements.txt were reported like the service's own:
    # kept, low, listed apart and not gating; the application's requirements.txt is not lowered
    write_tree(
        tmp_path,
        {
            "requirements.txt": "flask>=2.0\n",
            "docs/requirements.txt": "mkdocs\nmkdocs-material>=9\n",
            "tools/test_tools/sender/requirements.txt": "azure-servicebus\n",
            "e2e-tests/package.json": json.dumps({"name": "e2e", "devDependencies": {"@playwright/test": "^1.4"}}),
        },
    )
    result = audit(tmp_path, None, select=("DEP",), extra_config="")
    got = {(f.location.path, f.location.start_line): f for f in result.findings}
    assert set(got) == {
        ("requirements.txt", 1),
        ("docs/requirements.txt", 1),
        ("docs/requirements.txt", 2),
        ("tools/test_tools/sender/requirements.txt", 1),
        ("e2e-tests/package.json", 1),
    }
    app = got[("requirements.txt", 1)]
    assert "context:sample" not in app.tags and str(app.severity) == "low"
    for where, f in got.items():
        if where[0] != "requirements.txt":
            assert {"context:sample", "gate:exempt"} <= set(f.tags), where
            want = "docs file" if where[0].startswith("docs/") else "test file"
            assert f.evidence.text("context") == want, where
