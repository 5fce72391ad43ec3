"""Resilience checks: timeouts, retries, circuit breakers, backpressure."""
