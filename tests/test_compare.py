"""compare: transitions counted from the engine's ratings, changed inspections with their origin rule."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from probation_rules import InspectionError, load_methodology, rate
from probation_rules.batch import rate_many
from probation_rules.whatif import Comparison, compare, gather, simulated, simulation
from probation_rules.whatif.compare import NOT_RATED
from probation_rules.whatif.progress import Progress
from tests.conftest import ROOT, YORK

EXAMPLE = ROOT / "examples" / "variants" / "good-from-70.toml"
PUBLISHED = ROOT / "examples" / "published"
CORPUS = ROOT / "tests" / "data" / "published-ratings.json"


@pytest.fixture(scope="module")
def population_run() -> Comparison:
    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(EXAMPLE)
    return compare(base, variant, simulated(simulation([base, variant], 400, seed=7)))


def test_york_loses_only_its_leadership_departure() -> None:
    c = compare("hmip-pdu-2023", EXAMPLE, [YORK])
    (york,) = c.changed
    assert york.moved_standards() == {"P1.1": ("Requires improvement", "Inadequate")}
    assert (york.baseline.score, york.candidate.score, york.baseline.overall, york.candidate.overall) == (3, 2, "Inadequate", "Inadequate")
    assert york.divergence is not None and (york.divergence.subject, york.divergence.baseline_rule) == ("P1.1", "override.leadership-strengths")
    assert york.divergence.candidate["capped"] is True and york.divergence.baseline["capped"] is False
    assert (c.key_questions_changed, c.key_questions_compared) == (0, 12)
    assert [(ch.address, [(f.field, f.old, f.new) for f in ch.fields]) for ch in c.rule_changes] == [
        ("kq-bands.good", [("at_least", 65.0, 70.0)]),
        ("override.leadership-strengths", [("max_bands_up", 1, 0)]),
    ]
    leadership = next(m for m in c.standards if m.subject == "P1.1")
    assert leadership.moved() == (0, 1, 1)
    assert c.overall.moved() == (0, 0, 0)


def test_every_count_is_the_engine_rating_of_each_inspection(population_run: Comparison) -> None:
    c = population_run
    assert c.inspections == 400 == c.overall.total
    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(EXAMPLE)
    docs = list(simulation([base, variant], 400, seed=7).inspections())
    for doc, outcome in list(zip(docs, c.outcomes, strict=True))[::40]:
        assert outcome.baseline.overall == rate(doc, base).overall
        assert outcome.candidate.overall == rate(doc, variant).overall
        assert dict(outcome.candidate.standards) == {sid: s.rating for sid, s in rate(doc, variant).standards.items()}
    for matrix in (c.overall, *c.standards):
        assert matrix.total == 400
        assert matrix.moved()[0] == 0  # a stricter band and a tighter override only ever lower a rating


def test_each_change_begins_where_the_variant_changed_a_rule(population_run: Comparison) -> None:
    c = population_run
    assert c.changed and set(c.origins()) == {"kq-bands.good", "override.leadership-strengths"}
    for o in c.changed:
        d = o.divergence
        assert d is not None
        if d.baseline_rule == "kq-bands.good":
            assert d.candidate_rule == "kq-bands.requires-improvement"
            assert 65 <= d.inputs["percent"] < 70, d
        else:
            assert d.subject == "P1.1" and d.candidate["capped"] is True
    changed_bands = sum(len(o.bands_changed) for o in c.outcomes)
    assert changed_bands == c.key_questions_changed > 0


@settings(max_examples=8)
@given(seed=st.integers(0, 10**6), cases=st.integers(1, 40))
def test_a_methodology_compared_with_itself_changes_nothing(seed: int, cases: int) -> None:
    m = load_methodology("hmip-pdu-2023")
    c = compare(m, m, simulated(simulation([m], 25, seed=seed, cases=cases)))
    assert c.changed == () and c.rule_changes == () and c.key_questions_changed == 0
    for matrix in (c.overall, *c.standards):
        assert all(n == 0 for i, row in enumerate(matrix.counts) for j, n in enumerate(row) if i != j)


def test_two_workers_give_the_same_comparison_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # Five chunks, the last one short, from a small population (the module, which the function of its name hides).
    monkeypatch.setattr(sys.modules["probation_rules.whatif.compare"], "CHUNK", 50)
    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(EXAMPLE)
    population = simulated(simulation([base, variant], 230, seed=3))
    assert compare(base, variant, population, workers=2) == compare(base, variant, population, workers=1)


def test_a_removed_key_question_is_ignored_on_that_side_and_said(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text('extends = "hmip-pdu-2023"\nname = "v"\nrationale = "r"\nremove = ["P2.1/keeping_safe"]\n')
    c = compare("hmip-pdu-2023", path, [YORK])
    assert c.ignored == ("the candidate has no key question P2.1/keeping_safe",)
    (york,) = c.changed
    assert york.moved_standards()["P2.1"] == ("Inadequate", "Good")  # engaging 70, desistance 80: the lowest is now 70
    # The change began at the key question the candidate no longer asks.
    assert york.divergence is not None and (york.divergence.subject, york.divergence.candidate_rule) == ("P2.1/keeping_safe", None)
    assert "(no such step)" in york.divergence.text()


def test_an_added_key_question_needs_inspections_that_answer_it(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text('extends = "hmip-pdu-2023"\nname = "v"\nrationale = "r"\n[[add."P2.1"]]\nid = "victims"\nlabel = "victims"\ntext = "Victims?"\n')
    with pytest.raises(InspectionError, match=r"york-pdu-2024.json: standards\[\"P2.1\"\].key_questions.victims: is missing"):
        compare("hmip-pdu-2023", path, [YORK])
    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(path)
    c = compare(base, variant, simulated(simulation([base, variant], 60, seed=1)))
    assert c.inspections == 60 and all(o.candidate.standards["P2.1"] is not None for o in c.outcomes)


def test_unrated_standards_get_their_own_row(york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P2.4"] = {"not_rated": "no relevant cases"}
    c = compare("hmip-pdu-2023", EXAMPLE, [york_doc])
    reviewing = next(m for m in c.standards if m.subject == "P2.4")
    assert NOT_RATED in reviewing.rows and reviewing.counts[reviewing.rows.index(NOT_RATED)][reviewing.columns.index(NOT_RATED)] == 1


def test_published_corpus_examples_agree_with_the_corpus() -> None:
    corpus = {r["unit_name"]: r for r in json.loads(CORPUS.read_text())}
    files = sorted(PUBLISHED.glob("*.json"))
    assert len(files) == 3
    for file in files:
        result = rate(file)
        record = corpus[result.inspection.unit]
        assert {s["id"]: s["rating"] for s in record["standards"]} == {sid: s.rating for sid, s in result.standards.items()}
        assert (result.score, result.overall) == (record["score"], record["overall_rating"])


def test_published_examples_mark_the_key_questions_they_invent() -> None:
    spec = importlib.util.spec_from_file_location("make_published", PUBLISHED / "make.py")
    assert spec is not None and spec.loader is not None
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    docs, invented = make.documents()
    assert {p.name: json.loads(p.read_text()) for p in PUBLISHED.glob("*.json")} == docs  # the files are what make.py writes
    assert (PUBLISHED / "README.md").read_text() == make.readme(invented)
    corpus = {r["unit_name"]: r for r in json.loads(CORPUS.read_text())}
    for name, doc in docs.items():
        published = corpus[doc["unit"]]["key_questions"] or {}
        made_up = [sid for sid, s in doc["standards"].items() if "key_questions" in s and sid not in published]
        assert invented[name] == made_up and doc["id"].endswith(make.SYNTHETIC) == bool(made_up), name
    assert sorted(invented) == sorted(docs) and invented["york-pdu-2024.json"] == []


def test_on_the_published_corpus_the_variant_moves_the_two_departures() -> None:
    c = compare("hmip-pdu-2023", EXAMPLE, gather([PUBLISHED]))
    assert c.inspections == 3
    assert sorted(o.unit for o in c.changed) == ["East and West Lincolnshire PDU", "York PDU"]
    assert c.origins() == {"override.leadership-strengths": 2}


def test_reports_say_the_same_thing(population_run: Comparison) -> None:
    c = population_run
    data = json.loads(json.dumps(c.to_dict()))
    assert data["inspections"] == 400 and data["changed_inspections"] == len(c.changed) == len(data["changed"])
    assert data["overall"]["counts"] == [list(r) for r in c.overall.counts]
    assert data["candidate"]["lineage"]["variant"] == "good-from-70"
    rows = list(csv.DictReader(io.StringIO(c.to_csv())))
    assert len(rows) == 400 and sum(r["changed"] == "yes" for r in rows) == len(c.changed)
    assert {r["change_began_at_rule"] for r in rows if r["changed"] == "yes"} == set(c.origins())
    text = c.to_text(limit=3)
    assert f"Inspections that change: {len(c.changed):,} of 400" in text and f"... and {len(c.changed) - 3:,} more" in text
    markdown = c.to_markdown(limit=3)
    assert "| baseline \\ candidate | Inadequate | Requires improvement | Good | Outstanding |" in markdown
    assert "| `kq-bands.good` | band (changed) | at_least: 65 -> 70" in markdown


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_on_a_terminal_and_nowhere_else() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with Progress(10, "comparing", stream) as bar:
            bar.advance(4)
            bar.advance(6)
    assert pipe.getvalue() == ""
    drawn = terminal.getvalue()
    assert "comparing [" in drawn and "10/10" in drawn and "100%" in drawn and drawn.endswith("\r")
    assert Progress(5, "x", None).active is False


# -- where a change began: matched by what each step decides -----------------------------------

HEADER = 'extends = "hmip-pdu-2023"\nname = "{name}"\nrationale = "a test"\n'
NEW_ROW = '[[add."guidance.leadership"]]\nid = "guidance.leadership.two-inadequate"\nany_at_most = "Inadequate"\nindicates = "Inadequate"\n'
NO_DEPARTURES = '[change."override.leadership-strengths"]\nmax_bands_up = 0\n'
NEAREST = '[change."kq-score"]\nrounding = "nearest"\n'


def variant(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(HEADER.format(name=name) + body, encoding="utf-8")
    return path


def test_a_new_guidance_row_beside_the_old_one_shifts_no_step(tmp_path: Path) -> None:
    # On York both rows fire and indicate Inadequate; what decides differently is the override, now capped.
    c = compare("hmip-pdu-2023", variant(tmp_path, "row", NEW_ROW + NO_DEPARTURES), [YORK])
    (york,) = c.changed
    d = york.divergence
    assert d is not None and (d.subject, d.baseline_rule, d.candidate_rule) == ("P1.1", "override.leadership-strengths", "override.leadership-strengths")
    assert (d.baseline["capped"], d.candidate["capped"], d.candidate["rating"]) == (False, True, "Inadequate")
    assert d.inputs == d.candidate_inputs == {"judgement": "Requires improvement", "strengths": 3, "indicated": "Inadequate"}
    assert c.origins() == {"override.leadership-strengths": 1}


def _tied(york_doc: dict[str, Any]) -> dict[str, Any]:
    """Leadership judged Outstanding; P2.3 Requires improvement with its lowest two key questions tied once rounded."""
    york_doc["standards"]["P1.1"] = {"judgement": "Outstanding", "strengths": ["a strength"]}
    york_doc["standards"]["P2.3"] = {
        "key_questions": {"engaging": {"yes": 8, "relevant": 15}, "desistance": {"yes": 10, "relevant": 18}, "keeping_safe": {"yes": 10, "relevant": 19}}
    }
    return york_doc


def test_a_rounding_tie_that_only_swaps_a_driver_is_not_where_the_change_began(tmp_path: Path, york_doc: dict[str, Any]) -> None:
    doc = _tied(york_doc)
    path = variant(tmp_path, "mine", NEW_ROW + NO_DEPARTURES + NEAREST)
    old, new = rate(doc, "hmip-pdu-2023"), rate(doc, path)
    # The tie is real: 53.3% and 52.6% both round to 53, so the driver changes and the rating does not.
    assert (old.standards["P2.3"].driver, new.standards["P2.3"].driver) == ("keeping_safe", "engaging")
    assert old.standards["P2.3"].rating == new.standards["P2.3"].rating == "Requires improvement"
    c = compare("hmip-pdu-2023", path, [doc])
    (o,) = c.changed
    assert o.moved_standards()["P1.1"] == ("Outstanding", "Inadequate")
    d = o.divergence
    assert d is not None and (d.subject, d.baseline_rule, d.candidate_rule) == ("P1.1", "guidance.leadership", "guidance.leadership.two-inadequate")
    assert (d.baseline, d.candidate) == ({"indicates": None}, {"indicates": "Inadequate"})
    assert d.inputs == d.candidate_inputs  # the row read the same ratings on both sides: it is where the change began
    assert c.origins() == {"guidance.leadership.two-inadequate": 1}
    assert "no row" not in d.text() and "guidance.leadership (indicates none) -> guidance.leadership.two-inadequate" in d.text()


def test_a_rounding_change_alone_is_put_down_to_the_rounding_rule(tmp_path: Path, york_doc: dict[str, Any]) -> None:
    york_doc["standards"]["P2.1"]["key_questions"] = {"engaging": {"yes": 11, "relevant": 17}, "desistance": 80, "keeping_safe": 80}  # 64.7%: Good only rounded
    c = compare("hmip-pdu-2023", variant(tmp_path, "nearest", NEAREST), [york_doc])
    (o,) = c.changed
    assert o.bands_changed == ("P2.1/engaging",) and o.moved_standards()["P2.1"] == ("Requires improvement", "Good")
    d = o.divergence
    assert d is not None and d.subject == "P2.1/engaging" and d.changed_inputs["rounding"] == ("exact", "nearest")
    assert c.origins() == {"kq-score": 1}
    assert "banded_percent 64.7058... -> 65, rounding exact -> nearest" in d.text()  # cut, marked: 11/17 is below 64.7059


def test_a_removed_key_question_is_counted_under_itself(tmp_path: Path) -> None:
    c = compare("hmip-pdu-2023", variant(tmp_path, "kq", 'remove = ["P2.1/keeping_safe"]\n'), [YORK])
    assert c.origins() == {"P2.1/keeping_safe": 1}
    assert json.loads(json.dumps(c.to_dict()))["changed"][0]["change_began_at"] == "P2.1/keeping_safe"


def test_every_change_is_put_down_to_something_the_variant_changed(tmp_path: Path) -> None:
    path = variant(tmp_path, "mine", NEW_ROW + NO_DEPARTURES + NEAREST + '[change."kq-bands.good"]\nat_least = 70\n')
    base, new = load_methodology("hmip-pdu-2023"), load_methodology(path)
    c = compare(base, new, simulated(simulation([base, new], 300, seed=1)))
    addresses = {ch.address for ch in c.rule_changes}
    assert len(c.changed) > 100 and set(c.origins()) <= addresses
    assert set(c.origins()) >= {"guidance.leadership.two-inadequate", "override.leadership-strengths", "kq-bands.good"}
    for o in c.changed:
        d = o.divergence
        assert d is not None
        kind = next(iter(d.baseline or d.candidate))
        assert d.baseline.get(kind) != d.candidate.get(kind), d  # the origin decides differently, in its decision itself


def test_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from probation_rules.cli import main

    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE)]) == 2
    assert capsys.readouterr().err == "probation-rules: error: INSPECTIONS: give inspection files or folders, or --simulate N\n"
    bad = tmp_path / "two.jsonl"
    bad.write_text(YORK.read_text().replace("\n", " ") + "\n" + json.dumps({"id": "x", "unit": "X", "standards": {"P1.1": {"judgement": "Great"}}}) + "\n")
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"probation-rules: error: {bad}, line 2: ") and "(got 'Great')" in err
    report = tmp_path / "report.html"
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), "--simulate", "40", "--seed", "2", "-f", "html", "-o", str(report)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {report}: 40 inspections, ")
    assert report.read_text().startswith("<!DOCTYPE html>")
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), str(YORK), "-f", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("york-pdu-2024,York PDU,")


def test_simulate_piped_into_compare(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from probation_rules.cli import main

    assert main(["simulate", "-m", "hmip-pdu-2023", "-n", "30", "--seed", "4"]) == 0
    lines = capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), "-", str(YORK), "-f", "json"]) == 0
    piped = json.loads(capsys.readouterr().out)
    assert piped["inspections"] == 31 and piped["population"] == f"31 inspections from standard input, {YORK}"
    base, variant = load_methodology("hmip-pdu-2023"), load_methodology(EXAMPLE)
    drawn = compare(base, variant, simulated(simulation([base], 30, seed=4)))
    assert piped["overall"]["counts"][0][0] == drawn.to_dict()["overall"]["counts"][0][0] + 1  # York: Inadequate under both
    # A pretty-printed document on standard input is one inspection; a bad line is named by its number.
    monkeypatch.setattr("sys.stdin", io.StringIO(YORK.read_text()))
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), "-"]) == 0
    assert "population 1 inspection from standard input" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(lines.splitlines()[0] + "\n{not json\n"))
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), "-"]) == 2
    assert capsys.readouterr().err.startswith("probation-rules: error: standard input, line 2: is not valid JSON: ")
    great = json.dumps({"id": "x", "unit": "X", "standards": {"P1.1": {"judgement": "Great"}}})
    monkeypatch.setattr("sys.stdin", io.StringIO(lines.splitlines()[0] + "\n" + great))
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("probation-rules: error: standard input, line 2: ") and "(got 'Great')" in err


def test_a_pipe_named_as_a_path_is_read_as_a_stream() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "probation_rules.cli", "compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), "/dev/stdin", "-f", "csv"],
        input=YORK.read_text().replace("\n", " ") + "\n" + YORK.read_text().replace("\n", " ") + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert [row.split(",")[0] for row in run.stdout.splitlines()[1:]] == ["york-pdu-2024", "york-pdu-2024"]


def test_one_inspection_is_counted_in_the_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from probation_rules.cli import main

    report = tmp_path / "ry.html"
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), str(YORK), "-f", "html", "-o", str(report)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {report}: 1 inspection, 1 change; ")
    page = report.read_text()
    assert "1 of 1 inspection changes a standard's or the overall rating." in page and "inspections change" not in page
    assert main(["compare", "-a", "hmip-pdu-2023", "-b", str(EXAMPLE), str(YORK), str(YORK), "-f", "html", "-o", str(report)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {report}: 2 inspections, 2 change; ")
    assert "2 of 2 inspections change a standard's" in report.read_text()
    text = compare("hmip-pdu-2023", EXAMPLE, [YORK]).to_text()
    assert "population 1 inspection from " in text and "override.leadership-strengths: 1 inspection\n" in text


def test_a_bad_inspection_past_the_first_chunk_is_named_by_its_place_in_the_population_and_nothing_is_rated_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib

    from probation_rules import batch
    from probation_rules.errors import InspectionError

    module = importlib.import_module("probation_rules.whatif.compare")
    monkeypatch.setattr(module, "CHUNK", 10)
    evaluations: list[str] = []
    evaluate = batch.evaluate

    def counted(inspection: Any, m: Any, **kwargs: Any) -> Any:
        evaluations.append(m.id)
        return evaluate(inspection, m, **kwargs)

    monkeypatch.setattr(batch, "evaluate", counted)
    york = json.loads(YORK.read_text())
    bad = json.loads(YORK.read_text())
    bad["standards"]["P1.1"]["judgement"] = "Great"
    with pytest.raises(InspectionError) as info:
        compare("hmip-pdu-2023", EXAMPLE, [york] * 15 + [bad, york])
    assert info.value.problems[0].path.startswith("inspections[15].")  # not inspections[5], its place in the second chunk
    assert len(evaluations) == 2 * 15  # each good inspection once under each side; the chunk is not rated again to find the problem


def test_every_change_that_acted_on_an_inspection_is_shown_and_counted(tmp_path: Path) -> None:
    two = tmp_path / "two.toml"
    two.write_text(
        'extends = "hmip-pdu-2023"\nname = "two"\nrationale = "r"\n'
        '[change."override.leadership-strengths"]\nmax_bands_up = 0\n[change."points.requires-improvement"]\npoints = 2\n'
    )
    c = compare("hmip-pdu-2023", two, [YORK])
    (york,) = c.changed
    # P1.1 moves by the override; the overall rating by it and by the points now given for Requires improvement
    assert [(d.subject, d.origin(c.rule_changes), d.moved) for d in york.divergences] == [
        ("P1.1", "override.leadership-strengths", ("P1.1", "overall")),
        ("P1.2", "points.requires-improvement", ("overall",)),
        ("P1.3", "points.requires-improvement", ("overall",)),
    ]
    assert c.origins() == {"override.leadership-strengths": 1, "points.requires-improvement": 1}  # one inspection, under both
    assert c.origins_by_rating() == {
        "overall": {"override.leadership-strengths": 1, "points.requires-improvement": 1},
        "P1.1": {"override.leadership-strengths": 1},
    }
    text = c.to_text()
    assert "where the change began (an inspection where several changes acted counts under each):" in text
    assert "    overall: override.leadership-strengths 1, points.requires-improvement 1\n    P1.1: override.leadership-strengths 1" in text
    assert text.count("    began at ") == 3 and "(moving P1.1, overall)" in text and "from rating Requires improvement (moving overall)" in text
    data = json.loads(json.dumps(c.to_dict()))
    assert data["comparison_version"] == "2" and data["origins_by_rating"] == c.origins_by_rating()
    assert data["changed"][0]["changes_began_at"] == ["override.leadership-strengths", "points.requires-improvement", "points.requires-improvement"]
    assert [d["moved"] for d in data["changed"][0]["divergences"]] == [["P1.1", "overall"], ["overall"], ["overall"]]
    (row,) = csv.DictReader(io.StringIO(c.to_csv()))
    assert row["change_began_at_rule"] == "override.leadership-strengths"
    assert row["changes_began_at_rules"] == "override.leadership-strengths points.requires-improvement"
    html = c.to_html()
    assert html.count('<div class="began">') == 3 and '<table id="origins-by-rating">' in html
    assert "| overall | `points.requires-improvement` | 1 |" in c.to_markdown()


def test_two_standards_moved_by_one_change_each_show_where_they_began() -> None:
    doc = json.loads(YORK.read_text())
    doc["standards"]["P2.2"]["key_questions"] = {"engaging": 67, "desistance": 80, "keeping_safe": 80}
    doc["standards"]["P2.4"]["key_questions"] = {"engaging": 80, "desistance": 68, "keeping_safe": 80}
    c = compare("hmip-pdu-2023", EXAMPLE, [doc])
    (o,) = c.changed
    assert set(o.moved_standards()) == {"P2.2", "P2.4"}
    assert [(d.subject, d.moved) for d in o.divergences] == [("P2.2/engaging", ("P2.2",)), ("P2.4/desistance", ("P2.4",))]  # not P2.2's alone
    assert c.origins() == {"kq-bands.good": 1} and c.origins_by_rating() == {"P2.2": {"kq-bands.good": 1}, "P2.4": {"kq-bands.good": 1}}
    text = c.to_text()
    assert "began at P2.2/engaging: kq-bands.good (band Good)" in text and "began at P2.4/desistance: kq-bands.good (band Good)" in text
    # key questions placed in a different band, with the bands they moved between
    assert "  P2.2/engaging: Good -> Requires improvement: 1\n  P2.4/desistance: Good -> Requires improvement: 1" in text
    assert c.key_question_moves() == {"P2.2/engaging": {("Good", "Requires improvement"): 1}, "P2.4/desistance": {("Good", "Requires improvement"): 1}}
    assert "| P2.2/engaging | Good -> Requires improvement | 1 |" in c.to_markdown()
    assert '<td>P2.4/desistance</td><td><span class="old">Good</span> \u2192 <span class="new">Requires improvement</span></td>' in c.to_html()
    moves = json.loads(json.dumps(c.to_dict()))["key_questions"]["moves_by_key_question"]
    assert moves["P2.4/desistance"] == [{"baseline": "Good", "candidate": "Requires improvement", "results": 1}]
    assert o.to_dict()["key_question_bands"] == [
        {"key_question": "P2.2/engaging", "baseline": "Good", "candidate": "Requires improvement"},
        {"key_question": "P2.4/desistance", "baseline": "Good", "candidate": "Requires improvement"},
    ]


@pytest.mark.parametrize("one", [str(YORK), YORK, json.loads(YORK.read_text())], ids=["str", "Path", "document"])
def test_one_inspection_on_its_own_is_a_population_of_one(one: Any) -> None:
    c = compare("hmip-pdu-2023", EXAMPLE, one)  # a string was read as the paths of its characters ('/': no such file)
    ((got,), (want,)) = c.outcomes, compare("hmip-pdu-2023", EXAMPLE, [YORK]).outcomes
    assert (got.id, got.baseline, got.candidate, got.divergences) == (want.id, want.baseline, want.candidate, want.divergences)
    (r,) = rate_many(one, "hmip-pdu-2023")
    want_r = rate(YORK, "hmip-pdu-2023")
    assert (r.overall, r.score, r.standards, r.trace) == (want_r.overall, want_r.score, want_r.standards, want_r.trace)  # the source differs


def test_a_removed_standard_is_where_its_change_began(tmp_path: Path) -> None:
    removed = tmp_path / "removed.toml"
    removed.write_text('extends = "hmip-pdu-2023"\nname = "removed"\nrationale = "r"\nremove = ["P2.4"]\n')
    c = compare("hmip-pdu-2023", removed, [YORK])
    (o,) = c.changed
    # not its three key questions, each of which the candidate lacks only because the standard is gone
    assert [(d.subject, d.origin(c.rule_changes), d.candidate_rule) for d in o.divergences] == [("P2.4", "P2.4", None)]
    assert c.origins() == {"P2.4": 1} and c.origins_by_rating() == {"P2.4": {"P2.4": 1}}


def test_an_inspection_given_twice_is_counted_twice_and_said_so() -> None:
    c = compare("hmip-pdu-2023", EXAMPLE, [YORK, YORK])
    assert c.inspections == 2 and c.repeated_ids() == {"york-pdu-2024": 2}
    note = "note: inspection ids given more than once, each counted every time: york-pdu-2024 (2 times)"
    assert note in c.to_text() and note in c.to_markdown() and note.removeprefix("note: ") in c.to_html()
    assert json.loads(json.dumps(c.to_dict()))["repeated_ids"] == {"york-pdu-2024": 2}
    once = compare("hmip-pdu-2023", EXAMPLE, [YORK])
    assert once.repeated_ids() == {} and "given more than once" not in once.to_text()
