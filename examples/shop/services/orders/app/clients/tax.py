"""Client for the external VAT calculation API."""

import os

import requests

TAX_API = os.environ.get("TAX_API", "https://tax.example.net/api")


def vat_cents(country: str, net_cents: int) -> int:
    resp = requests.get(f"{TAX_API}/vat", params={"country": country, "amount": net_cents})
    resp.raise_for_status()
    return int(resp.json()["vat_cents"])


def vat_rates(**request_options) -> dict:
    # Look-alike: options (timeout included) are forwarded by the caller; not visible here.
    return requests.get(f"{TAX_API}/rates", **request_options).json()
