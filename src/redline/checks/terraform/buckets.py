"""Buckets and containers readable by anyone, and S3 buckets without a full public access block."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, links_to, maybe_linked, strings
from redline.checks.terraform.policies import statements
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_false, is_true

PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_MEMBERS = frozenset({"allusers", "allauthenticatedusers"})
_BPA_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
_S3_REF = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"

PUBLIC_BUCKET = Rule(
    code="TF109",
    name="public-bucket",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Storage bucket or container readable by anyone",
    tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds S3 buckets with a public canned ACL (`public-read`, `public-read-write`, "
        "`authenticated-read`, inline or through `aws_s3_bucket_acl`), S3 bucket policies that Allow "
        'Principal `"*"` without a Condition, GCS bucket IAM members `allUsers`/`allAuthenticatedUsers`, '
        "Azure storage containers with `container_access_type` `blob` or `container`, Alibaba Cloud OSS buckets "
        "with a `public-read`/`public-read-write` ACL, OCI buckets with `access_type` `ObjectRead` or "
        "`ObjectReadWithoutList`, and BigQuery datasets (access entries or IAM) granting `allUsers`/"
        "`allAuthenticatedUsers`.",
        why_bad="Public buckets are the single most common source of large data leaks: anyone who guesses or "
        "finds the name can list and download every object (or, with write access, host malware in your name).",
        example='resource "aws_s3_bucket_acl" "reports" {\n  bucket = aws_s3_bucket.reports.id\n'
        '  acl    = "public-read"\n}',
        use_instead='resource "aws_s3_bucket_acl" "reports" {\n  bucket = aws_s3_bucket.reports.id\n'
        '  acl    = "private"\n}\n# serve public files through CloudFront with origin access control',
        references=(_S3_REF, "https://cloud.google.com/storage/docs/access-control/making-data-public"),
    ),
)

BPA = Rule(
    code="TF110",
    name="bucket-public-access-block-missing",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="S3 bucket without a full public access block",
    tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds S3 buckets whose `aws_s3_bucket_public_access_block` sets any of the four flags to "
        "false or leaves it unset (medium), and buckets with no public access block at all while the "
        "configuration has no account-level `aws_s3_account_public_access_block` (low: AWS enables the block "
        "on new buckets since April 2023, but not on older ones or when it was turned off).",
        why_bad="The public access block is the guard rail that keeps a later mistaken ACL or policy from "
        "publishing the bucket; without it, one wrong line elsewhere makes the data public.",
        example='resource "aws_s3_bucket_public_access_block" "logs" {\n  bucket            = aws_s3_bucket.logs.id\n'
        "  block_public_acls = false\n}",
        use_instead='resource "aws_s3_bucket_public_access_block" "logs" {\n  bucket                  = '
        "aws_s3_bucket.logs.id\n  block_public_acls       = true\n  block_public_policy     = true\n"
        "  ignore_public_acls      = true\n  restrict_public_buckets = true\n}",
        references=(_S3_REF,),
    ),
)

_PRIVATE = {
    "aws_s3_bucket": 'Set the ACL to "private" (an `aws_s3_bucket_acl` with `acl = "private"`, or remove the ACL and '
    'set `aws_s3_bucket_ownership_controls` to "BucketOwnerEnforced"); serve public files through '
    "CloudFront with origin access control.",
    "aws_s3_bucket_policy": 'Remove the Allow statement with Principal "*" or add a Condition (e.g. '
    "`aws:SourceVpce`, `aws:PrincipalOrgID`, or CloudFront's `AWS:SourceArn`).",
    "google_storage_bucket_iam_member": "Remove the allUsers/allAuthenticatedUsers member; grant the reading "
    'service accounts instead and set `public_access_prevention = "enforced"`.',
    "google_storage_bucket": "Remove `predefined_acl`; set `uniform_bucket_level_access = true` and "
    '`public_access_prevention = "enforced"`.',
    "azurerm_storage_container": 'Set `container_access_type = "private"` and hand out short-lived SAS tokens '
    "or serve through Front Door/CDN.",
    "alicloud_oss_bucket": 'Set `acl = "private"` (or `access_control_list` in an `alicloud_oss_bucket_acl`) and '
    "serve public files through CDN with signed URLs.",
    "oci_objectstorage_bucket": 'Set `access_type = "NoPublicAccess"` and share objects with pre-authenticated '
    "requests that expire.",
    "google_bigquery_dataset": "Remove the `access` entry for allUsers/allAuthenticatedUsers; grant groups or "
    "service accounts instead.",
}
_PRIVATE["aws_s3_bucket_acl"] = _PRIVATE["aws_s3_bucket"]
_PRIVATE["google_storage_bucket_iam_binding"] = _PRIVATE["google_storage_bucket_iam_member"]
_PRIVATE["google_storage_bucket_acl"] = _PRIVATE["google_storage_bucket"]
_PRIVATE["google_bigquery_dataset_iam_member"] = _PRIVATE["google_bigquery_dataset_iam_binding"] = _PRIVATE[
    "google_bigquery_dataset"
]
_BPA_FIX = (
    "Add an `aws_s3_bucket_public_access_block` for the bucket with `block_public_acls`, "
    "`block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` all `true` (or one "
    "`aws_s3_account_public_access_block` for the account)."
)
_PUBLIC_OSS = frozenset({"public-read", "public-read-write"})
_PUBLIC_OCI = frozenset({"ObjectRead", "ObjectReadWithoutList"})


def _linked(project: TerraformProject, bucket: Resource, *types: str) -> list[Resource]:
    return [r for r in project.of_type(*types) if links_to(r.get("bucket"), bucket)]


def _bigquery_public(r: Resource) -> list[str]:
    found = {
        str(a.get("special_group"))
        for a in r.nested("access")
        if str(a.get("special_group", "")).lower() in PUBLIC_MEMBERS
    }
    found |= {
        str(a.get("iam_member")) for a in r.nested("access") if str(a.get("iam_member", "")).lower() in PUBLIC_MEMBERS
    }
    return sorted(found)


class BucketExposureCheck(TerraformCheck):
    name = "terraform-buckets"
    rules = (PUBLIC_BUCKET, BPA)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        yield from self._public_s3(project)
        yield from self._public_other(project)
        yield from self._access_blocks(project)

    def _public(self, r: Resource, message: str) -> Finding:
        return self.emit(PUBLIC_BUCKET, r, message, remediation=_PRIVATE.get(r.type, _PRIVATE["aws_s3_bucket"]))

    def _public_s3(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_s3_bucket", "aws_s3_bucket_acl"):
            acl = r.get("acl")
            if isinstance(acl, str) and acl in PUBLIC_ACLS:
                yield self._public(r, f"bucket ACL is {acl}")
            for acp in r.nested("access_control_policy"):
                for grant in acp.nested("grant"):
                    for grantee in grant.nested("grantee"):
                        uri = grantee.get("uri")
                        if isinstance(uri, str) and uri.rstrip("/").endswith(("AllUsers", "AuthenticatedUsers")):
                            yield self._public(r, f"bucket ACL grants {uri.rsplit('/', 1)[-1]}")
        for r in project.of_type("aws_s3_bucket_policy"):
            sts, _doc = statements(project, r.get("policy"))
            if any(s.effect == "Allow" and "*" in s.principals and not s.has_condition for s in sts):
                yield self._public(r, 'bucket policy allows Principal "*" without a condition')

    def _public_other(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type(
            "google_storage_bucket_iam_member",
            "google_storage_bucket_iam_binding",
            "google_bigquery_dataset_iam_member",
            "google_bigquery_dataset_iam_binding",
        ):
            members = strings(r.get("member")) + strings(r.get("members"))
            public = sorted({m for m in members if m.lower() in PUBLIC_MEMBERS})
            if public:
                yield self._public(r, f"IAM grants {', '.join(public)}")
        for r in project.of_type("google_storage_bucket_acl", "google_storage_bucket"):
            if r.get("predefined_acl") in ("publicRead", "publicReadWrite"):
                yield self._public(r, f"predefined ACL {r.get('predefined_acl')}")
        for r in project.of_type("google_bigquery_dataset"):
            groups = _bigquery_public(r)
            if groups:
                yield self._public(r, f"dataset access grants {', '.join(groups)}")
        yield from self._public_azure_ali_oci(project)

    def _public_azure_ali_oci(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("azurerm_storage_container"):
            access = r.get("container_access_type")
            if access in ("blob", "container"):
                yield self._public(r, f"container_access_type is {access} (anonymous read)")
        for r in project.of_type("alicloud_oss_bucket", "alicloud_oss_bucket_acl"):
            acl = r.get("acl", r.get("access_control_list"))
            if acl in _PUBLIC_OSS:
                yield self._public(r, f"bucket ACL is {acl}")
        for r in project.of_type("oci_objectstorage_bucket"):
            if r.get("access_type") in _PUBLIC_OCI:
                yield self._public(r, f"access_type is {r.get('access_type')} (anonymous read)")

    def _access_blocks(self, project: TerraformProject) -> Iterator[Finding]:
        account_level = any(
            all(is_true(r.get(f)) for f in _BPA_FLAGS) for r in project.of_type("aws_s3_account_public_access_block")
        )
        for bucket in project.of_type("aws_s3_bucket"):
            blocks = _linked(project, bucket, "aws_s3_bucket_public_access_block")
            if not blocks:
                if not account_level and not maybe_linked(project, bucket, "aws_s3_bucket_public_access_block"):
                    yield self.emit(
                        BPA,
                        bucket,
                        "no aws_s3_bucket_public_access_block for this bucket",
                        severity=Severity.LOW,
                        remediation=_BPA_FIX,
                    )
                continue
            for block in blocks:
                off = [f for f in _BPA_FLAGS if is_false(block.get(f)) or f not in block.body.attrs]
                if off:
                    yield self.emit(
                        BPA,
                        block,
                        f"public access block leaves {', '.join(off)} off",
                        remediation=f"Set {', '.join(f'`{f} = true`' for f in off)}.",
                    )
