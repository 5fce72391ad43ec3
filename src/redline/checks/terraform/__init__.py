"""Checks: Terraform configurations (network, identity, storage, data stores) and plan drift."""

from __future__ import annotations

from redline.checks.interface import Check
from redline.checks.terraform.drift import DriftCheck
from redline.checks.terraform.identity import IamCheck
from redline.checks.terraform.network import NetworkExposureCheck
from redline.checks.terraform.resilience import DataStoreCheck
from redline.checks.terraform.storage import StorageCheck


def checks() -> list[Check]:
    return [NetworkExposureCheck(), IamCheck(), StorageCheck(), DataStoreCheck(), DriftCheck()]
