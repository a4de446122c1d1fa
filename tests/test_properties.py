"""Properties of the bundled PDU methodology, over generated inspections."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from probation_rules import RatingResult, load_methodology, rate
from probation_rules.percent import as_fraction, banded
from probation_rules.testing.strategies import inspection_documents

from .conftest import YORK

M = load_methodology("hmip-pdu-2023")
RANK = {label: i for i, label in enumerate(M.scale.ratings)}
YORK_DOC = json.loads(YORK.read_text())
CASE_STANDARDS = [s for s in M.standards if s.kind == "case"]
JUDGED = [s for s in M.standards if s.kind == "judged"]


def percent_of(value: Any) -> Fraction:
    exact = Fraction(100 * value["yes"], value["relevant"]) if isinstance(value, dict) else as_fraction(value)
    return banded(exact, M.key_question_score.rounding)


def band_of(percent: Fraction) -> str:
    """The band table read directly, independently of the compiled rules."""
    label = M.key_question_bands.ordered()[0].rating
    for band in M.key_question_bands.ordered():
        if percent >= as_fraction(band.at_least):
            label = band.rating
    return label


def ranks(result: RatingResult) -> dict[str, int]:
    return {sid: RANK[s.rating] for sid, s in result.standards.items()}


@given(inspection_documents(M))
@example(YORK_DOC)
def test_a_case_standard_is_rated_by_the_band_of_its_lowest_key_question(doc: dict[str, Any]) -> None:
    result = rate(doc, M)
    for s in CASE_STANDARDS:
        percents = {q: percent_of(v) for q, v in doc["standards"][s.id]["key_questions"].items()}
        lowest = min(percents.values())
        assert result.standards[s.id].rating == band_of(lowest)
        assert percents[result.standards[s.id].driver or ""] == lowest


@given(inspection_documents(M))
@example(YORK_DOC)
def test_the_score_is_the_sum_of_points_within_bounds(doc: dict[str, Any]) -> None:
    result = rate(doc, M)
    assert 0 <= result.score <= result.max_score == 21
    assert result.score == sum(M.points_for(s.rating) for s in result.standards.values())
    assert result.trace.roots()[0].outcome["rating"] == result.overall


@given(inspection_documents(M), st.data())
@example(YORK_DOC, None)
def test_raising_a_key_question_never_lowers_any_rating(doc: dict[str, Any], data: st.DataObject | None) -> None:
    before = rate(doc, M)
    raised = copy.deepcopy(doc)
    if data is None:  # the pinned York case: lift P2.3's lowest key question to 60%
        raised["standards"]["P2.3"]["key_questions"]["keeping_safe"] = 60
    else:
        s = data.draw(st.sampled_from(CASE_STANDARDS))
        q = data.draw(st.sampled_from(s.key_questions))
        current = float(percent_of(raised["standards"][s.id]["key_questions"][q.id]))
        raised["standards"][s.id]["key_questions"][q.id] = data.draw(st.floats(current, 100))
    after = rate(raised, M)
    assert all(after_rank >= ranks(before)[sid] for sid, after_rank in ranks(after).items())
    assert after.score >= before.score
    assert RANK[after.overall] >= RANK[before.overall]


@given(inspection_documents(M), st.data())
def test_raising_a_judgement_never_lowers_any_rating(doc: dict[str, Any], data: st.DataObject) -> None:
    before = rate(doc, M)
    s = data.draw(st.sampled_from(JUDGED))
    current = RANK[doc["standards"][s.id]["judgement"]]
    raised = copy.deepcopy(doc)
    raised["standards"][s.id]["judgement"] = M.scale.ratings[data.draw(st.integers(current, len(M.scale.ratings) - 1))]
    after = rate(raised, M)
    assert all(after_rank >= ranks(before)[sid] for sid, after_rank in ranks(after).items())
    assert after.score >= before.score


@given(inspection_documents(M))
@example(YORK_DOC)
def test_the_override_needs_strengths_and_keeps_to_its_limit(doc: dict[str, Any]) -> None:
    guidance = M.guidance[0]
    assert guidance.override is not None
    target = rate(doc, M).standards[guidance.target]
    strengths = doc["standards"][guidance.target].get("strengths", [])
    if target.indicated is None:
        assert target.rating == doc["standards"][guidance.target]["judgement"]
        assert target.departure is None
        return
    lift = RANK[target.rating] - RANK[target.indicated]
    assert 0 <= lift <= guidance.override.max_bands_up
    if target.departure is None:
        assert target.rating == target.indicated
    else:
        assert len(strengths) >= guidance.override.min_strengths
        assert target.departure.reasons == tuple(strengths)
        assert target.departure.capped == (RANK[target.departure.judgement] - RANK[target.indicated] > guidance.override.max_bands_up)
    if len(strengths) < guidance.override.min_strengths:
        assert target.rating == target.indicated
