"""IAM role trust policies that let any AWS principal assume the role."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck
from redline.checks.terraform.policies import Statement, action_matches, statements
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject

TRUST_ANYONE = Rule(
    code="TF141",
    name="iam-role-trusts-any-principal",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="IAM role can be assumed by any AWS principal",
    tags=("CWE-284", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Finds `aws_iam_role` trust policies (`assume_role_policy`, as JSON, `jsonencode` or an "
        '`aws_iam_policy_document`) with an Allow statement for `sts:AssumeRole*` whose Principal is `"*"` '
        '(or `AWS = "*"`) and which has no Condition (such as `sts:ExternalId`, `aws:PrincipalOrgID` or '
        "`aws:PrincipalArn`).",
        why_bad='A trust policy is the role\'s only gate: with Principal "*" and no condition, any identity in '
        "any AWS account that is allowed sts:AssumeRole by its own account can assume the role and use all of "
        "its permissions — the role is effectively public.",
        example='data "aws_iam_policy_document" "trust" {\n  statement {\n    actions = ["sts:AssumeRole"]\n'
        '    principals {\n      type        = "AWS"\n      identifiers = ["*"]\n    }\n  }\n}',
        use_instead='data "aws_iam_policy_document" "trust" {\n  statement {\n    actions = ["sts:AssumeRole"]\n'
        '    principals {\n      type        = "AWS"\n      identifiers = [aws_iam_role.ci.arn]\n    }\n  }\n}',
        references=(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#term_trust-policy",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        ),
    ),
)


def _trusts_anyone(st: Statement) -> bool:
    return (
        st.effect == "Allow"
        and "*" in st.principals
        and not st.has_condition
        and not st.not_action
        and any(
            action_matches(a, "sts:AssumeRole") or action_matches(a, "sts:AssumeRoleWithWebIdentity")
            for a in st.actions
        )
    )


class TrustPolicyCheck(TerraformCheck):
    name = "terraform-iam-trust"
    rules = (TRUST_ANYONE,)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type("aws_iam_role"):
            sts, doc = statements(project, r.get("assume_role_policy"))
            if any(_trusts_anyone(s) for s in sts):
                via = f" (trust policy {doc.address})" if doc is not None else ""
                yield self.emit(
                    TRUST_ANYONE,
                    r,
                    f'trust policy lets Principal "*" assume the role without a condition{via}',
                    remediation="In the trust policy, replace the `*` principal with the ARNs that may "
                    "assume the role (`identifiers = [aws_iam_role.<caller>.arn]`), or add a `condition` "
                    "on `aws:PrincipalOrgID` / `aws:PrincipalArn` / `sts:ExternalId`.",
                )
