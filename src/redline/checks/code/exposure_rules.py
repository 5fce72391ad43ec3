"""Route-level rules beyond WEB101: declared here, judged in ``exposure.py``."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_UNGUARDED = (
    "A route counts as unauthenticated only when redline sees every place a guard could be (no unknown "
    "wrapper, middleware or class-based view) and the handler does not check the caller itself (reads "
    "`request.user.is_authenticated`/`is_staff`/`is_superuser`, `current_user.…`, calls `is_admin()`, "
    "`has_perm`, `user_allowed_to_upload()`-style `…allowed_to_…` checks, `compare_digest`, answers 401/403, or "
    "reads a key/token from the request); your own guards "
    "go in `[entrypoints] auth_markers`."
)

DANGEROUS_HANDLER_WITHOUT_AUTH = Rule(
    code="WEB102",
    name="destructive-or-diagnostic-handler-without-authentication",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="A handler that stops the process, wipes data or dumps internals is reachable without authentication",
    tags=("CWE-306", "CWE-749", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="Flags a route, whatever its method, whose handler exits or kills the process "
        "(`sys.exit`, `os._exit`, `os.kill`, a server's `shutdown`), wipes a database or cache (`drop_all`, "
        "`flushdb`/`flushall`, `call_command('flush')`, `DROP`/`TRUNCATE` SQL, `shutil.rmtree`) or dumps "
        "internals (the environment `os.environ`, heap snapshots `tracemalloc`/`objgraph`/`guppy`, every "
        "thread's stack) when no authentication applies to it. " + _UNGUARDED,
        why_bad="Anyone who can reach the service can take it down or erase its data with one request, or "
        "read its secrets from the environment; a GET is enough, and crawlers and link previews send those.",
        example='@app.route("/admin/reset")\ndef reset():\n    db.drop_all()\n    return "ok"',
        use_instead='@app.post("/admin/reset")\n@login_required\n@admin_required\ndef reset():\n    ...',
        references=(
            "https://cwe.mitre.org/data/definitions/306.html",
            "https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
        ),
    ),
)

ADMIN_PATH_WITHOUT_GUARD = Rule(
    code="WEB103",
    name="admin-or-diagnostic-path-without-guard",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="An admin, internal or diagnostic path is reachable without authentication",
    tags=("CWE-306", "OWASP-A01", "OWASP-A05"),
    doc=RuleDoc(
        what_it_does="Flags a route whose path has a segment `admin`, `internal`, `debug`, `metrics`, "
        "`actuator`, `heapdump`, `env`, `console`, `server-status`, `phpinfo` or `_debug` (also as a prefix "
        "such as `admin-panel`) and no authentication. Django's own admin site (`admin.site.urls`, which has "
        "its own login), capability URLs whose path carries a key or token parameter, and a route marked public "
        "on purpose (`@Public()`, `AllowAny`) that only reads (GET) are left alone, and so is the administrator's "
        "sign-in form itself (a handler that checks a posted password and reads no signed-in caller), and a "
        "class-based handler that inherits an access check (Indico's `RHAdminBase`). An "
        "`internal` prefix that "
        "holds the application's own API (at least 20 routes, most behind a login: `/api/internal/v1/` of a "
        "plugin's frontend) is not an operator's corner: routes under it are judged by the segments after it, "
        "and one that changes state without a guard is WEB101's. " + _UNGUARDED,
        why_bad="These paths are the first an attacker tries: an admin or internal endpoint without a guard "
        "is full control, and diagnostic ones leak versions, configuration and data that make the next "
        "attack easy.",
        example='@app.get("/internal/users")\ndef all_users():\n    return [u.to_dict() for u in User.query]',
        use_instead='@app.get("/internal/users")\n@login_required\n@roles_required("admin")\ndef all_users():\n    ...',
        references=(
            "https://cwe.mitre.org/data/definitions/306.html",
            "https://owasp.org/Top10/A05_2021-Security_Misconfiguration/",
        ),
    ),
)

MISSING_AUTHZ_AMONG_SIBLINGS = Rule(
    code="WEB104",
    name="route-without-authorization-among-authorized-siblings",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="A state-changing route checks who the caller is but not what they may do, unlike its siblings",
    tags=("CWE-862", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="In one router (a Flask blueprint module, a FastAPI router module, one `urls.py`), when at "
        "least two routes on the same resource (the first path segment below the router's shared prefix: "
        "`/users/`, `/users/{id}` and `/users/{id}/role` are one) or in the same scope (a path parameter they "
        "share that is not the object's own id: a workspace `<slug>`) carry an authorization guard (a role, "
        "permission, scope, superuser or admin check) and a POST/PUT/PATCH/DELETE route beside them is "
        "authenticated but has none — neither a guard nor an inline check of roles, permissions or ownership in "
        "its handler — flags that route as a likely missing authorization. Routes on the caller's own resources "
        "(`/me`, `/profile`, `/password`, `/logout`) are left alone, and so is a route whose guarded neighbours "
        "are an admin area on other resources (`/config`, `/inspect` beside each user's `/playlist`).",
        why_bad="Any logged-in user can call the operation its siblings reserve for admins or owners: the "
        "everyday form of privilege escalation (CWE-862).",
        example='@router.delete("/{uid}", dependencies=[Depends(get_current_user)])  # siblings use '
        "get_current_active_superuser",
        use_instead='@router.delete("/{uid}", dependencies=[Depends(get_current_active_superuser)])',
        references=(
            "https://cwe.mitre.org/data/definitions/862.html",
            "https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
        ),
    ),
)

OBJECT_WITHOUT_OWNER_CHECK = Rule(
    code="WEB105",
    name="object-loaded-by-id-without-owner-check",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="An object route loads the object by its id without checking that it belongs to the caller (IDOR)",
    tags=("CWE-639", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="Flags an authenticated route (a login guard, or a handler that tests "
        "`request.user.is_authenticated` itself) with an id-like path parameter (`/orders/<int:order_id>`, "
        "`/{item_id}`, `<pk>`, `<uuid:code>`) whose handler passes that parameter to a load "
        "(`get`, `get_object_or_404`, `get_or_404`, `filter`, `filter_by`, `first_or_404`, `find_one`, "
        "`session.get`) and never refers to the caller or to an owner (`request.user`, `current_user`, a "
        "`user`/`current_user` parameter, `owner`, `author`, `user_id`, `tenant`…, the request handed to a method "
        "whose name says it scopes access: `Shipment.access_by(request)`, `objects.visible_to(request)`), nor "
        "checks a role or "
        "permission. Routes with an authorization guard are left alone, and so are those of a Django project "
        "whose own middleware checks a permission in `process_view` (DefectDojo's `AuthorizationMiddleware` looks "
        "each view's URL name up in a table). A candidate to confirm, not a proof: "
        "the object may be public by design.",
        why_bad="Changing the id in the URL shows or changes someone else's object: horizontal privilege "
        "escalation, the most reported API flaw (OWASP API1, broken object level authorization).",
        example="@login_required\ndef invoice(request, pk):\n"
        "    return render(..., {'inv': get_object_or_404(Invoice, pk=pk)})",
        use_instead="@login_required\ndef invoice(request, pk):\n"
        "    inv = get_object_or_404(Invoice, pk=pk, customer=request.user)",
        references=(
            "https://cwe.mitre.org/data/definitions/639.html",
            "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
        ),
    ),
)
