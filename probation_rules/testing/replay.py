"""Replay a trace: the rules it names, applied to the inputs it records, give the result.

An auditor holds the trace, not the engine. So each entry must name the rule the methodology's
tables give for the entry's own inputs, and the ratings those rules give, put together as the
methodology says, must be the result's ratings, score and overall rating.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from probation_rules.methodology.schema import Band, Guidance, Methodology
from probation_rules.percent import as_fraction
from probation_rules.result import RatingResult
from probation_rules.testing._reading import band_for, overall_band_for, overall_value, rated_maximum, row_holds
from probation_rules.trace import TraceEntry

__all__ = ["replay_trace"]


def replay_trace(m: Methodology, result: RatingResult) -> None:
    """Raise AssertionError naming the first trace entry that does not replay."""
    _Replay(m, result).run()


class _Replay:
    def __init__(self, m: Methodology, result: RatingResult):
        self.m = m
        self.result = result
        self.rules = {rule.id: rule for rule in m.rules()}
        self.kq_bands = {b.id for b in m.key_question_bands.bands}
        self.overall_bands = {b.id for b in m.overall_bands.bands}
        self.points = {row.id: row for row in m.points.rows}
        self.rows = {row.id: (g, row) for g in m.guidance for row in g.rows}
        self.tables = {g.id: g for g in m.guidance}
        self.overrides = {g.override.id: g for g in m.guidance if g.override is not None}
        self.not_rated = m.not_rated.id if m.not_rated is not None else None
        self.rescale = m.not_rated.rescale.id if m.not_rated is not None else None
        self.ratings: dict[str, str | None] = {}
        self.unrated: set[str] = set()
        self.points_of: dict[str, int] = {}
        self.score: int | None = None
        self.maximum: int | None = None
        self.rescaled = False
        self.overall: str | None = None

    def run(self) -> None:
        steps = set()
        for e in self.result.trace:
            assert e.rule in self.rules, f"trace step {e.step} names {e.rule!r}, which is not a rule of {self.m.id}"
            rule = self.rules[e.rule]
            assert (e.citation, e.evidence) == (rule.citation, rule.evidence), f"trace step {e.step} misquotes the citation or evidence of {e.rule}"
            assert all(b in steps for b in e.because), f"trace step {e.step} depends on a step not before it: {e.because}"
            steps.add(e.step)
            self.entry(e)
        for s in self.m.standards:
            rated = self.result.standards[s.id].rating
            assert s.id in self.ratings, f"the trace neither rates {s.id} nor leaves it unrated; the result says {rated}"
            assert self.ratings[s.id] == rated, f"replaying the trace rates {s.id} {self.ratings[s.id]}, the result says {rated}"
        assert self.score == self.result.score, f"replaying the trace scores {self.score}, the result says {self.result.score}"
        assert self.maximum == self.result.max_score, f"replaying the trace scores out of {self.maximum}, the result says {self.result.max_score}"
        reduced = self.maximum != rated_maximum(self.m, ())
        assert self.rescaled == reduced, (
            f"the trace {'does not record' if reduced else 'records'} the rescaling of the overall bands, with a maximum of {self.maximum}"
        )
        assert self.overall == self.result.overall, f"replaying the trace rates {self.overall} overall, the result says {self.result.overall}"

    def entry(self, e: TraceEntry) -> None:
        m = self.m
        if e.rule in self.kq_bands and "/" in e.subject:
            band = band_for(m.key_question_bands, as_fraction(e.inputs["banded_percent"]))
            self.expect(e, band is not None and band.id == e.rule, f"a banded percentage of {e.inputs['banded_percent']} is in {band and band.id}")
            self.expect(e, band is not None and e.outcome["band"] == band.rating, "the band's rating")
        elif e.rule == m.case_rating.id:
            lowest = min(as_fraction(v) for v in e.inputs.values())
            band = band_for(m.key_question_bands, lowest)
            self.expect(e, band is not None and e.outcome["band"] == band.id, f"the lowest key question, {float(lowest):g}, is in {band and band.id}")
            self.expect(e, band is not None and e.outcome["rating"] == band.rating, "the lowest key question's band gives the rating")
            self.ratings[e.subject] = e.outcome["rating"]
        elif e.rule == self.not_rated:
            scored = m.standard(e.subject).scored
            reason = self.result.standards[e.subject].not_rated
            self.expect(e, e.outcome.get("rating", "") is None and dict(e.inputs) == {"not_rated": reason}, f"no rating, for the reason given ({reason!r})")
            self.expect(e, e.outcome.get("leaves_score_and_maximum", False) == scored, "a scored standard leaves the score and the maximum")
            self.ratings[e.subject] = None
            self.unrated.add(e.subject)
        elif e.rule == self.rescale:
            self.rescaling(e)
        elif e.rule == m.judged_rating.id:
            self.expect(e, e.outcome["rating"] == e.inputs["judgement"], "a judged standard takes the judgement")
            self.ratings[e.subject] = e.outcome["rating"]
        elif e.rule in self.rows:
            g, row = self.rows[e.rule]
            self.informing(e, g)
            self.expect(e, row_holds(m, row, list(e.inputs.values())), f"{row.id}'s conditions hold for {dict(e.inputs)}")
            self.expect(e, e.outcome["indicates"] == row.indicates, f"{row.id} indicates {row.indicates}")
        elif e.rule in self.tables and "indicates" in e.outcome:
            g = self.tables[e.rule]
            self.informing(e, g)
            self.expect(e, not any(row_holds(m, row, list(e.inputs.values())) for row in g.rows), f"no row of {g.id} holds for {dict(e.inputs)}")
        elif (e.rule in self.tables or e.rule in self.overrides) and "rating" in e.outcome:
            self.guided(e, self.tables.get(e.rule) or self.overrides[e.rule])
        elif e.rule in self.points:
            earns = self.points[e.rule]
            self.expect(e, e.inputs["rating"] == earns.rating == self.ratings.get(e.subject), f"{earns.id} is for {earns.rating}, the rating of {e.subject}")
            self.expect(e, e.outcome["points"] == earns.points, f"{earns.rating} earns {earns.points}")
            self.points_of[e.subject] = earns.points
        elif e.rule == m.score.id:
            self.maximum = rated_maximum(m, self.unrated)
            self.expect(e, dict(e.inputs) == self.points_of, f"the score adds the points given: {self.points_of}")
            self.expect(e, e.outcome["score"] == sum(self.points_of.values()), "the score is the sum of the points")
            self.expect(e, e.outcome.get("max_score") == self.maximum, f"the score is out of {self.maximum}, the rated standards' maximum")
            self.score = e.outcome["score"]
        elif e.rule in self.overall_bands:
            score, maximum = e.inputs["score"], e.inputs.get("max_score")
            band = overall_band_for(m, score, self.maximum or 0)
            self.expect(e, score == self.score and maximum == self.maximum, f"the score replayed, {self.score} of {self.maximum}")
            self.expect(e, band is not None and band.id == e.rule, f"a score of {score} of {self.maximum} is in {band and band.id}")
            self.expect(e, band is not None and e.outcome["rating"] == band.rating, "the band's rating")
            self.overall = e.outcome["rating"]

    def rescaling(self, e: TraceEntry) -> None:
        """The bands moved to the reduced maximum: each starts at the least whole score the rule places in it."""
        m, maximum, full = self.m, self.maximum, rated_maximum(self.m, ())
        self.expect(e, maximum is not None and dict(e.inputs) == {"max_score": maximum, "full_max_score": full}, f"a maximum of {maximum} out of {full}")
        self.expect(e, maximum is not None and maximum < full, "a maximum reduced by unrated standards")
        assert maximum is not None
        starts: dict[str, int] = {}
        for band in sorted(m.overall_bands.bands, key=lambda b: as_fraction(b.at_least)):
            starts[band.rating] = _least_score_from(m, band, maximum)
        self.expect(e, e.outcome == {"bands_from": starts}, f"the bands rescaled to {maximum} start at {starts}")
        self.rescaled = True

    def informing(self, e: TraceEntry, g: Guidance) -> None:
        given = {s.id: self.ratings.get(s.id) for s in self.m.informing_standards(g)}
        self.expect(e, dict(e.inputs) == given, f"{g.id} reads the informing ratings given before it: {given}")

    def guided(self, e: TraceEntry, g: Guidance) -> None:
        m, o = self.m, g.override
        judged = m.rank(e.inputs["judgement"])
        indicated = None if e.inputs["indicated"] is None else m.rank(e.inputs["indicated"])
        exception = o is not None and indicated is not None and e.inputs["strengths"] >= o.min_strengths and judged > indicated
        if o is not None and e.rule == o.id:
            self.expect(e, exception, f"{o.id} applies only with {o.min_strengths} strength(s) and a judgement above the indication")
            assert o is not None and indicated is not None
            expected = min(judged, indicated + o.max_bands_up)
            self.expect(e, e.outcome.get("capped") == (judged - indicated > o.max_bands_up), "the departure is marked capped exactly when cut back")
        else:
            self.expect(e, not exception, f"{g.id} stands only when its exception does not apply")
            expected = judged if indicated is None else indicated if g.mode == "exact" else min(judged, indicated)
        self.expect(e, e.outcome["rating"] == m.scale.ratings[expected], f"{e.rule} gives {m.scale.ratings[expected]}")
        self.ratings[e.subject] = e.outcome["rating"]

    def expect(self, e: TraceEntry, holds: Any, what: str) -> None:
        assert holds, f"trace step {e.step} ({e.rule} for {e.subject}) does not replay: expected {what}; the entry says {dict(e.inputs)} -> {dict(e.outcome)}"


def _least_score_from(m: Methodology, band: Band, maximum: int) -> int:
    """The least whole score out of ``maximum`` that falls at or above the band's bound on the stated table."""
    bound = as_fraction(band.at_least)
    start = max(0, math.floor(bound * maximum / max(rated_maximum(m, ()), 1)) - 1)  # the search only starts near the answer
    return next(score for score in itertools.count(start) if overall_value(m, score, maximum) >= bound)
