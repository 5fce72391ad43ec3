"""AWS Lambda: unauthenticated function URLs, secrets in environment variables, and the async-invocation
safety nets (failure destination, concurrency cap, tracing) checkov also asks for."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, as_int, may_link_to
from redline.core.model import Area, Confidence, Finding, Severity
from redline.core.placeholders import looks_like_placeholder
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_unknown

_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/"
_SECRET_NAME = re.compile(
    r"(?i)(passw(or)?d|passwd|secret|token|api_?key|private_?key|access_?key|credential"
    r"|auth_?key|client_?secret|conn(ection)?_?str)"
)
_NOT_SECRET_NAME = re.compile(
    r"(?i)(_arn|_id|_name|_url|_uri|_path|_file|_region|_length|_ttl|_expir\w*|_header"
    r"|_endpoint|_table|_bucket|_param(eter)?)$"
)
URL_NO_AUTH = Rule(
    code="TF136",
    name="lambda-url-without-auth",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Lambda function URL callable by anyone",
    tags=("CWE-306", "STRIDE:S"),
    doc=RuleDoc(
        what_it_does='Finds `aws_lambda_function_url` with `authorization_type = "NONE"`.',
        why_bad="Anyone who finds the URL can invoke the function as often as they like: the code must do all "
        "authentication itself, and each call is billed to you (a denial-of-wallet vector).",
        example='resource "aws_lambda_function_url" "hook" {\n  function_name      = aws_lambda_function.hook.name\n'
        '  authorization_type = "NONE"\n}',
        use_instead='resource "aws_lambda_function_url" "hook" {\n  function_name      = '
        'aws_lambda_function.hook.name\n  authorization_type = "AWS_IAM"\n}',
        references=(f"{_DOCS}urls-auth.html",),
    ),
)

NO_DLQ = Rule(
    code="TF137",
    name="lambda-no-failure-destination",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Lambda function drops failed asynchronous events",
    tags=("STRIDE:D",),
    gate_floor=Severity.HIGH,  # checkov parity: worth listing, never worth failing a build over
    doc=RuleDoc(
        what_it_does="Finds `aws_lambda_function` without `dead_letter_config` and without an "
        "`aws_lambda_function_event_invoke_config` whose `destination_config` has `on_failure`.",
        why_bad="An asynchronously invoked function (S3, SNS, EventBridge) retries twice and then discards the "
        "event: the order, upload or notification is lost with no record to replay.",
        example='resource "aws_lambda_function" "ingest" {\n  function_name = "ingest"\n}',
        use_instead='resource "aws_lambda_function" "ingest" {\n  function_name = "ingest"\n'
        "  dead_letter_config {\n    target_arn = aws_sqs_queue.ingest_dlq.arn\n  }\n}",
        references=(f"{_DOCS}invocation-async-retain-records.html",),
    ),
)

NO_CONCURRENCY_CAP = Rule(
    code="TF138",
    name="lambda-no-concurrency-limit",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Lambda function without reserved concurrency",
    tags=("STRIDE:D",),
    gate_floor=Severity.HIGH,  # checkov parity: worth listing, never worth failing a build over
    # off by default: on terraform-aws-lambda 32 of 32 were a module's right default (-1, unreserved), noise
    # (bench/results/precision-terraform.md); reserving concurrency is a per-function capacity decision
    opt_in=True,
    doc=RuleDoc(
        what_it_does="Finds `aws_lambda_function` without `reserved_concurrent_executions` (or with -1, unreserved).",
        why_bad="All functions of an account share one regional concurrency pool (1,000 by default): a burst or "
        "a retry storm in one function throttles every other function, and an unbounded function can overwhelm "
        "the database it writes to.",
        example='resource "aws_lambda_function" "ingest" {\n  function_name = "ingest"\n}',
        use_instead='resource "aws_lambda_function" "ingest" {\n  function_name                  = "ingest"\n'
        "  reserved_concurrent_executions = 50  # what the downstream database can take\n}",
        references=(f"{_DOCS}configuration-concurrency.html",),
    ),
)

NO_TRACING = Rule(
    code="TF139",
    name="lambda-tracing-off",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Lambda function without X-Ray active tracing",
    tags=(),
    gate_floor=Severity.HIGH,  # checkov parity: worth listing, never worth failing a build over
    doc=RuleDoc(
        what_it_does='Finds `aws_lambda_function` without `tracing_config { mode = "Active" }`.',
        why_bad="Without traces, cold starts, slow downstream calls and retries are invisible: latency problems "
        "are guessed at instead of measured per hop.",
        example='resource "aws_lambda_function" "api" {\n  function_name = "api"\n}',
        use_instead='resource "aws_lambda_function" "api" {\n  function_name = "api"\n  tracing_config {\n'
        '    mode = "Active"\n  }\n}',
        references=(f"{_DOCS}services-xray.html",),
    ),
)

ENV_SECRET = Rule(
    code="TF140",
    name="lambda-env-plaintext-secret",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Lambda environment variable holds a literal secret",
    tags=("CWE-798", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds `aws_lambda_function` environment variables named like a secret (`*PASSWORD*`, "
        "`*SECRET*`, `*TOKEN*`, `*API_KEY*` …) whose value is a literal in the configuration (directly, or "
        "through a variable default or tfvars), not a reference. Placeholders are ignored; the value is never "
        "shown.",
        why_bad="The secret sits in the repository, in the Terraform state and in the function configuration, "
        "readable by anyone with `lambda:GetFunctionConfiguration`; without `kms_key_arn` not even a key "
        "policy guards it.",
        example='environment {\n  variables = {\n    DB_PASSWORD = "s3cr3t-pa55"\n  }\n}',
        use_instead="environment {\n  variables = {\n    DB_SECRET_ARN = aws_secretsmanager_secret.db.arn  "
        "# read at start-up\n  }\n}",
        references=(
            f"{_DOCS}configuration-envvars.html#configuration-envvars-encryption",
            "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
        ),
    ),
)


def literal_secrets(r: Resource) -> list[str]:
    """Names of environment variables that look like secrets and hold a literal, non-placeholder value."""
    names: list[str] = []
    for env in r.nested("environment"):
        variables = env.get("variables")
        if not isinstance(variables, dict):
            continue
        for name, value in variables.items():
            if not isinstance(value, str) or not _SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name):
                continue
            text = value.strip()
            if len(text) >= 6 and not looks_like_placeholder(text) and not text.startswith(("arn:", "/", "ssm:")):
                names.append(name)
    return sorted(names)


def _has_failure_destination(project: TerraformProject, r: Resource) -> bool:
    if r.body.may_have("dead_letter_config"):
        return True
    for cfg in project.of_type("aws_lambda_function_event_invoke_config"):
        if may_link_to(cfg.get("function_name"), r, ("function_name", "arn")) and (
            any(d.nested("on_failure") for d in cfg.nested("destination_config"))
            or "destination_config" in cfg.body.dynamic
        ):
            return True
    return False


class LambdaCheck(TerraformCheck):
    name = "terraform-lambda"
    rules = (URL_NO_AUTH, NO_DLQ, NO_CONCURRENCY_CAP, NO_TRACING, ENV_SECRET)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        for r in project.of_type("aws_lambda_function_url"):
            if r.get("authorization_type") == "NONE":
                yield self.emit(
                    URL_NO_AUTH,
                    r,
                    'function URL has authorization_type = "NONE"',
                    remediation='Set `authorization_type = "AWS_IAM"` and sign requests (SigV4), or put '
                    "API Gateway with an authorizer in front of the function.",
                )
        for r in project.of_type("aws_lambda_function"):
            yield from self._function(project, r)

    def _function(self, project: TerraformProject, r: Resource) -> Iterator[Finding]:
        if not _has_failure_destination(project, r):
            yield self.emit(
                NO_DLQ,
                r,
                "no dead-letter queue or on-failure destination",
                remediation="Add `dead_letter_config { target_arn = aws_sqs_queue.<dlq>.arn }` (and allow "
                "the role sqs:SendMessage), or an `aws_lambda_function_event_invoke_config` with "
                "`destination_config { on_failure { destination = ... } }`.",
            )
        reserved = r.get("reserved_concurrent_executions")
        if not is_unknown(reserved) and (reserved is None or as_int(reserved) == -1):
            yield self.emit(
                NO_CONCURRENCY_CAP,
                r,
                "no reserved concurrency (shares the account pool, unbounded)",
                remediation="Set `reserved_concurrent_executions` to what the function's downstream "
                "systems can absorb (e.g. 50).",
            )
        tracing = r.nested("tracing_config")
        if "tracing_config" not in r.body.dynamic and not any(
            t.get("mode") == "Active" or is_unknown(t.get("mode")) for t in tracing
        ):
            yield self.emit(
                NO_TRACING,
                r,
                "X-Ray tracing is not active",
                remediation='Add `tracing_config { mode = "Active" }` and allow the role '
                "xray:PutTraceSegments / xray:PutTelemetryRecords (AWSXRayDaemonWriteAccess).",
            )
        secrets = literal_secrets(r)
        if secrets:
            kms = "" if r.has("kms_key_arn") else " and no kms_key_arn"
            yield self.emit(
                ENV_SECRET,
                r,
                f"environment variable(s) {', '.join(secrets)} hold a literal value{kms}",
                confidence=Confidence.MEDIUM,
                evidence={"variables": tuple(secrets)},
                remediation="Move the value to Secrets Manager or SSM Parameter Store (SecureString), "
                "pass only its ARN/name in `environment.variables`, read it at start-up, and rotate "
                "the exposed value; set `kms_key_arn` to a customer key.",
            )
