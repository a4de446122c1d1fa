"""What must hold for every methodology and every inspection: the library's invariants.

Each invariant is a plain function ``(methodology, inspection document) -> None`` that raises
:class:`AssertionError` with a message a policy officer can read. The test suite runs them with
hypothesis over generated methodologies; ``probation-rules check --properties`` runs them over
one methodology, so a variant is held to exactly the promises the library's own tests make.

The monotonicity invariants hold only for methodologies ``check`` finds monotone (no
``not-monotone`` finding): on any other they are expected to fail, which is how ``check
--properties`` shows the simplest inspection a non-monotone change mistreats.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import random
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from probation_rules import ProbationRulesError, RatingResult, load_inspection, rate
from probation_rules.dump import inspection_to_dict, methodology_to_dict
from probation_rules.inspection import Counts, observed_key_questions
from probation_rules.methodology.loader import methodology_from_dict
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import as_fraction
from probation_rules.testing._reading import band_for, overall_band_for, rated_maximum, rounded_percent, row_holds
from probation_rules.testing.replay import replay_trace
from probation_rules.testing.variations import better_judgements, better_key_questions, order_of, reordered, shuffled

__all__ = [
    "INVARIANTS",
    "MONOTONICITY",
    "Invariant",
    "determinism",
    "guidance_and_override",
    "inspection_round_trip",
    "key_question_bands",
    "lowest_drives",
    "methodology_round_trip",
    "monotone_in_judgements",
    "monotone_in_key_questions",
    "overall_is_band_of_score",
    "score_is_sum_of_points",
    "totality",
    "trace_replay",
]

Invariant = Callable[[Methodology, Mapping[str, Any]], None]

SHUFFLES = 3
"""How many shuffled orders :func:`determinism` tries besides the reverse order."""


def _rate_now(m: Methodology, doc: Mapping[str, Any]) -> RatingResult:
    try:
        return rate(copy.deepcopy(dict(doc)), m)
    except ProbationRulesError as exc:
        raise AssertionError(f"the inspection gets no rating: {exc.one_line()}") from exc


@functools.lru_cache(maxsize=32)
def _rated_text(m: Methodology, text: str) -> RatingResult:
    return _rate_now(m, json.loads(text))


def _rated(m: Methodology, doc: Mapping[str, Any]) -> RatingResult:
    """The result, shared by the invariants that only read it (they may not change it)."""
    return _rated_text(m, json.dumps(doc, sort_keys=True))


def _rating(result: RatingResult, standard: str) -> str:
    rating = result.standards[standard].rating
    assert rating is not None, f"{standard} is not rated"
    return rating


def _unrated(doc: Mapping[str, Any]) -> dict[str, str]:
    """The standards the document leaves unrated, with the reason it gives."""
    standards = doc.get("standards", {})
    return {sid: e["not_rated"] for sid, e in standards.items() if isinstance(e, Mapping) and "not_rated" in e}


def _ranks(m: Methodology, result: RatingResult) -> dict[str, int]:
    """The rank of every rated standard (an unrated one has none to compare)."""
    return {sid: m.rank(s.rating) for sid, s in result.standards.items() if s.rating is not None}


def totality(m: Methodology, doc: Mapping[str, Any]) -> None:
    """Every valid inspection gets a rating for every standard it does not leave unrated, a score and an overall rating."""
    result = _rate_now(m, doc)
    unrated = _unrated(doc)
    assert set(result.standards) == {s.id for s in m.standards}, f"rated {sorted(result.standards)}, not every standard of {m.id}"
    for sid, s in result.standards.items():
        if sid in unrated:
            assert (s.rating, s.points, s.not_rated) == (None, None, unrated[sid]), (
                f"{sid} is left unrated ({unrated[sid]!r}) but the result gives rating {s.rating!r}, points {s.points!r}, reason {s.not_rated!r}"
            )
        else:
            assert s.rating in m.scale.ratings, f"{sid} is rated {s.rating!r}, not a rating on the scale"
            assert s.not_rated is None, f"{sid} is rated but the result says it was left unrated ({s.not_rated!r})"
    assert result.overall in m.scale.ratings, f"the overall rating {result.overall!r} is not on the scale"


def _percents(m: Methodology, doc: Mapping[str, Any], standard: str) -> dict[str, tuple[Fraction, Fraction]]:
    """Each key question's exact percentage and the banded one, read from the document."""
    values = observed_key_questions(load_inspection(doc), standard)
    out = {}
    for q, value in values.items():
        exact = value.ratio if isinstance(value, Counts) else as_fraction(value)
        out[q] = (exact, rounded_percent(exact, m.key_question_score.rounding))
    return out


