"""Bad input: one line on stderr naming file, path and problem; exit status 2; typed errors in the API."""

from __future__ import annotations

import json
import re
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
    MissingFileError,
    ProbationRulesError,
    UnknownMethodologyError,
    load_inspection,
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
    # Not TOML is a fault of the file, as for any file the library reads: not a MethodologyError,
    # which means TOML that is no sound methodology.
    with pytest.raises(DocumentSyntaxError, match="is not valid TOML") as info:
        load_methodology(bad)
    assert isinstance(info.value, InputFileError) and isinstance(info.value, ValueError) and not isinstance(info.value, MethodologyError)


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
    noted = InspectionError(info.value.problems, note="how the methodology was chosen")
    again = pickle.loads(pickle.dumps(noted))
    assert again.note == noted.note and str(again) == str(noted) and again.args == noted.args
    assert str(noted).endswith(f"{noted.problems[-1]} (note: how the methodology was chosen)")
    assert str(noted).startswith("2 problems: ")  # the note is not counted as a problem


# -- one way to read every file -----------------------------------------------------------------

EXAMPLE = Path(__file__).parent / "fixtures" / "example.toml"
YORK_FILE = Path(__file__).parent.parent / "examples" / "york-pdu-2024.json"


def _read_inspection(path: Path) -> Any:
    return rate(path)


def _read_methodology(path: Path) -> Any:
    return load_methodology(path)


def _read_rates(path: Path) -> Any:
    from probation_rules.whatif import load_rates

    return load_rates(path, load_methodology("hmip-pdu-2023"))


READERS = {"inspection": (_read_inspection, ".json"), "methodology": (_read_methodology, ".toml"), "rates": (_read_rates, ".toml")}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_every_reader_says_the_same_fault_the_same_way(tmp_path: Path, reader: str) -> None:
    read, suffix = READERS[reader]

    def refusal(path: Path, kind: type[ProbationRulesError]) -> str:
        with pytest.raises(kind) as info:
            read(path)
        return info.value.one_line()

    latin = tmp_path / f"latin{suffix}"
    latin.write_bytes(b"\xef\xbb\xbf" + 'x = "Sant\xe9"'.encode("latin-1"))
    assert refusal(latin, DocumentSyntaxError) == f"{latin}: is not UTF-8 text: byte 0xe9 at offset 12 cannot be decoded (save the file as UTF-8)"
    missing = tmp_path / f"nothere{suffix}"
    assert refusal(missing, InputFileError) == f"{missing}: no such file"
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    assert refusal(folder, InputFileError).startswith(f"{folder}: is a directory, not ")
    deep = tmp_path / f"deep{suffix}"
    deep.write_text(("x = " if suffix == ".toml" else '{"x": ') + "[" * 5000 + "]" * 5000 + ("" if suffix == ".toml" else "}"))
    assert refusal(deep, DocumentSyntaxError).startswith(f"{deep}: is nested too deeply to be ")


@pytest.mark.parametrize("reader", ["methodology", "rates"])
def test_a_byte_order_mark_is_no_content_in_toml_either(tmp_path: Path, reader: str) -> None:
    read, _ = READERS[reader]
    source = EXAMPLE.read_bytes() if reader == "methodology" else b"relevant = 0.5\n"
    file = tmp_path / "bom.toml"
    file.write_bytes(b"\xef\xbb\xbf" + source)
    plain = tmp_path / "plain.toml"
    plain.write_bytes(source)
    if reader == "rates":
        assert read(file) == read(plain)
    else:
        assert list(read(file).rules()) == list(read(plain).rules())


def test_a_json_rates_file_is_read_as_json_is_everywhere(tmp_path: Path) -> None:
    nan = tmp_path / "nan.json"
    nan.write_text('{"relevant": NaN}')
    with pytest.raises(DocumentSyntaxError, match="NaN is not a JSON number"):
        _read_rates(nan)
    twice = tmp_path / "twice.json"
    twice.write_text('{"relevant": 0.5, "relevant": 0.9}')
    with pytest.raises(InspectionError) as info:
        _read_rates(twice)
    assert [(p.path, p.expected) for p in info.value.problems] == [("relevant", "is given more than once in its object: give each key once")]


