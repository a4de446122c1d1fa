"""The worked example: York PDU, December 2024, reproduced from the rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

import probation_rules
from probation_rules import rate
from probation_rules.cli import main

from .conftest import YORK

PUBLISHED = {
    "P1.1": "Requires improvement",
    "P1.2": "Requires improvement",
    "P1.3": "Requires improvement",
    "P2.1": "Inadequate",
    "P2.2": "Inadequate",
    "P2.3": "Inadequate",
    "P2.4": "Inadequate",
}


def test_york_ratings_score_and_overall_match_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "--format", "json", str(YORK)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {sid: s["rating"] for sid, s in result["standards"].items()} == PUBLISHED
    assert (result["score"], result["max_score"], result["overall"]) == (3, 21, "Inadequate")
    assert result["methodology"]["id"] == "hmip-pdu-2023"
    assert len(result["methodology"]["sha256"]) == 64


def test_york_drivers_are_the_lowest_key_questions() -> None:
    result = rate(YORK)
    for sid in ("P2.1", "P2.2", "P2.3", "P2.4"):
        assert result.standards[sid].driver == "keeping_safe"
    p23 = result.standards["P2.3"]
    assert p23.key_questions["keeping_safe"].percent == 20
    assert p23.key_questions["engaging"].band == "Requires improvement"
    assert p23.key_questions["desistance"].band == "Inadequate"


def test_york_leadership_is_indicated_inadequate_and_raised_on_its_strengths() -> None:
    leadership = rate(YORK).standards["P1.1"]
    assert leadership.indicated == "Inadequate"
    assert leadership.rating == "Requires improvement"
    assert leadership.departure is not None
    assert leadership.departure.indicated == "Inadequate"
    assert leadership.departure.rating == "Requires improvement"
    assert leadership.departure.capped is False
    assert len(leadership.departure.reasons) == 3
    assert leadership.rule == "override.leadership-strengths"


def test_york_without_strengths_keeps_the_indicated_leadership_rating(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P1.1"]["strengths"] = []
    result = rate(york_doc)
    assert result.standards["P1.1"].rating == "Inadequate"
    assert result.standards["P1.1"].departure is None
    assert result.standards["P1.1"].rule == "guidance.leadership"
    assert (result.score, result.overall) == (2, "Inadequate")


def test_york_text_output_gives_one_reason_per_standard(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", str(YORK)]) == 0
    out = capsys.readouterr().out
    assert "P2.3 Implementation and delivery  Inadequate" in out
    assert "lowest key question: supporting the safety of other people, 20% (Inadequate below 50%)" in out
    assert "score 3/21" in out


def test_the_trace_names_every_rule_that_decided_york() -> None:
    result = rate(YORK)
    fired = {entry.rule for entry in result.trace}
    assert {
        "kq-bands.inadequate",
        "kq-bands.good",
        "kq-bands.outstanding",
        "lowest-drives",
        "judgement-stands",
        "guidance.leadership.all-inadequate",
        "override.leadership-strengths",
        "points.inadequate",
        "points.requires-improvement",
        "score",
        "overall-bands.inadequate",
    } <= fired
    override = result.trace.fired("override.leadership-strengths")[0]
    assert override.evidence == "inferred"
    assert "York" in override.citation
    assert override.inputs == {"judgement": "Requires improvement", "strengths": 3, "indicated": "Inadequate"}
    # Every decision came from a durable-rules rule firing, the score's sum too (one rule per total decides it).
    assert all(entry.engine_rule for entry in result.trace)
    assert [root.subject for root in result.trace.roots()] == ["overall"]


def test_trace_json_is_versioned_and_plain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--format", "json", str(YORK)]) == 0
    trace = json.loads(capsys.readouterr().out)
    assert trace["trace_version"] == probation_rules.TRACE_VERSION
    first = trace["entries"][0]
    assert set(first) == {"step", "rule", "subject", "inputs", "outcome", "because", "citation", "evidence", "engine_rule"}


def test_explain_prints_a_tree_from_the_overall_rating_down(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(YORK)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    tree = lines[lines.index("") + 1 :]
    assert tree[0].startswith("#") and "overall: rating=Inadequate" in tree[0]
    assert any("override.leadership-strengths" in line for line in tree)
    assert any("(shown above)" in line for line in tree)
