"""Runtime settings, read from the environment (12-factor)."""

import os


class Settings:
    DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://orders@localhost:5432/orders")
    # Look-alike: the password comes from the environment, nothing is hard-coded here.
    DATABASE_PASSWORD = os.environ.get("DATABASE_PASSWORD", "")
    REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
    AMQP_URL = os.environ.get("AMQP_URL", "amqp://guest:guest@localhost:5672/%2F")
    PAYMENTS_URL = os.environ.get("PAYMENTS_URL", "http://payments:8080")
    INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://inventory:8080")
    SHIPPING_API = os.environ.get("SHIPPING_API", "https://api.shipfast.example.com/v2")
    TAX_API = os.environ.get("TAX_API", "https://tax.example.net/api")
