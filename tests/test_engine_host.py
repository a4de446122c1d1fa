"""The durable-rules wrapper: sessions, silent failures made loud, several rulesets per process."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from probation_rules import rate
from probation_rules.engine.durable_host import RuleEngine, UnmatchedFacts
from probation_rules.errors import EngineError
from probation_rules.methodology import load_methodology, methodology_from_dict


def test_a_fact_no_rule_matches_is_reported_not_lost() -> None:
    engine = RuleEngine("test.unmatched", {"big": {"$and": [{"kind": "n"}, {"$gte": {"v": 10}}]}})
    with engine.session() as session:
        assert [f.rule for f in session.assert_facts([{"kind": "n", "v": 12}])] == ["big"]
        with pytest.raises(UnmatchedFacts) as info:
            session.assert_facts([{"kind": "n", "v": 3}, {"kind": "n", "v": 11}])
    assert [f["v"] for f in info.value.facts] == [3]
    engine.close()


def test_no_threads_are_started_and_rulesets_are_freed() -> None:
    before = threading.active_count()
    engines = [RuleEngine(f"test.threads.{i}", {"r": {"kind": "n"}}) for i in range(50)]
    for engine in engines:
        with engine.session() as session:
            assert [f.rule for f in session.assert_facts([{"kind": "n"}, {"kind": "n"}])] == ["r", "r"]
        engine.close()
    assert threading.active_count() == before


def test_a_refused_batch_becomes_an_engine_error() -> None:
    engine = RuleEngine("test.huge", {"r": {"kind": "n"}})
    with engine.session() as session, pytest.raises(EngineError, match="2\\*\\*53"):
        session.assert_facts([{"kind": "n", "v": 2**60}])
    engine.close()


def test_floats_are_refused_in_conditions() -> None:
    with pytest.raises(EngineError, match="whole numbers"):
        RuleEngine("test.float", {"r": {"$gte": {"v": 0.5}}})


def test_sessions_are_deleted_so_many_evaluations_fit() -> None:
    engine = RuleEngine("test.many", {"r": {"kind": "n"}})
    for _ in range(1500):  # durable-rules holds at most 1024 live sessions per ruleset
        with engine.session() as session:
            session.assert_facts([{"kind": "n"}])
    engine.close()
    with pytest.raises(EngineError, match="closed"), engine.session():
        pass


def test_a_variant_and_its_baseline_live_in_one_process(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    pdu_data["guidance"][0]["override"]["max_bands_up"] = 0
    variant = methodology_from_dict(pdu_data)
    baseline = load_methodology("hmip-pdu-2023")
    assert variant.id == baseline.id and variant.sha256 != baseline.sha256
    for _ in range(3):
        assert rate(york_doc, baseline).standards["P1.1"].rating == "Requires improvement"
        assert rate(york_doc, variant).standards["P1.1"].rating == "Inadequate"


def test_the_same_input_gives_the_same_result_and_trace(york_doc: dict[str, Any]) -> None:
    first = rate(york_doc)
    again = rate(york_doc)
    assert first.to_dict() == again.to_dict()


def test_firings_name_the_rule_and_the_fact_even_when_names_need_escaping() -> None:
    plain, awkward = "r plain", 'r "quoted" \\ back é'
    engine = RuleEngine("test.escaped", {plain: {"kind": "n"}, awkward: {"$and": [{"kind": "n"}, {"$gte": {"v": 2}}]}})
    facts = [{"kind": "n", "v": 1, "note": 'a ", "id": "x"}}} note'}, {"kind": "n", "v": 2, "note": "é"}]
    with engine.session() as session:
        firings = session.assert_facts(facts)
    engine.close()
    got = sorted((f.rule, f.fact["v"], f.fact["note"]) for f in firings)
    assert got == sorted([(plain, 1, facts[0]["note"]), (plain, 2, "é"), (awkward, 2, "é")])
    assert all(any(f.fact is given for given in facts) for f in firings)  # the caller's own facts, as given


@pytest.mark.parametrize("value", [0.5, True, None, [1, 2.0], {"nested": 1}])
def test_facts_carry_strings_and_whole_numbers_only(value: Any) -> None:
    engine = RuleEngine("test.types", {"r": {"kind": "n"}})
    with engine.session() as session, pytest.raises(EngineError, match="whole numbers"):
        session.assert_facts([{"kind": "n", "v": value}])
    engine.close()


def test_a_percentage_the_engine_cannot_compare_exactly_is_refused_before_asserting(york_doc: dict[str, Any]) -> None:
    from probation_rules.engine import evaluate
    from probation_rules.inspection import load_inspection

    york_doc["standards"]["P2.1"]["key_questions"]["keeping_safe"] = 1e300  # evaluate trusts validation; this skips it
    with pytest.raises(EngineError, match="2\\*\\*53"):
        evaluate(load_inspection(york_doc, check_values=False), load_methodology("hmip-pdu-2023"))


def test_a_fact_may_name_its_own_id_and_still_be_told_apart() -> None:
    engine = RuleEngine("test.own-id", {"r": {"kind": "n"}})
    facts = [{"id": "mine", "kind": "n"}, {"kind": "n", "sid": "theirs"}, {"kind": "n"}, {"kind": "n"}]
    with engine.session() as session:
        firings = session.assert_facts(facts)
        again = session.assert_facts([{"kind": "n"}])  # the same content again: a new fact, with its own id
    engine.close()
    assert sorted(map(id, (f.fact for f in firings))) == sorted(map(id, facts))
    assert len(again) == 1


def test_a_released_methodology_compiles_afresh_when_rated_again(york_doc: dict[str, Any], pdu_data: dict[str, Any]) -> None:
    from probation_rules.engine.compiler import compiled, release

    m = methodology_from_dict(pdu_data)
    try:
        first = compiled(m)
        assert compiled(m) is first
        release(m)
        assert compiled(m) is not first
        assert rate(york_doc, m).overall == rate(york_doc).overall
    finally:
        release(m)
