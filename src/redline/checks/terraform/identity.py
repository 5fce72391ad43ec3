"""Identity in Terraform: over-broad IAM policies, iam:PassRole to any role, long-lived access keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck
from redline.checks.terraform.policies import (
    Statement,
    action_matches,
    from_policy_document_data,
    is_write,
    statements,
)
from redline.checks.terraform.star_only import resource_star_only
from redline.core.model import Area, Confidence, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, ResourceRef, Unknown

_IAM_REFS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    "https://www.cisecurity.org/benchmark/amazon_web_services (CIS AWS Foundations 1.16)",
)

ADMIN_ACTION = Rule(
    code="TF105",
    name="iam-policy-allows-all-actions",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary='IAM policy allows Action "*"',
    tags=("CWE-269", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Finds identity policies (aws_iam_policy, role/user/group policies, inline policies and "
        'aws_iam_policy_document data sources) with an Allow statement whose Action is `"*"` or `"*:*"`, or an '
        'Allow statement with NotAction on Resource `"*"` without a Condition (everything except a few actions).',
        why_bad="Every action on every service is full administrator access: whoever holds the role or user "
        "(or steals its credentials) can create users, read every secret and delete every resource.",
        example='policy = jsonencode({\n  Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]\n})',
        use_instead='policy = jsonencode({\n  Statement = [{\n    Effect   = "Allow"\n'
        '    Action   = ["s3:GetObject", "s3:PutObject"]\n    Resource = "${aws_s3_bucket.uploads.arn}/*"\n  }]\n})',
        references=_IAM_REFS,
    ),
)

WRITE_ANY_RESOURCE = Rule(
    code="TF106",
    name="iam-write-on-any-resource",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary='IAM policy allows write actions on Resource "*" without a condition',
    tags=("CWE-732", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does='Finds Allow statements with Resource `"*"`, no Condition, and at least one action that is '
        "not read-only (not Get/List/Describe/…), including service wildcards such as `s3:*`. Actions that AWS "
        "documents as supporting no resource-level permissions (`cloudwatch:PutMetricData`, "
        "`xray:PutTraceSegments`, `ssmmessages:*Channel`, `kms:CreateKey` …; the list and its Service "
        "Authorization Reference sources are in `checks/terraform/data/iam_resource_star_actions.toml`) are not "
        'reported: "*" is the only Resource they accept. Actions named like writes that AWS\'s read-only managed '
        "policies grant (`logs:StartQuery`, `ecr:BatchCheckLayerAvailability`; `data/iam_read_only_actions.toml`) "
        "are reads. A statement with a principal is a resource policy's (a KMS key policy, where `*` means the key "
        "itself), not an identity policy's, even when the principal's ARN is only known at apply time.",
        why_bad="The permission then covers every bucket, table or queue in the account, including ones created "
        "later for other systems; a compromised workload can tamper with or delete data it never needed.",
        example='statement {\n  actions   = ["s3:PutObject", "s3:DeleteObject"]\n  resources = ["*"]\n}',
        use_instead='statement {\n  actions   = ["s3:PutObject", "s3:DeleteObject"]\n'
        '  resources = ["${aws_s3_bucket.uploads.arn}/*"]\n}',
        references=(*_IAM_REFS, "https://docs.aws.amazon.com/service-authorization/latest/reference/"),
    ),
)

PASSROLE_ANY = Rule(
    code="TF107",
    name="iam-passrole-any-role",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary='IAM policy allows iam:PassRole on Resource "*"',
    tags=("CWE-269", "STRIDE:E"),
    doc=RuleDoc(
        what_it_does="Finds Allow statements whose actions match `iam:PassRole` (also `iam:*`, `iam:Pass*`) "
        'with Resource `"*"`. When every such statement names the services the role may be passed to (an '
        "`iam:PassedToService` condition), the finding is medium and names them: only roles those services can "
        "assume are at stake.",
        why_bad="PassRole on any role lets the holder hand a more privileged role (an admin role) to a service "
        "it can start — an EC2 instance, a Lambda function — and then act with that role: a classic privilege "
        "escalation path.",
        example='statement {\n  actions   = ["iam:PassRole"]\n  resources = ["*"]\n}',
        use_instead='statement {\n  actions   = ["iam:PassRole"]\n  resources = [aws_iam_role.worker.arn]\n'
        '  condition {\n    test     = "StringEquals"\n    variable = "iam:PassedToService"\n'
        '    values   = ["ecs-tasks.amazonaws.com"]\n  }\n}',
        references=(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
            "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
        ),
    ),
)

ACCESS_KEY = Rule(
    code="TF108",
    name="iam-long-lived-access-key",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Long-lived IAM access key managed in Terraform",
    tags=("CWE-798", "STRIDE:S"),
    doc=RuleDoc(
        what_it_does="Finds `aws_iam_access_key` resources; low when every permission the configuration gives the "
        "key's user is sending mail through SES (SES SMTP credentials are derived from an access key).",
        why_bad="A static access key never expires; it ends up in CI variables, laptops and logs, and its secret "
        "is also written to the Terraform state in plain text. Leaked keys are the most common initial access "
        "to AWS accounts.",
        example='resource "aws_iam_access_key" "ci" {\n  user = aws_iam_user.ci.name\n}',
        use_instead="Use roles with short-lived credentials: IAM roles for workloads, OIDC federation for CI "
        "(GitHub Actions `aws-actions/configure-aws-credentials` with `role-to-assume`), IAM Identity Center "
        "for people.",
        references=(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
            "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_access_key",
        ),
    ),
)

_LEAST = (
    'Replace `Action = "*"` (or the NotAction statement) with the actions the workload calls, e.g. '
    '`Action = ["s3:GetObject", "s3:PutObject"]`, and `Resource` with the ARNs it touches (IAM Access '
    "Analyzer can generate the policy from CloudTrail); keep administrator access for break-glass roles "
    "with MFA."
)
_POLICY_RESOURCES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")


def _allows(st: Statement) -> bool:
    return st.effect == "Allow" and not st.not_action and not st.principals


class IamCheck(TerraformCheck):
    name = "terraform-iam"
    rules = (ADMIN_ACTION, WRITE_ANY_RESOURCE, PASSROLE_ANY, ACCESS_KEY)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for doc in project.of_type("aws_iam_policy_document", mode="data"):
            yield from self._judge(doc, from_policy_document_data(doc))
        for r in project.of_type(*_POLICY_RESOURCES):
            policy = r.get("policy")
            if isinstance(policy, ResourceRef):
                continue  # judged once, on the policy document it points at
            yield from self._judge(r, statements(project, policy)[0])
        for r in project.of_type("aws_iam_role"):
            found: list[Statement] = []
            for inline in r.nested("inline_policy"):
                policy = inline.get("policy")
                if not isinstance(policy, ResourceRef):
                    found.extend(statements(project, policy)[0])
            yield from self._judge(r, found)
        for r in project.of_type("aws_iam_access_key"):
            if r.get("status") == "Inactive":
                continue
            user = r.get("user")
            who = f" for user {user}" if isinstance(user, str) else ""
            if _sends_mail_only(project, user):
                yield self.emit(
                    ACCESS_KEY,
                    r,
                    f"long-lived access key{who} whose user may only send mail through SES: SES SMTP credentials "
                    "are derived from an access key (no role can replace it)",
                    severity=Severity.LOW,
                    remediation="Keep the user's policy to `ses:SendRawEmail` on the verified identity, rotate the "
                    "key on a schedule (a new `aws_iam_access_key`, then delete the old one) and keep "
                    "`ses_smtp_password_v4` out of outputs others can read.",
                )
                continue
            yield self.emit(
                ACCESS_KEY,
                r,
                f"long-lived access key{who}",
                remediation="Delete the `aws_iam_access_key` resource (and rotate the key, whose secret "
                "is in the state); give workloads an IAM role and CI an OIDC role "
                "(`aws_iam_openid_connect_provider` + a role with `sts:AssumeRoleWithWebIdentity`).",
            )

    def _judge(self, r: Resource, sts: list[Statement]) -> Iterator[Finding]:
        allow = [s for s in sts if _allows(s)]
        if any(a in ("*", "*:*") for s in allow for a in s.actions):
            yield self.emit(ADMIN_ACTION, r, 'policy allows every action ("*")', remediation=_LEAST)
        elif any(
            s.effect == "Allow" and s.not_action and not s.principals and "*" in s.resources and not s.has_condition
            for s in sts
        ):
            yield self.emit(
                ADMIN_ACTION,
                r,
                'policy allows every action except a few (Allow + NotAction on "*")',
                remediation=_LEAST,
            )
        passrole = [
            s
            for s in allow
            if "*" in s.resources
            and any(action_matches(a, "iam:PassRole") and a not in ("*", "*:*") for a in s.actions)
        ]
        if passrole:
            yield self._passrole(r, passrole)
        writes = sorted(
            {
                a
                for s in allow
                if "*" in s.resources and not s.has_condition
                for a in s.actions
                if a not in ("*", "*:*")
                and is_write(a)
                and not action_matches(a, "iam:PassRole")
                and not resource_star_only(a)
            }
        )
        if writes:
            shown = ", ".join(writes[:6]) + (f" and {len(writes) - 6} more" if len(writes) > 6 else "")
            yield self.emit(
                WRITE_ANY_RESOURCE,
                r,
                f'write actions on Resource "*": {shown}',
                remediation="Scope `resources` of these actions to the ARNs the workload owns (e.g. "
                '`"${aws_s3_bucket.uploads.arn}/*"`, `aws_sqs_queue.jobs.arn`), or add a Condition '
                "(`aws:ResourceTag/...`, `aws:RequestedRegion`).",
                confidence=Confidence.MEDIUM,
                evidence={"actions": tuple(writes)},
            )

    def _passrole(self, r: Resource, passrole: list[Statement]) -> Finding:
        """TF107; when every such statement names the services the role may go to (``iam:PassedToService``, the
        condition this rule asks for), only roles those services can assume are at stake: medium, and the message
        says so (modernisation-platform's member roles pass any role, but to Lambda or ECS only)."""
        services = sorted({v for s in passrole for v in s.passed_to})
        if all(s.passed_to for s in passrole):
            return self.emit(
                PASSROLE_ANY,
                r,
                f'policy allows iam:PassRole on any role (Resource "*"), passed to {", ".join(services)} only: '
                "any role those services may assume can be handed to them",
                severity=Severity.MEDIUM,
                remediation="Name the roles in `resources` (e.g. `[aws_iam_role.worker.arn]`); the "
                "`iam:PassedToService` condition can stay.",
                evidence={"passed_to": tuple(services)},
            )
        return self.emit(
            PASSROLE_ANY,
            r,
            'policy allows iam:PassRole on any role (Resource "*")',
            remediation="Name the roles in `resources` (e.g. `[aws_iam_role.worker.arn]`) and add a "
            '`condition { test = "StringEquals" variable = "iam:PassedToService" values = '
            '["ecs-tasks.amazonaws.com"] }`.',
        )


#: what an SES SMTP user needs (the SMTP interface signs with the user's access key)
_SEND_MAIL = frozenset({"ses:sendrawemail", "ses:sendemail"})


def _sends_mail_only(project: TerraformProject, user: Any) -> bool:
    """Every permission the configuration gives ``user`` is sending mail through SES: inline user policies only
    (an attached managed policy or a group could grant anything, so then it is not known)."""
    if user is None or (isinstance(user, Unknown) and not isinstance(user, ResourceRef)):
        return False  # a reference to the user resource is known enough; anything else unknown is not
    attached = project.of_type("aws_iam_user_policy_attachment", "aws_iam_user_group_membership")
    grouped = project.of_type("aws_iam_group_membership")
    if any(a.get("user") == user for a in attached) or any(user in (g.get("users") or []) for g in grouped):
        return False
    inline = [p for p in project.of_type("aws_iam_user_policy") if p.get("user") == user]
    allowed = [st for p in inline for st in statements(project, p.get("policy"))[0] if _allows(st)]
    actions = {a.lower() for st in allowed for a in st.actions}
    return bool(actions) and actions <= _SEND_MAIL
