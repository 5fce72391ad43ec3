"""Checks judge facts and emit findings, grouped by the audit area they serve."""
