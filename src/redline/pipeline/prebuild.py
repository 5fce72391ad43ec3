"""Work done ahead of the first audit (by ``redline db update``): the caches that are costly to build,
so that a CI job restoring its cache never pays for them and one starting empty pays once, visibly."""

from __future__ import annotations

from redline.pipeline.rule_index import rule_index


def prebuild_caches() -> list[str]:
    """Build (or find) the rule index and the secret scanner's compiled database; one line each."""
    from redline.checks.secrets.engine import prebuild_builtin_database  # noqa: PLC0415 - secrets only here

    index = rule_index()
    return [f"rule index: {len(index.registry)} rules", prebuild_builtin_database()]
