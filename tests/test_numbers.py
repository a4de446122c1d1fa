"""Numbers in every report go through one formatter, which never rounds a value across a bound.

``:g`` prints 64.999999 as 65 and 64.9999995 as 65: next to a band that starts at 65 that reads
as the wrong band. Every place that prints a bound, a percentage or a trace value must print it
as written (or, for a share with no short decimal, cut and marked as cut).
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from probation_rules import rate
from probation_rules.engine.compiler import release
from probation_rules.methodology import methodology_from_dict
from probation_rules.methodology_page import to_markdown
from probation_rules.percent import as_fraction, number
from probation_rules.whatif import diff
from probation_rules.whatif.compare import compare

from .conftest import YORK, pdu_2023_data

YORK_DOC = json.loads(YORK.read_text())


def _good_from(bound: float) -> dict[str, Any]:
    data = pdu_2023_data()
    good = next(b for b in data["key_question_bands"]["bands"] if b["rating"] == "Good")
    good["at_least"] = bound
    data["id"] = f"good-from-{bound}"
    return data


def _doc(value: float) -> dict[str, Any]:
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"]["P2.1"]["key_questions"] = {"engaging": 100, "desistance": 100, "keeping_safe": value}
    return doc


@given(st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False, allow_infinity=False))
@example(Decimal("64.999999"))
@example(Decimal("0.000001"))
def test_a_written_number_prints_exactly_as_written(value: Decimal) -> None:
    written = float(value)
    assert as_fraction(number(written)) == as_fraction(written)
    assert Fraction(number(Fraction(value))) == Fraction(value)


@given(st.integers(0, 10_000), st.integers(1, 400))
@example(59 * 100, 60)
@example(1100, 17)
@example(2, 3)
def test_a_share_with_no_short_decimal_is_cut_not_rounded_and_says_so(numerator: int, denominator: int) -> None:
    value = Fraction(numerator, denominator)
    for given_as in (value, float(value)):
        shown = number(given_as)
        if shown.endswith("..."):
            cut = Fraction(shown.removesuffix("..."))
            assert cut < as_fraction(given_as) and as_fraction(given_as) - cut < Fraction(1, 10**5) * max(1, value)
        else:
            assert Fraction(shown) == as_fraction(given_as)
    assert number(Fraction(1100, 17)) == "64.7058..."  # :g gives 64.7059, above the share
    assert number(1100 / 17) == "64.7058..."


def test_the_explain_tree_prints_a_percentage_as_given() -> None:
    result = rate(_doc(64.9999995), "hmip-pdu-2023")
    (entry,) = result.trace.for_subject("P2.1/keeping_safe")
    assert "percent=64.9999995" in entry.summary()  # :g printed 65, inside the band that starts there
    assert "percent=65," not in result.trace.render_tree()


def test_the_methodology_page_prints_a_bound_as_written() -> None:
    m = methodology_from_dict(_good_from(64.999999))
    try:
        page = to_markdown(m)
    finally:
        release(m)
    assert "at least 64.999999%" in page and "below 64.999999%" in page
    assert "at least 65%" not in page


def test_diff_prints_a_bound_as_written() -> None:
    a, b = methodology_from_dict(_good_from(65)), methodology_from_dict(_good_from(64.999999))
    try:
        d = diff(a, b)
    finally:
        release(a)
        release(b)
    assert [r.text() for r in d.percent_regions] == ["64.999999 <= p < 65: Requires improvement -> Good"]  # was "65.00... <= p < 65"


def test_where_a_change_began_prints_the_percentage_as_given() -> None:
    a, b = methodology_from_dict(_good_from(65)), methodology_from_dict(_good_from(64.999999))
    try:
        (changed,) = compare(a, b, [_doc(64.9999995)]).changed
    finally:
        release(a)
        release(b)
    assert changed.divergence is not None
    assert "from percent 64.9999995" in changed.divergence.text()  # :g printed "percent 65", which reads as Good already
