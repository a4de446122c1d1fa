"""diff: the inputs it lists are exactly those the engine rates differently."""

from __future__ import annotations

import copy
import itertools
import json
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from probation_rules import UsageError, load_methodology, rate
from probation_rules.engine.rater import rate_score
from probation_rules.methodology import methodology_from_dict
from probation_rules.methodology.schema import Methodology
from probation_rules.whatif import diff
from tests.conftest import ROOT, YORK, pdu_2023_data

EXAMPLE = ROOT / "examples" / "variants" / "good-from-70.toml"
ROUNDINGS = ("exact", "nearest", "down")


def with_bands(thresholds: tuple[float, float, float], rounding: str, overall: tuple[int, int, int] = (4, 11, 18)) -> Methodology:
    data = pdu_2023_data()
    for band, low in zip(data["key_question_bands"]["bands"][1:], thresholds, strict=True):
        band["at_least"] = low
    for band, low in zip(data["overall_bands"]["bands"][1:], overall, strict=True):
        band["at_least"] = low
    data["key_question_score"]["rounding"] = rounding
    data["id"] = f"test-{'-'.join(map(str, thresholds))}-{rounding}-{'-'.join(map(str, overall))}"
    return methodology_from_dict(data)


def case_rating(m: Methodology, yes: int, relevant: int) -> str | None:
    doc = json.loads(YORK.read_text())
    doc["standards"]["P2.1"] = {"key_questions": {q: {"yes": yes, "relevant": relevant} for q in ("engaging", "desistance", "keeping_safe")}}
    return rate(doc, m).standards["P2.1"].rating


def test_the_example_variant_moves_exactly_65_to_70_and_the_departures() -> None:
    d = diff("hmip-pdu-2023", EXAMPLE)
    assert [r.text() for r in d.percent_regions] == ["65 <= p < 70: Good -> Requires improvement"]
    assert [(s.yes, s.relevant) for s in d.shares if s.relevant == 20] == [(13, 20)]
    assert d.scores == () and d.profiles == () and d.warnings == ()
    # Every departure of more than nothing is now cut back to the indication; the one row indicates Inadequate alone,
    # so no other indication is listed, and a strength or more is one range, not a line per count.
    assert {(g.indicated, g.judgement, g.candidate) for g in d.guided} == {
        ("Inadequate", judged, "Inadequate") for judged in ("Requires improvement", "Good", "Outstanding")
    }
    assert all(g.strengths >= 1 for g in d.guided)
    judgements = ("Requires improvement", "Good", "Outstanding")
    assert [g.text() for g in d.guided] == [f"indicated Inadequate, judged {j}, >= 1 strength: Requires improvement -> Inadequate" for j in judgements]


def test_a_threshold_step_no_typical_sample_can_see_is_warned_about(tmp_path: Any) -> None:
    path = tmp_path / "v.toml"
    path.write_text('extends = "hmip-pdu-2023"\nname = "v"\nrationale = "r"\n[change."kq-bands.good"]\nat_least = 64\n')
    d = diff("hmip-pdu-2023", path)
    assert [r.text() for r in d.percent_regions] == ["64 <= p < 65: Requires improvement -> Good"]
    assert d.warnings == (
        "key-question bands: 64 <= p < 65: Requires improvement -> Good, but at 20 relevant cases percentages move in steps of 5, and none falls there",
    )
    assert not any(s.relevant == 20 for s in d.shares) and (16, 25) in {(s.yes, s.relevant) for s in d.shares}
    # Moving the bound to 66 instead does reach 20 cases: 13 of 20 is 65%.
    path.write_text(path.read_text().replace("64", "66"))
    assert diff("hmip-pdu-2023", path).warnings == ()


def test_a_methodology_against_itself_differs_nowhere() -> None:
    d = diff("hmip-pdu-2023", "hmip-pdu-2023")
    assert not d.changes_outcomes and d.rule_changes == () and d.shares == () and d.warnings == ()


thresholds = st.lists(st.integers(1, 100), min_size=3, max_size=3, unique=True).map(lambda xs: tuple(sorted(float(x) for x in xs)))


