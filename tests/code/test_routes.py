"""Entry points per framework: every route with its prefixes resolved, handler, line and guards."""

from __future__ import annotations

from pathlib import Path

import pytest

from code_index import read_file_text, route_rows, routes_of
from redline.core.config import ConfigError, Where
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.model import Route
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION, parse_entrypoints
from redline.sources.code.source import CodeIndexSource

FIXTURES = Path(__file__).parent / "fixtures" / "routes"


def indexes(app: str) -> list[CodeIndex]:
    found = []
    for path in sorted((FIXTURES / app).rglob("*.py")):
        rel = path.relative_to(FIXTURES).as_posix()
        found.append(CodeIndexSource().parse(read_file(SourceFile(rel, str(path), "python", path.stat().st_size))))
    return found


def table(app: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = route_rows(extract_routes(indexes(app), ENTRYPOINTS_SECTION.defaults()).routes)
    return rows


def test_flask_routes_blueprints_add_url_rule_and_before_request() -> None:
    assert table("flaskapp") == [
        ("flask", "GET", "/", "index", "flaskapp/app.py:11", "no", "no"),
        ("flask", "GET,POST", "/api/orders", "orders", "flaskapp/app.py:16", "yes", "unknown"),
        ("flask", "POST", "/api/orders/<int:oid>/refund", "refund", "flaskapp/app.py:22", "yes", "yes"),
        ("flask", "DELETE", "/admin/users/<uid>", "delete_user", "flaskapp/app.py:33", "yes", "unknown"),
        ("flask", "GET", "/health", "health", "flaskapp/app.py:42", "no", "no"),
        ("flask", "POST", "/api/orders/<oid>/cancel", "cancel", "flaskapp/app.py:47", "no", "no"),
        ("flask", "POST", "/login", "login", "flaskapp/app.py:52", "no", "no"),
    ]


def test_fastapi_router_prefixes_dependencies_and_scopes() -> None:
    assert table("fastapiapp") == [
        ("fastapi", "GET", "/status", "status", "fastapiapp/main.py:10", "no", "no"),
        ("fastapi", "POST", "/v1/items/", "create_item", "fastapiapp/main.py:15", "yes", "unknown"),
        ("fastapi", "DELETE", "/things/{tid}", "delete_thing", "fastapiapp/main.py:20", "yes", "yes"),
        ("fastapi", "PUT", "/v1/users/{uid}", "update_user", "fastapiapp/users.py:6", "no", "no"),
        ("fastapi", "POST", "/v1/users/", "create_user", "fastapiapp/users.py:11", "no", "no"),
        # a class-based view's inherited dependencies are not followed: unknown, not unauthenticated
        (
            "fastapi",
            "DELETE",
            "/v1/users/{uid}/avatar",
            "ProfileController.delete_avatar",
            "fastapiapp/users.py:18",
            "unknown",
            "unknown",
        ),
    ]


def test_django_include_chains_views_mixins_and_permissions() -> None:
    assert table("djangoapp") == [
        ("django", "GET,POST", "/shop/orders/", "OrderList", "djangoapp/shop/urls.py:6", "yes", "unknown"),
        ("django", "POST", "/shop/orders/<int:pk>/", "order_detail", "djangoapp/shop/urls.py:7", "yes", "yes"),
        ("django", "GET", "/shop/api/orders/", "OrderAPI", "djangoapp/shop/urls.py:8", "yes", "unknown"),
        ("django", "POST", "/shop/checkout/", "Checkout", "djangoapp/shop/urls.py:9", "no", "no"),
        ("django", "POST", "/shop/account/", "Account", "djangoapp/shop/urls.py:10", "yes", "unknown"),
        ("django", "ANY", "/shop/wrapped/", "about", "djangoapp/shop/urls.py:11", "unknown", "unknown"),
        # a guard mixed in by the project's base class (one or two levels up, another module) applies
        ("django", "POST", "/shop/tasks/<str:job>/delete/", "TaskDelete", "djangoapp/shop/urls.py:12", "yes", "yes"),
        ("django", "POST", "/shop/refund/", "Refund", "djangoapp/shop/urls.py:13", "yes", "unknown"),
        ("django", "POST", "/shop/cancel/", "Cancel", "djangoapp/shop/urls.py:14", "no", "no"),
        ("django", "POST", "/shop/auth/sign-out/", "SignOutEndpoint", "djangoapp/shop/urls.py:15", "no", "no"),
        # a permission decorator on every handler method, and on one of two
        ("django", "GET,POST", "/shop/webhooks/", "Webhooks", "djangoapp/shop/urls.py:16", "yes", "yes"),
        ("django", "GET,POST", "/shop/labels/", "Labels", "djangoapp/shop/urls.py:17", "yes", "unknown"),
        # kitsune's ``@group_required("Staff")`` is a role check; a rate limit is no guard
        ("django", "POST", "/shop/moderate/", "moderate", "djangoapp/shop/urls.py:18", "yes", "yes"),
        ("django", "POST", "/shop/vote/", "vote", "djangoapp/shop/urls.py:19", "no", "no"),
        # a login test in the handler is judged by WEB101, not by the route table
        (
            "django",
            "POST",
            "/shop/images/<int:image_id>/delete/",
            "delete_image",
            "djangoapp/shop/urls.py:20",
            "no",
            "no",
        ),
        ("django", "POST", "/shop/feedback/", "feedback", "djangoapp/shop/urls.py:21", "no", "no"),
        (
            "django",
            "POST",
            "/shop/projects/<int:project_pk>/import/",
            "import_task",
            "djangoapp/shop/urls.py:22",
            "no",
            "no",
        ),
        ("django", "POST", "/shop/uploads/", "upload", "djangoapp/shop/urls.py:23", "no", "no"),
        ("django", "ANY", "/about/", "about", "djangoapp/urls.py:8", "no", "no"),
        ("django", "ANY", "/secret/", "about", "djangoapp/urls.py:9", "yes", "unknown"),
    ]


def test_django_rest_framework_default_permissions_reach_views_through_their_project_base() -> None:
    """netbox's ``AvailableASNsView(AvailableObjectsView)``: the DRF base is one class up, so the settings'
    ``DEFAULT_PERMISSION_CLASSES`` apply; a base that sets ``permission_classes = []`` opens its subclasses."""
    files = {
        "settings.py": "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ('app.auth.TokenPermissions',)}\n",
        "views.py": (
            "from rest_framework.views import APIView\n"
            "class AvailableObjectsView(APIView):\n    pass\n"
            "class OpenBase(APIView):\n    permission_classes = []\n"
            "class AvailableASNs(AvailableObjectsView):\n    def post(self, request, pk):\n        pass\n"
            "class Feedback(OpenBase):\n    def post(self, request):\n        pass\n"
        ),
        "urls.py": (
            "from django.urls import path\nimport views\nurlpatterns = [\n"
            "    path('asns/<int:pk>/available/', views.AvailableASNs.as_view()),\n"
            "    path('feedback/', views.Feedback.as_view()),\n]\n"
        ),
    }
    routes = routes_of(files)
    assert sorted((r.path, r.line, r.authenticated, r.authorized, r.authz_evidence) for r in routes) == [
        ("/asns/<int:pk>/available/", 4, "yes", "yes", ("app.auth.TokenPermissions",)),
        ("/feedback/", 5, "no", "no", ()),
    ]


@pytest.mark.parametrize(
    ("default", "guarded"),
    [
        ("pulpcore.app.access_policy.AccessPolicyFromDB", True),  # drf-access-policy: statements decide
        ("rest_access_policy.AccessPolicy", True),
        ("app.renderers.AccessLogRenderer", False),  # a look-alike that decides nothing
    ],
)
def test_django_rest_framework_default_access_policy_guards_every_view(default: str, guarded: bool) -> None:
    """pulpcore's ``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]`` is ``AccessPolicyFromDB`` (a drf-access-policy
    ``AccessPolicy``): its repair and orphan-cleanup views, setting no ``permission_classes``, answer only the
    principals its statements allow."""
    files = {
        "settings.py": f"REST_FRAMEWORK = {{'DEFAULT_PERMISSION_CLASSES': ('{default}',)}}\n",
        "views.py": (
            "from rest_framework.views import APIView\n"
            "class RepairView(APIView):\n    def post(self, request, **kwargs):\n        pass\n"
        ),
        "urls.py": (
            "from django.urls import re_path\nfrom views import RepairView\n"
            "urlpatterns = [re_path(r'^repair/$', RepairView.as_view())]\n"
        ),
    }
    [route] = routes_of(files)
    assert (route.path, route.line, route.authorized) == ("/repair/", 3, "yes" if guarded else "no")


def test_a_view_naming_its_permission_over_a_packages_mixin_is_guarded() -> None:
    """adhocracy-plus's dashboard views set ``permission_required = "a4projects.change_project"`` over adhocracy4's
    ``DashboardBaseMixin`` (a package's mixin, django-rules' ``PermissionRequiredMixin`` inside): guarded. The same
    attribute over Django's ``SingleObjectMixin`` alone, or without the attribute, guards nothing."""
    files = {
        "views.py": (
            "from adhocracy4.dashboard import mixins\n"
            "from django.views import generic\nfrom django.views.generic.detail import SingleObjectMixin\n"
            "class Publish(SingleObjectMixin, mixins.DashboardBaseMixin, generic.View):\n"
            "    permission_required = 'a4projects.change_project'\n"
            "    def post(self, request, *args, **kwargs):\n        pass\n"
            "class Detached(SingleObjectMixin, generic.View):\n"
            "    permission_required = 'a4projects.change_project'\n"
            "    def post(self, request, *args, **kwargs):\n        pass\n"
            "class Unnamed(mixins.DashboardBaseMixin, generic.View):\n"
            "    def post(self, request, *args, **kwargs):\n        pass\n"
        ),
        "urls.py": (
            "from django.urls import path\nimport views\nurlpatterns = [\n"
            "    path('publish/', views.Publish.as_view()),\n"
            "    path('detached/', views.Detached.as_view()),\n"
            "    path('unnamed/', views.Unnamed.as_view()),\n]\n"
        ),
    }
    routes = routes_of(files)
    assert sorted((r.path, r.line, r.authorized) for r in routes) == [
        ("/detached/", 5, "no"),
        ("/publish/", 4, "yes"),
        ("/unnamed/", 6, "no"),
    ]


def test_django_patterns_inside_inline_include_lists_take_their_prefixes() -> None:
    """paperless-ngx writes its API as ``re_path(r"^api/", include([...]))`` with a namespaced
    ``include(([...], "rest_framework"))`` inside: each pattern takes every prefix it is written under. A handler
    imported from another project's package (django-allauth) is not the project's only function of that name (a
    test's ``BogusMailBox.login``); a pattern beside the list, not in it, takes no prefix."""
    files = {
        "app/views.py": (
            "from django.views import View\nclass Search(View):\n    def get(self, request):\n        pass\n"
        ),
        "app/tests/test_mail.py": "class BogusMailBox:\n    def login(self, user, password):\n        pass\n",
        "app/urls.py": (
            "from allauth.account import views as allauth_account_views\n"
            "from django.urls import include, path, re_path\n"
            "from app.views import Search\n"
            "urlpatterns = [\n"
            "    re_path(\n"
            '        r"^api/",\n'
            "        include(\n"
            "            [\n"
            '                re_path("^auth/", include(([\n'
            '                    path("login/", allauth_account_views.login),\n'
            '                ], "rest_framework"), namespace="rest_framework")),\n'
            '                re_path("^search/", Search.as_view()),\n'
            "            ],\n"
            "        ),\n"
            "    ),\n"
            '    path("accounts/login/", allauth_account_views.login),\n'
            "]\n"
        ),
    }
    routes = routes_of(files)
    assert [(r.path, r.line, r.handler, r.handler_file) for r in routes] == [
        ("/api/auth/login/", 10, "allauth_account_views.login", ""),
        ("/api/search/", 12, "Search", "app/views.py"),
        ("/accounts/login/", 16, "allauth_account_views.login", ""),
    ]


def test_a_drf_router_spread_into_an_inline_include_list_is_served_under_it() -> None:
    """paperless-ngx spreads its API router into the list of ``re_path(r"^api/", include([...]))``: its viewsets
    are served under ``/api/``, not at the root. A router spread into a list handed to another call (no include
    around it) is served where the module is."""
    files = {
        "app/views.py": (
            "from rest_framework.viewsets import ModelViewSet\n"
            "class Documents(ModelViewSet):\n    pass\n"
            "class Tags(ModelViewSet):\n    pass\n"
            "class Notes(ModelViewSet):\n    pass\n"
        ),
        "app/urls.py": (
            "from django.urls import include, path, re_path\n"
            "from rest_framework.routers import DefaultRouter\n"
            "from rest_framework.urlpatterns import format_suffix_patterns\n"
            "from app.views import Documents, Notes, Tags\n"
            "api_router = DefaultRouter()\n"
            "api_router.register(r'documents', Documents)\n"
            "tag_router = DefaultRouter()\n"
            "tag_router.register(r'tags', Tags)\n"
            "note_router = DefaultRouter()\n"
            "note_router.register(r'notes', Notes)\n"
            "urlpatterns = [\n"
            "    re_path(\n"
            '        r"^api/",\n'
            "        include([\n"
            '            re_path("^v2/", include(([*tag_router.urls], "v2"))),\n'
            "            *api_router.urls,\n"
            "        ]),\n"
            "    ),\n"
            "    *format_suffix_patterns([*note_router.urls]),\n"
            "]\n"
        ),
    }
    routes = routes_of(files)
    assert sorted((r.path, r.line, r.handler) for r in routes) == [
        ("/api/documents/", 6, "Documents"),
        ("/api/v2/tags/", 8, "Tags"),
        ("/notes/", 10, "Notes"),
    ]


def test_a_project_decorator_whose_wrapper_refuses_leaves_the_route_unknown() -> None:
    """mathesar's ``@require(guard, unauthorized_response="json")`` calls the view only when ``guard(request)``
    holds and otherwise answers through ``_unauthorized_response`` (``JsonResponse(status=401)``,
    ``redirect_to_login``): who gets through is decided at run time, so the upload is not known to be unguarded.
    A project decorator that only logs, and one that answers 429, leave their routes unguarded."""
    files = {
        "app/auth.py": (
            "from functools import wraps\n"
            "from django.contrib.auth.views import redirect_to_login\n"
            "from django.http import JsonResponse\n"
            "def require(guard, *, unauthorized_response='redirect'):\n"
            "    def decorator(view):\n"
            "        @wraps(view)\n"
            "        def wrapped(request, *args, **kwargs):\n"
            "            if guard(request) is True:\n"
            "                return view(request, *args, **kwargs)\n"
            "            return _unauthorized_response(request, unauthorized_response)\n"
            "        return wrapped\n"
            "    return decorator\n"
            "def _unauthorized_response(request, mode):\n"
            "    if mode == 'json':\n"
            "        return JsonResponse({'detail': 'Unauthorized'}, status=401)\n"
            "    return redirect_to_login(request.get_full_path())\n"
            "def logged(view):\n"
            "    def wrapped(request):\n"
            "        print(request.path)\n"
            "        return view(request)\n"
            "    return wrapped\n"
            "def throttled(view):\n"
            "    def wrapped(request):\n"
            "        if request.session.get('n', 0) > 5:\n"
            "            return JsonResponse({}, status=429)\n"
            "        return view(request)\n"
            "    return wrapped\n"
        ),
        "app/views.py": (
            "from django.views.decorators.http import require_http_methods\n"
            "from app.auth import logged, require, throttled\n"
            "LOGIN_OR_SHARED_FORM = None\n"
            "@require(LOGIN_OR_SHARED_FORM, unauthorized_response='json')\n"
            "@require_http_methods(['POST'])\n"
            "def upload_file(request):\n    pass\n"
            "@logged\n@require_http_methods(['POST'])\n"
            "def ping(request):\n    pass\n"
            "@throttled\n@require_http_methods(['POST'])\n"
            "def vote(request):\n    pass\n"
        ),
        "app/urls.py": (
            "from django.urls import path\n"
            "from app import views\n"
            "urlpatterns = [\n"
            "    path('files/', views.upload_file),\n"
            "    path('ping/', views.ping),\n"
            "    path('vote/', views.vote),\n"
            "]\n"
        ),
    }
    routes = routes_of(files)
    assert [(r.path, r.authenticated, r.auth_evidence) for r in routes] == [
        ("/files/", "unknown", ("require",)),
        ("/ping/", "no", ()),
        ("/vote/", "no", ()),
    ]


def test_a_project_decorator_that_applies_a_django_guard_is_that_guard() -> None:
    """takahe's ``moderator_required`` returns ``user_passes_test(lambda user: ...)(function)`` and is applied with
    ``@method_decorator(moderator_required, name="dispatch")``: the route is guarded by it (the name alone says
    nothing). A function decorator applying ``login_required`` counts as a login; a project decorator that calls
    no guard (``audited``), and a view no decorator covers, stay unguarded."""
    files = {
        "users/decorators.py": (
            "import logging\n"
            "from django.contrib.auth.decorators import login_required, user_passes_test\n"
            "def moderator_required(function):\n"
            "    return user_passes_test(\n"
            "        lambda user: user.is_authenticated and (user.admin or user.moderator)\n"
            "    )(function)\n"
            "def signed_in(function):\n"
            "    return login_required(function)\n"
            "def audited(function):\n"
            "    logging.info('view %s', function)\n"
            "    return function\n"
        ),
        "users/views.py": (
            "from django.utils.decorators import method_decorator\n"
            "from django.views.generic import View\n"
            "from users.decorators import audited, moderator_required, signed_in\n"
            "@method_decorator(moderator_required, name='dispatch')\n"
            "class HashtagEnable(View):\n"
            "    def post(self, request, hashtag):\n        pass\n"
            "@method_decorator(audited, name='dispatch')\n"
            "class AnnouncementPublish(View):\n"
            "    def post(self, request, pk):\n        pass\n"
            "@signed_in\n"
            "def follow(request):\n    pass\n"
            "class Inbox(View):\n"
            "    def post(self, request):\n        pass\n"
        ),
        "takahe/urls.py": (
            "from django.urls import path\n"
            "from users import views\n"
            "urlpatterns = [\n"
            "    path('admin/hashtags/<hashtag>/enable/', views.HashtagEnable.as_view()),\n"
            "    path('admin/announcements/<pk>/publish/', views.AnnouncementPublish.as_view()),\n"
            "    path('follow/', views.follow),\n"
            "    path('inbox/', views.Inbox.as_view()),\n"
            "]\n"
        ),
    }
    routes = routes_of(files)
    assert [(r.path, r.line, r.authenticated, r.authorized, r.auth_evidence) for r in routes] == [
        (
            "/admin/hashtags/<hashtag>/enable/",
            4,
            "yes",
            "yes",
            ("moderator_required -> user_passes_test",),
        ),
        ("/admin/announcements/<pk>/publish/", 5, "no", "no", ()),
        ("/follow/", 6, "yes", "unknown", ("signed_in -> login_required",)),
        ("/inbox/", 7, "no", "no", ()),
    ]


def test_patterns_a_urls_helper_decorates_as_a_group_take_its_decorators() -> None:
    """umap decorates its patterns with djangosnippets 532's ``decorated_patterns(decorators, *patterns)``: written
    in the call (``map/<id>/star/`` under ``login_required``), or in a module-level list the call spreads, appended
    to later or not (``can_edit_datalayer``, a project decorator answering ``HttpResponseForbidden``: unknown, as
    ``refusing_decorator`` judges one on the view); django-required's ``required(login_required, [...])`` too.
    Look-alikes: a list no helper spreads, a helper giving only ``never_cache``, a project decorator that refuses
    nobody, and a call whose first argument is a pattern (``i18n_patterns``)."""
    files = {
        "maps/decorators.py": (
            "from django.http import HttpResponseForbidden\n"
            "def can_edit_datalayer(view_func):\n"
            "    def wrapper(request, *args, **kwargs):\n"
            "        if not request.user.is_staff:\n"
            "            return HttpResponseForbidden()\n"
            "        return view_func(request, *args, **kwargs)\n"
            "    return wrapper\n"
            "def timed(view_func):\n"
            "    return view_func\n"
        ),
        "maps/views.py": (
            "from django.views.generic import View\n"
            + "".join(
                f"class {name}(View):\n    def post(self, request, **kwargs):\n        pass\n"
                for name in ("Star", "Update", "SendLink", "Delete", "Clone", "Export", "Share", "Stats")
            )
        ),
        "maps/urls.py": (
            "from django.conf.urls.i18n import i18n_patterns\n"
            "from django.contrib.auth.decorators import login_required\n"
            "from django.urls import path\n"
            "from django.views.decorators.cache import never_cache\n"
            "from required import required\n"
            "from maps import views\n"
            "from maps.decorators import can_edit_datalayer, timed\n"
            "from maps.utils import decorated_patterns\n"
            "urlpatterns = decorated_patterns(\n"
            "    [login_required],\n"
            "    path('map/<int:pk>/star/', views.Star.as_view()),\n"
            ")\n"
            "datalayer_urls = [\n"
            "    path('map/<int:pk>/update/', views.Update.as_view()),\n"
            "]\n"
            "datalayer_urls.append(path('map/<int:pk>/send-link/', views.SendLink.as_view()))\n"
            "other_urls = [path('map/<int:pk>/delete/', views.Delete.as_view())]\n"
            "urlpatterns += decorated_patterns([can_edit_datalayer, never_cache], *datalayer_urls)\n"
            "urlpatterns += decorated_patterns([never_cache], path('map/<int:pk>/clone/', views.Clone.as_view()))\n"
            "urlpatterns += required(login_required, [path('map/<int:pk>/export/', views.Export.as_view())])\n"
            "urlpatterns += decorated_patterns(timed, path('map/<int:pk>/share/', views.Share.as_view()))\n"
            "urlpatterns += i18n_patterns(path('stats/', views.Stats.as_view()))\n"
            "urlpatterns += other_urls\n"
        ),
    }
    assert [(r.path, r.line, r.authenticated, r.auth_evidence) for r in routes_of(files)] == [
        ("/map/<int:pk>/star/", 11, "yes", ("login_required",)),
        ("/map/<int:pk>/update/", 14, "unknown", ("can_edit_datalayer",)),
        ("/map/<int:pk>/send-link/", 16, "unknown", ("can_edit_datalayer",)),
        ("/map/<int:pk>/delete/", 17, "no", ()),
        ("/map/<int:pk>/clone/", 19, "no", ()),
        ("/map/<int:pk>/export/", 20, "yes", ("login_required",)),
        ("/map/<int:pk>/share/", 21, "no", ()),
        ("/stats/", 22, "no", ()),
    ]


def test_a_login_middleware_named_through_an_alias_and_redirecting_to_the_login_url() -> None:
    """DefectDojo: ``MIDDLEWARE = DJANGO_MIDDLEWARE_CLASSES`` (a list bound before) names
    ``dojo.middleware.LoginRequiredMiddleware``, which answers an anonymous caller with
    ``HttpResponseRedirect(f"{settings.LOGIN_URL}?next=...")``: named like Django's own, every route is
    authenticated. Named otherwise, a login-state test and a redirect are not enough (mathesar's
    ``PasswordChangeNeededMiddleware`` redirects signed-in users); the class listed only in a list no
    ``MIDDLEWARE`` takes guards nothing."""
    views = "from django.views.decorators.http import require_POST\n@require_POST\ndef close(request, eid):\n    pass\n"
    urls = (
        "from django.urls import path\nfrom dojo import views\n"
        "urlpatterns = [path('engagement/<int:eid>/close', views.close)]\n"
    )
    cases = [
        ("LoginRequiredMiddleware", "MIDDLEWARE = DJANGO_MIDDLEWARE_CLASSES\n", "yes"),
        ("PasswordChangeNeededMiddleware", "MIDDLEWARE = DJANGO_MIDDLEWARE_CLASSES\n", "no"),
        ("SignInMiddleware", "MIDDLEWARE = []\n", "no"),
    ]
    for name, middleware_setting, expected in cases:
        middleware = (
            "from django.conf import settings\n"
            "from django.http import HttpResponseRedirect\n"
            f"class {name}:\n"
            "    def __init__(self, get_response):\n"
            "        self.get_response = get_response\n"
            "    def __call__(self, request):\n"
            "        if not request.user.is_authenticated:\n"
            "            return HttpResponseRedirect(f'{settings.LOGIN_URL}?next={request.path}')\n"
            "        return self.get_response(request)\n"
        )
        settings = f"DJANGO_MIDDLEWARE_CLASSES = ['dojo.middleware.{name}']\n{middleware_setting}"
        files = {
            "dojo/middleware.py": middleware,
            "dojo/views.py": views,
            "dojo/urls.py": urls,
            "dojo/settings/settings.py": settings,
        }
        assert [(r.path, r.authenticated) for r in routes_of(files)] == [("/engagement/<int:eid>/close", expected)]


def test_django_view_bases_resolve_through_imports_when_several_classes_share_a_name() -> None:
    """plane defines four ``BaseAPIView`` classes, one per API: each view's base is the one its module imports
    (absolute or relative), not a guess by name."""
    files = {
        "api/base.py": (
            "from rest_framework.views import APIView\nfrom rest_framework.permissions import IsAuthenticated\n"
            "class BaseAPIView(APIView):\n    permission_classes = [IsAuthenticated]\n"
        ),
        "space/base.py": (
            "from rest_framework.views import APIView\nfrom rest_framework.permissions import AllowAny\n"
            "class BaseAPIView(APIView):\n    permission_classes = [AllowAny]\n"
        ),
        "api/views/assets.py": (
            "from api.base import BaseAPIView\nclass Assets(BaseAPIView):\n    def post(self, request):\n        pass\n"
        ),
        "space/views/anchors.py": (
            "from ..base import BaseAPIView\nclass Anchors(BaseAPIView):\n    def post(self, request):\n        pass\n"
        ),
        "urls.py": (
            "from django.urls import path\nfrom api.views import assets\nfrom space.views import anchors\n"
            "urlpatterns = [\n    path('assets/', assets.Assets.as_view()),\n"
            "    path('anchors/', anchors.Anchors.as_view()),\n]\n"
        ),
    }
    routes = routes_of(files)
    assert sorted((r.path, r.line, r.authenticated, r.auth_evidence) for r in routes) == [
        ("/anchors/", 6, "no", ("AllowAny",)),
        ("/assets/", 5, "yes", ("IsAuthenticated",)),
    ]


def test_aiohttp_router_calls_and_route_table() -> None:
    assert table("aioapp") == [
        ("aiohttp", "GET", "/profile", "profile", "aioapp/server.py:10", "no", "no"),
        ("aiohttp", "POST", "/login", "login", "aioapp/server.py:17", "no", "no"),
        ("aiohttp", "DELETE", "/session", "login", "aioapp/server.py:18", "no", "no"),
    ]


def test_configured_markers_recognise_your_own_guards() -> None:
    settings = parse_entrypoints({"auth_markers": ["myapp.auth.require_session"]}, Where("", "entrypoints"))
    src = (
        "from flask import Flask\nfrom myapp.auth import require_session\napp = Flask(__name__)\n"
        '@app.post("/x")\n@require_session\ndef x():\n    pass\n'
    )
    index = CodeIndexSource().parse(read_file_text("m.py", src))
    (route,) = extract_routes([index], settings).routes
    assert (route.authenticated, route.auth_evidence) == ("yes", ("require_session",))
    default: tuple[Route, ...] = extract_routes([index], ENTRYPOINTS_SECTION.defaults()).routes
    assert default[0].authenticated == "no"


def test_a_guard_the_deployment_may_switch_off_leaves_the_route_unknown() -> None:
    """changedetection.io guards every view with ``login_optionally_required`` (no password by default): whether a
    caller must sign in is a setting, not code, so the route is neither authenticated nor unguarded."""
    src = (
        "from flask import Blueprint\nfrom .auth_decorator import login_optionally_required\n"
        'bp = Blueprint("tags", __name__)\n'
        '@bp.route("/add", methods=["POST"])\n@login_optionally_required\ndef add():\n    pass\n'
        '@bp.route("/delete", methods=["POST"])\n@login_required\ndef delete():\n    pass\n'
        '@bp.route("/open", methods=["POST"])\ndef open_():\n    pass\n'
    )
    index = CodeIndexSource().parse(read_file_text("tags.py", src))
    routes = extract_routes([index], ENTRYPOINTS_SECTION.defaults()).routes
    assert [(r.path, r.authenticated, r.auth_evidence) for r in routes] == [
        ("/add", "unknown", ("login_optionally_required",)),
        ("/delete", "yes", ("login_required",)),
        ("/open", "no", ()),
    ]


def test_bad_marker_value_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="auth_markers"):
        parse_entrypoints({"auth_markers": [""]}, Where("redline.toml", "entrypoints"))


