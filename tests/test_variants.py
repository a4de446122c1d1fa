"""Variants: small change files that load anywhere a methodology does, refused whole when wrong."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from probation_rules import MethodologyError, load_methodology, rate
from probation_rules.check import check_methodology
from probation_rules.cli import main
from probation_rules.methodology import methodology_from_dict
from probation_rules.methodology.variants import VARIANT_MARK, VariantError
from tests.conftest import ROOT, YORK, pdu_2023_data

EXAMPLE = ROOT / "examples" / "variants" / "good-from-70.toml"
HEADER = 'extends = "hmip-pdu-2023"\nname = "{name}"\nrationale = "a test"\n'


def write(tmp_path: Path, body: str, name: str = "v", header: str = HEADER) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(header.format(name=name) + textwrap.dedent(body), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(VariantError) as caught:
        load_methodology(path)
    assert all(p.file == str(path) for p in caught.value.problems)
    return [
        f"{p.path}: {p.expected}" + (f" (got {p.value!r})" if p.has_value else "") + (f" ~{p.suggestion}" if p.suggestion else "")
        for p in caught.value.problems
    ]


# -- the example a policy officer starts from ---------------------------------------------------


def test_the_example_variant_is_short_and_changes_what_it_says() -> None:
    assert len([line for line in EXAMPLE.read_text().splitlines() if line.strip() and not line.startswith("#")]) <= 10
    base, m = load_methodology("hmip-pdu-2023"), load_methodology(EXAMPLE)
    assert m.id == f"hmip-pdu-2023{VARIANT_MARK}good-from-70" and m.version == base.version
    assert m.sha256 and m.sha256 != base.sha256 and m.source == str(EXAMPLE)
    assert m.lineage is not None
    assert (m.lineage.base_id, m.lineage.base_version, m.lineage.base_sha256) == (base.id, base.version, base.sha256)
    assert m.lineage.changed == ("kq-bands.good", "override.leadership-strengths")
    assert {b.id: b.at_least for b in m.key_question_bands.bands} == {
        b.id: (70 if b.id == "kq-bands.good" else b.at_least) for b in base.key_question_bands.bands
    }
    assert m.guidance[0].override is not None and m.guidance[0].override.max_bands_up == 0
    # Everything the variant did not touch is the base's, field for field.
    assert m.standards == base.standards and m.overall_bands == base.overall_bands and m.points == base.points


def test_touched_rules_cite_the_variant_and_are_inferred_untouched_ones_keep_their_source() -> None:
    base, m = load_methodology("hmip-pdu-2023"), load_methodology(EXAMPLE)
    good = m.rule("kq-bands.good")
    assert good.evidence == "inferred" and "good-from-70" in good.citation and m.lineage is not None and m.lineage.rationale in good.citation
    assert m.rule("kq-bands.outstanding") == base.rule("kq-bands.outstanding")


def test_york_under_the_variant_loses_its_leadership_departure() -> None:
    result = rate(YORK, EXAMPLE)
    assert result.methodology.id == "hmip-pdu-2023~good-from-70"
    leadership = result.standards["P1.1"]
    assert (leadership.rating, leadership.departure is not None and leadership.departure.capped) == ("Inadequate", True)
    assert (result.score, result.overall) == (2, "Inadequate")
    entry = result.trace.fired("kq-bands.good") or result.trace.fired("override.leadership-strengths")
    assert entry and "good-from-70" in entry[0].citation


def test_a_variant_loads_wherever_a_methodology_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    version = load_methodology("hmip-pdu-2023").version  # a variant keeps its base's version
    assert main(["rate", str(YORK), "--methodology", str(EXAMPLE)]) == 0
    assert f"rated under hmip-pdu-2023~good-from-70 {version}" in capsys.readouterr().out
    assert main(["render", str(EXAMPLE)]) == 0
    assert "at least 70%" in capsys.readouterr().out
    report = check_methodology(EXAMPLE)
    assert report.ok and report.methodology == ("hmip-pdu-2023~good-from-70", version)
    doc = json.loads(YORK.read_text()) | {"methodology": str(EXAMPLE)}
    assert rate(doc).standards["P1.1"].rating == "Inadequate"


def test_loading_twice_gives_the_same_methodology_and_compiles_once() -> None:
    assert load_methodology(EXAMPLE) is load_methodology(EXAMPLE)


def test_a_variant_can_extend_a_variant_by_relative_path(tmp_path: Path) -> None:
    (tmp_path / "good-from-70.toml").write_text(EXAMPLE.read_text())
    path = write(
        tmp_path, '[change."kq-bands.outstanding"]\nat_least = 85\n', "stricter", header='extends = "good-from-70.toml"\nname = "{name}"\nrationale = "more"\n'
    )
    m = load_methodology(path)
    assert m.id == "hmip-pdu-2023~good-from-70~stricter"
    assert m.lineage is not None and m.lineage.base_id == "hmip-pdu-2023~good-from-70"
    assert [b.at_least for b in m.key_question_bands.ordered()] == [0, 50, 70, 85]


# -- every kind of change ---------------------------------------------------------------------


def test_add_a_guidance_row_and_a_key_question_remove_another_change_rounding(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        remove = ["P2.1/keeping_safe"]

        [change."kq-score"]
        rounding = "nearest"

        [change."guidance.leadership"]
        mode = "ceiling"

        [[add."guidance.leadership"]]
        id = "guidance.leadership.all-below-good"
        all_at_most = "Requires improvement"
        any_at_least = "Requires improvement"
        indicates = "Requires improvement"

        [[add."P2.2"]]
        id = "victims"
        label = "the safety of victims"
        text = "Does planning focus sufficiently on the safety of victims?"
        """,
    )
    m = load_methodology(path)
    assert [q.id for q in m.standard("P2.1").key_questions] == ["engaging", "desistance"]
    assert [q.id for q in m.standard("P2.2").key_questions] == ["engaging", "desistance", "keeping_safe", "victims"]
    assert m.key_question_score.rounding == "nearest"
    assert [r.id for r in m.guidance[0].rows] == ["guidance.leadership.all-inadequate", "guidance.leadership.all-below-good"]
    assert m.lineage is not None and m.lineage.added == ("guidance.leadership.all-below-good", "P2.2/victims") and m.lineage.removed == ("P2.1/keeping_safe",)
    assert m.rule("guidance.leadership.all-below-good").evidence == "inferred"


