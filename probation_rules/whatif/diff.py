"""A semantic diff of two methodologies: every input whose outcome changes, with no inspections.

A threshold edit reads simply ("Good from 70, not 65") but what it does depends on rounding, on
sample sizes and on the tables around it. This module answers exactly, by reading the tables
(as ``check`` does) rather than rating inspections:

- key-question bands: the percentage ranges whose band changes, each side under its own rounding
  rule; the shares k of n relevant cases (n = 10 to 40) that change; and a warning for a range no
  share of a typical sample falls in (at 20 cases percentages move in steps of 5, so a threshold
  moved from 65 to 66 changes no rating);
- overall bands: the scores whose rating changes, for every maximum score both sides can have;
- guidance tables: every profile of informing ratings whose indication changes (all of them,
  enumerated), and every (indication, judgement, number of strengths) whose guided rating
  changes, for the indications some row gives, with strengths in ranges cut at each side's
  ``min_strengths`` (">= 1 strength", not 1, 2, 3, ... one by one).

The inputs are finite or piecewise constant, so the lists are complete, not sampled: a
percentage's band can change only where some threshold of either side, after rounding, starts a
band, and between two such points both sides are constant.
"""

from __future__ import annotations

import itertools
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from probation_rules.errors import Problem, UsageError
from probation_rules.methodology.loader import load_methodology
from probation_rules.methodology.schema import BandTable, Guidance, GuidanceRow, Methodology, Rounding
from probation_rules.percent import as_fraction, banded, counted, number
from probation_rules.whatif.changes import RuleChange, rule_changes

__all__ = [
    "SAMPLE_SIZES",
    "TYPICAL_CASES",
    "GuidedChange",
    "MethodologyDiff",
    "PercentRegion",
    "ProfileChange",
    "ScoreChange",
    "ShareChange",
    "diff",
]

SAMPLE_SIZES = range(10, 41)
"""Numbers of relevant cases a key question typically has in an inspection."""
TYPICAL_CASES = 20
"""The usual sample: cases inspected per probation delivery unit."""
_MAX_PROFILES = 6**6
"""Guidance tables read a handful of standards; past this, profiles are not listed one by one."""

NONE = "(none)"
"""No indication (the judgement stands), or no band: shown in words, and null in JSON."""
NO_ROW = "no row (judgement stands)"
"""How a report shows a profile no guidance row covers."""
NO_BAND = "no band"


def _json(value: str) -> str | None:
    return None if value == NONE else value


def indication_text(value: str) -> str:
    """A guidance indication as a report shows it."""
    return NO_ROW if value == NONE else value


def band_text(value: str) -> str:
    """A band as a report shows it."""
    return NO_BAND if value == NONE else value


@attrs.frozen
class PercentRegion:
    """Percentages from ``low`` up to ``high`` (included when ``closed``) that change band."""

    low: Fraction
    high: Fraction
    closed: bool
    baseline: str
    candidate: str

    def contains(self, p: Fraction) -> bool:
        return self.low <= p < self.high or (self.closed and p == self.high)

    def text(self) -> str:
        upper = f"<= {number(self.high)}" if self.closed else f"< {number(self.high)}"
        return f"{number(self.low)} <= p {upper}: {band_text(self.baseline)} -> {band_text(self.candidate)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": float(self.low),
            "to": float(self.high),
            "to_included": self.closed,
            "baseline": _json(self.baseline),
            "candidate": _json(self.candidate),
        }


@attrs.frozen
class ShareChange:
    """k yes of n relevant cases whose band changes."""

    yes: int
    relevant: int
    baseline: str
    candidate: str

    def to_dict(self) -> dict[str, Any]:
        return {"yes": self.yes, "relevant": self.relevant, "baseline": _json(self.baseline), "candidate": _json(self.candidate)}


@attrs.frozen
class ScoreChange:
    max_score: int
    score: int
    baseline: str
    candidate: str

    def to_dict(self) -> dict[str, Any]:
        return {"max_score": self.max_score, "score": self.score, "baseline": _json(self.baseline), "candidate": _json(self.candidate)}


@attrs.frozen
class ProfileChange:
    """One profile of informing ratings whose indication changes."""

    table: str
    profile: tuple[tuple[str, str], ...]
    baseline: str
    candidate: str

    def text(self) -> str:
        return ", ".join(f"{sid} {rating}" for sid, rating in self.profile) + f": {indication_text(self.baseline)} -> {indication_text(self.candidate)}"

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "profile": dict(self.profile), "baseline": _json(self.baseline), "candidate": _json(self.candidate)}


