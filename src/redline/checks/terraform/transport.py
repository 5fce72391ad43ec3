"""Data in transit: plain-HTTP listeners and TLS policies that still accept TLS 1.0/1.1."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, links_to
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_true

_OLD_ELB_POLICY = re.compile(
    r"(TLS-1-0|TLS-1-1|2016-08|2015-0[35]|2015-02|2014-|FS-2018-06|FS-1-1|TLS13-1-[01]-)", re.IGNORECASE
)
_OLD_CLOUDFRONT = frozenset({"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"})
PLAINTEXT = Rule(
    code="TF112",
    name="listener-plain-http",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Load balancer listener serves plain HTTP without redirecting to HTTPS",
    tags=("CWE-319", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does='Finds `aws_lb_listener`/`aws_alb_listener` with `protocol = "HTTP"` whose default action '
        "is not a redirect (to HTTPS), and classic `aws_elb` listeners on `http`/`tcp`. Listeners of internal load "
        "balancers are reported with low severity.",
        why_bad="Traffic over plain HTTP — session cookies, tokens, personal data — can be read and altered by "
        "anyone on the path (public Wi-Fi, a compromised hop).",
        example='resource "aws_lb_listener" "web" {\n  port     = 80\n  protocol = "HTTP"\n'
        '  default_action {\n    type             = "forward"\n    target_group_arn = aws_lb_target_group.web.arn\n'
        "  }\n}",
        use_instead='default_action {\n  type = "redirect"\n  redirect {\n    port        = "443"\n'
        '    protocol    = "HTTPS"\n    status_code = "HTTP_301"\n  }\n}',
        references=(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html",
        ),
    ),
)

OLD_TLS = Rule(
    code="TF113",
    name="outdated-tls-policy",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="TLS policy still accepts TLS 1.0/1.1",
    tags=("CWE-327", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds ALB/NLB listeners with an ELB security policy that accepts TLS 1.0 or 1.1 "
        "(`ELBSecurityPolicy-2016-08`, `-TLS-1-1-2017-01`, …), CloudFront distributions with a minimum protocol "
        "below TLS 1.2, GCP SSL policies with `min_tls_version` 1.0/1.1, Azure storage accounts with "
        "`min_tls_version` TLS1_0/TLS1_1, Azure SQL servers with `minimum_tls_version` 1.0/1.1, Azure "
        "PostgreSQL/MySQL servers with `ssl_minimal_tls_version_enforced` below TLS1_2 and OpenSearch domains "
        "with a `Policy-Min-TLS-1-0` policy. An unset version is not reported where the provider's default is "
        "TLS 1.2 (azurerm ≥ 3).",
        why_bad="TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on weak constructions (CBC with SHA-1, "
        "no AEAD) and fail PCI DSS; keeping them enabled allows downgrade to the weakest common protocol.",
        example='resource "aws_lb_listener" "api" {\n  protocol   = "HTTPS"\n'
        '  ssl_policy = "ELBSecurityPolicy-2016-08"\n}',
        use_instead='resource "aws_lb_listener" "api" {\n  protocol   = "HTTPS"\n'
        '  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"\n}',
        references=(
            "https://www.rfc-editor.org/rfc/rfc8996",
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        ),
    ),
)

_TLS_FIX = {
    "aws_lb_listener": 'Set `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"`.',
    "aws_cloudfront_distribution": 'In `viewer_certificate` set `minimum_protocol_version = "TLSv1.2_2021"`.',
    "google_compute_ssl_policy": 'Set `min_tls_version = "TLS_1_2"` and `profile = "MODERN"` or "RESTRICTED".',
    "azurerm_storage_account": 'Set `min_tls_version = "TLS1_2"`.',
    "azurerm_mssql_server": 'Set `minimum_tls_version = "1.2"`.',
    "azurerm_postgresql_server": 'Set `ssl_minimal_tls_version_enforced = "TLS1_2"` (with `ssl_enforcement_enabled'
    " = true`).",
    "aws_elasticsearch_domain": "In `domain_endpoint_options` set `tls_security_policy = "
    '"Policy-Min-TLS-1-2-2019-07"`.',
}
_TLS_FIX["aws_alb_listener"] = _TLS_FIX["aws_lb_listener"]
_TLS_FIX["azurerm_mysql_server"] = _TLS_FIX["azurerm_postgresql_server"]
_TLS_FIX["aws_opensearch_domain"] = _TLS_FIX["aws_elasticsearch_domain"]
_HTTP_FIX = (
    'Make the default action a redirect: `default_action { type = "redirect" redirect { port = "443" '
    'protocol = "HTTPS" status_code = "HTTP_301" } }`, and add an HTTPS listener.'
)
_OLD_AZURE_DB_TLS = frozenset({"TLS1_0", "TLS1_1", "TLSEnforcementDisabled"})


class TransportCheck(TerraformCheck):
    name = "terraform-transport"
    rules = (PLAINTEXT, OLD_TLS)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        yield from self._transport(project)
        yield from self._tls_versions(project)

    def _transport(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_lb_listener", "aws_alb_listener"):
            protocol = r.get("protocol")
            if isinstance(protocol, str) and protocol.upper() == "HTTP":
                actions = r.nested("default_action")
                if "default_action" in r.body.dynamic or any(a.get("type") == "redirect" for a in actions):
                    continue
                lb = next(
                    (
                        x
                        for x in project.of_type("aws_lb", "aws_alb")
                        if links_to(r.get("load_balancer_arn"), x, ("arn",))
                    ),
                    None,
                )
                internal = lb is not None and is_true(lb.get("internal"))
                yield self.emit(
                    PLAINTEXT,
                    r,
                    "listener serves plain HTTP without a redirect to HTTPS",
                    severity=Severity.LOW if internal else None,
                    remediation=_HTTP_FIX,
                )
        for r in project.of_type("aws_elb"):
            plain = sorted(
                {
                    str(x.get("lb_port"))
                    for x in r.nested("listener")
                    if str(x.get("lb_protocol", "")).lower() in ("http", "tcp")
                }
            )
            if plain:
                yield self.emit(
                    PLAINTEXT,
                    r,
                    f"classic ELB listener(s) on port {', '.join(plain)} without TLS",
                    severity=Severity.LOW if is_true(r.get("internal")) else None,
                    remediation='Change the listener to `lb_protocol = "https"` with `ssl_certificate_id` '
                    "(an ACM certificate), or migrate to an ALB with an HTTP-to-HTTPS redirect.",
                )

    def _old_tls(self, r: Resource, message: str) -> Finding:
        return self.emit(OLD_TLS, r, message, remediation=_TLS_FIX[r.type])

    def _tls_versions(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_lb_listener", "aws_alb_listener"):
            policy = r.get("ssl_policy")
            if isinstance(policy, str) and _OLD_ELB_POLICY.search(policy):
                yield self._old_tls(r, f"ssl_policy {policy} accepts TLS 1.0/1.1")
        for r in project.of_type("aws_cloudfront_distribution"):
            for cert in r.nested("viewer_certificate"):
                version = cert.get("minimum_protocol_version")
                if (
                    isinstance(version, str)
                    and version in _OLD_CLOUDFRONT
                    and not is_true(cert.get("cloudfront_default_certificate"))
                ):
                    yield self._old_tls(r, f"minimum_protocol_version {version}")
        for r in project.of_type("google_compute_ssl_policy"):
            version = r.get("min_tls_version", "TLS_1_0")
            if version in ("TLS_1_0", "TLS_1_1"):
                yield self._old_tls(
                    r, f"min_tls_version {version}" + (" (the default)" if not r.has("min_tls_version") else "")
                )
        yield from self._azure_tls(project)
        for r in project.of_type("aws_elasticsearch_domain", "aws_opensearch_domain"):
            for opts in r.nested("domain_endpoint_options"):
                policy = opts.get("tls_security_policy")
                if isinstance(policy, str) and "TLS-1-0" in policy:
                    yield self._old_tls(r, f"tls_security_policy {policy}")

    def _azure_tls(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("azurerm_storage_account"):
            version = r.get("min_tls_version")
            if version in ("TLS1_0", "TLS1_1"):
                yield self._old_tls(r, f"min_tls_version {version}")
        for r in project.of_type("azurerm_mssql_server"):
            version = r.get("minimum_tls_version")
            if version in ("1.0", "1.1", "Disabled"):
                yield self._old_tls(r, f"minimum_tls_version {version}")
        for r in project.of_type("azurerm_postgresql_server", "azurerm_mysql_server"):
            version = r.get("ssl_minimal_tls_version_enforced")
            if version in _OLD_AZURE_DB_TLS:
                yield self._old_tls(r, f"ssl_minimal_tls_version_enforced {version}")
