"""Every rating, band, driver, point, score and capped rating is the decision of a rule that fired.

Each test here would fail if the value were worked out in Python beside the engine: take a
rule's firing away and the value cannot be rated (a typed error, never a value made up); change
the decision a compiled rule stands for and the result changes with it; and the facts the engine
is given carry observed values only, nothing an outcome was derived from.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from probation_rules import RatingResult, rate
from probation_rules.engine.compiler import CompiledMethodology, Decision, below_micro, compiled, release
from probation_rules.engine.durable_host import Session
from probation_rules.engine.rater import rate_score
from probation_rules.errors import RuleConflictError
from probation_rules.methodology import Methodology, bundled_ids, load_methodology, methodology_from_dict
from probation_rules.percent import micro
from probation_rules.testing.strategies import inspections

from .conftest import pdu_2023_data

YOUTH = load_methodology("hmip-youth-2021")


@pytest.fixture
def own_pdu(pdu_data: dict[str, Any]) -> Iterator[Methodology]:
    """The PDU methodology compiled on its own (a distinct version), so a test may tamper with its rules."""
    pdu_data["version"] = "engine-rules-test"
    m = methodology_from_dict(pdu_data)
    yield m
    release(m)


def _youth_doc() -> dict[str, Any]:
    standards: dict[str, Any] = {}
    for s in YOUTH.standards:
        standards[s.id] = {"judgement": "Good"} if s.kind == "judged" else {"key_questions": {q.id: 60 for q in s.key_questions}}
    return {"id": "youth", "unit": "Example YJS", "methodology": YOUTH.id, "standards": standards}


def _capped_york(york_doc: dict[str, Any]) -> dict[str, Any]:
    york_doc["standards"]["P1.1"]["judgement"] = "Outstanding"  # indicated Inadequate, one band up at most
    return york_doc


def _assert_every_entry_names_its_rule(result: RatingResult, program: CompiledMethodology) -> None:
    for entry in result.trace:
        assert entry.engine_rule in program.conditions, f"step {entry.step} ({entry.rule}) names no compiled rule: {entry.engine_rule!r}"
        assert program.decisions[entry.engine_rule].rule == entry.rule, f"step {entry.step}: {entry.engine_rule} stands for another rule"


# -- every trace entry is a rule that fired --------------------------------------------------


def test_every_york_trace_entry_names_the_compiled_rule_that_fired(york_doc: dict[str, Any]) -> None:
    m = load_methodology("hmip-pdu-2023")
    for doc in (york_doc, _capped_york(copy.deepcopy(york_doc))):
        result = rate(doc)
        _assert_every_entry_names_its_rule(result, compiled(m))
        (score,) = result.trace.fired("score")
        assert compiled(m).decisions[score.engine_rule].score == result.score


@settings(max_examples=40)
@given(st.sampled_from(bundled_ids()).flatmap(lambda mid: st.tuples(st.just(mid), inspections(mid))))
def test_every_trace_entry_names_the_compiled_rule_that_fired(case: tuple[str, dict[str, Any]]) -> None:
    methodology_id, doc = case
    m = load_methodology(methodology_id)
    result = rate(doc, m)
    _assert_every_entry_names_its_rule(result, compiled(m))
    decisions = compiled(m).decisions
    (score,) = result.trace.fired(m.score.id)
    assert decisions[score.engine_rule].score == result.score
    for s in m.standards:
        if s.kind == "case" and result.standards[s.id].not_rated is None:
            (entry,) = [e for e in result.trace.fired(m.case_rating.id) if e.subject == s.id]
            driver = decisions[entry.engine_rule].driver
            assert driver is not None and s.key_questions[driver].id == result.standards[s.id].driver


# -- without its rule, a value cannot be rated -----------------------------------------------


def _dropping(monkeypatch: pytest.MonkeyPatch, m: Methodology, drop: Callable[[Decision], bool]) -> None:
    """Make the engine lose the firings of the rules whose decisions ``drop`` picks."""
    decisions = compiled(m).decisions
    matched = Session.matched

    def without(self: Session, facts: Sequence[Mapping[str, Any]], *, check: bool = True) -> list[list[str]]:
        return [[rule for rule in rules if not drop(decisions[rule])] for rules in matched(self, facts, check=check)]

    monkeypatch.setattr(Session, "matched", without)


@pytest.mark.parametrize(
    ("what", "drop", "table"),
    [
        ("the score", lambda d: d.kind == "score", "score"),
        ("the lowest key question and its band", lambda d: d.kind == "case", "key_question_bands"),
        ("a key question's band", lambda d: d.kind == "kq", "key_question_bands"),
        ("points", lambda d: d.kind == "points", "points.rows"),
        ("the overall band", lambda d: d.kind == "overall", "overall_bands"),
        ("the capped rating", lambda d: d.capped, "guidance"),
    ],
)
def test_a_value_whose_rule_does_not_fire_is_refused_not_worked_out(
    monkeypatch: pytest.MonkeyPatch, york_doc: dict[str, Any], what: str, drop: Callable[[Decision], bool], table: str
) -> None:
    m = load_methodology("hmip-pdu-2023")
    _dropping(monkeypatch, m, drop)
    with pytest.raises(RuleConflictError) as info:
        rate(_capped_york(york_doc), m)
    assert isinstance(info.value, RuntimeError)
    assert info.value.problems[0].path == table, what
    assert "no rule covers this input" in info.value.problems[0].expected


def test_a_standard_not_scored_needs_its_own_rule_to_fire(monkeypatch: pytest.MonkeyPatch) -> None:
    _dropping(monkeypatch, YOUTH, lambda d: d.rule.endswith(".not-scored"))
    with pytest.raises(RuleConflictError, match=r"points\.rows"):
        rate(_youth_doc(), YOUTH)


# -- the result is what the rule decided ------------------------------------------------------


def _tamper(monkeypatch: pytest.MonkeyPatch, m: Methodology, engine_rule: str, **changes: Any) -> None:
    decisions = compiled(m).decisions
    assert isinstance(decisions, dict)
    monkeypatch.setitem(decisions, engine_rule, attrs.evolve(decisions[engine_rule], **changes))


def test_the_score_is_the_score_rules_decision(monkeypatch: pytest.MonkeyPatch, york_doc: dict[str, Any], own_pdu: Methodology) -> None:
    (score,) = rate(york_doc, own_pdu).trace.fired("score")
    _tamper(monkeypatch, own_pdu, score.engine_rule, score=17)
    result = rate(york_doc, own_pdu)
    assert result.score == 17  # not the sum of the points (3): the rule that fired says what the score is
    assert result.trace.fired("score")[0].outcome["score"] == 17


def test_the_driver_is_the_lowest_drives_rules_decision(monkeypatch: pytest.MonkeyPatch, york_doc: dict[str, Any], own_pdu: Methodology) -> None:
    (entry,) = [e for e in rate(york_doc, own_pdu).trace.fired("lowest-drives") if e.subject == "P2.1"]
    assert entry.outcome["driver"] == "keeping_safe"
    _tamper(monkeypatch, own_pdu, entry.engine_rule, driver=0)
    assert rate(york_doc, own_pdu).standards["P2.1"].driver == "engaging"


def test_the_capped_rating_is_the_capped_rules_decision(monkeypatch: pytest.MonkeyPatch, york_doc: dict[str, Any], own_pdu: Methodology) -> None:
    doc = _capped_york(york_doc)
    (entry,) = rate(doc, own_pdu).trace.fired("override.leadership-strengths")
    assert (entry.subject, entry.outcome["rating"], entry.outcome["capped"]) == ("P1.1", "Requires improvement", True)
    _tamper(monkeypatch, own_pdu, entry.engine_rule, rating=own_pdu.rank("Good"))
    assert rate(doc, own_pdu).standards["P1.1"].rating == "Good"


def test_the_maximum_is_the_sum_of_the_shares_the_rules_gave(monkeypatch: pytest.MonkeyPatch, york_doc: dict[str, Any], own_pdu: Methodology) -> None:
    assert own_pdu.not_rated is not None
    rescale = own_pdu.not_rated.rescale.id
    york_doc["standards"]["P1.2"] = {"not_rated": "no evidence this time"}
    result = rate(york_doc, own_pdu)
    assert (result.max_score, result.full_max_score) == (18, 21) and result.trace.fired(rescale)
    (unrated,) = result.trace.fired(own_pdu.not_rated.id)
    (band,) = result.trace.fired(result.overall_rule)
    assert band.engine_rule.endswith(" /18")  # the band rule guarded on the shares adding up to 18
    # Let the not_rated rule give the unrated standard its full share: the maximum, and the band rules guarded on it, follow.
    _tamper(monkeypatch, own_pdu, unrated.engine_rule, share=own_pdu.best_points)
    tampered = rate(york_doc, own_pdu)
    assert tampered.max_score == 21 and not tampered.trace.fired(rescale)
    (band,) = tampered.trace.fired(tampered.overall_rule)
    assert band.engine_rule.endswith(" /21") and band.inputs["max_score"] == 21


def test_a_published_score_is_placed_by_the_same_checks(monkeypatch: pytest.MonkeyPatch, own_pdu: Methodology) -> None:
    assert rate_score(own_pdu, 3) == ("Inadequate", "overall-bands.inadequate")
    assert rate_score(own_pdu, 10, 18)[0] == "Good"  # rescaled: Good from ceil(11 x 18/21) = 10
    _dropping(monkeypatch, own_pdu, lambda d: d.kind == "overall" and not d.informational)
    with pytest.raises(RuleConflictError) as info:
        rate_score(own_pdu, 3)
    problem = info.value.problems[0]
    assert (problem.path, problem.value) == ("overall_bands", {"score": 3, "max_score": 21}) and "no rule covers this input" in problem.expected


def test_the_smaller_ruleset_for_fully_rated_inspections_rates_as_the_full_one(own_pdu: Methodology, york_doc: dict[str, Any]) -> None:
    program = compiled(own_pdu)
    left_out = [(name, program.decisions[name]) for name in program.unrated_only]
    assert left_out and program.rated_engine is not program.engine

    def for_maximum(name: str) -> int:
        """The maximum an overall band rule was compiled for (``<band> /<maximum>``), else the full one."""
        head, _, maximum = name.rpartition(" /")
        return int(maximum) if head and maximum.isdigit() else own_pdu.max_score

    assert all(d.kind == "unrated" or d.informational or for_maximum(name) < own_pdu.max_score for name, d in left_out)
    docs = [york_doc, _capped_york(copy.deepcopy(york_doc))]
    smaller = [rate(doc, own_pdu).to_dict() for doc in docs]
    rated_engine = program.rated_engine
    object.__setattr__(program, "rated_engine", program.engine)  # frozen: rate them with every rule instead
    try:
        assert [rate(doc, own_pdu).to_dict() for doc in docs] == smaller
    finally:
        object.__setattr__(program, "rated_engine", rated_engine)


# -- facts carry what was observed ------------------------------------------------------------


def test_facts_carry_observed_values_not_what_an_outcome_follows_from(monkeypatch: pytest.MonkeyPatch, york_doc: dict[str, Any]) -> None:
    sent: list[Mapping[str, Any]] = []
    matched = Session.matched

    def spy(self: Session, facts: Sequence[Mapping[str, Any]], *, check: bool = True) -> list[list[str]]:
        sent.extend(facts)
        return matched(self, facts, check=check)

    monkeypatch.setattr(Session, "matched", spy)
    result = rate(_capped_york(york_doc))
    (guided,) = [f for f in sent if f["kind"] == "guided"]
    assert set(guided) == {"kind", "key", "table", "judged", "strengths", "indicated"}  # no judged - indicated
    (overall,) = [f for f in sent if f["kind"] == "overall"]
    assert "score" not in overall and sum(v for k, v in overall.items() if k.startswith("pts")) == result.score
    assert "max_score" not in overall and sum(v for k, v in overall.items() if k.startswith("max")) == result.max_score  # shares, as the rules gave them
    for case in (f for f in sent if f["kind"] == "case"):
        assert not {"driver", "lowest", "rating"} & set(case)


# -- the lowest key question, to well below a millionth ---------------------------------------


@pytest.mark.parametrize(
    ("values", "driver"),
    [
        ({"engaging": 64.999999999, "desistance": 64.999999, "keeping_safe": 90}, "desistance"),  # the same millionths
        ({"engaging": 5e-324, "desistance": 0.0, "keeping_safe": 50}, "desistance"),
        ({"engaging": 33.333333333333336, "desistance": {"yes": 1, "relevant": 3}, "keeping_safe": 50}, "desistance"),  # 100/3 as a float is above a third
        ({"engaging": {"yes": 1, "relevant": 3}, "desistance": 33.333333333333336, "keeping_safe": 50}, "engaging"),
        ({"engaging": 70, "desistance": 25, "keeping_safe": 25}, "desistance"),  # equal: the first in order
        ({"engaging": 1.175494351e-38, "desistance": 2.0**-126, "keeping_safe": 50}, "desistance"),  # alike to 9 digits
    ],
)
def test_the_driver_is_the_lowest_key_question_however_close_the_values(york_doc: dict[str, Any], values: dict[str, Any], driver: str) -> None:
    york_doc["standards"]["P2.1"]["key_questions"] = values
    assert rate(york_doc).standards["P2.1"].driver == driver


def _key(value: Fraction) -> tuple[int, int]:
    return micro(value), below_micro(value)


_percent = st.one_of(
    st.fractions(min_value=0, max_value=100, max_denominator=10**6),
    st.floats(0, 100).map(lambda f: Fraction(repr(f))),
    st.integers(1, 10**6).flatmap(lambda n: st.integers(0, n).map(lambda k: Fraction(100 * k, n))),
)


@given(_percent, _percent)
@example(Fraction("64.999999999"), Fraction("64.999999"))
@example(Fraction(0), Fraction("5e-324"))
@example(Fraction(100, 3), Fraction("33.333333333333336"))
def test_what_lies_below_a_millionth_sorts_as_the_percentages_do(a: Fraction, b: Fraction) -> None:
    low, high = sorted((a, b))
    assert _key(low) <= _key(high)
    assert 0 <= below_micro(low) < 2**53 and 0 <= below_micro(high) < 2**53
    if low < high and high >= 1 and high - low >= high * Fraction(1, 10**18):
        assert _key(low) < _key(high)  # told apart to 18 significant digits from 1% up


@given(st.floats(1, 100), st.floats(1, 100))
def test_two_different_floats_from_one_percent_up_are_always_told_apart(a: float, b: float) -> None:
    if a != b:
        low, high = sorted((Fraction(repr(a)), Fraction(repr(b))))
        assert _key(low) < _key(high)


# -- the cap: one rule per indicated rating ---------------------------------------------------


@pytest.mark.parametrize(
    ("domain_two", "limit", "rating", "capped"),
    [
        (25, 1, "Requires improvement", True),  # indicated Inadequate
        (60, 1, "Good", True),  # indicated Requires improvement
        (25, 2, "Good", True),
        (60, 2, "Outstanding", False),  # two bands up is within the limit
    ],
)
def test_a_capped_rating_is_the_indication_plus_the_limit(
    york_doc: dict[str, Any], domain_two: int, limit: int, rating: str, capped: bool, released: Callable[[Methodology], Methodology]
) -> None:
    data = pdu_2023_data()
    data["guidance"][0]["rows"].append(
        {"id": "guidance.leadership.all-ri", "all_at_least": "Requires improvement", "all_at_most": "Requires improvement", "indicates": "Requires improvement"}
    )
    data["guidance"][0]["override"]["max_bands_up"] = limit
    m = released(methodology_from_dict(data))
    for sid in ("P2.1", "P2.2", "P2.3", "P2.4"):
        york_doc["standards"][sid]["key_questions"] = dict.fromkeys(york_doc["standards"][sid]["key_questions"], domain_two)
    result = rate(_capped_york(york_doc), m)
    leadership = result.standards["P1.1"]
    assert leadership.departure is not None and (leadership.rating, leadership.departure.capped) == (rating, capped)
    (entry,) = result.trace.fired("override.leadership-strengths")
    if capped:
        assert entry.engine_rule.endswith(f"capped from {leadership.indicated}")


# -- the score: one rule per total ------------------------------------------------------------


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_one_score_rule_fires_for_every_total_the_points_can_make(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    program = compiled(m)
    values = sorted({row.points for row in m.points.rows} | ({0} if m.not_rated else set()))

    @settings(max_examples=30, database=None)
    @given(st.lists(st.sampled_from(values), min_size=len(program.score_fields), max_size=len(program.score_fields)))
    def check(points: list[int]) -> None:
        fact = {"kind": "overall", "max_score": m.max_score, **dict(zip(program.score_fields.values(), points, strict=True))}
        with program.engine.session() as session:
            fired = [program.decisions[f.rule] for f in session.assert_facts([fact])]
        assert [d.score for d in fired if d.kind == "score"] == [sum(points)]

    check()


# -- a standard rated but not scored ----------------------------------------------------------


def test_a_standard_rated_but_not_scored_has_its_own_rule_citing_the_standard() -> None:
    result = rate(_youth_doc(), YOUTH)
    resettlement = YOUTH.standard("4.1")
    (entry,) = result.trace.fired("4.1.not-scored")
    assert (entry.subject, entry.citation, entry.evidence) == ("4.1", resettlement.citation, resettlement.evidence)
    assert entry.engine_rule and entry.outcome == {"points": None, "scored": False}
    assert entry.because == (result.trace.for_subject("4.1")[0].step,)
    assert not [e for e in result.trace.for_subject("4.1") if e.rule.startswith("points.")]
    assert "4.1" not in result.trace.fired("score")[0].inputs
    assert YOUTH.rule("4.1.not-scored") == YOUTH.not_scored_rule(resettlement)


def test_a_standard_not_scored_that_cites_nothing_cites_the_score_rule(
    york_doc: dict[str, Any], pdu_data: dict[str, Any], released: Callable[[Methodology], Methodology]
) -> None:
    (p13,) = [s for s in pdu_data["standards"] if s["id"] == "P1.3"]
    p13["scored"] = False
    p13.pop("citation", None)
    p13.pop("evidence", None)
    m = released(methodology_from_dict(pdu_data))
    (entry,) = rate(york_doc, m).trace.fired("P1.3.not-scored")
    assert (entry.citation, entry.evidence) == (m.score.citation, m.score.evidence)


# -- problems name what the document gave ------------------------------------------------------


def test_a_gap_in_the_key_question_bands_names_the_percentages_not_the_engines_encoding(
    york_doc: dict[str, Any], pdu_data: dict[str, Any], released: Callable[[Methodology], Methodology]
) -> None:
    pdu_data["key_question_bands"]["bands"][0]["at_least"] = 10
    york_doc["standards"]["P2.1"]["key_questions"]["keeping_safe"] = 5
    m = released(methodology_from_dict(pdu_data))
    with pytest.raises(RuleConflictError) as info:
        rate(york_doc, m)
    (problem,) = info.value.problems
    assert problem.path == "key_question_bands"
    assert problem.value == {"standard": "P2.1", "engaging": 70.0, "desistance": 80.0, "keeping_safe": 5.0}
