"""Reading inspection documents: every wrong shape refused at its path, in plain words, all at once."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from probation_rules import (
    DocumentSyntaxError,
    InputFileError,
    InspectionError,
    ProbationRulesError,
    load_inspection,
    load_methodology,
    rate,
)
from probation_rules.cli import main
from probation_rules.inspection import validate_against

from .conftest import YORK

YORK_DOC = json.loads(YORK.read_text())
KQ = 'standards["P2.1"].key_questions'

# Words that belong to Python or cattrs, not to a person writing an inspection document.
JARGON = (
    "NoneType",
    "object has no attribute",
    "not subscriptable",
    "not iterable",
    "'list'",
    "'dict'",
    "'str'",
    "'int'",
    "<class",
    "typing.",
    "collections.abc",
    "cattrs",
    "Traceback",
    "structure",
    "None",
    "True",
    "False",
    "int too large",
    "utf-8-sig",
    "Errno",
    "codec",
)


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(YORK_DOC)
    doc.update(changes)
    return doc


def _problems(doc: Any) -> list[Any]:
    with pytest.raises(InspectionError) as info:
        rate(doc)
    return list(info.value.problems)


def _paths(doc: Any) -> list[str]:
    return [p.path for p in _problems(doc)]


def _cases(n: int = 20) -> list[dict[str, Any]]:
    return [
        {"id": f"c{i}", "answers": {"P2.2": {"engaging": "yes" if i < 15 else "no", "desistance": "yes", "keeping_safe": "no" if i < 5 else "yes"}}}
        for i in range(n)
    ]


# -- 1. long integers ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [10**400, -(10**400), 10**5000], ids=["401 digits", "minus 401 digits", "5001 digits"])
def test_a_long_integer_percent_is_refused_at_its_path(value: int) -> None:
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"]["keeping_safe"] = value
    (problem,) = _problems(doc)
    assert problem.path == f"{KQ}.keeping_safe"
    assert problem.expected == "must be a percentage between 0 and 100"
    assert problem.value == value or value == 10**5000  # too long for Python to print, still refused
    json.dumps(problem.to_dict())


def test_a_long_integer_percent_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = YORK.read_text().replace('"keeping_safe": 25', '"keeping_safe": 1' + "0" * 400, 1)
    assert "0" * 400 in text
    file = tmp_path / "long.json"
    file.write_text(text)
    assert main(["rate", str(file)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert f"{KQ}.keeping_safe: must be a percentage between 0 and 100" in err


def test_a_long_integer_where_a_methodology_wants_a_number(pdu_data: dict[str, Any]) -> None:
    from probation_rules.methodology import methodology_from_dict

    pdu_data["key_question_bands"]["bands"][1]["at_least"] = 10**400
    with pytest.raises(ProbationRulesError) as info:
        methodology_from_dict(pdu_data)
    assert any(p.path == "key_question_bands.bands[1].at_least" for p in info.value.problems)


# -- 2. a string or object where a list is wanted, and the like ------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [("lots", "'lots'"), ({"a": 1, "b": 2}, "an object"), (None, "null"), (7, "7")],
)
def test_strengths_must_be_a_list(value: Any, shown: str) -> None:
    doc = _doc()
    doc["standards"]["P1.1"]["strengths"] = value
    (problem,) = _problems(doc)
    assert problem.path == 'standards["P1.1"].strengths'
    assert str(problem) == f'standards["P1.1"].strengths: must be a list of strings (got {shown})'


def test_blank_strengths_are_refused_and_do_not_count() -> None:
    doc = _doc()
    doc["standards"]["P1.1"]["strengths"] = ["", " ", "\t", "a real strength"]
    problems = _problems(doc)
    assert [p.path for p in problems] == [f'standards["P1.1"].strengths[{i}]' for i in range(3)]
    assert all(p.expected == "must describe a strength (it must not be blank)" for p in problems)
    with pytest.raises(InspectionError):
        load_inspection(doc)


def test_cases_must_be_a_list_and_answers_objects() -> None:
    assert [str(p) for p in _problems(_doc(cases={}))] == ["cases: must be a list of objects (got an empty object)"]
    assert [str(p) for p in _problems(_doc(cases="c1"))] == ["cases: must be a list of objects (got 'c1')"]
    assert [str(p) for p in _problems(_doc(cases=[5]))] == ["cases[0]: must be an object (got 5)"]
    assert [str(p) for p in _problems(_doc(cases=[{"id": "c", "answers": []}]))] == ["cases[0].answers: must be an object (got an empty list)"]
    assert [str(p) for p in _problems(_doc(cases=[{"id": "c", "answers": {"P2.2": "yes"}}]))] == ["cases[0].answers[\"P2.2\"]: must be an object (got 'yes')"]


def test_a_case_id_given_twice_is_refused_naming_both_positions() -> None:
    doc = _doc(cases=_cases())
    del doc["standards"]["P2.2"]
    rate(doc)  # the cases alone rate
    doc["cases"][7]["id"] = "c2"
    (problem,) = _problems(doc)
    assert problem.path == "cases[7].id"
    assert "cases[2]" in problem.expected
    assert problem.value == "c2"
    doc["cases"][7]["id"] = " "
    assert [str(p) for p in _problems(doc)] == ["cases[7].id: must name the case (it must not be blank) (got ' ')"]


# -- 3. plain words for every wrong type ----------------------------------------------------------


def _nodes(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            out += _nodes(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value[:1]):
            out += _nodes(child, (*prefix, i))
    return out


def _with_cases() -> dict[str, Any]:
    doc = _doc(cases=_cases(2))
    del doc["standards"]["P2.2"]
    return doc


WRONG = [None, True, 7, 2.5, 10**400, "x", [], ["x"], [1], {}, {"k": 1}]
NODES = [(_doc(), node) for node in _nodes(_doc()) if node[:1] != ("standards",) or node[1:2] in ((), ("P1.1",), ("P2.1",))]
NODES += [(_with_cases(), node) for node in _nodes(_with_cases()) if node[0] == "cases"]


def _render(node: tuple[Any, ...]) -> str:
    from probation_rules._convert import render_path

    return render_path(node)


def _node_id(doc: dict[str, Any], node: tuple[Any, ...]) -> str:
    return _render(node) + (" (cases)" if "cases" in doc else "")


# The (field, wrong value) pairs the reader accepts, each for a reason; any other is refused.
ACCEPTED: dict[str, list[Any]] = {
    "id": ["x"],  # any non-blank string names the inspection
    "unit": ["x"],  # likewise the unit
    "region": [None, "x"],  # optional free text
    "methodology": [None],  # optional: null leaves it to the fieldwork date (or the default)
    "fieldwork_start": [None],  # optional date
    "published": [None, "x"],  # optional free text (reports give "2024-12", "December 2024", ...)
    'standards["P1.1"].strengths': [[], ["x"]],  # no strengths, or one
    'standards["P1.1"].strengths[0]': ["x"],  # a strength is any string
    # A key question may be given as a percentage, whole or not.
    'standards["P2.1"].key_questions.engaging': [7, 2.5],
    'standards["P2.1"].key_questions.desistance': [7, 2.5],
    'standards["P2.1"].key_questions.keeping_safe': [7, 2.5],
    "cases[0].id (cases)": ["x"],  # any non-blank string names the case
    # A case may answer nothing (for a standard, or at all): only answers given are counted.
    "cases[0].answers (cases)": [{}],
    'cases[0].answers["P2.2"] (cases)': [{}],
}


def test_the_accepted_wrong_values_are_of_fields_the_test_visits() -> None:
    assert set(ACCEPTED) <= {_node_id(d, n) for d, n in NODES}


@pytest.mark.parametrize(("doc", "node"), NODES, ids=[_node_id(d, n) for d, n in NODES])
def test_every_wrong_type_is_named_in_plain_words(doc: dict[str, Any], node: tuple[Any, ...]) -> None:
    where = _render(node)
    accepted = []
    for wrong in WRONG:
        changed = copy.deepcopy(doc)
        parent = changed
        for key in node[:-1]:
            parent = parent[key]
        parent[node[-1]] = wrong
        try:
            rate(changed)
        except ProbationRulesError as error:
            for problem in error.problems:
                text = str(problem)
                assert not [j for j in JARGON if j in text], (where, wrong, text)
                json.dumps(problem.to_dict(), allow_nan=False)
            # The problem is where the wrong value is, inside it, on the entry it empties, or what its loss leaves missing.
            named = [p for p in error.problems if p.path.startswith(where) or (p.path and where.startswith(p.path)) or "missing" in p.expected]
            assert named, (where, wrong, error)
        else:
            accepted.append(wrong)
    assert accepted == ACCEPTED.get(_node_id(doc, node), []), where


def test_the_messages_the_review_quoted() -> None:
    assert [str(p) for p in _problems(_doc(standards=[]))] == ["standards: must be an object (got an empty list)"]
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"] = [70, 80, 25]
    assert [str(p) for p in _problems(doc)] == [f"{KQ}: must be an object (got a list)"]
    doc["standards"]["P2.1"]["key_questions"] = "70"
    assert [str(p) for p in _problems(doc)] == [f"{KQ}: must be an object (got '70')"]
    doc = _doc()
    doc["standards"]["P1.1"]["strengths"] = None
    assert [str(p) for p in _problems(doc)] == ['standards["P1.1"].strengths: must be a list of strings (got null)']
    doc = _doc()
    doc["standards"]["P1.2"]["judgement"] = None
    assert [str(p) for p in _problems(doc)] == ['standards["P1.2"].judgement: must be a string (got null)']


# -- 4. problems as JSON -----------------------------------------------------------------------------


def test_problem_values_are_json_values() -> None:
    doc = _doc()
    kqs = doc["standards"]["P2.1"]["key_questions"]
    kqs.update(engaging="70", desistance=True, keeping_safe=[1, None])
    problems = {p.path: p for p in _problems(doc)}
    assert problems[f"{KQ}.engaging"].to_dict()["value"] == "70"
    assert problems[f"{KQ}.desistance"].to_dict()["value"] is True
    assert problems[f"{KQ}.keeping_safe"].to_dict()["value"] == [1, None]
    assert str(problems[f"{KQ}.engaging"]).endswith("(got '70')")  # the message still quotes as before
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = float("nan")
    (problem,) = _problems(doc)
    assert problem.to_dict()["value"] == "nan"  # JSON has no NaN: the text the message shows
    json.dumps(problem.to_dict(), allow_nan=False)


# -- 5. everything at once ----------------------------------------------------------------------------


def test_reading_problems_and_fit_problems_are_reported_together() -> None:
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = "70"
    doc["standards"]["P1.2"]["judgement"] = "Gud"
    doc["standards"]["P2.9"] = {"judgement": "Good"}
    doc["standards"]["P2.3"]["key_questions"]["keeping_safe"] = 120
    assert sorted(_paths(doc)) == sorted([f"{KQ}.engaging", 'standards["P1.2"].judgement', 'standards["P2.9"]', 'standards["P2.3"].key_questions.keeping_safe'])


def test_a_bad_value_does_not_hide_a_misspelt_key_question_beside_it() -> None:
    doc = _doc()
    kqs = doc["standards"]["P2.1"]["key_questions"]
    kqs["engaging"] = "x"
    kqs["desistanc"] = kqs.pop("desistance")
    problems = _problems(doc)
    assert [p.path for p in problems] == [f"{KQ}.engaging", f"{KQ}.desistanc"]
    assert problems[1].suggestion == "desistance"


def test_load_inspection_reports_everything_at_once_too() -> None:
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = "70"
    doc["standards"]["P2.3"]["key_questions"]["keeping_safe"] = -5
    with pytest.raises(InspectionError) as info:
        load_inspection(doc)
    assert [p.path for p in info.value.problems] == [f"{KQ}.engaging", 'standards["P2.3"].key_questions.keeping_safe']


def test_deferred_problems_wait_for_validate_against() -> None:
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = "70"
    doc["standards"]["P1.2"]["judgement"] = "Gud"
    inspection = load_inspection(doc, check_values=False)
    assert inspection.unread is not None
    assert "P2.1" in inspection.standards  # what could be read is kept for the fit checks
    with pytest.raises(InspectionError) as info:
        validate_against(inspection, load_methodology("hmip-pdu-2023"))
    assert [p.path for p in info.value.problems] == [f"{KQ}.engaging", 'standards["P1.2"].judgement']


def test_an_unreadable_part_is_not_also_called_missing() -> None:
    doc = _doc()
    doc["standards"]["P1.3"] = "Good"
    assert _paths(doc) == ['standards["P1.3"]']
    doc = _with_cases()
    doc["cases"][1] = {"id": "c1", "answers": {"P2.2": {"engaging": "maybe"}}}
    assert _paths(doc) == ['cases[1].answers["P2.2"].engaging']
    assert _paths(_doc(standards="all good")) == ["standards"]


# -- 6. a misspelling is one problem ---------------------------------------------------------------


def _rename(mapping: dict[str, Any], key: str, new: str) -> None:
    mapping[new] = mapping.pop(key)


@pytest.mark.parametrize(
    ("mutate", "path", "suggestion"),
    [
        (lambda d: _rename(d["standards"]["P2.1"]["key_questions"], "engaging", "engagin"), f"{KQ}.engagin", "engaging"),
        (lambda d: _rename(d["standards"], "P1.3", "P1."), 'standards["P1."]', "P1.3"),
        (lambda d: _rename(d, "unit", "unti"), "unti", "unit"),
        (lambda d: d["standards"]["P2.1"]["key_questions"].__setitem__("engaging", {"yes": 3, "relevent": 4}), f"{KQ}.engaging.relevent", "relevant"),
        (lambda d: d["standards"].__setitem__("P1.2", {"judgment": "Good"}), 'standards["P1.2"]', "judgement"),
    ],
    ids=["key question", "standard", "top-level field", "counts field", "judgement key"],
)
def test_a_misspelling_is_reported_once(mutate: Any, path: str, suggestion: str) -> None:
    doc = _doc()
    mutate(doc)
    (problem,) = _problems(doc)
    assert problem.path == path
    assert problem.suggestion == suggestion


def test_a_misspelt_key_question_in_cases_is_reported_once() -> None:
    doc = _with_cases()
    for case in doc["cases"]:
        case["answers"]["P2.2"]["engagin"] = case["answers"]["P2.2"].pop("engaging")
    problems = _problems(doc)
    assert [p.path for p in problems] == ['cases[0].answers["P2.2"].engagin', 'cases[1].answers["P2.2"].engagin']
    assert {p.suggestion for p in problems} == {"engaging"}


def test_a_key_question_truly_missing_is_still_reported() -> None:
    doc = _doc()
    kqs = doc["standards"]["P2.1"]["key_questions"]
    del kqs["engaging"]
    kqs["zzz"] = 5
    assert sorted(_paths(doc)) == [f"{KQ}.engaging", f"{KQ}.zzz"]


# -- 7. invalid JSON is a ValueError too ------------------------------------------------------------


@pytest.mark.parametrize("content", ['{"id": ', "", '{"a": NaN}', "\xe9"])
def test_a_file_that_is_not_json_is_a_value_error_and_an_os_error(tmp_path: Path, content: str) -> None:
    file = tmp_path / "bad.json"
    file.write_bytes(content.encode("latin-1"))
    for kind in (ValueError, OSError, InputFileError, DocumentSyntaxError):
        with pytest.raises(kind):
            load_inspection(file)


def test_plain_words_for_files_that_cannot_be_read(tmp_path: Path) -> None:
    def message(path: Path) -> str:
        with pytest.raises(InputFileError) as info:
            load_inspection(path)
        text = info.value.one_line()
        assert not [j for j in JARGON if j in text], text
        return text

    assert message(tmp_path) == f"{tmp_path}: is a directory, not an inspection document"
    empty = tmp_path / "empty.json"
    empty.write_text("")
    assert message(empty) == f"{empty}: is empty, not a JSON document"
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"unit": "Sant\xe9"}'.encode("latin-1"))
    assert message(latin) == f"{latin}: is not UTF-8 text: byte 0xe9 at offset 14 cannot be decoded (save the file as UTF-8)"
    long = tmp_path / "long.json"
    long.write_text('{"id": ' + "9" * 5000 + "}")
    assert message(long) == f"{long}: has a number too long to read (more than 4300 digits)"


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    file = tmp_path / "bom.json"
    file.write_bytes(b"\xef\xbb\xbf" + YORK.read_bytes())
    assert rate(file).to_dict()["standards"] == rate(YORK).to_dict()["standards"]


# -- 8. duplicate keys ------------------------------------------------------------------------------


def test_a_key_given_twice_is_refused_at_its_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = YORK.read_text()
    text = text.replace('"P1.2": {"judgement": "Requires improvement"', '"P1.2": {"judgement": "Good", "judgement": "Requires improvement"', 1)
    text = text.replace('"unit":', '"id": "again", "unit":', 1)
    assert text.count('"judgement": "Good", "judgement"') == 1
    file = tmp_path / "twice.json"
    file.write_text(text)
    with pytest.raises(InspectionError) as info:
        load_inspection(file)
    assert [p.path for p in info.value.problems] == ["id", 'standards["P1.2"].judgement']
    assert all("more than once" in p.expected for p in info.value.problems)
    assert main(["rate", str(file)]) == 2
    assert 'standards["P1.2"].judgement: is given more than once' in capsys.readouterr().err


# -- 9. an empty entry takes its key questions from the cases --------------------------------------


@pytest.mark.parametrize("entry", [{}, {"key_questions": {}}])
def test_an_empty_entry_takes_its_key_questions_from_cases(entry: dict[str, Any]) -> None:
    without = _with_cases()
    doc = copy.deepcopy(without)
    doc["standards"]["P2.2"] = entry
    assert rate(doc).to_dict()["standards"] == rate(without).to_dict()["standards"]


def test_key_questions_in_both_places_are_still_refused() -> None:
    doc = _with_cases()
    doc["standards"]["P2.2"] = {"key_questions": {"engaging": 50, "desistance": 50, "keeping_safe": 50}}
    assert [str(p) for p in _problems(doc)] == ['standards["P2.2"]: has key_questions and also answers in cases: give one or the other']


def test_an_empty_entry_with_nothing_to_take_is_refused() -> None:
    doc = _doc()
    doc["standards"]["P2.2"] = {}
    (problem,) = _problems(doc)
    assert problem.path == 'standards["P2.2"]' and "needs key_questions or case answers" in problem.expected
    doc = _doc()
    doc["standards"]["P1.2"] = {}
    (problem,) = _problems(doc)
    assert problem.path == 'standards["P1.2"]' and "needs a judgement" in problem.expected


# -- and the rest of the review's list ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "path", "expected"),
    [
        (True, "", 'must be a percentage or {"yes": k, "relevant": n}'),
        (False, "", 'must be a percentage or {"yes": k, "relevant": n}'),
        ({"yes": -1, "relevant": 4}, ".yes", "must not be negative"),
        ({"yes": 2.5, "relevant": 4}, ".yes", "must be a whole number"),
        ({"yes": 2.0, "relevant": 4}, ".yes", "must be a whole number written without a decimal point"),
        ({"yes": 1, "relevant": -3}, ".relevant", "must be at least 1 (a key question needs relevant cases)"),
        ({"yes": True, "relevant": 4}, ".yes", "must be a whole number"),
    ],
)
def test_percentages_and_counts_that_are_not(value: Any, path: str, expected: str) -> None:
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = value
    problems = _problems(doc)
    assert [p.path for p in problems][:1] == [f"{KQ}.engaging{path}"]
    assert problems[0].expected == expected


def test_huge_counts_rate_exactly() -> None:
    doc = _doc()
    doc["standards"]["P2.1"]["key_questions"]["keeping_safe"] = {"yes": 10**30, "relevant": 4 * 10**30}
    result = rate(doc)
    assert result.standards["P2.1"].driver == "keeping_safe"
    assert result.standards["P2.1"].rating == rate(YORK).standards["P2.1"].rating  # 25%, as York gives it


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("id", 5, "must be a string"),
        ("unit", None, "must be a string"),
        ("methodology", 3, "must be a string"),
        ("fieldwork_start", 20240916, "must be a date written YYYY-MM-DD"),
        ("fieldwork_start", "20240916", "must be a date written YYYY-MM-DD"),
        ("fieldwork_start", "2024-W38-1", "must be a date written YYYY-MM-DD"),
        ("fieldwork_start", "2024-13-45", "must be a real date written YYYY-MM-DD"),
        ("published", ["2024-12"], "must be a string"),
    ],
)
def test_top_level_fields_of_the_wrong_kind(field: str, value: Any, expected: str) -> None:
    (problem,) = _problems(_doc(**{field: value}))
    assert (problem.path, problem.expected) == (field, expected)


def test_unknown_top_level_keys_are_refused_never_dropped() -> None:
    (problem,) = _problems(_doc(regoin="North"))
    assert (problem.path, problem.suggestion) == ("regoin", "region")
    (problem,) = _problems(_doc(notes="anything"))
    assert problem.path == "notes" and problem.expected.startswith("is not a known field")
    for loader_set in ("source", "unread"):
        (problem,) = _problems(_doc(**{loader_set: "x"}))
        assert (problem.path, problem.expected) == (loader_set, "is set by the loader and cannot be written in the document")


def test_a_standard_misspelt_in_the_cases_is_not_also_missing() -> None:
    doc = _with_cases()
    for case in doc["cases"]:
        case["answers"]["P2.22"] = case["answers"].pop("P2.2")
    problems = _problems(doc)
    assert [(p.path, p.suggestion) for p in problems] == [('cases[0].answers["P2.22"]', "P2.2"), ('cases[1].answers["P2.22"]', "P2.2")]


def test_a_key_question_misspelt_in_a_standard_says_the_real_one_is_missing() -> None:
    doc = _doc()
    _rename(doc["standards"]["P2.1"]["key_questions"], "engaging", "engagin")
    doc["standards"]["P2.1"]["key_questions"]["zzz"] = 5
    engagin, zzz = _problems(doc)
    assert str(engagin) == f"{KQ}.engagin: is not a key question here (engaging is required and missing) (got 'engagin'); did you mean 'engaging'?"
    assert str(zzz) == f"{KQ}.zzz: is not a key question here (engaging, desistance, keeping_safe) (got 'zzz')"


def test_an_unreadable_date_does_not_hide_the_rest_when_the_methodology_is_named() -> None:
    # The date chooses no framework when the document names one: the rest is checked against it.
    doc = _doc(fieldwork_start="16/09/2024")
    doc["standards"]["P1.2"]["judgement"] = "Gud"
    assert _paths(doc) == ["fieldwork_start", 'standards["P1.2"].judgement']
    # Without a named methodology the date would have chosen it: nothing else can be judged yet.
    del doc["methodology"]
    assert _paths(doc) == ["fieldwork_start"]


# -- a judgement and key questions both given: the methodology says which is stray ---------------


def _kinds() -> tuple[str, str]:
    """A case-based and a judged standard of the methodology the York document is rated under."""
    m = load_methodology(YORK_DOC["methodology"])
    case = next(s.id for s in m.standards if s.kind == "case" and s.id in YORK_DOC["standards"])
    judged = next(s.id for s in m.standards if s.kind == "judged" and s.id in YORK_DOC["standards"])
    return case, judged


def test_a_case_based_standard_given_a_judgement_too_blames_the_judgement(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    case, _ = _kinds()
    doc = _doc()
    doc["standards"][case]["judgement"] = "Good"
    (problem,) = _problems(doc)
    assert problem.path == f'standards["{case}"].judgement'
    assert problem.expected == "is not a field of a case-based standard (known: key_questions)"
    file = tmp_path / "both.json"
    file.write_text(json.dumps(doc))
    assert main(["rate", str(file)]) == 2
    assert f'standards["{case}"].judgement: is not a field of a case-based standard' in capsys.readouterr().err


def test_a_judged_standard_given_key_questions_too_blames_the_key_questions() -> None:
    case, judged = _kinds()
    doc = _doc()
    doc["standards"][judged]["key_questions"] = copy.deepcopy(YORK_DOC["standards"][case]["key_questions"])
    doc["standards"][judged]["judgement"] = "Goood"  # what is left is still checked as a judged standard
    problems = _problems(doc)
    assert [p.path for p in problems] == [f'standards["{judged}"].key_questions', f'standards["{judged}"].judgement']
    assert problems[0].expected == "is not a field of a judged standard (known: judgement, strengths)"
    assert problems[1].suggestion == "Good"


def test_both_given_without_a_methodology_says_give_one() -> None:
    case, _ = _kinds()
    doc = _doc()
    doc["standards"][case]["judgement"] = "Good"
    with pytest.raises(InspectionError) as info:
        load_inspection(doc)
    (problem,) = info.value.problems
    assert problem.path == f'standards["{case}"]' and problem.expected.endswith("not both")


def test_both_given_for_an_unknown_standard_names_it_unknown() -> None:
    doc = _doc()
    doc["standards"]["Z9"] = {"judgement": "Good", "key_questions": {}}
    (problem,) = _problems(doc)
    assert problem.path == "standards.Z9" and problem.expected.startswith("is not a standard of")
