"""The library's invariants (``probation_rules.testing.invariants``) over generated and bundled methodologies.

Monotonicity is asserted exactly where ``check`` finds no ``not-monotone`` finding, so these
tests also hold ``check``'s monotonicity verdict to the engine's behaviour.
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from random import Random
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from probation_rules import Methodology, bundled_ids, load_methodology, rate
from probation_rules.check import check_methodology
from probation_rules.engine.compiler import release
from probation_rules.methodology import methodology_from_dict
from probation_rules.testing._reading import rounded_percent
from probation_rules.testing.invariants import (
    INVARIANTS,
    MONOTONICITY,
    methodology_round_trip,
    monotone_in_judgements,
    monotone_in_key_questions,
    totality,
    trace_replay,
)
from probation_rules.testing.replay import replay_trace
from probation_rules.testing.strategies import inspections, methodologies
from probation_rules.testing.variations import order_of, shuffled

from .conftest import THOROUGH, YORK

FIXTURES = Path(__file__).parent / "fixtures"
YORK_DOC = json.loads(YORK.read_text())


def run_all(m: Methodology, doc: dict[str, Any], *, monotone: bool) -> None:
    for name, invariant in INVARIANTS.items():
        if name in MONOTONICITY and not monotone:
            continue
        try:
            invariant(m, doc)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


@settings(max_examples=300 if THOROUGH else 40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.booleans().flatmap(lambda strict: st.tuples(st.just(strict), methodologies(strict=strict))), st.data())
def test_every_invariant_holds_for_generated_methodologies(strict_and_m: tuple[bool, Methodology], data: st.DataObject) -> None:
    strict, m = strict_and_m
    try:
        methodology_round_trip(m)
        monotone = not check_methodology(m).breaks("monotonicity")
        assert monotone or not strict, "a strict methodology must check monotone"
        run_all(m, data.draw(inspections(m), label="inspection"), monotone=monotone)
    finally:
        release(m)


def _york(**standards: Any) -> dict[str, Any]:
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"].update(standards)
    return doc


# Published cases, pinned where the engine decides the most, for the framework they were rated under.
PINNED = {
    YORK_DOC["methodology"]: [
        # P1.1 judged above its indication, without the strength the override needs.
        _york(**{"P1.1": {**YORK_DOC["standards"]["P1.1"], "strengths": []}}),
        # 3 points of the 18 left: the next band's bound rescales to 4 x 18 / 21 = 3.43, so it starts at 4, not 3.
        _york(**{"P2.4": {"not_rated": "no relevant cases"}}),
    ]
}


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_every_invariant_holds_for_each_bundled_methodology(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    methodology_round_trip(m)
    assert not check_methodology(m).breaks("monotonicity")

    def holds(doc: dict[str, Any]) -> None:
        run_all(m, doc, monotone=True)

    for doc in PINNED.get(methodology_id, []):
        holds = example(doc)(holds)
    settings(max_examples=100 if THOROUGH else 20)(given(inspections(m))(holds))()


def test_the_pinned_cases_are_where_they_are_said_to_be() -> None:
    m = load_methodology(YORK_DOC["methodology"])
    without_strengths, unrated = PINNED[m.id]
    leadership = rate(without_strengths, m).standards["P1.1"]
    assert leadership.indicated is not None and m.rank(leadership.indicated) < m.rank(without_strengths["standards"]["P1.1"]["judgement"])
    assert leadership.departure is None and leadership.rating == leadership.indicated
    result = rate(unrated, m)
    bound = min(b.at_least for b in m.overall_bands.bands if b.at_least > 0) * result.max_score / result.full_max_score
    assert (result.score, result.max_score) == (3, 18) and result.score < bound < result.score + 1


def test_every_invariant_holds_for_york() -> None:
    run_all(load_methodology("hmip-pdu-2023"), YORK_DOC, monotone=True)


@pytest.mark.parametrize("unrated", [("P2.4",), ("P1.1",), ("P2.1", "P2.2", "P2.3", "P2.4"), ("P1.2", "P1.3", "P2.2")])
def test_every_invariant_holds_with_standards_left_unrated(unrated: tuple[str, ...]) -> None:
    # One case standard; the guidance target; every informing standard; a mix that moves the bands.
    m = load_methodology("hmip-pdu-2023")
    doc = copy.deepcopy(YORK_DOC)
    for sid in unrated:
        doc["standards"][sid] = {"not_rated": "no relevant cases"}
    run_all(m, doc, monotone=True)


def test_an_unrated_standard_is_checked_not_skipped() -> None:
    # The replay must not pass an unrated standard by ignoring its entry or the maximum it leaves.
    m = load_methodology("hmip-pdu-2023")
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    result = rate(doc, m)
    entries = list(result.trace.entries)
    at = next(i for i, e in enumerate(entries) if e.rule == "not-rated")
    entries[at] = attrs.evolve(entries[at], outcome={**entries[at].outcome, "rating": "Good"})
    with pytest.raises(AssertionError, match=r"not-rated for P2.4\) does not replay: expected no rating"):
        replay_trace(m, attrs.evolve(result, trace=attrs.evolve(result.trace, entries=tuple(entries))))
    with pytest.raises(AssertionError, match="scores out of 18, the result says 21"):
        replay_trace(m, attrs.evolve(result, max_score=21))


def test_replay_checks_the_rescaled_bands() -> None:
    m = load_methodology("hmip-pdu-2023")
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    result = rate(doc, m)
    trace_replay(m, doc)
    entries = list(result.trace.entries)
    at = next(i for i, e in enumerate(entries) if e.rule == "not-rated.rescale")
    bands = dict(entries[at].outcome["bands_from"])
    bands["Good"] += 1  # ceil(11 x 18 / 21) = 10, not 11
    entries[at] = attrs.evolve(entries[at], outcome={"bands_from": bands})
    with pytest.raises(AssertionError, match=r"not-rated.rescale for overall\) does not replay: expected the bands rescaled to 18"):
        replay_trace(m, attrs.evolve(result, trace=attrs.evolve(result.trace, entries=tuple(entries))))
    step = entries[at].step
    without = tuple(attrs.evolve(e, because=tuple(b for b in e.because if b != step)) for e in result.trace.entries if e.step != step)
    with pytest.raises(AssertionError, match="does not record the rescaling"):
        replay_trace(m, attrs.evolve(result, trace=attrs.evolve(result.trace, entries=without)))


def test_replay_reads_a_traced_percentage_as_written(pdu_data: dict[str, Any]) -> None:
    # 65.1 as a binary float is just below 651/10: read as the float, it would fall below its own band.
    good = next(b for b in pdu_data["key_question_bands"]["bands"] if b["rating"] == "Good")
    good["at_least"] = 65.1
    m = methodology_from_dict(pdu_data)
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"]["P2.1"]["key_questions"] = {q: 65.1 for q in doc["standards"]["P2.1"]["key_questions"]}
    try:
        assert rate(doc, m).standards["P2.1"].rating == "Good"
        trace_replay(m, doc)
    finally:
        release(m)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(bundled_ids()).map(load_methodology).flatmap(lambda m: st.tuples(st.just(m), inspections(m))), st.randoms(use_true_random=False))
def test_any_order_of_the_document_gives_the_same_result(m_and_doc: tuple[Methodology, dict[str, Any]], rng: Random) -> None:
    m, doc = m_and_doc
    again = shuffled(doc, rng)
    assert rate(again, m).to_dict() == rate(doc, m).to_dict(), order_of(again)


def test_shuffled_documents_really_change_order() -> None:
    doc = copy.deepcopy(YORK_DOC)
    orders = {order_of(shuffled(doc, Random(seed))) for seed in range(20)}
    assert len(orders - {order_of(doc)}) > 10  # more than ten orders, none of them counted being the document's own
    assert all(shuffled(doc, Random(seed))["standards"] == doc["standards"] for seed in range(5))  # the same content


# -- the invariants can fail ---------------------------------------------------------------


def _example_doc(c: dict[str, Any], d: dict[str, Any], a: str = "Low") -> dict[str, Any]:
    return {"id": "x", "unit": "x", "standards": {"A": {"judgement": a}, "B": {"judgement": "Low"}, "C": {"key_questions": c}, "D": {"key_questions": d}}}


def test_monotonicity_fails_where_check_finds_a_non_monotone_table() -> None:
    m = load_methodology(FIXTURES / "broken" / "not-monotone.toml")
    try:
        doc = _example_doc({"q1": 50, "q2": 90}, {"q1": 50, "q2": 50})
        with pytest.raises(AssertionError, match=r"raising C/q1 from 50% to 70% lowered C from Middle to Low"):
            monotone_in_key_questions(m, doc)
    finally:
        release(m)


def test_monotonicity_in_informing_ratings_fails_for_a_non_monotone_guidance_table() -> None:
    m = load_methodology(FIXTURES / "broken" / "not-monotone-guidance.toml")
    try:
        doc = _example_doc({"q1": 30, "q2": 50}, {"q1": 50, "q2": 50}, a="High")  # C Low, D Middle: no indication, High stands
        with pytest.raises(AssertionError, match=r"raising C/q1 from 30% to 40% lowered A from High to Middle"):
            monotone_in_key_questions(m, doc)
        monotone_in_judgements(m, doc)  # the judgement itself still only ever helps
    finally:
        release(m)


def test_totality_fails_in_a_gap() -> None:
    m = load_methodology(FIXTURES / "broken" / "gap.toml")
    try:
        with pytest.raises(AssertionError, match=r"gets no rating: .*a gap in the table"):
            totality(m, _example_doc({"q1": 5, "q2": 50}, {"q1": 50, "q2": 50}))
    finally:
        release(m)


def test_replay_refuses_a_trace_that_does_not_give_the_result() -> None:
    m = load_methodology("hmip-pdu-2023")
    result = rate(YORK_DOC, m)
    trace_replay(m, YORK_DOC)
    with pytest.raises(AssertionError, match="replaying the trace rates Inadequate overall, the result says Good"):
        replay_trace(m, attrs.evolve(result, overall="Good"))
    entries = list(result.trace.entries)
    first_band = next(i for i, e in enumerate(entries) if "/" in e.subject)
    entries[first_band] = attrs.evolve(entries[first_band], inputs={**entries[first_band].inputs, "banded_percent": 99.0})
    with pytest.raises(AssertionError, match=r"trace step \d+ .* does not replay"):
        replay_trace(m, attrs.evolve(result, trace=attrs.evolve(result.trace, entries=tuple(entries))))


@pytest.mark.parametrize(
    ("percent", "rounding", "read_at"),
    [
        (Fraction(129, 2), "nearest", 65),  # a half goes up
        (Fraction(1299, 20), "nearest", 65),
        (Fraction(1289, 20), "nearest", 64),
        (Fraction(129, 2), "down", 64),
        (Fraction(6499, 100), "down", 64),
        (Fraction(200, 3), "exact", Fraction(200, 3)),
    ],
)
def test_the_invariants_read_rounding_for_themselves(percent: Fraction, rounding: str, read_at: Fraction) -> None:
    assert rounded_percent(percent, rounding) == read_at
