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

__all__ = ["Standing", "lowest_next_band", "more_yes_needed", "next_band_for_lowest", "next_band_for_percent", "next_band_for_score"]


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


class Standing:
    """One banded value against a band table: the band above it, and what reaching it takes.

    Worked out once per value and reused: a population of inspections repeats the same values
    (at 20 relevant cases there are only 231 possible counts), so the evaluator keeps one standing
    per observed value and methodology.
    """

    __slots__ = ("_more", "_next", "above", "counts", "order", "rounding", "short_by", "value")

    def __init__(self, table: BandTable, value: Fraction, counts: Counts | None, rounding: Rounding):
        self.value = value
        # Sorts as ``value`` does (floored millionths never disagree with it), comparing whole numbers first.
        self.order = (value.numerator * MICRO // value.denominator, value)
        self.counts = counts
        self.rounding = rounding
        self.above = _band_above(table, value)
        self.short_by = float(self.above[0] - value) if self.above is not None else 0.0
        self._next: NextBand | None = None
        self._more: dict[str, tuple[bool, int | None]] = {}

    def next_band(self) -> NextBand | None:
        """The band above this value, how far below it, and how many more yes cases reach it."""
        if self.above is None:
            return None
        if self._next is None:
            threshold, band = self.above
            more = more_yes_needed(self.counts, threshold, self.rounding) if self.counts is not None else None
            self._next = NextBand(band.rating, band.at_least, self.short_by, more)
        return self._next

    def toward(self, above: tuple[Fraction, Band]) -> tuple[bool, int | None]:
        """Whether this value already reaches ``above`` (a band and its bound), and if not how many more yes cases would."""
        found = self._more.get(above[1].id)
        if found is None:
            threshold = above[0]
            reached = self.value >= threshold
            more = None if reached or self.counts is None else more_yes_needed(self.counts, threshold, self.rounding)
            found = self._more[above[1].id] = (reached, more)
        return found


def next_band_for_percent(table: BandTable, value: Fraction, counts: Counts | None, rounding: Rounding) -> NextBand | None:
    return Standing(table, value, counts, rounding).next_band()


def next_band_for_lowest(table: BandTable, values: Sequence[tuple[Fraction, Counts | None]], rounding: Rounding) -> NextBand | None:
    """The band above the lowest value; every value below it has to rise."""
    return lowest_next_band([Standing(table, value, counts, rounding) for value, counts in values])


def lowest_next_band(standings: Sequence[Standing]) -> NextBand | None:
    """:func:`next_band_for_lowest` for values already placed against their table."""
    lowest = min(standings, key=_value)
    if lowest.above is None:
        return None
    band = lowest.above[1]
    total: int | None = 0
    for standing in standings:
        reached, more = standing.toward(lowest.above)
        if not reached:
            total = None if more is None or total is None else total + more
    return NextBand(band.rating, band.at_least, lowest.short_by, total)


def _value(standing: Standing) -> tuple[int, Fraction]:
    return standing.order


def next_band_for_score(table: BandTable, score: int) -> NextBand | None:
    above = _band_above(table, Fraction(score))
    if above is None:
        return None
    threshold, band = above
    return NextBand(band.rating, band.at_least, float(threshold - score))
