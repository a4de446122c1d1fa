"""Band edges, counts, per-case answers and rounding: all placed by the engine's band rules."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from probation_rules import rate
from probation_rules.methodology import methodology_from_dict


def with_key_questions(doc: dict[str, Any], standard: str, values: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["standards"][standard] = {"key_questions": values}
    return doc


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (0, "Inadequate"),
        (49.9, "Inadequate"),
        (49.999999, "Inadequate"),
        (50, "Requires improvement"),
        (64.9, "Requires improvement"),
        (65, "Good"),
        (79.9, "Good"),
        (80, "Outstanding"),
        (100, "Outstanding"),
    ],
)
def test_every_band_edge_is_inclusive_below(york_doc: dict[str, Any], percent: float, band: str) -> None:
    doc = with_key_questions(york_doc, "P2.1", {"engaging": 100, "desistance": 100, "keeping_safe": percent})
    standard = rate(doc).standards["P2.1"]
    assert standard.key_questions["keeping_safe"].band == band
    assert standard.rating == band


def test_counts_and_percentages_rate_alike(york_doc: dict[str, Any]) -> None:
    as_percent = with_key_questions(york_doc, "P2.1", {"engaging": 70, "desistance": 80, "keeping_safe": 65})
    as_counts = with_key_questions(
        york_doc,
        "P2.1",
        {"engaging": {"yes": 14, "relevant": 20}, "desistance": {"yes": 16, "relevant": 20}, "keeping_safe": {"yes": 13, "relevant": 20}},
    )
    a, b = rate(as_percent).standards["P2.1"], rate(as_counts).standards["P2.1"]
    assert a.rating == b.rating == "Good"
    assert [q.band for q in a.key_questions.values()] == [q.band for q in b.key_questions.values()]
    assert b.key_questions["keeping_safe"].yes == 13


def test_case_answers_give_the_share_of_relevant_cases(york_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(york_doc)
    del doc["standards"]["P2.1"]
    # 4 cases: engaging 3/4 yes; desistance 1 of 2 relevant; keeping_safe 2/4.
    answers = [
        {"engaging": "yes", "desistance": "yes", "keeping_safe": "yes"},
        {"engaging": "yes", "desistance": "no", "keeping_safe": "yes"},
        {"engaging": "yes", "desistance": "n/a", "keeping_safe": "no"},
        {"engaging": "no", "desistance": "n/a", "keeping_safe": "no"},
    ]
    doc["cases"] = [{"id": f"c{i}", "answers": {"P2.1": a}} for i, a in enumerate(answers)]
    standard = rate(doc).standards["P2.1"]
    kq = standard.key_questions
    assert (kq["engaging"].yes, kq["engaging"].relevant, kq["engaging"].percent) == (3, 4, 75)
    assert (kq["desistance"].yes, kq["desistance"].relevant) == (1, 2)
    assert standard.rating == "Requires improvement"
    assert standard.driver == "desistance"  # 50 and 50: the first in methodology order drives


def test_eleven_of_seventeen_depends_on_the_rounding_rule(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    doc = with_key_questions(york_doc, "P2.1", {"engaging": 100, "desistance": 100, "keeping_safe": {"yes": 11, "relevant": 17}})
    exact = rate(doc).standards["P2.1"]
    assert exact.rating == "Requires improvement"  # 64.7%
    assert exact.key_questions["keeping_safe"].next_band is not None
    assert exact.key_questions["keeping_safe"].next_band.more_yes == 1
    pdu_data["key_question_score"]["rounding"] = "nearest"
    nearest = rate(doc, methodology_from_dict(pdu_data)).standards["P2.1"]
    assert nearest.rating == "Good"  # printed as 65%
    assert nearest.key_questions["keeping_safe"].banded_percent == 65


def test_a_changed_threshold_in_the_data_changes_the_rating(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    doc = with_key_questions(york_doc, "P2.1", {"engaging": 100, "desistance": 100, "keeping_safe": 45})
    assert rate(doc).standards["P2.1"].rating == "Inadequate"
    for band in pdu_data["key_question_bands"]["bands"]:
        if band["rating"] == "Requires improvement":
            band["at_least"] = 40
    assert rate(doc, methodology_from_dict(pdu_data)).standards["P2.1"].rating == "Requires improvement"


def test_margins_say_how_many_more_yes_cases_reach_the_next_band(york_doc: dict[str, Any]) -> None:
    doc = with_key_questions(
        york_doc,
        "P2.1",
        {"engaging": {"yes": 9, "relevant": 20}, "desistance": {"yes": 12, "relevant": 20}, "keeping_safe": {"yes": 8, "relevant": 20}},
    )
    standard = rate(doc).standards["P2.1"]
    assert standard.rating == "Inadequate"
    assert standard.next_band is not None
    assert standard.next_band.rating == "Requires improvement"
    assert standard.next_band.more_yes == 1 + 2  # engaging 9->10, keeping_safe 8->10
    assert standard.key_questions["desistance"].next_band is not None
    assert standard.key_questions["desistance"].next_band.more_yes == 1  # 12/20=60% -> 13/20=65%
