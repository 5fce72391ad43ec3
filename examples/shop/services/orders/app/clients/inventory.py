"""Client for the legacy inventory service (plain urllib, no extra dependencies)."""

import json
import os
import urllib.request
from urllib.request import urlopen

INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://inventory:8080")


def reserve(sku: str, quantity: int) -> bool:
    body = json.dumps({"sku": sku, "quantity": quantity}).encode()
    req = urllib.request.Request(f"{INVENTORY_URL}/reservations", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        return resp.status == 201


def stock_level(sku: str) -> int:
    # Look-alike: the timeout is passed.
    with urlopen(f"{INVENTORY_URL}/stock/{sku}", timeout=5) as resp:
        return int(json.load(resp)["available"])
