"""The public strategies make what they promise: strict methodologies check clean, inspections fit."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from probation_rules import Methodology, bundled_ids, load_inspection, load_methodology
from probation_rules.check import check_methodology
from probation_rules.inspection import validate_against
from probation_rules.testing.profiles import PROFILES, load_profile
from probation_rules.testing.strategies import NOT_RATED_REASONS, inspections, key_question_counts, methodologies, methodology_documents

from . import reference
from .conftest import PROFILE


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(methodologies())
def test_strict_methodologies_check_without_error(m: Methodology) -> None:
    report = check_methodology(m)
    assert report.ok, report.render_text()
    assert 2 <= len(m.scale.ratings) <= 5 and 1 <= len(m.standards) <= 6


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(methodologies(strict=False))
def test_other_methodologies_are_still_rateable(m: Methodology) -> None:
    report = check_methodology(m)
    assert not report.breaks("rating") and not report.breaks("loading"), report.render_text()


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(methodologies(), methodologies(strict=False), st.sampled_from(bundled_ids()).map(load_methodology)).flatmap(
        lambda m: st.tuples(st.just(m), inspections(m))
    )
)
def test_inspections_fit_their_methodology(m_and_doc: tuple[Methodology, dict[str, Any]]) -> None:
    m, doc = m_and_doc
    validate_against(load_inspection(doc), m)


@given(methodology_documents())
def test_methodology_documents_are_plain_data(doc: dict[str, Any]) -> None:
    assert doc["schema"] == 1 and doc["scale"]["ratings"]
    assert all(isinstance(b["at_least"], float) for b in doc["key_question_bands"]["bands"])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(methodologies(strict=False).filter(lambda m: m.not_rated is not None).flatmap(lambda m: st.tuples(st.just(m), inspections(m))))
def test_inspections_leave_standards_unrated_but_never_every_scored_one(m_and_doc: tuple[Methodology, dict[str, Any]]) -> None:
    m, doc = m_and_doc
    unrated = {sid for sid, e in doc["standards"].items() if "not_rated" in e}
    scored = {s.id for s in m.standards if s.scored}
    assert not scored or not scored <= unrated
    assert all(doc["standards"][sid]["not_rated"] in NOT_RATED_REASONS for sid in unrated)


# Finding an example is the point, not shrinking it: that would be most of the time spent.
FOUND = settings(phases=[Phase.generate], database=None)


def test_the_strategies_reach_every_form_of_evidence() -> None:
    pdu = load_methodology("hmip-pdu-2023")
    docs = inspections(pdu)
    find(docs, lambda d: any("not_rated" in e for e in d["standards"].values()), settings=FOUND)
    find(docs, lambda d: any(isinstance(v, dict) for e in d["standards"].values() for v in e.get("key_questions", {}).values()), settings=FOUND)
    find(docs, lambda d: "cases" in d, settings=FOUND)
    simple = find(inspections(pdu, counts=False, cases=False, unrated=False), lambda d: True, settings=FOUND)
    assert "cases" not in simple and all(
        "judgement" in e or all(isinstance(v, (int, float)) for v in e["key_questions"].values()) for e in simple["standards"].values()
    )
    for method in ("proportional", "none"):
        find(methodology_documents(), lambda d, method=method: d.get("not_rated", {}).get("rescale", {}).get("method") == method, settings=FOUND)
    find(methodology_documents(), lambda d: "not_rated" not in d, settings=FOUND)


def _decides_the_override(m: Methodology, doc: dict[str, Any]) -> bool:
    """Whether a guidance target is judged above its indication with fewer strengths than its override needs."""
    expected = reference.evaluate(m, doc)
    for g in m.guidance:
        evidence, indicated = doc["standards"][g.target], expected.indicated.get(g.target)
        if g.override is None or indicated is None or "judgement" not in evidence:
            continue
        if m.rank(evidence["judgement"]) > m.rank(indicated) and len(evidence["strengths"]) < g.override.min_strengths:
            return True
    return False


def test_generated_inspections_often_test_an_override_without_its_strengths() -> None:
    # The case that tells an override applied as written from one that ignores its condition: it
    # was 4 in 200 generated (methodology, inspection) pairs, too few for a run of 40 to be sure to
    # meet it; it is now 15 in 200.
    reached: list[bool] = []

    @settings(max_examples=200, derandomize=True, database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(st.booleans().flatmap(lambda strict: methodologies(strict=strict)).flatmap(lambda m: st.tuples(st.just(m), inspections(m))))
    def sample(m_and_doc: tuple[Methodology, dict[str, Any]]) -> None:
        reached.append(_decides_the_override(*m_and_doc))

    sample()
    assert sum(reached) >= len(reached) / 25, f"{sum(reached)} of {len(reached)}"


@given(st.integers(1, 80).flatmap(lambda n: st.tuples(st.just(n), key_question_counts(n))))
def test_key_question_counts_stay_within_their_bound(n_and_counts: tuple[int, dict[str, int]]) -> None:
    n, counts = n_and_counts
    assert 0 <= counts["yes"] <= counts["relevant"] <= n


def test_key_question_counts_go_up_to_60_relevant_cases_by_default() -> None:
    assert find(key_question_counts(), lambda c: c["relevant"] > 40)["relevant"] <= 60


@pytest.mark.parametrize(
    ("environ", "profile"),
    [
        ({}, "dev"),
        ({"CI": "true"}, "ci"),
        ({"CI": "1"}, "ci"),
        ({"CI": "false"}, "dev"),
        ({"CI": "0"}, "dev"),
        ({"CI": " False "}, "dev"),
        ({"CI": ""}, "dev"),
        ({"CI": "false", "HYPOTHESIS_PROFILE": "long"}, "long"),
    ],
)
def test_the_profile_follows_ci_and_hypothesis_profile(environ: dict[str, str], profile: str) -> None:
    try:
        assert load_profile(environ) == profile
        assert settings().max_examples == PROFILES[profile].max_examples
    finally:
        settings.load_profile(PROFILE)


def test_the_profiles_can_be_registered_under_another_tools_names() -> None:
    try:
        assert load_profile({"CI": "yes"}, prefix="mytool-") == "mytool-ci"
        assert settings().max_examples == 300
        settings.load_profile("mytool-long")
        assert settings().max_examples == 5000
    finally:
        settings.load_profile(PROFILE)
