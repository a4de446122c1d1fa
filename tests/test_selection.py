"""Choosing a framework: by name, by fieldwork date within a programme, or the default; and listing them."""

from __future__ import annotations

import datetime
import json
import tomllib
from importlib import resources
from typing import Any

import attrs
import pytest

from probation_rules import DEFAULT_METHODOLOGY, InspectionError, MethodologyError, UnknownMethodologyError, rate
from probation_rules.cli import main
from probation_rules.errors import did_you_mean
from probation_rules.methodology import bundled_ids, load_methodology, methodology_from_dict
from probation_rules.methodology import loader as loader_module
from probation_rules.methodology.loader import bundled, in_force_overlaps, select_methodology


def doc_for(methodology_id: str, **extra: Any) -> dict[str, Any]:
    """A complete inspection for a bundled framework, naming no methodology."""
    m = load_methodology(methodology_id)
    standards: dict[str, Any] = {}
    for s in m.standards:
        standards[s.id] = {"judgement": "Good"} if s.kind == "judged" else {"key_questions": {q.id: 70 for q in s.key_questions}}
    return {"id": "x", "unit": "Example unit", "standards": standards, **extra}


@pytest.mark.parametrize(
    ("day", "programme", "expected"),
    [
        ("2019-01-15", None, "hmip-crc-nps-2018"),
        ("2020-03-31", None, "hmip-crc-nps-2018"),
        ("2021-06-01", None, "hmip-pdu-2021"),
        ("2023-05-31", None, "hmip-pdu-2021"),
        ("2023-06-01", None, "hmip-pdu-2023"),
        ("2024-09-16", "probation", "hmip-pdu-2023"),
        ("2024-09-09", "youth-justice", "hmip-youth-2021"),
    ],
)
def test_the_fieldwork_date_selects_the_framework_in_force(day: str, programme: str | None, expected: str) -> None:
    extra: dict[str, Any] = {"fieldwork_start": day} | ({"programme": programme} if programme else {})
    result = rate(doc_for(expected, **extra))
    assert (result.methodology.id, result.methodology.selected_by) == (expected, "fieldwork_start")
    assert result.to_dict()["methodology"]["selected_by"] == "fieldwork_start"


