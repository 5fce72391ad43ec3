"""One audit of a fixture tree, as the tests of every family run it: through ``run_audit`` with the given checks
only (the built-in sources) or with the whole built-in catalogue (no plugins), giving the result or its findings
with no tool error allowed; or through the CLI, giving the exit code and the findings.json it wrote."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

from redline.checks.interface import Check
from redline.cli.main import main
from redline.core.config import Config
from redline.core.model import Finding
from redline.core.result import AuditResult
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.synthesis.interface import SynthesisStep


def audit_with(
    root: Path, checks: Sequence[Check], config: Config | None = None, steps: Sequence[SynthesisStep] = ()
) -> AuditResult:
    """``run_audit`` over ``root`` with only ``checks`` (and ``steps``), one worker unless ``config`` says."""
    return run_audit(
        AuditRequest(
            root=root,
            config=config or Config(jobs=1),
            checks=list(checks),
            file_sources=builtin_file_sources(),
            project_sources=builtin_project_sources(),
            steps=list(steps),
        )
    )


def findings_of(root: Path, *checks: Check, select: tuple[str, ...] = ()) -> list[Finding]:
    """The findings of ``checks`` over ``root`` (no tool errors allowed); ``select`` turns on opt-in rules."""
    result = audit_with(root, checks, Config(jobs=1, select=select))
    assert not result.errors
    return list(result.findings)


def findings_by_place(root: Path, *checks: Check, select: tuple[str, ...] = ()) -> list[Finding]:
    """``findings_of`` ordered by path and first line."""
    return sorted(findings_of(root, *checks, select=select), key=lambda f: (f.location.path, f.location.start_line))


def audit_catalogue(root: Path, config: Config | None = None, select: tuple[str, ...] = ()) -> AuditResult:
    """Every built-in check, source and step (no plugins) over ``root``, one worker unless ``config`` says;
    ``select``: the request's rule selection (on top of the config's)."""
    catalogue = load_catalogue(with_plugins=False)
    return run_audit(
        AuditRequest(
            root=root,
            config=config or Config(jobs=1),
            checks=catalogue.checks,
            file_sources=catalogue.file_sources,
            project_sources=catalogue.project_sources,
            steps=catalogue.steps,
            select=select,
        )
    )


def cli_audit(root: Path, out: Path, *extra: str) -> int:
    """``redline audit root --out out --quiet *extra``: the exit code."""
    return main(["audit", str(root), "--out", str(out), "--quiet", *extra])


def cli_report(out: Path) -> dict[str, Any]:
    """The findings.json a CLI audit wrote into ``out``."""
    return cast(dict[str, Any], json.loads((out / "findings.json").read_text(encoding="utf-8")))


def cli_findings(out: Path) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], cli_report(out)["findings"])
