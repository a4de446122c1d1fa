"""Shared fixtures; hypothesis profiles (``probation_rules.testing.profiles``): ``dev`` (fast, default), ``ci`` (thorough, when CI is set
to anything but empty, 0, false, no or off), ``long`` (by hand, HYPOTHESIS_PROFILE=long)."""

from __future__ import annotations

import copy
import json
import tomllib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from probation_rules.engine.compiler import release
from probation_rules.methodology.schema import Methodology
from probation_rules.testing.profiles import load_profile

from ._schemas import every_document_validates  # noqa: F401  (autouse: every result, trace and inspection fits its JSON Schema)

PROFILE = load_profile()
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


@pytest.fixture
def released() -> Iterator[Callable[[Methodology], Methodology]]:
    """Wraps a methodology a test builds: its compiled rules are released when the test ends, passed or failed."""
    made: list[Methodology] = []

    def keep(m: Methodology) -> Methodology:
        made.append(m)
        return m

    yield keep
    for m in made:
        release(m)
