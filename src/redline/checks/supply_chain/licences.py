"""Licence policy over declared licences: denied (or not allowed) licences, and unknown ones.

Default policy, when ``[supply_chain] license_deny`` is not set: in a
proprietary project (``project_license`` unset and no licence declared by the
project's own pyproject.toml/package.json or a LICENSE/COPYING file at its root, or declared
proprietary/UNLICENSED)
strong and network copyleft licences (GPL, AGPL, SSPL, EUPL, OSL …) are
denied; an open-source project gets no default deny list. An expression
passes when some choice of its ``OR`` alternatives avoids every denied id.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Area, Confidence, Finding, Location, Severity
from redline.core.packages import PackageManifest
from redline.core.rules import Rule, RuleDoc
from redline.sources.advisories.licences import DeclaredLicence
from redline.sources.advisories.settings import DEFAULT_COPYLEFT, SECTION
from redline.sources.advisories.spdx import PROPRIETARY, LicenceNormaliser, Normalised
from redline.sources.advisories.status import normaliser_for

_REFS = (
    "https://spdx.org/licenses/",
    "https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/",
    "https://packaging.python.org/en/latest/specifications/core-metadata/#license-expression",
)

DENIED = Rule(
    code="LIC101",
    name="denied-licence",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Dependency under a licence the policy denies or does not allow",
    tags=("legal",),
    doc=RuleDoc(
        what_it_does="Normalises every declared licence (installed `*.dist-info/METADATA`, "
        "`node_modules/*/package.json`, licences recorded in lockfiles) to an SPDX expression and checks it "
        "against `[supply_chain] license_deny` and `license_allow` (SPDX ids or globs such as `AGPL-*`). "
        "With no deny list, a proprietary project denies GPL, AGPL, SSPL, EUPL, OSL, CPAL and RPL; the project's "
        "own licence is `[supply_chain] project_license`, else its manifests' licence field, else the text of the "
        "LICENSE/COPYING file at the tree's root (none of them: proprietary). AGPL and "
        "SSPL (network copyleft) are high, others medium.",
        why_bad="Shipping a proprietary product that links strong-copyleft code can oblige you to publish "
        "your own source or stop distributing; network copyleft (AGPL) triggers on mere network use.",
        example="# installed: somelib 1.0, License-Expression: GPL-3.0-only\n"
        "# project: proprietary (no licence declared)",
        use_instead="Replace the dependency with a permissively licensed one, obtain a commercial licence, "
        "or record the legal review in `license_allow`.",
        references=_REFS,
    ),
)

UNKNOWN = Rule(
    code="LIC102",
    name="unknown-licence",
    area=Area.SECURITY,
    severity=Severity.INFO,
    summary="Dependency whose licence is missing or not an SPDX licence",
    tags=("legal",),
    doc=RuleDoc(
        what_it_does="Reports installed dependencies that declare no licence, or one that cannot be mapped "
        "to an SPDX expression (free text, a custom `LicenseRef`).",
        why_bad="Without a licence nobody granted you the right to use or redistribute the code; an "
        "unreadable declaration cannot be checked against the policy.",
        example="License: see LICENSE file",
        use_instead="Read the package's licence file, then record the result in `license_allow` or replace "
        "the package; ask upstream to declare an SPDX `License-Expression`.",
        references=_REFS,
    ),
)


def _matches(licence_id: str, patterns: Sequence[str]) -> bool:
    lid = licence_id.lower()
    return any(fnmatch.fnmatchcase(lid, p.lower()) for p in patterns)


def acceptable(expr: Any, deny: Sequence[str], allow: Sequence[str]) -> bool:
    """Some choice among ``OR`` alternatives avoids every denied (and non-allowed) licence."""
    # loaded by the normaliser that parsed ``expr``: a lookup in sys.modules, not an import
    from license_expression import AND, OR, LicenseSymbol, LicenseWithExceptionSymbol  # noqa: PLC0415

    if isinstance(expr, OR):
        return any(acceptable(a, deny, allow) for a in expr.args)
    if isinstance(expr, AND):
        return all(acceptable(a, deny, allow) for a in expr.args)
    if isinstance(expr, LicenseWithExceptionSymbol):
        expr = expr.license_symbol
    if isinstance(expr, LicenseSymbol):
        key = str(expr.key)
        if _matches(key, deny):
            return False
        return not allow or _matches(key, allow)
    return True


class LicencePolicyCheck(ProjectCheck):
    name = "licence-policy"
    rules = (DENIED, UNKNOWN)
    fact_types = (DeclaredLicence, PackageManifest)  # the SPDX list comes from the database when VUL runs too
    config_sections = (SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        settings = ctx.config.settings(SECTION)
        normaliser = ctx.scope.derived(normaliser_for, facts)
        declared = facts.of(DeclaredLicence)
        project = _project_licence(declared, settings.project_license, normaliser)
        proprietary = not project.expression or project.expression == PROPRIETARY
        deny = settings.license_deny or (tuple(f"{p}*" for p in DEFAULT_COPYLEFT) if proprietary else ())
        allow = settings.license_allow
        out: list[Finding] = []
        entries = [
            (d.ecosystem, d.name, d.version, d.declared, d.classifiers, Location(d.path))
            for d in declared
            if not d.project
        ]
        for m in facts.of(PackageManifest):
            entries += [
                (p.ecosystem, p.name, p.version, p.license, (), Location(m.path, p.line, p.line))
                for p in m.packages
                if p.license
            ]
        for eco, name, version, text, classifiers, where in entries:
            norm = normaliser.normalise(text, classifiers)
            resource = f"{eco}/{name}@{version}"
            loc = Location(where.path, where.start_line, where.end_line, resource=resource)
            if not norm.expression:
                said = f"declares {text.strip()[:60]!r}" if text.strip() else "declares no licence"
                out.append(
                    self.finding(
                        UNKNOWN,
                        f"{name} {version} {said}, which is not an SPDX licence",
                        loc,
                        confidence=Confidence.MEDIUM,
                        identity=f"{resource}:unknown",
                        evidence={"declared": text.strip()[:200] or "(none)"},
                        remediation=f"Read the licence file {name} {version} ships; if your policy "
                        "accepts it, add the SPDX id it matches to `[supply_chain] license_allow`, "
                        "otherwise replace the dependency.",
                    )
                )
                continue
            parsed = normaliser.licensing.parse(norm.expression)
            if acceptable(parsed, deny, allow):
                continue
            network = any(i.upper().startswith(("AGPL", "SSPL")) for i in norm.ids)
            why = "is not in license_allow" if allow and acceptable(parsed, deny, ()) else "is denied by the policy"
            if not settings.license_deny and not allow:
                why = f"is copyleft, and the project is proprietary ({project.expression or 'no licence declared'})"
            out.append(
                self.finding(
                    DENIED,
                    f"{name} {version} is licensed {norm.expression}, which {why}",
                    loc,
                    severity=Severity.HIGH if network else Severity.MEDIUM,
                    confidence=Confidence.HIGH if norm.how in ("spdx", "alias") else Confidence.MEDIUM,
                    evidence={"declared": text.strip()[:200], "spdx": norm.expression, "mapped_by": norm.how},
                    identity=f"{resource}:{norm.expression}",
                    remediation="Replace the dependency, buy a commercial licence, or record the legal decision "
                    "in [supply_chain] license_allow.",
                )
            )
        return out


def _project_licence(declared: Sequence[DeclaredLicence], configured: str, normaliser: LicenceNormaliser) -> Normalised:
    if configured:
        return normaliser.normalise(configured)
    # the shallowest declaration first; at one depth a manifest's SPDX field before a licence file's text
    own = sorted(
        (d for d in declared if d.project),
        key=lambda d: (len(PurePosixPath(d.path).parts), not d.ecosystem, d.path),
    )
    for d in own:
        norm = normaliser.normalise(d.declared, d.classifiers)
        if norm.expression:
            return norm
    return Normalised("", (), "unknown")