def test_removing_an_optional_section_and_a_standard(tmp_path: Path) -> None:
    path = write(tmp_path, 'remove = ["override.leadership-strengths", "P1.3"]\n')
    m = load_methodology(path)
    assert m.guidance[0].override is None
    assert [s.id for s in m.standards] == ["P1.1", "P1.2", "P2.1", "P2.2", "P2.3", "P2.4"]
    assert m.max_score == 18


def test_changing_a_rule_by_id_is_the_same_as_editing_the_whole_file(tmp_path: Path) -> None:
    data = pdu_2023_data()
    next(b for b in data["key_question_bands"]["bands"] if b["id"] == "kq-bands.good")["at_least"] = 70
    by_hand = methodology_from_dict(data)
    m = load_methodology(write(tmp_path, '[change."kq-bands.good"]\nat_least = 70\ncitation = "c"\nevidence = "recalled"\n'))
    bands = [(b.id, b.rating, b.at_least) for b in by_hand.key_question_bands.bands]
    assert [(b.id, b.rating, b.at_least) for b in m.key_question_bands.bands] == bands
    assert m.rule("kq-bands.good").citation == "c" and m.rule("kq-bands.good").evidence == "recalled"


@settings(max_examples=25)  # each example writes, loads and compiles a variant
@given(good=st.integers(51, 79), outstanding_gap=st.integers(1, 20), yes=st.integers(0, 20), relevant=st.integers(10, 20))
@example(good=70, outstanding_gap=10, yes=13, relevant=20)
def test_a_variant_rates_as_its_bands_say(tmp_path_factory: pytest.TempPathFactory, good: int, outstanding_gap: int, yes: int, relevant: int) -> None:
    outstanding = min(good + outstanding_gap, 100)
    tmp_path = tmp_path_factory.mktemp("v")
    path = write(
        tmp_path, f'[change."kq-bands.good"]\nat_least = {good}\n[change."kq-bands.outstanding"]\nat_least = {outstanding}\n', f"g{good}-{outstanding}"
    )
    yes = min(yes, relevant)
    doc = json.loads(YORK.read_text())
    doc["standards"]["P2.1"] = {"key_questions": {q: {"yes": yes, "relevant": relevant} for q in ("engaging", "desistance", "keeping_safe")}}
    share = Fraction(100 * yes, relevant)
    expected = "Outstanding" if share >= outstanding else "Good" if share >= good else "Requires improvement" if share >= 50 else "Inadequate"
    assert rate(doc, path).standards["P2.1"].rating == expected


