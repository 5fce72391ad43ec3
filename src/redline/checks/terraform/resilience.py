"""Resilience and data lifecycle of managed data stores in Terraform.

Single-AZ databases and disabled backups (RPO), buckets that keep every
object forever, log groups that never expire, and DynamoDB tables partitioned
by a timestamp (every write of the moment lands on one partition).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, as_int, may_link_to
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Resource, is_false, is_true, is_unknown

SINGLE_AZ = Rule(
    code="TF114",
    name="database-single-az",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Managed database runs in a single availability zone",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does="Finds RDS instances without `multi_az = true` (read replicas and Aurora members excluded: "
        "their availability comes from the cluster) and Cloud SQL instances whose `availability_type` is not "
        "`REGIONAL`.",
        why_bad="A single-AZ database is down for the whole duration of a zone outage, a host failure or a "
        "maintenance reboot, and recovering means restoring from backup (losing everything since the last one).",
        example='resource "aws_db_instance" "orders" {\n  engine   = "postgres"\n  multi_az = false\n}',
        use_instead='resource "aws_db_instance" "orders" {\n  engine   = "postgres"\n  multi_az = true\n}',
        references=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html",
            "https://cloud.google.com/sql/docs/postgres/high-availability",
        ),
    ),
)

NO_BACKUPS = Rule(
    code="TF115",
    name="database-backups-disabled",
    area=Area.RESILIENCE,
    severity=Severity.HIGH,
    summary="Managed database with automated backups turned off",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does="Finds RDS instances with `backup_retention_period = 0`, Cloud SQL instances whose "
        "`backup_configuration` is absent or disabled, Aurora/DocumentDB/Neptune clusters with "
        "`backup_retention_period = 0`, and DynamoDB tables without point-in-time recovery (low severity; "
        'Terraform state-lock tables, `hash_key = "LockID"`, are skipped).',
        why_bad="Without automated backups there is no recovery point: a bad migration, a deleted table or "
        "ransomware means the data is gone. Recovery point objective (RPO) is effectively infinite.",
        example='resource "aws_db_instance" "orders" {\n  backup_retention_period = 0\n}',
        use_instead='resource "aws_db_instance" "orders" {\n  backup_retention_period = 14\n'
        '  backup_window           = "03:00-04:00"\n}',
        references=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html",
        ),
    ),
)

#: a bucket named for Terraform state (``acme-tfstate``, ``terraform_state_storage_bucket``)
_STATE_NAME = re.compile(r"(?i)tf[-_.]?state|terraform[-_.]?state")


def state_bucket(bucket: Resource) -> bool:
    """A bucket that holds Terraform state: a few kilobytes whose every version is a recovery point, so expiring
    or tiering them saves nothing and can lose history (the study's microservices-demo state bucket)."""
    name = bucket.get("bucket") if bucket.type == "aws_s3_bucket" else bucket.get("name")
    return any(isinstance(n, str) and _STATE_NAME.search(n) for n in (name, bucket.name))


NO_LIFECYCLE = Rule(
    code="TF116",
    name="bucket-without-lifecycle",
    area=Area.COST,
    severity=Severity.LOW,
    summary="Bucket without lifecycle rules or intelligent tiering",
    tags=(),
    doc=RuleDoc(
        what_it_does="Finds S3 buckets with no lifecycle configuration (inline `lifecycle_rule` or "
        "`aws_s3_bucket_lifecycle_configuration`) and no `aws_s3_bucket_intelligent_tiering_configuration`, and "
        "GCS buckets with no `lifecycle_rule` and no Autoclass. Buckets named for Terraform state (`tfstate`, "
        "`terraform-state`) are left out: their versions are recovery points, not cost.",
        why_bad="Objects then stay in the most expensive storage class forever: old logs, exports and "
        "incomplete multipart uploads accumulate silently, and stale personal data is kept beyond any retention "
        "policy.",
        example='resource "aws_s3_bucket" "exports" {\n  bucket = "acme-exports"\n}',
        use_instead='resource "aws_s3_bucket_lifecycle_configuration" "exports" {\n'
        "  bucket = aws_s3_bucket.exports.id\n"
        '  rule {\n    id     = "expire"\n    status = "Enabled"\n    filter {}\n    expiration { days = 90 }\n'
        "    abort_incomplete_multipart_upload { days_after_initiation = 7 }\n  }\n}",
        references=(
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html",
            "https://cloud.google.com/storage/docs/lifecycle",
        ),
    ),
)

LOG_RETENTION = Rule(
    code="TF117",
    name="log-group-without-retention",
    area=Area.COST,
    severity=Severity.LOW,
    summary="CloudWatch log group keeps logs forever",
    tags=(),
    doc=RuleDoc(
        what_it_does="Finds `aws_cloudwatch_log_group` without `retention_in_days`, or with 0 (never expire).",
        why_bad="Log storage grows without bound and is billed forever; logs often contain personal data that "
        "must not be kept indefinitely.",
        example='resource "aws_cloudwatch_log_group" "api" {\n  name = "/ecs/api"\n}',
        use_instead='resource "aws_cloudwatch_log_group" "api" {\n  name              = "/ecs/api"\n'
        "  retention_in_days = 30\n}",
        references=(
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html"
            "#SettingLogRetention",
        ),
    ),
)

HOT_PARTITION = Rule(
    code="TF118",
    name="dynamodb-timestamp-hash-key",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="DynamoDB table or index partitioned by a timestamp-like key",
    tags=(),
    doc=RuleDoc(
        what_it_does="Finds DynamoDB tables and global secondary indexes whose `hash_key` is named like a time "
        "value (`created_at`, `timestamp`, `date`, `ts`, `eventTime`, `day` …).",
        why_bad="The partition key decides which partition receives a write. Keyed by time, all current writes "
        "share the same (or a handful of) key values, so one partition takes the whole load and throttles at "
        "its per-partition limit (1,000 WCU / 3,000 RCU) no matter how much capacity the table has.",
        example='resource "aws_dynamodb_table" "events" {\n  hash_key  = "created_at"\n  range_key = "id"\n}',
        use_instead='resource "aws_dynamodb_table" "events" {\n  hash_key  = "tenant_id"   # high cardinality\n'
        '  range_key = "created_at"  # time as the sort key\n}',
        references=(
            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
            "https://aws.amazon.com/blogs/database/choosing-the-right-dynamodb-partition-key/",
        ),
    ),
)

_TIME_WORDS = frozenset(
    {
        "at",
        "time",
        "timestamp",
        "ts",
        "date",
        "datetime",
        "day",
        "hour",
        "minute",
        "epoch",
        "created",
        "updated",
        "modified",
        "month",
        "year",
        "week",
    }
)
_SPLIT = re.compile(r"[_\-\s.]+|(?<=[a-z0-9])(?=[A-Z])")


def timestamp_like(name: str) -> bool:
    """``created_at``, ``eventTime``, ``ts``, ``date`` — not ``user_id``, ``state``, ``data``."""
    words = [w.lower() for w in _SPLIT.split(name) if w]
    if not words:
        return False
    last = words[-1]
    if last in ("at", "time", "timestamp", "ts", "date", "datetime", "epoch"):
        return True
    return len(words) == 1 and last in _TIME_WORDS


class DataStoreCheck(TerraformCheck):
    name = "terraform-datastores"
    rules = (SINGLE_AZ, NO_BACKUPS, NO_LIFECYCLE, LOG_RETENTION, HOT_PARTITION)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        yield from self._rds(project)
        yield from self._cloud_sql(project)
        yield from self._clusters(project)
        for r in project.of_type("aws_dynamodb_table"):
            pitr = r.nested("point_in_time_recovery")
            if r.get("hash_key") == "LockID":
                continue  # a Terraform state-lock table: nothing to recover (its keys are recreated on the next run)
            if (
                "point_in_time_recovery" not in r.body.dynamic
                and not any(is_true(p.get("enabled")) for p in pitr)
                and not any(is_unknown(p.get("enabled")) for p in pitr)
            ):
                yield self.emit(
                    NO_BACKUPS,
                    r,
                    "point-in-time recovery is not enabled",
                    severity=Severity.LOW,
                    remediation="Add `point_in_time_recovery { enabled = true }`.",
                )
            yield from self._hash_keys(r)
        yield from self._lifecycle(project)
        for r in project.of_type("aws_cloudwatch_log_group"):
            days = r.get("retention_in_days")
            if days is None or as_int(days) == 0:
                yield self.emit(
                    LOG_RETENTION,
                    r,
                    "log group never expires its logs",
                    remediation="Set `retention_in_days` (e.g. 30 for application logs, 365 for audit "
                    "logs); export longer-lived logs to S3 with a lifecycle rule.",
                )

    def _rds(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_db_instance"):
            engine = r.get("engine")
            if (isinstance(engine, str) and engine.startswith("aurora")) or r.has("replicate_source_db"):
                continue
            if not is_true(r.get("multi_az")) and not is_unknown(r.get("multi_az")):
                yield self.emit(
                    SINGLE_AZ,
                    r,
                    "RDS instance is single-AZ"
                    + ("" if r.has("multi_az") else " (multi_az is not set; the default is false)"),
                    remediation="Set `multi_az = true` (a standby in another zone; applied with a short "
                    "failover, roughly doubling the instance cost).",
                )
            retention = as_int(r.get("backup_retention_period"))
            if retention == 0:
                yield self.emit(
                    NO_BACKUPS,
                    r,
                    "backup_retention_period = 0 disables automated backups",
                    remediation="Set `backup_retention_period = 7` or more (35 at most) and a "
                    "`backup_window` outside peak hours.",
                )

    def _clusters(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_rds_cluster", "aws_docdb_cluster", "aws_neptune_cluster"):
            if as_int(r.get("backup_retention_period")) == 0:
                yield self.emit(
                    NO_BACKUPS,
                    r,
                    "backup_retention_period = 0 (no usable automated backups)",
                    remediation="Set `backup_retention_period = 7` or more (1–35).",
                )

    def _cloud_sql(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("google_sql_database_instance"):
            for settings in r.nested("settings") or []:
                if settings.get("availability_type", "ZONAL") == "ZONAL":
                    yield self.emit(
                        SINGLE_AZ,
                        r,
                        "Cloud SQL availability_type is ZONAL",
                        remediation='In `settings` set `availability_type = "REGIONAL"`.',
                    )
                backups = settings.nested("backup_configuration")
                if "backup_configuration" not in settings.dynamic and (
                    not backups or all(is_false(b.get("enabled", False)) for b in backups)
                ):
                    yield self.emit(
                        NO_BACKUPS,
                        r,
                        "Cloud SQL backups are not enabled",
                        remediation="In `settings` add `backup_configuration { enabled = true "
                        "point_in_time_recovery_enabled = true }` (binary_log_enabled for MySQL).",
                    )

    def _hash_keys(self, r: Resource) -> Iterator[Finding]:
        keys: list[str] = []
        key = r.get("hash_key")
        if isinstance(key, str) and timestamp_like(key):
            keys.append(f"table hash_key {key!r}")
        for gsi in r.nested("global_secondary_index"):
            gkey = gsi.get("hash_key")
            name = gsi.get("name")
            if isinstance(gkey, str) and timestamp_like(gkey):
                keys.append(f"index {name if isinstance(name, str) else '?'} hash_key {gkey!r}")
        if keys:
            yield self.emit(
                HOT_PARTITION,
                r,
                "partitioned by time: " + "; ".join(keys),
                remediation="Make a high-cardinality attribute (tenant, user, order id) the `hash_key` "
                "and the time value the `range_key`; if every query is by time, add a write shard "
                "suffix (`date#0..N`). Changing keys needs a new table and a backfill.",
            )

    def _lifecycle(self, project: TerraformProject) -> Iterator[Finding]:
        configs = project.of_type(
            "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_intelligent_tiering_configuration"
        )
        for bucket in project.of_type("aws_s3_bucket"):
            if state_bucket(bucket) or (
                bucket.body.may_have("lifecycle_rule") or any(may_link_to(c.get("bucket"), bucket) for c in configs)
            ):
                continue
            yield self.emit(
                NO_LIFECYCLE,
                bucket,
                "no lifecycle rules or intelligent tiering",
                remediation="Add an `aws_s3_bucket_lifecycle_configuration` for the bucket with a "
                "`rule` that transitions or expires objects (e.g. `expiration { days = 90 }`) and "
                "`abort_incomplete_multipart_upload { days_after_initiation = 7 }`.",
            )
        for bucket in project.of_type("google_storage_bucket"):
            if (
                state_bucket(bucket)
                or bucket.body.may_have("lifecycle_rule")
                or any(is_true(a.get("enabled")) for a in bucket.nested("autoclass"))
            ):
                continue
            yield self.emit(
                NO_LIFECYCLE,
                bucket,
                "no lifecycle rules or Autoclass",
                remediation='Add `lifecycle_rule { condition { age = 90 } action { type = "Delete" } }` '
                "(or a SetStorageClass action), or `autoclass { enabled = true }`.",
            )