def test_drf_router_registrations_with_mount_prefix_and_permissions() -> None:
    assert table("drfapp") == [
        ("django", "GET,POST,PUT,PATCH,DELETE", "/api/users/", "UserViewSet", "drfapp/urls.py:39", "yes", "yes"),
        ("django", "GET", "/api/tags/", "TagViewSet", "drfapp/urls.py:40", "no", "no"),
        ("django", "POST", "/api/notes/", "NoteViewSet", "drfapp/urls.py:41", "no", "no"),
        # the project's own permission classes decide (wger's CanContributeExercises), inherited too
        (
            "django",
            "GET,POST,PUT,PATCH,DELETE",
            "/api/exercises/",
            "ExerciseViewSet",
            "drfapp/urls.py:42",
            "yes",
            "yes",
        ),
        ("django", "GET,POST,PUT,PATCH,DELETE", "/api/aliases/", "AliasViewSet", "drfapp/urls.py:43", "yes", "yes"),
        # one that judges objects only (has_object_permission) gates no list or create
        ("django", "GET,POST,PUT,PATCH,DELETE", "/api/comments/", "CommentViewSet", "drfapp/urls.py:44", "no", "no"),
        # one whose has_permission never looks at the caller (return True) lets everyone in
        ("django", "GET,POST,PUT,PATCH,DELETE", "/api/feedback/", "FeedbackViewSet", "drfapp/urls.py:45", "no", "no"),
    ]
    # ``@action`` methods are routes under their viewset (``detail=True`` under ``<pk>``), guarded as it is; a
    # Django admin action (``@admin.action``) is not a route
    assert table("drfactions") == [
        (
            "django",
            "POST",
            "/api/accounts/<pk>/set-password/",
            "AccountViewSet.set_password",
            "drfactions/urls.py:12",
            "yes",
            "yes",
        ),
        ("django", "GET", "/api/notes/recent/", "NoteViewSet.recent", "drfactions/urls.py:21", "no", "no"),
        ("django", "POST,DELETE", "/api/notes/<pk>/pin/", "NoteViewSet.pin", "drfactions/urls.py:25", "no", "no"),
        (
            "django",
            "GET,POST,PUT,PATCH,DELETE",
            "/api/accounts/",
            "AccountViewSet",
            "drfactions/urls.py:35",
            "yes",
            "yes",
        ),
        ("django", "GET", "/api/notes/", "NoteViewSet", "drfactions/urls.py:36", "no", "no"),
        # an action a base class of the project mixes in, at its own line, under the viewset that inherits it
        (
            "django",
            "POST",
            "/api/devices/<pk>/render/",
            "RenderMixin.render_config",
            "drfactions/urls.py:42",
            "yes",
            "yes",
        ),
        (
            "django",
            "GET,POST,PUT,PATCH,DELETE",
            "/api/devices/",
            "DeviceViewSet",
            "drfactions/urls.py:51",
            "yes",
            "yes",
        ),
    ]
    # a router registered at "" in one module and mounted by another through an import of the module (linkding)
    assert table("drfsplit") == [
        ("django", "GET", "/api/bookmarks/", "BookmarkViewSet", "drfsplit/api/routes.py:12", "yes", "unknown"),
    ]


