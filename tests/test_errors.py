"""Bad input: one line on stderr naming file, path and problem; exit status 2; typed errors in the API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from probation_rules import (
    DocumentSyntaxError,
    InputFileError,
    InspectionError,
    MethodologyError,
    ProbationRulesError,
    UnknownMethodologyError,
    load_methodology,
    rate,
)
from probation_rules.cli import main


def _set(path: list[str], value: Any) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop(path: list[str]) -> Any:
    def mutate(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


KQ = ["standards", "P2.1", "key_questions"]

CASES = [
    ("percent above 100", _set([*KQ, "engaging"], 120), 'standards["P2.1"].key_questions.engaging', "between 0 and 100"),
    ("negative percent", _set([*KQ, "engaging"], -1), 'standards["P2.1"].key_questions.engaging', "between 0 and 100"),
    ("percent as a string", _set([*KQ, "engaging"], "70"), 'standards["P2.1"].key_questions.engaging', "must be a percentage"),
    ("percent as a boolean", _set([*KQ, "engaging"], True), 'standards["P2.1"].key_questions.engaging', "must be a percentage"),
    ("yes above relevant", _set([*KQ, "engaging"], {"yes": 5, "relevant": 3}), "engaging.yes", "must not exceed relevant"),
    ("no relevant cases", _set([*KQ, "engaging"], {"yes": 0, "relevant": 0}), "engaging.relevant", "at least 1"),
    ("unknown standard", _set(["standards", "P2.9"], {"judgement": "Good"}), 'standards["P2.9"]', "not a standard"),
    ("unknown key question", _set([*KQ, "engagin"], 50), "engagin", "did you mean 'engaging'"),
    ("unknown rating label", _set(["standards", "P1.2", "judgement"], "good"), "judgement", "did you mean 'Good'"),
    ("missing standard", _drop(["standards", "P1.3"]), 'standards["P1.3"]', "is missing"),
    ("missing key question", _drop([*KQ, "desistance"]), "key_questions.desistance", "is missing"),
    ("unknown methodology", _set(["methodology"], "hmip-pdu-2099"), "methodology", "did you mean 'hmip-pdu-2023'"),
    ("unknown top-level key", _set(["unti"], "x"), "unti", "did you mean 'unit'"),
    ("judgement for a case standard", _set(["standards", "P2.1"], {"judgement": "Good"}), 'standards["P2.1"]', "case-based"),
    ("missing id", _drop(["id"]), "id", "required"),
    ("percent as a long integer", _set([*KQ, "engaging"], 10**400), 'standards["P2.1"].key_questions.engaging', "between 0 and 100"),
    ("strengths as a string", _set(["standards", "P1.1", "strengths"], "lots"), 'standards["P1.1"].strengths', "must be a list of strings (got 'lots')"),
    ("standards as a list", _set(["standards"], []), "standards", "must be an object (got an empty list)"),
    ("cases as an object", _set(["cases"], {}), "cases", "must be a list of objects (got an empty object)"),
]


@pytest.mark.parametrize(("name", "mutate", "path", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_inspection_exits_2_with_one_line(
    tmp_path: Path, york_doc: dict[str, Any], capsys: pytest.CaptureFixture[str], name: str, mutate: Any, path: str, message: str
) -> None:
    mutate(york_doc)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(york_doc))
    assert main(["rate", str(file)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"probation-rules: error: {file}: ")
    assert path in err
    assert message in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": ', "is not valid JSON"),
        ('{"id": "x", "unit": "y", "standards": {"P2.1": {"key_questions": {"engaging": NaN}}}}', "NaN is not a JSON number"),
        ("[1, 2]", "must be a JSON object"),
        ('"text"', "must be a JSON object"),
    ],
)
def test_documents_that_are_not_inspections(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str) -> None:
    file = tmp_path / "bad.json"
    file.write_text(content)
    assert main(["rate", str(file)]) == 2
    assert message in capsys.readouterr().err
    with pytest.raises(ValueError, match=message):  # invalid JSON too: as json.loads would raise
        rate(file)


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", str(tmp_path / "nope.json")]) == 2
    assert "nope.json: no such file" in capsys.readouterr().err


def test_no_traceback_from_the_installed_command(tmp_path: Path) -> None:
    file = tmp_path / "bad.json"
    file.write_text("[]")
    run = subprocess.run([sys.executable, "-m", "probation_rules.cli", "rate", str(file)], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1


def test_errors_are_catchable_generically_and_structured(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P2.1"]["key_questions"]["engaging"] = 101
    with pytest.raises(ValueError) as info:
        rate(york_doc)
    error = info.value
    assert isinstance(error, InspectionError) and isinstance(error, ProbationRulesError)
    (problem,) = error.problems
    assert problem.path == 'standards["P2.1"].key_questions.engaging'
    assert problem.value == 101.0
    assert problem.to_dict()["expected"] == "must be a percentage between 0 and 100"
    with pytest.raises(LookupError):
        load_methodology("no-such-methodology")
    assert issubclass(UnknownMethodologyError, MethodologyError)
    assert issubclass(InputFileError, OSError)
    assert issubclass(DocumentSyntaxError, InputFileError) and issubclass(DocumentSyntaxError, ValueError)


def test_all_problems_are_reported_at_once(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P2.1"]["key_questions"]["engaging"] = 101
    york_doc["standards"]["P1.2"]["judgement"] = "Great"
    with pytest.raises(InspectionError) as info:
        rate(york_doc)
    assert len(info.value.problems) == 2


def test_a_bad_methodology_file_names_its_path(tmp_path: Path, capsys: pytest.CaptureFixture[str], pdu_data: dict[str, Any]) -> None:
    text = (Path(__file__).parent.parent / "probation_rules" / "methodologies" / "hmip-pdu-2023.toml").read_text()
    bad = tmp_path / "variant.toml"
    bad.write_text(text.replace('evidence = "recalled"', 'evidence = "recaled"').replace('rounding = "exact"', 'rounding = "exakt"'))
    with pytest.raises(MethodologyError) as info:
        load_methodology(bad)
    assert {p.path for p in info.value.problems} == {"key_question_bands.evidence", "key_question_score.rounding"}
    assert "did you mean 'recalled'" in str(info.value)
    assert "did you mean 'exact'" in str(info.value)
    bad.write_text(text.replace('indicates = "Inadequate"', 'indicates = "Inadequat"').replace('target = "P1.1"', 'target = "P1.7"'))
    with pytest.raises(MethodologyError) as info:
        load_methodology(bad)
    assert {p.path for p in info.value.problems} == {"guidance[0].rows[0].indicates", "guidance[0].target"}
    assert "did you mean 'Inadequate'" in str(info.value)
    assert main(["rate", "--methodology", str(bad), str(Path(__file__).parent.parent / "examples" / "york-pdu-2024.json")]) == 2
    assert str(bad) in capsys.readouterr().err


def test_invalid_toml(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("id = ")
    with pytest.raises(MethodologyError, match="is not valid TOML"):
        load_methodology(bad)


def test_errors_and_problems_survive_pickling(york_doc: dict[str, Any]) -> None:
    """A worker process (``rate_many(workers=2)``) sends errors back pickled: the problems must arrive whole."""
    import pickle

    york_doc["standards"]["P2.1"]["key_questions"]["engaging"] = 101
    york_doc["standards"].pop("P1.3")
    with pytest.raises(InspectionError) as info:
        rate(york_doc)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is InspectionError
    assert again.problems == info.value.problems
    assert [p.has_value for p in again.problems] == [True, False]
    assert str(again) == str(info.value)
