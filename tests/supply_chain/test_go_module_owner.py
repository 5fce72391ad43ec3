"""Which go.mod owns a Go file: the deepest module folder holding it (core.folders, the same answer the code
rules' deployable units get), a sibling folder whose name only starts alike never, and no module at all for a
file outside every module."""

from __future__ import annotations

from redline.checks.supply_chain.go_reach import go_module_code
from redline.core.packages import PackageManifest
from redline.sources.packages.go_imports import GoFileImports


def _mod(path: str) -> PackageManifest:
    return PackageManifest(path, "go.mod", "Go", ())


def test_nearest_go_mod_above_a_file_owns_it() -> None:
    files = [
        GoFileImports("svc/main.go", ("example.com/a",)),
        GoFileImports("svc/api/handler.go", ("example.com/b",)),
        GoFileImports("svc/tools/gen/main.go", ("example.com/c",)),
        GoFileImports("svc2/main.go", ("example.com/d",)),  # `svc2` is not inside `svc`
        GoFileImports("docs/example.go", ("example.com/e",)),  # under no module
    ]
    modules = go_module_code(files, [], [_mod("svc/go.mod"), _mod("svc/tools/gen/go.mod"), _mod("svc2/go.mod")])
    assert {root: sorted(m.importers) for root, m in modules.items()} == {
        "svc": ["example.com/a", "example.com/b"],
        "svc/tools/gen": ["example.com/c"],
        "svc2": ["example.com/d"],
    }


def test_a_root_go_mod_owns_every_file_no_nested_module_holds() -> None:
    files = [GoFileImports("main.go", ("example.com/a",)), GoFileImports("docs/example.go", ("example.com/e",))]
    files.append(GoFileImports("svc/main.go", ("example.com/b",)))
    modules = go_module_code(files, [], [_mod("go.mod"), _mod("svc/go.mod")])
    assert {root: sorted(m.importers) for root, m in modules.items()} == {
        "": ["example.com/a", "example.com/e"],
        "svc": ["example.com/b"],
    }
