"""What the robustness analysis sees of an inspection: counts, the key-question band table read
generically, and the engine consulted for everything else.

The analysis never decides a rating. Enumerating every possible yes count needs a key question's
band for each count, so that table is read from the methodology (generically, with its rounding
rule), and :func:`build_unit` first checks that this reading reproduces every case-based rating
the engine gave. Whatever depends on guidance, overrides or judgements is asked of the engine
through the public :func:`probation_rules.rate`, once per distinct profile of case-based ratings;
the overall band of each score comes from the engine's own band rules (``rate_score``).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

import attrs

from probation_rules import rate
from probation_rules._convert import render_path
from probation_rules.engine.rater import rate_score
from probation_rules.errors import ProbationRulesError, Problem, RobustnessError, UsageError
from probation_rules.inspection import Counts, Inspection, JudgedEvidence, NotRated, observed_key_questions
from probation_rules.methodology.schema import BandTable, GuidanceRow, Methodology, Standard
from probation_rules.percent import as_fraction, banded
from probation_rules.result import RatingResult

__all__ = [
    "CountedQuestion",
    "GuidedOutcome",
    "Profile",
    "RobustnessError",
    "Unit",
    "band_rank",
    "build_unit",
    "count_ranks",
]


COUNT_LIMIT = 10_000
"""Flip distances enumerate every possible yes count; inspections sample tens of cases, not thousands."""

EXACT_LIMIT = 1000
"""Exact binomial arithmetic grows with the square of the cases; inspections sample tens of them."""


def band_rank(m: Methodology, table: BandTable, value: Fraction) -> int | None:
    """The scale rank of the band holding ``value`` (lower bounds inclusive); None in a gap."""
    found: int | None = None
    for band in table.ordered():
        if value >= as_fraction(band.at_least):
            found = m.rank(band.rating)
    return found


def count_ranks(m: Methodology, relevant: int) -> tuple[int | None, ...]:
    """The band rank of each possible yes count, 0..relevant, after the methodology's rounding."""
    rounding = m.key_question_score.rounding
    return tuple(band_rank(m, m.key_question_bands, banded(Fraction(100 * yes, relevant), rounding)) for yes in range(relevant + 1))


@functools.lru_cache(maxsize=4096)
def _overall_by_engine(m: Methodology, score: int, max_score: int) -> int:
    rating, _ = rate_score(m, score, max_score)
    return m.rank(rating)


@attrs.frozen
class CountedQuestion:
    """One key question with counts, real or assumed, and its band for every possible count."""

    standard: str
    id: str
    label: str
    yes: int
    relevant: int
    assumed: bool
    ranks: tuple[int | None, ...]

    @property
    def rank(self) -> int | None:
        return self.ranks[self.yes]

    @property
    def percent(self) -> Fraction:
        return Fraction(100 * self.yes, self.relevant)


Profile = tuple[int, ...]
"""Ranks of the guidance-informing varying standards, canonicalised (see :meth:`Unit.signature`)."""


@attrs.frozen
class FixedPart:
    """What the engine gives, for one profile, beyond the varying standards' own points."""

    points: int
    ratings: Mapping[str, str | None]
    guided: Mapping[str, GuidedOutcome] = attrs.field(factory=dict)
    """How the engine reached each guided standard's rating for this profile."""


@attrs.frozen
class GuidedOutcome:
    """How the engine rated a guided standard on one profile: the judgement, the indication, any departure."""

    rating: str | None
    judgement: str | None
    indicated: str | None
    departure: str | None
    """The id of the rule that departed from the indication, if one did."""
    capped: bool = False
    strengths: int = 0
    """How many recorded strengths the departure rests on."""


