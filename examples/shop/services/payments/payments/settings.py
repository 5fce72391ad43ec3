"""Payments settings.

DEMO ONLY: every credential in this file is FAKE. They were generated at random
for the redline example so that they match the providers' formats; they were
never issued by Stripe or AWS and grant access to nothing.
"""

import os

# FAKE Stripe live secret key planted for the redline demo (random characters).
STRIPE_API_KEY = "sk_live_G5RUSQftVipnjzW1dTyeGGFNg9ZnjptV"

# FAKE AWS access key pair planted for the redline demo (random, never issued).
AWS_ACCESS_KEY_ID = "AKIABBJHEWXGR3VVLUYF"
AWS_SECRET_ACCESS_KEY = "VM86nIJUkswPX9/S+xSxqH49G5N+Fs8V4+XyQO/6"
AWS_REGION = "eu-west-1"
RECEIPTS_BUCKET = "acme-shop-receipts"

# Look-alikes: read from the environment, nothing to leak here.
WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
DATABASE_PASSWORD = os.environ["PAYMENTS_DB_PASSWORD"] if "PAYMENTS_DB_PASSWORD" in os.environ else None

LEDGER_HOST = os.environ.get("LEDGER_HOST", "ledger.internal")
LEDGER_PORT = int(os.environ.get("LEDGER_PORT", "7070"))
FRAUD_API = os.environ.get("FRAUD_API", "https://fraud.example.org/v1/score")
