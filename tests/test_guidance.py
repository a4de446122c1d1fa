"""Domain two informs leadership: the base rule, its labelled exception, the cap, the modes."""

from __future__ import annotations

import re
from typing import Any

import pytest

from probation_rules import rate
from probation_rules.methodology import methodology_from_dict


def test_a_judgement_beyond_the_limit_is_capped_and_the_cap_reported(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P1.1"]["judgement"] = "Outstanding"
    leadership = rate(york_doc).standards["P1.1"]
    assert leadership.rating == "Requires improvement"
    assert leadership.departure is not None
    assert leadership.departure.capped is True
    assert leadership.departure.judgement == "Outstanding"


def test_without_an_indication_the_judgement_stands(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P2.1"]["key_questions"] = {"engaging": 90, "desistance": 90, "keeping_safe": 90}
    york_doc["standards"]["P1.1"] = {"judgement": "Good"}
    result = rate(york_doc)
    leadership = result.standards["P1.1"]
    assert (leadership.rating, leadership.indicated, leadership.departure) == ("Good", None, None)
    assert result.trace.fired("guidance.leadership")[0].outcome == {"indicates": None}


def test_a_limit_of_zero_forbids_any_departure(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    pdu_data["guidance"][0]["override"]["max_bands_up"] = 0
    leadership = rate(york_doc, methodology_from_dict(pdu_data)).standards["P1.1"]
    assert leadership.rating == "Inadequate"
    assert leadership.departure is not None and leadership.departure.capped


def test_more_strengths_can_be_required(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    pdu_data["guidance"][0]["override"]["min_strengths"] = 4
    assert rate(york_doc, methodology_from_dict(pdu_data)).standards["P1.1"].rating == "Inadequate"


@pytest.mark.parametrize(("mode", "expected"), [("exact", "Inadequate"), ("ceiling", "Inadequate")])
def test_both_modes_hold_an_unsupported_judgement_to_the_indication(york_doc: dict[str, Any], pdu_data: dict[str, Any], mode: str, expected: str) -> None:
    pdu_data["guidance"][0]["mode"] = mode
    york_doc["standards"]["P1.1"]["strengths"] = []
    assert rate(york_doc, methodology_from_dict(pdu_data)).standards["P1.1"].rating == expected


def test_ceiling_mode_lets_a_lower_judgement_stand_where_exact_mode_lifts_it(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    # A guidance row indicating Good when any domain-two standard is Good or better.
    pdu_data["guidance"][0]["rows"].append({"id": "guidance.leadership.any-good", "any_at_least": "Good", "indicates": "Good"})
    york_doc["standards"]["P2.1"]["key_questions"] = {"engaging": 90, "desistance": 90, "keeping_safe": 90}
    york_doc["standards"]["P1.1"] = {"judgement": "Requires improvement"}
    exact = rate(york_doc, methodology_from_dict(pdu_data)).standards["P1.1"]
    assert (exact.indicated, exact.rating) == ("Good", "Good")
    pdu_data["guidance"][0]["mode"] = "ceiling"
    ceiling = rate(york_doc, methodology_from_dict(pdu_data)).standards["P1.1"]
    assert (ceiling.indicated, ceiling.rating) == ("Good", "Requires improvement")


def test_overlapping_guidance_rows_with_different_indications_are_refused(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    from probation_rules import RuleConflictError

    pdu_data["guidance"][0]["rows"].append({"id": "guidance.leadership.any-inadequate", "any_at_most": "Inadequate", "indicates": "Requires improvement"})
    with pytest.raises(RuleConflictError, match=re.escape("guidance.leadership.all-inadequate, guidance.leadership.any-inadequate")):
        rate(york_doc, methodology_from_dict(pdu_data))
