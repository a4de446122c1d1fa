"""The command line as a script sees it: exit status, stdout, and exactly one line on stderr.

Argument errors are read from the parser itself, so a new subcommand or option is covered
without editing this file.
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _pytest.capture import CaptureResult

from probation_rules.cli import COMMAND_MODULES, build_parser, main
from probation_rules.methodology import load_methodology

from .conftest import ROOT, YORK

PARSER = build_parser()
COMMANDS: dict[str, argparse.ArgumentParser] = next(a for a in PARSER._actions if isinstance(a, argparse._SubParsersAction)).choices
PUBLISHED = ROOT / "examples" / "published"


def one_error_line(captured: CaptureResult[str]) -> str:
    """The single stderr line of a refused command; nothing on stdout, no usage, no traceback."""
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert captured.err.endswith("\n")
    assert "Traceback" not in captured.err and "usage:" not in captured.err
    line: str = lines[0]
    assert line.startswith("probation-rules: error: ")
    return line


# --- argument errors, for every registered subcommand ------------------------------------------


def _bad_values() -> Iterator[tuple[str, str, str]]:
    """(command, option, value) for every option with choices or a type, with a value it refuses."""
    for name, parser in COMMANDS.items():
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0:
                continue
            if action.choices is not None:
                yield name, action.option_strings[0], "no-such-choice"
            elif callable(action.type):
                try:
                    action.type("not-a-value")
                except (TypeError, ValueError, argparse.ArgumentTypeError):
                    yield name, action.option_strings[0], "not-a-value"


BAD_VALUES = list(_bad_values())
REQUIRED = [
    name
    for name, parser in COMMANDS.items()
    if any(a.required or (not a.option_strings and a.nargs not in ("?", "*")) for a in parser._actions if not isinstance(a, argparse._HelpAction))
]


def test_every_subcommand_is_covered() -> None:
    assert set(COMMANDS) == set(COMMAND_MODULES)
    assert {name for name, _, _ in BAD_VALUES} >= {"rate", "methodologies", "robustness"}
    assert "rate" in REQUIRED


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_an_unknown_option_is_one_line_naming_the_command(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--no-such-option"]) == 2
    line = one_error_line(capsys.readouterr())
    assert line.startswith(f"probation-rules: error: {name}: ")
    # argparse reports a missing required argument before an unknown one; the unknown one is named instead
    assert "unrecognized arguments: --no-such-option" in line and "required" not in line


@pytest.mark.parametrize(("name", "option", "value"), BAD_VALUES, ids=[f"{n} {o}" for n, o, _ in BAD_VALUES])
def test_a_refused_option_value_is_one_line_naming_command_and_option(name: str, option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, option, value]) == 2
    line = one_error_line(capsys.readouterr())
    assert line.startswith(f"probation-rules: error: {name}: argument {option}")
    assert repr(value) in line


@pytest.mark.parametrize("name", REQUIRED)
def test_a_missing_required_argument_is_one_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name]) == 2
    assert "required" in one_error_line(capsys.readouterr())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rate", "x.json", "--format", "yaml"], "rate: argument --format/-f: invalid choice: 'yaml' (choose from 'text', 'json', 'markdown')"),
        (["rate", "x.json", "--format", "jsn"], "did you mean 'json'?"),
        (["rate", "x.json", "--frmat", "json"], "rate: unrecognized arguments: --frmat json; did you mean '--format'?"),
        (["rate"], "rate: the following arguments are required: FILE"),
        (["methodologies", "--on", "2024-09"], "methodologies: argument --on: must be a date written YYYY-MM-DD (got '2024-09')"),
        (["robustness", "--level", "abc"], "robustness: argument --level: invalid float value: 'abc'"),
        (["rat", "x.json"], "argument COMMAND: invalid choice: 'rat'"),
        (["rat", "x.json"], "did you mean 'rate'?"),
        ([], "the following arguments are required: COMMAND"),
        (["--versoin"], "probation-rules: error: unrecognized arguments: --versoin; did you mean '--version'?"),
        (["compare", "-a", "hmip-pdu-2023", "--candiate", "x"], "compare: unrecognized arguments: --candiate; did you mean '--candidate'?"),
        (["compare", "x.json", "-a", "hmip-pdu-2023", "-b", "hmip-pdu-2023", "--show", "-1"], "probation-rules: error: --show: must be at least 0 (got -1)"),
        (["compare", "-a", "hmip-pdu-2023", "-b", "hmip-pdu-2023", "--simulate", "0"], "probation-rules: error: --simulate: must be at least 1 (got 0)"),
        (["simulate", "-m", "hmip-pdu-2023", "-n", "-1"], "--count: must be at least 0 (got -1)"),
        (["compare", "-a", "hmip-pdu-2023", "-b", "hmip-pdu-2024", "x.json"], "probation-rules: error: --candidate: must be a bundled methodology id"),
        (["diff", "hmip-pdu-2022", "hmip-pdu-2023"], "probation-rules: error: A: must be a bundled methodology id"),
        (["diff", "hmip-pdu-2023", "hmip-pdu-2022"], "(got 'hmip-pdu-2022'); did you mean 'hmip-pdu-2023'?"),
    ],
)
def test_the_reviewed_argument_errors(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert expected in one_error_line(capsys.readouterr())


# The least arguments each command with a whole-number option runs on: a new command with such an
# option must be added here, and its options are then held to the test below.
RUNS_ON = {
    "explain": [str(YORK)],
    "check": ["hmip-pdu-2023"],
    "robustness": [str(YORK)],
    "diff": ["hmip-pdu-2023", "hmip-pdu-2023"],
    "compare": ["-a", "hmip-pdu-2023", "-b", "hmip-pdu-2023", str(YORK)],
    "simulate": ["-m", "hmip-pdu-2023", "-n", "1"],
}
COUNTS = [
    (name, option.option_strings[0])
    for name, parser in COMMANDS.items()
    for option in parser._actions
    if option.type is int and option.option_strings and option.dest != "seed"
]


@pytest.mark.parametrize(("name", "option"), COUNTS, ids=[f"{n} {o}" for n, o in COUNTS])
def test_every_count_option_refuses_a_negative_number_on_one_line(name: str, option: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A count below its least value (cases, lines shown, examples, workers) is refused before anything runs, naming the option."""
    assert main([name, *RUNS_ON[name], option, "-1"]) == 2
    line = one_error_line(capsys.readouterr())
    assert f"{option}: must be" in line and "(got -1)" in line


