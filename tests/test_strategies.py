"""The public strategies make what they promise: strict methodologies check clean, inspections fit."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probation_rules import Methodology, bundled_ids, load_inspection, load_methodology
from probation_rules.check import check_methodology
from probation_rules.inspection import validate_against
from probation_rules.testing.strategies import inspections, key_question_counts, methodologies, methodology_documents


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


@given(st.integers(1, 80).flatmap(lambda n: st.tuples(st.just(n), key_question_counts(n))))
def test_key_question_counts_stay_within_their_bound(n_and_counts: tuple[int, dict[str, int]]) -> None:
    n, counts = n_and_counts
    assert 0 <= counts["yes"] <= counts["relevant"] <= n
