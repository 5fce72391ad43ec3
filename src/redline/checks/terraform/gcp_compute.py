"""GCP Compute Engine instances: interactive serial console and the default service account with every scope."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, strings
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_true, is_unknown

INSTANCES = ("google_compute_instance", "google_compute_instance_template", "google_compute_instance_from_template")
_DEFAULT_SA_SUFFIX = "-compute@developer.gserviceaccount.com"
_FULL_SCOPE = ("cloud-platform", "https://www.googleapis.com/auth/cloud-platform")

SERIAL_PORT = Rule(
    code="TF142",
    name="vm-serial-console-enabled",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="VM instance accepts interactive serial console connections",
    tags=("CWE-284", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Finds Compute Engine instances and templates whose metadata sets `serial-port-enable` to "
        "true, and project metadata (`google_compute_project_metadata[_item]`) that enables it for every VM.",
        why_bad="The interactive serial console is reachable from any IP address and bypasses network firewall "
        "rules: whoever has the right IAM permission (often broadly granted) and a local password gets a "
        "console on the machine.",
        example='resource "google_compute_instance" "vm" {\n  metadata = {\n    serial-port-enable = true\n  }\n}',
        use_instead='resource "google_compute_instance" "vm" {\n  metadata = {\n    serial-port-enable = false\n'
        "  }\n}\n# debug through IAP TCP forwarding or OS Login instead",
        references=("https://cloud.google.com/compute/docs/troubleshooting/troubleshooting-using-serial-console",),
    ),
)

DEFAULT_SA = Rule(
    code="TF143",
    name="vm-default-service-account-full-scope",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="VM runs as the default service account with access to every Cloud API",
    tags=("CWE-250", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Finds instances and templates whose `service_account` is the Compute Engine default "
        "(`email` unset or `…-compute@developer.gserviceaccount.com`) with the `cloud-platform` scope.",
        why_bad="The default service account has the Editor role on the project in most projects; with the "
        "cloud-platform scope, any process on the VM (or an SSRF to the metadata server) can read and change "
        "nearly everything in the project.",
        example='service_account {\n  scopes = ["cloud-platform"]\n}',
        use_instead="service_account {\n  email  = google_service_account.app.email  # with only the roles it needs\n"
        '  scopes = ["cloud-platform"]\n}',
        references=(
            "https://cloud.google.com/compute/docs/access/service-accounts#default_service_account",
            "https://cloud.google.com/compute/docs/access/create-enable-service-accounts-for-instances",
        ),
    ),
)


def _serial_enabled(value: object) -> bool:
    return is_true(value) or value in (1, "1")


class GcpComputeCheck(TerraformCheck):
    name = "terraform-gcp-compute"
    rules = (SERIAL_PORT, DEFAULT_SA)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type(*INSTANCES):
            metadata = r.get("metadata")
            if isinstance(metadata, dict) and _serial_enabled(metadata.get("serial-port-enable")):
                yield self.emit(
                    SERIAL_PORT,
                    r,
                    "metadata serial-port-enable = true",
                    remediation="Remove `serial-port-enable` from `metadata` (or set it to false); use "
                    "IAP TCP forwarding or OS Login for access.",
                )
            yield from self._service_account(r)
        for r in project.of_type("google_compute_project_metadata", "google_compute_project_metadata_item"):
            metadata = r.get("metadata")
            on = (isinstance(metadata, dict) and _serial_enabled(metadata.get("serial-port-enable"))) or (
                r.get("key") == "serial-port-enable" and _serial_enabled(r.get("value"))
            )
            if on:
                yield self.emit(
                    SERIAL_PORT,
                    r,
                    "project metadata enables the serial console on every VM",
                    remediation="Remove the `serial-port-enable` project metadata entry.",
                )

    def _service_account(self, r: Resource) -> Iterator[Finding]:
        for sa in r.nested("service_account"):
            email = sa.get("email")
            if is_unknown(email):
                continue
            default = email is None or (isinstance(email, str) and email.endswith(_DEFAULT_SA_SUFFIX))
            if default and any(s in _FULL_SCOPE for s in strings(sa.get("scopes"))):
                yield self.emit(
                    DEFAULT_SA,
                    r,
                    "default Compute Engine service account with the cloud-platform scope",
                    remediation="Create a `google_service_account` for this workload with only the roles "
                    "it needs and set `service_account { email = google_service_account.<name>.email }`.",
                )
