"""The ``[terraform]`` table: ``-var-file`` paths, validated and normalised at config load."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where


@dataclass(frozen=True)
class TerraformSettings:
    #: POSIX paths relative to the audited root, in order (later ones win); existence is checked at run time
    var_files: tuple[str, ...] = ()


def parse_terraform(raw: Mapping[str, Any], where: Where) -> TerraformSettings:
    paths: list[str] = []
    what = f"{where.source or 'configuration'}: [terraform] var_files"  # the wording run-time errors share
    for item in raw.get("var_files", []):
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(f"{what}: every entry must be a non-empty path, got {item!r}")
        rel = posixpath.normpath(item.strip().replace("\\", "/"))
        if rel.startswith(("/", "../")) or rel == "..":
            raise ConfigError(f"{what}: {item!r} is outside the audited root")
        if not rel.lower().endswith((".tfvars", ".tfvars.json")):
            raise ConfigError(f"{what}: {item!r} is not a .tfvars or .tfvars.json file")
        paths.append(rel)
    return TerraformSettings(tuple(paths))


TERRAFORM_SECTION: SectionSpec[TerraformSettings] = SectionSpec(
    name="terraform",
    keys={"var_files": list},
    parse=parse_terraform,
    doc="Variable files passed with -var-file, relative to the audited root, in order (later ones win), "
    'e.g. var_files = ["envs/prod.tfvars"]; each applies to the root modules declaring its variables',
)
