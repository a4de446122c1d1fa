"""Reading a methodology's tables directly, as a person would, for the invariants to compare with.

Deliberately simple and separate from the compiler and from ``check``: a row condition is read
over the list of ratings ("every one at most X"), not over the lowest and highest as ``check``
reads it, so the two readings test each other.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fractions import Fraction

from probation_rules.methodology.schema import Band, BandTable, GuidanceRow, Methodology
from probation_rules.percent import as_fraction

__all__ = ["band_for", "interval", "overall_band_for", "overall_value", "rated_maximum", "rounded_percent", "row_holds"]


def rounded_percent(percent: Fraction, rounding: str) -> Fraction:
    """The percentage a band table is read at: as it is ("exact"), to the nearest whole one with halves up, or the whole one below.

    Written out here rather than taken from :mod:`probation_rules.percent`, so that the
    invariants do not share the engine's rounding and a rounding bug there shows up here.
    """
    whole = percent.numerator // percent.denominator
    if rounding == "nearest":
        return Fraction(whole + 1 if percent - whole >= Fraction(1, 2) else whole)
    if rounding == "down":
        return Fraction(whole)
    return percent


def band_for(table: BandTable, value: Fraction) -> Band | None:
    """The band a value falls in: the last, in order of lower bounds, starting at or below it."""
    found = None
    for band in sorted(table.bands, key=lambda b: as_fraction(b.at_least)):
        if as_fraction(band.at_least) <= value:
            found = band
    return found


def rated_maximum(m: Methodology, unrated: Collection[str]) -> int:
    """What the score is out of: the best rating's points for each scored standard that is rated."""
    best = max(row.points for row in m.points.rows)
    return best * len([s for s in m.standards if s.scored and s.id not in unrated])


def overall_value(m: Methodology, score: int, maximum: int) -> Fraction:
    """Where a score out of ``maximum`` falls on the stated overall table, as the ``not_rated`` rule states it.

    Out of the full maximum ``N``, at the score itself. Out of a reduced maximum ``M``,
    ``proportional`` places it at ``score * N / M`` (the rule's statement, not a rescaled table);
    ``none`` leaves it at the score.
    """
    full = rated_maximum(m, ())
    if maximum != full and maximum > 0 and m.not_rated is not None and m.not_rated.rescale.method == "proportional":
        return Fraction(score * full, maximum)
    return Fraction(score)


def overall_band_for(m: Methodology, score: int, maximum: int) -> Band | None:
    """The overall band of a score out of ``maximum``."""
    return band_for(m.overall_bands, overall_value(m, score, maximum))


def interval(table: BandTable, band: Band) -> tuple[Fraction, Fraction | None]:
    """A band's lower bound and the next band's (None for the top band)."""
    low = as_fraction(band.at_least)
    above = [as_fraction(b.at_least) for b in table.bands if as_fraction(b.at_least) > low]
    return low, min(above) if above else None


def row_holds(m: Methodology, row: GuidanceRow, ratings: Sequence[str | None]) -> bool:
    """Whether a row's conditions hold over the rated informing ratings (None: left unrated).

    With none rated, no row holds: the table indicates nothing.
    """
    ranks = [m.rank(r) for r in ratings if r is not None]
    if not ranks:
        return False
    tests = {
        "all_at_most": lambda x: all(r <= x for r in ranks),
        "all_at_least": lambda x: all(r >= x for r in ranks),
        "any_at_most": lambda x: any(r <= x for r in ranks),
        "any_at_least": lambda x: any(r >= x for r in ranks),
    }
    return all(tests[name](m.rank(rating)) for name, rating in row.conditions().items())