def test_drf_routers_of_the_projects_own_router_classes() -> None:
    """netbox registers its viewsets on ``NetBoxRouter(DefaultRouter)`` (and ``ScriptRouter(NetBoxRouter)``) and
    serves them with ``urlpatterns = router.urls`` in a module another includes: every viewset and its actions
    are routes under that prefix. A message bus's ``EventRouter.register`` and a task queue's own
    ``DefaultRouter`` subclass (``urlpatterns = tasks.urls`` included) are not DRF and add no route."""
    assert table("drfcustom") == [
        (
            "django",
            "GET,POST,PUT,PATCH,DELETE",
            "/api/dcim/sites/",
            "SiteViewSet",
            "drfcustom/dcim/api/urls.py:6",
            "yes",
            "unknown",
        ),
        (
            "django",
            "GET,POST,PUT,PATCH,DELETE",
            "/api/dcim/devices/",
            "DeviceViewSet",
            "drfcustom/dcim/api/urls.py:7",
            "yes",
            "unknown",
        ),
        (
            "django",
            "POST",
            "/api/dcim/devices/<pk>/render-config/",
            "RenderConfigMixin.render_config",
            "drfcustom/dcim/api/views.py:7",
            "yes",
            "unknown",
        ),
        (
            "django",
            "GET",
            "/api/dcim/devices/<pk>/napalm/",
            "DeviceViewSet.napalm",
            "drfcustom/dcim/api/views.py:17",
            "yes",
            "unknown",
        ),
        (
            "django",
            "GET,POST,PUT,PATCH,DELETE",
            "/api/extras/scripts/",
            "ScriptViewSet",
            "drfcustom/extras/api/urls.py:7",
            "yes",
            "unknown",
        ),
        ("django", "GET", "/api/extras/dashboard/", "DashboardView", "drfcustom/extras/api/urls.py:10", "no", "no"),
        (
            "django",
            "POST",
            "/api/extras/scripts/<pk>/run/",
            "ScriptViewSet.run",
            "drfcustom/extras/api/views.py:8",
            "yes",
            "unknown",
        ),
        # ``urlpatterns += router.urls`` after the module's own patterns
        ("django", "GET", "/api/ipam/prefixes/", "PrefixViewSet", "drfcustom/ipam/api/urls.py:8", "no", "no"),
        (
            "django",
            "GET",
            "/api/ipam/prefixes/<int:pk>/available/",
            "AvailablePrefixesView",
            "drfcustom/ipam/api/urls.py:11",
            "no",
            "no",
        ),
    ]


