"""Checkout: reserve stock, price, charge, book shipping, in one request."""

from app.clients import inventory, payments, shipping, tax
from app.cache import remember_cart


def checkout(order_id: int, cart: dict, address: dict) -> dict:
    # Serial chain: four remote calls one after another on the request path. The
    # stock reservations, the VAT lookup and the shipping quote do not depend on
    # each other, yet the user waits for the sum of their latencies.
    for line in cart["lines"]:
        if not inventory.reserve(line["sku"], line["quantity"]):
            return {"status": "out_of_stock", "sku": line["sku"]}
    net = sum(line["price_cents"] * line["quantity"] for line in cart["lines"])
    vat = tax.vat_cents(address["country"], net)
    postage = shipping.quote(address["postcode"], cart["weight_grams"])
    charge = payments.charge(order_id, net + vat + postage)
    shipment = shipping.book(order_id, address)
    remember_cart(str(order_id), cart)
    return {"status": "placed", "charge": charge["id"], "shipment": shipment}
