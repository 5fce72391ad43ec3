"""Client for ShipFast, the third-party carrier API."""

import os

import httpx
import requests

SHIPPING_API = os.environ.get("SHIPPING_API", "https://api.shipfast.example.com/v2")

_session = requests.Session()
_session.headers["Authorization"] = "Bearer " + os.environ.get("SHIPFAST_TOKEN", "")

# The carrier is slow at peak, so someone switched the timeout off.
_client = httpx.Client(base_url=SHIPPING_API, timeout=None)

# Look-alike: an httpx client with an explicit, finite timeout.
_tracking = httpx.Client(base_url=SHIPPING_API, timeout=httpx.Timeout(5.0, connect=2.0))


def quote(postcode: str, weight_grams: int) -> int:
    resp = _session.get(f"{SHIPPING_API}/quotes", params={"postcode": postcode, "weight": weight_grams})
    return int(resp.json()["price_cents"])


def book(order_id: int, address: dict) -> str:
    resp = _client.post("/shipments", json={"reference": str(order_id), "address": address})
    return resp.json()["shipment_id"]


def track(shipment_id: str) -> dict:
    return _tracking.get(f"/shipments/{shipment_id}").json()