def test_drf_router_under_a_namespaced_include() -> None:
    """Tandoor: ``path("api/", include((router.urls, "api")))`` mounts the router under api/ (the pattern's argument
    does not keep the tuple; the ``include`` call does); ``include(("shop.urls", "shop"))`` mounts a module."""
    files = {
        "views.py": (
            "from rest_framework import viewsets\n"
            "from rest_framework.permissions import IsAuthenticated\n"
            "class Food(viewsets.ModelViewSet):\n    permission_classes = [IsAuthenticated]\n"
            "def catalog(request):\n    pass\n"
        ),
        "shop/urls.py": "from django.urls import path\nimport views\nurlpatterns = [path('catalog/', views.catalog)]\n",
        "urls.py": (
            "from django.urls import include, path\nfrom rest_framework import routers\nimport views\n"
            "router = routers.DefaultRouter()\nrouter.register('food', views.Food)\n"
            "urlpatterns = [\n    path('api/', include((router.urls, 'api'))),\n"
            "    path('shop/', include(('shop.urls', 'shop'), namespace='shop')),\n]\n"
        ),
    }
    routes = routes_of(files)
    assert [(r.path, r.file, r.line, r.authenticated) for r in routes] == [
        ("/shop/catalog/", "shop/urls.py", 3, "no"),
        ("/api/food/", "urls.py", 5, "yes"),
    ]


