"""``check``: each broken fixture gives exactly its findings; bundled methodologies check clean; the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from probation_rules import MethodologyError, RuleConflictError, bundled_ids, load_methodology, rate
from probation_rules.check import CODES, check_methodology
from probation_rules.cli import main
from probation_rules.engine.compiler import compiled, release
from probation_rules.methodology.schema import Methodology
from probation_rules.testing.strategies import methodologies

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = FIXTURES / "example.toml"
BROKEN = sorted((FIXTURES / "broken").glob("*.toml"))


def expected(fixture: Path) -> set[tuple[str, str, str]]:
    """The findings a fixture declares in its ``# expect: severity code path`` lines."""
    found = set()
    for line in fixture.read_text().splitlines():
        if line.startswith("# expect: "):
            severity, code, path = line.removeprefix("# expect: ").split(" ", 2)
            found.add((severity, code, path))
    return found


@pytest.mark.parametrize("fixture", BROKEN, ids=[f.stem for f in BROKEN])
def test_a_broken_fixture_gives_exactly_the_findings_it_declares(fixture: Path) -> None:
    report = check_methodology(fixture)
    assert {(f.severity, f.code, f.path) for f in report.findings} == expected(fixture)
    assert report.ok == all(severity != "error" for severity, _, _ in expected(fixture))


def test_every_kind_of_finding_has_its_own_broken_fixture() -> None:
    named = {fixture.stem for fixture in BROKEN}
    assert set(CODES) <= named, f"codes without a fixture named after them: {sorted(set(CODES) - named)}"
    for code in CODES:
        found = {f.code for f in check_methodology(FIXTURES / "broken" / f"{code}.toml").findings}
        assert code in found, f"{code}.toml gives {sorted(found)}, not {code}"


@pytest.mark.parametrize("which", [*bundled_ids(), str(EXAMPLE)])
def test_every_bundled_methodology_and_the_example_check_clean(which: str) -> None:
    report = check_methodology(which)
    assert report.methodology is not None
    assert report.errors == (), report.render_text()
    assert main(["check", which]) == 0


def test_the_example_has_no_warnings_either() -> None:
    assert check_methodology(EXAMPLE).findings == ()


def test_findings_name_the_exact_values() -> None:
    report = check_methodology(FIXTURES / "broken" / "gap.toml")
    (gap,) = report.findings
    assert "from 0 up to (not including) 10" in gap.message and "kq-bands.low" in gap.message
    (overlap, _) = check_methodology(FIXTURES / "broken" / "overlap.toml").findings
    assert "kq-bands.middle (Middle) and kq-bands.high (High) both start at 70" in overlap.message
    (conflict, _) = check_methodology(FIXTURES / "broken" / "guidance-conflict.toml").findings
    assert "guidance.a.all-low indicates Low and guidance.a.any-low indicates Middle" in conflict.message
    assert "all of C, D Low" in conflict.message
    (cases,) = check_methodology(FIXTURES / "broken" / "unreachable-with-cases.toml").findings
    assert "the fewest that can is 100 relevant cases (99 yes)" in cases.message
    (score, rating) = check_methodology(FIXTURES / "broken" / "unreachable-band-score.toml").findings
    assert "from 9, but the maximum score is 8" in score.message
    assert "no inspection can be rated High overall" in rating.message


NOT_RATED = """
[not_rated]
id = "not-rated"
citation = "example"
evidence = "inferred"

[not_rated.rescale]
id = "not-rated.rescale"
method = "{method}"
citation = "example"
evidence = "inferred"
"""


@pytest.mark.parametrize(("method", "reachable"), [("proportional", True), ("none", False)])
def test_an_overall_rating_reachable_only_with_standards_unrated_is_reachable(tmp_path: Path, method: str, reachable: bool) -> None:
    # Case-based standards reach Middle at best: 6 of 8. With C and D unrated the maximum is 4, and
    # proportionally High starts at ceil(7 x 4 / 8) = 4, which A and B rated High reach.
    variant = tmp_path / "variant.toml"
    variant.write_text((FIXTURES / "broken" / "unreachable-overall-rating-by-points.toml").read_text() + NOT_RATED.format(method=method))
    codes = {f.code for f in check_methodology(variant).findings}
    assert ("unreachable-overall-rating" not in codes) == reachable, codes
    assert {"unreachable-case-rating", "unreachable-score"} <= codes
    m = load_methodology(variant)
    doc = {
        "id": "x",
        "unit": "x",
        "standards": {"A": {"judgement": "High"}, "B": {"judgement": "High"}, "C": {"not_rated": "no cases"}, "D": {"not_rated": "no cases"}},
    }
    try:
        assert (rate(doc, m).overall == "High") == reachable
    finally:
        release(m)