@settings(deadline=None)
@given(a=thresholds, b=thresholds, ra=st.sampled_from(ROUNDINGS), rb=st.sampled_from(ROUNDINGS), relevant=st.integers(1, 40), data=st.data())
@example(a=(50.0, 65.0, 80.0), b=(50.0, 66.0, 80.0), ra="exact", rb="exact", relevant=20, data=None)
def test_percent_regions_are_exactly_where_the_engine_differs(
    a: tuple[float, float, float], b: tuple[float, float, float], ra: str, rb: str, relevant: int, data: st.DataObject | None
) -> None:
    ma, mb = with_bands(a, ra), with_bands(b, rb)
    d = diff(ma, mb)
    yes_values = range(relevant + 1) if data is None else [data.draw(st.integers(0, relevant)) for _ in range(3)]
    for yes in yes_values:
        differs = case_rating(ma, yes, relevant) != case_rating(mb, yes, relevant)
        p = Fraction(100 * yes, relevant)
        assert differs == any(r.contains(p) for r in d.percent_regions), (yes, relevant, d.percent_regions)
        if 10 <= relevant <= 40:
            assert differs == ((yes, relevant) in {(s.yes, s.relevant) for s in d.shares})


@settings(max_examples=15, deadline=None)
@given(a=st.lists(st.integers(1, 21), min_size=3, max_size=3, unique=True), b=st.lists(st.integers(1, 21), min_size=3, max_size=3, unique=True))
def test_score_changes_are_exactly_where_the_engine_differs(a: list[int], b: list[int]) -> None:
    kq = (50.0, 65.0, 80.0)
    ma = with_bands(kq, "exact", tuple(sorted(a)))  # type: ignore[arg-type]
    mb = with_bands(kq, "exact", tuple(sorted(b)))  # type: ignore[arg-type]
    listed = {(s.max_score, s.score) for s in diff(ma, mb).scores}
    for maximum in ma.possible_maxima():
        for score in range(maximum + 1):
            differs = rate_score(ma, score, maximum)[0] != rate_score(mb, score, maximum)[0]
            assert differs == ((maximum, score) in listed), (maximum, score)


def _guided_rating(m: Methodology, domain_two: str, judgement: str, strengths: int) -> str | None:
    doc = json.loads(YORK.read_text())
    percent = next(b.at_least for b in m.key_question_bands.ordered() if b.rating == domain_two)
    for sid in ("P2.1", "P2.2", "P2.3", "P2.4"):
        doc["standards"][sid] = {"key_questions": {q: percent for q in ("engaging", "desistance", "keeping_safe")}}
    doc["standards"]["P1.1"] = {"judgement": judgement, "strengths": ["s"] * strengths}
    return rate(doc, m).standards["P1.1"].rating


@pytest.mark.parametrize("mode", ["exact", "ceiling"])
def test_guidance_profiles_and_guided_ratings_are_exactly_where_the_engine_differs(mode: str) -> None:
    base = load_methodology("hmip-pdu-2023")
    data = copy.deepcopy(pdu_2023_data())
    table = data["guidance"][0]
    table["mode"] = mode
    table["rows"].append({"id": "extra", "any_at_least": "Requires improvement", "all_at_most": "Requires improvement", "indicates": "Requires improvement"})
    table["override"]["max_bands_up"] = 2
    data["id"] = f"guided-{mode}"
    m = methodology_from_dict(data)
    d = diff(base, m)
    # Profiles with at least one Requires improvement and nothing better: 3**4 - 2**4 ... minus none; 4 ratings, 4 standards.
    assert len(d.profiles) == 2**4 - 1 and all(p.baseline == "(none)" and p.candidate == "Requires improvement" for p in d.profiles)
    ratings = base.scale.ratings
    assert {g.indicated for g in d.guided} <= {"Inadequate", "Requires improvement"}  # what the rows indicate
    for domain_two, judgement, strengths in itertools.product(ratings[:1], ratings, range(4)):
        differs = _guided_rating(base, domain_two, judgement, strengths) != _guided_rating(m, domain_two, judgement, strengths)
        listed = [g for g in d.guided if (g.indicated, g.judgement) == (domain_two, judgement) and g.covers(strengths)]
        assert differs == bool(listed), (domain_two, judgement, strengths)
        assert len(listed) <= 1


