"""Storage without encryption at rest: disks, databases, file systems, queues, topics, search domains, buckets."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, maybe_linked
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_false, is_true, is_unknown

UNENCRYPTED = Rule(
    code="TF111",
    name="storage-not-encrypted",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Storage without encryption at rest",
    tags=("CWE-311", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Finds storage without encryption at rest: EBS volumes and instance block devices without "
        "`encrypted = true` (unless `aws_ebs_encryption_by_default` is enabled), RDS instances and clusters "
        "without `storage_encrypted`, EFS, ElastiCache replication groups and Redshift clusters without "
        "encryption, SQS queues with `sqs_managed_sse_enabled = false` and no KMS key, SNS topics without a KMS "
        "key, S3 buckets without a server-side encryption configuration (low: S3 applies SSE-S3 by default "
        "since January 2023, but without a KMS key you cannot control or audit access to the key), Neptune "
        "clusters and snapshots without `storage_encrypted`, OpenSearch/Elasticsearch domains without "
        "`encrypt_at_rest`, Alibaba Cloud disks without `encrypted` and MySQL/SQL Server RDS instances without "
        "TDE (low). Services that always encrypt with a provider key (Azure storage and disks, OCI volumes) are "
        "not reported: a customer-managed key is a policy choice, not missing encryption.",
        why_bad="Unencrypted disks, snapshots and backups are readable by anyone who obtains a copy (a shared "
        "snapshot, a decommissioned disk, a mis-scoped IAM grant); encryption with a managed key adds an "
        "independent access check and an audit trail, and most compliance regimes require it.",
        example='resource "aws_db_instance" "main" {\n  engine = "postgres"\n}',
        use_instead='resource "aws_db_instance" "main" {\n  engine            = "postgres"\n'
        "  storage_encrypted = true\n  kms_key_id        = aws_kms_key.db.arn\n}",
        references=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
            "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html",
        ),
    ),
)

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


def _unencrypted_device(r: Resource) -> bool:
    for dev in (
        *r.nested("root_block_device"),
        *r.nested("ebs_block_device"),
        *(e for bd in r.nested("block_device_mappings") for e in bd.nested("ebs")),
    ):
        enc = dev.get("encrypted")
        if is_false(enc) or (enc is None and r.type == "aws_instance"):
            return True
    return False


class EncryptionAtRestCheck(TerraformCheck):
    name = "terraform-encryption"
    rules = (UNENCRYPTED,)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        yield from self._ebs(project)
        yield from self._databases(project)
        yield from self._other_encryption(project)
        yield from self._s3_encryption(project)

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
            if (
                (isinstance(engine, str) and engine.startswith("aurora"))
                or r.has("replicate_source_db")
                or r.has("snapshot_identifier")
            ):
                continue
            if not is_true(r.get("storage_encrypted")) and not _unknown(r, "storage_encrypted"):
                yield self._unencrypted(r, "RDS storage is not encrypted")
        for r in project.of_type("aws_rds_cluster", "aws_neptune_cluster"):
            if (
                r.get("engine_mode") == "serverless"
                or r.has("snapshot_identifier")
                or r.has("replication_source_identifier")
            ):
                continue
            if not is_true(r.get("storage_encrypted")) and not _unknown(r, "storage_encrypted"):
                yield self._unencrypted(r, "cluster storage is not encrypted")
        for r in project.of_type("alicloud_db_instance"):
            engine = str(r.get("engine", "")).lower()
            if (
                engine in ("mysql", "sqlserver")
                and r.get("tde_status") not in ("Enabled",)
                and not _unknown(r, "tde_status")
            ):
                yield self._unencrypted(
                    r, "transparent data encryption (tde_status) is not enabled", severity=Severity.LOW
                )

    def _other_encryption(self, project: TerraformProject) -> Iterator[Finding]:
        for rtype, attr in (
            ("aws_efs_file_system", "encrypted"),
            ("aws_redshift_cluster", "encrypted"),
            ("aws_elasticache_replication_group", "at_rest_encryption_enabled"),
            ("alicloud_disk", "encrypted"),
            ("aws_neptune_cluster_snapshot", "storage_encrypted"),
        ):
            for r in project.of_type(rtype):
                if not is_true(r.get(attr)) and not _unknown(r, attr):
                    yield self._unencrypted(r, f"{attr} is not true")
        for r in project.of_type("aws_elasticsearch_domain", "aws_opensearch_domain"):
            if "encrypt_at_rest" not in r.body.dynamic and not any(
                is_true(e.get("enabled")) or is_unknown(e.get("enabled")) for e in r.nested("encrypt_at_rest")
            ):
                yield self._unencrypted(r, "encrypt_at_rest is not enabled")
        for r in project.of_type("aws_sqs_queue"):
            if is_false(r.get("sqs_managed_sse_enabled")) and not r.has("kms_master_key_id"):
                yield self._unencrypted(r, "SQS queue has server-side encryption disabled")
        for r in project.of_type("aws_sns_topic"):
            if not r.has("kms_master_key_id"):
                yield self._unencrypted(
                    r, "SNS topic has no KMS key (messages stored unencrypted)", severity=Severity.LOW
                )

    def _s3_encryption(self, project: TerraformProject) -> Iterator[Finding]:
        for bucket in project.of_type("aws_s3_bucket"):
            if bucket.body.may_have("server_side_encryption_configuration"):
                continue
            if maybe_linked(project, bucket, "aws_s3_bucket_server_side_encryption_configuration"):
                continue
            yield self._unencrypted(
                bucket, "no server-side encryption configuration (SSE-S3 default only)", severity=Severity.LOW
            )


def _unknown(r: Resource, attr: str) -> bool:
    return is_unknown(r.get(attr))
