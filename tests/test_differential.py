"""The engine against the reference evaluator, over generated methodologies and inspections.

Every rating the durable-rules engine gives must be the one the methodology's plain meaning
gives (``tests/reference.py``), standard by standard, with score and overall rating: for strict
methodologies (``check`` finds nothing wrong) and for merely rateable ones (non-monotone tables,
unreachable bands, overrides without strengths), which the engine must still apply as written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from probation_rules import Methodology, load_methodology, rate
from probation_rules.check import check_methodology
from probation_rules.engine.compiler import release
from probation_rules.methodology import methodology_from_dict
from probation_rules.testing.strategies import inspections, methodologies

from . import reference
from .conftest import THOROUGH, YORK, pdu_2023_data
from .test_check import FIXTURES, NOT_RATED

DIFFERENTIAL_EXAMPLES = 1000 if THOROUGH else 100

any_methodology = st.booleans().flatmap(lambda strict: methodologies(strict=strict))


def assert_agrees(m: Methodology, doc: dict[str, Any]) -> None:
    result = rate(doc, m)
    expected = reference.evaluate(m, doc)
    got = {sid: s.rating for sid, s in result.standards.items()}
    assert got == expected.ratings, f"standards: engine {got}, reference {expected.ratings}"
    for sid, driver in expected.drivers.items():
        assert result.standards[sid].driver == driver, sid
    for target, indicated in expected.indicated.items():
        standard = result.standards[target]
        assert standard.indicated == indicated, target
        assert (standard.departure is not None) == expected.departed[target], target
        assert standard.departure is None or standard.departure.capped == expected.capped[target], target
    for sid, reason in expected.unrated.items():
        standard = result.standards[sid]
        assert (standard.not_rated, standard.points, standard.indicated, standard.departure) == (reason, None, None, None), sid
    assert (result.score, result.max_score, result.overall) == (expected.score, expected.max_score, expected.overall)


@settings(max_examples=DIFFERENTIAL_EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(any_methodology, st.data())
def test_the_engine_rates_as_the_reference_says(m: Methodology, data: st.DataObject) -> None:
    try:
        for doc in data.draw(st.lists(inspections(m), min_size=1, max_size=3), label="inspections"):
            assert_agrees(m, doc)
    finally:
        release(m)


PDU = load_methodology("hmip-pdu-2023")


@given(inspections(PDU))
@example(json.loads(YORK.read_text()))
def test_the_bundled_methodology_rates_as_the_reference_says(doc: dict[str, Any]) -> None:
    assert_agrees(PDU, doc)


@pytest.mark.parametrize("rounding", ["exact", "nearest", "down"])
@pytest.mark.parametrize(("yes", "relevant"), [(11, 17), (13, 20), (1, 3), (2, 3), (129, 200), (0, 1), (1, 1)])
def test_rounding_agrees_at_awkward_ratios(rounding: str, yes: int, relevant: int) -> None:
    data = pdu_2023_data()
    data["key_question_score"]["rounding"] = rounding
    for band in data["key_question_bands"]["bands"]:  # a bound on a half, so "nearest" is tested at its edge
        if band["at_least"]:
            band["at_least"] -= 0.5
    m = methodology_from_dict(data)
    doc = json.loads(YORK.read_text())
    doc["standards"]["P2.1"]["key_questions"]["keeping_safe"] = {"yes": yes, "relevant": relevant}
    try:
        assert_agrees(m, doc)
    finally:
        release(m)


@pytest.mark.parametrize("method", ["proportional", "none"])
def test_a_methodology_with_nothing_scored_still_rates_with_a_standard_unrated(method: str) -> None:
    # Found by the differential: with no scored standard the only maximum is 0, and the rescaled
    # overall bands must still be compiled for it.
    data = pdu_2023_data()
    for standard in data["standards"]:
        standard["scored"] = False
    data["not_rated"]["rescale"]["method"] = method
    m = methodology_from_dict(data)
    doc = json.loads(YORK.read_text())
    doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    try:
        assert_agrees(m, doc)
        assert (rate(doc, m).score, rate(doc, m).max_score) == (0, 0)
    finally:
        release(m)


def test_bands_listed_out_of_order_rescale_as_the_rule_states(tmp_path: Path) -> None:
    # 6 and 7 of 8 both rescale to 2 of 2 (one judged standard rated). The rule places 2 of 2 at 8 of 8,
    # High; listed before Middle in the file, High used to lose the tie and a perfect score rated Middle.
    text = (FIXTURES / "example.toml").read_text()
    stated = '{ id = "overall-bands.middle", rating = "Middle", at_least = 3 },\n  { id = "overall-bands.high", rating = "High", at_least = 6 },'
    assert stated in text
    text = text.replace(
        stated, '{ id = "overall-bands.high", rating = "High", at_least = 7 },\n  { id = "overall-bands.middle", rating = "Middle", at_least = 6 },'
    )
    variant = tmp_path / "variant.toml"
    variant.write_text(text + NOT_RATED.format(method="proportional"))
    m = load_methodology(variant)
    unrated = {"not_rated": "no relevant cases"}
    try:
        for a in m.scale.ratings:
            doc = {"id": "x", "unit": "x", "standards": {"A": {"judgement": a}, "B": unrated, "C": unrated, "D": unrated}}
            assert_agrees(m, doc)
        assert rate(doc, m).overall == "High"
        (finding,) = check_methodology(m).findings
        assert "where overall-bands.high wins and no score is rated Middle" in finding.message
    finally:
        release(m)
