"""Synthesis combines facts and findings: map, threats, capacity, priority, plan."""
