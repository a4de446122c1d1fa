"""Methodologies and inspections back to plain data, the inverse of loading them.

A tool that builds a variant in Python, or generates inspections, must be able to write them
back as the documents the command line reads; and the round trip (load, dump, load) must give the
same object, or a variant saved by one tool would rate differently when read by another. Fields
the loader sets (``source``, ``sha256``) are left out, and so are optional fields left unset, so
the result is also valid TOML data.
"""

from __future__ import annotations

from typing import Any

import attrs

from probation_rules._convert import LOADER_SET, converter
from probation_rules.inspection import Inspection
from probation_rules.methodology.schema import Methodology

__all__ = ["inspection_to_dict", "methodology_to_dict"]


def methodology_to_dict(methodology: Methodology) -> dict[str, Any]:
    """The methodology as the dict :func:`~probation_rules.methodology.methodology_from_dict` reads."""
    return _plain(converter.unstructure(methodology), _loader_set(Methodology))


def inspection_to_dict(inspection: Inspection) -> dict[str, Any]:
    """The inspection as the JSON document :func:`~probation_rules.load_inspection` reads."""
    return _plain(converter.unstructure(inspection), _loader_set(Inspection))


def _loader_set(cls: type) -> set[str]:
    return {a.name for a in attrs.fields(cls) if a.metadata.get(LOADER_SET)}


def _plain(data: dict[str, Any], drop: set[str]) -> dict[str, Any]:
    cleaned = _without_none({k: v for k, v in data.items() if k not in drop})
    assert isinstance(cleaned, dict)
    return cleaned


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_without_none(v) for v in value]
    return value