# -- refused whole, every problem named --------------------------------------------------------


def test_a_bad_variant_is_refused_whole_with_every_problem_at_its_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        remove = ["P2.1/keeping_saf", "scale"]

        [change."kq-bands.god"]
        at_least = 70

        [change."kq-bands.requires-improvement"]
        at_lest = 50

        [change."kq-bands.outstanding"]
        at_least = "80"

        [change."kq-bands.good"]
        id = "kq-bands.great"

        [[add."kq-band"]]
        id = "x"
        """,
        "bad one",
    )
    found = problems(path)
    assert found == [
        "name: must be letters, digits, '.', '_' or '-', starting with a letter or digit (it becomes part of the id) (got 'bad one')",
        "remove[0]: is not a rule, standard or key question of hmip-pdu-2023 (key questions are written <standard>/<key question>)"
        " (got 'P2.1/keeping_saf') ~P2.1/keeping_safe",
        "remove[1]: is a required section of the methodology (scale): change it instead (got 'scale')",
        'change["kq-bands.god"]: is not a rule, standard or key question of hmip-pdu-2023 (key questions are written <standard>/<key question>)'
        " (got 'kq-bands.god') ~kq-bands.good",
        'change["kq-bands.requires-improvement"].at_lest: is not a field a variant can change here'
        " (rating, at_least, words, citation, evidence) (got 50) ~at_least",
        "change[\"kq-bands.outstanding\"].at_least: must be a number (got '80')",
        "change[\"kq-bands.good\"].id: cannot change a rule's id: remove it and add one with the new id (got 'kq-bands.great')",
        "add[\"kq-band\"]: is not a table, standard or list of hmip-pdu-2023 that rows can be added to (got 'kq-band') ~kq-bands",
    ]


def test_what_the_loader_and_check_refuse_in_the_result_is_named_at_the_variant_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [change."kq-bands.inadequate"]
        at_least = 10

        [change."kq-bands.god"]
        at_least = 1

        [[add."guidance.leadership"]]
        id = "guidance.leadership.x"
        any_at_most = "Inadequate"
        indicates = "Good"
        """,
    )
    found = problems(path)
    assert found[0].startswith('change["kq-bands.god"]: is not a rule')
    assert any(p.startswith('change["kq-bands.inadequate"].at_least: ') and p.endswith("[gap]") for p in found)
    assert any(p.startswith('add["guidance.leadership"][0]') and "[guidance-conflict]" in p for p in found)
    # A reference the loader refuses (a rating not on the scale) is named where it was written.
    bad = write(tmp_path, '[[add."guidance.leadership"]]\nid = "r"\nany_at_most = "Inadequat"\nindicates = "Good"\n', "w")
    assert problems(bad) == [
        'add["guidance.leadership"][0].any_at_most: must be a rating on the scale'
        " (Inadequate, Requires improvement, Good, Outstanding) (got 'Inadequat') ~Inadequate"
    ]


def test_a_finding_outside_what_the_variant_wrote_says_so(tmp_path: Path) -> None:
    found = problems(write(tmp_path, '[change."kq-bands.good"]\nat_least = 85\n'))
    assert any("(in the methodology the variant makes)" in p or p.startswith('change["kq-bands.good"]') for p in found)
    assert all("[not-monotone]" in p for p in found)
    # The band is out of order because of the threshold the variant wrote, not its rating, which it kept.
    (only,) = found
    assert only.startswith('change["kq-bands.good"].at_least: ')


