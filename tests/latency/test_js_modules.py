"""The project module an aliased import names (``@server/models``, ``~/db``): the one module id equal to the
alias's path or ending with it, found through a table of every module id's suffixes. Look-alikes: a scoped npm
package, a suffix two modules share, a partial folder name."""

from __future__ import annotations

import pytest

from redline.checks.latency.js_clients import JsProject, ModuleFacts

_MODULES = ("server/models", "server/db", "app/server/db", "shared/utils/db", "web/usersdb", "src/index")


def _project(*modules: str) -> JsProject:
    return JsProject(modules={m: ModuleFacts(None) for m in modules})


@pytest.mark.parametrize(
    ("target", "module"),
    [
        ("server/models", "server/models"),  # a module id itself (a relative import)
        ("@server/models", "server/models"),  # the alias without its sigil
        ("~/models", "server/models"),  # the part after the alias's first folder
        ("#utils/db", "shared/utils/db"),
        ("@app/server/db", "app/server/db"),
        ("@x/server/db", None),  # ends two modules (server/db, app/server/db): not guessed
        ("@babel/core", None),  # a scoped package: no project module
        ("@web/db", None),  # "usersdb" is not the folder "db"
        ("lodash", None),
    ],
)
def test_an_alias_names_the_one_module_ending_with_it(target: str, module: str | None) -> None:
    assert _project(*_MODULES).module(target) == module


def test_a_module_added_later_is_found() -> None:
    project = _project(*_MODULES)
    assert project.module("@lib/queue") is None
    project.modules["lib/queue"] = ModuleFacts(None)
    assert project.module("@lib/queue") == "lib/queue"
