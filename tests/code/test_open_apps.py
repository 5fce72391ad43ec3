"""The small predicates code rules share: the deployable-unit folder a path belongs to (WEB101, the debug-entry
rule), whether a module imports a package (Flask routes, the command-line-tool test) and where a relative import
points (Django view bases, the callee resolver)."""

from __future__ import annotations

from redline.checks.code.open_apps import changes_a_record, unit_of
from redline.core.folders import holds
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.common import absolute_import, imports_module
from redline.sources.code.routes.model import Route


def test_holds_only_whole_folders() -> None:
    assert holds("", "app.py")
    assert holds("vote", "vote/app.py")
    assert holds("services/vote", "services/vote/web/app.py")
    assert not holds("vote", "voter/app.py")
    assert not holds("vote", "vote")


def test_unit_is_the_deepest_folder_holding_the_path() -> None:
    roots = ["", "services", "services/vote", "services/voter"]
    assert unit_of("services/vote/app.py", roots) == "services/vote"
    assert unit_of("services/voter/app.py", roots) == "services/voter"
    assert unit_of("services/result.py", roots) == "services"
    assert unit_of("tools/cli.py", roots) == ""
    assert unit_of("app.py", []) == ""


def test_imports_module_takes_whole_packages() -> None:
    imports = (("views", "flask.views"), ("login", "flask_login"))
    index = CodeIndex("app.py", "python", imports, (), (), (), (), ())
    assert imports_module(index, ("flask",))
    assert imports_module(index, ("click", "flask_login"))
    assert not imports_module(index, ("flask.app", "click"))


def test_absolute_import_resolves_relative_names_against_the_package() -> None:
    assert absolute_import("app/views.py", ".dao.get_user") == "app.dao.get_user"
    assert absolute_import("plane/app/views/asset/base.py", "..base.BaseAPIView") == "plane.app.views.base.BaseAPIView"
    assert absolute_import("pkg/__init__.py", ".models.User") == "pkg.models.User"
    assert absolute_import("app/views.py", "...too.high") is None


def test_a_variable_in_a_served_file_s_name_names_no_record() -> None:
    """searxng's ``/client<token>.css`` (GET, POST) serves a stylesheet: its variable is a cache key, so the app
    still has no route that acts on a record; ``/notes/<id>`` does."""

    def route(methods: tuple[str, ...], path: str) -> Route:
        return Route("flask", methods, path, "h", "webapp.py", 1)

    assert not changes_a_record(route(("GET", "POST"), "/client<token>.css"))
    assert changes_a_record(route(("POST",), "/notes/<id>"))
    assert changes_a_record(route(("POST",), "/notes/<id>/export.json/<part>"))
    assert changes_a_record(route(("DELETE",), "/style.css"))