def test_a_project_permission_class_that_verifies_the_request_signature_guards_the_view() -> None:
    """Grafana OnCall's ``AllowOnlyTwilio``: ``has_permission`` hands the request to a method of its own that
    validates Twilio's signature (``RequestValidator(auth_token).validate(...)``). A permission class that only reads
    the request's data, and one whose own method logs, let everyone in."""
    files = {
        "twilioapp/views.py": (
            "from rest_framework.permissions import BasePermission\n"
            "from rest_framework.views import APIView\n"
            "from twilio.request_validator import RequestValidator\n"
            "class AllowOnlyTwilio(BasePermission):\n"
            "    def has_permission(self, request, view):\n"
            "        return self.validate_request(request, request.data.get('AccountSid'))\n"
            "    def validate_request(self, request, auth_token):\n"
            "        validator = RequestValidator(auth_token)\n"
            "        return validator.validate(request.build_absolute_uri(), request.POST, '')\n"
            "class AllowWithSid(BasePermission):\n"
            "    def has_permission(self, request, view):\n"
            "        return bool(request.data.get('AccountSid'))\n"
            "class AllowLogged(BasePermission):\n"
            "    def has_permission(self, request, view):\n"
            "        return self.log(request)\n"
            "    def log(self, request):\n"
            "        print(request.path)\n"
            "        return True\n"
            "class GatherView(APIView):\n"
            "    permission_classes = [AllowOnlyTwilio]\n"
            "    def post(self, request):\n        pass\n"
            "class SidView(APIView):\n"
            "    permission_classes = [AllowWithSid]\n"
            "    def post(self, request):\n        pass\n"
            "class LoggedView(APIView):\n"
            "    permission_classes = [AllowLogged]\n"
            "    def post(self, request):\n        pass\n"
        ),
        "twilioapp/urls.py": (
            "from django.urls import path\n"
            "from twilioapp.views import GatherView, LoggedView, SidView\n"
            "urlpatterns = [\n"
            "    path('gather/', GatherView.as_view()),\n"
            "    path('sid/', SidView.as_view()),\n"
            "    path('logged/', LoggedView.as_view()),\n"
            "]\n"
        ),
    }
    routes = routes_of(files)
    assert [(r.path, r.authenticated, r.auth_evidence) for r in routes] == [
        ("/gather/", "yes", ("AllowOnlyTwilio.has_permission",)),
        ("/sid/", "no", ()),
        ("/logged/", "no", ()),
    ]