def test_a_finding_at_a_field_the_change_kept_is_named_at_what_it_wrote(tmp_path: Path) -> None:
    # A source given with the threshold decides no value: the finding is still at the threshold.
    (cited,) = problems(write(tmp_path, '[change."kq-bands.good"]\nat_least = 85\nevidence = "published"\n'))
    assert cited.startswith('change["kq-bands.good"].at_least: ') and cited.endswith("[not-monotone]")
    # A field the change wrote keeps its own path.
    (rated,) = problems(write(tmp_path, '[change."kq-bands.good"]\nat_least = 85\nrating = "Good"\n', "w"))
    assert rated.startswith('change["kq-bands.good"].rating: ')
    # Two fields written and the finding at neither: the change as a whole.
    (both,) = problems(write(tmp_path, '[change."kq-bands.good"]\nat_least = 85\nwords = "from 85"\n', "u"))
    assert both.startswith('change["kq-bands.good"]: ')


def test_adding_a_taken_id_changing_and_removing_one_rule_and_an_unknown_base_are_refused(tmp_path: Path) -> None:
    found = problems(
        write(
            tmp_path,
            'remove = ["kq-bands.good"]\n[change."kq-bands.good"]\nat_least = 70\n'
            '[[add."kq-bands"]]\nid = "kq-bands.outstanding"\nrating = "Good"\nat_least = 90\n',
        )
    )
    assert "change[\"kq-bands.good\"]: is also removed: change it or remove it, not both (got 'kq-bands.good')" in found
    assert "add[\"kq-bands\"][0].id: is taken by another part of hmip-pdu-2023 or of this variant (got 'kq-bands.outstanding')" in found
    base = problems(write(tmp_path, "", "x", header='extends = "hmip-pdu-2032"\nname = "{name}"\nrationale = "r"\n'))
    assert len(base) == 1 and base[0].startswith("extends: must name a methodology that loads") and "hmip-pdu-2023" in base[0]


def test_a_variant_missing_its_rationale_or_with_unknown_keys_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text('extends = "hmip-pdu-2023"\nname = "v"\nchanges = {}\n')
    with pytest.raises(MethodologyError) as caught:
        load_methodology(path)
    text = str(caught.value)
    assert "rationale: is required but missing" in text and "changes: is not a known field" in text and "did you mean 'change'?" in text


def test_the_command_line_refuses_a_bad_variant_in_one_line_with_status_2(tmp_path: Path) -> None:
    path = write(tmp_path, '[change."kq-bands.god"]\nat_least = 70\n[change."kq-bands.good"]\nat_least = "x"\n')
    run = subprocess.run([sys.executable, "-m", "probation_rules.cli", "rate", str(YORK), "-m", str(path)], capture_output=True, text=True, check=False)
    assert run.returncode == 2 and run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"probation-rules: error: {path}: 2 problems: ") and "did you mean 'kq-bands.good'?" in line and "must be a number" in line


def test_a_loaded_variant_carries_lineage_no_file_may_write(tmp_path: Path) -> None:
    data: dict[str, Any] = pdu_2023_data() | {"lineage": {"base_id": "x"}}
    with pytest.raises(MethodologyError, match="lineage: is set by the loader"):
        methodology_from_dict(data)


def test_a_cycle_of_variants_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('extends = "b.toml"\nname = "a"\nrationale = "r"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\nname = "b"\nrationale = "r"\n')
    with pytest.raises(VariantError, match="leads back to this file"):
        load_methodology(tmp_path / "a.toml")


# -- the shapes TOML makes easy to get wrong, said as what to write ------------------------------


def test_a_string_for_remove_is_refused_not_read_as_its_characters(tmp_path: Path) -> None:
    found = problems(write(tmp_path, 'remove = "P2.1/keeping_safe"\n'))
    assert found == ['remove: must be a list of ids, such as remove = ["P2.1/engaging"] (got \'P2.1/keeping_safe\') ~remove = ["P2.1/keeping_safe"]']


