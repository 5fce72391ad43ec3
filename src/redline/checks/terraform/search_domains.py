"""AWS OpenSearch / Elasticsearch domains: traffic in clear, public endpoints and open access policies.

(Encryption at rest is TF111, the TLS policy TF113.)
"""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, links_to
from redline.checks.terraform.policies import statements
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_true, is_unknown

DOMAINS = ("aws_elasticsearch_domain", "aws_opensearch_domain")
_POLICIES = ("aws_elasticsearch_domain_policy", "aws_opensearch_domain_policy")
_DOCS = "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/"

PLAINTEXT = Rule(
    code="TF134",
    name="search-domain-traffic-unencrypted",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="OpenSearch domain without node-to-node encryption or HTTPS enforcement",
    tags=("CWE-319", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds `aws_opensearch_domain` / `aws_elasticsearch_domain` without "
        "`node_to_node_encryption { enabled = true }` or without `domain_endpoint_options { enforce_https = "
        "true }`.",
        why_bad="Search indexes hold copies of the application's data (often personal data and logs with "
        "tokens); without these settings it crosses the network between nodes and from clients in clear text.",
        example='resource "aws_opensearch_domain" "logs" {\n  domain_name = "logs"\n}',
        use_instead='resource "aws_opensearch_domain" "logs" {\n  node_to_node_encryption {\n    enabled = true\n'
        "  }\n  domain_endpoint_options {\n    enforce_https       = true\n"
        '    tls_security_policy = "Policy-Min-TLS-1-2-2019-07"\n  }\n}',
        references=(f"{_DOCS}ntn.html", f"{_DOCS}infrastructure-security.html"),
    ),
)

PUBLIC_DOMAIN = Rule(
    code="TF135",
    name="search-domain-public-access",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="OpenSearch domain open to anyone, or with a public endpoint",
    tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds domains whose access policy (inline `access_policies` or a domain policy resource) "
        'allows Principal `"*"` without a Condition on a public endpoint (high) or inside a VPC (low: the security '
        "groups are then the only control), and domains without `vpc_options` — a public endpoint "
        "(low; not when fine-grained access control or a policy Condition such as an IP allow-list guards it). "
        "An open policy on a domain with fine-grained access control enabled and anonymous access off is the "
        "pattern AWS documents for FGAC (every request still authenticates) and is not reported as open.",
        why_bad='With Principal "*" and no IP or VPC restriction, anyone on the internet can read, change and '
        "delete every index; open Elasticsearch clusters are among the most frequently leaked data stores.",
        example='access_policies = jsonencode({\n  Statement = [{ Effect = "Allow", Principal = "*", '
        'Action = "es:*", Resource = "*" }]\n})',
        use_instead="vpc_options {\n  subnet_ids         = var.private_subnets\n  security_group_ids = "
        '[aws_security_group.search.id]\n}\naccess_policies = jsonencode({\n  Statement = [{ Effect = "Allow", '
        'Principal = { AWS = aws_iam_role.app.arn }, Action = "es:ESHttp*", Resource = "${aws_opensearch_domain.'
        'logs.arn}/*" }]\n})',
        references=(f"{_DOCS}ac.html", f"{_DOCS}vpc.html"),
    ),
)


def _off(r: Resource, block: str, attr: str) -> bool:
    if block in r.body.dynamic:
        return False
    blocks = r.nested(block)
    return not blocks or not any(is_true(b.get(attr)) or is_unknown(b.get(attr)) for b in blocks)


def _fine_grained(r: Resource) -> bool:
    """Fine-grained access control on, anonymous access off: every request must authenticate (IAM or SAML/
    internal users), which is why AWS documents an open domain access policy for FGAC domains."""
    return any(
        is_true(a.get("enabled")) and not is_true(a.get("anonymous_auth_enabled"))
        for a in r.nested("advanced_security_options")
    )


class SearchDomainCheck(TerraformCheck):
    name = "terraform-search-domains"
    rules = (PLAINTEXT, PUBLIC_DOMAIN)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type(*DOMAINS):
            missing = [
                what
                for block, attr, what in (
                    ("node_to_node_encryption", "enabled", "node-to-node encryption is off"),
                    ("domain_endpoint_options", "enforce_https", "HTTPS is not enforced"),
                )
                if _off(r, block, attr)
            ]
            if missing:
                yield self.emit(
                    PLAINTEXT,
                    r,
                    "; ".join(missing),
                    remediation="Add `node_to_node_encryption { enabled = true }` and "
                    "`domain_endpoint_options { enforce_https = true tls_security_policy = "
                    '"Policy-Min-TLS-1-2-2019-07" }` (node-to-node needs a new domain on old engines).',
                )
            yield from self._public(project, r)

    def _public(self, project: TerraformProject, r: Resource) -> Iterator[Finding]:
        policies = [r.get("access_policies")] + [
            p.get("access_policies")
            for p in project.of_type(*_POLICIES)
            if links_to(p.get("domain_name"), r, ("domain_name",)) or links_to(p.get("domain_name"), r)
        ]
        allows = [
            s
            for policy in policies
            if policy is not None
            for s in statements(project, policy)[0]
            if s.effect == "Allow"
        ]
        open_policy = any("*" in s.principals and not s.has_condition for s in allows)
        guarded = _fine_grained(r) or any(s.has_condition for s in allows)
        public_endpoint = not r.body.may_have("vpc_options")
        if open_policy and _fine_grained(r):
            open_policy = False  # the documented FGAC pattern: an open domain policy, users authorised by FGAC
        if open_policy and public_endpoint:
            yield self.emit(
                PUBLIC_DOMAIN,
                r,
                'access policy allows Principal "*" without a condition on a public endpoint',
                remediation='Replace Principal "*" with the IAM roles that use the domain, or add an '
                "`IpAddress`/`aws:SourceVpce` Condition; put the domain in a VPC with `vpc_options`.",
            )
        elif open_policy:  # in a VPC: the security groups decide who reaches it, nothing else does
            yield self.emit(
                PUBLIC_DOMAIN,
                r,
                'access policy allows Principal "*" without a condition: inside its VPC, any client the security '
                "groups let through may read, change and delete every index unsigned",
                severity=Severity.LOW,
                remediation='Replace Principal "*" with the IAM roles that use the domain, e.g. `Principal = { AWS '
                "= aws_iam_role.app.arn }` (requests then need SigV4 signing), or enable fine-grained access control "
                "(`advanced_security_options { enabled = true }`).",
            )
        elif public_endpoint and not guarded:
            yield self.emit(
                PUBLIC_DOMAIN,
                r,
                "domain has a public endpoint (no vpc_options)",
                severity=Severity.LOW,
                remediation="Add `vpc_options { subnet_ids = [...] security_group_ids = [...] }` "
                "(moving an existing domain into a VPC recreates it).",
            )
