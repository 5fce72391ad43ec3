"""Payments service: charges cards through Stripe and archives receipts to S3."""
