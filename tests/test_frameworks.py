"""The youth justice, PDU 2021 and CRC/NPS 2018 frameworks, rated by the same engine as PDU 2023."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest
from hypothesis import example, given

from probation_rules import rate
from probation_rules.engine.rater import rate_score
from probation_rules.methodology import bundled_ids, load_methodology
from probation_rules.testing.strategies import inspection_documents

from . import reference

# The methodology notes, section 3, typed in by hand so that the TOML files are checked against
# the notes rather than against themselves: (maximum, last Inadequate, last RI, last Good).
NOTES_TABLE = {
    "hmip-youth-2021": (36, 6, 18, 30),
    "hmip-crc-nps-2018": (30, 5, 15, 25),
    "hmip-pdu-2021": (27, 4, 13, 22),
    "hmip-pdu-2023": (21, 3, 10, 17),
}
NOTES_STANDARDS = {"hmip-youth-2021": (13, 12), "hmip-crc-nps-2018": (10, 10), "hmip-pdu-2021": (9, 9), "hmip-pdu-2023": (7, 7)}

YOUTH = load_methodology("hmip-youth-2021")

EAST_SUSSEX_2024 = {  # published ratings, East Sussex YJS (Sept 2024): 25/36, Good
    "1.1": "Good",
    "1.2": "Good",
    "1.3": "Outstanding",
    "1.4": "Outstanding",
    "2.1": "Good",
    "2.2": "Inadequate",
    "2.3": "Outstanding",
    "2.4": "Outstanding",
    "3.1": "Requires improvement",
    "3.2": "Requires improvement",
    "3.3": "Outstanding",
    "3.4": "Good",
    "4.1": "Requires improvement",
}
KQ_FOR = {"Inadequate": 40, "Requires improvement": 55, "Good": 70, "Outstanding": 90}


def east_sussex_doc() -> dict[str, Any]:
    standards: dict[str, Any] = {}
    for s in YOUTH.standards:
        rating = EAST_SUSSEX_2024[s.id]
        if s.kind == "judged":
            standards[s.id] = {"judgement": rating}
        else:
            standards[s.id] = {"key_questions": {q.id: KQ_FOR[rating] for q in s.key_questions}}
    return {"id": "esyjs2024", "unit": "East Sussex YJS", "methodology": YOUTH.id, "standards": standards}


def test_every_framework_in_the_notes_is_bundled() -> None:
    assert set(NOTES_TABLE) <= set(bundled_ids())


@pytest.mark.parametrize("methodology_id", sorted(NOTES_TABLE))
def test_maximum_and_band_edges_are_the_notes(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    maximum, inadequate, ri, good = NOTES_TABLE[methodology_id]
    assert (len(m.standards), sum(s.scored for s in m.standards)) == NOTES_STANDARDS[methodology_id]
    assert m.max_score == maximum
    expected = {0: "Inadequate", inadequate: "Inadequate", inadequate + 1: "Requires improvement", ri: "Requires improvement"}
    expected |= {ri + 1: "Good", good: "Good", good + 1: "Outstanding", maximum: "Outstanding"}
    assert {score: rate_score(m, score)[0] for score in expected} == expected


@pytest.mark.parametrize("methodology_id", sorted(NOTES_TABLE))
def test_every_rule_carries_a_citation_and_an_evidence_level(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    for rule in m.rules():
        assert rule.citation.strip() and rule.evidence in ("published", "data", "recalled", "inferred"), rule.id
    for s in m.standards:
        assert s.citation and s.evidence, s.id  # the 2023 standards too: they cite the York report's own tables
    if m.in_force_from or m.in_force_until:
        assert m.in_force_citation and m.in_force_evidence, f"{methodology_id}: say how firm the in-force dates are"


def provenance(m: Any) -> Any:
    """(what, evidence, citation) for every rule, standard, set of key questions and in-force range."""
    yield from ((rule.id, rule.evidence, rule.citation) for rule in m.rules())
    for s in m.standards:
        yield s.id, s.evidence, s.citation
        if s.key_questions:
            yield f"{s.id} key questions", s.key_questions_evidence or s.evidence, s.key_questions_citation or s.citation
    yield "in force", m.in_force_evidence, m.in_force_citation


@pytest.mark.parametrize("methodology_id", sorted(NOTES_TABLE))
def test_an_inferred_rule_says_what_it_was_inferred_from(methodology_id: str) -> None:
    for what, evidence, citation in provenance(load_methodology(methodology_id)):
        if evidence == "inferred":
            assert citation and "infer" in citation.lower(), f"{methodology_id} {what}: an inferred rule's citation must say it is inferred, and from what"


# What the methodology notes support beyond inference, typed in by hand from NOTES.md: for CRC/NPS
# 2018 only its row of section 3 (ten scored standards, maximum 30, the overall bands: recalled)
# and the scale (section 1, published); for youth justice, the key questions' ids and labels but
# not their wording (section 5).
NOTES_SUPPORT_CRC_NPS = {"scale", "score", "overall-bands"}


def test_crc_nps_claims_no_more_than_the_notes_support() -> None:
    m = load_methodology("hmip-crc-nps-2018")
    for what, evidence, _ in provenance(m):
        if what.split(".")[0] not in NOTES_SUPPORT_CRC_NPS:
            assert evidence == "inferred", f"{what} is {evidence}, but the notes give only the size and the overall bands of this framework"


def test_youth_key_question_wording_is_inferred() -> None:
    for s in YOUTH.standards:
        if s.key_questions:
            assert (s.key_questions_evidence or s.evidence) == "inferred", s.id
            assert s.key_questions_citation and "section 5" in s.key_questions_citation


def test_east_sussex_2024_reproduces_with_resettlement_rated_but_not_scored() -> None:
    result = rate(east_sussex_doc())
    assert {sid: s.rating for sid, s in result.standards.items()} == EAST_SUSSEX_2024
    assert (result.score, result.max_score, result.overall) == (25, 36, "Good")
    assert result.standards["4.1"].points is None and result.standards["4.1"].scored is False
    assert result.standards["2.2"].driver == "desistance"  # all three equal: the first in order drives


def test_youth_has_no_leadership_guidance() -> None:
    doc = east_sussex_doc()
    for s in YOUTH.standards:
        if s.kind == "case":
            doc["standards"][s.id]["key_questions"] = {q.id: 10 for q in s.key_questions}
    doc["standards"]["1.1"] = {"judgement": "Outstanding"}
    result = rate(doc)
    assert (result.standards["1.1"].rating, result.standards["1.1"].indicated) == ("Outstanding", None)


def toml_points(methodology_id: str) -> tuple[dict[str, int], set[str]]:
    """The points each rating earns and the scored standards, read from the TOML file itself (not the loader)."""
    raw = tomllib.loads(resources.files("probation_rules.methodologies").joinpath(f"{methodology_id}.toml").read_text(encoding="utf-8"))
    return {row["rating"]: row["points"] for row in raw["points"]["rows"]}, {s["id"] for s in raw["standards"] if s.get("scored", True)}


def notes_overall(methodology_id: str, score: int) -> str:
    """The overall rating of a score, from the edges of the notes' table (NOTES_TABLE)."""
    _, inadequate, ri, good = NOTES_TABLE[methodology_id]
    return "Inadequate" if score <= inadequate else "Requires improvement" if score <= ri else "Good" if score <= good else "Outstanding"


