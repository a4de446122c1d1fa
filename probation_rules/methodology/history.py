"""The change history of the bundled methodologies.

A bundled methodology is a published artefact: a rating made under version 1.0.0 must be
reproducible later. So every change to a bundled file needs a new version and an entry here,
and the entry pins the file's sha256; a test fails when a file changes without one.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from importlib import resources

import attrs

from probation_rules._convert import structure
from probation_rules.errors import MethodologyError

__all__ = ["HISTORY_FILE", "Change", "history"]

HISTORY_FILE = "history.toml"


@attrs.frozen
class Change:
    version: str
    date: datetime.date
    sha256: str
    changes: str


def history() -> Mapping[str, tuple[Change, ...]]:
    """Each bundled methodology's versions, oldest first."""
    text = resources.files("probation_rules.methodologies").joinpath(HISTORY_FILE).read_text(encoding="utf-8")
    data, problems = structure(tomllib.loads(text), dict[str, tuple[Change, ...]], file=HISTORY_FILE)
    if problems or data is None:
        raise MethodologyError(problems, file=HISTORY_FILE)
    return data
