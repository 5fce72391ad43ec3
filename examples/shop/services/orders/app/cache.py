"""Redis cache for product and cart data."""

import json
import os

import redis

cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


def remember_cart(cart_id: str, cart: dict) -> None:
    # No TTL: abandoned carts stay in Redis forever and memory only grows.
    cache.set(f"cart:{cart_id}", json.dumps(cart))


def remember_price(sku: str, price_cents: int) -> None:
    # Look-alike: prices expire after five minutes.
    cache.set(f"price:{sku}", price_cents, ex=300)


def cart(cart_id: str) -> dict | None:
    raw = cache.get(f"cart:{cart_id}")
    return json.loads(raw) if raw else None
