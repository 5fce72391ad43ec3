"""The ``secrets`` run: the secret rules only, chosen by rule prefix, and the merge of what several
checks say about one secret. The CLI parses the flags; this decides what they mean for the run."""

from __future__ import annotations

from dataclasses import replace

from redline.checks.interface import Check
from redline.checks.secrets.settings import SECTION as SECRETS
from redline.core.config import ConfigError, OutputFormat
from redline.pipeline.run import AuditRequest
from redline.synthesis.overlaps import OverlapStep

#: every secret rule's code starts with it (SEC101 … SEC999)
SECRET_PREFIX = "SEC"


def _emits_only_secrets(check: Check) -> bool:
    """A check whose rules, owned or borrowed (the history scan borrows the tree scan's), are all secret rules."""
    codes = [r.code for r in (*check.rules, *check.borrows)]
    return bool(codes) and all(c.startswith(SECRET_PREFIX) for c in codes)


def secrets_request(req: AuditRequest, *, verify: bool, formats_given: bool) -> AuditRequest:
    """``req`` narrowed to secret scanning: the checks whose rules are all secret rules, only the overlap
    step (it also merges the tree's and the history's finding for one secret), ``[secrets]`` honoured
    (``include_ignored``, ``verify = false``), and no SBOM unless one was asked for."""
    table = req.config.settings(SECRETS)
    if verify and not table.verify:
        raise ConfigError(f"{req.config.source}: [secrets] verify = false forbids --verify")
    checks = [c for c in req.checks if _emits_only_secrets(c)]
    config = req.config
    if not formats_given:  # an empty SBOM, map or threat register is noise here
        skip = (
            OutputFormat.CYCLONEDX,
            OutputFormat.MAP_JSON,
            OutputFormat.MERMAID,
            OutputFormat.DOT,
            OutputFormat.THREATS_CSV,
        )
        config = config.with_overrides(formats=tuple(f for f in config.formats if f not in skip))
    return replace(
        req,
        checks=checks,
        steps=[s for s in req.steps if isinstance(s, OverlapStep)],
        config=config,
        select=req.select or (SECRET_PREFIX,),
        include_ignored=req.include_ignored or table.include_ignored,
    )