@pytest.mark.parametrize(
    ("fixture", "inspection_change"), [("gap", {"C": {"q1": 5, "q2": 90}}), ("gap-score", {"C": {"q1": 0, "q2": 0}, "D": {"q1": 0, "q2": 0}})]
)
def test_a_gap_check_reports_is_a_gap_the_engine_falls_into(fixture: str, inspection_change: dict[str, Any]) -> None:
    m = load_methodology(FIXTURES / "broken" / f"{fixture}.toml")
    doc: dict[str, Any] = {
        "id": "x",
        "unit": "x",
        "standards": {
            "A": {"judgement": "Low"},
            "B": {"judgement": "Low"},
            "C": {"key_questions": {"q1": 50, "q2": 50}},
            "D": {"key_questions": {"q1": 50, "q2": 50}},
        },
    }
    for standard, values in inspection_change.items():
        doc["standards"][standard]["key_questions"] = values
    try:
        with pytest.raises(RuleConflictError, match="a gap in the table"):
            rate(doc, m)
    finally:
        release(m)


def test_a_guidance_conflict_check_reports_is_one_the_engine_refuses() -> None:
    m = load_methodology(FIXTURES / "broken" / "guidance-conflict.toml")
    all_low = {"C": {"key_questions": {"q1": 0, "q2": 0}}, "D": {"key_questions": {"q1": 0, "q2": 0}}}
    try:
        with pytest.raises(RuleConflictError, match=re.escape("guidance.a.all-low, guidance.a.any-low")):
            rate({"id": "x", "unit": "x", "standards": {"A": {"judgement": "Low"}, "B": {"judgement": "Low"}, **all_low}}, m)
    finally:
        release(m)


# -- the command line ---------------------------------------------------------------------


def test_check_prints_one_line_per_finding_and_exits_1_on_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = FIXTURES / "broken" / "overlap.toml"
    assert main(["check", str(fixture)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{fixture}: key_question_bands.bands[1].at_least: error [overlap] ")
    assert out[1].startswith(f"{fixture}: key_question_bands.bands: warning [unreachable-case-rating] ")
    assert out[2] == f"{fixture}: example 1.0.0: 1 error, 1 warning"


def test_warnings_alone_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(FIXTURES / "broken" / "split-band.toml")]) == 0
    assert "warning [split-band]" in capsys.readouterr().out


