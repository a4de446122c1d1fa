"""Run every static check on one methodology and say what was examined.

The checks are generic: they read the methodology's tables and never name a framework, so a
policy officer's variant is checked exactly as a bundled methodology is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from fractions import Fraction

from probation_rules.check.bands import band_findings, live_bands, points_findings, ratings_reached
from probation_rules.check.domains import MAX_RELEVANT, Domain, percent_domain, score_domain, scores_by_maximum
from probation_rules.check.findings import Finding, Report, sort_findings
from probation_rules.check.guidance import guidance_findings
from probation_rules.check.loading import load_for_check
from probation_rules.check.provenance import provenance_findings
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import counted, number

__all__ = ["check_methodology"]


def check_methodology(which: str | os.PathLike[str] | Methodology, *, max_relevant: int = MAX_RELEVANT) -> Report:
    """Every finding about a methodology (a bundled id, a TOML file, or one already loaded).

    A file the loader refuses gives a report of the loader's problems; raises
    :class:`~probation_rules.errors.UnknownMethodologyError` or
    :class:`~probation_rules.errors.InputFileError` (no such file, a directory; its subclass
    :class:`~probation_rules.errors.DocumentSyntaxError` for a file that is not UTF-8 text or not
    TOML) only when there is no methodology to check.
    """
    if isinstance(which, Methodology):
        m: Methodology | None = which
        file = which.source
        loaded: list[Finding] = []
    else:
        m, file, loaded = load_for_check(which)
    if m is None:
        return Report(file, None, tuple(loaded))
    percents = percent_domain(m.key_question_score.rounding, max_relevant)
    case_ratings = {live.band.rating for live in live_bands(m.key_question_bands, percents)}
    by_maximum = scores_by_maximum(m, case_ratings)
    findings = list(_findings(m, percents, case_ratings, by_maximum))
    return Report(file, (m.id, m.version), sort_findings(findings), tuple(_examined(m, max_relevant, percents, by_maximum)))


def _findings(m: Methodology, percents: Domain, case_ratings: set[str], by_maximum: dict[int, tuple[Fraction, ...]]) -> Iterator[Finding]:
    """``case_ratings``: the ratings the key-question bands give; ``by_maximum``: the scores each maximum can hold."""
    ratings = m.scale.ratings
    yield from band_findings(m.key_question_bands, "key_question_bands", percents, m, m.key_question_score.rounding)
    if any(s.kind == "case" for s in m.standards):
        judged = any(s.kind == "judged" for s in m.standards)
        for rating in ratings:
            if rating not in case_ratings and judged:
                yield Finding(
                    "unreachable-case-rating",
                    "key_question_bands.bands",
                    f"no key-question band gives {rating}, so no case-based standard can be rated {rating} (judged standards still can)",
                )
            elif rating not in case_ratings:
                yield Finding(
                    "unreachable-standard-rating",
                    "key_question_bands.bands",
                    f"no key-question band gives {rating}, and every standard is case-based, so no standard can be rated {rating}",
                )
    yield from points_findings(m)
    yield from band_findings(m.overall_bands, "overall_bands", score_domain(m, by_maximum), m)
    overall_ratings = set().union(*(ratings_reached(m.overall_bands_for(top), values) for top, values in by_maximum.items()))
    for rating in ratings:
        if rating not in overall_ratings:
            yield Finding(
                "unreachable-overall-rating",
                "overall_bands.bands",
                f"{_no_score(m, by_maximum)} falls in a band that gives {rating}, so no inspection can be rated {rating} overall",
            )
    yield from _rescaled_findings(m)
    yield from guidance_findings(m)
    yield from provenance_findings(m)


def _no_score(m: Methodology, by_maximum: dict[int, tuple[Fraction, ...]]) -> str:
    """No score the points can add up to, in words, naming the scores they can."""
    full = by_maximum.get(m.max_score, ())
    can = f"{number(full[0])} to {number(full[-1])}" if full and len(full) == full[-1] - full[0] + 1 else ", ".join(number(v) for v in full)
    scores = f"no score the points can add up to ({can}, out of {m.max_score})"
    if len(by_maximum) > 1:
        scores += ", nor any score with standards left unrated, on the bands for its reduced maximum,"
    return scores


def _rescaled_findings(m: Methodology) -> Iterator[Finding]:
    """Rescaling keeps 0 the lowest bound and every bound within the maximum, but may merge two bounds."""
    if m.not_rated is None or m.not_rated.rescale.method == "none":
        return
    index = {band.id: i for i, band in enumerate(m.overall_bands.bands)}
    merged: dict[tuple[str, str], list[str]] = {}
    for maximum in m.possible_maxima():
        rescaled = m.overall_bands_for(maximum).bands  # in the order of the stated bounds: the later of two merged wins
        for i, band in enumerate(rescaled):
            for later in rescaled[i + 1 :]:
                if later.at_least == band.at_least and later.rating != band.rating:
                    merged.setdefault((band.id, later.id), []).append(f"{maximum} ({number(band.at_least)})")
    bands = {band.id: band for band in m.overall_bands.bands}
    for (lost, wins), where in merged.items():
        first, second = bands[lost], bands[wins]
        yield Finding(
            "rescaled-overlap",
            f"overall_bands.bands[{index[wins]}].at_least",
            f"with standards unrated, {m.not_rated.rescale.id} moves {first.id} ({first.rating}) and {second.id} ({second.rating}) "
            f"to the same bound at a maximum score of {', '.join(where)}, where {second.id} wins and no score is rated {first.rating}",
        )


def _reached(m: Methodology, by_maximum: dict[int, tuple[Fraction, ...]]) -> str:
    """How many of the scores 0 to the maximum some choice of points, one per standard, adds up to, with every standard rated."""
    scores = m.max_score + 1
    reached = len(by_maximum[m.max_score])
    if reached == scores:
        return f"all {scores} can be reached with every standard rated"
    return f"{reached} of these {scores} can be reached with every standard rated: {', '.join(number(v) for v in by_maximum[m.max_score])}"


def _examined(m: Methodology, max_relevant: int, percents: Domain, by_maximum: dict[int, tuple[Fraction, ...]]) -> Iterator[str]:
    rounding = m.key_question_score.rounding
    shares = len(percents.practical)
    scope = "every percentage from 0 to 100" if rounding == "exact" else "every whole percentage from 0 to 100"
    yield (
        f"key_question_bands: {len(m.key_question_bands.bands)} bands over {scope} and every share of 1 to {max_relevant} "
        f'relevant cases ({shares} distinct values, "{rounding}" rounding)'
    )
    yield f"points: {len(m.points.rows)} ratings"
    reduced = [str(x) for x in m.possible_maxima() if x != m.max_score] if m.not_rated is not None else []
    rescaled = f", and as rescaled for every maximum unrated standards leave ({', '.join(reduced)})" if reduced else ""
    yield f"overall_bands: {len(m.overall_bands.bands)} bands over every score from 0 to {m.max_score} ({_reached(m, by_maximum)}){rescaled}"
    for g in m.guidance:
        n = len(m.informing_standards(g))
        yield f"{g.id}: {counted(len(g.rows), 'row')} over all {len(m.scale.ratings) ** n} profiles of {counted(n, 'informing rating')}"
    yield f"{sum(1 for _ in m.rules())} rules for a citation"
