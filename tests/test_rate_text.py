"""``rate``'s text and Markdown: what a reader sees must agree with itself and with the result.

The property: whatever the bands, the rounding rule and the key question's value, the printed
percentage (or, under a rounding rule, the printed banded percentage) lies in the printed band.
"""

from __future__ import annotations

import copy
import io
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from probation_rules import rate
from probation_rules.cli import main
from probation_rules.engine.compiler import release
from probation_rules.methodology import load_methodology, methodology_from_dict
from probation_rules.render import reason, render, stream, to_markdown, to_text

from .conftest import YORK, pdu_2023_data
from .reference import band_rating, rounded, written

YORK_DOC = json.loads(YORK.read_text())
PDU = pdu_2023_data()
YOUTH = load_methodology("hmip-youth-2021")

LINE = re.compile(r"lowest key question: (?P<label>.+), (?P<shown>\d+(?:\.\d+)?)% \((?P<details>[^()]*)\)")
WORDS = re.compile(r"(?P<rating>.+?) (?:below (?P<u1>[\d.]+)%|(?P<l2>[\d.]+)% to below (?P<u2>[\d.]+)%|(?P<l3>[\d.]+)% and above)")
BANDED = re.compile(r'banded as (?P<banded>[\d.]+)% by rounding "(?P<rule>\w+)"')
COUNTS = re.compile(r"(?P<yes>\d+) of (?P<relevant>\d+) relevant cases")


def _with(bounds: tuple[float, float, float], rounding: str) -> dict[str, Any]:
    data = copy.deepcopy(PDU)
    data["key_question_score"]["rounding"] = rounding
    bands = sorted(data["key_question_bands"]["bands"], key=lambda b: b["at_least"])
    for band, bound in zip(bands[1:], bounds, strict=True):
        band["at_least"] = bound
    return data


def _doc(value: float | dict[str, int]) -> dict[str, Any]:
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"]["P2.1"]["key_questions"] = {"engaging": 100, "desistance": 100, "keeping_safe": value}
    return doc


def check_agrees(text: str, exact: Fraction, rounding: str, bands: Any, band: str) -> None:
    """The printed number, put through the rounding rule, is in the printed band, which is the band."""
    line = LINE.fullmatch(text)
    assert line, text
    shown = Fraction(line["shown"])
    details = line["details"].split("; ")
    words = WORDS.fullmatch(details[-1])
    assert words, text
    assert words["rating"] == band == band_rating(bands, rounded(exact, rounding))
    low = Fraction(words["l2"] or words["l3"] or 0)
    high = Fraction(words["u1"] or words["u2"]) if (words["u1"] or words["u2"]) else None
    clause = next((m for d in details if (m := BANDED.fullmatch(d))), None)
    if rounding == "exact" or rounded(exact, rounding) == exact:
        assert clause is None, text
        on_band = shown
    else:
        assert clause and clause["rule"] == rounding, text
        on_band = Fraction(clause["banded"])
        assert on_band == rounded(exact, rounding)
        assert rounded(shown, rounding) == on_band, text  # re-rounding the printed number agrees
        assert shown != on_band or abs(exact - on_band) < Fraction(1, 10**12), text  # not printed as if already rounded
    assert low <= on_band and (high is None or on_band < high), text
    assert abs(shown - exact) <= Fraction(1, 20) or shown == exact, text
    assert len(re.findall(r"\(", text)) == 1, text  # one parenthetical, not two in a row


def _bounds() -> st.SearchStrategy[tuple[float, float, float]]:
    places = st.integers(0, 6)
    bound = places.flatmap(lambda p: st.decimals(Decimal(10) ** -p, Decimal(100) - Decimal(10) ** -p, places=p, allow_nan=False, allow_infinity=False))
    return st.lists(bound, min_size=3, max_size=3, unique=True).map(lambda b: tuple(float(x) for x in sorted(b)))  # type: ignore[return-value]