@attrs.frozen(eq=False)
class Unit:
    """An inspection as the analysis models it.

    ``varying`` are the case-based standards whose key questions all have counts and whose
    rating the band tables reproduce; only they vary. Everything else (judged standards, guided
    standards, case-based standards given as percentages only) is held as the inspection gives
    it, and guided standards are re-rated by the engine for each profile of the varying ones.
    """

    methodology: Methodology
    inspection: Inspection
    result: RatingResult
    questions: Mapping[str, tuple[CountedQuestion, ...]]
    """Every key question with counts (real or assumed), by standard, varying or not."""
    varying: tuple[str, ...]
    informing: tuple[str, ...]
    """The varying standards some guidance table reads, in methodology order."""
    symmetric: bool
    notes: tuple[str, ...]
    overall_ok: bool
    """Whether the band tables and the engine's per-profile answers reproduce the observed score and overall rating."""
    _cache: dict[Profile, FixedPart] = attrs.field(factory=dict, repr=False)

    @property
    def m(self) -> Methodology:
        return self.methodology

    def rank_of(self, standard_id: str) -> int | None:
        rating = self.result.standards[standard_id].rating
        return None if rating is None else self.m.rank(rating)

    def overall_rank(self, score: int) -> int:
        """The engine's overall band for a score out of this inspection's maximum (which sampling never changes)."""
        return _overall_by_engine(self.m, score, self.result.max_score)

    def points(self, rank: int) -> int:
        return self.m.points_for(self.m.scale.ratings[rank])

    def scored(self, standard_id: str) -> bool:
        return self.m.standard(standard_id).scored

    def signature(self, ranks: Mapping[str, int]) -> Profile:
        """The part of a profile that guidance can see, in the cheapest form that determines it.

        Guidance rows test 'all/any informing standards at most/at least' a rating: symmetric in
        the informing standards, so only the multiset of their ratings matters (35 profiles
        instead of 256 for four standards). Any other kind of row makes the order matter.
        """
        profile = tuple(ranks[s] for s in self.informing)
        return tuple(sorted(profile)) if self.symmetric else profile

    def fixed_part(self, profile: Profile) -> FixedPart:
        """Points and ratings of every non-varying standard when the informing ones have ``profile``."""
        found = self._cache.get(profile)
        if found is None:
            found = self._cache[profile] = self._ask_engine(profile)
        return found

    def _ask_engine(self, profile: Profile) -> FixedPart:
        m = self.m
        wanted = dict(zip(self.informing, profile, strict=True))
        for sid in self.varying:
            wanted.setdefault(sid, self.rank_of(sid) or 0)
        doc = _document(self.inspection, m, {sid: _representative(m, rank) for sid, rank in wanted.items()})
        ratings, points, guided = _rate_document(m, json.dumps(doc, sort_keys=True))
        for sid, rank in wanted.items():
            if ratings[sid] != m.scale.ratings[rank]:
                raise RobustnessError(
                    Problem(render_path(("standards", sid)), f"the engine rated a representative profile {ratings[sid]}, not {m.scale.ratings[rank]}"),
                    file=self.inspection.source,
                )
        fixed = {sid: rating for sid, rating in ratings.items() if sid not in self.varying}
        return FixedPart(sum(p for sid, p in points.items() if sid not in self.varying), fixed, guided)


def _representative(m: Methodology, rank: int) -> float:
    """A percentage the key-question table places in the band of ``rank``, for synthetic profiles."""
    rounding = m.key_question_score.rounding
    ordered = m.key_question_bands.ordered()
    for i, band in enumerate(ordered):
        if m.rank(band.rating) != rank:
            continue
        upper = as_fraction(ordered[i + 1].at_least) if i + 1 < len(ordered) else Fraction(100)
        low = as_fraction(band.at_least)
        for candidate in (low, Fraction(math.ceil(low)), (low + upper) / 2, Fraction(math.floor((low + upper) / 2))):
            if 0 <= candidate <= 100 and band_rank(m, m.key_question_bands, banded(candidate, rounding)) == rank:
                return float(candidate)
    raise RobustnessError(Problem("key_question_bands", f"has no percentage in the band of {m.scale.ratings[rank]} to stand for it"))


