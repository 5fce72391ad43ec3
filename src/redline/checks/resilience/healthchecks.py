"""Timeout findings in a script a Dockerfile runs as its ``HEALTHCHECK`` are not reported.

Docker kills a health check that outlives its ``--timeout`` (30 s when none is given) and counts the run as failed,
so a call there without its own timeout is bounded anyway, and nothing but the probe waits on it. healthchecks'
``docker/fetchstatus.py`` (``urlopen`` of the app's own status page, ``HEALTHCHECK ... CMD ./fetchstatus.py``) was
reported as RES103. Which files are such scripts is a project fact (``sources/containers/healthcheck.py``), derived
from the Dockerfiles; the timeout checks judge each module where it was parsed and drop, once the facts exist,
what they found in those files. The same call in a module the application imports is still reported.

A Python script a maintainer runs by hand (``sources/code/hand_run.py``: in a top-level ``bin/`` or ``scripts/``
folder, run as a program, imported by no module of the application; redash's ``bin/release_manager.py``) is
judged, but its findings are kept in the context section at low: a stalled call there holds the maintainer's
terminal, not a worker requests queue behind. So is a script a Dockerfile's ``RUN`` line runs at build time
(``hand_run.py`` too; mealie's model download): a stalled call there holds an image build.
Latency rules do not judge such scripts at all, as for management commands (``checks/latency/offline.py
runs_by_hand``).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable

from redline.checks.interface import CheckContext, ModuleCheck
from redline.core.context import lower_in_context
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.sources.code.hand_run import START_FACTS, project_scripts_apart
from redline.sources.code.model import CodeIndex
from redline.sources.containers.healthcheck import HealthcheckScript
from redline.sources.python import PythonModule


def outside_healthchecks(findings: Iterable[Finding], facts: Facts) -> list[Finding]:
    """The findings that are not in a Dockerfile's health-check script."""
    scripts = {script.path for script in facts.of(HealthcheckScript)}
    return [f for f in findings if f.location.path not in scripts]


class PythonTimeoutCheck(ModuleCheck):
    """A timeout check over one Python module at a time whose findings in a health-check script are dropped and
    those in a hand-run script kept apart at low."""

    fact_types = (PythonModule,)
    project_fact_types = (HealthcheckScript, CodeIndex, *START_FACTS)

    @abstractmethod
    def check_module(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        """The module's findings, wherever the module is run from."""

    def finish(self, partials: list[Finding], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        kept = outside_healthchecks(partials, facts)
        if not kept:
            return kept
        apart = ctx.scope.derived(project_scripts_apart, facts)  # one mapping for both families
        return [lower_in_context(f, why) if (why := apart.get(f.location.path)) else f for f in kept]