@st.composite
def _value(draw: st.DrawFn, bounds: tuple[float, float, float]) -> float | dict[str, int]:
    kind = draw(st.sampled_from(["counts", "near a bound", "anywhere"]))
    if kind == "counts":
        relevant = draw(st.integers(1, 80))
        return {"yes": draw(st.integers(0, relevant)), "relevant": relevant}
    if kind == "near a bound":
        bound = Decimal(str(draw(st.sampled_from(bounds))))
        offset = Decimal(10) ** -draw(st.integers(1, 9)) * draw(st.sampled_from([-1, 1]))
        return float(min(Decimal(100), max(Decimal(0), bound + offset)))
    return draw(st.floats(0, 100, allow_nan=False))


@given(data=st.data(), bounds=_bounds(), rounding=st.sampled_from(["exact", "nearest", "down"]))
@example(data=None, bounds=(50.0, 65.0, 80.0), rounding="exact").via("keeping_safe 64.99999 printed 65% in Requires improvement")
@example(data=None, bounds=(50.0, 65.0, 80.0), rounding="nearest").via("11 of 17: 64.7%, banded as 65%")
def test_the_printed_number_and_the_printed_band_never_disagree(data: st.DataObject | None, bounds: tuple[float, float, float], rounding: str) -> None:
    if data is None:
        value: float | dict[str, int] = 64.99999 if rounding == "exact" else {"yes": 11, "relevant": 17}
    else:
        value = data.draw(_value(bounds))
    m = methodology_from_dict(_with(bounds, rounding))
    try:
        standard = rate(_doc(value), m).standards["P2.1"]
    finally:
        release(m)
    assert standard.driver is not None
    kq = standard.key_questions[standard.driver]
    if standard.driver != "keeping_safe":  # at 100% the first key question in order drives
        exact = Fraction(100)
    else:
        exact = Fraction(100 * value["yes"], value["relevant"]) if isinstance(value, dict) else written(value)
    text = reason(standard, m)
    check_agrees(text, exact, rounding, m.key_question_bands.bands, kq.band)
    if isinstance(value, dict) and standard.driver == "keeping_safe":
        counts = COUNTS.search(text)
        assert counts and (int(counts["yes"]), int(counts["relevant"])) == (value["yes"], value["relevant"])


@pytest.mark.parametrize(
    ("value", "rounding", "expected"),
    [
        (64.99999, "exact", "keeping other people safe, 64.99999% (Requires improvement 50% to below 65%)"),
        (49.96, "exact", "keeping other people safe, 49.96% (Inadequate below 50%)"),
        (50.04, "exact", "keeping other people safe, 50% (Requires improvement 50% to below 65%)"),
        ({"yes": 5, "relevant": 20}, "exact", "keeping other people safe, 25% (5 of 20 relevant cases; Inadequate below 50%)"),
        ({"yes": 11, "relevant": 17}, "exact", "keeping other people safe, 64.7% (11 of 17 relevant cases; Requires improvement 50% to below 65%)"),
        (
            {"yes": 11, "relevant": 17},
            "nearest",
            'keeping other people safe, 64.7% (11 of 17 relevant cases; banded as 65% by rounding "nearest"; Good 65% to below 80%)',
        ),
        (64.99999, "nearest", 'keeping other people safe, 64.99999% (banded as 65% by rounding "nearest"; Good 65% to below 80%)'),
        (64.96, "down", 'keeping other people safe, 64.96% (banded as 64% by rounding "down"; Requires improvement 50% to below 65%)'),
        (25, "nearest", "keeping other people safe, 25% (Inadequate below 50%)"),
    ],
)
def test_reasons_near_band_edges_read_as_one_clause(value: float | dict[str, int], rounding: str, expected: str) -> None:
    m = methodology_from_dict(_with((50, 65, 80), rounding))
    try:
        standard = rate(_doc(value), m).standards["P2.1"]
    finally:
        release(m)
    assert reason(standard, m) == f"lowest key question: {expected}"


