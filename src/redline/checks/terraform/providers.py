"""Provider blocks with credentials written into the configuration (names reported, never values)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck
from redline.core.model import Area, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Provider

STATIC_CREDENTIALS = Rule(
    code="TF120",
    name="provider-static-credentials",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Provider block holds static cloud credentials",
    tags=("CWE-798", "STRIDE:S"),
    doc=RuleDoc(
        what_it_does="Finds provider blocks (aws, azurerm, azuread, google, alicloud, oci) whose credential "
        "arguments (`access_key`/`secret_key`, `client_secret`, inline `credentials` JSON, `private_key` …) are "
        "set to a literal — directly, through a variable default or a tfvars value. Paths to key files and "
        "blocks that skip credential validation (local emulators) are not reported. Only the argument names are "
        "shown; the secret rules (SEC…) judge the value itself.",
        why_bad="The keys are in the repository, in every clone and CI log, and usually belong to a powerful "
        "deployment identity; they do not expire, so one leak gives lasting control of the account.",
        example='provider "aws" {\n  region     = "eu-west-1"\n  access_key = "AKIA…"\n  secret_key = "…"\n}',
        use_instead='provider "aws" {\n  region = "eu-west-1"\n  # credentials from the environment, a profile, or\n'
        '  assume_role {\n    role_arn = "arn:aws:iam::123456789012:role/deploy"\n  }\n}',
        references=(
            "https://registry.terraform.io/providers/hashicorp/aws/latest/docs#authentication-and-configuration",
            "https://developer.hashicorp.com/terraform/language/providers/configuration",
        ),
    ),
)

_FIX = {
    "aws": "Remove `access_key`/`secret_key`/`token`; use AWS_PROFILE or environment variables, an "
    "`assume_role` block, or OIDC in CI — and deactivate and rotate the exposed key in IAM.",
    "azurerm": "Remove `client_secret`; use `use_oidc = true`, a managed identity (`use_msi = true`) or "
    "ARM_CLIENT_SECRET from the environment — and rotate the exposed secret.",
    "google": "Remove the inline `credentials`/`access_token`; use Application Default Credentials or workload "
    "identity federation — and delete the exposed service-account key.",
    "alicloud": "Remove `access_key`/`secret_key`; use ALICLOUD_ACCESS_KEY/SECRET_KEY from the environment, a "
    "profile or `assume_role` — and disable the exposed AccessKey.",
    "oci": "Remove the inline `private_key`; use `private_key_path` outside the repository, instance principals "
    '(`auth = "InstancePrincipal"`) or the OCI config file — and delete the exposed API key.',
}


def _fix(p: Provider) -> str:
    return _FIX.get(p.name.removesuffix("-beta").replace("azuread", "azurerm"), _FIX["aws"])


class ProviderCredentialsCheck(TerraformCheck):
    name = "terraform-providers"
    rules = (STATIC_CREDENTIALS,)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for p in sorted(project.providers, key=lambda p: (p.path, p.line)):
            if not p.credentials or p.mock:
                continue
            label = f"provider.{p.name}" + (f".{p.alias}" if p.alias else "")
            where = Location(p.path, p.line, p.line, snippet=f'provider "{p.name}"', resource=label)
            yield self.emit_at(
                STATIC_CREDENTIALS,
                where,
                f"{label}: {', '.join(p.credentials)} set to a literal value",
                evidence={"arguments": tuple(p.credentials)},
                remediation=_fix(p),
                identity=f"{p.path}:{label}",
            )