@pytest.mark.parametrize(
    ("body", "path", "says"),
    [
        ("change = 3\n", "change", 'write [change."points.inadequate"] and below it the fields to set, such as points = 0'),
        ('[change]\n"kq-bands.good" = 70\n', 'change["kq-bands.good"]', 'write [change."kq-bands.good"] and below it a line such as at_least = 70'),
        ('[change]\n"kq-score" = "nearest"\n', 'change["kq-score"]', 'write [change."kq-score"] and below it a line such as rounding = "nearest"'),
        ("add = 3\n", "add", 'write [[add."guidance.leadership"]] (two brackets) above each new row\'s fields'),
        ('[add."kq-bands"]\nid = "x"\nrating = "Good"\nat_least = 90\n', 'add["kq-bands"]', 'write [[add."kq-bands"]] with two brackets'),
        ('[add]\n"kq-bands" = 3\n', 'add["kq-bands"]', 'write [[add."kq-bands"]] above each row\'s fields'),
    ],
)
def test_a_section_of_the_wrong_shape_says_what_to_write(tmp_path: Path, body: str, path: str, says: str) -> None:
    found = problems(write(tmp_path, body))
    assert [p for p in found if p.startswith(f"{path}: ")] and says in found[0], found
    assert not any("object has no attribute" in p for p in found)


def test_a_single_table_meant_as_a_row_is_still_read_as_one(tmp_path: Path) -> None:
    found = problems(write(tmp_path, '[add."guidance.leadership"]\nid = "guidance.leadership.x"\nany_at_most = "Inadequat"\nindicates = "Good"\n'))
    assert found[0].startswith('add["guidance.leadership"]: must be an array of tables')
    assert found[1].startswith('add["guidance.leadership"].any_at_most: must be a rating on the scale') and found[1].endswith("~Inadequate")


def test_an_extends_that_names_no_file_names_the_variant_extends_and_the_path_tried(tmp_path: Path) -> None:
    path = write(tmp_path, "", "x", header='extends = "nothere.toml"\nname = "{name}"\nrationale = "r"\n')
    with pytest.raises(VariantError) as caught:
        load_methodology(path)
    (p,) = caught.value.problems
    assert (p.file, p.path, p.value) == (str(path), "extends", "nothere.toml")
    folder = " (a relative path is read from the folder of the file that names it)"
    assert p.expected == f"must name a methodology that loads: {tmp_path / 'nothere.toml'}: no such file{folder}"


def test_a_wrong_section_is_named_even_when_the_base_does_not_load(tmp_path: Path) -> None:
    found = problems(write(tmp_path, 'remove = "P2.1"\n', "x", header='extends = "hmip-pdu-2032"\nname = "{name}"\nrationale = "r"\n'))
    assert found[0] == 'remove: must be a list of ids, such as remove = ["<id>"] (got \'P2.1\') ~remove = ["P2.1"]'
    assert len(found) == 2 and found[1].startswith("extends: must name a methodology that loads")


def test_a_base_problem_shows_its_value_once(tmp_path: Path) -> None:
    (unknown,) = problems(write(tmp_path, "", "x", header='extends = "hmip-pdu-2032"\nname = "{name}"\nrationale = "r"\n'))
    assert unknown.count("(got 'hmip-pdu-2032')") == 1 and unknown.endswith("~hmip-pdu-2023")
    loop = write(tmp_path, "", "self", header='extends = "self.toml"\nname = "{name}"\nrationale = "r"\n')
    assert problems(loop) == ["extends: leads back to this file: a variant cannot extend itself, directly or through others (got 'self.toml')"]


# -- every problem in one round ---------------------------------------------------------------


def test_the_fields_of_a_change_that_can_be_set_are_judged_beside_one_that_cannot(tmp_path: Path) -> None:
    found = problems(write(tmp_path, '[change."override.leadership-strengths"]\nmax_bands = 0\nmin_strengths = -1\n'))
    assert found[0].startswith('change["override.leadership-strengths"].max_bands: is not a field') and found[0].endswith("~max_bands_up")
    assert found[1:] == ['change["override.leadership-strengths"].min_strengths: must not be negative (got -1)']