def test_a_bound_with_six_decimals_prints_as_written() -> None:
    m = methodology_from_dict(_with((50, 64.999999, 80), "exact"))
    try:
        standard = rate(_doc(64.9999985), m).standards["P2.1"]
    finally:
        release(m)
    assert reason(standard, m).endswith(", 64.999998% (Requires improvement 50% to below 64.999999%)")


def _header(capsys: pytest.CaptureFixture[str], tmp_path: Path, doc: dict[str, Any], *args: str) -> tuple[str, str]:
    file = tmp_path / "inspection.json"
    file.write_text(json.dumps(doc))
    assert main(["rate", str(file), *args]) == 0
    text = capsys.readouterr().out.splitlines()[0]
    assert main(["rate", "--format", "markdown", str(file), *args]) == 0
    markdown = capsys.readouterr().out.splitlines()[2]
    return text, markdown


def test_the_header_says_how_the_methodology_was_chosen(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    named = copy.deepcopy(YORK_DOC)
    version = load_methodology("hmip-pdu-2023").version
    assert _header(capsys, tmp_path, named) == (
        f"York PDU (york-pdu-2024): rated under hmip-pdu-2023 {version}",
        f"Score **3/21** under `hmip-pdu-2023` {version}.",
    )
    by_date = {k: v for k, v in named.items() if k != "methodology"}
    text, markdown = _header(capsys, tmp_path, by_date)
    assert text.endswith(f"rated under hmip-pdu-2023 {version} (in force on 2024-09-16)")
    assert markdown.endswith(f"{version} (in force on 2024-09-16, when fieldwork started).")
    by_default = {k: v for k, v in by_date.items() if k != "fieldwork_start"}
    text, markdown = _header(capsys, tmp_path, by_default)
    assert text.endswith(f"rated under hmip-pdu-2023 {version} (the default; the inspection names no methodology and gives no fieldwork_start)")
    assert markdown.endswith(f"{version} (the default; the inspection names no methodology and gives no fieldwork_start).")
    text, _ = _header(capsys, tmp_path, by_default, "--methodology", "hmip-pdu-2023")
    assert text.endswith(f"rated under hmip-pdu-2023 {version}")  # asked for by name: nothing to explain


def test_the_header_names_a_programme_chosen_without_a_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = _youth_doc()
    del doc["methodology"]
    doc["programme"] = YOUTH.programme
    text, _ = _header(capsys, tmp_path, doc)
    assert text.endswith(f"rated under {YOUTH.id} {YOUTH.version} (the most recent {YOUTH.programme} framework; the inspection gives no fieldwork_start)")


def _youth_doc(**overrides: Any) -> dict[str, Any]:
    standards: dict[str, Any] = {}
    for s in YOUTH.standards:
        standards[s.id] = {"judgement": "Good"} if s.kind == "judged" else {"key_questions": {q.id: 60 for q in s.key_questions}}
    standards.update(overrides)
    return {"id": "youth", "unit": "Example YJS", "methodology": YOUTH.id, "standards": standards}


UNSCORED = [s for s in YOUTH.standards if not s.scored]
SCORED_CASE = next(s for s in YOUTH.standards if s.scored and s.kind == "case")


def test_a_standard_rated_but_not_scored_is_marked() -> None:
    assert UNSCORED, "the youth framework rates a standard it does not score"
    result = rate(_youth_doc())
    text, markdown = to_text(result), to_markdown(result)
    for s in UNSCORED:
        rating = result.standards[s.id].rating
        assert rating is not None and result.standards[s.id].points is None
        assert re.search(rf"^  {re.escape(s.id)} {re.escape(s.name)} +{rating} \(not scored\)  ", text, re.M), text
        assert f"| {s.id} {s.name} | {rating} (not scored) |  |" in markdown
    for s in YOUTH.standards:
        if s.scored:
            assert f"{s.id} {s.name}" in text and f"| {s.id} {s.name} | {result.standards[s.id].rating} | {result.standards[s.id].points} |" in markdown
    rows = [line for line in text.splitlines() if line.startswith("  ")]
    assert len({line.index(reason(result.standards[line.split()[0]], YOUTH)) for line in rows}) == 1  # the reasons still line up


def test_an_unrated_standard_reads_well() -> None:
    result = rate(_youth_doc(**{SCORED_CASE.id: {"not_rated": "no cases"}, UNSCORED[0].id: {"not_rated": "no resettlement cases"}}))
    text = to_text(result)
    scored_line = next(line for line in text.splitlines() if line.startswith(f"  {SCORED_CASE.id} {SCORED_CASE.name} "))
    assert re.search(r"  -  +not rated: no cases; counts in neither the score nor the maximum$", scored_line), scored_line
    assert "not rated  " not in text  # the rating column does not say it twice
    assert "not rated: no resettlement cases; not scored" in text
    markdown = to_markdown(result)
    assert f"| {SCORED_CASE.id} {SCORED_CASE.name} | - |  | not rated: no cases; counts in neither the score nor the maximum |" in markdown


# -- rate prints as it goes ------------------------------------------------------------------


def _results(n: int) -> list[Any]:
    docs = []
    for i in range(n):
        doc = copy.deepcopy(YORK_DOC) | {"id": f"york-{i}", "unit": f"York \u2028unit {i}"}  # a line separator inside a JSON string
        docs.append(rate(doc))
    return docs


@pytest.mark.parametrize(("fmt", "listed", "n"), [("text", True, 3), ("markdown", True, 2), ("json", True, 3), ("json", True, 1), ("json", False, 1)])
def test_streamed_output_is_what_render_prints(fmt: str, listed: bool, n: int) -> None:
    results = _results(n)
    out = io.StringIO()
    assert stream(iter(results), fmt, out, listed=listed) == n
    assert out.getvalue() == render(results, fmt, listed=listed) + "\n"
    if fmt == "json":
        parsed = json.loads(out.getvalue())
        assert parsed == ([r.to_dict() for r in results] if listed else results[0].to_dict())


def test_rate_prints_each_inspection_before_rating_the_next_and_holds_none_back(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import weakref

    from probation_rules.commands import rate as command

    file = tmp_path / "three.jsonl"
    file.write_text("".join(json.dumps(copy.deepcopy(YORK_DOC) | {"id": f"york-{i}"}) + "\n" for i in range(3)))
    printed: list[str] = []
    made: list[weakref.ref[Any]] = []
    alive_when_made: list[int] = []

    def spy(*args: Any) -> Any:
        printed.append(capsys.readouterr().out)  # what was on stdout when this inspection began to be rated
        alive_when_made.append(sum(1 for ref in made if ref() is not None))
        result = rate(*args)
        made.append(weakref.ref(result))
        return result

    monkeypatch.setattr(command, "rate", spy)
    assert main(["rate", "--format", "json", str(file)]) == 0
    printed.append(capsys.readouterr().out)
    assert printed[0] == "" and "york-0" in printed[1] and "york-1" in printed[2] and "york-2" in printed[3]
    assert alive_when_made == [0, 0, 0]  # each result is let go once printed
    assert [r["inspection"]["id"] for r in json.loads("".join(printed))] == ["york-0", "york-1", "york-2"]


def test_a_bad_line_anywhere_stops_rate_before_anything_is_printed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    file = tmp_path / "three.jsonl"
    good = json.dumps(YORK_DOC)
    for bad, why in (("{not json", "is not valid JSON"), ('{"id": "x", "id": "y"}', "id")):
        file.write_text(f"{good}\n{good}\n{bad}\n")
        assert main(["rate", "--format", "json", str(file)]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.startswith(f"probation-rules: error: {file}, line 3: ") and why in captured.err
