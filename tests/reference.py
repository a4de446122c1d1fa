"""A reference evaluator: the methodology's meaning in plain Python, for differential testing.

Written from the methodology's documented meaning, not from the engine: it reads the inspection
document itself (not the library's loader), does its own arithmetic with exact fractions and
shares nothing with ``probation_rules.engine``, ``percent``, ``inspection`` or ``check``. If the
compiled durable-rules conditions and this file ever disagree, one of them misreads the
methodology.

The meaning, as the README and the schema state it:

* a key question's percentage is the value given, or 100 * yes / relevant, where relevant cases
  are those answered yes or no; it is rounded by the methodology's rule ("exact": not at all;
  "nearest": to a whole percentage, halves up; "down": to the whole percentage below);
* a band table gives a value the rating of the band with the greatest lower bound at or below it;
* a case-based standard takes the band of its lowest key question (the first such question in
  the methodology's order drives it); a judged standard takes the inspectors' judgement;
* a guidance row holds when all its conditions hold over the informing standards' ratings; the
  table indicates what its holding rows indicate; with no indication the judgement stands; in
  "exact" mode the indication replaces the judgement, in "ceiling" mode only a judgement above it;
* an override lets a judgement above the indication stand, with at least ``min_strengths``
  recorded strengths, but no more than ``max_bands_up`` bands above the indication;
* the score adds the points of the scored standards' ratings; the overall rating is the band
  of the score;
* a standard the inspectors leave unrated (``{"not_rated": reason}``, allowed only when the
  methodology has a ``not_rated`` section) gets no rating and no points, and drops out of the
  maximum score, which is the best rating's points for each rated scored standard; a guidance
  table reads only its rated informing standards, indicates nothing when none of them is rated,
  and is not consulted at all when its target is unrated;
* out of a reduced maximum ``M`` (the full one being ``N``), the ``proportional`` rescale places
  a score ``s`` in the stated band it would take scaled up to the full maximum: the band with the
  greatest lower bound at most ``s * N / M``; ``none`` reads ``s`` on the stated bands as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from probation_rules.methodology.schema import Methodology


@dataclass
class Expected:
    ratings: dict[str, str | None] = field(default_factory=dict)
    unrated: dict[str, str] = field(default_factory=dict)
    drivers: dict[str, str] = field(default_factory=dict)
    indicated: dict[str, str | None] = field(default_factory=dict)
    departed: dict[str, bool] = field(default_factory=dict)
    capped: dict[str, bool] = field(default_factory=dict)
    score: int = 0
    max_score: int = 0
    overall: str = ""


def written(value: int | float) -> Fraction:
    """A number as it is written in the document (64.9 is 649/10)."""
    return Fraction(Decimal(str(value)))


def rounded(p: Fraction, rule: str) -> Fraction:
    whole = p.numerator // p.denominator
    if rule == "down":
        return Fraction(whole)
    if rule == "nearest":
        return Fraction(whole + 1) if p - whole >= Fraction(1, 2) else Fraction(whole)
    assert rule == "exact"
    return p


def band_rating(bands: Any, value: Fraction) -> str:
    best = None
    for band in bands:
        bound = written(band.at_least)
        if bound <= value and (best is None or bound >= written(best.at_least)):
            best = band  # on equal bounds the later band wins, as the bands are read in order
    assert best is not None, f"no band for {value}"
    return str(best.rating)


def _percentages(m: Methodology, doc: dict[str, Any], standard: Any) -> list[Fraction]:
    given = doc.get("standards", {}).get(standard.id)
    out = []
    for q in standard.key_questions:
        if given is not None:
            value = given["key_questions"][q.id]
            p = Fraction(100 * value["yes"], value["relevant"]) if isinstance(value, dict) else written(value)
        else:
            answers = [case["answers"][standard.id][q.id] for case in doc.get("cases", []) if q.id in case["answers"].get(standard.id, {})]
            relevant = [a for a in answers if a != "n/a"]
            p = Fraction(100 * relevant.count("yes"), len(relevant))
        out.append(rounded(p, m.key_question_score.rounding))
    return out


def _holds(kind: str, bound: int, ranks: list[int]) -> bool:
    if kind == "all_at_most":
        return max(ranks) <= bound
    if kind == "all_at_least":
        return min(ranks) >= bound
    if kind == "any_at_most":
        return min(ranks) <= bound
    assert kind == "any_at_least"
    return max(ranks) >= bound


def evaluate(m: Methodology, doc: dict[str, Any]) -> Expected:
    scale = list(m.scale.ratings)
    out = Expected()
    targets = {g.target: g for g in m.guidance}
    out.unrated = {sid: e["not_rated"] for sid, e in doc.get("standards", {}).items() if isinstance(e, dict) and "not_rated" in e}
    for s in m.standards:
        if s.id in out.unrated:
            out.ratings[s.id] = None
        elif s.kind == "case":
            ps = _percentages(m, doc, s)
            lowest = min(ps)
            out.ratings[s.id] = band_rating(m.key_question_bands.bands, lowest)
            out.drivers[s.id] = s.key_questions[ps.index(lowest)].id
        elif s.id not in targets:
            out.ratings[s.id] = doc["standards"][s.id]["judgement"]
    for g in m.guidance:
        if g.target in out.unrated:
            continue
        informing = [
            scale.index(rating)
            for s in m.standards
            if (s.id in g.from_standards or (s.domain == g.from_domain and s.id != g.target)) and (rating := out.ratings[s.id]) is not None
        ]
        holding = [row for row in g.rows if informing and all(_holds(k, scale.index(v), informing) for k, v in row.conditions().items())]
        indications = {row.indicates for row in holding}
        assert len(indications) <= 1, "generated methodologies have no guidance conflicts"
        evidence = doc["standards"][g.target]
        judged = scale.index(evidence["judgement"])
        strengths = len(evidence.get("strengths", []))
        rating, departed, capped = judged, False, False
        if indications:
            ind = scale.index(indications.pop())
            o = g.override
            if judged > ind and o is not None and strengths >= o.min_strengths:
                departed, capped = True, judged - ind > o.max_bands_up
                rating = min(judged, ind + o.max_bands_up)
            elif g.mode == "exact" or judged > ind:
                rating = ind
            out.indicated[g.target] = scale[ind]
        else:
            out.indicated[g.target] = None
        out.ratings[g.target] = scale[rating]
        out.departed[g.target], out.capped[g.target] = departed, capped
    points = {row.rating: row.points for row in m.points.rows}
    best = max(points.values())
    rated = [rating for s in m.standards if s.scored and (rating := out.ratings[s.id]) is not None]
    out.score = sum(points[rating] for rating in rated)
    out.max_score = best * len(rated)
    full = best * sum(1 for s in m.standards if s.scored)
    placed = Fraction(out.score)
    if out.max_score != full and m.not_rated is not None and m.not_rated.rescale.method == "proportional":
        placed = Fraction(out.score * full, out.max_score)
    out.overall = band_rating(m.overall_bands.bands, placed)
    return out
