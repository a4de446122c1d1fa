"""Band tables against their whole domain: gaps, overlaps, unreachable bands, monotonicity.

A band table lists lower bounds only; the engine sorts the bands by ``at_least`` and lets each
run up to the next band's lower bound, the top band to the end of the domain. So a table cannot
overlap in the usual sense; what goes wrong instead is:

* the lowest band starts above 0: the values below it have no rating (a **gap**);
* two bands start at the same value: the later in the file wins and the other never applies
  (an **overlap** if their ratings differ, a duplicate if not);
* a band holds no value that can occur: after rounding to whole percentages ("nearest", "down"),
  or beyond the maximum score (**unreachable**), or no share of the relevant cases checked (a warning:
  a percentage typed in by hand still reaches it);
* a band higher up gives a lower rating than a band below it (**not monotone**).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction

import attrs

from probation_rules.check.domains import Domain, cases_needed
from probation_rules.check.findings import Finding
from probation_rules.methodology.schema import Band, BandTable, Methodology, Rounding
from probation_rules.percent import as_fraction, number

__all__ = ["LiveBand", "band_findings", "live_bands", "points_findings", "ratings_reached"]


@attrs.frozen
class LiveBand:
    """A band that some value of the domain falls in: from ``low`` up to ``high`` (None: the top)."""

    index: int
    band: Band
    low: Fraction
    high: Fraction | None


def live_bands(table: BandTable, domain: Domain) -> list[LiveBand]:
    """The bands that apply to some value, in order of their lower bounds."""
    return [live for live in _intervals(table) if live.high != live.low and domain.reaches(live.low, live.high)]


def ratings_reached(table: BandTable, values: Sequence[Fraction]) -> set[str]:
    """The ratings the table gives to some of ``values``."""
    return {
        live.band.rating for live in _intervals(table) if live.high != live.low and any(v >= live.low and (live.high is None or v < live.high) for v in values)
    }


def _intervals(table: BandTable) -> list[LiveBand]:
    ordered = sorted(enumerate(table.bands), key=lambda ib: as_fraction(ib[1].at_least))
    lows = [as_fraction(band.at_least) for _, band in ordered]
    return [LiveBand(i, band, lows[pos], lows[pos + 1] if pos + 1 < len(lows) else None) for pos, (i, band) in enumerate(ordered)]


def band_findings(table: BandTable, path: str, domain: Domain, m: Methodology, rounding: Rounding | None = None) -> Iterator[Finding]:
    """Every finding about one band table; ``rounding`` is given for key-question tables."""
    where = f"{path}.bands"
    intervals = _intervals(table)
    if not intervals:
        yield Finding("gap", where, f"the table has no bands, so no {domain.noun} gets a rating")
        return
    first = intervals[0]
    if first.low > 0:
        yield Finding(
            "gap",
            f"{where}[{first.index}].at_least",
            f"no band covers {domain.span(Fraction(0), first.low)}: the lowest band, {first.band.id}, starts at {number(first.low)}",
        )
    live: list[LiveBand] = []
    for pos, interval in enumerate(intervals):
        band = interval.band
        at = f"{where}[{interval.index}].at_least"
        if interval.high == interval.low:
            winner = intervals[pos + 1].band
            code = "duplicate-band" if winner.rating == band.rating else "overlap"
            yield Finding(
                code,
                at,
                f"{band.id} ({band.rating}) and {winner.id} ({winner.rating}) both start at {number(interval.low)}: "
                f"{winner.id}, later in the file, wins and {band.id} never applies",
            )
            continue
        if not domain.reaches(interval.low, interval.high):
            yield Finding("unreachable-band", at, f"{band.id} ({band.rating}) covers {_unreachable_span(interval, domain)}")
            continue
        live.append(interval)
        if not domain.practically_reaches(interval.low, interval.high):
            yield _impractical(interval, domain, at, rounding)
    yield from _monotone_findings(live, where, domain, m)


def _unreachable_span(interval: LiveBand, domain: Domain) -> str:
    span = domain.span(interval.low, interval.high)
    if interval.low > domain.top:
        return f"{span}, but the maximum {domain.noun} is {number(domain.top)}"
    return f"{span}, and no {domain.noun} falls there: {domain.why_finite}"


def _impractical(interval: LiveBand, domain: Domain, at: str, rounding: Rounding | None) -> Finding:
    band = interval.band
    span = domain.span(interval.low, interval.high)
    if rounding is None:
        return Finding("unreachable-score", at, f"{band.id} ({band.rating}) covers {span}, but no {domain.practical_what} falls there")
    needed = cases_needed(interval.low, interval.high, rounding, domain.max_relevant + 1)
    more = f"the fewest that can is {needed[1]} relevant cases ({needed[0]} yes)" if needed else "no number of cases up to 10,000 can"
    return Finding(
        "unreachable-with-cases", at, f'{band.id} ({band.rating}) covers {span}, but no {domain.practical_what} falls there ("{rounding}" rounding); {more}'
    )


def _monotone_findings(live: list[LiveBand], where: str, domain: Domain, m: Methodology) -> Iterator[Finding]:
    best: LiveBand | None = None
    previous: LiveBand | None = None
    for interval in live:
        band = interval.band
        at = f"{where}[{interval.index}].rating"
        if best is not None and m.rank(band.rating) < m.rank(best.band.rating):
            yield Finding(
                "not-monotone",
                at,
                f"{domain.span(interval.low, interval.high)} rate {band.rating} ({band.id}), lower than {best.band.rating} "
                f"for the lower {domain.span(best.low, best.high)} ({best.band.id}): a better {domain.noun} must not rate lower",
            )
        elif previous is not None and band.rating == previous.band.rating:
            yield Finding(
                "split-band",
                at,
                f"{band.id} and {previous.band.id} are adjacent and both give {band.rating}: one band split in two",
            )
        if best is None or m.rank(band.rating) > m.rank(best.band.rating):
            best = interval
        previous = interval


def points_findings(m: Methodology) -> Iterator[Finding]:
    """A better rating must not earn fewer points, or a better inspection could score lower."""
    rows = sorted(enumerate(m.points.rows), key=lambda ir: m.rank(ir[1].rating))
    for pos, (i, row) in enumerate(rows):
        for _, lower in rows[:pos]:
            if lower.points > row.points:
                yield Finding(
                    "not-monotone",
                    f"points.rows[{i}].points",
                    f"{row.rating} earns {row.points} point(s), fewer than the lower rating {lower.rating} ({lower.points}): "
                    "a better rating must not lower the score",
                )
                break
