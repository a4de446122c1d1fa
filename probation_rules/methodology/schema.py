"""The shape of a methodology file, as frozen attrs classes.

A methodology is data: the rating scale, the standards and their key questions, the band
tables, the guidance that lets one group of standards inform another, and the exception that
lets inspectors depart from it. Every rule carries a stable ``id`` (variants address rules by
it), a ``citation`` and an ``evidence`` level, because policy staff need to see how firm each
rule is. Nothing in this module knows a particular framework.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
import operator
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Literal

import attrs

from probation_rules._convert import LOADER_SET
from probation_rules.percent import as_fraction

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
    "Lineage",
    "Methodology",
    "NotRatedRule",
    "Override",
    "PointsRow",
    "PointsTable",
    "Rescale",
    "Rule",
    "Scale",
    "Standard",
    "point_totals",
]

Evidence = Literal["published", "data", "recalled", "inferred"]
EVIDENCE_LEVELS: tuple[Evidence, ...] = ("published", "data", "recalled", "inferred")
Rounding = Literal["exact", "nearest", "down"]
StandardKind = Literal["judged", "case"]
GuidanceMode = Literal["exact", "ceiling"]
RescaleMethod = Literal["proportional", "none"]


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
    """A rated standard. ``citation`` and ``evidence`` say how firm its name and key questions are.

    They are optional because a framework's structure is often better attested than its rules
    (every report prints the standards); where a framework's structure is itself recalled or
    inferred, its file says so here rather than in a comment nobody sees. Where the key questions
    are less firm than the standard (a published name, inferred question wording),
    ``key_questions_citation`` and ``key_questions_evidence`` say so for them; otherwise they
    share the standard's.
    """

    id: str
    name: str
    domain: str
    kind: StandardKind
    key_questions: tuple[KeyQuestion, ...] = ()
    scored: bool = True
    citation: str | None = None
    evidence: Evidence | None = None
    key_questions_citation: str | None = None
    key_questions_evidence: Evidence | None = None


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


@attrs.frozen(cache_hash=True)
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


@attrs.frozen
class Rescale:
    """How the overall bands move when unrated standards shrink the maximum score.

    ``proportional``: a score ``s`` out of a reduced maximum ``M`` takes the band it would take in
    the stated table scaled to the full maximum ``N``, that is the band whose ``at_least`` is at
    most ``s * N / M``; equivalently each lower bound ``a`` becomes ``ceil(a * M / N)`` points.
    ``none``: the bands stand as stated, in points, whatever the maximum.
    """

    id: str
    method: RescaleMethod
    citation: str
    evidence: Evidence
    title: str | None = None


@attrs.frozen
class NotRatedRule:
    """What follows when inspectors leave a standard unrated (for example, no relevant cases).

    The standard gets no rating and no points; it leaves the score and the maximum score, and the
    profile any guidance table reads (a table reads its rated informing standards only, and
    indicates nothing when none is rated; a table whose target is unrated is not consulted).
    A methodology without this section refuses unrated standards: nothing unstated happens.
    """

    id: str
    rescale: Rescale
    citation: str
    evidence: Evidence
    title: str | None = None


@attrs.frozen
class Lineage:
    """Where a variant comes from, so a result rated under it can never pass for its base."""

    base_id: str
    base_version: str
    base_sha256: str
    variant: str
    rationale: str
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def point_totals(groups: Iterable[tuple[Collection[int], int]]) -> frozenset[int]:
    """Every total that standards' points can add up to, one choice of points per standard.

    ``groups`` gives, for each kind of standard, the points one of them can earn and how many
    such standards there are: ``[({0, 1, 2, 3}, 5), ({1, 2, 3}, 2)]``. Counted as a bit set, so
    thirty standards cost thirty shifts, not every combination.
    """
    totals = 1  # bit t set: t is a total; before any standard, only 0
    for options, count in groups:
        for _ in range(count):
            totals = functools.reduce(operator.or_, (totals << p for p in set(options)), 0)
    return frozenset(t for t in range(totals.bit_length()) if totals >> t & 1)


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
    not_rated: NotRatedRule | None = None
    programme: str | None = None
    """The inspection programme the framework serves; within one, in-force ranges must not overlap."""
    in_force_from: datetime.date | None = None
    in_force_until: datetime.date | None = None
    """The last day in force (inclusive); None: still in force."""
    in_force_note: str | None = None
    in_force_citation: str | None = None
    in_force_evidence: Evidence | None = None
    """How firm the in-force dates are, and where they come from (selection by date relies on them)."""
    description: str | None = None
    source: str | None = attrs.field(default=None, metadata={LOADER_SET: True})
    sha256: str = attrs.field(default="", metadata={LOADER_SET: True})
    lineage: Lineage | None = attrs.field(default=None, metadata={LOADER_SET: True})
    """Set when the methodology is a variant of another (see :mod:`probation_rules.methodology.variants`)."""

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
        return self.best_points * sum(1 for s in self.standards if s.scored)

    @property
    def best_points(self) -> int:
        """The points of the best rating: what one scored standard adds to the maximum."""
        return max((row.points for row in self.points.rows), default=0)

    def max_score_without(self, unrated: Collection[str]) -> int:
        """The maximum score when the standards in ``unrated`` drop out of it."""
        return self.best_points * sum(1 for s in self.standards if s.scored and s.id not in unrated)

    def possible_maxima(self) -> tuple[int, ...]:
        """Every maximum score some set of rated scored standards gives (at least one rated; 0 when none is scored)."""
        scored = sum(1 for s in self.standards if s.scored)
        return tuple(sorted({self.best_points * k for k in range(1, scored + 1)} | {self.max_score}))

    def scores_by_maximum(self, ratings: Callable[[Standard], Collection[str]] | None = None) -> dict[int, tuple[int, ...]]:
        """For each maximum score an inspection can be out of, every score its points can add up to.

        With every scored standard rated there is one maximum, :attr:`max_score`. With a
        ``not_rated`` rule, inspectors may leave scored standards unrated (any of them, not all):
        each number of rated standards gives its own maximum (:attr:`best_points` each) and its
        own scores. ``ratings`` gives the ratings a standard can be given (default: every rating on
        the scale; ``check`` passes only those the key-question bands can give a case-based
        standard). The one statement of which scores exist: the compiler writes a score rule for
        each, and ``check`` proves the overall bands over them.
        """
        kinds: dict[frozenset[int], int] = {}
        for s in self.standards:
            if s.scored:
                allowed = self.scale.ratings if ratings is None else ratings(s)
                options = frozenset(row.points for row in self.points.rows if row.rating in allowed)
                kinds[options] = kinds.get(options, 0) + 1
        options_of, counts = list(kinds), tuple(kinds.values())
        rated = [counts]
        if self.not_rated is not None:
            rated = [c for c in itertools.product(*(range(n + 1) for n in counts)) if sum(c) > 0] or rated
        found: dict[int, set[int]] = {}
        for numbers in rated:
            found.setdefault(self.best_points * sum(numbers), set()).update(point_totals(zip(options_of, numbers, strict=True)))
        return {maximum: tuple(sorted(scores)) for maximum, scores in sorted(found.items())}

    def overall_bands_for(self, max_score: int) -> BandTable:
        """The overall band table that applies when the maximum score is ``max_score``.

        The stated table when nothing is unrated, or when the methodology does not rescale;
        otherwise the proportional rescaling of :class:`Rescale`, with the same band ids, so a
        rescaled band is still the rule it was (its bound is what moved). The rescaled bands are
        listed in the order of their stated bounds: where two bounds rescale to the same whole
        score, the band stated higher wins there, as the rule says (``s * N / M`` reaches it).
        """
        full = self.max_score
        if max_score == full or full == 0 or self.not_rated is None or self.not_rated.rescale.method == "none":
            return self.overall_bands
        stated = sorted(self.overall_bands.bands, key=lambda b: as_fraction(b.at_least))
        bands = tuple(attrs.evolve(b, at_least=float(math.ceil(as_fraction(b.at_least) * max_score / full))) for b in stated)
        return attrs.evolve(self.overall_bands, bands=bands)

    def in_force_on(self, day: datetime.date) -> bool:
        """Whether ``day`` falls within the framework's in-force range (both ends inclusive)."""
        if self.in_force_from is None and self.in_force_until is None:
            return False
        return (self.in_force_from is None or self.in_force_from <= day) and (self.in_force_until is None or day <= self.in_force_until)

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
        if self.not_rated is not None:
            yield Rule(self.not_rated.id, self.not_rated.citation, self.not_rated.evidence)
            r = self.not_rated.rescale
            yield Rule(r.id, r.citation, r.evidence)
        for s in self.standards:
            if not s.scored:
                yield self.not_scored_rule(s)

    def not_scored_rule(self, standard: Standard) -> Rule:
        """The rule by which a standard rated but not scored adds no points: ``<standard id>.not-scored``.

        Its id is derived from the standard, and it cites the standard's own citation and evidence
        (the score rule's where the standard states none): that the standard is not scored is part
        of the standard's description in the methodology file (``scored = false``).
        """
        return Rule(f"{standard.id}.not-scored", standard.citation or self.score.citation, standard.evidence or self.score.evidence)

    def rule(self, rule_id: str) -> Rule:
        for info in self.rules():
            if info.id == rule_id:
                return info
        raise KeyError(rule_id)
