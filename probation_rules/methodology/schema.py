"""The shape of a methodology file, as frozen attrs classes.

A methodology is data: the rating scale, the standards and their key questions, the band
tables, the guidance that lets one group of standards inform another, and the exception that
lets inspectors depart from it. Every rule carries a stable ``id`` (variants address rules by
it), a ``citation`` and an ``evidence`` level, because policy staff need to see how firm each
rule is. Nothing in this module knows a particular framework.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Literal

import attrs

from probation_rules._convert import LOADER_SET

__all__ = [
    "EVIDENCE_LEVELS",
    "Band",
    "BandTable",
    "Domain",
    "Evidence",
    "Guidance",
    "GuidanceRow",
    "KeyQuestion",
    "KeyQuestionScore",
    "Methodology",
    "Override",
    "PointsRow",
    "PointsTable",
    "Rule",
    "Scale",
    "Standard",
]

Evidence = Literal["published", "data", "recalled", "inferred"]
EVIDENCE_LEVELS: tuple[Evidence, ...] = ("published", "data", "recalled", "inferred")
Rounding = Literal["exact", "nearest", "down"]
StandardKind = Literal["judged", "case"]
GuidanceMode = Literal["exact", "ceiling"]


@attrs.frozen
class Rule:
    """A rule's identity and provenance: what every trace entry shows.

    Also the whole content of rules whose meaning is fixed by the engine, such as 'lowest drives'.
    """

    id: str
    citation: str
    evidence: Evidence


@attrs.frozen
class Scale:
    id: str
    ratings: tuple[str, ...]
    citation: str
    evidence: Evidence


@attrs.frozen
class PointsRow:
    id: str
    rating: str
    points: int


@attrs.frozen
class PointsTable:
    id: str
    rows: tuple[PointsRow, ...]
    citation: str
    evidence: Evidence


@attrs.frozen
class Domain:
    id: str
    name: str


@attrs.frozen
class KeyQuestion:
    id: str
    label: str
    text: str


@attrs.frozen
class Standard:
    id: str
    name: str
    domain: str
    kind: StandardKind
    key_questions: tuple[KeyQuestion, ...] = ()
    scored: bool = True


@attrs.frozen
class KeyQuestionScore:
    """How a key question's share of relevant 'yes' cases becomes the percentage that is banded."""

    id: str
    rounding: Rounding
    citation: str
    evidence: Evidence


@attrs.frozen
class Band:
    """One row of a band table: values at or above ``at_least`` (up to the next row) get ``rating``."""

    id: str
    rating: str
    at_least: float
    words: str | None = None
    citation: str | None = None
    evidence: Evidence | None = None


@attrs.frozen
class BandTable:
    id: str
    bands: tuple[Band, ...]
    citation: str
    evidence: Evidence

    def ordered(self) -> tuple[Band, ...]:
        return tuple(sorted(self.bands, key=lambda b: b.at_least))


@attrs.frozen
class GuidanceRow:
    """One row of a guidance decision table; all the conditions given must hold.

    ``all_at_most = "Inadequate"`` means every informing standard is rated Inadequate or lower;
    ``any_at_least = "Good"`` means at least one is rated Good or higher.
    """

    id: str
    indicates: str
    all_at_most: str | None = None
    all_at_least: str | None = None
    any_at_most: str | None = None
    any_at_least: str | None = None
    citation: str | None = None
    evidence: Evidence | None = None

    def conditions(self) -> dict[str, str]:
        names = ("all_at_most", "all_at_least", "any_at_most", "any_at_least")
        return {n: v for n in names if (v := getattr(self, n)) is not None}


@attrs.frozen
class Override:
    """The labelled exception to a guidance table: inspectors may depart upwards on strengths."""

    id: str
    min_strengths: int
    max_bands_up: int
    citation: str
    evidence: Evidence
    title: str | None = None


@attrs.frozen
class Guidance:
    """Ratings of some standards indicate the rating of another (the target)."""

    id: str
    target: str
    rows: tuple[GuidanceRow, ...]
    citation: str
    evidence: Evidence
    mode: GuidanceMode = "exact"
    from_domain: str | None = None
    from_standards: tuple[str, ...] = ()
    title: str | None = None
    override: Override | None = None


@attrs.frozen(cache_hash=True)
class Methodology:
    """A whole rating framework. ``source`` and ``sha256`` are set by the loader, not the file."""

    schema: int
    id: str
    version: str
    title: str
    scale: Scale
    points: PointsTable
    domains: tuple[Domain, ...]
    judged_rating: Rule
    standards: tuple[Standard, ...]
    key_question_score: KeyQuestionScore
    key_question_bands: BandTable
    case_rating: Rule
    score: Rule
    overall_bands: BandTable
    guidance: tuple[Guidance, ...] = ()
    in_force_from: datetime.date | None = None
    in_force_until: datetime.date | None = None
    in_force_note: str | None = None
    description: str | None = None
    source: str | None = attrs.field(default=None, metadata={LOADER_SET: True})
    sha256: str = attrs.field(default="", metadata={LOADER_SET: True})

    def rank(self, rating: str) -> int:
        return self.scale.ratings.index(rating)

    def standard(self, standard_id: str) -> Standard:
        for standard in self.standards:
            if standard.id == standard_id:
                return standard
        raise KeyError(standard_id)

    def points_for(self, rating: str) -> int:
        return next(row.points for row in self.points.rows if row.rating == rating)

    @property
    def max_score(self) -> int:
        best = max((row.points for row in self.points.rows), default=0)
        return best * sum(1 for s in self.standards if s.scored)

    def informing_standards(self, guidance: Guidance) -> tuple[Standard, ...]:
        """The standards whose ratings a guidance table reads, in methodology order."""
        wanted = set(guidance.from_standards)
        return tuple(
            s for s in self.standards if s.id in wanted or (guidance.from_domain is not None and s.domain == guidance.from_domain and s.id != guidance.target)
        )

    def rules(self) -> Iterator[Rule]:
        """Every rule with its provenance; rows inherit their table's citation and evidence."""
        for item in (self.scale, self.points, self.judged_rating, self.key_question_score):
            yield Rule(item.id, item.citation, item.evidence)
        for points_row in self.points.rows:
            yield Rule(points_row.id, self.points.citation, self.points.evidence)
        for table in (self.key_question_bands, self.overall_bands):
            yield Rule(table.id, table.citation, table.evidence)
            for band in table.bands:
                yield Rule(band.id, band.citation or table.citation, band.evidence or table.evidence)
        for item in (self.case_rating, self.score):
            yield Rule(item.id, item.citation, item.evidence)
        for guidance in self.guidance:
            yield Rule(guidance.id, guidance.citation, guidance.evidence)
            for row in guidance.rows:
                yield Rule(row.id, row.citation or guidance.citation, row.evidence or guidance.evidence)
            if guidance.override is not None:
                o = guidance.override
                yield Rule(o.id, o.citation, o.evidence)

    def rule(self, rule_id: str) -> Rule:
        for info in self.rules():
            if info.id == rule_id:
                return info
        raise KeyError(rule_id)