def key_question_bands(m: Methodology, doc: Mapping[str, Any]) -> None:
    """Each key question is placed, after the rounding rule, in the band its table gives."""
    result = _rated(m, doc)
    unrated = _unrated(doc)
    for s in m.standards:
        if s.kind != "case" or s.id in unrated:
            continue
        for q, (exact, placed) in _percents(m, doc, s.id).items():
            got = result.standards[s.id].key_questions[q]
            band = band_for(m.key_question_bands, placed)
            assert band is not None, f"{s.id}/{q} at {float(placed):g}% is below every band"
            assert Fraction(got.banded_percent) == Fraction(float(placed)), (
                f"{s.id}/{q}: {float(exact):g}% is placed as {got.banded_percent}, not {float(placed):g}"
            )
            assert (got.band, got.rule) == (band.rating, band.id), (
                f"{s.id}/{q} at {float(placed):g}% is in {got.band} ({got.rule}), not {band.rating} ({band.id})"
            )


def lowest_drives(m: Methodology, doc: Mapping[str, Any]) -> None:
    """A case-based standard takes the band of its lowest key question, which is its driver."""
    result = _rated(m, doc)
    unrated = _unrated(doc)
    for s in m.standards:
        if s.kind != "case" or s.id in unrated:
            continue
        placed = {q: p for q, (_, p) in _percents(m, doc, s.id).items()}
        lowest = min(placed.values())
        band = band_for(m.key_question_bands, lowest)
        got = result.standards[s.id]
        assert band is not None and got.rating == band.rating, (
            f"{s.id} is rated {got.rating}, but its lowest key question ({float(lowest):g}%) is in {band and band.rating}"
        )
        first = next(q.id for q in s.key_questions if placed[q.id] == lowest)
        assert got.driver == first, f"{s.id}'s driver is {got.driver}, not {first}, the first key question at the lowest {float(lowest):g}%"


def score_is_sum_of_points(m: Methodology, doc: Mapping[str, Any]) -> None:
    """The score is the sum of the rated scored standards' points, between 0 and the maximum they can earn."""
    result = _rated(m, doc)
    unrated = _unrated(doc)
    points = {s.id: m.points_for(_rating(result, s.id)) for s in m.standards if s.scored and s.id not in unrated}
    maximum, full = rated_maximum(m, unrated), rated_maximum(m, ())
    assert result.score == sum(points.values()), f"the score is {result.score}, but the points {points} add up to {sum(points.values())}"
    assert 0 <= result.score <= result.max_score == maximum, f"the score {result.score} is outside 0..{maximum} (result says max {result.max_score})"
    assert result.full_max_score == full, f"the result says the full maximum is {result.full_max_score}, not {full}"
    for sid, p in points.items():
        assert result.standards[sid].points == p, f"{sid} earns {result.standards[sid].points} points, not {p}"


def overall_is_band_of_score(m: Methodology, doc: Mapping[str, Any]) -> None:
    """The overall rating is the band of the score, read as the ``not_rated`` rule says when the maximum is reduced."""
    result = _rated(m, doc)
    band = overall_band_for(m, result.score, result.max_score)
    out_of = f"{result.score} of {result.max_score}"
    assert band is not None, f"a score of {out_of} is below every overall band"
    assert (result.overall, result.overall_rule) == (band.rating, band.id), (
        f"a score of {out_of} is rated {result.overall} ({result.overall_rule}), not {band.rating} ({band.id})"
    )
    rescaled = band_for(m.overall_bands_for(result.max_score), Fraction(result.score))
    assert rescaled is not None and rescaled.id == band.id, (
        f"the bands rescaled to {result.max_score} place a score of {out_of} in {rescaled and rescaled.id}, the rule's statement in {band.id}"
    )


def guidance_and_override(m: Methodology, doc: Mapping[str, Any]) -> None:
    """The guidance indicates what its matching rows say; the override needs strengths, keeps to its limit and is recorded.

    A table reads only the informing standards that are rated and indicates nothing when none is;
    a target left unrated is not guided at all.
    """
    result = _rated(m, doc)
    ratings = m.scale.ratings
    unrated = _unrated(doc)
    for g in m.guidance:
        got = result.standards[g.target]
        if g.target in unrated:  # an unrated standard is not guided
            assert got.indicated is None and got.departure is None, f"{g.target} is left unrated but records guidance"
            continue
        informing = [result.standards[s.id].rating for s in m.informing_standards(g) if s.id not in unrated]
        rated = [r for r in informing if r is not None]
        assert len(rated) == len(informing), f"{g.id} reads the informing ratings {informing}, but some are not rated"
        indications = {row.indicates for row in g.rows if rated and row_holds(m, row, rated)}
        assert len(indications) <= 1, f"{g.id} indicates {sorted(indications)} at once for {rated}"
        evidence = doc["standards"][g.target]
        judged, strengths = m.rank(evidence["judgement"]), list(evidence.get("strengths", []))
        indicated = m.rank(indications.pop()) if indications else None
        assert got.indicated == (None if indicated is None else ratings[indicated]), f"{g.target}: indicated {got.indicated}, the rows give {indicated}"
        o = g.override
        departs = o is not None and indicated is not None and judged > indicated and len(strengths) >= o.min_strengths
        if indicated is None:
            expected = judged
        elif departs and o is not None:
            expected = min(judged, indicated + o.max_bands_up)
        else:
            expected = indicated if g.mode == "exact" else min(judged, indicated)
        assert got.rating == ratings[expected], (
            f"{g.target} is rated {got.rating}; judged {ratings[judged]} with {len(strengths)} strength(s) "
            f"and indicated {got.indicated}, {g.mode} mode gives {ratings[expected]}"
        )
        if not departs:
            assert got.departure is None, f"{g.target} records a departure ({got.departure}) without its conditions"
            continue
        assert o is not None and indicated is not None and got.departure is not None, f"{g.target} departs from {got.indicated} without recording it"
        d = got.departure
        assert d.rule == o.id and d.reasons == tuple(strengths), (
            f"{g.target}'s departure records {d.rule} with {d.reasons}, not {o.id} with the strengths {strengths}"
        )
        assert d.capped == (judged - indicated > o.max_bands_up), (
            f"{g.target}'s departure capped={d.capped}, from {ratings[indicated]} to a judgement of {ratings[judged]}"
        )
        assert 0 < m.rank(got.rating) - indicated <= o.max_bands_up or (d.capped and o.max_bands_up == 0), (
            f"{g.target} departs beyond the limit of {o.max_bands_up}"
        )


