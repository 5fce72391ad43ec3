"""Infrastructure definitions redline does not read, listed as not covered by name — never silently skipped.

Azure-Samples/aks-store-demo keeps its Azure deployment twice: Terraform (read) and Bicep (eight templates that
left no trace in the report). A report that judged the Terraform and said nothing of the Bicep would claim a
coverage it does not have. Runs whenever the Terraform checks do; produces no facts, only what it cannot read.
"""

from __future__ import annotations

import fnmatch
import re

from redline.core.model import Skipped
from redline.core.thirdparty import in_third_party_dir
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource
from redline.sources.terraform.modules import TerraformProject

#: (base-name pattern, what it is)
UNSUPPORTED_IAC: tuple[tuple[str, str], ...] = (
    ("*.bicep", "Azure Bicep template"),
    ("*.bicepparam", "Azure Bicep parameters"),
    ("*.jsonnet", "Jsonnet"),
    ("*.libsonnet", "Jsonnet library"),
    ("pulumi.yaml", "Pulumi project (its resources are defined in code)"),
    ("cdk.json", "AWS CDK app (its resources are defined in code)"),
    ("cdktf.json", "CDK for Terraform app (its resources are defined in code)"),
)
#: one expression for every pattern (group ``i`` is ``UNSUPPORTED_IAC[i]``)
_PATTERNS = re.compile("|".join(f"(?P<p{i}>{fnmatch.translate(p)})" for i, (p, _) in enumerate(UNSUPPORTED_IAC)))


def unsupported_iac_reason(path: str) -> str:
    """Why ``path`` defines infrastructure redline does not audit ("" for everything else)."""
    name = path.rpartition("/")[2].lower()
    hit = _PATTERNS.match(name)
    if hit is None or hit.lastgroup is None or in_third_party_dir(path):
        return ""
    what = UNSUPPORTED_IAC[int(hit.lastgroup[1:])][1]
    return f"format not supported: {what}; the infrastructure it defines is not audited"


class UnsupportedIacSource(ProjectSource):
    name = "unsupported-iac"
    produces = TerraformProject

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        skipped = [Skipped(f.path, reason) for f in ctx.files if (reason := unsupported_iac_reason(f.path))]
        return ProjectOutput([], [], skipped)
