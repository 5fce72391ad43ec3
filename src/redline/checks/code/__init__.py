"""Application code checks: entry points and the flaws reachable from them."""

from __future__ import annotations

from redline.checks.interface import Check


def checks() -> list[Check]:
    from redline.checks.code.across import TaintAcrossFunctionsCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.env_fallback import SecretEnvFallbackCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.exposure import RouteExposureCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.flaws import CodeFlawCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.injection import InjectionCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.jsgo_flaws import JsGoFlawCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.jsx_html import JsxHtmlCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.routes import RouteAuthenticationCheck  # noqa: PLC0415 - loaded with its family
    from redline.checks.code.settings import SettingsCheck  # noqa: PLC0415 - loaded with its family

    return [
        RouteAuthenticationCheck(),
        CodeFlawCheck(),
        InjectionCheck(),
        RouteExposureCheck(),
        SettingsCheck(),
        JsGoFlawCheck(),
        JsxHtmlCheck(),
        TaintAcrossFunctionsCheck(),
        SecretEnvFallbackCheck(),
    ]
