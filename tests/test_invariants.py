"""The library's invariants (``probation_rules.testing.invariants``) over generated and bundled methodologies.

Monotonicity is asserted exactly where ``check`` finds no ``not-monotone`` finding, so these
tests also hold ``check``'s monotonicity verdict to the engine's behaviour.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probation_rules import Methodology, bundled_ids, load_methodology, rate
from probation_rules.check import check_methodology
from probation_rules.engine.compiler import release
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


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_every_invariant_holds_for_each_bundled_methodology(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    methodology_round_trip(m)
    assert not check_methodology(m).breaks("monotonicity")

    @settings(max_examples=100 if THOROUGH else 20)
    @given(inspections(m))
    def holds(doc: dict[str, Any]) -> None:
        run_all(m, doc, monotone=True)

    holds()


def test_every_invariant_holds_for_york() -> None:
    run_all(load_methodology("hmip-pdu-2023"), YORK_DOC, monotone=True)


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