@attrs.frozen
class GuidedChange:
    """An indication some row gives, a judgement and a range of strengths, whose guided rating changes.

    The override counts strengths against a minimum, so the ranges run between the two sides'
    ``min_strengths``: from ``strengths`` up to ``strengths_up_to`` (included; None: no limit).
    """

    table: str
    indicated: str
    judgement: str
    strengths: int
    baseline: str
    candidate: str
    strengths_up_to: int | None = None

    def covers(self, strengths: int) -> bool:
        return self.strengths <= strengths and (self.strengths_up_to is None or strengths <= self.strengths_up_to)

    def strengths_text(self) -> str:
        low, high = self.strengths, self.strengths_up_to
        if high is None:
            return "any number of strengths" if low == 0 else f">= {counted(low, 'strength')}"
        if low == high:
            return counted(low, "strength")
        return f"{low} to {high} strengths"

    def text(self) -> str:
        return f"indicated {self.indicated}, judged {self.judgement}, {self.strengths_text()}: {self.baseline} -> {self.candidate}"

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class MethodologyDiff:
    baseline: str
    candidate: str
    rule_changes: tuple[RuleChange, ...]
    percent_regions: tuple[PercentRegion, ...]
    shares: tuple[ShareChange, ...]
    scores: tuple[ScoreChange, ...]
    profiles: tuple[ProfileChange, ...]
    guided: tuple[GuidedChange, ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...] = ()
    typical: int = TYPICAL_CASES
    """The sample size the reports single out (and the warnings are about)."""

    @property
    def changes_outcomes(self) -> bool:
        return bool(self.percent_regions or self.scores or self.profiles or self.guided)

    def to_dict(self) -> dict[str, Any]:
        return {
            "diff_version": "1",
            "baseline": self.baseline,
            "candidate": self.candidate,
            "rule_changes": [c.to_dict() for c in self.rule_changes],
            "key_question_bands": {"percentages": [r.to_dict() for r in self.percent_regions], "shares": [s.to_dict() for s in self.shares]},
            "overall_bands": [s.to_dict() for s in self.scores],
            "guidance": [p.to_dict() for p in self.profiles],
            "guided": [g.to_dict() for g in self.guided],
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }

    def to_text(self, limit: int | None = 40) -> str:
        from probation_rules.whatif.diff_report import text

        return text(self, limit)

    def to_markdown(self, limit: int | None = 200) -> str:
        from probation_rules.whatif.diff_report import markdown

        return markdown(self, limit)


def _band(table: BandTable, value: Fraction) -> str:
    """The rating of the last band (by lower bound) starting at or below ``value``; later rows win ties."""
    found = NONE
    best: Fraction | None = None
    for band in table.bands:
        low = as_fraction(band.at_least)
        if low <= value and (best is None or low >= best):
            found, best = band.rating, low
    return found


def _starts(t: Fraction, rounding: Rounding) -> Fraction:
    """The smallest raw percentage whose rounded value reaches ``t``."""
    if rounding == "nearest":
        return Fraction(math.ceil(t)) - Fraction(1, 2)
    if rounding == "down":
        return Fraction(math.ceil(t))
    return t


def percent_regions(a: Methodology, b: Methodology) -> list[PercentRegion]:
    """Every range of percentages from 0 to 100 whose key-question band differs."""
    ra, rb = a.key_question_score.rounding, b.key_question_score.rounding

    def rating(m: Methodology, rounding: Rounding, p: Fraction) -> str:
        return _band(m.key_question_bands, banded(p, rounding))

    points = {Fraction(0), Fraction(100)}
    for m, rounding in ((a, ra), (b, rb)):
        points |= {_starts(as_fraction(band.at_least), rounding) for band in m.key_question_bands.bands}
    cuts = sorted(p for p in points if 0 <= p <= 100)
    pieces = [(low, high, False) for low, high in itertools.pairwise(cuts)] + [(Fraction(100), Fraction(100), True)]
    regions: list[PercentRegion] = []
    for low, high, closed in pieces:
        old, new = rating(a, ra, low), rating(b, rb, low)
        if old == new:
            continue
        last = regions[-1] if regions else None
        if last is not None and last.high == low and not last.closed and (last.baseline, last.candidate) == (old, new):
            regions[-1] = attrs.evolve(last, high=high, closed=closed)
        else:
            regions.append(PercentRegion(low, high, closed, old, new))
    return regions


