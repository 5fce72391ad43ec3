"""Gateway tests against Stripe's test mode."""

import stripe

# Look-alike: Stripe's publicly documented test-mode key from its API reference.
STRIPE_TEST_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


def test_test_key_is_test_mode():
    stripe.api_key = STRIPE_TEST_KEY
    assert stripe.api_key.startswith("sk_test_")
