"""Sources: Terraform configurations, variables and plan JSON."""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource
from redline.sources.terraform.project import TerraformProjectSource
from redline.sources.terraform.source import TerraformPlanSource, TerraformSource, TfVarsSource
from redline.sources.terraform.unsupported import UnsupportedIacSource


def file_sources() -> list[FileSource]:
    return [TerraformSource(), TfVarsSource(), TerraformPlanSource()]


def project_sources() -> list[ProjectSource]:
    return [TerraformProjectSource(), UnsupportedIacSource()]
