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
        "is not a redirect (to HTTPS), and classic `aws_elb` listeners on `http`/`tcp`. Listeners of internal load "
        "balancers are reported with low severity.",
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


_PRIVATE = {
    "aws_s3_bucket": 'Set the ACL to "private" (an `aws_s3_bucket_acl` with `acl = "private"`, or remove the ACL and '
                     'set `aws_s3_bucket_ownership_controls` to "BucketOwnerEnforced"); serve public files through '
                     "CloudFront with origin access control.",
    "aws_s3_bucket_policy": 'Remove the Allow statement with Principal "*" or add a Condition (e.g. '
                            "`aws:SourceVpce`, `aws:PrincipalOrgID`, or CloudFront's `AWS:SourceArn`).",
    "google_storage_bucket_iam_member": "Remove the allUsers/allAuthenticatedUsers member; grant the reading "
                                        "service accounts instead and set `public_access_prevention = \"enforced\"`.",
    "google_storage_bucket": 'Remove `predefined_acl`; set `uniform_bucket_level_access = true` and '
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
_PRIVATE["google_bigquery_dataset_iam_member"] = _PRIVATE["google_bigquery_dataset_iam_binding"] = (
    _PRIVATE["google_bigquery_dataset"])
_BPA_FIX = ('Add an `aws_s3_bucket_public_access_block` for the bucket with `block_public_acls`, '
            "`block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` all `true` (or one "
            "`aws_s3_account_public_access_block` for the account).")
_ENCRYPT = {
    "aws_ebs_volume": "Set `encrypted = true` (and `kms_key_id`), or enable `aws_ebs_encryption_by_default`; "
                      "existing volumes are migrated by snapshot-copy with encryption.",
    "aws_instance": "Set `encrypted = true` in every `root_block_device`/`ebs_block_device`, or enable "
                    "`aws_ebs_encryption_by_default`.",
    "aws_db_instance": "Set `storage_encrypted = true` and `kms_key_id`; an existing instance is encrypted by "
                       "restoring an encrypted snapshot copy.",
    "aws_efs_file_system": "Set `encrypted = true` (and `kms_key_id`); EFS encryption is fixed at creation.",
    "aws_redshift_cluster": "Set `encrypted = true` and `kms_key_id`.",
    "aws_elasticache_replication_group": "Set `at_rest_encryption_enabled = true` (requires a new replication group).",
    "aws_sqs_queue": "Remove `sqs_managed_sse_enabled = false`, or set `kms_master_key_id = aws_kms_key.<key>.id`.",
    "aws_sns_topic": 'Set `kms_master_key_id = "alias/aws/sns"` (or a customer key).',
    "aws_s3_bucket": 'Add an `aws_s3_bucket_server_side_encryption_configuration` with `sse_algorithm = "aws:kms"` '
                     "and `kms_master_key_id`, `bucket_key_enabled = true`.",
    "aws_neptune_cluster": "Set `storage_encrypted = true` and `kms_key_arn` (fixed at creation).",
    "aws_neptune_cluster_snapshot": "Copy the snapshot with encryption, or encrypt the source cluster.",
    "aws_elasticsearch_domain": "Add `encrypt_at_rest { enabled = true }` (needs a new domain on old engines).",
    "alicloud_disk": "Set `encrypted = true` (and `kms_key_id`); a disk is encrypted only at creation.",
    "alicloud_db_instance": 'Set `tde_status = "Enabled"` (MySQL / SQL Server engines).',
}
_ENCRYPT["aws_launch_template"] = _ENCRYPT["aws_instance"]
_ENCRYPT["aws_rds_cluster"] = _ENCRYPT["aws_db_instance"]
_ENCRYPT["aws_opensearch_domain"] = _ENCRYPT["aws_elasticsearch_domain"]
_TLS_FIX = {
    "aws_lb_listener": 'Set `ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"`.',
    "aws_cloudfront_distribution": 'In `viewer_certificate` set `minimum_protocol_version = "TLSv1.2_2021"`.',
    "google_compute_ssl_policy": 'Set `min_tls_version = "TLS_1_2"` and `profile = "MODERN"` or "RESTRICTED".',
    "azurerm_storage_account": 'Set `min_tls_version = "TLS1_2"`.',
    "azurerm_mssql_server": 'Set `minimum_tls_version = "1.2"`.',
    "azurerm_postgresql_server": 'Set `ssl_minimal_tls_version_enforced = "TLS1_2"` (with `ssl_enforcement_enabled'
                                 " = true`).",
    "aws_elasticsearch_domain": 'In `domain_endpoint_options` set `tls_security_policy = '
                                '"Policy-Min-TLS-1-2-2019-07"`.',
}
_TLS_FIX["aws_alb_listener"] = _TLS_FIX["aws_lb_listener"]
_TLS_FIX["azurerm_mysql_server"] = _TLS_FIX["azurerm_postgresql_server"]
_TLS_FIX["aws_opensearch_domain"] = _TLS_FIX["aws_elasticsearch_domain"]
_HTTP_FIX = ('Make the default action a redirect: `default_action { type = "redirect" redirect { port = "443" '
             'protocol = "HTTPS" status_code = "HTTP_301" } }`, and add an HTTPS listener.')
_PUBLIC_OSS = frozenset({"public-read", "public-read-write"})
_PUBLIC_OCI = frozenset({"ObjectRead", "ObjectReadWithoutList"})
_OLD_AZURE_DB_TLS = frozenset({"TLS1_0", "TLS1_1", "TLSEnforcementDisabled"})


def _linked(project: TerraformProject, bucket: Resource, *types: str) -> list[Resource]:
    return [r for r in project.of_type(*types) if links_to(r.get("bucket"), bucket)]


def _maybe_linked(project: TerraformProject, bucket: Resource, *types: str) -> bool:
    return any(may_link_to(r.get("bucket"), bucket) for r in project.of_type(*types))


def _unencrypted_device(r: Resource) -> bool:
    for dev in (*r.nested("root_block_device"), *r.nested("ebs_block_device"),
                *(e for bd in r.nested("block_device_mappings") for e in bd.nested("ebs"))):
        enc = dev.get("encrypted")
        if is_false(enc) or (enc is None and r.type == "aws_instance"):
            return True
    return False


def _bigquery_public(r: Resource) -> list[str]:
    found = {str(a.get("special_group")) for a in r.nested("access")
             if str(a.get("special_group", "")).lower() in PUBLIC_MEMBERS}
    found |= {str(a.get("iam_member")) for a in r.nested("access") if str(a.get("iam_member", "")).lower()
              in PUBLIC_MEMBERS}
    return sorted(found)


class StorageCheck(TerraformCheck):
    name = "terraform-storage"
    rules = (PUBLIC_BUCKET, BPA, UNENCRYPTED, PLAINTEXT, OLD_TLS)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        yield from self._public_s3(project)
        yield from self._public_other(project)
        yield from self._access_blocks(project)
        yield from self._ebs(project)
        yield from self._databases(project)
        yield from self._other_encryption(project)
        yield from self._s3_encryption(project)
        yield from self._transport(project)
        yield from self._tls_versions(project)

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
        for r in project.of_type("google_storage_bucket_iam_member", "google_storage_bucket_iam_binding",
                                 "google_bigquery_dataset_iam_member", "google_bigquery_dataset_iam_binding"):
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
        account_level = any(all(is_true(r.get(f)) for f in _BPA_FLAGS)
                            for r in project.of_type("aws_s3_account_public_access_block"))
        for bucket in project.of_type("aws_s3_bucket"):
            blocks = _linked(project, bucket, "aws_s3_bucket_public_access_block")
            if not blocks:
                if not account_level and not _maybe_linked(project, bucket, "aws_s3_bucket_public_access_block"):
                    yield self.emit(BPA, bucket, "no aws_s3_bucket_public_access_block for this bucket",
                                    severity=Severity.LOW, remediation=_BPA_FIX)
                continue
            for block in blocks:
                off = [f for f in _BPA_FLAGS if is_false(block.get(f)) or f not in block.body.attrs]
                if off:
                    yield self.emit(BPA, block, f"public access block leaves {', '.join(off)} off",
                                    remediation=f"Set {', '.join(f'`{f} = true`' for f in off)}.")

    def _unencrypted(self, r: Resource, message: str, severity: Severity | None = None) -> Finding:
        return self.emit(UNENCRYPTED, r, message, severity=severity, remediation=_ENCRYPT[r.type])

    def _ebs(self, project: TerraformProject) -> Iterator[Finding]:
        if any(is_true(r.get("enabled", True)) for r in project.of_type("aws_ebs_encryption_by_default")):
            return
        for r in project.of_type("aws_ebs_volume"):
            if not is_true(r.get("encrypted")) and not r.has("snapshot_id") and not _unknown(r, "encrypted"):
                yield self._unencrypted(r, "EBS volume is not encrypted")
        for r in project.of_type("aws_instance", "aws_launch_template"):
            if _unencrypted_device(r):
                yield self._unencrypted(r, "instance block device is not encrypted")

    def _databases(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_db_instance"):
            engine = r.get("engine")
            if (isinstance(engine, str) and engine.startswith("aurora")) or r.has("replicate_source_db") \
                    or r.has("snapshot_identifier"):
                continue
            if not is_true(r.get("storage_encrypted")) and not _unknown(r, "storage_encrypted"):
                yield self._unencrypted(r, "RDS storage is not encrypted")
        for r in project.of_type("aws_rds_cluster", "aws_neptune_cluster"):
            if r.get("engine_mode") == "serverless" or r.has("snapshot_identifier") \
                    or r.has("replication_source_identifier"):
                continue
            if not is_true(r.get("storage_encrypted")) and not _unknown(r, "storage_encrypted"):
                yield self._unencrypted(r, "cluster storage is not encrypted")
        for r in project.of_type("alicloud_db_instance"):
            engine = str(r.get("engine", "")).lower()
            if engine in ("mysql", "sqlserver") and r.get("tde_status") not in ("Enabled",) \
                    and not _unknown(r, "tde_status"):
                yield self._unencrypted(r, "transparent data encryption (tde_status) is not enabled",
                                        severity=Severity.LOW)

    def _other_encryption(self, project: TerraformProject) -> Iterator[Finding]:
        for rtype, attr in (("aws_efs_file_system", "encrypted"), ("aws_redshift_cluster", "encrypted"),
                            ("aws_elasticache_replication_group", "at_rest_encryption_enabled"),
                            ("alicloud_disk", "encrypted"), ("aws_neptune_cluster_snapshot", "storage_encrypted")):
            for r in project.of_type(rtype):
                if not is_true(r.get(attr)) and not _unknown(r, attr):
                    yield self._unencrypted(r, f"{attr} is not true")
        for r in project.of_type("aws_elasticsearch_domain", "aws_opensearch_domain"):
            if "encrypt_at_rest" not in r.body.dynamic and not any(
                    is_true(e.get("enabled")) or is_unknown(e.get("enabled")) for e in r.nested("encrypt_at_rest")):
                yield self._unencrypted(r, "encrypt_at_rest is not enabled")
        for r in project.of_type("aws_sqs_queue"):
            if is_false(r.get("sqs_managed_sse_enabled")) and not r.has("kms_master_key_id"):
                yield self._unencrypted(r, "SQS queue has server-side encryption disabled")
        for r in project.of_type("aws_sns_topic"):
            if not r.has("kms_master_key_id"):
                yield self._unencrypted(r, "SNS topic has no KMS key (messages stored unencrypted)",
                                        severity=Severity.LOW)

    def _s3_encryption(self, project: TerraformProject) -> Iterator[Finding]:
        for bucket in project.of_type("aws_s3_bucket"):
            if bucket.body.may_have("server_side_encryption_configuration"):
                continue
            if _maybe_linked(project, bucket, "aws_s3_bucket_server_side_encryption_configuration"):
                continue
            yield self._unencrypted(bucket, "no server-side encryption configuration (SSE-S3 default only)",
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
                                severity=Severity.LOW if internal else None, remediation=_HTTP_FIX)
        for r in project.of_type("aws_elb"):
            plain = sorted({str(x.get("lb_port")) for x in r.nested("listener")
                            if str(x.get("lb_protocol", "")).lower() in ("http", "tcp")})
            if plain:
                yield self.emit(PLAINTEXT, r, f"classic ELB listener(s) on port {', '.join(plain)} without TLS",
                                severity=Severity.LOW if is_true(r.get("internal")) else None,
                                remediation='Change the listener to `lb_protocol = "https"` with `ssl_certificate_id` '
                                "(an ACM certificate), or migrate to an ALB with an HTTP-to-HTTPS redirect.")

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
                if isinstance(version, str) and version in _OLD_CLOUDFRONT \
                        and not is_true(cert.get("cloudfront_default_certificate")):
                    yield self._old_tls(r, f"minimum_protocol_version {version}")
        for r in project.of_type("google_compute_ssl_policy"):
            version = r.get("min_tls_version", "TLS_1_0")
            if version in ("TLS_1_0", "TLS_1_1"):
                yield self._old_tls(r, f"min_tls_version {version}"
                                    + (" (the default)" if not r.has("min_tls_version") else ""))
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


def _unknown(r: Resource, attr: str) -> bool:
    return is_unknown(r.get(attr))
