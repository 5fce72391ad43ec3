"""Third-party checks through the ``redline.checks`` entry-point group (pluggy).

A plugin module implements the hook::

    from redline.checks.plugins import hookimpl

    @hookimpl
    def redline_checks():
        return [MyCheck()]

pluggy validates the hook's signature against the spec when the plugin is
registered; what the hook returns is validated here (Check instances whose
rules are well formed).
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import pluggy

from redline.checks.interface import Check
from redline.core.rules import RuleError

ENTRY_POINT_GROUP = "redline.checks"
hookspec = pluggy.HookspecMarker("redline")
hookimpl = pluggy.HookimplMarker("redline")
log = logging.getLogger("redline")


class PluginError(Exception):
    """A plugin could not be loaded or returned something that is not a check."""


class _Spec:
    @hookspec
    def redline_checks(self) -> list[Check]:  # type: ignore[empty-body]
        """Return the checks this plugin adds."""


def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("redline")
    pm.add_hookspecs(_Spec)
    return pm


def load_plugin_checks(pm: pluggy.PluginManager | None = None) -> tuple[list[Check], list[str]]:
    """Checks from installed plugins, and one message per plugin that failed to load."""
    pm = pm or plugin_manager()
    problems: list[str] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            pm.register(ep.load(), name=ep.name)
        except (pluggy.PluginValidationError, ImportError, AttributeError, ValueError) as exc:
            problems.append(f"plugin {ep.name!r} ({ep.value}): {exc}")
    checks: list[Check] = []
    for impl in pm.hook.redline_checks.get_hookimpls():
        try:
            returned = impl.function()
            checks.extend(validate_checks(returned, impl.plugin_name))
        except (PluginError, RuleError, TypeError) as exc:
            problems.append(f"plugin {impl.plugin_name!r}: {exc}")
    return checks, problems


def validate_checks(returned: object, plugin: str) -> list[Check]:
    if not isinstance(returned, list | tuple):
        raise PluginError(f"redline_checks must return a list of checks, got {type(returned).__name__}")
    for item in returned:
        if not isinstance(item, Check):
            raise PluginError(f"{item!r} is not a redline Check")
        if not item.name or not item.rules:
            raise PluginError(f"check {item!r} needs a name and at least one rule")
        for rule in item.rules:
            rule.validate()
    return list(returned)
