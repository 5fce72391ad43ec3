"""Checks: Terraform configurations (network, identity, storage, data stores, per-cloud services) and plan drift."""

from __future__ import annotations

from redline.checks.interface import Check
from redline.checks.terraform.azure_sql import AzureSqlCheck
from redline.checks.terraform.azure_storage import AzureStorageCheck
from redline.checks.terraform.buckets import BucketExposureCheck
from redline.checks.terraform.data_transit import DataTransitCheck
from redline.checks.terraform.drift import DriftCheck
from redline.checks.terraform.encryption import EncryptionAtRestCheck
from redline.checks.terraform.gcp_compute import GcpComputeCheck
from redline.checks.terraform.identity import IamCheck
from redline.checks.terraform.kubernetes import KubernetesCheck
from redline.checks.terraform.lambda_functions import LambdaCheck
from redline.checks.terraform.network import NetworkExposureCheck
from redline.checks.terraform.providers import ProviderCredentialsCheck
from redline.checks.terraform.resilience import DataStoreCheck
from redline.checks.terraform.search_domains import SearchDomainCheck
from redline.checks.terraform.transport import TransportCheck
from redline.checks.terraform.trust import TrustPolicyCheck


def checks() -> list[Check]:
    return [
        NetworkExposureCheck(),
        IamCheck(),
        BucketExposureCheck(),
        EncryptionAtRestCheck(),
        TransportCheck(),
        DataStoreCheck(),
        DriftCheck(),
        ProviderCredentialsCheck(),
        AzureSqlCheck(),
        DataTransitCheck(),
        AzureStorageCheck(),
        KubernetesCheck(),
        SearchDomainCheck(),
        LambdaCheck(),
        TrustPolicyCheck(),
        GcpComputeCheck(),
    ]
