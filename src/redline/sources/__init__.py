"""Sources read raw inputs into typed facts. They never judge."""
