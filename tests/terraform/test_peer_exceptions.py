"""Exceptions recorded for checkov, tfsec and trivy suppress redline's finding of the same judgement on that block:
a checkov skip inside it, trivy comments stacked before it; an expired trivy exception, a peer rule that covers only
part of redline's (CKV_AWS_109) and a block without one still raise the finding."""

from __future__ import annotations

import datetime
from pathlib import Path

from audit_helpers import audit_catalogue
from redline.core.peer_suppress import peer_exceptions, peer_rules
from redline.pipeline.rule_index import build_rule_index

FIXTURE = Path(__file__).parent / "fixtures" / "peer_exceptions"


def test_the_same_judgement_recorded_for_a_peer_suppresses_the_finding_there() -> None:
    result = audit_catalogue(FIXTURE, select=("TF106", "TF111"))
    found = sorted((f.rule, f.location.start_line, f.suppressed) for f in result.findings)
    assert found == [
        ("TF106", 1, "checkov:skip=CKV_AWS_356: the autoscaler sets capacity on every group"),
        ("TF106", 20, None),  # CKV_AWS_109 judges permission management only: the writes stay
        ("TF111", 11, "trivy:ignore:AVD-AWS-0095"),
        ("TF111", 16, None),  # its exception expired in 2020
        ("TF111", 28, None),
    ]


def test_markers_of_each_tool_and_where_they_apply() -> None:
    lines = [
        "# tfsec:ignore:aws-iam-no-policy-wildcards",
        "# a comment between",
        'data "aws_iam_policy_document" "x" {',
        "  #checkov:skip=CKV_AWS_111",
        "}",
        "#trivy:ignore:AVD-AWS-0088 logs only, see ADR-12",
        'resource "aws_s3_bucket" "logs" {}',
        "#checkov:skip=CKV_AWS_18: access logging is not mapped",
        "#trivy:ignore:AVD-AWS-0095[exp:2027-01-01]",
        '  # checkov:skip=CKV_AWS_356 "the API takes no ARN"',
        "  #checkov:skip=CKV_AWS_60 scoped by its condition",
        "#tfsec:ignore:AWS098 tfsec:ignore:aws-s3-enable-bucket-encryption trivy:ignore:AVD-AWS-0095[exp:2020-01-01]",
        'resource "aws_s3_bucket" "data" {}',
    ]
    found = [(p.line, p.codes, p.reason, p.applies_to) for p in peer_exceptions(lines, datetime.date(2026, 12, 3))]
    assert found == [
        (1, ("TF105", "TF106", "TF107"), "tfsec:ignore:aws-iam-no-policy-wildcards", 3),
        (4, ("TF106",), "checkov:skip=CKV_AWS_111", 5),
        (6, ("TF111",), "trivy:ignore:AVD-AWS-0088: logs only, see ADR-12", 7),
        (9, ("TF111",), "trivy:ignore:AVD-AWS-0095", 13),  # not expired yet; comments stack
        (10, ("TF106",), "checkov:skip=CKV_AWS_356: the API takes no ARN", 13),
        (11, ("TF141",), "checkov:skip=CKV_AWS_60: scoped by its condition", 13),
        # several markers on one line: the unmapped and the expired are left out
        (12, ("TF111",), "tfsec:ignore:aws-s3-enable-bucket-encryption", 13),
    ]


def test_every_peer_rule_maps_to_declared_redline_rules() -> None:
    known = {rule.code for rule in build_rule_index().registry}
    assert {code for codes in peer_rules().values() for code in codes} <= known
    assert peer_rules()["CKV_AWS_356"] == ("TF106",)