def _document(inspection: Inspection, m: Methodology, replaced: Mapping[str, float]) -> dict[str, Any]:
    """The inspection as a JSON document, with the ``replaced`` standards set to one percentage each."""
    standards: dict[str, Any] = {}
    for s in m.standards:
        if s.id in replaced:
            standards[s.id] = {"key_questions": {q.id: replaced[s.id] for q in s.key_questions}}
            continue
        evidence = inspection.standards.get(s.id)
        if isinstance(evidence, JudgedEvidence):
            standards[s.id] = {"judgement": evidence.judgement, "strengths": list(evidence.strengths)}
        elif isinstance(evidence, NotRated):
            standards[s.id] = {"not_rated": evidence.not_rated}
        elif s.kind == "case":
            values = observed_key_questions(inspection, s.id)
            standards[s.id] = {"key_questions": {k: _plain(v) for k, v in values.items()}}
    return {"id": inspection.id, "unit": inspection.unit, "standards": standards}


def _plain(value: Counts | float) -> Any:
    return {"yes": value.yes, "relevant": value.relevant} if isinstance(value, Counts) else value


@functools.lru_cache(maxsize=8192)
def _rate_document(m: Methodology, doc: str) -> tuple[dict[str, str | None], dict[str, int], dict[str, GuidedOutcome]]:
    """The engine's ratings, points and guided outcomes for a synthetic document (cached: profiles recur)."""
    result = rate(json.loads(doc), m)
    ratings = {sid: s.rating for sid, s in result.standards.items()}
    points = {sid: s.points for sid, s in result.standards.items() if s.points is not None and s.scored and s.rating is not None}
    targets = {g.target for g in m.guidance}
    guided = {
        sid: GuidedOutcome(
            s.rating,
            s.judgement,
            s.indicated,
            None if s.departure is None else s.departure.rule,
            s.departure is not None and s.departure.capped,
            0 if s.departure is None else len(s.departure.reasons),
        )
        for sid, s in result.standards.items()
        if sid in targets
    }
    return ratings, points, guided


_SYMMETRIC_ROW_FIELDS = frozenset({"id", "indicates", "all_at_most", "all_at_least", "any_at_most", "any_at_least", "citation", "evidence"})


def _rows_are_symmetric(m: Methodology) -> bool:
    """Whether every guidance row reads its informing standards only through all/any conditions."""
    for g in m.guidance:
        for row in g.rows:
            for field in attrs.fields(GuidanceRow):
                if field.name not in _SYMMETRIC_ROW_FIELDS and getattr(row, field.name) != field.default:
                    return False
    return True


def assumed_counts(inspection: Inspection, m: Methodology, standard: Standard, cases: int | None) -> Iterator[tuple[str, Counts, bool] | Problem]:
    """Each key question's counts: given, or assumed as the nearest whole number of ``cases``."""
    values = observed_key_questions(inspection, standard.id)
    for q in standard.key_questions:
        value = values.get(q.id)
        if isinstance(value, Counts):
            yield q.id, value, False
        elif value is not None and cases is not None:
            percent = as_fraction(value)
            yes = math.floor(percent * cases / 100 + Fraction(1, 2))
            near = Fraction(100 * yes, cases)
            rounding = m.key_question_score.rounding
            same_band = band_rank(m, m.key_question_bands, banded(near, rounding)) == band_rank(m, m.key_question_bands, banded(percent, rounding))
            if abs(near - percent) > Fraction(1, 2) or not same_band:
                yield Problem(
                    render_path(("standards", standard.id, "key_questions", q.id)),
                    f"is not a whole number of {cases} cases (the nearest, {yes} of {cases}, is {float(near):g}%): "
                    'give counts as {"yes": k, "relevant": n} or choose another --cases',
                    float(value),
                )
            else:
                yield q.id, Counts(yes, cases), True


