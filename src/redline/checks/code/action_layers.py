"""Service layers that authorize every action they run, so that a view reaching the data only through them is
guarded there rather than by a decorator.

CKAN is built so: a view calls ``get_action("package_update")(context, data_dict)`` and every action function calls
``check_access`` with the caller in ``context`` before it acts (the auth functions of ``IAuthFunctions``), raising
``NotAuthorized``, which the view turns into a 403 (https://docs.ckan.org/en/latest/extensions/tutorial.html,
"Authorization"). Its ``/follow/<id>``, ``/user/sysadmin`` and ``/dataset/<id>/delete-datastore/<rid>`` views carry no
guard decorator and are not open. A view that writes through the model itself as well (``model.Session.commit()``)
is not vouched for.
"""

from __future__ import annotations

from redline.checks.code.handlers import Handler
from redline.sources.code.routes.common import imports_module

#: the calls of CKAN's action layer, by their last name: the dispatcher and the explicit check
_CKAN_CALLS = frozenset({"get_action", "check_access"})
#: calls that write through a session or a record directly, around the action layer
_DIRECT_WRITES = frozenset({"commit", "flush", "add", "add_all", "merge", "bulk_save_objects", "save"})


def authorizing_action(handler: Handler) -> str | None:
    """The first call of CKAN's action layer the handler makes (``get_action('follow_dataset')``, or an action named
    by a variable: the action API's ``get_action(logic_function)``), when the module is CKAN code or an extension of it
    and the handler writes nothing directly; None otherwise."""
    if not imports_module(handler.index, ("ckan",)):
        return None
    names = [call.raw.rsplit(".", 1)[-1] for call in handler.calls]
    if not _DIRECT_WRITES.isdisjoint(names):
        return None
    for call in handler.calls:
        if call.raw.rsplit(".", 1)[-1] in _CKAN_CALLS and call.args:
            named = call.args[0].literal if isinstance(call.args[0].literal, str) else call.args[0].name
            return f"{call.raw}({named!r})" if named else f"{call.raw}(...)"
    return None
