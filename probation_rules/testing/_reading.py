"""Reading a methodology's tables directly, as a person would, for the invariants to compare with.

Deliberately simple and separate from the compiler and from ``check``: a row condition is read
over the list of ratings ("every one at most X"), not over the lowest and highest as ``check``
reads it, so the two readings test each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from probation_rules.methodology.schema import Band, BandTable, GuidanceRow, Methodology
from probation_rules.percent import as_fraction

__all__ = ["band_for", "interval", "row_holds"]


def band_for(table: BandTable, value: Fraction) -> Band | None:
    """The band a value falls in: the last, in order of lower bounds, starting at or below it."""
    found = None
    for band in sorted(table.bands, key=lambda b: as_fraction(b.at_least)):
        if as_fraction(band.at_least) <= value:
            found = band
    return found


def interval(table: BandTable, band: Band) -> tuple[Fraction, Fraction | None]:
    """A band's lower bound and the next band's (None for the top band)."""
    low = as_fraction(band.at_least)
    above = [as_fraction(b.at_least) for b in table.bands if as_fraction(b.at_least) > low]
    return low, min(above) if above else None


def row_holds(m: Methodology, row: GuidanceRow, ratings: Sequence[str]) -> bool:
    ranks = [m.rank(r) for r in ratings]
    tests = {
        "all_at_most": lambda x: all(r <= x for r in ranks),
        "all_at_least": lambda x: all(r >= x for r in ranks),
        "any_at_most": lambda x: any(r <= x for r in ranks),
        "any_at_least": lambda x: any(r >= x for r in ranks),
    }
    return all(tests[name](m.rank(rating)) for name, rating in row.conditions().items())
