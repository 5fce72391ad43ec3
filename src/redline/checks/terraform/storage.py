"""Data at rest and in transit: public buckets, public access blocks, unencrypted storage, plain HTTP, old TLS."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, links_to, may_link_to, strings
from redline.checks.terraform.policies import statements
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_false, is_true, is_unknown

PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_MEMBERS = frozenset({"allusers", "allauthenticatedusers"})
_BPA_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
_OLD_ELB_POLICY = re.compile(r"(TLS-1-0|TLS-1-1|2016-08|2015-0[35]|2015-02|2014-|FS-2018-06|FS-1-1|TLS13-1-[01]-)",
                             re.IGNORECASE)
_OLD_CLOUDFRONT = frozenset({"SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"})
_S3_REF = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"

PUBLIC_BUCKET = Rule(
    code="TF109", name="public-bucket", area=Area.SECURITY, severity=Severity.HIGH,
    summary="Storage bucket or container readable by anyone", tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds S3 buckets with a public canned ACL (`public-read`, `public-read-write`, "
        "`authenticated-read`, inline or through `aws_s3_bucket_acl`), S3 bucket policies that Allow "
        'Principal `"*"` without a Condition, GCS bucket IAM members `allUsers`/`allAuthenticatedUsers`, '
        "and Azure storage containers with `container_access_type` `blob` or `container`.",
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
    code="TF110", name="bucket-public-access-block-missing", area=Area.SECURITY, severity=Severity.MEDIUM,
    summary="S3 bucket without a full public access block", tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds S3 buckets whose `aws_s3_bucket_public_access_block` sets any of the four flags to "
        "false or leaves it unset (medium), and buckets with no public access block at all while the "
        "configuration has no account-level `aws_s3_account_public_access_block` (low: AWS enables the block "
        "on new buckets since April 2023, but not on older ones or when it was turned off).",
        why_bad="The public access block is the guard rail that keeps a later mistaken ACL or policy from "
        "publishing the bucket; without it, one wrong line elsewhere makes the data public.",
        example='resource "aws_s3_bucket_public_access_block" "logs" {\n  bucket            = aws_s3_bucket.logs.id\n'
        '  block_public_acls = false\n}',
        use_instead='resource "aws_s3_bucket_public_access_block" "logs" {\n  bucket                  = '
        'aws_s3_bucket.logs.id\n  block_public_acls       = true\n  block_public_policy     = true\n'
        '  ignore_public_acls      = true\n  restrict_public_buckets = true\n}',
        references=(_S3_REF,),
    ),
)

UNENCRYPTED = Rule(
    code="TF111", name="storage-not-encrypted", area=Area.SECURITY, severity=Severity.MEDIUM,
    summary="Storage without encryption at rest", tags=("CWE-311", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds storage without encryption at rest: EBS volumes and instance block devices without "
        "`encrypted = true` (unless `aws_ebs_encryption_by_default` is enabled), RDS instances and clusters "
        "without `storage_encrypted`, EFS, ElastiCache replication groups and Redshift clusters without "
        "encryption, SQS queues with `sqs_managed_sse_enabled = false` and no KMS key, SNS topics without a KMS "
        "key, and S3 buckets without a server-side encryption configuration (low: S3 applies SSE-S3 by default "
        "since January 2023, but without a KMS key you cannot control or audit access to the key).",
        why_bad="Unencrypted disks, snapshots and backups are readable by anyone who obtains a copy (a shared "
        "snapshot, a decommissioned disk, a mis-scoped IAM grant); encryption with a managed key adds an "
        "independent access check and an audit trail, and most compliance regimes require it.",
        example='resource "aws_db_instance" "main" {\n  engine = "postgres"\n}',
        use_instead='resource "aws_db_instance" "main" {\n  engine            = "postgres"\n'
        '  storage_encrypted = true\n  kms_key_id        = aws_kms_key.db.arn\n}',
        references=("https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
                    "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
                    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html"),
    ),
)

PLAINTEXT = Rule(
    code="TF112", name="listener-plain-http", area=Area.SECURITY, severity=Severity.MEDIUM,
    summary="Load balancer listener serves plain HTTP without redirecting to HTTPS", tags=("CWE-319", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does='Finds `aws_lb_listener`/`aws_alb_listener` with `protocol = "HTTP"` whose default action '
        "is not a redirect (to HTTPS). Listeners of internal load balancers are reported with low severity.",
        why_bad="Traffic over plain HTTP — session cookies, tokens, personal data — can be read and altered by "
        "anyone on the path (public Wi-Fi, a compromised hop).",
        example='resource "aws_lb_listener" "web" {\n  port     = 80\n  protocol = "HTTP"\n'
        '  default_action {\n    type             = "forward"\n    target_group_arn = aws_lb_target_group.web.arn\n'
        '  }\n}',
        use_instead='default_action {\n  type = "redirect"\n  redirect {\n    port        = "443"\n'
        '    protocol    = "HTTPS"\n    status_code = "HTTP_301"\n  }\n}',
        references=("https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html",),
    ),
)

OLD_TLS = Rule(
    code="TF113", name="outdated-tls-policy", area=Area.SECURITY, severity=Severity.MEDIUM,
    summary="TLS policy still accepts TLS 1.0/1.1", tags=("CWE-327", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds ALB/NLB listeners with an ELB security policy that accepts TLS 1.0 or 1.1 "
        "(`ELBSecurityPolicy-2016-08`, `-TLS-1-1-2017-01`, …), CloudFront distributions with a minimum protocol "
        "below TLS 1.2, GCP SSL policies with `min_tls_version` 1.0/1.1 and Azure storage accounts with "
        "`min_tls_version` TLS1_0/TLS1_1.",
        why_bad="TLS 1.0 and 1.1 are deprecated (RFC 8996): they rely on weak constructions (CBC with SHA-1, "
        "no AEAD) and fail PCI DSS; keeping them enabled allows downgrade to the weakest common protocol.",
        example='resource "aws_lb_listener" "api" {\n  protocol   = "HTTPS"\n'
        '  ssl_policy = "ELBSecurityPolicy-2016-08"\n}',
        use_instead='resource "aws_lb_listener" "api" {\n  protocol   = "HTTPS"\n'
        '  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"\n}',
        references=("https://www.rfc-editor.org/rfc/rfc8996",
                    "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"),
    ),
)


def _linked(project: TerraformProject, bucket: Resource, *types: str) -> list[Resource]:
    return [r for r in project.of_type(*types) if links_to(r.get("bucket"), bucket)]


def _maybe_linked(project: TerraformProject, bucket: Resource, *types: str) -> bool:
    return any(may_link_to(r.get("bucket"), bucket) for r in project.of_type(*types))


class StorageCheck(TerraformCheck):
    name = "terraform-storage"
    rules = (PUBLIC_BUCKET, BPA, UNENCRYPTED, PLAINTEXT, OLD_TLS)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        yield from self._public(project)
        yield from self._access_blocks(project)
        yield from self._encryption(project)
        yield from self._transport(project)

    def _public(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_s3_bucket", "aws_s3_bucket_acl"):
            acl = r.get("acl")
            if isinstance(acl, str) and acl in PUBLIC_ACLS:
                yield self.emit(PUBLIC_BUCKET, r, f"bucket ACL is {acl}")
            for acp in r.nested("access_control_policy"):
                for grant in acp.nested("grant"):
                    for grantee in grant.nested("grantee"):
                        uri = grantee.get("uri")
                        if isinstance(uri, str) and uri.rstrip("/").endswith(("AllUsers", "AuthenticatedUsers")):
                            yield self.emit(PUBLIC_BUCKET, r, f"bucket ACL grants {uri.rsplit('/', 1)[-1]}")
        for r in project.of_type("aws_s3_bucket_policy"):
            sts, _doc = statements(project, r.get("policy"))
            if any(s.effect == "Allow" and "*" in s.principals and not s.has_condition for s in sts):
                yield self.emit(PUBLIC_BUCKET, r, 'bucket policy allows Principal "*" without a condition')
        for r in project.of_type("google_storage_bucket_iam_member", "google_storage_bucket_iam_binding"):
            members = strings(r.get("member")) + strings(r.get("members"))
            public = sorted({m for m in members if m.lower() in PUBLIC_MEMBERS})
            if public:
                yield self.emit(PUBLIC_BUCKET, r, f"bucket IAM grants {', '.join(public)}")
        for r in project.of_type("google_storage_bucket_acl", "google_storage_bucket"):
            if r.get("predefined_acl") in ("publicRead", "publicReadWrite"):
                yield self.emit(PUBLIC_BUCKET, r, f"predefined ACL {r.get('predefined_acl')}")
        for r in project.of_type("azurerm_storage_container"):
            access = r.get("container_access_type")
            if access in ("blob", "container"):
                yield self.emit(PUBLIC_BUCKET, r, f"container_access_type is {access} (anonymous read)")

    def _access_blocks(self, project: TerraformProject) -> Iterator[Finding]:
        account_level = any(all(is_true(r.get(f)) for f in _BPA_FLAGS)
                            for r in project.of_type("aws_s3_account_public_access_block"))
        for bucket in project.of_type("aws_s3_bucket"):
            blocks = _linked(project, bucket, "aws_s3_bucket_public_access_block")
            if not blocks:
                if not account_level and not _maybe_linked(project, bucket, "aws_s3_bucket_public_access_block"):
                    yield self.emit(BPA, bucket, "no aws_s3_bucket_public_access_block for this bucket",
                                    severity=Severity.LOW)
                continue
            for block in blocks:
                off = [f for f in _BPA_FLAGS if is_false(block.get(f)) or f not in block.body.attrs]
                if off:
                    yield self.emit(BPA, block, f"public access block leaves {', '.join(off)} off")

    def _encryption(self, project: TerraformProject) -> Iterator[Finding]:
        ebs_default = any(is_true(r.get("enabled", True))
                          for r in project.of_type("aws_ebs_encryption_by_default"))
        if not ebs_default:
            for r in project.of_type("aws_ebs_volume"):
                if not is_true(r.get("encrypted")) and not r.has("snapshot_id") and not _unknown(r, "encrypted"):
                    yield self.emit(UNENCRYPTED, r, "EBS volume is not encrypted")
            for r in project.of_type("aws_instance", "aws_launch_template"):
                for dev in (*r.nested("root_block_device"), *r.nested("ebs_block_device"),
                            *(e for bd in r.nested("block_device_mappings") for e in bd.nested("ebs"))):
                    enc = dev.get("encrypted")
                    if is_false(enc) or (enc is None and r.type == "aws_instance"):
                        yield self.emit(UNENCRYPTED, r, "instance block device is not encrypted")
                        break
        for r in project.of_type("aws_db_instance"):
            engine = r.get("engine")
            if (isinstance(engine, str) and engine.startswith("aurora")) or r.has("replicate_source_db") \
                    or r.has("snapshot_identifier"):
                continue
            if not is_true(r.get("storage_encrypted")) and not _unknown(r, "storage_encrypted"):
                yield self.emit(UNENCRYPTED, r, "RDS storage is not encrypted")
        for r in project.of_type("aws_rds_cluster"):
            if r.get("engine_mode") == "serverless" or r.has("snapshot_identifier") \
                    or r.has("replication_source_identifier"):
                continue
            if not is_true(r.get("storage_encrypted")) and not _unknown(r, "storage_encrypted"):
                yield self.emit(UNENCRYPTED, r, "RDS cluster storage is not encrypted")
        for rtype, attr in (("aws_efs_file_system", "encrypted"), ("aws_redshift_cluster", "encrypted"),
                            ("aws_elasticache_replication_group", "at_rest_encryption_enabled")):
            for r in project.of_type(rtype):
                if not is_true(r.get(attr)) and not _unknown(r, attr):
                    yield self.emit(UNENCRYPTED, r, f"{attr} is not true")
        for r in project.of_type("aws_sqs_queue"):
            if is_false(r.get("sqs_managed_sse_enabled")) and not r.has("kms_master_key_id"):
                yield self.emit(UNENCRYPTED, r, "SQS queue has server-side encryption disabled")
        for r in project.of_type("aws_sns_topic"):
            if not r.has("kms_master_key_id"):
                yield self.emit(UNENCRYPTED, r, "SNS topic has no KMS key (messages stored unencrypted)",
                                severity=Severity.LOW)
        for bucket in project.of_type("aws_s3_bucket"):
            if bucket.body.may_have("server_side_encryption_configuration"):
                continue
            if _maybe_linked(project, bucket, "aws_s3_bucket_server_side_encryption_configuration"):
                continue
            yield self.emit(UNENCRYPTED, bucket, "no server-side encryption configuration (SSE-S3 default only)",
                            severity=Severity.LOW)

    def _transport(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_lb_listener", "aws_alb_listener"):
            protocol = r.get("protocol")
            if isinstance(protocol, str) and protocol.upper() == "HTTP":
                actions = r.nested("default_action")
                if "default_action" in r.body.dynamic or any(a.get("type") == "redirect" for a in actions):
                    continue
                lb = next((x for x in project.of_type("aws_lb", "aws_alb")
                           if links_to(r.get("load_balancer_arn"), x, ("arn",))), None)
                internal = lb is not None and is_true(lb.get("internal"))
                yield self.emit(PLAINTEXT, r, "listener serves plain HTTP without a redirect to HTTPS",
                                severity=Severity.LOW if internal else None)
            policy = r.get("ssl_policy")
            if isinstance(policy, str) and _OLD_ELB_POLICY.search(policy):
                yield self.emit(OLD_TLS, r, f"ssl_policy {policy} accepts TLS 1.0/1.1")
        for r in project.of_type("aws_cloudfront_distribution"):
            for cert in r.nested("viewer_certificate"):
                version = cert.get("minimum_protocol_version")
                if isinstance(version, str) and version in _OLD_CLOUDFRONT \
                        and not is_true(cert.get("cloudfront_default_certificate")):
                    yield self.emit(OLD_TLS, r, f"minimum_protocol_version {version}")
        for r in project.of_type("google_compute_ssl_policy"):
            version = r.get("min_tls_version", "TLS_1_0")
            if version in ("TLS_1_0", "TLS_1_1"):
                yield self.emit(OLD_TLS, r, f"min_tls_version {version}"
                                + (" (the default)" if not r.has("min_tls_version") else ""))
        for r in project.of_type("azurerm_storage_account"):
            version = r.get("min_tls_version")
            if version in ("TLS1_0", "TLS1_1"):
                yield self.emit(OLD_TLS, r, f"min_tls_version {version}")


def _unknown(r: Resource, attr: str) -> bool:
    return is_unknown(r.get(attr))