def test_a_row_whose_id_is_taken_is_still_judged_for_the_rest(tmp_path: Path) -> None:
    body = '[[add."guidance.leadership"]]\nid = "guidance.leadership.all-inadequate"\nany_at_most = "Inadequat"\nindicates = "Inadequate"\n'
    assert problems(write(tmp_path, body)) == [
        "add[\"guidance.leadership\"][0].id: is taken by another part of hmip-pdu-2023 or of this variant (got 'guidance.leadership.all-inadequate')",
        'add["guidance.leadership"][0].any_at_most: must be a rating on the scale'
        " (Inadequate, Requires improvement, Good, Outstanding) (got 'Inadequat') ~Inadequate",
    ]


def test_check_speaks_in_the_same_round_as_the_loader(tmp_path: Path) -> None:
    # The loader refuses the negative count; check still finds the gap the other change leaves.
    found = problems(write(tmp_path, '[change."kq-bands.inadequate"]\nat_least = 10\n[change."override.leadership-strengths"]\nmin_strengths = -1\n'))
    assert found[0] == 'change["override.leadership-strengths"].min_strengths: must not be negative (got -1)'
    assert len(found) == 2 and found[1].startswith('change["kq-bands.inadequate"].at_least: no band covers percentages from 0') and found[1].endswith("[gap]")
    # What the loader refuses because of a removal is put down to that removal, and check runs on the rest.
    found = problems(write(tmp_path, 'remove = ["P1.1"]\n[change."kq-bands.inadequate"]\nat_least = 10\n', "w"))
    assert found[0].startswith("guidance[0].target: must be a standard id (in the methodology the variant makes), which remove[0] removes")
    assert len(found) == 2 and found[1].endswith("[gap]")


def test_when_check_cannot_run_the_error_says_so(tmp_path: Path) -> None:
    # Without its informing standards the guidance table is refused, and nothing the variant wrote is at fault alone.
    found = problems(write(tmp_path, 'remove = ["P2.1", "P2.2", "P2.3", "P2.4"]\n[change."kq-bands.inadequate"]\nat_least = 10\n'))
    assert any(p.startswith("guidance[0].from_domain: names a domain with no standards besides the target") for p in found), found
    assert found[-1] == ": has not been checked: the methodology it makes does not load, so check runs once the problems above are fixed"
    assert not any("[gap]" in p for p in found)


def test_an_inspection_names_a_variant_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "inspections"
    folder.mkdir()
    (folder / "mine.toml").write_text(EXAMPLE.read_text())
    doc = folder / "york.json"
    doc.write_text(json.dumps(json.loads(YORK.read_text()) | {"methodology": "mine.toml"}))
    monkeypatch.chdir(tmp_path)  # not the document's folder: the path is read from there all the same
    result = rate(Path("inspections") / "york.json")
    assert result.methodology.id == "hmip-pdu-2023~good-from-70" and result.methodology.selected_by == "inspection"
    doc.write_text(json.dumps(json.loads(YORK.read_text()) | {"methodology": "nothere.toml"}))
    with pytest.raises(OSError) as caught:
        rate(Path("inspections") / "york.json")
    (p,) = caught.value.problems  # type: ignore[attr-defined]
    assert (p.file, p.path, p.value) == (str(Path("inspections") / "york.json"), "methodology", "nothere.toml")
    assert str(folder / "nothere.toml") in p.expected and "read from the folder of the file that names it" in p.expected


# -- TOML puts a key below a [section] inside it -------------------------------------------------


def test_a_top_level_key_written_below_a_section_says_where_it_belongs(tmp_path: Path) -> None:
    hint = "; top-level keys (extends, name, rationale, title, remove) must come before the first [section] in TOML"
    found = problems(write(tmp_path, '[change."kq-bands.requires-improvement"]\nat_least = 50\nremove = ["P2.1/keeping_safe"]\n'))
    assert found == [
        'change["kq-bands.requires-improvement"].remove: is not a field a variant can change here (rating, at_least, words, citation, evidence)'
        f"{hint} (got ['P2.1/keeping_safe'])"
    ]
    row = '[[add."guidance.leadership"]]\nid = "guidance.leadership.x"\nany_at_most = "Inadequate"\nindicates = "Inadequate"\nrationale = "why"\n'
    found = problems(write(tmp_path, row, "w"))
    assert found[0] == f"add[\"guidance.leadership\"][0].rationale: is not a field of the row added here{hint} (got 'why')"
    # A field of the part changed is no misplaced top-level key, though a variant has one of that name.
    assert not any(hint in p for p in problems(write(tmp_path, '[change."guidance.leadership"]\ntitle = 3\n', "u")))