def test_a_file_the_loader_refuses_is_reported_as_findings(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = FIXTURES / "broken" / "unknown-key.toml"
    assert main(["check", str(fixture), "--format", "json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["methodology"] is None and body["ok"] is False
    unknown = next(f for f in body["findings"] if f["code"] == "unknown-key")
    assert unknown == {
        "code": "unknown-key",
        "severity": "error",
        "path": "key_question_bands.bands[1].at_lest",
        "message": unknown["message"],
        "suggestion": "at_least",
    }
    assert "did you mean 'at_least'" in unknown["message"]
    assert "(at_least is required and missing)" in unknown["message"]
    assert [f["code"] for f in body["findings"]] == ["unknown-key"]  # the misspelling once, not also at_least missing


def test_json_output_is_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "hmip-pdu-2023", "--format", "json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["check_version"] == "1"
    assert (body["ok"], body["errors"], body["warnings"], body["findings"]) == (True, 0, 0, [])
    assert body["methodology"]["id"] == "hmip-pdu-2023"
    assert any("256 profiles" in line for line in body["examined"])


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"id = ", "is not valid TOML"), (b"\xff\xfe id = 1", "is not UTF-8 text: byte 0xff at offset 0")],
    ids=["not TOML", "not UTF-8"],
)
def test_a_file_that_is_not_toml_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str) -> None:
    # Not a methodology with problems but no methodology at all: one line on stderr, exit 2.
    bad = tmp_path / "bad.toml"
    bad.write_bytes(content)
    assert main(["check", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"probation-rules: error: {bad}: {problem}")


def test_a_directory_is_named_as_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"{tmp_path}: is a directory, not a methodology file" in line


@pytest.mark.parametrize("which", ["no-such-methodology", "missing/file.toml"])
def test_nothing_to_check_is_bad_input(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", which]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1


def test_max_relevant_changes_what_counts_as_reachable_with_cases(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(FIXTURES / "broken" / "unreachable-with-cases.toml")
    assert check_methodology(fixture, max_relevant=100).findings == ()
    assert main(["check", fixture, "--max-relevant", "0"]) == 2


def test_the_reference_page_lists_every_code_with_its_severity() -> None:
    page = (Path(__file__).parent.parent / "docs" / "reference" / "check.md").read_text()
    listed = {name: (severity, meaning) for name, severity, meaning in re.findall(r"^\| `([a-z-]+)` \| (error|warning) \| (.*) \|$", page, re.M)}
    assert listed == {name: (code.severity, code.meaning) for name, code in CODES.items()}


def test_a_misspelt_required_key_is_one_problem_for_the_loader_rate_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (Path(__file__).parent.parent / "probation_rules" / "methodologies" / "hmip-pdu-2023.toml").read_text()
    assert text.count("max_bands_up") == 1
    bad = tmp_path / "misspelt.toml"
    bad.write_text(text.replace("max_bands_up", "max_bandz_up"))
    with pytest.raises(MethodologyError) as info:
        load_methodology(bad)
    (problem,) = info.value.problems
    assert problem.path.endswith(".override.max_bandz_up") and problem.suggestion == "max_bands_up"
    assert problem.expected == "is not a known field (max_bands_up is required and missing)"
    assert main(["rate", str(Path(__file__).parent.parent / "examples" / "york-pdu-2024.json"), "-m", str(bad)]) == 2
    assert capsys.readouterr().err == f"probation-rules: error: {bad}: {problem.path}: {problem.expected}; did you mean 'max_bands_up'?\n"
    (finding,) = check_methodology(bad).findings
    assert (finding.code, finding.path, finding.suggestion) == ("unknown-key", problem.path, "max_bands_up")


def _scores_one_by_one(m: Methodology, allowed: dict[str, set[str]]) -> dict[int, set[int]]:
    """The scores by maximum, worked out the slow way: (standards rated, total) pairs, standard by standard."""
    states = {(0, 0)}
    for s in m.standards:
        if not s.scored:
            continue
        points = {m.points_for(r) for r in allowed.get(s.id, set(m.scale.ratings))}
        rated = {(k + 1, t + p) for k, t in states for p in points}
        states = rated | (states if m.not_rated is not None else set())
    scored = sum(1 for s in m.standards if s.scored)
    out: dict[int, set[int]] = {}
    for k, t in states:
        if k > 0 or scored == 0:
            out.setdefault(m.best_points * k, set()).add(t)
    return out


@given(methodologies(strict=False), st.data())
def test_the_scores_each_maximum_can_hold_are_every_sum_of_points(m: Methodology, data: st.DataObject) -> None:
    try:
        assert {k: set(v) for k, v in m.scores_by_maximum().items()} == _scores_one_by_one(m, {})
        case = set(data.draw(st.sets(st.sampled_from(m.scale.ratings))))
        allowed = {s.id: case for s in m.standards if s.kind == "case"}
        got = m.scores_by_maximum(lambda s: case if s.kind == "case" else m.scale.ratings)
        assert {k: set(v) for k, v in got.items() if v} == {k: v for k, v in _scores_one_by_one(m, allowed).items() if v}
        # the compiler writes one score rule for each score some maximum can hold, no more
        program = compiled(m)
        rules = {d.score for d in program.decisions.values() if d.kind == "score"}
        assert rules == set().union(*_scores_one_by_one(m, {}).values())
    finally:
        release(m)


def test_the_scores_examined_say_how_many_the_points_reach(capsys: pytest.CaptureFixture[str]) -> None:
    def examined(which: str) -> str:
        main(["check", which, "--format", "json"])
        (line,) = [e for e in json.loads(capsys.readouterr().out)["examined"] if e.startswith("overall_bands:")]
        assert "can add up to" not in line and "(s)" not in line
        return line

    m = load_methodology("hmip-pdu-2023")  # every total from 0 to its maximum is some choice of points
    assert set(m.scores_by_maximum()[m.max_score]) == set(range(m.max_score + 1))
    expected = f"every score from 0 to {m.max_score} (all {m.max_score + 1} can be reached with every standard rated)"
    assert expected in examined("hmip-pdu-2023")
    # In the fixture case-based standards reach Middle at best, so the scores reached are 0 to 6 of 0 to 8.
    broken = str(Path(__file__).parent / "fixtures" / "broken" / "unreachable-overall-rating-by-points.toml")
    assert "every score from 0 to 8 (7 of these 9 can be reached with every standard rated: 0, 1, 2, 3, 4, 5, 6)" in examined(broken)
