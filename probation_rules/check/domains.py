"""The values a band table meets, listed in full, so that ``check`` proves rather than samples.

Inputs are finite. A key question is a share of at most a few dozen relevant cases, and a
score is a sum of a few whole points; so every gap, overlap and unreachable band can be found by
looking at each value that can occur. Percentages typed in by hand can be any number from 0 to
100, which only matters when the methodology bands the exact ratio (with "nearest" or "down"
rounding every percentage is placed as a whole number).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Mapping
from fractions import Fraction

import attrs

from probation_rules.methodology.schema import Methodology, Rounding, Standard
from probation_rules.percent import banded, number

__all__ = ["MAX_RELEVANT", "Domain", "cases_needed", "percent_domain", "score_domain", "scores_by_maximum"]

MAX_RELEVANT = 60
"""Case shares are checked for every number of relevant cases from 1 to this."""

_SEARCH_LIMIT = 10_000


@attrs.frozen
class Domain:
    """The values one band table is applied to.

    ``values`` lists every value when the domain is finite (scores, rounded percentages); it is
    None for exact percentages, which are every number from 0 to ``top``. ``practical`` lists
    the values real inspections produce (shares of up to 60 cases, sums of points); a band that
    holds none of them is reachable only in principle.
    """

    noun: str
    top: Fraction
    values: tuple[Fraction, ...] | None
    why_finite: str
    practical: tuple[Fraction, ...]
    practical_what: str
    max_relevant: int = MAX_RELEVANT

    def reaches(self, low: Fraction, high: Fraction | None) -> bool:
        return _any_within(self.values, low, high) if self.values is not None else low <= self.top and (high is None or low < high)

    def practically_reaches(self, low: Fraction, high: Fraction | None) -> bool:
        return _any_within(self.practical, low, high)

    def span(self, low: Fraction, high: Fraction | None) -> str:
        """The values from ``low`` up to (not including) ``high``, in words."""
        if self.values is not None:
            inside = [v for v in self.values if v >= low and (high is None or v < high)]
            if not inside:
                return f"{self.noun}s from {number(low)}" + (f" up to {number(high)}" if high is not None else "")
            if len(inside) == 1:
                return f"the {self.noun} {number(inside[0])}"
            return f"{self.noun}s {number(inside[0])} to {number(inside[-1])}"
        if high is None:
            return f"{self.noun}s from {number(low)} to {number(self.top)}"
        return f"{self.noun}s from {number(low)} up to (not including) {number(high)}"


def _any_within(values: tuple[Fraction, ...] | None, low: Fraction, high: Fraction | None) -> bool:
    if not values:
        return False
    i = bisect.bisect_left(values, low)
    return i < len(values) and (high is None or values[i] < high)


def percent_domain(rounding: Rounding, max_relevant: int = MAX_RELEVANT) -> Domain:
    shares = sorted({banded(Fraction(100 * k, n), rounding) for n in range(1, max_relevant + 1) for k in range(n + 1)})
    whole = None if rounding == "exact" else tuple(Fraction(p) for p in range(101))
    return Domain(
        noun="percentage",
        top=Fraction(100),
        values=whole,
        why_finite=f'with "{rounding}" rounding every percentage is placed as a whole number',
        practical=tuple(shares),
        practical_what=f"share of 1 to {max_relevant} relevant cases",
        max_relevant=max_relevant,
    )


def cases_needed(low: Fraction, high: Fraction | None, rounding: Rounding, start: int) -> tuple[int, int] | None:
    """The smallest number of relevant cases (from ``start``) with a share in the band, as (yes, relevant)."""
    # The least share placed at or above ``low``: rounding moves the bar to a whole or half percentage.
    bar = {"exact": low, "nearest": math.ceil(low) - Fraction(1, 2), "down": Fraction(math.ceil(low))}[rounding]
    for n in range(start, _SEARCH_LIMIT + 1):
        k = max(0, math.ceil(bar * n / 100))
        if k <= n and (high is None or banded(Fraction(100 * k, n), rounding) < high):
            return k, n
    return None


def scores_by_maximum(m: Methodology, case_ratings: Collection[str]) -> dict[int, tuple[Fraction, ...]]:
    """For each maximum score an inspection can be out of, every score it can add up to (:meth:`Methodology.scores_by_maximum`).

    A case-based standard can only get the ratings its key-question bands give (``case_ratings``);
    a judged one (guided or not) any rating on the scale.
    """

    def ratings(s: Standard) -> Collection[str]:
        return case_ratings if s.kind == "case" else m.scale.ratings

    return {maximum: tuple(map(Fraction, scores)) for maximum, scores in m.scores_by_maximum(ratings).items()}


def score_domain(m: Methodology, by_maximum: Mapping[int, tuple[Fraction, ...]]) -> Domain:
    """Scores 0..max, and the ones the points can add up to with every standard rated (from :func:`scores_by_maximum`)."""
    top = m.max_score
    return Domain(
        noun="score",
        top=Fraction(top),
        values=tuple(Fraction(v) for v in range(top + 1)),
        why_finite=f"scores are whole numbers from 0 to the maximum, {top}",
        practical=by_maximum[top],
        practical_what="score the points table can add up to",
    )
