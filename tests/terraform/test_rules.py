"""Checkov-style fixtures: per rule, a failure/ and a success/ module; the exact addresses that fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks import terraform as tf_checks
from redline.core.config import Config
from redline.core.model import Severity

from .helpers import FIXTURES, audit, write

EXPECTED: dict[str, set[str]] = {
    "TF101": {
        "aws_security_group.ssh_world",
        "aws_security_group.all_ports_v6",
        "aws_security_group_rule.postgres",
        "aws_vpc_security_group_ingress_rule.redis",
        "google_compute_firewall.rdp",
        "azurerm_network_security_group.nsg",
        "alicloud_security_group_rule.ssh",
        "oci_core_security_list.admin",
        "oci_core_network_security_group_security_rule.db",
    },
    "TF102": {"aws_security_group.app", "google_compute_firewall.game"},
    "TF103": {"aws_lb.public_default", "aws_alb.explicit", "aws_elb.classic"},
    "TF104": {
        "aws_db_instance.public",
        "aws_rds_cluster_instance.aurora_public",
        "google_sql_database_instance.open",
        "azurerm_mssql_firewall_rule.everyone",
        "alicloud_db_instance.open",
    },
    "TF105": {
        "aws_iam_policy.admin_jsonencode",
        "aws_iam_role_policy.admin_heredoc",
        "data.aws_iam_policy_document.admin_doc",
        "data.aws_iam_policy_document.all_but_iam",
    },
    "TF106": {
        "aws_iam_policy.s3_any",
        "data.aws_iam_policy_document.delete_tables",
        "aws_iam_role.inline",
        "data.aws_iam_policy_document.mixed",
    },
    "TF107": {
        "data.aws_iam_policy_document.passrole",
        "aws_iam_group_policy.iam_star",
        "data.aws_iam_policy_document.to_lambda",
        "aws_iam_policy.to_ecs_json",
        "data.aws_iam_policy_document.one_unbounded",
        "data.aws_iam_policy_document.negated",
    },
    "TF108": {
        "aws_iam_access_key.ci",
        "aws_iam_access_key.legacy",
        "aws_iam_access_key.smtp",
        "aws_iam_access_key.mailer",
    },
    "TF109": {
        "aws_s3_bucket.legacy_acl",
        "aws_s3_bucket_acl.site",
        "aws_s3_bucket_policy.site",
        "aws_s3_bucket_policy.docs",
        "google_storage_bucket_iam_member.public",
        "azurerm_storage_container.blobs",
        "alicloud_oss_bucket.site",
        "oci_objectstorage_bucket.dumps",
        "google_bigquery_dataset.shared",
    },
    "TF110": {"aws_s3_bucket.no_block", "aws_s3_bucket_public_access_block.partial"},
    "TF111": {
        "aws_ebs_volume.data",
        "aws_db_instance.plain",
        "aws_rds_cluster.aurora",
        "aws_sqs_queue.sse_off",
        "aws_sns_topic.alerts",
        "aws_efs_file_system.shared",
        "aws_instance.web",
        "aws_s3_bucket.no_sse",
        "alicloud_disk.data",
        "alicloud_db_instance.no_tde",
        "aws_neptune_cluster.graph",
        "aws_opensearch_domain.search",
    },
    "TF112": {"aws_lb_listener.http_forward", "aws_elb.plain"},
    "TF113": {
        "aws_lb_listener.old_policy",
        "aws_cloudfront_distribution.cdn",
        "google_compute_ssl_policy.default_min",
        "azurerm_storage_account.old",
        "azurerm_mssql_server.old",
        "azurerm_postgresql_server.old",
        "aws_elasticsearch_domain.old",
    },
    "TF114": {
        "aws_db_instance.default_single",
        "aws_db_instance.explicit_single",
        "google_sql_database_instance.zonal",
    },
    "TF115": {
        "aws_db_instance.no_backups",
        "google_sql_database_instance.no_backup_block",
        "aws_dynamodb_table.no_pitr",
        "aws_rds_cluster.zero",
    },
    "TF116": {"aws_s3_bucket.forever", "google_storage_bucket.gcs_forever", "aws_s3_bucket.state_exports"},
    "TF117": {"aws_cloudwatch_log_group.forever", "aws_cloudwatch_log_group.zero"},
    "TF118": {"aws_dynamodb_table.events", "aws_dynamodb_table.metrics", "aws_dynamodb_table.daily"},
    "TF120": {"provider.aws.keys", "provider.azurerm"},
    "TF121": {"azurerm_mssql_server.default_public", "azurerm_postgresql_server.explicit"},
    "TF122": {
        "azurerm_mssql_server.nothing",
        "azurerm_mssql_server.short",
        "azurerm_postgresql_server.no_threat",
        "azurerm_mssql_server_security_alert_policy.partial",
    },
    "TF123": {"azurerm_mssql_server.logins_only"},
    "TF124": {
        "azurerm_mysql_server.plain",
        "google_sql_database_instance.default_ssl",
        "alicloud_db_instance.ssl_closed",
    },
    "TF125": {"azurerm_storage_account.http"},
    "TF126": {
        "azurerm_storage_account.allow_all",
        "azurerm_storage_account.defaults",
        "azurerm_storage_account.nested_public",
    },
    "TF127": {"azurerm_key_vault.default", "azurerm_key_vault.soft_off"},
    "TF128": {"azurerm_key_vault.no_acls", "azurerm_key_vault.allow"},
    "TF129": {
        "azurerm_kubernetes_cluster.no_rbac",
        "azurerm_kubernetes_cluster.local_accounts",
        "google_container_cluster.abac",
        "google_container_cluster.client_cert",
    },
    "TF130": {
        "azurerm_kubernetes_cluster.public",
        "google_container_cluster.public",
        "aws_eks_cluster.default_public",
        "aws_eks_cluster.world",
        "google_container_cluster.world_authorized",
    },
    "TF131": {"azurerm_kubernetes_cluster.no_policy", "google_container_cluster.off"},
    "TF132": {"google_redis_instance.default_tier", "google_redis_instance.basic"},
    "TF133": {
        "google_redis_instance.open",
        "google_redis_instance.auth_only",
        "aws_elasticache_replication_group.plain",
    },
    "TF134": {"aws_elasticsearch_domain.bare", "aws_opensearch_domain.no_https"},
    "TF135": {
        "aws_elasticsearch_domain.open",
        "aws_opensearch_domain.public_endpoint",
        "aws_opensearch_domain.policy_resource",
        "aws_opensearch_domain.internet",
    },
    "TF136": {"aws_lambda_function_url.hook"},
    "TF137": {"aws_lambda_function.bare"},
    "TF138": {"aws_lambda_function.unbounded", "aws_lambda_function.unreserved"},
    "TF139": {"aws_lambda_function.untraced", "aws_lambda_function.passthrough"},
    "TF140": {"aws_lambda_function.literal"},
    "TF141": {"aws_iam_role.from_document", "aws_iam_role.inline_json"},
    "TF142": {"google_compute_instance.serial", "google_compute_project_metadata_item.serial"},
    "TF143": {"google_compute_instance.default_sa", "google_compute_instance_template.explicit_default"},
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_exact_failing_and_passing_resources(code: str) -> None:
    result = audit(FIXTURES / code, Config(jobs=1, select=(code,)))  # by its code: opt-in rules (TF138) too
    assert not result.errors, result.errors
    hits = [f for f in result.findings if f.rule == code]
    failing = {f.location.resource for f in hits if f.location.path.startswith("failure/")}
    passing_flagged = {f.location.resource for f in hits if f.location.path.startswith("success/")}
    assert failing == EXPECTED[code]
    assert passing_flagged == set()
    assert len(hits) == len(EXPECTED[code])  # one finding per resource and rule


def test_every_rule_has_a_fixture_and_full_docs() -> None:
    codes = {r.code for c in tf_checks.checks() for r in c.rules}
    assert codes - {"TF119"} == set(EXPECTED)
    for check in tf_checks.checks():
        for rule in check.rules:
            rule.validate()


def test_finding_spans_the_resource_block() -> None:
    result = audit(FIXTURES / "TF101")
    f = next(f for f in result.findings if f.location.resource == "aws_security_group.ssh_world")
    assert (f.location.path, f.location.start_line, f.location.end_line) == ("failure/main.tf", 5, 13)
    assert "22 (SSH)" in f.message and "0.0.0.0/0" in f.message


def test_severity_is_graded_by_port() -> None:
    result = audit(FIXTURES / "TF101")
    by_addr = {f.location.resource: f for f in result.findings if f.rule in ("TF101", "TF102")}
    assert str(by_addr["google_compute_firewall.rdp"].severity) == "high"
    assert "3306 (MySQL), 3389 (RDP)" in by_addr["google_compute_firewall.rdp"].message


def test_opt_in_rules_run_only_when_named() -> None:
    """TF138 (reserved concurrency, 32 of 32 noise on terraform-aws-lambda) is off in a default run and under
    a prefix; naming its code or name turns it on."""

    def hits(config: Config) -> set[str]:
        return {f.rule for f in audit(FIXTURES / "TF138", config).findings}

    assert "TF138" not in hits(Config(jobs=1))
    assert "TF138" not in hits(Config(jobs=1, select=("TF",)))
    assert "TF138" in hits(Config(jobs=1, select=("TF138",)))
    assert "TF138" in hits(Config(jobs=1, select=("lambda-no-concurrency-limit",)))
    assert "TF138" not in hits(Config(jobs=1, select=("TF138",), ignore=("TF138",)))


def test_an_open_domain_policy_inside_a_vpc_is_low() -> None:
    """alphagov/govuk-infrastructure's search domains: Principal "*" on a VPC domain leaves access to the security
    groups (defence in depth, low); the same policy on a public endpoint lets the internet in (high)."""
    result = audit(FIXTURES / "TF135", Config(jobs=1, select=("TF135",)))
    assert sorted((f.location.resource, f.severity) for f in result.findings) == [
        ("aws_elasticsearch_domain.open", Severity.LOW),
        ("aws_opensearch_domain.internet", Severity.HIGH),
        ("aws_opensearch_domain.policy_resource", Severity.LOW),
        ("aws_opensearch_domain.public_endpoint", Severity.LOW),
    ]


_ENDPOINT_SG = """
resource "aws_security_group" "endpoints" {
  vpc_id = "vpc-1"
  ingress {
    from_port   = 0
    to_port     = 8888
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_vpc_endpoint" "ssm" {
  vpc_id             = "vpc-1"
  service_name       = "com.amazonaws.ca-central-1.ssm"
  vpc_endpoint_type  = "Interface"
  security_group_ids = [aws_security_group.endpoints.id]
}
"""


@pytest.mark.parametrize(
    ("extra", "severity"),
    [
        ("", Severity.LOW),  # cds-snc/notification-terraform: only interface endpoints sit in the group
        (
            'resource "aws_instance" "box" {\n  ami = "ami-1"\n'
            "  vpc_security_group_ids = [aws_security_group.endpoints.id]\n}\n",
            Severity.HIGH,
        ),
    ],
)
def test_an_open_group_guarding_only_vpc_endpoints_is_low(tmp_path: Path, extra: str, severity: Severity) -> None:
    write(tmp_path, "main.tf", _ENDPOINT_SG + extra)
    [f] = [f for f in audit(tmp_path, Config(jobs=1, select=("TF101",))).findings]
    assert (f.location.resource, f.severity) == ("aws_security_group.endpoints", severity)
    assert f.message.endswith("the internet cannot") is (severity == Severity.LOW)


def test_an_access_key_that_can_only_send_mail_is_low() -> None:
    """SES SMTP needs an access key: reported low with the reason; any other permission makes it an ordinary key."""
    result = audit(FIXTURES / "TF108", Config(jobs=1, select=("TF108",)))
    assert sorted((f.location.resource, f.severity) for f in result.findings) == [
        ("aws_iam_access_key.ci", Severity.MEDIUM),
        ("aws_iam_access_key.legacy", Severity.MEDIUM),
        ("aws_iam_access_key.mailer", Severity.MEDIUM),
        ("aws_iam_access_key.smtp", Severity.LOW),
    ]


def test_passrole_bounded_by_the_services_it_goes_to_is_medium() -> None:
    """modernisation-platform's member roles pass any role, but only to Lambda (or ECS): the condition TF107 asks
    for is there, so the finding is medium and names the services; one unbounded statement keeps it high."""
    result = audit(FIXTURES / "TF107", Config(jobs=1, select=("TF107",)))
    by = {f.location.resource: f for f in result.findings}
    assert {r: by[r].severity for r in by} == {
        "data.aws_iam_policy_document.passrole": Severity.HIGH,
        "aws_iam_group_policy.iam_star": Severity.HIGH,
        "data.aws_iam_policy_document.to_lambda": Severity.MEDIUM,
        "aws_iam_policy.to_ecs_json": Severity.MEDIUM,
        "data.aws_iam_policy_document.one_unbounded": Severity.HIGH,
        "data.aws_iam_policy_document.negated": Severity.HIGH,
    }
    assert "passed to lambda.amazonaws.com only" in by["data.aws_iam_policy_document.to_lambda"].message
    assert "passed to ecs-tasks.amazonaws.com only" in by["aws_iam_policy.to_ecs_json"].message