def share_changes(a: Methodology, b: Methodology, sizes: Sequence[int] = SAMPLE_SIZES) -> list[ShareChange]:
    ra, rb = a.key_question_score.rounding, b.key_question_score.rounding
    out = []
    for n in sizes:
        for k in range(n + 1):
            p = Fraction(100 * k, n)
            old, new = _band(a.key_question_bands, banded(p, ra)), _band(b.key_question_bands, banded(p, rb))
            if old != new:
                out.append(ShareChange(k, n, old, new))
    return out


def score_changes(a: Methodology, b: Methodology) -> tuple[list[ScoreChange], list[str]]:
    """Scores whose overall rating changes, for every maximum both sides can have."""
    notes = []
    maxima = sorted(set(a.possible_maxima()) & set(b.possible_maxima()) | {a.max_score} & {b.max_score})
    if a.max_score != b.max_score:
        notes.append(f"the maximum score differs ({a.max_score} and {b.max_score}): scores are compared for the maxima both can have")
    out = []
    for maximum in maxima:
        old_table, new_table = a.overall_bands_for(maximum), b.overall_bands_for(maximum)
        for score in range(maximum + 1):
            old, new = _band(old_table, Fraction(score)), _band(new_table, Fraction(score))
            if old != new:
                out.append(ScoreChange(maximum, score, old, new))
    return out, notes


def _holds(m: Methodology, row: GuidanceRow, ranks: Sequence[int]) -> bool:
    tests = {
        "all_at_most": lambda x: all(r <= x for r in ranks),
        "all_at_least": lambda x: all(r >= x for r in ranks),
        "any_at_most": lambda x: any(r <= x for r in ranks),
        "any_at_least": lambda x: any(r >= x for r in ranks),
    }
    return all(tests[name](m.rank(rating)) for name, rating in row.conditions().items())


def _indication(m: Methodology, g: Guidance, ranks: Sequence[int]) -> str:
    found = {row.indicates for row in g.rows if _holds(m, row, ranks)}
    if not found:
        return NONE
    return found.pop() if len(found) == 1 else "conflict: " + " or ".join(sorted(found))


def profile_changes(a: Methodology, b: Methodology) -> tuple[list[ProfileChange], list[str]]:
    """Every profile of informing ratings whose indication changes, for tables both sides have."""
    notes: list[str] = []
    out: list[ProfileChange] = []
    theirs = {g.id: g for g in b.guidance}
    if a.scale.ratings != b.scale.ratings:
        return [], ["the scales differ, so guidance profiles are not compared"]
    ratings = a.scale.ratings
    for ga in a.guidance:
        gb = theirs.get(ga.id)
        if gb is None:
            continue
        ids_a = [s.id for s in a.informing_standards(ga)]
        ids_b = [s.id for s in b.informing_standards(gb)]
        ids = ids_a + [s for s in ids_b if s not in ids_a]
        if len(ratings) ** len(ids) > _MAX_PROFILES:
            notes.append(f"{ga.id}: {len(ratings) ** len(ids):,} profiles, too many to list")
            continue
        for profile in itertools.product(range(len(ratings)), repeat=len(ids)):
            given = dict(zip(ids, profile, strict=True))
            old = _indication(a, ga, [given[s] for s in ids_a])
            new = _indication(b, gb, [given[s] for s in ids_b])
            if old != new:
                out.append(ProfileChange(ga.id, tuple((s, ratings[given[s]]) for s in ids), old, new))
    return out, notes


def _guided(m: Methodology, g: Guidance, indicated: int | None, judged: int, strengths: int) -> int:
    o = g.override
    if indicated is None:
        return judged
    if o is not None and strengths >= o.min_strengths and judged > indicated:
        return min(judged, indicated + o.max_bands_up, len(m.scale.ratings) - 1)
    return indicated if g.mode == "exact" else min(judged, indicated)


def _strength_ranges(*tables: Guidance) -> list[tuple[int, int | None]]:
    """Ranges of strengths over which every override in ``tables`` applies or not alike: cut at each ``min_strengths``."""
    cuts = sorted({0} | {g.override.min_strengths for g in tables if g.override is not None})
    return [(low, high - 1) for low, high in itertools.pairwise(cuts)] + [(cuts[-1], None)]


