"""Hypothesis profiles: fast runs while you work, thorough ones in CI, and a long one by hand.

The library's own tests use these, and a tool built on the library can use them too::

    from probation_rules.testing.profiles import load_profile

    load_profile()  # in conftest.py: "dev", or "ci" under CI, or $HYPOTHESIS_PROFILE

``dev`` runs 60 examples a property with no deadline; ``ci`` runs 300 and tolerates slow data
generation (whole methodologies are large); ``long`` runs 5,000, for a night before a release.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hypothesis import HealthCheck, settings

__all__ = ["PROFILES", "ci_requested", "load_profile", "register_profiles"]

PROFILES: dict[str, settings] = {
    "dev": settings(max_examples=60, deadline=None),
    "ci": settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]),
    "long": settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]),
}
"""Each profile's settings, by name."""

_OFF = frozenset({"", "0", "false", "no", "off"})


def ci_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``CI`` asks for a CI run: set to anything but empty, ``0``, ``false``, ``no`` or ``off``."""
    return environ.get("CI", "").strip().lower() not in _OFF


def register_profiles(prefix: str = "") -> None:
    """Register every profile with hypothesis, as ``prefix + name`` (``"dev"``, ``"ci"``, ``"long"`` by default)."""
    for name, profile in PROFILES.items():
        settings.register_profile(prefix + name, profile)


def load_profile(environ: Mapping[str, str] = os.environ, prefix: str = "") -> str:
    """Register the profiles and load one: ``$HYPOTHESIS_PROFILE`` if set, else ``ci`` under CI, else ``dev``.

    Returns the name of the profile loaded (with ``prefix``).
    """
    register_profiles(prefix)
    name = environ.get("HYPOTHESIS_PROFILE") or prefix + ("ci" if ci_requested(environ) else "dev")
    settings.load_profile(name)
    return name
