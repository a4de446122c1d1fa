"""How far each value stands from the next band up: the 'why not' of a rating.

These figures explain a rating the rules already gave; they never decide one. With case counts
they say how many more relevant cases answered yes would have reached the next band, because
at about 20 cases a percentage moves in steps of five points, not continuously.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from fractions import Fraction

from probation_rules.inspection import Counts
from probation_rules.methodology.schema import Band, BandTable, Rounding
from probation_rules.percent import MICRO, as_fraction, micro
from probation_rules.result import NextBand

__all__ = ["more_yes_needed", "next_band_for_lowest", "next_band_for_percent", "next_band_for_score"]


@functools.lru_cache(maxsize=256)
def _thresholds(table: BandTable) -> tuple[tuple[int, Fraction, Band], ...]:
    """A table's lower bounds in millionths and as fractions, once per table (this runs per rating)."""
    return tuple((micro(b.at_least), as_fraction(b.at_least), b) for b in table.ordered())


def _band_above(table: BandTable, value: Fraction) -> tuple[Fraction, Band] | None:
    # Compared in whole millionths, exactly as the engine compares (bounds have <= 6 decimals).
    scaled = value.numerator * MICRO // value.denominator
    return next(((at_least, b) for whole, at_least, b in _thresholds(table) if whole > scaled), None)


def _least_exact_percent(threshold: Fraction, rounding: Rounding) -> Fraction:
    """The smallest exact percentage whose banded value reaches ``threshold``."""
    if rounding == "nearest":
        return math.ceil(threshold) - Fraction(1, 2)
    if rounding == "down":
        return Fraction(math.ceil(threshold))
    return threshold


def more_yes_needed(counts: Counts, threshold: Fraction, rounding: Rounding) -> int | None:
    """Fewest extra yes answers, among the same relevant cases, that reach ``threshold``.

    Solved in closed form rather than by trying each count, so a document claiming a huge
    number of relevant cases cannot stall the explanation.
    """
    least = _least_exact_percent(threshold, rounding)
    # ceil(least * relevant / 100) in integers: least is numerator/denominator.
    needed_yes = max(counts.yes, -(-least.numerator * counts.relevant // (100 * least.denominator)))
    if needed_yes > counts.relevant:
        return None
    return needed_yes - counts.yes


def next_band_for_percent(table: BandTable, value: Fraction, counts: Counts | None, rounding: Rounding) -> NextBand | None:
    above = _band_above(table, value)
    if above is None:
        return None
    threshold, band = above
    more = more_yes_needed(counts, threshold, rounding) if counts is not None else None
    return NextBand(band.rating, band.at_least, float(threshold - value), more)


def next_band_for_lowest(table: BandTable, values: Sequence[tuple[Fraction, Counts | None]], rounding: Rounding) -> NextBand | None:
    """The band above the lowest value; every value below it has to rise."""
    lowest = min(v for v, _ in values)
    above = _band_above(table, lowest)
    if above is None:
        return None
    threshold, band = above
    total: int | None = 0
    for value, counts in values:
        if value >= threshold:
            continue
        more = more_yes_needed(counts, threshold, rounding) if counts is not None else None
        total = None if more is None or total is None else total + more
    return NextBand(band.rating, band.at_least, float(threshold - lowest), total)


def next_band_for_score(table: BandTable, score: int) -> NextBand | None:
    above = _band_above(table, Fraction(score))
    if above is None:
        return None
    threshold, band = above
    return NextBand(band.rating, band.at_least, float(threshold - score))
