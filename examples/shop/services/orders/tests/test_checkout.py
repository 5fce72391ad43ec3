"""Unit tests for the pure helpers (no database, no network)."""

from app.checkout import checkout


class FakeInventory:
    @staticmethod
    def reserve(sku: str, quantity: int) -> bool:
        return sku != "SOLD-OUT"


def test_out_of_stock_short_circuits(monkeypatch):
    from app import checkout as module

    monkeypatch.setattr(module, "inventory", FakeInventory)
    result = checkout(1, {"lines": [{"sku": "SOLD-OUT", "quantity": 1, "price_cents": 100}],
                          "weight_grams": 10}, {"country": "DE", "postcode": "10115"})
    assert result == {"status": "out_of_stock", "sku": "SOLD-OUT"}
