"""Client for the internal payments service."""

import os

import requests

PAYMENTS_URL = os.environ.get("PAYMENTS_URL", "http://payments:8080")


def charge(order_id: int, amount_cents: int, currency: str = "eur") -> dict:
    resp = requests.post(
        f"{PAYMENTS_URL}/charges",
        json={"order_id": order_id, "amount": amount_cents, "currency": currency},
    )
    resp.raise_for_status()
    return resp.json()


def refund(charge_id: str) -> dict:
    # Look-alike: connect and read timeouts are set.
    resp = requests.post(f"{PAYMENTS_URL}/charges/{charge_id}/refund", timeout=(3.05, 10))
    resp.raise_for_status()
    return resp.json()


def charge_status(charge_id: str) -> str:
    resp = requests.get(f"{PAYMENTS_URL}/charges/{charge_id}", timeout=None)
    return resp.json()["status"]
