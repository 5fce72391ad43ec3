"""redline: audit a system for performance, security and scale in one pass."""

__version__ = "0.1.0"