def test_no_indication_is_null_in_json_and_said_in_words(tmp_path: Any) -> None:
    path = tmp_path / "v.toml"
    path.write_text(
        'extends = "hmip-pdu-2023"\nname = "v"\nrationale = "r"\n'
        '[[add."guidance.leadership"]]\nid = "guidance.leadership.two"\nany_at_most = "Inadequate"\nindicates = "Inadequate"\n'
    )
    d = diff("hmip-pdu-2023", path)
    data = json.loads(json.dumps(d.to_dict()))
    assert data["guidance"] and all(p["baseline"] is None and p["candidate"] == "Inadequate" for p in data["guidance"])
    assert "(none)" not in json.dumps(data)
    assert d.profiles[0].text().endswith(": no row (judgement stands) -> Inadequate")
    assert "| no row (judgement stands) | Inadequate |" in d.to_markdown()


def test_reports_list_everything(tmp_path: Any) -> None:
    d = diff("hmip-pdu-2023", EXAMPLE)
    data = json.loads(json.dumps(d.to_dict()))
    assert data["key_question_bands"]["percentages"] == [
        {"from": 65.0, "to": 70.0, "to_included": False, "baseline": "Good", "candidate": "Requires improvement"}
    ]
    assert len(data["key_question_bands"]["shares"]) == len(d.shares) and len(data["guided"]) == len(d.guided)
    text = d.to_text(limit=2)
    assert "65 <= p < 70: Good -> Requires improvement" in text and "n = 20: 13/20 (65%) Good -> Requires improvement" not in text
    assert "more sample sizes" in text
    assert "n = 20: 13/20 (65%) Good -> Requires improvement" in d.to_text(limit=None)
    assert "| 13/20" not in d.to_markdown() and "- n = 20: 13/20 (65%) Good -> Requires improvement" in d.to_markdown()


def test_strengths_are_listed_in_the_ranges_the_two_minimums_make(tmp_path: Any) -> None:
    path = tmp_path / "v.toml"
    path.write_text('extends = "hmip-pdu-2023"\nname = "v"\nrationale = "r"\n[change."override.leadership-strengths"]\nmin_strengths = 3\n')
    base, m = load_methodology("hmip-pdu-2023"), load_methodology(path)
    d = diff(base, m)
    assert {g.strengths_text() for g in d.guided} == {"1 to 2 strengths"}
    for judgement, strengths in itertools.product(base.scale.ratings, range(5)):
        differs = _guided_rating(base, "Inadequate", judgement, strengths) != _guided_rating(m, "Inadequate", judgement, strengths)
        assert differs == any(g.judgement == judgement and g.covers(strengths) for g in d.guided), (judgement, strengths)


def test_a_change_of_source_alone_shows_the_new_source(tmp_path: Any) -> None:
    path = tmp_path / "v.toml"
    path.write_text(
        'extends = "hmip-pdu-2023"\nname = "v"\nrationale = "r"\n'
        '[change."kq-bands.good"]\ncitation = "Rules and guidance 2025, p. 12"\nevidence = "published"\n'
    )
    (change,) = diff("hmip-pdu-2023", path).rule_changes
    old = load_methodology("hmip-pdu-2023").rule("kq-bands.good").citation
    assert change.text() == f"citation: {old} -> Rules and guidance 2025, p. 12; evidence: recalled -> published"
    # Beside a change of what the rule does, the variant's own citation is only said to have changed.
    (good, _) = diff("hmip-pdu-2023", EXAMPLE).rule_changes
    assert good.text() == "at_least: 65 -> 70; citation changed; evidence: recalled -> inferred"


def test_no_relevant_cases_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:  # was ZeroDivisionError, which no caller of the library expects
        diff("hmip-pdu-2023", "hmip-pdu-2021", typical=0, sizes=[0, 5, -1])
    assert [(p.path, p.value) for p in caught.value.problems] == [("typical", 0), ("sizes", 0)]
