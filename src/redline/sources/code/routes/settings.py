"""The ``[entrypoints]`` table: names that mark a guard, added to the built-in ones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where

#: names (last dotted component, lower case) of decorators, dependencies, mixins, middlewares and
#: permission classes that authenticate the caller
AUTH_MARKERS = (
    "login_required",
    "jwt_required",
    "token_required",
    "auth_required",
    "requires_auth",
    "authenticated",
    "get_current_user",
    "get_current_active_user",
    "current_user",
    "get_user",
    "verify_token",
    "require_login",
    "loginrequiredmixin",
    "loginrequiredmiddleware",
    "isauthenticated",
    "isauthenticatedorreadonly",
    "oauth2_scheme",
    "api_key_auth",
    "http_basic",
    "httpbearer",
    "authenticationmiddleware_required",
    "fresh_jwt_required",
    "verify_jwt_in_request",
    "auth_middleware",
    "authenticate",
    "require_user",
    # JavaScript/TypeScript: ``auth``/``protect`` middleware, express-jwt's ``jwt()``/``expressjwt()``,
    # express-openid-connect's ``requiresAuth()``
    "auth",
    "protect",
    "jwt",
    "expressjwt",
    "requiresauth",
)
#: names that check a role, permission or scope (and so also authenticate)
AUTHZ_MARKERS = (
    "permission_required",
    "user_passes_test",
    "staff_member_required",
    "roles_required",
    "roles_accepted",
    "admin_required",
    "superuser_required",
    "permissionrequiredmixin",
    "userpassestestmixin",
    "isadminuser",
    "djangomodelpermissions",
    "djangoobjectpermissions",
    "has_permission",
    "require_role",
    "require_permission",
    "requires_scope",
    "roles",  # NestJS ``@Roles(...)`` read by a guard
)
#: names that declare a route public on purpose
PUBLIC_MARKERS = (
    "allowany",
    "csrf_exempt_public",
    "public",
    "no_auth",
    "anonymous",
    "skipauth",
    "allowanonymous",
    "ispublic",
)


@dataclass(frozen=True)
class EntrypointSettings:
    auth_markers: frozenset[str] = frozenset(AUTH_MARKERS)
    authz_markers: frozenset[str] = frozenset(AUTHZ_MARKERS)
    public_markers: frozenset[str] = frozenset(PUBLIC_MARKERS)


def _names(raw: Mapping[str, Any], key: str, where: Where) -> frozenset[str]:
    values = raw.get(key, [])
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{where.key(key)} must be a list of non-empty names")
    return frozenset(v.strip().rsplit(".", 1)[-1].lower() for v in values)


def parse_entrypoints(raw: Mapping[str, Any], where: Where) -> EntrypointSettings:
    return EntrypointSettings(
        frozenset(AUTH_MARKERS) | _names(raw, "auth_markers", where),
        frozenset(AUTHZ_MARKERS) | _names(raw, "authz_markers", where),
        frozenset(PUBLIC_MARKERS) | _names(raw, "public_markers", where),
    )


ENTRYPOINTS_SECTION: SectionSpec[EntrypointSettings] = SectionSpec(
    name="entrypoints",
    keys={"auth_markers": list, "authz_markers": list, "public_markers": list},
    parse=parse_entrypoints,
    doc="Names of your own guards, added to the built-in ones: auth_markers (decorators, dependencies, "
    "middlewares that authenticate), authz_markers (role/permission/scope checks), public_markers "
    '(routes public on purpose), e.g. auth_markers = ["myapp.auth.require_session"]',
)
