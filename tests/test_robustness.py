"""How firm York's ratings are: flip distances, sampling figures, the command and its labelling.

York publishes percentages only; with its 20 inspected cases every one is a whole number of 20
(five of the twelve are pinned to 20 relevant cases by the arithmetic or the report's text), so
these tests read York with ``--cases 20``, as docs/robustness.md explains.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import re
import subprocess
import sys
from fractions import Fraction
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from probation_rules import UsageError, rate
from probation_rules.cli import build_parser, main
from probation_rules.methodology import load_methodology, methodology_from_dict
from probation_rules.robustness import ANALYSIS_VERSION, RobustnessError, analyse, clopper_pearson, lowest_effect, wilson
from probation_rules.robustness.plot import CAPTION, lowest_of_three_svg
from probation_rules.robustness.render import chance, render
from probation_rules.robustness.sampling import _cdf

from .conftest import ROOT, THOROUGH, YORK

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


def _york_leadership(york_doc: dict[str, Any], judgement: str, strengths: list[str]) -> dict[str, Any]:
    doc = copy.deepcopy(york_doc)
    doc["standards"]["P1.1"] = {"judgement": judgement, "strengths": strengths}
    return doc


def test_a_guided_standard_has_its_own_flip_distances(york_doc: dict[str, Any], tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """Leadership judged Good with no strengths: the guidance rates it Inadequate, until one domain-two standard leaves Inadequate."""
    path = tmp_path / "york-good.json"
    path.write_text(json.dumps(_york_leadership(york_doc, "Good", [])))
    assert main(["robustness", str(path), "--cases", "20", "-f", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["analysis_version"] == ANALYSIS_VERSION == "2"
    p11 = next(s for s in body["standards"] if s["id"] == "P1.1")
    assert (p11["rating"], p11["basis"], p11["fewest_judgements"], p11["down"], p11["holds"]) == ("Inadequate", "guided", 3, None, None)
    assert (p11["up"]["judgements"], p11["up"]["rating"]) == (3, "Good")  # the guidance no longer applies: the judgement stands
    assert p11["up"]["changes"] == [{"standard": "P2.2", "key_question": "keeping_safe", "yes": 7, "to_yes": 10, "relevant": 20}]
    assert p11["up"]["moves"] == [{"standard": "P2.2", "rating": "Inadequate", "to_rating": "Requires improvement", "judgements": 3}]
    assert p11["informed_by"] == ["P2.1", "P2.2", "P2.3", "P2.4"]
    assert p11["held"] == {"up": None, "down": None}  # down: the lowest band, not held
    assert p11["sampling"]["differs"] > 0
    overall = body["overall"]["up"]
    assert overall["judgements"] == 3 and overall["guided"] == {"P1.1": {"rating": "Inadequate", "to_rating": "Good"}}  # the same move
    doc = json.loads(path.read_text())
    doc["standards"]["P2.2"]["key_questions"]["keeping_safe"] = 50  # the reported change: 10 of 20
    assert rate(doc).standards["P1.1"].rating == "Good"
    assert main(["robustness", str(path), "--cases", "20"]) == 0
    text = capsys.readouterr().out
    assert (
        "  fewest case judgements to change it (through the guidance from P2.1, P2.2, P2.3, P2.4): 3 up (to Good: "
        "P2.2 Inadequate -> Requires improvement; by P2.2 keeping_safe 7 -> 10 of 20); none down (lowest band)"
    ) in text
    assert main(["robustness", str(path), "--cases", "20", "-f", "markdown"]) == 0
    assert "| P1.1 Leadership | Inadequate | 3 (to Good) | none (lowest band) | 13.5% |" in capsys.readouterr().out


def test_a_guided_standard_the_override_holds_says_so(york: Any, york_doc: dict[str, Any]) -> None:
    """York as published: leadership is Requires improvement whatever domain two does, by the override or by the judgement."""
    p11 = york.standard("P1.1")
    assert (p11.up, p11.down, p11.fewest) == (None, None, None)
    assert p11.informed_by == ("P2.1", "P2.2", "P2.3", "P2.4")
    override = load_methodology("hmip-pdu-2023").guidance[0].override
    assert override is not None
    assert p11.holds == (
        "no case judgements change it: whatever ratings P2.1, P2.2, P2.3 and P2.4 take, the engine rates it Requires improvement "
        f"(where the guidance indicates Inadequate, {override.id} lets the inspectors' judgement (Requires improvement) stand on 3 recorded strengths; "
        "where no guidance row applies, the inspectors' judgement (Requires improvement) stands)"
    )
    assert p11.sampling is not None and p11.sampling.differs == 0
    assert f"  {p11.holds}" in render(york, "text")
    assert f"- N{p11.holds[1:]}." in render(york, "markdown")
    # Judged higher than the override allows: capped at one band above the indication, so it can rise but not fall.
    capped = analyse(_york_leadership(york_doc, "Outstanding", ["a strength"]), cases=20).standard("P1.1")
    assert capped.rating == "Requires improvement" and capped.down is None and capped.holds is None
    assert capped.up is not None and (capped.up.judgements, capped.up.rating) == (3, "Outstanding")
    held = capped.held("down", york.scale)
    assert held is not None
    assert held.startswith("no case judgements lower it: whatever ratings P2.1, P2.2, P2.3 and P2.4 take, the engine rates it Requires improvement or higher")
    assert f"{override.id} departs from it on 1 recorded strength as far as it allows, to Requires improvement (judged Outstanding)" in held
    assert capped.held("up", york.scale) is None
    assert f"none down ({held})" in render(analyse(_york_leadership(york_doc, "Outstanding", ["a strength"]), cases=20), "text")


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
    assert "| P2.2 Planning | Inadequate | 3 (to Requires improvement) | none (lowest band) | 11.8% |" in out
    assert main(["robustness", str(YORK), "--cases", "20", "--simulate", "2000", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "Check by seeded simulation (2000 samples, seed 7" in out


def test_markdown_carries_what_the_text_report_does(capsys: pytest.CaptureFixture[str]) -> None:
    """Every flip line, sampling line, key-question row (with its intervals) and simulated figure of the text report is in the Markdown."""
    argv = ["robustness", str(YORK), "--cases", "20", "--simulate", "2000", "--seed", "7"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert main([*argv, "-f", "markdown"]) == 0
    markdown = capsys.readouterr().out
    heads = (
        "fewest case judgements to change it",
        "no case judgements change it",
        "on a new sample of the same size",
        "judged standards, one at a time",
        "overall differs",
    )
    carried = [line.strip() for line in text.splitlines() if line.strip().startswith(heads) or re.match(r"  P2\.\d differs: ", line)]
    # the overall's three lines, two for each of P2.1-P2.4, two for the guided P1.1 (why it holds, its sampling), five simulated figures
    assert len(carried) == 3 + 2 * 4 + 2 + 5
    for line in carried:
        assert line.split(": ", 1)[1] in markdown, line
    assert "### Check by seeded simulation" in markdown and "- P2.2 differs: simulated" in markdown
    assert "| keeping other people safe | 7/20\\* | 35.0% | Inadequate | +3 | - | 18.1-56.7% | 15.4-59.2% |" in markdown
    assert markdown.count("| Key question | Cases | % | Band | Up | Down | 95% Wilson | 95% Clopper-Pearson |") == 4
    assert sum(1 for line in markdown.splitlines() if line.startswith("| ") and "/20\\* |" in line) == 12


def test_markdown_tells_the_lowest_band_from_no_case_judgements_can(york_doc: dict[str, Any]) -> None:
    """Overall Good with every case-based standard already Outstanding: only the judged standards could raise it."""
    doc = york_with_counts(york_doc)
    doc["standards"]["P1.2"] = doc["standards"]["P1.3"] = {"judgement": "Inadequate"}
    for sid in YORK_COUNTS:
        doc["standards"][sid] = {"key_questions": {q: {"yes": 20, "relevant": 20} for q in YORK_COUNTS[sid]}}
    report = analyse(doc)
    assert report.overall.rating == "Good" and report.overall.up is None and report.overall.down is not None
    markdown = render(report, "markdown")
    assert f"| **Overall** (score {report.overall.score}/21) | Good | none (no case judgements can) | {report.overall.down.judgements} (to " in markdown
    assert "| P2.1 Assessment | Outstanding | none (top band) | 5 (to Good) |" in markdown  # 15 of 20 is 75%, below the 80% edge
    assert "none up (no case judgements can)" in render(report, "text")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cases", "17"], 'standards["P2.1"].key_questions.engaging: is not a whole number of 17 cases'),
        (["--cases", "0"], "--cases: must be from 1 to 10000"),
        (["--cases", "20001"], "--cases: must be from 1 to 10000"),
        (["--level", "1"], "--level: must be a confidence level strictly between 0 and 1"),
        (["--simulate", "0"], "--simulate: must be from 1 to 10000000"),
        (["--level", "nan"], "--level: must be a confidence level strictly between 0 and 1"),
        (["--seed", "3"], "--seed: needs --simulate DRAWS"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["robustness", str(YORK), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--rates", "nan", "--cases", "20"], "--rates: must be percentages between 0 and 100 (got nan)"),
        (["--rates", "inf", "--cases", "20"], "--rates: must be percentages between 0 and 100 (got inf)"),
        (["--rates", "70", "1e999", "--cases", "20"], "--rates: must be percentages between 0 and 100 (got inf)"),
        (["--rates", "101", "--cases", "20"], "--rates: must be percentages between 0 and 100 (got 101.0)"),
        (["--rates", "70", "--cases", "1001"], "--cases: must be from 1 to 1000"),
        (["--rates", "70", "--cases", "20", "--level", "0.9"], "--rates: takes no --level: its figures are exact"),
        (["--rates", "70", "--cases", "20", "--simulate", "100", "--seed", "1"], "--rates: takes no --simulate or --seed"),
    ],
)
def test_bad_rates_options_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert main(["robustness", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


_VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e999", "-1", "0", "1", "2", "20", "70", "100", "101", "0.5", "0.95", "1.0", "", "json", "markdown"]),
    st.integers(-3, 40).map(str),
    st.floats().map(repr),
    st.text(max_size=6).filter(lambda t: not _large_int(t)),
)


def _large_int(text: str) -> bool:
    """Whether argparse would read this as an integer too large for a quick test (int() also reads other scripts' digits)."""
    try:
        return abs(int(text)) > 40
    except ValueError:
        return False


def _numbers(good: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """Mostly values of the option's own type and range (so that the command itself judges them), sometimes anything."""
    return st.one_of(good.map(str), good.map(str), _VALUES)


_FOR = {
    "--cases": _numbers(st.integers(-2, 40)),
    "--level": _numbers(st.floats(-0.5, 1.5) | st.sampled_from([math.nan, math.inf])),
    "--simulate": _numbers(st.integers(-2, 200)),
    "--seed": _numbers(st.integers(-5, 10**9)),
    "--format": st.sampled_from(["text", "json", "markdown", "text", "json", "markdown", "html"]),
}
_USUAL = st.sampled_from(sorted(_FOR)).flatmap(lambda name: st.tuples(st.just(name), _FOR[name].map(lambda v: [v])))
_RATES = st.tuples(
    st.just("--rates"), st.lists(_numbers(st.integers(-5, 105) | st.floats(-10, 110) | st.sampled_from([math.nan, math.inf])), min_size=1, max_size=3)
)
_OPTIONS = st.one_of(_USUAL, _USUAL, _USUAL, _RATES, _RATES, st.tuples(st.sampled_from(["--rates", *_FOR]), st.lists(_VALUES, max_size=3)))


def _tokens(options: list[tuple[str, list[str]]]) -> list[str]:
    return [token for name, values in options for token in (name, *values)]


_MORE = st.lists(_OPTIONS, max_size=3, unique_by=lambda option: option[0]).map(_tokens)
_ARGV = st.one_of(
    st.tuples(st.just([str(YORK), "--cases"]), st.integers(1, 40).map(lambda n: [str(n)]), _MORE),  # a file, assumed counts and more
    st.tuples(st.just([str(YORK)]), _MORE, _MORE),
    st.tuples(_RATES.map(lambda r: _tokens([r])), st.integers(1, 40).map(lambda n: ["--cases", str(n)]), _MORE),  # the lowest-of-three mode and more
    st.tuples(st.just([]), _MORE, _MORE),
).map(lambda parts: [token for part in parts for token in part])


@settings(max_examples=60 if THOROUGH else 30, deadline=None)
@given(_ARGV)
@example(["--rates", "nan", "--cases", "20"])
@example(["--rates", "inf", "70", "--cases", "20"])
@example([str(YORK), "--cases", "20", "--level", "inf"])
def test_any_option_strings_end_in_output_or_one_line_and_exit_2(options: list[str]) -> None:
    """Whatever the options say, the command prints its analysis or one line of error and exits 2: never a traceback."""
    argv = ["robustness", *options]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as exc:  # argparse's own refusal (a value of the wrong type, a missing one): usage, then one error line
            assert exc.code == 2
            assert "\nprobation-rules robustness: error: " in err.getvalue() or "\nprobation-rules: error: unrecognized arguments: " in err.getvalue()
            return
    assert status in (0, 2)
    if status == 2:
        assert err.getvalue().count("\n") == 1 and err.getvalue().startswith("probation-rules: error: ")
    else:
        assert out.getvalue().startswith("Analysis, not a rating") or out.getvalue().startswith(("{", "## Analysis, not a rating"))


def test_rates_mode_says_one_relevant_case_in_the_singular(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["robustness", "--rates", "50", "--cases", "1"]) == 0
    assert "at 1 relevant case each (" in capsys.readouterr().out
    assert main(["robustness", "--rates", "50", "--cases", "2"]) == 0
    assert "at 2 relevant cases each (" in capsys.readouterr().out


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


def test_explain_json_is_the_trace_alone_and_refuses_cases(capsys: pytest.CaptureFixture[str]) -> None:
    """The JSON trace carries no analysis; asking it for flip distances points to where they are."""
    assert main(["explain", str(YORK), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == rate(YORK).trace.to_dict()
    assert main(["explain", str(YORK), "-f", "json", "--cases", "20"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("probation-rules: error: --cases: ")
    assert "probation-rules robustness FILE --cases N --format json" in err
    assert main(["explain", "--help"]) == 0
    assert "The analysis as JSON: `probation-rules robustness FILE --format json`" in " ".join(capsys.readouterr().out.split())


def _held_percentages(york_doc: dict[str, Any]) -> dict[str, Any]:
    """York as counts, but with one of P2.4's key questions a percentage: P2.4 is held as inspected."""
    doc = york_with_counts(york_doc)
    doc["standards"]["P2.4"]["key_questions"]["desistance"] = 55
    return doc


def test_explain_says_which_standards_the_overall_flip_distances_vary(york_doc: dict[str, Any], tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "held.json"
    path.write_text(json.dumps(_held_percentages(york_doc)))
    assert main(["robustness", str(path)]) == 0
    text = capsys.readouterr().out
    qualifier = "fewest case judgements to change it (varying P2.1, P2.2, P2.3 only; P2.4 held as inspected): "
    assert qualifier in text
    assert main(["explain", str(path)]) == 0
    out = capsys.readouterr().out
    tail = out[out.index("Analysis, not a rating") :]
    assert f"overall Inadequate: {qualifier}" in tail
    assert "P2.4 Inadequate: key questions given as percentages only: held fixed" in tail
    assert "counts assumed" not in tail
    assert main(["robustness", str(path), "-f", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "| **Overall** (score 3/21; P2.4 held as inspected) | Inadequate | 3 (to Requires improvement) |" in markdown
    assert f"- Fewest case judgements to change it{qualifier.removeprefix('fewest case judgements to change it')}" in markdown


def test_cases_that_assume_nothing_are_not_reported_as_assumed(york_doc: dict[str, Any], tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "counted.json"
    path.write_text(json.dumps(york_with_counts(york_doc)))
    assert analyse(path, cases=20).assumed_cases is None
    assert analyse(YORK, cases=20).assumed_cases == 20
    assert main(["explain", str(path), "--cases", "20"]) == 0
    assert "counts assumed" not in capsys.readouterr().out
    assert main(["explain", str(YORK), "--cases", "20"]) == 0
    assert "counts assumed: percentages read as whole numbers of 20 relevant cases (--cases 20)" in capsys.readouterr().out
    assert main(["robustness", str(path), "--cases", "20", "-f", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["assumed_cases"] is None and not any(q["assumed"] for s in body["standards"] for q in s["key_questions"])


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


def test_the_lowest_effect_in_markdown_is_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    """A heading, a table of the distribution and a list of the key questions alone: no indented text lines that Markdown would collapse."""
    assert main(["robustness", "--rates", "70", "70", "35", "--cases", "20", "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("## Analysis, not a rating: how 'lowest drives' rates") and lines[1] == ""
    assert not any(line.startswith("  ") for line in lines)
    effect = lowest_effect(load_methodology("hmip-pdu-2023"), [70, 70, 35], 20)
    d = effect.distribution
    assert "| Rating | Probability |\n|---|---|\n" + "\n".join(f"| {r} | {chance(p)} |" for r, p in zip(d.ratings, d.probabilities, strict=True)) in out
    assert "| Inadequate | 88.2% |" in out
    assert [line for line in lines if line.startswith("- ")] == [
        "- 70%: Inadequate 1.7%, Requires improvement 21.1%, Good 53.5%, Outstanding 23.8%",
        "- 70%: Inadequate 1.7%, Requires improvement 21.1%, Good 53.5%, Outstanding 23.8%",
        "- 35%: Inadequate 87.8%, Requires improvement 11.6%, Good 0.6%, Outstanding <0.1%",
    ]
    assert main(["robustness", "--rates", "70", "70", "35", "--cases", "20"]) == 0
    text = capsys.readouterr().out
    assert "## " not in text and "rating distribution:\n  Inadequate" in text  # the text form is unchanged


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
    assert any("withheld above 1000" in note and "--simulate DRAWS" in note for note in report.notes)
    doc = york_with_counts(york_doc)
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = {"yes": 1, "relevant": 10**9}
    with pytest.raises(RobustnessError, match="more than the analysis enumerates"):
        analyse(doc)


def test_above_the_exact_limit_the_simulation_stands_in(york_doc: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    report = analyse(york_doc, cases=2000, simulate_draws=1000, seed=3)
    sim = report.simulation
    assert sim is not None and sim.draws == 1000 and set(sim.standards) == {"P2.1", "P2.2", "P2.3", "P2.4"}
    assert any("the seeded simulation below stands in for them" in note for note in report.notes)
    # At 2000 cases P2.2's keeping-safe count (700) is 150 cases from the 50% edge: it never leaves Inadequate.
    assert sim.standards_differ["P2.2"].hits == 0 and sim.overall_differs.hits == 0
    assert main(["robustness", str(YORK), "--cases", "2000", "--simulate", "1000"]) == 0
    out = capsys.readouterr().out
    assert "Seeded simulation, standing in for the withheld exact figures (1000 samples, seed 0" in out
    assert "overall on a new sample: Inadequate 100.00%" in out


def test_the_large_count_simulation_draws_from_the_binomial_distribution() -> None:
    """Above the exact limit the sampler's distribution function is summed in floats: it matches the exact one written out."""
    n, p = 2000, Fraction(7, 20)
    floats = _cdf(n, p)
    assert len(floats) == n
    for k in (600, 650, 700, 750, 800):
        exact = Fraction(sum(math.comb(n, i) * 7**i * 13 ** (n - i) for i in range(k + 1)), 20**n)
        assert abs(floats[k] - float(exact)) < 1e-12
    assert _cdf(n, Fraction(0)) == [1.0] * n and _cdf(n, Fraction(1)) == [0.0] * n


def test_simulating_nothing_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    report = analyse(YORK, simulate_draws=100)
    assert report.simulation is None
    assert any("--simulate: nothing simulated, because no standard's key questions have counts" in n for n in report.notes)


def test_the_york_table_at_the_top_of_the_page_is_what_the_analysis_gives(york: Any) -> None:
    """docs/robustness.md opens with York's figures as a table: each row is computed here and must be there, verbatim."""
    page = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")

    def fewest(up: Any, down: Any, overall: bool) -> str:
        flip, direction = min(((f, d) for f, d in ((up, "up"), (down, "down")) if f is not None), key=lambda fd: fd[0].judgements)
        return f"{flip.judgements} ({direction}, to {flip.rating})" if overall else f"{flip.judgements} ({direction})"

    o = york.overall
    rows = [f"| **Overall** (score {o.score}/{o.max_score}) | {o.rating} | {fewest(o.up, o.down, True)} | {chance(o.sampling.differs)} |"]
    rows += [f"| {s.id} {s.name} | {s.rating} | {fewest(s.up, s.down, False)} | {chance(s.sampling.differs)} |" for s in york.standards if s.basis == "counts"]
    start = page.index("| | York's rating |")
    table = page[start:].split("\n\n", 1)[0].splitlines()[2:]
    assert table == rows


def test_the_documentation_plot_is_current() -> None:
    committed = (ROOT / "docs" / "robustness-lowest-of-three.svg").read_text(encoding="utf-8")
    assert committed == lowest_of_three_svg(), "stale: run python -m probation_rules.robustness.plot docs/robustness-lowest-of-three.svg"
    check = subprocess.run(
        [sys.executable, "-m", "probation_rules.robustness.plot", "docs/robustness-lowest-of-three.svg", "--check"], cwd=ROOT, capture_output=True, check=False
    )
    assert check.returncode == 0
    assert all(escape(line) in committed for line in CAPTION)  # which way the independence assumption pushes
    assert "chance of each rating" in committed  # the y axis has a title
    assert "#27ae60" not in committed and "#c0392b" not in committed  # no red/green pair: Okabe and Ito's palette


def _pdu() -> dict[str, Any]:
    from .conftest import pdu_2023_data

    return pdu_2023_data()


def test_options_out_of_range_are_usage_errors_and_an_unanswerable_inspection_a_robustness_error() -> None:
    # the Python API names its own arguments; the command line names its options (tested above)
    for kwargs, option in (({"level": 1.0}, "level"), ({"simulate_draws": 0}, "simulate_draws"), ({"cases": 0}, "cases")):
        with pytest.raises(UsageError) as info:
            analyse(YORK, **kwargs)  # type: ignore[arg-type]
        assert not isinstance(info.value, RobustnessError) and info.value.problems[0].path == option
    m = load_methodology("hmip-pdu-2023")
    for rates, cases, option in (([], 20, "rates"), ([70.0], [20, 20], "relevant"), ([101.0], 20, "rates"), ([70.0], 0, "relevant")):
        with pytest.raises(UsageError) as info:
            lowest_effect(m, rates, cases)
        assert info.value.problems[0].path == option
    for argv in (["robustness", "--rates", "70"], ["robustness", str(YORK), "--seed", "1"], ["explain", str(YORK), "--format", "json", "--cases", "20"]):
        args = build_parser().parse_args(argv)
        with pytest.raises(UsageError):
            args.run(args)


def test_explain_still_explains_when_the_analysis_cannot_answer_with_assumed_cases() -> None:
    from probation_rules.robustness.render import explain_section
    from tests.conftest import pdu_2023_data

    data = pdu_2023_data()
    data["key_question_bands"]["bands"][0]["at_least"] = 10  # a gap below the lowest band, which a new sample can fall in
    m = methodology_from_dict(data)
    doc = json.loads(YORK.read_text())
    with pytest.raises(RobustnessError, match="no band covers"):
        analyse(doc, m, cases=20)
    last = explain_section(doc, m, 20).splitlines()[-1]  # raised the RobustnessError before, with --cases given
    assert last.startswith("unavailable: ") and "no band covers" in last
    assert "is not a whole number of 17 cases" in explain_section(doc, "hmip-pdu-2023", 17).splitlines()[-1]  # the tree above it stands
    with pytest.raises(UsageError):
        explain_section(doc, "hmip-pdu-2023", 0)
