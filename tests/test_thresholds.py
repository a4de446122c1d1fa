"""Key-question thresholds are read as written: 64.9 has one decimal place, whatever binary says."""

from __future__ import annotations

from typing import Any

import pytest

from probation_rules import MethodologyError, rate
from probation_rules.engine.compiler import release
from probation_rules.methodology import methodology_from_dict


def _with_good_from(pdu_data: dict[str, Any], at_least: float) -> dict[str, Any]:
    for band in pdu_data["key_question_bands"]["bands"]:
        if band["rating"] == "Good":
            band["at_least"] = at_least
    return pdu_data


@pytest.mark.parametrize("at_least", [64.9, 64.1, 4.1, 2.01, 65.000001, 64.999999])
def test_a_threshold_with_few_decimals_loads_and_is_an_exact_edge(pdu_data: dict[str, Any], york_doc: dict[str, Any], at_least: float) -> None:
    m = methodology_from_dict(_with_good_from(pdu_data, at_least))
    try:
        york_doc["standards"]["P2.1"]["key_questions"] = {"engaging": 100, "desistance": 100, "keeping_safe": at_least}
        assert rate(york_doc, m).standards["P2.1"].rating == "Good"
        york_doc["standards"]["P2.1"]["key_questions"]["keeping_safe"] = round(at_least - 0.000001, 6)
        assert rate(york_doc, m).standards["P2.1"].rating != "Good"
    finally:
        release(m)


def test_a_threshold_with_seven_decimals_is_refused(pdu_data: dict[str, Any]) -> None:
    with pytest.raises(MethodologyError, match="at most six decimal places"):
        methodology_from_dict(_with_good_from(pdu_data, 64.9999999))