def guided_changes(a: Methodology, b: Methodology) -> list[GuidedChange]:
    """Every (indication, judgement, range of strengths) whose guided rating changes, for tables both sides have.

    Only indications some row of either side gives are listed: no inspection can be indicated anything else.
    """
    if a.scale.ratings != b.scale.ratings:
        return []
    ratings = a.scale.ratings
    theirs = {g.id: g for g in b.guidance}
    out = []
    for ga in a.guidance:
        gb = theirs.get(ga.id)
        if gb is None:
            continue
        given = {row.indicates for row in (*ga.rows, *gb.rows)}
        indications = [i for i, rating in enumerate(ratings) if rating in given]
        for indicated, judged in itertools.product(indications, range(len(ratings))):
            changes: list[GuidedChange] = []
            for low, high in _strength_ranges(ga, gb):
                old, new = _guided(a, ga, indicated, judged, low), _guided(b, gb, indicated, judged, low)
                if old == new:
                    continue
                last = changes[-1] if changes else None
                if last is not None and last.strengths_up_to == low - 1 and (last.baseline, last.candidate) == (ratings[old], ratings[new]):
                    changes[-1] = attrs.evolve(last, strengths_up_to=high)
                else:
                    changes.append(GuidedChange(ga.id, ratings[indicated], ratings[judged], low, ratings[old], ratings[new], high))
            out += changes
    return out


def _region_warnings(regions: Sequence[PercentRegion], typical: int, sizes: Sequence[int]) -> Iterator[str]:
    step = number(Fraction(100, typical))
    for r in regions:
        if not any(r.contains(Fraction(100 * k, n)) for n in sizes for k in range(n + 1)):
            yield f"key-question bands: {r.text()}, but no share of {sizes[0]} to {sizes[-1]} relevant cases falls there: no inspection of those sizes changes"
        elif not any(r.contains(Fraction(100 * k, typical)) for k in range(typical + 1)):
            yield f"key-question bands: {r.text()}, but at {typical} relevant cases percentages move in steps of {step}, and none falls there"


def shape_of(m: Methodology) -> dict[str, tuple[str, ...]]:
    return {s.id: tuple(q.id for q in s.key_questions) for s in m.standards}


def diff(
    baseline: str | os.PathLike[str] | Methodology,
    candidate: str | os.PathLike[str] | Methodology,
    *,
    typical: int = TYPICAL_CASES,
    sizes: Sequence[int] = SAMPLE_SIZES,
) -> MethodologyDiff:
    """Everything that rates differently under ``candidate`` than under ``baseline``.

    ``typical`` relevant cases and each of ``sizes`` must be at least one: a share of no cases
    is no percentage.
    """
    problems = [Problem("typical", "must be at least 1 (a number of relevant cases)", typical)] if typical < 1 else []
    problems += [Problem("sizes", "must each be at least 1 (numbers of relevant cases)", n) for n in sizes if n < 1][:1]
    if problems:
        raise UsageError(problems)
    a, b = load_methodology(baseline), load_methodology(candidate)
    regions = percent_regions(a, b)
    scores, score_notes = score_changes(a, b)
    profiles, profile_notes = profile_changes(a, b)
    guided = guided_changes(a, b)
    warnings = list(_region_warnings(regions, typical, sizes))
    changes = rule_changes(a, b)
    rules = {r.id for r in b.rules()}
    touched = [c.address for c in changes if c.fields and c.address in rules]
    if touched and shape_of(a) == shape_of(b) and not (regions or scores or profiles or guided):
        warnings.append(f"{', '.join(touched)} changed, but no band table, guidance table or override rates anything differently")
    return MethodologyDiff(
        f"{a.id} {a.version}",
        f"{b.id} {b.version}",
        changes,
        tuple(regions),
        tuple(share_changes(a, b, sizes)),
        tuple(scores),
        tuple(profiles),
        tuple(guided),
        tuple(warnings),
        tuple(score_notes + profile_notes),
        typical,
    )


def summarise_shares(shares: Sequence[ShareChange]) -> Mapping[int, list[ShareChange]]:
    """Share changes by number of relevant cases."""
    out: dict[int, list[ShareChange]] = {}
    for s in shares:
        out.setdefault(s.relevant, []).append(s)
    return out