def determinism(m: Methodology, doc: Mapping[str, Any]) -> None:
    """The same inspection, rated again or written in any other order, gives the same result and trace.

    The orders tried are the reverse of the document's and a few shuffles of its standards, key
    questions, cases and answers, seeded by the document itself so that a failure can be repeated.
    """
    first = _rate_now(m, doc).to_dict()
    assert _rate_now(m, doc).to_dict() == first, "rating the same inspection twice gave different results"
    assert _rate_now(m, reordered(doc)).to_dict() == first, "writing the standards, key questions and cases in reverse order changed the result"
    seed = int.from_bytes(hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).digest()[:8], "big")
    rng = random.Random(seed)
    for _ in range(SHUFFLES):
        again = shuffled(doc, rng)
        assert _rate_now(m, again).to_dict() == first, f"writing the document in another order changed the result: {order_of(again)}"


def inspection_round_trip(m: Methodology, doc: Mapping[str, Any]) -> None:
    """Loading, writing back and loading an inspection gives the same inspection and the same result."""
    loaded = load_inspection(copy.deepcopy(dict(doc)))
    written = json.loads(json.dumps(inspection_to_dict(loaded)))
    assert load_inspection(written) == loaded, f"the inspection written back reads differently: {written}"
    assert _rate_now(m, written).to_dict() == _rated(m, doc).to_dict(), "the inspection written back rates differently"


def trace_replay(m: Methodology, doc: Mapping[str, Any]) -> None:
    """The rules the trace names, applied to the inputs it records, give the result."""
    replay_trace(m, _rated(m, doc))


def _no_lower(m: Methodology, before: RatingResult, after: RatingResult, change: str) -> None:
    lower = {sid: (before.standards[sid].rating, after.standards[sid].rating) for sid, r in _ranks(m, after).items() if r < _ranks(m, before)[sid]}
    assert not lower, f"{change} lowered {', '.join(f'{sid} from {a} to {b}' for sid, (a, b) in lower.items())}"
    assert after.score >= before.score, f"{change} lowered the score from {before.score} to {after.score}"
    assert m.rank(after.overall) >= m.rank(before.overall), f"{change} lowered the overall rating from {before.overall} to {after.overall}"


def monotone_in_key_questions(m: Methodology, doc: Mapping[str, Any]) -> None:
    """A better key question never lowers any rating, the score or the overall rating."""
    before = _rated(m, doc)
    for change, better in better_key_questions(m, doc):
        _no_lower(m, before, _rate_now(m, better), f"raising {change}")


def monotone_in_judgements(m: Methodology, doc: Mapping[str, Any]) -> None:
    """A better judgement, or one more recorded strength, never lowers any rating."""
    before = _rated(m, doc)
    for change, better in better_judgements(m, doc):
        _no_lower(m, before, _rate_now(m, better), change)


def methodology_round_trip(m: Methodology) -> None:
    """Writing a methodology back as data and loading it gives the same methodology."""
    written = json.loads(json.dumps(methodology_to_dict(m)))
    again = methodology_from_dict(written)
    assert attrs.evolve(again, source=None, sha256="") == attrs.evolve(m, source=None, sha256=""), "the methodology written back reads differently"


INVARIANTS: dict[str, Invariant] = {
    "totality": totality,
    "key_question_bands": key_question_bands,
    "lowest_drives": lowest_drives,
    "score_is_sum_of_points": score_is_sum_of_points,
    "overall_is_band_of_score": overall_is_band_of_score,
    "guidance_and_override": guidance_and_override,
    "determinism": determinism,
    "inspection_round_trip": inspection_round_trip,
    "trace_replay": trace_replay,
    "monotone_in_key_questions": monotone_in_key_questions,
    "monotone_in_judgements": monotone_in_judgements,
}
"""Every invariant over (methodology, inspection), by name."""

MONOTONICITY = ("monotone_in_key_questions", "monotone_in_judgements")
"""The invariants that hold only for methodologies ``check`` finds monotone."""