@pytest.mark.parametrize(
    "argv",
    [["check", "{deep}"], ["rate", str(YORK_FILE), "-m", "{deep}"], ["simulate", "-m", "hmip-pdu-2023", "-n", "1", "--rates", "{deep}"]],
    ids=["check", "rate -m", "simulate --rates"],
)
def test_a_deeply_nested_toml_file_is_one_line_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "[" * 500 + "]" * 500 + "\n")
    assert main([a.format(deep=deep) for a in argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(f"probation-rules: error: {deep}: is nested too deeply to be ")


def test_a_missing_file_says_where_it_was_looked_for_and_sets_errno(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import pickle

    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputFileError) as info:
        load_methodology("sub/nothere.toml")
    error = info.value
    assert error.one_line() == f"sub/nothere.toml: no such file (looked for {tmp_path / 'sub' / 'nothere.toml'})"
    assert (error.errno, error.filename) == (errno.ENOENT, "sub/nothere.toml")
    assert str(error) == error.one_line()  # errno does not turn the message into "[Errno 2] ..."
    again = pickle.loads(pickle.dumps(error))
    assert (again.errno, again.filename, again.problems) == (errno.ENOENT, "sub/nothere.toml", error.problems)
    assert type(again) is MissingFileError and isinstance(again, FileNotFoundError)


@pytest.mark.parametrize("reader", ["inspection", "methodology", "rate"])
def test_a_missing_file_is_caught_as_file_not_found(tmp_path: Path, reader: str) -> None:
    import errno

    read = {"inspection": load_inspection, "methodology": load_methodology, "rate": rate}[reader]
    with pytest.raises(FileNotFoundError) as info:
        read(tmp_path / ("nothere.toml" if reader == "methodology" else "nothere.json"))
    error = info.value
    assert isinstance(error, MissingFileError) and isinstance(error, InputFileError) and isinstance(error, ProbationRulesError)
    assert error.errno == errno.ENOENT and str(error).endswith(": no such file")
    # A file that exists but cannot be read is an InputFileError, and no FileNotFoundError.
    with pytest.raises(InputFileError) as info:
        read(tmp_path)
    assert not isinstance(info.value, FileNotFoundError)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["rate", str(Path(__file__).parent.parent / "probation_rules" / "methodologies" / "hmip-pdu-2023.toml")], "this looks like a methodology"),
        (["check", str(YORK_FILE)], "this looks like an inspection document, not a methodology"),
        (["rate", str(YORK_FILE), "-m", str(YORK_FILE)], "this looks like an inspection document, not a methodology"),
    ],
    ids=["an inspection expected", "check", "rate -m"],
)
def test_a_file_of_the_other_kind_is_named_as_such(capsys: pytest.CaptureFixture[str], argv: list[str], says: str) -> None:
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"probation-rules: error: {argv[-1]}: is not valid ")
    assert says in line


def test_a_methodology_folder_is_named_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for given in (str(tmp_path), "inner"):  # with a separator or not: a folder that exists is no methodology id
        (tmp_path / "inner").mkdir(exist_ok=True)
        monkeypatch.chdir(tmp_path)
        assert main(["rate", str(YORK_FILE), "-m", given]) == 2
        assert capsys.readouterr().err == f"probation-rules: error: {given}: is a directory, not a methodology file\n"


def test_every_error_is_exported_from_the_package() -> None:
    import probation_rules
    from probation_rules import errors
    from probation_rules.methodology.variants import VariantError
    from probation_rules.robustness import RobustnessError

    assert probation_rules.VariantError is VariantError and probation_rules.RobustnessError is RobustnessError
    raised = {name for name in errors.__all__ if isinstance(getattr(errors, name), type) and issubclass(getattr(errors, name), ProbationRulesError)}
    assert raised <= set(probation_rules.__all__)
    page = (Path(__file__).parent.parent / "docs" / "how-to" / "integrate.md").read_text()
    assert raised - {"ProbationRulesError"} == set(re.findall(r"^\| `([A-Za-z]+Error)` \|", page, re.M))


def test_diff_takes_a_path_as_rate_and_compare_do() -> None:
    import os
    import typing

    from probation_rules.whatif.diff import diff

    for name in ("baseline", "candidate"):
        assert os.PathLike[str] in typing.get_args(typing.get_type_hints(diff)[name])
    assert diff(EXAMPLE, "hmip-pdu-2023") == diff(str(EXAMPLE), "hmip-pdu-2023")
