"""Shared fixtures; hypothesis profiles: ``dev`` (fast, default), ``ci`` (thorough, set by CI=true), ``long`` (by hand)."""

from __future__ import annotations

import copy
import json
import os
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from ._schemas import every_document_validates  # noqa: F401  (autouse: every result, trace and inspection fits its JSON Schema)

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)
THOROUGH = PROFILE != "dev"
"""Under the ci and long profiles: tests that set their own example counts use the larger one."""

ROOT = Path(__file__).resolve().parent.parent
YORK = ROOT / "examples" / "york-pdu-2024.json"


def pdu_2023_data() -> dict[str, Any]:
    """The bundled PDU methodology as a plain dict, for tests that build variants of it."""
    raw = resources.files("probation_rules.methodologies").joinpath("hmip-pdu-2023.toml").read_bytes()
    return tomllib.loads(raw.decode())


@pytest.fixture
def york_doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(YORK.read_text()))


@pytest.fixture
def pdu_data() -> dict[str, Any]:
    return pdu_2023_data()
