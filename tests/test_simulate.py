"""simulate: a reproducible population, drawn as its stated assumptions say, valid under the methodology."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probation_rules import InspectionError, UsageError, load_methodology, rate
from probation_rules.cli import main
from probation_rules.whatif import load_rates, simulation
from probation_rules.whatif.simulate import Rates
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "variants" / "good-from-70.toml"


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32), cases=st.integers(1, 60))
def test_the_same_seed_gives_the_same_inspections_however_many_are_drawn(seed: int, cases: int) -> None:
    m = load_methodology("hmip-pdu-2023")
    small, large = simulation([m], 5, seed, cases), simulation([m], 50, seed, cases)
    first = [d["standards"] for d in small.inspections()]
    assert first == [d["standards"] for d in large.inspections(0, 5)] == [d["standards"] for d in simulation([m], 5, seed, cases).inspections()]
    assert [large.inspection(i)["standards"] for i in (7, 3)] == [d["standards"] for d in (list(large.inspections())[7], list(large.inspections())[3])]
    for doc in small.inspections():
        result = rate(doc)
        assert result.methodology.id == "hmip-pdu-2023" and result.overall in m.scale.ratings
        for evidence in doc["standards"].values():
            for counts in evidence.get("key_questions", {}).values():
                assert 1 <= counts["relevant"] <= cases and 0 <= counts["yes"] <= counts["relevant"]


def test_different_seeds_differ() -> None:
    m = load_methodology("hmip-pdu-2023")
    assert [d["standards"] for d in simulation([m], 20, 1).inspections()] != [d["standards"] for d in simulation([m], 20, 2).inspections()]


def test_the_rates_are_honoured(tmp_path: Path) -> None:
    rates = tmp_path / "rates.toml"
    rates.write_text(
        'relevant = 1.0\n[yes]\ndefault = [1.0, 1.0]\n"P2.1/keeping_safe" = [0.0, 0.0]\n'
        '[judgements.default]\n"Good" = 1\n[strengths]\ndefault = 0.0\n"P1.1" = 1.0\n'
    )
    m = load_methodology("hmip-pdu-2023")
    population = simulation([m], 30, 5, 12, load_rates(rates, m))
    for doc in population.inspections():
        s = doc["standards"]
        assert s["P2.1"]["key_questions"] == {
            "engaging": {"yes": 12, "relevant": 12},
            "desistance": {"yes": 12, "relevant": 12},
            "keeping_safe": {"yes": 0, "relevant": 12},
        }
        assert s["P2.2"]["key_questions"]["keeping_safe"] == {"yes": 12, "relevant": 12}
        assert {s[j]["judgement"] for j in ("P1.1", "P1.2", "P1.3")} == {"Good"}
        assert (len(s["P1.1"]["strengths"]), len(s["P1.2"]["strengths"])) == (1, 0)
    text = "\n".join(population.assumptions())
    assert "P2.1/keeping_safe: rate of yes drawn uniformly from 0 to 0" in text and "judged ratings (every judged standard): Good 100%" in text
    # "every other" only where something else is named: there is no other when the default stands alone.
    assert "every key question not named on a line of its own: rate of yes drawn uniformly from 1 to 1" in text
    assert "every judged standard not named on a line of its own: one strength recorded with chance 0" in text
    defaults = "\n".join(simulation([m], 1, 5).assumptions())
    assert "every key question: rate of yes drawn" in defaults and "every judged standard: one strength" in defaults and "every other" not in defaults


def test_bad_rates_are_refused_with_every_problem(tmp_path: Path) -> None:
    rates = tmp_path / "rates.toml"
    rates.write_text('relevant = 1.5\n[yes]\n"P2.1/keeping_saf" = [0.9, 0.2]\n[judgements."P1.1"]\n"Godo" = 1\n')
    with pytest.raises(InspectionError) as caught:
        load_rates(rates, load_methodology("hmip-pdu-2023"))
    text = str(caught.value)
    assert text.startswith(f"{rates}: ")
    for part in (
        "relevant: must be a chance between 0 and 1 (got 1.5)",
        "yes[\"P2.1/keeping_saf\"]: must be 'default', a case-based standard or <standard>/<key question> of hmip-pdu-2023",
        "did you mean 'P2.1/keeping_safe'?",
        'yes["P2.1/keeping_saf"]: must be [low, high] with low at most high',
        'judgements["P1.1"].Godo: must be a rating',
        "did you mean 'Good'?",
    ):
        assert part in text


def test_a_population_spans_both_methodologies_questions(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text('extends = "hmip-pdu-2023"\nname = "v"\nrationale = "r"\n[[add."P2.1"]]\nid = "victims"\nlabel = "victims"\ntext = "Victims?"\n')
    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(path)
    doc = simulation([base, variant], 1, 1).inspection(0)
    assert set(doc["standards"]["P2.1"]["key_questions"]) == {"engaging", "desistance", "keeping_safe", "victims"}
    assert "methodology" in doc and "methodology" not in simulation([variant], 1, 1).inspection(0)
    assert Rates().relevant == 0.9


def test_the_command_writes_json_lines_with_assumptions_apart(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["simulate", "-m", "hmip-pdu-2023", "--count", "3", "--seed", "9"]) == 0
    out, err = capsys.readouterr()
    docs = [json.loads(line) for line in out.splitlines()]
    assert [d["id"] for d in docs] == ["sim-9-1", "sim-9-2", "sim-9-3"]
    assert err.startswith("# 3 simulated inspections, seed 9, 20 cases each")
    folder = tmp_path / "population"
    assert main(["simulate", "-m", str(EXAMPLE), "--count", "2", "--output", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["ASSUMPTIONS.txt", "sim-1-1.json", "sim-1-2.json"]
    assert capsys.readouterr().out.startswith(f"wrote 2 inspections to {folder}\n# 2 simulated inspections")
    lines = tmp_path / "population.jsonl"
    assert main(["simulate", "-m", "hmip-pdu-2023", "--count", "4", "--output", str(lines)]) == 0
    assert len(lines.read_text().splitlines()) == 4 and capsys.readouterr().out.startswith(f"wrote 4 inspections to {lines}")
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), str(folder), str(lines), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["inspections"] == 6


def test_the_api_takes_ids_and_refuses_bad_options_as_usage_errors() -> None:
    by_id = [d["standards"] for d in simulation("hmip-pdu-2023", 3, 4).inspections()]
    assert by_id == [d["standards"] for d in simulation([load_methodology("hmip-pdu-2023")], 3, 4).inspections()]
    with pytest.raises(UsageError) as caught:
        simulation([load_methodology("hmip-pdu-2023")], -3, 1.5, 0)  # type: ignore[arg-type]
    assert [(p.path, p.expected, p.value) for p in caught.value.problems] == [
        ("count", "must not be negative", -3),
        ("seed", "must be a whole number", 1.5),
        ("cases", "must be at least 1", 0),
    ]


def test_a_population_under_a_variant_says_how_to_rate_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "-m", str(EXAMPLE), "--count", "1"]) == 0
    out, err = capsys.readouterr()
    assert "methodology" not in json.loads(out)  # a document names only a bundled methodology
    assert err.startswith("# 1 simulated inspection, seed 1, 20 cases each;")
    assert f"# the inspections name no methodology (hmip-pdu-2023~good-from-70 is not bundled): rate them with --methodology {EXAMPLE}\n" in err
