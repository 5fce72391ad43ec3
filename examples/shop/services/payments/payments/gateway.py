"""Card charges through Stripe, fraud scoring before each charge."""

import aiohttp
import stripe

from payments import settings

stripe.api_key = settings.STRIPE_API_KEY
stripe.max_network_retries = 2


async def fraud_score(order_id: int, amount_cents: int) -> float:
    # Relies on aiohttp's five-minute default: a stalled fraud API holds the charge.
    async with aiohttp.ClientSession() as session:
        async with session.post(settings.FRAUD_API, json={"order": order_id, "amount": amount_cents}) as resp:
            return float((await resp.json())["score"])


async def notify_webhook(url: str, payload: dict) -> int:
    # Look-alike: an explicit total timeout.
    timeout = aiohttp.ClientTimeout(total=10, sock_connect=3)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.post(url, json=payload) as resp:
            return resp.status


def create_charge(order_id: int, amount_cents: int, currency: str) -> stripe.PaymentIntent:
    return stripe.PaymentIntent.create(
        amount=amount_cents,
        currency=currency,
        metadata={"order_id": str(order_id)},
        confirm=True,
        idempotency_key=f"order-{order_id}",
    )
