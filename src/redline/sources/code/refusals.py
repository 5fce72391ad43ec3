"""Answers that refuse a caller by status: 401 (not signed in) or 403 (not allowed), written as a number or a name.

One notion for every reader: the index's ``(body, 401)`` returns (``build.refusing_status``), a project decorator's
wrapper (``routes.django_decorators``), a handler that refuses after a credential check (``checks.code.handlers``).
"""

from __future__ import annotations

from redline.sources.code.model import Arg, CallSite

#: the names a refusing status is written with (``HTTPStatus.UNAUTHORIZED``, DRF's ``status.HTTP_403_FORBIDDEN``)
REFUSING_STATUS_NAMES = {"UNAUTHORIZED": 401, "FORBIDDEN": 403, "HTTP_401_UNAUTHORIZED": 401, "HTTP_403_FORBIDDEN": 403}
_REFUSING = frozenset(REFUSING_STATUS_NAMES.values())


def refusing_arg(arg: Arg) -> bool:
    """``401``/``403``, or a name for one (``status.HTTP_403_FORBIDDEN``)."""
    literal = arg.literal
    return (isinstance(literal, int) and not isinstance(literal, bool) and literal in _REFUSING) or (
        (arg.name or "").rsplit(".", 1)[-1] in REFUSING_STATUS_NAMES
    )


def answers_refusal(call: CallSite) -> bool:
    """A response built with a refusing status (``Response(status=403)``, ``JsonResponse(..., status_code=401)``) or
    ``abort(401)``."""
    statuses = [a for a in call.args if a.keyword in ("status", "status_code")]
    if call.raw.rsplit(".", 1)[-1] == "abort":
        statuses += [a for a in call.args[:1] if a.keyword is None]
    return any(refusing_arg(a) for a in statuses)