def test_diff_refuses_no_relevant_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "hmip-pdu-2023", "hmip-pdu-2021", "--cases", "0"]) == 2  # was a ZeroDivisionError traceback
    assert one_error_line(capsys.readouterr()) == "probation-rules: error: --cases: must be at least 1 (got 0)"


@pytest.mark.parametrize("name", ["explain", "robustness"])
def test_one_inspection_commands_read_standard_input_and_refuse_many(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = YORK.read_text()
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert main([name, "-"]) == 0
    from_stdin = capsys.readouterr().out
    assert main([name, str(YORK)]) == 0
    assert capsys.readouterr().out == from_stdin
    two = tmp_path / "two.jsonl"
    two.write_text(json.dumps(json.loads(text)) + "\n" + json.dumps(json.loads(text)) + "\n")
    assert main([name, str(two)]) == 2
    assert one_error_line(capsys.readouterr()) == f"probation-rules: error: FILE: must hold one inspection, and {two} holds 2 (rate takes many) (got '{two}')"


def test_a_value_with_a_newline_stays_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "x.json", "--x=1\n2"]) == 2
    assert "--x=1\\n2" in one_error_line(capsys.readouterr())


@pytest.mark.parametrize("name", [None, *sorted(COMMANDS)])
def test_help_is_still_printed_in_full(name: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"] if name else ["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: probation-rules")
    assert "options:" in out and len(out.splitlines()) > 4


def test_the_installed_command_prints_one_line_for_a_bad_argument() -> None:
    run = subprocess.run([sys.executable, "-m", "probation_rules.cli", "rate", str(YORK), "--format", "yaml"], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith("probation-rules: error: rate: argument --format/-f: invalid choice: 'yaml'")
    assert run.stderr.count("\n") == 1


# --- York through rate --format json: what issue 2 is done by ------------------------------------


def rate_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main(["rate", "--format", "json", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)  # the whole of stdout is one JSON document


def test_york_through_the_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    corpus = json.loads((ROOT / "tests" / "data" / "published-ratings.json").read_text())
    (published,) = [r for r in corpus if r["unit_name"] == "York PDU"]
    doc = json.loads(YORK.read_text())
    result = rate_json(capsys, str(YORK))
    assert isinstance(result, dict)
    standards = result["standards"]
    assert {sid: s["rating"] for sid, s in standards.items()} == {s["id"]: s["rating"] for s in published["standards"]}
    assert len(standards) == 7
    assert (result["score"], result["max_score"], result["overall"]) == (published["score"], published["score_max"], published["overall_rating"])
    assert (result["score"], result["max_score"], result["overall"]) == (3, 21, "Inadequate")
    for sid, table in published["key_questions"].items():
        driver = standards[sid]["driver"]
        assert standards[sid]["key_questions"][driver]["percent"] == min(table.values())
        assert driver == "keeping_safe"
    leadership = standards["P1.1"]
    assert leadership["indicated"] == "Inadequate"
    assert leadership["judgement"] == doc["standards"]["P1.1"]["judgement"] == "Requires improvement"
    assert leadership["departure"] == {
        "rule": "override.leadership-strengths",
        "indicated": "Inadequate",  # from: the guidance's rating
        "judgement": "Requires improvement",  # what the inspectors judged
        "rating": "Requires improvement",  # to: the rating given
        "reasons": doc["standards"]["P1.1"]["strengths"],  # the recorded strengths it rests on
        "capped": False,
    }
    assert {e["rule"] for e in result["trace"]["entries"]} >= {"guidance.leadership.all-inadequate", "override.leadership-strengths", "lowest-drives"}


def test_york_without_strengths_through_the_json_output(capsys: pytest.CaptureFixture[str], tmp_path: Path, york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P1.1"]["strengths"] = []
    file = tmp_path / "york-no-strengths.json"
    file.write_text(json.dumps(york_doc))
    result = rate_json(capsys, str(file))
    leadership = result["standards"]["P1.1"]
    assert (leadership["rating"], leadership["indicated"], leadership["departure"]) == ("Inadequate", "Inadequate", None)
    assert (result["score"], result["max_score"], result["overall"]) == (2, 21, "Inadequate")


def test_york_in_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "--format", "markdown", str(YORK)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "## York PDU: Inadequate"
    version = load_methodology("hmip-pdu-2023").version
    assert lines[2] == f"Score **3/21** under `hmip-pdu-2023` {version}."
    rows = [line for line in lines if line.startswith("| P")]
    assert len(rows) == 7
    assert rows[0].startswith("| P1.1 Leadership | Requires improvement | 1 | guidance indicated Inadequate")
    assert "| P2.3 Implementation and delivery | Inadequate | 0 | lowest key question: supporting the safety of other people, 20%" in lines[-2]


def test_several_files_give_a_list_in_the_order_given(capsys: pytest.CaptureFixture[str]) -> None:
    files = sorted(PUBLISHED.glob("*.json"), reverse=True)
    results = rate_json(capsys, *map(str, files))
    assert isinstance(results, list)
    assert [r["inspection"]["source"] for r in results] == [str(f) for f in files]


def test_a_folder_rates_every_json_file_in_it_sorted(capsys: pytest.CaptureFixture[str]) -> None:
    results = rate_json(capsys, str(PUBLISHED))
    files = sorted(PUBLISHED.glob("*.json"))
    assert len(files) >= 2
    assert [Path(r["inspection"]["source"]).name for r in results] == [f.name for f in files]
    assert main(["rate", str(PUBLISHED)]) == 0
    assert capsys.readouterr().out.count("rated under") == len(files)


def test_a_folder_of_one_file_is_still_a_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shutil.copy(YORK, tmp_path / "york.json")
    (tmp_path / "notes.txt").write_text("not an inspection")
    results = rate_json(capsys, str(tmp_path))
    assert isinstance(results, list) and [r["inspection"]["id"] for r in results] == ["york-pdu-2024"]


def test_json_lines_are_rated_and_errors_name_the_line(capsys: pytest.CaptureFixture[str], tmp_path: Path, york_doc: dict[str, Any]) -> None:
    file = tmp_path / "two.jsonl"
    second = copy.deepcopy(york_doc) | {"id": "york-again"}
    file.write_text(json.dumps(york_doc) + "\n\n" + json.dumps(second) + "\n")
    results = rate_json(capsys, str(file))
    assert [r["inspection"]["id"] for r in results] == ["york-pdu-2024", "york-again"]
    assert [r["inspection"]["source"] for r in results] == [f"{file}, line 1", f"{file}, line 3"]
    second["standards"]["P2.1"]["key_questions"] = {"engaging": 120, "desistance": 50, "keeping_safe": 50}
    file.write_text(json.dumps(york_doc) + "\n" + json.dumps(second) + "\n")
    assert main(["rate", str(file)]) == 2
    line = one_error_line(capsys.readouterr())
    assert line.startswith(f"probation-rules: error: {file}, line 2: ")
    assert "P2.1" in line and "engaging" in line


# --- bad input through the CLI: issue 2, item 9 ---------------------------------------------------


def _set(doc: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def _drop(doc: dict[str, Any], path: list[str]) -> None:
    for key in path[:-1]:
        doc = doc[key]
    del doc[path[-1]]


KQ = ["standards", "P2.1", "key_questions"]
# (name, change, what the line must name, the did-you-mean when one is due)
BAD_DOCUMENTS: list[tuple[str, Any, list[str], str | None]] = [
    ("percent above 100", lambda d: _set(d, [*KQ, "engaging"], 100.5), ["P2.1", "engaging", "100.5"], None),
    ("percent below 0", lambda d: _set(d, [*KQ, "engaging"], -0.1), ["P2.1", "engaging", "-0.1"], None),
    ("percent not a number", lambda d: _set(d, [*KQ, "engaging"], "seventy"), ["P2.1", "engaging", "seventy"], None),
    ("yes above relevant", lambda d: _set(d, [*KQ, "engaging"], {"yes": 5, "relevant": 3}), ["P2.1", "engaging", "yes"], None),
    ("relevant zero", lambda d: _set(d, [*KQ, "engaging"], {"yes": 0, "relevant": 0}), ["P2.1", "engaging", "relevant"], None),
    ("unknown standard", lambda d: _set(d, ["standards", "P9.9"], {"judgement": "Good"}), ["P9.9"], None),
    ("unknown key question", lambda d: _set(d, [*KQ, "keeping_saf"], 50), ["P2.1", "keeping_saf"], "keeping_safe"),
    ("unknown rating label", lambda d: _set(d, ["standards", "P1.2", "judgement"], "Requires improvment"), ["P1.2", "judgement"], "Requires improvement"),
    ("missing standard", lambda d: _drop(d, ["standards", "P1.3"]), ["P1.3", "missing"], None),
    ("missing key question", lambda d: _drop(d, [*KQ, "desistance"]), ["P2.1", "desistance", "missing"], None),
    ("unknown methodology", lambda d: _set(d, ["methodology"], "hmip-pdu-2033"), ["methodology", "hmip-pdu-2033"], "hmip-pdu-2023"),
]


@pytest.mark.parametrize(("name", "change", "names", "suggestion"), BAD_DOCUMENTS, ids=[c[0] for c in BAD_DOCUMENTS])
def test_a_bad_document_is_one_line_naming_file_and_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, york_doc: dict[str, Any], name: str, change: Any, names: list[str], suggestion: str | None
) -> None:
    change(york_doc)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(york_doc))
    for fmt in ("text", "json"):
        assert main(["rate", "--format", fmt, str(file)]) == 2
        line = one_error_line(capsys.readouterr())
        assert line.startswith(f"probation-rules: error: {file}: ")
        for part in names:
            assert part in line
        if suggestion is not None:
            assert f"did you mean {suggestion!r}" in line


@pytest.mark.parametrize(
    ("name", "content", "names"),
    [
        ("NaN", '{"id": "x", "unit": "y", "standards": {"P2.1": {"key_questions": {"engaging": NaN}}}}', ["NaN"]),
        ("invalid JSON", '{"id": "york", ', ["JSON"]),
        ("an empty file", "", ["JSON"]),
        ("a list", "[1, 2]", ["JSON object"]),
        ("a string", '"York"', ["JSON object"]),
    ],
)
def test_a_file_that_is_no_inspection_is_one_line_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: str, names: list[str]
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(content)
    assert main(["rate", str(file)]) == 2
    line = one_error_line(capsys.readouterr())
    assert line.startswith(f"probation-rules: error: {file}: ")
    for part in names:
        assert part in line


def test_a_missing_file_and_an_empty_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["rate", str(YORK), str(tmp_path / "nope.json")]) == 2
    assert one_error_line(capsys.readouterr()).startswith(f"probation-rules: error: {tmp_path / 'nope.json'}: ")
    assert main(["rate", str(tmp_path)]) == 2
    assert one_error_line(capsys.readouterr()).startswith(f"probation-rules: error: {tmp_path}: ")
    (tmp_path / "empty.jsonl").write_text("\n")
    assert main(["rate", str(tmp_path / "empty.jsonl")]) == 2
    assert "has no inspections" in one_error_line(capsys.readouterr())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"id": ', "is not valid JSON"),
        ("json-with-a-typo", "did you mean 'keeping_safe'"),
    ],
)
def test_the_installed_command_never_prints_a_traceback(tmp_path: Path, york_doc: dict[str, Any], content: str, expected: str) -> None:
    file = tmp_path / "bad.json"
    if content == "json-with-a-typo":
        york_doc["standards"]["P2.4"]["key_questions"]["keepingsafe"] = york_doc["standards"]["P2.4"]["key_questions"].pop("keeping_safe")
        content = json.dumps(york_doc)
    file.write_text(content)
    run = subprocess.run([sys.executable, "-m", "probation_rules.cli", "rate", "--format", "json", str(file)], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"probation-rules: error: {file}: ")
    assert expected in run.stderr


def test_standard_input_is_rated_as_one_document_or_as_json_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], york_doc: dict[str, Any]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(york_doc, indent=2)))
    assert main(["rate", "-", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"] == "Inadequate"  # one document: one object
    other = {**york_doc, "id": "other"}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(york_doc) + "\n" + json.dumps(other) + "\n"))
    assert main(["rate", "-", "--format", "json"]) == 0
    assert [r["inspection"]["id"] for r in json.loads(capsys.readouterr().out)] == ["york-pdu-2024", "other"]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(york_doc) + '\n{"id": "a", "id": "b"}\n'))
    assert main(["rate", "-"]) == 2
    assert one_error_line(capsys.readouterr()).startswith("probation-rules: error: standard input, line 2: id: is given more than once")