def test_a_guarded_hook_in_another_module_guards_the_blueprints_it_hangs_on() -> None:
    """privacyIDEA's ``api/before_after.py`` imports its blueprints relatively and hangs one hook on twenty of them:
    ``@resolver_blueprint.before_request @policy_blueprint.before_request @admin_required def
    before_admin_request(): before_request()``; the user endpoints' hook is ``@user_required``. A hook whose only
    decorator logs guards nothing."""
    files = {
        "pi/api/auth.py": "def admin_required(f):\n    return f\n\n\ndef user_required(f):\n    return f\n",
        "pi/api/log.py": "def log_with(log):\n    return lambda f: f\n",
        **{
            f"pi/api/{name}.py": "from flask import Blueprint\n\n"
            f"{name}_blueprint = Blueprint('{name}_blueprint', __name__)\n\n\n"
            f"@{name}_blueprint.route('/{name}/<key>', methods=['POST'])\n"
            "def save(key):\n    return key\n"
            for name in ("policy", "resolver", "user", "stats")
        },
        "pi/api/before_after.py": "from flask import request\n"
        "from .policy import policy_blueprint\n"
        "from .resolver import resolver_blueprint\n"
        "from .user import user_blueprint\n"
        "from .stats import stats_blueprint\n"
        "from pi.api.auth import admin_required, user_required\n"
        "from pi.api.log import log_with\n\n\n"
        "@policy_blueprint.before_request\n@resolver_blueprint.before_request\n@admin_required\n"
        "def before_admin_request():\n    request.all_data = {}\n\n\n"
        "@user_blueprint.before_request\n@user_required\n"
        "def before_userendpoint_request():\n    request.all_data = {}\n\n\n"
        "@stats_blueprint.before_request\n@log_with(None)\n"
        "def before_stats_request():\n    request.all_data = {}\n",
    }
    assert [(r.path, r.authenticated) for r in routes_of(files)] == [
        ("/policy/<key>", "yes"),
        ("/resolver/<key>", "yes"),
        ("/stats/<key>", "no"),
        ("/user/<key>", "yes"),
    ]
