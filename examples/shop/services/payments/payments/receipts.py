"""Archives PDF receipts in S3."""

import boto3

from payments import settings

_s3 = boto3.client(
    "s3",
    region_name=settings.AWS_REGION,
    aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
    aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
)


def archive(charge_id: str, pdf: bytes) -> str:
    key = f"receipts/{charge_id}.pdf"
    _s3.put_object(Bucket=settings.RECEIPTS_BUCKET, Key=key, Body=pdf, ContentType="application/pdf")
    return key
