"""Helpers for testing code that uses probation_rules (needs the ``test`` extra: hypothesis)."""
