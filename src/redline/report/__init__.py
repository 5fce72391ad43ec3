"""Reporters render an AuditResult; they never judge."""
