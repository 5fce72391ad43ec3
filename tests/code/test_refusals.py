"""One notion of an answer that refuses the caller by status, shared by the handler checks and the project
decorators: 401/403 as a number or a name, in ``status``/``status_code`` or ``abort``'s first argument."""

from __future__ import annotations

import pytest

from redline.sources.code.model import Arg, CallSite
from redline.sources.code.refusals import answers_refusal


def _call(raw: str, *args: Arg) -> CallSite:
    return CallSite(raw, None, 1, 1, "view", args)


@pytest.mark.parametrize(
    ("call", "refuses"),
    [
        (_call("Response", Arg("status", 403)), True),
        (_call("Response", Arg("status", name="status.HTTP_403_FORBIDDEN")), True),
        (_call("JsonResponse", Arg(None, name="body"), Arg("status_code", 401)), True),
        (_call("flask.abort", Arg(None, 401)), True),
        (_call("abort", Arg(None, name="HTTPStatus.UNAUTHORIZED")), True),
        (_call("Response", Arg("status", 400)), False),
        (_call("Response", Arg(None, 403)), False),  # a body of 403, not a status
        (_call("abort", Arg(None, 404)), False),
        (_call("log", Arg("status", name="status.HTTP_200_OK")), False),
    ],
)
def test_an_answer_refuses_by_a_401_or_403_status(call: CallSite, refuses: bool) -> None:
    assert answers_refusal(call) is refuses
