"""How firm York's ratings are: flip distances, sampling figures, the command and its labelling.

York publishes percentages only; with its 20 inspected cases every one is a whole number of 20
(five of the twelve are pinned to 20 relevant cases by the arithmetic or the report's text), so
these tests read York with ``--cases 20``, as docs/robustness.md explains.
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from fractions import Fraction
from typing import Any

import pytest

from probation_rules import rate
from probation_rules.cli import main
from probation_rules.methodology import methodology_from_dict
from probation_rules.robustness import ANALYSIS_VERSION, RobustnessError, analyse, clopper_pearson, lowest_effect, wilson
from probation_rules.robustness.plot import lowest_of_three_svg

from .conftest import ROOT, YORK

YORK_COUNTS = {  # York's published percentages as counts of 20 relevant cases
    "P2.1": {"engaging": 14, "desistance": 16, "keeping_safe": 5},
    "P2.2": {"engaging": 14, "desistance": 14, "keeping_safe": 7},
    "P2.3": {"engaging": 11, "desistance": 6, "keeping_safe": 4},
    "P2.4": {"engaging": 10, "desistance": 11, "keeping_safe": 5},
}


def york_with_counts(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for sid, kqs in YORK_COUNTS.items():
        doc["standards"][sid] = {"key_questions": {q: {"yes": k, "relevant": 20} for q, k in kqs.items()}}
    return doc


def at_least(n: int, k: int, p: Fraction) -> Fraction:
    """P(X >= k), X ~ Binomial(n, p): written out here, independently of the library."""
    return sum((math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1)), Fraction(0))


@pytest.fixture(scope="module")
def york() -> Any:
    return analyse(YORK, cases=20)


def test_york_flip_distances_say_how_many_cases_stood_between_each_standard_and_the_next_band(york: Any) -> None:
    up = {s.id: (s.up.judgements, s.up.rating) for s in york.standards if s.up is not None}
    assert up == {
        "P2.1": (5, "Requires improvement"),  # keeping other people safe 5 -> 10 of 20
        "P2.2": (3, "Requires improvement"),  # keeping other people safe 7 -> 10 of 20
        "P2.3": (10, "Requires improvement"),  # desistance 6 -> 10 and keeping safe 4 -> 10: every key question below 50% must rise
        "P2.4": (5, "Requires improvement"),
    }
    assert all(s.down is None for s in york.standards)  # all four are in the lowest band
    p23 = york.standard("P2.3").up
    assert {(c.key_question, c.yes, c.to_yes) for c in p23.changes} == {("desistance", 6, 10), ("keeping_safe", 4, 10)}


def test_york_overall_moves_with_the_cheapest_standard_and_the_guidance_reapplied(york: Any) -> None:
    o = york.overall
    assert (o.rating, o.score, o.available, o.counted) == ("Inadequate", 3, True, ("P2.1", "P2.2", "P2.3", "P2.4"))
    assert o.up is not None and o.down is None
    assert (o.up.judgements, o.up.rating, o.up.score) == (3, "Requires improvement", 4)
    assert [(m.standard, m.to_rating) for m in o.up.moves] == [("P2.2", "Requires improvement")]
    # Leadership stays Requires improvement either way (indicated Inadequate + one band on strengths,
    # or no indication and the judgement stands), so P2.2's point is the whole change.
    assert o.up.guided == {}
    steps = {(s.standard, s.to_judgement, s.overall, s.score) for s in o.judgement_steps}
    assert steps == {("P1.2", "Good", "Requires improvement", 4), ("P1.3", "Good", "Requires improvement", 4)}


def test_applying_york_overall_flip_changes_the_engine_rating(york_doc: dict[str, Any], york: Any) -> None:
    doc = york_with_counts(york_doc)
    for change in york.overall.up.changes:
        doc["standards"][change.standard]["key_questions"][change.key_question]["yes"] = change.to_yes
    result = rate(doc)
    assert (result.overall, result.score) == ("Requires improvement", 4)


def test_york_sampling_figures_match_binomial_arithmetic_written_out(york: Any) -> None:
    def stays_inadequate(counts: dict[str, int]) -> Fraction:
        return 1 - math.prod((at_least(20, 10, Fraction(k, 20)) for k in counts.values()), start=Fraction(1))

    for sid, counts in YORK_COUNTS.items():
        assert york.standard(sid).sampling.of("Inadequate") == stays_inadequate(counts)
    # York's overall changes exactly when some case-based standard leaves Inadequate (one point is enough).
    stays = math.prod((stays_inadequate(c) for c in YORK_COUNTS.values()), start=Fraction(1))
    assert york.overall.sampling.of("Inadequate") == stays
    assert round(float(york.overall.sampling.differs), 4) == 0.1351
    differs = {s.id: round(float(s.sampling.differs), 4) for s in york.standards if s.basis == "counts"}
    assert differs == {"P2.1": 0.0136, "P2.2": 0.1176, "P2.3": 0.0001, "P2.4": 0.0061}
    assert york.standard("P1.1").sampling.of("Requires improvement") == 1


def test_york_with_counts_gives_the_same_figures_without_assuming(york_doc: dict[str, Any], york: Any) -> None:
    counted = analyse(york_with_counts(york_doc))
    assert counted.assumed_cases is None and not any("assumed" in n for n in counted.notes)
    assert [s.sampling for s in counted.standards] == [s.sampling for s in york.standards]
    assert counted.overall.up == york.overall.up
    assert all(q.assumed for s in york.standards for q in s.key_questions)


def test_york_intervals_are_the_textbook_values(york: Any) -> None:
    engaging = york.standard("P2.1").key_questions[0]
    assert (engaging.yes, engaging.relevant) == (14, 20)
    w, cp = engaging.intervals
    assert (round(w.low, 4), round(w.high, 4)) == (0.4810, 0.8545)
    assert (round(cp.low, 4), round(cp.high, 4)) == (0.4572, 0.8811)  # R: binom.test(14, 20)$conf.int


def test_clopper_pearson_edges() -> None:
    assert clopper_pearson(0, 10, 0.95).low == 0.0
    assert round(clopper_pearson(0, 10, 0.95).high, 4) == 0.3085  # 1 - 0.025 ** (1 / 10)
    assert clopper_pearson(10, 10, 0.95).high == 1.0
    assert round(clopper_pearson(10, 10, 0.95).low, 4) == 0.6915
    assert wilson(0, 10, 0.95).low == 0.0 and wilson(10, 10, 0.95).high == 1.0


def test_percentages_only_say_that_flip_distances_need_counts(capsys: pytest.CaptureFixture[str]) -> None:
    report = analyse(YORK)
    assert report.overall.counted == () and report.overall.up is None and report.overall.sampling is None
    assert all(s.basis in ("percentages", "judged", "guided") for s in report.standards)
    assert main(["robustness", str(YORK)]) == 0
    out = capsys.readouterr().out
    assert "need counts" in out and "--cases N" in out
    assert "fewest case judgements to change it: needs counts" in out


def test_the_text_report_is_headed_as_analysis_and_shows_every_standard(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["robustness", str(YORK), "--cases", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Analysis, not a rating: ")
    assert "Counts assumed" in out and "(--cases 20)" in out
    assert "fewest case judgements to change it: 3 up (to Requires improvement, score 4: P2.2 Inadequate -> Requires improvement" in out
    assert "P2.3 Implementation and delivery  Inadequate\n  fewest case judgements to change it: 10 up" in out
    assert "on a new sample of the same size: differs with probability 13.5%" in out
    assert "Model:" in out and "independently of every other key question" in out


def test_the_json_report_is_kind_analysis_and_versioned(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["robustness", str(YORK), "--cases", "20", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["kind"] == "analysis" and body["analysis_version"] == ANALYSIS_VERSION
    assert body["notice"].startswith("Analysis, not a rating")
    by_id = {s["id"]: s for s in body["standards"]}
    assert by_id["P2.2"]["up"]["judgements"] == 3 and by_id["P2.2"]["fewest_judgements"] == 3
    assert by_id["P2.2"]["key_questions"][2]["up"]["changes"] == [{"standard": "P2.2", "key_question": "keeping_safe", "yes": 7, "to_yes": 10, "relevant": 20}]
    assert abs(sum(by_id["P2.2"]["sampling"]["probabilities"].values()) - 1) < 1e-12
    assert body["overall"]["up"]["judgements"] == 3 and body["overall"]["down"] is None
    interval = by_id["P2.1"]["key_questions"][0]["intervals"][1]
    assert interval["method"] == "clopper-pearson" and round(interval["low_percent"], 2) == 45.72


def test_markdown_and_simulation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["robustness", str(YORK), "--cases", "20", "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## Analysis, not a rating")
    assert "| P2.2 Planning | Inadequate | 3 (to Requires improvement) | none | 11.8% |" in out
    assert main(["robustness", str(YORK), "--cases", "20", "--simulate", "2000", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "Check by seeded simulation (2000 samples, seed 7" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cases", "17"], 'standards["P2.1"].key_questions.engaging: is not a whole number of 17 cases'),
        (["--cases", "0"], "--cases: must be from 1 to 10000"),
        (["--cases", "20001"], "--cases: must be from 1 to 10000"),
        (["--level", "1"], "--level: must be a confidence level strictly between 0 and 1"),
        (["--simulate", "0"], "--simulate: must be from 1 to 10000000"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["robustness", str(YORK), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_rates_mode_needs_cases_and_no_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["robustness", "--rates", "70", "70", "70"]) == 2
    assert main(["robustness", str(YORK), "--rates", "70", "--cases", "20"]) == 2
    assert main(["robustness"]) == 2
    assert "FILE: is required" in capsys.readouterr().err


def test_explain_shows_the_flip_distances_as_analysis(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(YORK), "--cases", "20"]) == 0
    out = capsys.readouterr().out
    tail = out[out.index("Analysis, not a rating") :]
    assert "P2.2 Inadequate: 3 up (to Requires improvement: P2.2 keeping_safe 7 -> 10 of 20); none down (lowest band)" in tail
    assert "overall Inadequate: fewest case judgements to change it: 3 up" in tail
    assert main(["explain", str(YORK)]) == 0
    assert "flip distances need counts" in capsys.readouterr().out


def test_lowest_of_three_at_seventy_percent(capsys: pytest.CaptureFixture[str]) -> None:
    effect = lowest_effect(methodology_from_dict(_pdu()), [70, 70, 70], 20)
    alone = at_least(20, 13, Fraction(7, 10))  # 13 of 20 = 65%, the Good edge
    assert effect.at_true_rates == effect.typical == "Good"
    assert effect.alone[0].of("Inadequate") + effect.alone[0].of("Requires improvement") == 1 - alone
    assert effect.below_true == 1 - alone**3
    assert round(float(effect.below_true), 3) == 0.539
    assert main(["robustness", "--rates", "70", "70", "70", "--cases", "20"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Analysis, not a rating")
    assert "rated below Good with probability 53.9%" in out


def test_unrated_standards_are_left_out(york_doc: dict[str, Any]) -> None:
    data = _pdu()
    data.setdefault(
        "not_rated",
        {
            "id": "not-rated",
            "citation": "test",
            "evidence": "inferred",
            "rescale": {"id": "not-rated.rescale", "method": "proportional", "citation": "test", "evidence": "inferred"},
        },
    )
    doc = york_with_counts(york_doc)
    doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    report = analyse(doc, methodology_from_dict(data))
    assert report.standard("P2.4").basis == "not rated"
    assert report.overall.available and report.overall.counted == ("P2.1", "P2.2", "P2.3")
    assert report.overall.up is not None and report.overall.up.judgements == 3


def test_a_methodology_without_guidance_and_with_nearest_rounding(york_doc: dict[str, Any]) -> None:
    data = _pdu()
    data["guidance"] = []
    data["key_question_score"]["rounding"] = "nearest"
    doc = york_with_counts(york_doc)
    doc["standards"]["P2.2"]["key_questions"]["keeping_safe"] = {"yes": 11, "relevant": 17}  # 64.7% rounds to 65%: Good
    doc["standards"]["P1.1"] = {"judgement": "Good"}
    report = analyse(doc, methodology_from_dict(data))
    p22 = report.standard("P2.2")
    assert p22.rating == "Good" and p22.down is not None
    assert p22.down.judgements == 1 and p22.down.rating == "Requires improvement"  # 10 of 17 is 58.8%
    assert report.overall.available


def test_large_counts_keep_flip_distances_and_withhold_exact_sampling(york_doc: dict[str, Any]) -> None:
    report = analyse(york_doc, cases=2000)
    assert report.standard("P2.2").up.judgements == 300  # 35% -> 50% of 2000
    assert report.standard("P2.2").sampling is None and report.overall.sampling is None
    assert any("withheld above 1000" in note for note in report.notes)
    doc = york_with_counts(york_doc)
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = {"yes": 1, "relevant": 10**9}
    with pytest.raises(RobustnessError, match="more than the analysis enumerates"):
        analyse(doc)


def test_the_documentation_plot_is_current() -> None:
    committed = (ROOT / "docs" / "robustness-lowest-of-three.svg").read_text(encoding="utf-8")
    assert committed == lowest_of_three_svg(), "stale: run python -m probation_rules.robustness.plot docs/robustness-lowest-of-three.svg"
    check = subprocess.run(
        [sys.executable, "-m", "probation_rules.robustness.plot", "docs/robustness-lowest-of-three.svg", "--check"], cwd=ROOT, capture_output=True, check=False
    )
    assert check.returncode == 0


def _pdu() -> dict[str, Any]:
    from .conftest import pdu_2023_data

    return pdu_2023_data()