# -- a path a document names is read from the document's folder ---------------------------------


def test_the_loader_reads_a_relative_reference_from_the_referring_files_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "base.toml").write_text(EXAMPLE.read_text())
    monkeypatch.chdir(ROOT)
    referring = tmp_path / "here" / "doc.json"
    assert load_methodology("base.toml", relative_to=referring).source == str(tmp_path / "here" / "base.toml")
    assert load_methodology("hmip-pdu-2023", relative_to=referring).id == "hmip-pdu-2023"  # an id is no path
    assert load_methodology(str(EXAMPLE), relative_to=referring).source == str(EXAMPLE)  # nor is an absolute path moved
    with pytest.raises(OSError) as caught:
        load_methodology("nothere.toml", relative_to=referring)
    assert caught.value.filename == str(tmp_path / "here" / "nothere.toml")  # type: ignore[attr-defined]


@pytest.mark.parametrize("body", ['[change."kq-bands.good"]\nat_least = -5\n', '[change."overall-bands.good"]\nat_least = -5\n'])
def test_a_whole_number_is_shown_as_written(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, body)
    with pytest.raises(VariantError) as caught:
        load_methodology(path)
    (problem,) = caught.value.problems
    assert problem.path.endswith(".at_least") and problem.value == -5 and type(problem.value) is int
    assert str(problem).endswith("(got -5)")
    assert main(["check", str(path)]) == 1
    assert "(got -5)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("header", "header_problem"),
    [
        ('extends = "hmip-pdu-2023"\nname = "x"\nrationale = 5\n', ("rationale", "must be a string")),
        ('extends = "hmip-pdu-2023"\nrationale = "r"\n', ("name", "is required but missing")),
        ('extends = "hmip-pdu-2023"\nname = "x"\nrationale = "r"\nrationle = "r"\n', ("rationle", "is not a known field")),
    ],
    ids=["wrong type", "missing", "unknown key"],
)
def test_a_faulty_header_does_not_hide_the_changes_problems(tmp_path: Path, header: str, header_problem: tuple[str, str]) -> None:
    """Refused whole, every problem named: a misspelt rule id is not held back until the header is fixed."""
    bad = tmp_path / "bad.toml"
    bad.write_text(header + '[change."kq-bands.goood"]\nat_least = 70\n')
    with pytest.raises(VariantError) as info:
        load_methodology(bad)
    found = [(p.path, p.expected, p.suggestion) for p in info.value.problems]
    assert any(path == header_problem[0] and expected.startswith(header_problem[1]) for path, expected, _ in found)
    assert ('change["kq-bands.goood"]', "kq-bands.good") in [(path, suggestion) for path, _, suggestion in found]
    assert len(check_methodology(bad).findings) == len(found)


def test_a_faulty_header_on_a_variant_extending_itself_is_one_problem(tmp_path: Path) -> None:
    itself = tmp_path / "self.toml"
    itself.write_text('extends = "self.toml"\nname = 3\nrationale = "r"\n')
    with pytest.raises(VariantError) as info:
        load_methodology(itself)
    assert [p.path for p in info.value.problems] == ["name"]


def test_the_how_to_table_examples_check_clean(tmp_path: Path) -> None:
    """The examples in the how-to's table of what a variant can say are variants a reader may copy."""
    page = (ROOT / "docs" / "how-to" / "variant.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert len(rows) == 3
    for i, row in enumerate(rows):
        example = row.rstrip(" |").rsplit(" | ", 1)[1]
        body = "\n".join(part for part in example.split("`")[1::2])
        variant = tmp_path / f"example{i}.toml"
        variant.write_text(HEADER.format(name=f"example{i}") + body + "\n")
        report = check_methodology(variant)
        assert report.ok and not report.findings, (body, [str(f) for f in report.findings])
