"""Unrated standards: out of the score and the maximum, bands rescaled by rules that fire, guidance on what is rated."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from probation_rules import InspectionError, rate
from probation_rules.cli import main
from probation_rules.engine.rater import rate_score
from probation_rules.methodology import load_methodology, methodology_from_dict
from probation_rules.methodology.schema import Methodology

YOUTH = load_methodology("hmip-youth-2021")
PDU = load_methodology("hmip-pdu-2023")


def youth_doc(**overrides: Any) -> dict[str, Any]:
    """A youth inspection: organisation Good, every case standard Requires improvement (60%), resettlement Good."""
    standards: dict[str, Any] = {}
    for s in YOUTH.standards:
        if s.kind == "judged":
            standards[s.id] = {"judgement": "Good"}
        else:
            standards[s.id] = {"key_questions": {q.id: 60 for q in s.key_questions}}
    standards.update(overrides)
    return {"id": "youth", "unit": "Example YJS", "methodology": YOUTH.id, "standards": standards}


def stated_band(m: Methodology, score: int, max_score: int) -> str:
    """The proportional rule read directly: the band whose bound is at most score x N / M."""
    value = score * m.max_score / max_score
    return [b.rating for b in m.overall_bands.ordered() if b.at_least <= value][-1]


def test_an_unrated_scored_standard_leaves_the_score_and_the_maximum() -> None:
    result = rate(youth_doc(**{"3.2": {"not_rated": "no out-of-court cases with a plan"}}))
    unrated = result.standards["3.2"]
    assert (unrated.rating, unrated.points, unrated.not_rated, unrated.rule) == (None, None, "no out-of-court cases with a plan", "not-rated")
    # 5 judged Good (4.1 is not scored) = 10, 6 case standards Requires improvement = 6.
    assert (result.score, result.max_score, result.full_max_score) == (16, 33, 36)


def test_an_unrated_unscored_standard_changes_nothing_else() -> None:
    # Reading YJS (Dec 2024): "Domain 4 was not rated as there were no resettlement cases".
    rated = rate(youth_doc())
    result = rate(youth_doc(**{"4.1": {"not_rated": "no resettlement cases"}}))
    assert (result.score, result.max_score, result.overall) == (rated.score, rated.max_score, rated.overall) == (17, 36, "Requires improvement")
    assert result.trace.fired("not-rated")[0].outcome == {"rating": None}
    assert not result.trace.fired("not-rated.rescale")


def test_the_rescaling_is_done_by_rules_that_fire_and_is_in_the_trace() -> None:
    # 16/33 read on the stated table would be Requires improvement either way; 18/33 shows the move:
    # stated, 18 is Requires improvement (Good from 19); rescaled to 33, Good starts at ceil(19 x 33/36) = 18.
    doc = youth_doc(**{"3.2": {"not_rated": "no cases"}, "1.1": {"judgement": "Outstanding"}, "1.2": {"judgement": "Outstanding"}})
    result = rate(doc)
    assert (result.score, result.max_score, result.overall) == (18, 33, "Good")
    (rescale,) = result.trace.fired("not-rated.rescale")
    assert rescale.engine_rule and rescale.evidence == "inferred"
    assert rescale.outcome == {"bands_from": {"Inadequate": 0, "Requires improvement": 7, "Good": 18, "Outstanding": 29}}
    (overall,) = [e for e in result.trace.for_subject("overall") if e.rule == "overall-bands.good"]
    assert overall.engine_rule.endswith("overall-bands.good /33")
    assert rescale.step in overall.because
    (unrated,) = result.trace.fired("not-rated")
    assert unrated.engine_rule and unrated.inputs == {"not_rated": "no cases"}
    assert unrated.step in result.trace.fired("score")[0].because
    # Resettlement is rated but not scored, so nothing depends on it: it is a root beside the overall rating.
    assert sorted(root.subject for root in result.trace.roots()) == ["4.1", "overall"]


@given(st.sets(st.sampled_from([s.id for s in YOUTH.standards]), max_size=len(YOUTH.standards) - 2), st.data())
@example({"4.1"}, None)  # Reading YJS 2024: resettlement not rated, 5/36, Inadequate
def test_a_score_is_placed_on_the_bands_in_proportion_to_its_maximum(unrated: set[str], data: st.DataObject | None) -> None:
    maximum = YOUTH.max_score_without(unrated)
    if maximum == 0:
        return
    score = 5 if data is None else data.draw(st.integers(0, maximum))
    assert rate_score(YOUTH, score, maximum)[0] == stated_band(YOUTH, score, maximum)
    if data is None:
        assert rate_score(YOUTH, score, maximum)[0] == "Inadequate"


@pytest.mark.parametrize("m", [load_methodology(i) for i in ("hmip-crc-nps-2018", "hmip-pdu-2021", "hmip-pdu-2023", "hmip-youth-2021")], ids=lambda m: m.id)
def test_every_possible_maximum_and_score_is_covered_exactly_once(m: Methodology) -> None:
    for maximum in m.possible_maxima():
        for score in range(maximum + 1):
            assert rate_score(m, score, maximum)[0] == stated_band(m, score, maximum)
        table = m.overall_bands_for(maximum)
        assert [b.at_least for b in table.ordered()] == [math.ceil(b.at_least * maximum / m.max_score) for b in m.overall_bands.ordered()]


def test_with_rescale_none_the_bands_stand_in_points(pdu_data: dict[str, Any], york_doc: dict[str, Any]) -> None:
    pdu_data["not_rated"]["rescale"]["method"] = "none"
    m = methodology_from_dict(pdu_data)
    assert rate_score(m, 4, 18)[0] == "Requires improvement" == rate_score(PDU, 4, 18)[0]
    assert rate_score(m, 10, 18)[0] == "Requires improvement"  # stated: Good from 11
    assert rate_score(PDU, 10, 18)[0] == "Good"  # proportional: Good from ceil(11 x 18/21) = 10
    york_doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    result = rate(york_doc, m)
    assert result.trace.fired("not-rated.rescale")[0].outcome == {"bands_from": {"Inadequate": 0, "Requires improvement": 4, "Good": 11, "Outstanding": 18}}


def test_guidance_reads_only_the_rated_informing_standards(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    leadership = rate(york_doc).standards["P1.1"]
    assert (leadership.indicated, leadership.rating) == ("Inadequate", "Requires improvement")
    entry = rate(york_doc).trace.fired("guidance.leadership.all-inadequate")[0]
    assert entry.inputs["P2.4"] is None


def test_guidance_with_no_rated_informing_standard_indicates_nothing(york_doc: dict[str, Any]) -> None:
    for sid in ("P2.1", "P2.2", "P2.3", "P2.4"):
        york_doc["standards"][sid] = {"not_rated": "no relevant cases"}
    york_doc["standards"]["P1.1"] = {"judgement": "Good", "strengths": []}
    result = rate(york_doc)
    assert (result.standards["P1.1"].indicated, result.standards["P1.1"].rating) == (None, "Good")
    assert result.trace.fired("guidance.leadership")[0].outcome == {"indicates": None}
    assert (result.score, result.max_score) == (4, 9)


def test_an_unrated_guidance_target_is_not_guided(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P1.1"] = {"not_rated": "leadership changed during fieldwork"}
    result = rate(york_doc)
    assert result.standards["P1.1"].rating is None
    assert not result.trace.fired("guidance.leadership") and not result.trace.fired("guidance.leadership.all-inadequate")
    assert (result.score, result.max_score) == (2, 18)


def test_the_json_result_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    file = tmp_path / "youth.json"
    file.write_text(json.dumps(youth_doc(**{"2.4": {"not_rated": "no cases to review"}})))
    assert main(["rate", "--format", "json", str(file)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["standards"]["2.4"]["rating"] is None
    assert body["standards"]["2.4"]["not_rated"] == "no cases to review"
    assert (body["max_score"], body["full_max_score"]) == (33, 36)
    assert body["standards"]["2.1"]["not_rated"] is None
    assert main(["rate", str(file)]) == 0
    text = capsys.readouterr().out
    assert "not rated: no cases to review" in text
    assert "1 scored standard not rated, of 36" in text


def test_a_methodology_without_a_not_rated_rule_refuses_unrated_standards(pdu_data: dict[str, Any], york_doc: dict[str, Any]) -> None:
    del pdu_data["not_rated"]
    york_doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    with pytest.raises(InspectionError, match="states no rule for unrated standards"):
        rate(york_doc, methodology_from_dict(pdu_data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"2.1": {"not_rated": "  "}}, "must give the reason"),
        ({"2.1": {"not_rated": "none", "key_questions": {}}}, 'must give "not_rated" alone'),
        ({s.id: {"not_rated": "none"} for s in YOUTH.standards if s.scored}, "leaves every scored standard unrated"),
    ],
    ids=["empty reason", "reason and evidence", "nothing scored left"],
)
def test_bad_unrated_standards_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InspectionError, match=message):
        rate(youth_doc(**change))


def test_unrated_with_case_answers_is_refused() -> None:
    doc = youth_doc(**{"2.1": {"not_rated": "no cases"}})
    doc["cases"] = [{"id": "c1", "answers": {"2.1": {"desistance": "yes", "safety_wellbeing": "yes", "keeping_safe": "yes"}}}]
    with pytest.raises(InspectionError, match="not rated but has answers in cases"):
        rate(doc)


def test_all_answers_not_applicable_suggests_marking_it_unrated() -> None:
    doc = copy.deepcopy(youth_doc())
    del doc["standards"]["2.4"]
    doc["cases"] = [{"id": "c1", "answers": {"2.4": {"desistance": "n/a", "safety_wellbeing": "n/a", "keeping_safe": "n/a"}}}]
    with pytest.raises(InspectionError, match=r'mark it \{"not_rated": "no relevant cases"\}'):
        rate(doc)
