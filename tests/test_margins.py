"""The closed-form 'more yes cases needed' agrees with trying every count."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from probation_rules.inspection import Counts
from probation_rules.margins import more_yes_needed
from probation_rules.percent import banded


def brute_force(counts: Counts, threshold: Fraction, rounding: str) -> int | None:
    for extra in range(counts.relevant - counts.yes + 1):
        if banded(Counts(counts.yes + extra, counts.relevant).ratio, rounding) >= threshold:  # type: ignore[arg-type]
            return extra
    return None


@given(
    st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.fractions(min_value=0, max_value=100, max_denominator=1000),
    st.sampled_from(["exact", "nearest", "down"]),
)
@example((11, 17), Fraction(65), "exact")  # 64.7%: one more yes reaches 65%
@example((11, 17), Fraction(65), "nearest")  # printed as 65% already
@example((0, 20), Fraction(100), "down")
def test_closed_form_matches_brute_force(counts: tuple[int, int], threshold: Fraction, rounding: str) -> None:
    c = Counts(*counts)
    assert more_yes_needed(c, threshold, rounding) == brute_force(c, threshold, rounding)  # type: ignore[arg-type]