def build_unit(inspection: Inspection, m: Methodology, result: RatingResult, cases: int | None = None) -> Unit:
    """Model an inspection for analysis; ``cases`` assumes that many relevant cases where only percentages are given."""
    if cases is not None and not 1 <= cases <= COUNT_LIMIT:
        raise UsageError(Problem("cases", f"must be from 1 to {COUNT_LIMIT} (the number of relevant cases to assume)", cases))
    questions: dict[str, tuple[CountedQuestion, ...]] = {}
    problems: list[Problem] = []
    uncounted: list[str] = []
    notes: list[str] = []
    varying: list[str] = []
    for s in m.standards:
        if s.kind != "case":
            continue
        labels = {q.id: q.label for q in s.key_questions}
        counted = []
        for item in assumed_counts(inspection, m, s, cases):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            qid, counts, assumed = item
            if counts.relevant > COUNT_LIMIT:
                where = render_path(("standards", s.id, "key_questions", qid, "relevant"))
                problems.append(Problem(where, f"is more than the analysis enumerates ({COUNT_LIMIT} relevant cases per key question)", counts.relevant))
                continue
            counted.append(CountedQuestion(s.id, qid, labels[qid], counts.yes, counts.relevant, assumed, count_ranks(m, counts.relevant)))
        questions[s.id] = tuple(counted)
        engine_rating = result.standards[s.id].rating if s.id in result.standards else None
        if engine_rating is None:
            notes.append(f"{s.id} is not rated, so it is left out of the analysis.")
        elif len(counted) < len(s.key_questions):
            uncounted.append(s.id)
        else:
            ranks = [q.rank for q in counted]
            mine = None if None in ranks else min(r for r in ranks if r is not None)
            if mine is None or m.scale.ratings[mine] != engine_rating:
                notes.append(f"{s.id}: the band table read from its counts does not give the engine's rating ({engine_rating}); its figures are withheld.")
            else:
                varying.append(s.id)
    if problems:
        raise RobustnessError(problems, file=inspection.source)
    if uncounted:
        notes.append(
            f"{', '.join(uncounted)}: key questions given as percentages only. Flip distances and sampling figures need counts "
            '(give {"yes": k, "relevant": n}, or run with --cases N to assume N relevant cases each); these standards are held fixed.'
        )
    if any(q.assumed for qs in questions.values() for q in qs):
        notes.append(
            f"Counts assumed: key questions given as percentages are read as the nearest whole number of {cases} relevant cases "
            f"(--cases {cases}); every figure below rests on that assumption."
        )
    informing_ids = {s.id for g in m.guidance for s in m.informing_standards(g)}
    informing = tuple(sid for sid in varying if sid in informing_ids)
    per_table = {tuple(s.id for s in m.informing_standards(g) if s.id in informing) for g in m.guidance}
    symmetric = _rows_are_symmetric(m) and len(per_table - {()}) <= 1
    unit = Unit(m, inspection, result, questions, tuple(varying), informing, symmetric, tuple(notes), overall_ok=True)
    return attrs.evolve(unit, overall_ok=_reproduces_overall(unit))


def _reproduces_overall(unit: Unit) -> bool:
    """Whether the model (band table for case-based standards, engine for the rest) gives the engine's own score and overall rating.

    Every overall figure is computed from that model, so where it cannot reproduce the observed
    outcome (a methodology feature it does not know), the overall figures are withheld.
    """
    m = unit.m
    ranks = {sid: unit.rank_of(sid) or 0 for sid in unit.varying}
    try:
        fixed = unit.fixed_part(unit.signature(ranks))
        score = fixed.points + sum(unit.points(r) for sid, r in ranks.items() if unit.scored(sid))
        return score == unit.result.score and m.scale.ratings[unit.overall_rank(score)] == unit.result.overall
    except ProbationRulesError:
        return False
