"""WEB101 over the route fixtures through a real run: exact routes, look-alikes silent, routes in
findings.json's inventory."""

from __future__ import annotations

import json
from pathlib import Path

from audit_helpers import audit_with, findings_of
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.config import Config
from redline.core.result import AuditResult
from redline.pipeline.run import AuditRequest, run_audit
from redline.report.json_report import JsonReporter
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.synthesis.routes import RouteTableStep

FIXTURES = Path(__file__).parent / "fixtures" / "routes"


def _audit() -> AuditResult:
    result: AuditResult = audit_with(FIXTURES, [RouteAuthenticationCheck()], steps=[RouteTableStep()])
    return result


def test_state_changing_routes_without_authentication_fire_exactly() -> None:
    result = _audit()
    assert [(f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("WEB101", "djangoapp/shop/urls.py", 9, "POST /shop/checkout/"),
        # its base class mixes in no guard; TaskDelete and Refund (guarded by their bases) and the sign-out
        # route (line 15, open by design) stay silent
        ("WEB101", "djangoapp/shop/urls.py", 14, "POST /shop/cancel/"),
        # ``@ratelimit`` limits, it does not authenticate; ``@group_required("Staff")`` on /shop/moderate/ does
        ("WEB101", "djangoapp/shop/urls.py", 19, "POST /shop/vote/"),
        # not line 20: the handler refuses a caller who is not logged in (kitsune's del_image_async); line 21
        # reads the login state only to pick a value
        ("WEB101", "djangoapp/shop/urls.py", 21, "POST /shop/feedback/"),
        # not line 22: a call named for checking, handed the request (WebODM's get_and_check_project); a check of
        # the upload is no check of the caller
        ("WEB101", "djangoapp/shop/urls.py", 23, "POST /shop/uploads/"),
        # an unguarded viewset's ``@action(["post", "delete"], True)``; the admin-guarded one stays silent
        ("WEB101", "drfactions/urls.py", 25, "POST,DELETE /api/notes/<pk>/pin/"),
        ("WEB101", "drfapp/urls.py", 41, "POST /api/notes/"),
        # the project's CanContribute (has_permission) guards /api/exercises/ and /api/aliases/; OwnerOnly
        # judges objects only; OpenForAll never looks at the caller
        ("WEB101", "drfapp/urls.py", 44, "GET,POST,PUT,PATCH,DELETE /api/comments/"),
        ("WEB101", "drfapp/urls.py", 45, "GET,POST,PUT,PATCH,DELETE /api/feedback/"),  # OpenForAll asks nothing
        ("WEB101", "expressapp/app.js", 15, "POST /api/feedback"),
        ("WEB101", "fastapiapp/users.py", 6, "PUT /v1/users/{uid}"),
        ("WEB101", "flaskapp/app.py", 47, "POST /api/orders/<oid>/cancel"),
    ]
    assert all(f.remediation for f in result.findings)
    assert not result.errors


def test_routes_travel_in_the_findings_json_inventory() -> None:
    document = json.loads(JsonReporter().render(_audit()))
    routes = document["inventory"]["routes"]
    # the sign-up and sign-out routes and a class-based view's route are listed, not flagged; 13 Express
    # drfactions: 3 viewsets and their 4 ``@action`` routes, one from a mixin; drfcustom: 9 through its own routers
    assert len(routes) == 74
    exercises = next(r for r in routes if r["handler"] == "ExerciseViewSet")
    assert exercises["authz_evidence"] == ["CanContribute.has_permission"]  # the class that decides, named
    refund = next(r for r in routes if r["handler"] == "refund")
    assert refund == {
        "framework": "flask",
        "methods": ["POST"],
        "path": "/api/orders/<int:oid>/refund",
        "handler": "refund",
        "file": "flaskapp/app.py",
        "line": 22,
        "authenticated": "yes",
        "authorized": "yes",
        "auth_evidence": ["roles_required"],
        "authz_evidence": ["roles_required"],
    }


OPEN_APPS = Path(__file__).parent / "fixtures" / "open_apps"


def _unguarded(root: Path) -> list[tuple[str, int, str]]:
    """(file, line, route) of each WEB101 finding of the route-authentication check over ``root``."""
    return [
        (f.location.path, f.location.start_line, str(f.evidence["route"]))
        for f in findings_of(root, RouteAuthenticationCheck())
    ]


def _route_authentication(root: Path) -> AuditResult:
    """WEB101 alone over ``root``, with the project sources (the route inventory) it reads."""
    return run_audit(
        AuditRequest(
            root=root,
            config=Config(jobs=1),
            checks=[RouteAuthenticationCheck()],
            file_sources=builtin_file_sources(),
            project_sources=builtin_project_sources(),
        )
    )


def test_an_app_with_no_notion_of_users_is_open_by_design() -> None:
    """The voting app's only page (POST,GET /) and an internal assistant's POST / are in units where no route
    authenticates, logs in or changes a given record: quiet. A notes app whose DELETE takes the record's id, a shop
    with a login guard elsewhere, and a poll with a login route keep their unguarded writes flagged."""
    result = _route_authentication(OPEN_APPS)
    assert not result.errors
    assert [(f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("notes/app.py", 7, "POST /notes"),
        ("notes/app.py", 13, "DELETE /notes/<int:nid>"),
        ("poll/app.py", 11, "POST /vote"),
        ("shop/app.py", 13, "POST /reindex"),
    ]


DECLARED_PUBLIC = Path(__file__).parent / "fixtures" / "declared_public"


def test_a_route_marked_public_on_purpose_is_a_decision_unless_it_writes_a_named_record() -> None:
    """docmost's shape: an app-wide JWT guard, and RPC-style reads through POST marked ``@Public()``. The
    marked POST with a body is quiet, and so is teable's shared-form submission (``POST :shareId/form-submit``:
    the share link is the credential); a marked DELETE of ``:id``, a marked POST to ``:id/publish``, one naming a
    record beside the share link, and a marked PATCH stay flagged; the guarded route is not reported."""
    result = _route_authentication(DECLARED_PUBLIC)
    assert not result.errors
    assert [(f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("src/admin/setting.controller.ts", 15, "PATCH /api/admin/setting"),
        ("src/shares/shares.controller.ts", 15, "DELETE /api/shares/:id"),
        ("src/shares/shares.controller.ts", 22, "POST /api/shares/:id/publish"),
        ("src/shares/shares.controller.ts", 36, "POST /api/shares/:shareId/records/:recordId"),
    ]


def test_an_admin_path_marked_public_on_purpose_that_only_reads_is_a_decision() -> None:
    """teable's ``@Public() @Get()`` on ``api/admin/setting`` (what the sign-in page shows) is not an unguarded admin
    page (WEB103); the same controller's public ``PATCH`` is."""
    from redline.checks.code.exposure import RouteExposureCheck

    found = findings_of(DECLARED_PUBLIC, RouteExposureCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found if f.rule == "WEB103"] == [
        ("WEB103", "src/admin/setting.controller.ts", 15)
    ]


PUBLIC_DELEGATED = Path(__file__).parent / "fixtures" / "public_delegated"


def test_a_public_post_that_hands_the_caller_to_the_lookup_is_a_decision() -> None:
    """baserow's public forms and published apps: ``AllowAny`` views whose POST names a record by slug or id and
    hands ``request.user`` to the service call that loads it (which decides what an anonymous caller may do) are
    quiet. The same view that changes the record with no caller handed on, one that only records the caller
    (a keyword), and a public DELETE stay flagged."""
    result = _route_authentication(PUBLIC_DELEGATED)
    assert not result.errors
    assert [(f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("forms/urls.py", 8, "POST /pages/(?P<page_id>[0-9]+)/publish/"),
        ("forms/urls.py", 9, "POST /notes/(?P<note_id>[0-9]+)/take/"),
        ("forms/urls.py", 10, "DELETE /notes/(?P<note_id>[0-9]+)/"),
    ]


ANONYMOUS_FLOWS = Path(__file__).parent / "fixtures" / "anonymous_flows"


def test_login_flows_and_webhooks_are_anonymous_by_design() -> None:
    """outline's shape: RPC-style koa routes whose paths carry no mount prefix. The login configuration in an
    ``auth/`` module, passkey sign-in and Slack's hooks are reached before anyone signs in; creating a document or
    an author (``authors`` is not ``auth``) is not."""
    result = _route_authentication(ANONYMOUS_FLOWS)
    assert not result.errors
    assert [(f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("server/routes/api/documents.js", 5, "POST documents.create"),
        ("server/routes/api/documents.js", 9, "POST authors.create"),
    ]


INLINE_OWNER = Path(__file__).parent / "fixtures" / "inline_owner"


def test_an_inline_owner_check_and_an_internal_service_are_not_unguarded() -> None:
    """LibrePhotos: a DRF view whose permission judges objects only but which compares ``photo.owner`` with
    ``request.user`` itself refuses anonymous callers; a Flask service that runs its own server (``__main__``) is a
    unit of its own with no users. Assigning the caller as owner, and a Flask app served by the main process, fire."""
    found = findings_of(INLINE_OWNER, RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "photos/urls.py", 8),
        ("WEB101", "service/tags/app.py", 7),
    ]


def test_a_capability_url_is_left_alone_unless_it_names_a_record(tmp_path: Path) -> None:
    """Grafana OnCall's integration webhooks (``POST /integrations/v1/grafana/<str:alert_channel_key>/``): the key in
    the URL is the credential, checked by the view. Look-alikes stay flagged: a key's id (``key_id``), a bare
    ``<key>`` of a key-value store, and a record named beside a secret."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        "from django.views.decorators.http import require_POST\n"
        + "".join(
            f"@require_POST\ndef {name}(request, **kwargs):\n    pass\n"
            for name in ("grafana", "revoke", "put_entry", "item")
        )
    )
    (tmp_path / "app" / "urls.py").write_text(
        "from django.urls import path\n"
        "from app import views\n"
        "urlpatterns = [\n"
        "    path('integrations/v1/grafana/<str:alert_channel_key>/', views.grafana),\n"
        "    path('keys/<int:key_id>/revoke/', views.revoke),\n"
        "    path('cache/<str:key>/', views.put_entry),\n"
        "    path('links/<str:secret>/items/<int:item_id>/', views.item),\n"
        "]\n"
    )
    assert _unguarded(tmp_path) == [
        ("app/urls.py", 5, "POST /keys/<int:key_id>/revoke/"),
        ("app/urls.py", 6, "POST /cache/<str:key>/"),
        ("app/urls.py", 7, "POST /links/<str:secret>/items/<int:item_id>/"),
    ]


def test_a_view_that_verifies_the_request_signature_and_answers_403_is_guarded(tmp_path: Path) -> None:
    """Grafana OnCall's Slack endpoints: an ``APIView`` whose ``post`` checks the Slack signature with a method of its
    own and answers ``Response(status=403)`` when it fails. Look-alikes stay flagged: a signature checked but a 400
    answered (no refusal of the caller), a 403 answered with no credential checked, and a check whose answer is
    only logged."""
    (tmp_path / "app").mkdir()
    views = {
        "Slack": "        if not Slack.verify_signature(ts, sig, request.body):\n"
        "            return Response(status=403)\n",
        "Named": "        if not verify_signature(request):\n"
        "            return Response({'detail': 'no'}, status=status.HTTP_403_FORBIDDEN)\n",
        "BadRequest": "        if not verify_signature(request):\n            return Response(status=400)\n",
        "Unchecked": "        if request.data.get('kind') == 'x':\n            return Response(status=403)\n",
        "Logged": "        if not verify_signature(request):\n            log.warning('bad signature')\n",
    }
    (tmp_path / "app" / "views.py").write_text(
        "from rest_framework import status\n"
        "from rest_framework.response import Response\n"
        "from rest_framework.permissions import IsAuthenticated\n"
        "from rest_framework.views import APIView\n\n\n"
        "class Profile(APIView):  # the app has users\n"
        "    permission_classes = [IsAuthenticated]\n\n"
        "    def post(self, request):\n"
        "        request.user.save()\n"
        + "".join(
            f"\n\nclass {name}(APIView):\n"
            "    @staticmethod\n"
            "    def verify_signature(ts, sig, body):\n"
            "        return hmac.compare_digest(sig, body)\n\n"
            "    def post(self, request):\n"
            "        ts, sig = request.META['HTTP_X_TS'], request.META['HTTP_X_SIG']\n"
            f"{body}"
            "        Event.objects.create(payload=request.data)\n"
            "        return Response(status=200)\n"
            for name, body in views.items()
        )
    )
    (tmp_path / "app" / "urls.py").write_text(
        "from django.urls import path\n"
        "from app import views\n"
        "urlpatterns = [\n"
        "    path('profile/', views.Profile.as_view()),\n"
        + "".join(f"    path('{name.lower()}/events/', views.{name}.as_view()),\n" for name in views)
        + "]\n"
    )
    assert _unguarded(tmp_path) == [
        ("app/urls.py", 7, "POST /badrequest/events/"),
        ("app/urls.py", 8, "POST /unchecked/events/"),
        ("app/urls.py", 9, "POST /logged/events/"),
    ]


SIGN_IN_FORMS = Path(__file__).parent / "fixtures" / "sign_in_forms"


def test_sign_in_and_sign_out_forms_are_meant_for_any_caller() -> None:
    """ihatemoney: ``/admin`` checks the posted password against the configured hash and signs the session in,
    ``/exit`` empties the session, ``/password-reminder`` mails a reminder: none is an unguarded state change, nor an
    unguarded admin page. A password change (it reads ``current_user``) and a purge under ``/admin`` are."""
    from redline.checks.code.exposure import RouteExposureCheck

    found = findings_of(SIGN_IN_FORMS, RouteAuthenticationCheck()) + findings_of(SIGN_IN_FORMS, RouteExposureCheck())
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in found) == [
        ("WEB101", "splitbill/web.py", 39),
        ("WEB101", "splitbill/web.py", 46),
        ("WEB103", "splitbill/web.py", 46),
    ]


INHERITED_CHECKS = Path(__file__).parent / "fixtures" / "inherited_checks"


def test_an_access_check_a_handler_class_inherits_guards_its_routes() -> None:
    """Indico: ``RHSettings(RHAdminBase)`` inherits ``_check_access``, which calls ``RHProtected._check_access``
    (``self._require_user()``: ``if session.user is None: raise Forbidden``) and tests ``session.user.is_admin``; the
    blueprint imports it from ``admin.controllers`` while ``rooms`` defines another ``RHSettings``. Still reported: a
    handler whose base checks nothing, one whose ``_check_access`` reads no caller, and the other ``RHSettings``
    named through its module."""
    from redline.checks.code.exposure import RouteExposureCheck

    found = findings_of(INHERITED_CHECKS, RouteAuthenticationCheck()) + findings_of(
        INHERITED_CHECKS, RouteExposureCheck()
    )
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in found) == [
        ("WEB101", "myapp/admin/blueprint.py", 8),
        ("WEB101", "myapp/admin/blueprint.py", 9),
        ("WEB101", "myapp/admin/blueprint.py", 10),
        ("WEB103", "myapp/admin/blueprint.py", 9),
    ]


def test_an_lti_tools_launch_is_a_sign_in_flow(tmp_path: Path) -> None:
    """MediaCMS: the LMS posts a signed id_token to ``/lti/launch/`` (LTI 1.3 is OIDC): reached before anyone signs in.
    A platform's removal under ``/lti/`` and a rocket's launch are not."""
    (tmp_path / "lti").mkdir()
    (tmp_path / "lti" / "views.py").write_text(
        "from django.views.decorators.http import require_POST\n"
        + "".join(f"@require_POST\ndef {name}(request, **kwargs):\n    pass\n" for name in ("launch", "oidc", "remove"))
        + "@require_POST\ndef fire(request, pk):\n    pass\n"
    )
    (tmp_path / "lti" / "urls.py").write_text(
        "from django.urls import path\n"
        "from lti import views\n"
        "urlpatterns = [\n"
        "    path('lti/launch/', views.launch),\n"
        "    path('lti/oidc/login/', views.oidc),\n"
        "    path('lti/platforms/<int:pk>/delete/', views.remove),\n"
        "    path('rockets/<int:pk>/launch/', views.fire),\n"
        "    path('accounts/login/', views.oidc),\n"
        "]\n"
    )
    found = findings_of(tmp_path, RouteAuthenticationCheck())
    assert [(f.location.path, f.location.start_line) for f in found] == [("lti/urls.py", 6), ("lti/urls.py", 7)]


def test_a_post_whose_handler_only_reads_changes_nothing(tmp_path: Path) -> None:
    """fiduswriter's ``flatpage`` is a POST that selects a page and answers it as JSON: posted to, it changes nothing.
    Look-alikes stay flagged: a save, a project helper that may write, an update through the query, and a handler
    with no calls to judge."""
    handlers = {
        "flatpage": "    page = FlatPage.objects.filter(url=request.POST['url']).first()\n"
        "    return JsonResponse({'title': page.title if page else ''})\n",
        "search": "    rows = Item.objects.filter(name__icontains=request.POST['q']).values('id', 'name')\n"
        "    return render(request, 'search.html', {'rows': list(rows)})\n",
        "feedback": "    Feedback(message=request.POST['message']).save()\n    return JsonResponse({})\n",
        "notify": "    send_notice(request.POST['to'])\n    return JsonResponse({})\n",
        "mark_seen": "    Item.objects.filter(pk=request.POST['id']).update(seen=True)\n    return JsonResponse({})\n",
        # Indico's RHChangeTimezone: ``settings.set`` is a write, whatever the builtin ``set()`` is
        "set_tz": "    request.user.settings.set('timezone', request.POST['tz'])\n    return JsonResponse({})\n",
        # the same through an import that resolves it (Indico: ``from flask import session``)
        "set_lang": "    session.user.settings.set('lang', request.POST['lang'])\n    return JsonResponse({})\n",
        "noop": "    pass\n",
    }
    guarded = "@login_required\ndef profile(request):\n    return render(request, 'profile.html')\n"  # users exist
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        "from django.contrib.auth.decorators import login_required\n"
        "from django.http import JsonResponse\nfrom django.shortcuts import render\n"
        "from django.views.decorators.http import require_POST\n"
        "from app.models import FlatPage, Item, Feedback\nfrom app.notices import send_notice\n"
        "from flask import session\n"
        + guarded
        + "".join(f"@require_POST\ndef {name}(request):\n{body}" for name, body in handlers.items())
    )
    (tmp_path / "app" / "urls.py").write_text(
        "from django.urls import path\nfrom app import views\nurlpatterns = [\n"
        + "".join(f"    path('{name}/', views.{name}),\n" for name in handlers)
        + "    path('profile/', views.profile),\n]\n"
    )
    assert _unguarded(tmp_path) == [
        ("app/urls.py", 6, "POST /feedback/"),
        ("app/urls.py", 7, "POST /notify/"),
        ("app/urls.py", 8, "POST /mark_seen/"),
        ("app/urls.py", 9, "POST /set_tz/"),
        ("app/urls.py", 10, "POST /set_lang/"),
        ("app/urls.py", 11, "POST /noop/"),
    ]


def test_a_language_switcher_is_meant_for_any_visitor(tmp_path: Path) -> None:
    """fiduswriter's ``/api/i18n/setlang/`` (its own ``set_language``, as Django's): any visitor picks a language. A
    view that saves a language on the user's record, under another name (``reset_language`` too), is judged as
    any."""
    body = "    activate(request.POST['language'])\n    request.user.profile.save()\n    return JsonResponse({})\n"
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        "from django.contrib.auth.decorators import login_required\nfrom django.http import JsonResponse\n"
        "from django.utils.translation import activate\nfrom django.views.decorators.http import require_POST\n"
        "@login_required\ndef profile(request):\n    return JsonResponse({})\n"
        f"@require_POST\ndef set_language(request):\n{body}@require_POST\ndef save_language(request):\n{body}"
        f"@require_POST\ndef reset_language(request):\n{body}"
    )
    (tmp_path / "app" / "urls.py").write_text(
        "from django.urls import path\nfrom app import views\nurlpatterns = [\n"
        "    path('api/i18n/setlang/', views.set_language),\n"
        "    path('settings/language/', views.save_language),\n"
        "    path('settings/language/reset/', views.reset_language),\n"
        "    path('profile/', views.profile),\n]\n"
    )
    assert _unguarded(tmp_path) == [
        ("app/urls.py", 5, "POST /settings/language/"),
        ("app/urls.py", 6, "POST /settings/language/reset/"),
    ]
