"""What rating an inspection gives: ratings, points, score, and the trace that explains them.

The JSON form (:meth:`RatingResult.to_dict`) is a versioned contract for other tools:
``result_version`` changes when a field changes meaning or disappears, never silently.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import attrs

from probation_rules.methodology.schema import Methodology
from probation_rules.trace import Trace

__all__ = [
    "RESULT_VERSION",
    "Departure",
    "InspectionRef",
    "KeyQuestionResult",
    "MethodologyRef",
    "NextBand",
    "RatingResult",
    "StandardResult",
]

RESULT_VERSION = "1"


@attrs.frozen
class NextBand:
    """How far a value stands from the band above it: why it did not get the better rating.

    ``short_by`` is in the table's own unit (percentage points, or score points), from the value
    as banded: under a rounding rule, from the rounded percentage (64.4 rounded to 64 is 1 short
    of 65, though 64.5 would round up to it; ``more_yes`` counts on the exact share);
    ``more_yes`` is how many more relevant cases answered yes would reach the band (None when
    only percentages were given, or when no number of cases could reach it).
    """

    rating: str
    at_least: float
    short_by: float
    more_yes: int | None = None


@attrs.frozen
class KeyQuestionResult:
    id: str
    label: str
    percent: float
    banded_percent: float
    band: str
    rule: str
    yes: int | None = None
    relevant: int | None = None
    next_band: NextBand | None = None


@attrs.frozen
class Departure:
    """Inspectors departed from the guidance: the labelled exception that applied."""

    rule: str
    indicated: str
    judgement: str
    rating: str
    reasons: tuple[str, ...]
    capped: bool


@attrs.frozen
class StandardResult:
    """One standard's outcome. ``rating`` is None exactly when ``not_rated`` gives the reason."""

    id: str
    name: str
    domain: str
    kind: str
    rating: str | None
    rule: str
    points: int | None = None
    scored: bool = True
    driver: str | None = None
    key_questions: Mapping[str, KeyQuestionResult] = attrs.field(factory=dict)
    judgement: str | None = None
    indicated: str | None = None
    guidance_rule: str | None = None
    departure: Departure | None = None
    next_band: NextBand | None = None
    not_rated: str | None = None


@attrs.frozen
class MethodologyRef:
    """The framework a result was rated under, and how it was chosen.

    ``selected_by``: ``"argument"`` (the caller named it), ``"inspection"`` (the document named
    it), ``"fieldwork_start"`` (the bundled framework in force on that date), ``"programme"``
    (the programme's most recent framework) or ``"default"``.
    """

    id: str
    version: str
    title: str
    sha256: str
    source: str | None = None
    selected_by: str | None = None


@attrs.frozen
class InspectionRef:
    id: str
    unit: str
    region: str | None = None
    fieldwork_start: datetime.date | None = None
    source: str | None = None


@attrs.frozen
class RatingResult:
    """An inspection's ratings.

    ``max_score`` is what the score is out of: the methodology's maximum less the standards left
    unrated (``full_max_score`` is the methodology's own maximum); the overall band is read on
    the table rescaled to it, by the methodology's ``not_rated`` rule.
    """

    inspection: InspectionRef
    methodology: MethodologyRef
    standards: Mapping[str, StandardResult]
    score: int
    max_score: int
    overall: str
    overall_rule: str
    trace: Trace
    overall_next_band: NextBand | None = None
    full_max_score: int | None = None
    rated_under: Methodology | None = attrs.field(default=None, eq=False, repr=False)
    """The methodology object itself, for renderers; not part of the JSON."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: plain dicts, lists, strings and numbers only."""
        body = attrs.asdict(self, recurse=True, filter=lambda a, _: a.name not in ("trace", "rated_under"), value_serializer=_plain)
        return {"result_version": RESULT_VERSION, **body, "trace": self.trace.to_dict()}


def _plain(_: Any, __: Any, value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
