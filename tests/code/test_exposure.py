"""WEB102-105 over a Flask app, a Django app and a FastAPI module: exact lines; look-alikes silent (a login
guard, an inline is_admin()/is_superuser check, a capability URL, a sign-in page under /admin, a path that
only starts like admin, a lookup filtered by the caller, an authorized view, a public route, a user profile,
an own-resource route)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import findings_of
from code_index import routes_of
from redline.checks.code.exposure import RouteExposureCheck, admin_segment
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "exposure"


def _findings() -> list[Finding]:
    return list(findings_of(FIXTURES, RouteExposureCheck()))


def test_each_rule_fires_exactly_at_its_lines() -> None:
    assert sorted((f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in _findings()) == [
        ("WEB102", "app.py", 13, "GET /admin/reset"),  # the drop_all call
        ("WEB102", "app.py", 19, "POST /shutdown"),
        ("WEB102", "app.py", 24, "GET /debug/env"),
        # not line 20: UploadView.dispatch asks user_allowed_to_upload() and refuses (MediaCMS's uploader); a file
        # type check refuses nobody for who they are
        ("WEB102", "uploads/views.py", 33, "ANY /chunks/"),
        ("WEB103", "app.py", 11, "GET /admin/reset"),  # the route
        ("WEB103", "app.py", 22, "GET /debug/env"),
        ("WEB103", "app.py", 27, "GET /internal/users"),
        # not line 80: a metrics page rendered from a template is a dashboard for people (kitsune)
        ("WEB103", "app.py", 85, "GET /metrics"),
        ("WEB103", "app.py", 90, "GET /admin/stats"),
        ("WEB104", "api.py", 21, "DELETE /users/{user_id}"),
        # not line 59: ``auth_token.has_any_write_permission()`` is the handler's own permission test (pretalx)
        ("WEB104", "api.py", 67, "POST /users/{user_id}/permalink"),  # has_permalink() tests no permission
        # the superuser routes beside it on /library; not line 31: each user's own /playlists, beside an admin area
        # (/library, /config) on other resources (navidrome)
        ("WEB104", "library.py", 26, "DELETE /library/{library_id}"),
        # the superuser routes of the same team scope ({team_slug}, plane's workspace <slug>), and the other path of
        # the same handler; not line 52: /files/{file_id} shares only the object's own id with them
        ("WEB104", "library.py", 46, "DELETE /teams/{team_slug}/files/{file_id}"),
        ("WEB104", "library.py", 47, "DELETE /files/{team_id}/{file_id}"),
        # not line 28: ``this.validateAccess(...)``, a method of the controller, answers 403 (ghostfolio); its
        # sibling calls one that checks nothing
        ("WEB104", "splits.controller.ts", 36, "DELETE /asset-profiles/:symbol/splits"),
        ("WEB105", "api.py", 48, "GET /items/{item_id}"),  # the load
        ("WEB105", "app.py", 64, "GET /orders/<int:order_id>"),
        ("WEB105", "shop/views.py", 10, "ANY /invoices/<int:pk>/"),  # logged in by an inline is_authenticated test
        # not 35/36: a key looked up in a mapping the code fills (nautobot's secrets-provider registry)
        ("WEB105", "shop/views.py", 42, "ANY /receipts/<int:receipt_id>/"),
        # not 47/53: the request handed to a scoping method (karrio's ``Model.access_by(request)``); logging the
        # path scopes nothing
        ("WEB105", "shop/views.py", 60, "ANY /entries/<int:pk>/"),
    ]


def test_findings_say_what_and_why() -> None:
    by_line = {(f.rule, f.location.path, f.location.start_line): f for f in _findings()}
    assert by_line[("WEB102", "app.py", 13)].evidence["operation"] == "db.drop_all() wipes data"
    assert by_line[("WEB102", "app.py", 24)].evidence["operation"] == "dict() dumps the process's internals"
    assert by_line[("WEB103", "app.py", 27)].evidence["segment"] == "internal"
    sibling = by_line[("WEB104", "api.py", 21)]
    assert "get_current_active_superuser" in str(sibling.evidence["siblings"])
    idor = by_line[("WEB105", "shop/views.py", 10)]
    assert (idor.evidence["load"], idor.evidence["id"]) == ("get_object_or_404", "pk")
    assert all(f.remediation for f in by_line.values())


@pytest.mark.parametrize(
    ("path", "segment"),
    [
        ("/admin/reset", "admin"),
        ("/console/", "console"),
        ("/console_api/run", "console_api"),
        ("/dcim/devices/<pk>/console-ports/", None),  # a device's serial ports (nautobot, netbox)
        ("/dcim/console-port/<pk>/", None),
    ],
)
def test_admin_segment_is_a_management_path_not_a_hardware_resource(path: str, segment: str | None) -> None:
    assert admin_segment(path) == segment


def test_an_object_permission_class_guards_what_get_object_loads() -> None:
    """kitsune's QuestionViewSet: ``self.get_object()`` runs ``OnlyCreatorEdits.has_object_permission`` (only the
    creator may change the question); an action with its own ``permission_classes`` drops the view's list, and an
    action that never calls ``get_object`` gets nothing from it."""
    found = findings_of(Path(__file__).parent / "fixtures" / "drfobject", RouteExposureCheck())
    assert sorted((f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in found) == [
        ("WEB104", "views.py", 23, "POST /api/2/question/<pk>/auto_tag/"),
        ("WEB104", "views.py", 28, "POST /api/2/question/<pk>/take/"),
    ]


_AUTHZ_VIEWS = (
    "from django.shortcuts import get_object_or_404, render\n"
    "from dojo.models import Product\n"
    "def add_endpoint(request, product_id):\n"
    "    product = get_object_or_404(Product, id=product_id)\n"
    "    return render(request, 'add.html', {'product': product})\n"
)
_AUTHZ_FILES = {
    "dojo/views.py": _AUTHZ_VIEWS,
    "dojo/models.py": "class Product:\n    pass\n",
    "dojo/urls.py": (
        "from django.urls import re_path\nfrom dojo import views\n"
        "urlpatterns = [re_path(r'^endpoints/product/(?P<product_id>\\d+)/add$', views.add_endpoint)]\n"
    ),
}


def _authz_middleware(checks: str) -> dict[str, str]:
    """DefectDojo's shape: a login-required middleware, and an authorization middleware whose ``process_view`` body
    is ``checks`` (a permission lookup keyed by the view's URL name, or only logging)."""
    login = (
        "from django.http import HttpResponseRedirect\n"
        "class LoginRequiredMiddleware:\n"
        "    def __call__(self, request):\n"
        "        if not request.user.is_authenticated:\n"
        "            return HttpResponseRedirect('/login')\n"
        "        return self.get_response(request)\n"
    )
    authz = (
        "import logging\n"
        "from dojo.authorization.authorization import user_has_permission_or_403\n"
        "class AuthorizationMiddleware:\n"
        "    def process_view(self, request, view_func, view_args, view_kwargs):\n"
        f"        {checks}\n"
    )
    settings = (
        "MIDDLEWARE = [\n"
        "    'dojo.middleware.LoginRequiredMiddleware',\n"
        "    'dojo.authorization.middleware.AuthorizationMiddleware',\n"
        "]\n"
    )
    return {
        **_AUTHZ_FILES,
        "dojo/middleware.py": login,
        "dojo/authorization/middleware.py": authz,
        "dojo/settings.py": settings,
    }


def test_a_permission_middleware_leaves_authorization_unknown_and_web105_silent(tmp_path: Path) -> None:
    """DefectDojo's ``AuthorizationMiddleware.process_view`` looks the view's URL name up in a table of object
    permissions and calls ``user_has_permission_or_403``: the view that loads a product by id without a check of its
    own is not an IDOR candidate. A middleware whose ``process_view`` only logs decides nothing: WEB105 fires."""
    deciding = _authz_middleware("user_has_permission_or_403(request.user, view_kwargs, 'edit')")
    logging_only = _authz_middleware("logging.info(request.path)")
    route = routes_of(deciding)[0]
    assert (route.authenticated, route.authorized, route.authz_evidence) == (
        "yes",
        "unknown",
        ("dojo.authorization.middleware.AuthorizationMiddleware",),
    )
    assert routes_of(logging_only)[0].authz_evidence == ()
    for files, expected in ((deciding, []), (logging_only, [("WEB105", "dojo/views.py", 4)])):
        root = tmp_path / str(len(expected))
        for name, src in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(src)
        found = findings_of(root, RouteExposureCheck())
        assert [(f.rule, f.location.path, f.location.start_line) for f in found if f.rule == "WEB105"] == expected


def _internal_api(root: Path, guarded: int, unguarded: tuple[str, ...], prefix: str = "api/internal/v1") -> None:
    """A Django app: ``guarded`` views behind ``IsAuthenticated`` under ``prefix``, then one unguarded GET view per
    path of ``unguarded``, in that order, from line 5 of ``app/urls.py``."""
    (root / "app").mkdir(parents=True)
    views = [f"Item{i}" for i in range(guarded)]
    (root / "app" / "views.py").write_text(
        "from rest_framework.permissions import IsAuthenticated\n"
        "from rest_framework.response import Response\n"
        "from rest_framework.views import APIView\n"
        + "".join(
            f"\n\nclass {name}(APIView):\n    permission_classes = [IsAuthenticated]\n\n"
            "    def get(self, request):\n        return Response({})\n"
            for name in views
        )
        + "".join(
            f"\n\nclass Open{i}(APIView):\n    def get(self, request):\n        return Response({{'on': False}})\n"
            for i in range(len(unguarded))
        )
    )
    (root / "app" / "urls.py").write_text(
        "from django.urls import path\n"
        "from app import views\n"
        "urlpatterns = [\n"
        + "".join(f"    path('{p}/', views.Open{i}.as_view()),\n" for i, p in enumerate(unguarded))
        + "".join(f"    path('{prefix}/items{i}/', views.{name}.as_view()),\n" for i, name in enumerate(views))
        + "]\n"
    )


def test_an_internal_prefix_that_holds_the_applications_api_is_no_admin_corner(tmp_path: Path) -> None:
    """Grafana OnCall serves its whole plugin API under ``/api/internal/v1/`` (162 of 229 routes, nearly all behind a
    login): its public maintenance-status read is not an operator's page left open. Under that prefix an ``admin``
    segment still is; a small ``/internal/`` corner and an ``internal`` prefix whose routes are mostly unguarded stay
    flagged."""
    _internal_api(
        tmp_path / "api",
        guarded=20,
        unguarded=("api/internal/v1/maintenance-mode-status", "api/internal/v1/admin/stats", "internal/reload-cache"),
    )
    found = findings_of(tmp_path / "api", RouteExposureCheck())
    assert [(f.rule, f.location.start_line, f.evidence["route"], f.evidence["segment"]) for f in found] == [
        ("WEB103", 5, "GET /api/internal/v1/admin/stats/", "admin"),
        ("WEB103", 6, "GET /internal/reload-cache/", "internal"),
    ]
    _internal_api(tmp_path / "few", guarded=18, unguarded=("api/internal/v1/maintenance-mode-status",))
    _internal_api(tmp_path / "open", guarded=10, unguarded=tuple(f"api/internal/v1/open{i}" for i in range(11)))
    assert [f.location.start_line for f in findings_of(tmp_path / "few", RouteExposureCheck())] == [4]
    assert [f.location.start_line for f in findings_of(tmp_path / "open", RouteExposureCheck())] == list(range(4, 15))