def test_the_text_output_says_the_framework_was_chosen_by_date(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "youth.json"
    file.write_text(json.dumps(doc_for("hmip-youth-2021", fieldwork_start="2024-06-10", programme="youth-justice")))
    assert main(["rate", str(file)]) == 0
    version = load_methodology("hmip-youth-2021").version
    assert capsys.readouterr().out.splitlines()[0] == f"Example unit (x): rated under hmip-youth-2021 {version} (in force on 2024-06-10)"


def test_a_date_between_frameworks_is_refused_with_the_ranges() -> None:
    with pytest.raises(UnknownMethodologyError, match=r"falls outside every bundled probation framework \(hmip-crc-nps-2018 2018-04-01 to 2020-03-31;") as info:
        rate(doc_for("hmip-pdu-2021", fieldwork_start="2020-09-01"))
    assert info.value.problems[0].path == "fieldwork_start"


def test_without_a_date_the_default_stands_and_a_programme_gives_its_latest() -> None:
    assert rate(doc_for(DEFAULT_METHODOLOGY)).methodology.selected_by == "default"
    result = rate(doc_for("hmip-youth-2021", programme="youth-justice"))
    assert (result.methodology.id, result.methodology.selected_by) == ("hmip-youth-2021", "programme")


def test_a_named_methodology_wins_over_the_date() -> None:
    doc = doc_for("hmip-pdu-2021", fieldwork_start="2024-09-16", methodology="hmip-pdu-2021")
    assert (rate(doc).methodology.id, rate(doc).methodology.selected_by) == ("hmip-pdu-2021", "inspection")
    assert rate(doc, "hmip-pdu-2021").methodology.selected_by == "argument"


def test_an_unknown_programme_is_refused_with_a_suggestion() -> None:
    with pytest.raises(UnknownMethodologyError, match="did you mean 'youth-justice'"):
        rate(doc_for("hmip-youth-2021", fieldwork_start="2024-06-10", programme="youth-justise"))


def test_a_programme_that_does_not_match_the_methodology_is_refused() -> None:
    with pytest.raises(InspectionError, match="does not match the methodology"):
        rate(doc_for("hmip-pdu-2023", methodology="hmip-pdu-2023", programme="youth-justice"))


def test_bundled_frameworks_do_not_overlap_within_a_programme() -> None:
    assert in_force_overlaps(bundled()) == []


def test_overlapping_ranges_are_found_and_make_selection_refuse(monkeypatch: pytest.MonkeyPatch) -> None:
    pdu_2021 = load_methodology("hmip-pdu-2021")
    longer = attrs.evolve(pdu_2021, id="hmip-pdu-2021-long", in_force_until=datetime.date(2023, 12, 31))
    (problem,) = in_force_overlaps([longer, load_methodology("hmip-pdu-2023"), load_methodology("hmip-youth-2021")])
    assert "overlaps hmip-pdu-2023" in problem.expected
    monkeypatch.setattr(loader_module, "bundled", lambda: [*bundled(), longer])
    with pytest.raises(MethodologyError, match="a fieldwork date would name two frameworks"):
        select_methodology(datetime.date(2023, 9, 1), "probation")


def test_an_in_force_range_that_ends_before_it_starts_is_refused(pdu_data: dict[str, Any]) -> None:
    pdu_data["in_force_until"] = datetime.date(2020, 1, 1)
    with pytest.raises(MethodologyError, match="in_force_until: must not be before in_force_from"):
        methodology_from_dict(pdu_data)


def test_methodologies_lists_every_bundled_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["methodologies", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [m["id"] for m in listed] == bundled_ids()
    by_id = {m["id"]: m for m in listed}
    assert {i: by_id[i]["max_score"] for i in by_id} == {"hmip-crc-nps-2018": 30, "hmip-pdu-2021": 27, "hmip-pdu-2023": 21, "hmip-youth-2021": 36}
    youth = by_id["hmip-youth-2021"]
    assert (youth["in_force_from"], youth["in_force_until"], youth["programme"]) == ("2021-06-01", "2025-03-31", "youth-justice")
    assert (len(youth["standards"]), youth["scored_standards"]) == (13, 12)
    for mid, info in by_id.items():
        m = load_methodology(mid)
        assert sum(info["rules_by_evidence"].values()) == info["rules"] == len(list(m.rules()))
        assert info["rules_by_evidence"]["inferred"] == sum(1 for r in m.rules() if r.evidence == "inferred")
        # standards are counted too, and their key questions by their own evidence where they have it
        assert sum(info["standards_by_evidence"].values()) == len(m.standards)
        assert info["standards_by_evidence"]["inferred"] == sum(1 for s in m.standards if s.evidence == "inferred")
        assert sum(info["key_questions_by_evidence"].values()) == sum(1 for s in m.standards if s.key_questions)
        assert info["in_force_evidence"] == m.in_force_evidence and info["in_force_citation"] == m.in_force_citation
        assert [s["citation"] for s in info["standards"]] == [s.citation for s in m.standards]
    assert youth["key_questions_by_evidence"]["inferred"] == 7  # wording inferred, names published
    assert youth["standards_by_evidence"]["published"] == 12


def test_methodologies_text_and_filters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["methodologies", "--on", "2022-06-01"]) == 0
    out = capsys.readouterr().out
    version = load_methodology("hmip-pdu-2021").version
    assert out.startswith(f"hmip-pdu-2021 {version}  HMI Probation: probation delivery units (PDU), 2021-2023 framework\n")
    assert "  in force     2021-06-01 to 2023-05-31 (probation)" in out
    assert "  in force     2021-06-01 to 2023-05-31 (probation); dates inferred" in out
    assert "  evidence     standards: published 0, data 4, recalled 0, inferred 5; their key questions: published 0, data 0, recalled 0, inferred 5" in out
    assert "  max score    27" in out
    assert "hmip-youth-2021" in out and "hmip-pdu-2023" not in out
    assert main(["methodologies", "--on", "2022-06-01", "--programme", "probation"]) == 0
    assert "hmip-youth-2021" not in capsys.readouterr().out
    assert main(["methodologies", "--programme", "youth"]) == 2
    assert "--programme: must be a programme of a bundled methodology (probation, youth-justice)" in capsys.readouterr().err


# -- when the chosen framework does not fit ------------------------------------------------------


def _other_programme_framework(programme: str) -> str:
    """A bundled framework of a programme other than ``programme`` (computed, so a new one is covered)."""
    return next(m.id for m in bundled() if m.programme not in (None, programme))


def test_standards_of_another_programme_chosen_by_date_say_how_and_which_programme_fits() -> None:
    default = load_methodology(DEFAULT_METHODOLOGY)
    youth = load_methodology(_other_programme_framework(default.programme or ""))
    inside = youth.in_force_from or datetime.date(2024, 1, 1)
    with pytest.raises(InspectionError) as info:
        rate(doc_for(youth.id, fieldwork_start=inside.isoformat()))
    (problem,) = info.value.problems  # one problem, not one per standard
    assert problem.path == "standards"
    assert f"was chosen as the {default.programme} framework in force on its fieldwork_start {inside.isoformat()}" in problem.expected
    assert "since it names no programme" in problem.expected
    assert f"the standards are those of {youth.id}" in problem.expected
    assert problem.expected.endswith(f'add "programme": "{youth.programme}"')
    # and following the advice works
    assert rate(doc_for(youth.id, fieldwork_start=inside.isoformat(), programme=youth.programme)).methodology.id == youth.id


def test_standards_of_another_programme_with_no_date_say_the_default_was_used() -> None:
    youth = _other_programme_framework(load_methodology(DEFAULT_METHODOLOGY).programme or "")
    with pytest.raises(InspectionError) as info:
        rate(doc_for(youth))
    (problem,) = info.value.problems
    assert (
        f"{DEFAULT_METHODOLOGY} was chosen as the default framework, since the inspection gives no methodology, fieldwork_start or programme"
        in problem.expected
    )
    assert f"the standards are those of {youth}" in problem.expected


def test_a_date_just_before_a_framework_began_names_it() -> None:
    # Every pair of consecutive frameworks of a programme: the later one's standards, dated the day before it began.
    pairs = 0
    for m in bundled():
        if m.programme is None or m.in_force_from is None:
            continue
        day_before = m.in_force_from - datetime.timedelta(days=1)
        before = [b for b in bundled() if b.programme == m.programme and b.in_force_on(day_before)]
        if not before or {s.id for s in before[0].standards} == {s.id for s in m.standards}:
            continue
        pairs += 1
        with pytest.raises(InspectionError) as info:
            rate(doc_for(m.id, fieldwork_start=day_before.isoformat()))
        (problem,) = info.value.problems
        assert f"{before[0].id} was chosen as the {m.programme} framework in force on its fieldwork_start {day_before.isoformat()}" in problem.expected
        assert "which begins 1 day after this fieldwork_start" in problem.expected
        assert problem.expected.endswith(f'name it with "methodology": "{m.id}"')
    assert pairs, "no two consecutive frameworks of a programme to test"


def test_a_date_outside_every_framework_names_the_one_the_standards_fit() -> None:
    youth = load_methodology(_other_programme_framework(load_methodology(DEFAULT_METHODOLOGY).programme or ""))
    assert youth.in_force_until is not None
    day_after = youth.in_force_until + datetime.timedelta(days=1)
    with pytest.raises(UnknownMethodologyError) as info:
        rate(doc_for(youth.id, fieldwork_start=day_after.isoformat(), programme=youth.programme))
    (problem,) = info.value.problems
    assert problem.path == "fieldwork_start"
    assert f"falls outside every bundled {youth.programme} framework" in problem.expected
    assert "which ended 1 day before this fieldwork_start" in problem.expected
    assert problem.expected.endswith(f'name it with "methodology": "{youth.id}"')


def test_when_nothing_fits_the_problems_stand_and_how_the_framework_was_chosen_is_a_note_after_them() -> None:
    doc = doc_for(DEFAULT_METHODOLOGY)
    first = next(iter(doc["standards"]))
    doc["standards"][f"{first}x"] = doc["standards"].pop(first)  # fits no bundled framework
    with pytest.raises(InspectionError) as info:
        rate(doc)
    # A methodology is optional: not giving one is no problem, and is not counted as one.
    assert all(p.path != "methodology" and "was chosen" not in p.expected for p in info.value.problems)
    assert any(p.path == f'standards["{first}x"]' for p in info.value.problems)
    note = info.value.note
    assert note is not None
    assert "was chosen as the default framework" in note and "no other bundled framework fits the inspection either" in note
    assert str(info.value).endswith(f" (note: {note})")


def test_a_document_with_faults_of_its_own_leads_with_them() -> None:
    doc = doc_for(DEFAULT_METHODOLOGY)
    doc["id"] = 3
    with pytest.raises(InspectionError) as info:
        rate(doc)
    assert [p.path for p in info.value.problems] == ["id"]
    assert info.value.note is None  # the standards fit: how the framework was chosen explains nothing here
    bare = {"id": 3}
    with pytest.raises(InspectionError) as info:
        rate(bare)
    assert info.value.problems[0].path == "id"
    assert all(p.path != "methodology" for p in info.value.problems)
    assert info.value.note is not None and str(info.value).startswith(f"{len(info.value.problems)} problems: id: must be a string")


def test_a_named_methodology_that_does_not_fit_keeps_the_plain_problems() -> None:
    youth = _other_programme_framework(load_methodology(DEFAULT_METHODOLOGY).programme or "")
    with pytest.raises(InspectionError) as info:
        rate(doc_for(youth, methodology=DEFAULT_METHODOLOGY))
    assert all("was chosen" not in p.expected for p in info.value.problems)
    assert len(info.value.problems) > 1


def test_a_programme_given_by_its_first_word_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    programme = next(p for p in (m.programme for m in bundled()) if p and "-" in p)
    first_word = programme.split("-")[0]
    with pytest.raises(UnknownMethodologyError) as info:
        rate(doc_for(DEFAULT_METHODOLOGY, fieldwork_start="2024-06-10", programme=first_word))
    assert info.value.problems[0].suggestion == programme
    assert main(["methodologies", "--programme", first_word]) == 2
    assert f"did you mean {programme!r}?" in capsys.readouterr().err


def test_did_you_mean_prefers_a_close_spelling_then_a_unique_word_start() -> None:
    assert did_you_mean("youth-justise", ["probation", "youth-justice"]) == "youth-justice"
    assert did_you_mean("youth", ["probation", "youth-justice"]) == "youth-justice"
    assert did_you_mean("justice", ["probation", "youth-justice"]) == "youth-justice"
    assert did_you_mean("prob", ["probation", "youth-justice"]) == "probation"
    assert did_you_mean("p", ["probation", "prisons"]) is None  # not unique
    assert did_you_mean("", ["probation"]) is None
    assert did_you_mean(3, ["probation"]) is None


# -- the default is data -------------------------------------------------------------------------


def test_the_default_methodology_is_read_from_the_bundle_file() -> None:
    text = resources.files("probation_rules.methodologies").joinpath(loader_module.BUNDLE_FILE).read_text(encoding="utf-8")
    assert tomllib.loads(text)["default"] == DEFAULT_METHODOLOGY
    assert DEFAULT_METHODOLOGY in bundled_ids()
    assert loader_module._default_id(f'default = "{bundled_ids()[0]}"') == bundled_ids()[0]


def test_a_bundle_file_naming_no_bundled_methodology_is_refused() -> None:
    with pytest.raises(MethodologyError, match=r"bundle.toml: default: must be a bundled methodology id .*did you mean"):
        loader_module._default_id(f'default = "{DEFAULT_METHODOLOGY}x"')
    with pytest.raises(MethodologyError, match=r"bundle\.toml: default: is missing"):
        loader_module._default_id("")
