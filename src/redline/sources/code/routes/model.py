"""An HTTP entry point and the guards that apply to it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

YES, NO, UNKNOWN = "yes", "no", "unknown"
#: whole path words of an endpoint a scheduler calls rather than a user (Vercel Cron's ``/api/cron/…``, QStash)
_SCHEDULED_WORDS = frozenset({"cron", "crons", "cronjob", "cronjobs", "qstash"})
#: path words of a sign-in flow's callback, which must call the identity provider before it answers
_SIGN_IN_WORDS = frozenset({"oauth", "oauth2", "auth", "sso", "saml", "oidc", "login", "signin"})
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
#: a path parameter in each framework's spelling: ``<int:id>`` (and Django's ``(?P<id>...)``), ``{id}``, ``:id``
_PATH_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)(?::[^}]*)?\}|/:(\w+)")


def path_params(path: str) -> list[str]:
    """The names of a route path's parameters, in order (``/notes/<int:pk>/``, ``/items/{item_id}``,
    ``/share/:shareId``)."""
    return ["".join(groups) for groups in _PATH_PARAM.findall(path)]


#: a path parameter that names a record (``pk``, ``note_id``, ``recordId``)
_RECORD = re.compile(r"^(id|pk|uuid|slug|code)$|(_id|_pk|_uuid|_slug|Id)$")
#: a share link's id (``shareId``, ``share_token``): the link is the credential, though it ends like a record's id
_SHARE_LINK = re.compile(r"(?i)^share[_-]?(?:id|token|key|code|slug)$")
#: a credential in a path: a token, secret or signature, or a compound key (``api_key``, ``alert_channel_key``;
#: a bare ``key`` names an entry of a key-value store)
_CREDENTIAL = re.compile(r"(?i)token|secret|signature|\w[_-]?key$")


def record_param(name: str) -> bool:
    """A path parameter that names a record the route acts on (``pk``, ``note_id``, ``recordId``)."""
    return bool(_RECORD.search(name))


def capability_param(name: str) -> bool:
    """A path parameter that carries a credential (``alert_channel_key``, ``<token>``, ``:shareId``), not a record's
    id (``token_id``, ``key_id``)."""
    return bool(_SHARE_LINK.match(name)) or (not record_param(name) and bool(_CREDENTIAL.search(name)))


def capability_url(path: str) -> bool:
    """The path carries a credential and names no record besides: knowing the URL is the permission (Grafana
    OnCall's ``/integrations/v1/grafana/<alert_channel_key>/``, teable's ``/api/share/:shareId/view/form-submit``)."""
    params = path_params(path)
    held = [p for p in params if capability_param(p)]
    return bool(held) and not any(record_param(p) for p in params if p not in held)


def words(text: str) -> frozenset[str]:
    """The lower-case words of a path or module name (``/api/cron/import`` -> api, cron, import;
    ``github.com/gofiber/contrib/jwt`` -> github, com, gofiber, contrib, jwt)."""
    return frozenset(_WORD_SPLIT.split(text.lower())) - {""}


@dataclass(frozen=True)
class Route:
    #: flask / fastapi / django / aiohttp / express / nestjs / koa / fastify / http / gin / echo / chi / mux /
    #: grpc (methods ("GRPC",), path /Service/Method) / spring / spring-fn (RouterFunctions) / jaxrs /
    #: servlet (``@WebServlet`` and web.xml) / nextjs (App Router route handlers, Pages Router API routes) /
    #: sveltekit (``+server.ts`` endpoints) / nuxt (Nuxt and Nitro ``server/api``, ``server/routes``)
    framework: str
    methods: tuple[str, ...]  # upper case; ("ANY",) when the route takes every method
    path: str  # with blueprint/router/include prefixes resolved
    handler: str  # qualified name of the view function or class
    file: str
    line: int
    authenticated: str = UNKNOWN  # yes / no / unknown
    authorized: str = UNKNOWN
    #: why: the decorator, dependency, mixin, permission class or middleware that decided
    auth_evidence: tuple[str, ...] = ()
    authz_evidence: tuple[str, ...] = ()
    #: the file the handler is defined in when it is not ``file`` (a Django view registered in urls.py)
    handler_file: str = ""
    #: the environment secret a caller must present (``if (token !== process.env.INTERNAL_API_KEY) return 401``):
    #: another service calls this route, not a user; "" for every other route
    shared_secret: str = ""

    @property
    def handler_path(self) -> str:
        return self.handler_file or self.file

    @property
    def scheduled(self) -> bool:
        """A job a scheduler triggers (``/api/cron/import``): no user waits on its answer, so the third parties
        it calls are its work, not a stall on someone's request path."""
        return not _SCHEDULED_WORDS.isdisjoint(words(self.path))

    @property
    def provider_callback(self) -> bool:
        """A sign-in callback (``/oauth/callback``, ``/auth/github/callback``): exchanging the provider's code for
        a token is the route's work, it cannot be queued or cached away."""
        said = words(self.path)
        return "callback" in said and not _SIGN_IN_WORDS.isdisjoint(said)

    @property
    def third_party_is_its_work(self) -> bool:
        """A scheduled job or a sign-in callback: the third party it calls is what the route is for, so the rules
        about third parties on a user's request path (LAT131, LAT259, RES130) leave it alone."""
        return self.scheduled or self.provider_callback

    @property
    def state_changing(self) -> bool:
        return any(m in {"POST", "PUT", "PATCH", "DELETE", "ANY"} for m in self.methods)


@dataclass(frozen=True)
class RouteInventory:
    """Every entry point found in the project, in (file, line) order."""

    routes: tuple[Route, ...] = ()


def routes_by_handler(inventories: Iterable[RouteInventory]) -> dict[tuple[str, str], Route]:
    """(file the handler is defined in, handler) -> its first route: how a finding in a handler names the
    route it is reachable from."""
    out: dict[tuple[str, str], Route] = {}
    for inventory in inventories:
        for route in inventory.routes:
            out.setdefault((route.handler_path, route.handler), route)
    return out