@given(inspection_documents(YOUTH))
@example(east_sussex_doc())
def test_youth_score_counts_the_twelve_scored_standards(doc: dict[str, Any]) -> None:
    result = rate(doc)
    points, scored = toml_points(YOUTH.id)
    assert len(scored) == 12 and {sid for sid, s in result.standards.items() if s.scored} == scored
    ratings = reference.evaluate(YOUTH, doc).ratings
    assert {sid: s.rating for sid, s in result.standards.items()} == ratings
    assert result.score == sum(points[ratings[sid] or ""] for sid in scored)
    assert result.overall == notes_overall(YOUTH.id, result.score)


@pytest.mark.parametrize("methodology_id", ["hmip-pdu-2021", "hmip-crc-nps-2018"])
def test_the_older_probation_frameworks_rate_through_the_same_engine(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    standards: dict[str, Any] = {}
    for i, s in enumerate(m.standards):
        if s.kind == "judged":
            standards[s.id] = {"judgement": "Good"}
        else:  # alternately Good (lowest 70%) and Requires improvement (lowest 55%)
            standards[s.id] = {"key_questions": {q.id: (70 if i % 2 else 55) if q.id == "keeping_safe" else 90 for q in s.key_questions}}
    result = rate({"id": "x", "unit": "Example", "methodology": m.id, "standards": standards})
    ratings = {s.id: "Good" if s.kind == "judged" or i % 2 else "Requires improvement" for i, s in enumerate(m.standards)}
    assert {sid: s.rating for sid, s in result.standards.items()} == ratings
    points, scored = toml_points(methodology_id)
    expected = sum(points[ratings[sid]] for sid in scored)
    assert result.score == expected and result.max_score == NOTES_TABLE[methodology_id][0]
    assert result.overall == notes_overall(methodology_id, expected)
    assert all(entry.engine_rule for entry in result.trace)
    assert not any(g for g in m.guidance)
