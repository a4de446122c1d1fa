"""``probation-rules check --properties``: the invariants against one methodology, with the simplest counterexample."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from probation_rules import load_methodology
from probation_rules.cli import main
from probation_rules.engine.compiler import release
from probation_rules.testing.invariants import INVARIANTS

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_bundled_methodology_keeps_every_promise(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--properties", "--examples", "10", "hmip-pdu-2023"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("property ")]
    assert len(lines) == len(INVARIANTS) + 1
    assert all(line.endswith("holds (10 example(s))") or "methodology_round_trip: holds" in line for line in lines)


def test_a_non_monotone_variant_gets_its_simplest_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = FIXTURES / "broken" / "not-monotone.toml"
    assert main(["check", "--properties", "--examples", "40", "--format", "json", str(fixture)]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] is False
    outcomes = {p["name"]: p for p in body["properties"]}
    failed = outcomes["monotone_in_key_questions"]
    assert failed["passed"] is False
    assert "lowered" in failed["message"]
    assert outcomes["totality"]["passed"] and outcomes["trace_replay"]["passed"]
    m = load_methodology(fixture)
    try:  # the printed inspection really is a counterexample
        with pytest.raises(AssertionError, match="lowered"):
            INVARIANTS["monotone_in_key_questions"](m, failed["counterexample"])
    finally:
        release(m)


def test_the_counterexample_is_the_simplest_kind_of_inspection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The PDU methodology with its Good key-question band made Inadequate: percentages alone show
    # the fault, so the inspection printed gives percentages, not counts or case-by-case answers.
    text = (resources.files("probation_rules.methodologies") / "hmip-pdu-2023.toml").read_text()
    good = 'rating = "Good", at_least = 65'
    assert text.count(good) == 1
    variant = tmp_path / "variant.toml"
    variant.write_text(text.replace(good, 'rating = "Inadequate", at_least = 65'))
    assert main(["check", "--properties", "--examples", "20", "--format", "json", str(variant)]) == 1
    failed = next(p for p in json.loads(capsys.readouterr().out)["properties"] if p["name"] == "monotone_in_key_questions")
    doc = failed["counterexample"]
    assert "cases" not in doc
    values = [v for e in doc["standards"].values() for v in e.get("key_questions", {}).values()]
    assert values and all(isinstance(v, (int, float)) for v in values)


def test_the_text_report_prints_the_counterexample_and_is_the_same_every_run(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(FIXTURES / "broken" / "gap.toml")
    assert main(["check", "--properties", "--examples", "20", fixture]) == 1
    first = capsys.readouterr().out
    assert "property totality: FAILS: the inspection gets no rating" in first
    assert "  simplest inspection that shows it:" in first
    assert main(["check", "--properties", "--examples", "20", fixture]) == 1
    assert capsys.readouterr().out == first


def test_a_file_the_loader_refuses_runs_no_properties(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--properties", str(FIXTURES / "broken" / "missing-field.toml")]) == 1
    assert "property " not in capsys.readouterr().out
