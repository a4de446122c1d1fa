"""Flip distances: the fewest case judgements that would change a band, a standard or the overall rating.

A case judgement is one relevant case's answer to one key question, yes or no; a flip turns one
such answer over, among the same relevant cases (so a key question's number of relevant cases never
changes). All distances are exact minima, found by exhausting the finite possibilities:

- a key question moves a band when its yes count crosses the band edge in either direction;
- under 'lowest drives', a standard is rated exactly R when every key question is in R's band or
  above and at least one is in R's band, so the cheapest way to rate it R is, over the choice of
  that one key question, the cost of putting it in R's band plus the cost of lifting every other
  key question to R's band or above;
- a guided standard's rating is the engine's, through the guidance and any override, for each
  profile of the case-based standards that inform it; the dynamic programme below gives the
  cheapest way to reach every profile, so the cheapest change of the guided rating is the
  cheapest profile on which the engine rates it otherwise;
- the overall rating combines those per-standard costs: a small dynamic programme over the
  standards' possible ratings, keeping the cheapest way to reach each (guidance profile, points)
  state; the engine re-applies the guidance to each profile, so raising a case-based standard
  that informs a guided one is costed with its full effect on the score.

Judged standards are not changed by case judgements; their single-step effects are listed apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import attrs

from probation_rules import rate
from probation_rules.inspection import JudgedEvidence
from probation_rules.robustness.model import CountedQuestion, GuidedOutcome, Profile, Unit

__all__ = [
    "Change",
    "Flip",
    "JudgementStep",
    "OverallFlip",
    "StandardMove",
    "cheapest_profiles",
    "guided_flips",
    "judgement_steps",
    "key_question_flips",
    "overall_flips",
    "standard_costs",
    "standard_flips",
]


@attrs.frozen
class Change:
    """Turn this many answers of one key question over: its yes count goes from ``yes`` to ``to_yes``."""

    standard: str
    key_question: str
    yes: int
    to_yes: int
    relevant: int

    @property
    def judgements(self) -> int:
        return abs(self.to_yes - self.yes)


@attrs.frozen
class StandardMove:
    standard: str
    rating: str
    to_rating: str
    judgements: int


@attrs.frozen
class Flip:
    """The cheapest set of changes that gives ``rating`` (a key question's band or a standard's rating).

    For a guided standard, ``moves`` are the case-based standards that inform it whose ratings
    the changes move (its rating follows from theirs through the guidance); for a key question or
    a case-based standard they are empty, the changes being its own.
    """

    judgements: int
    rating: str
    changes: tuple[Change, ...]
    moves: tuple[StandardMove, ...] = ()


@attrs.frozen
class OverallFlip:
    """The cheapest case judgements that change the overall rating, and what they change on the way."""

    judgements: int
    rating: str
    score: int
    moves: tuple[StandardMove, ...]
    changes: tuple[Change, ...]
    guided: Mapping[str, tuple[str | None, str | None]] = attrs.field(factory=dict)
    """Standards re-rated by the engine's guidance on the way: id -> (before, after)."""


@attrs.frozen
class JudgementStep:
    """The inspectors' judgement of one standard moved ``bands`` bands, all else as inspected."""

    standard: str
    judgement: str
    to_judgement: str
    bands: int
    rating: str | None
    overall: str
    score: int


def _closest(q: CountedQuestion, *, at_least: int | None = None, exactly: int | None = None) -> int | None:
    """The yes count nearest ``q.yes`` whose band satisfies the test; None if no count does."""
    for distance in range(q.relevant + 1):
        for yes in (q.yes + distance, q.yes - distance):
            if not 0 <= yes <= q.relevant:
                continue
            rank = q.ranks[yes]
            if rank is None:
                continue
            if (at_least is not None and rank >= at_least) or (exactly is not None and rank == exactly):
                return yes
    return None


def key_question_flips(q: CountedQuestion, ratings: tuple[str, ...]) -> tuple[Flip | None, Flip | None]:
    """The fewest answers turned over that move one key question's band (up, down)."""
    here = q.rank
    up = down = None
    if here is None:
        return None, None
    for yes in range(q.yes + 1, q.relevant + 1):
        rank = q.ranks[yes]
        if rank is not None and rank > here:
            up = Flip(yes - q.yes, ratings[rank], (Change(q.standard, q.id, q.yes, yes, q.relevant),))
            break
    for yes in range(q.yes - 1, -1, -1):
        rank = q.ranks[yes]
        if rank is not None and rank < here:
            down = Flip(q.yes - yes, ratings[rank], (Change(q.standard, q.id, q.yes, yes, q.relevant),))
            break
    return up, down


def standard_costs(unit: Unit, standard_id: str) -> dict[int, Flip]:
    """For each rating the standard can reach, the cheapest changes that rate it exactly that."""
    questions = unit.questions[standard_id]
    ratings = unit.m.scale.ratings
    out: dict[int, Flip] = {}
    for target in range(len(ratings)):
        lifted: dict[str, int] = {}
        for q in questions:
            yes = _closest(q, at_least=target)
            if yes is None:
                break
            lifted[q.id] = yes
        else:
            best: tuple[int, dict[str, int]] | None = None
            for pivot in questions:
                placed = _closest(pivot, exactly=target)
                if placed is None:
                    continue
                counts = {**lifted, pivot.id: placed}
                cost = sum(abs(counts[q.id] - q.yes) for q in questions)
                if best is None or cost < best[0]:
                    best = (cost, counts)
            if best is not None:
                changes = tuple(Change(standard_id, q.id, q.yes, best[1][q.id], q.relevant) for q in questions if best[1][q.id] != q.yes)
                out[target] = Flip(best[0], ratings[target], changes)
    return out


def standard_flips(unit: Unit, standard_id: str) -> tuple[Flip | None, Flip | None]:
    """The fewest case judgements that raise (first) or lower (second) a varying standard's rating."""
    here = unit.rank_of(standard_id)
    assert here is not None
    costs = standard_costs(unit, standard_id)
    up = min((f for r, f in sorted(costs.items()) if r > here), key=lambda f: f.judgements, default=None)
    down = min((f for r, f in sorted(costs.items(), reverse=True) if r < here), key=lambda f: f.judgements, default=None)
    return up, down


_State = tuple[Profile, int]


def _states(unit: Unit) -> Iterator[tuple[_State, tuple[int, tuple[tuple[str, int, Flip], ...]]]]:
    """Every reachable (guidance profile, case points) state with its cheapest assignment."""
    states: dict[_State, tuple[int, tuple[tuple[str, int, Flip], ...]]] = {((), 0): (0, ())}
    for sid in unit.varying:
        options = standard_costs(unit, sid)
        informs = sid in unit.informing
        grown: dict[_State, tuple[int, tuple[tuple[str, int, Flip], ...]]] = {}
        for (profile, points), (cost, chosen) in states.items():
            for rank, flip in options.items():
                new_profile = _grow(profile, rank, unit.symmetric) if informs else profile
                key = (new_profile, points + (unit.points(rank) if unit.scored(sid) else 0))
                total = cost + flip.judgements
                if key not in grown or total < grown[key][0]:
                    grown[key] = (total, (*chosen, (sid, rank, flip)))
        states = grown
    yield from states.items()


def _grow(profile: Profile, rank: int, symmetric: bool) -> Profile:
    return tuple(sorted((*profile, rank))) if symmetric else (*profile, rank)


_Chosen = tuple[tuple[str, int, Flip], ...]


def cheapest_profiles(unit: Unit) -> dict[Profile, tuple[int, _Chosen]]:
    """Every reachable guidance profile with its cheapest assignment (whatever the points)."""
    best: dict[Profile, tuple[int, _Chosen]] = {}
    for (profile, _), (cost, chosen) in _states(unit):
        if profile not in best or cost < best[profile][0]:
            best[profile] = (cost, chosen)
    return best


def guided_flips(unit: Unit, standard_id: str) -> tuple[Flip | None, Flip | None, tuple[GuidedOutcome, ...]]:
    """The fewest case judgements that raise (first) or lower (second) a guided standard's rating.

    The engine rates the guided standard on every reachable profile of the varying case-based
    standards that inform it (the judgement and strengths as inspected); the third item is every
    distinct way it did so, for saying why the rating holds where no judgements move it.
    On equal cost the nearer rating is reported, as for a case-based standard.
    """
    m = unit.m
    rating = unit.result.standards[standard_id].rating
    assert rating is not None
    here = m.rank(rating)
    found: dict[int, tuple[int, _Chosen]] = {}
    outcomes: dict[GuidedOutcome, None] = {}
    for profile, (cost, chosen) in cheapest_profiles(unit).items():
        fixed = unit.fixed_part(profile)
        outcome = fixed.guided.get(standard_id)
        if outcome is not None:
            outcomes[outcome] = None
        after = fixed.ratings.get(standard_id)
        if after is None:
            continue
        rank = m.rank(after)
        if rank not in found or cost < found[rank][0]:
            found[rank] = (cost, chosen)

    def flip(rank: int) -> Flip:
        cost, chosen = found[rank]
        moved = [(sid, r, f) for sid, r, f in chosen if f.judgements]
        moves = tuple(StandardMove(sid, m.scale.ratings[unit.rank_of(sid) or 0], m.scale.ratings[r], f.judgements) for sid, r, f in moved)
        return Flip(cost, m.scale.ratings[rank], tuple(c for _, _, f in moved for c in f.changes), moves)

    up = min((flip(r) for r in sorted(found) if r > here), key=lambda f: f.judgements, default=None)
    down = min((flip(r) for r in sorted(found, reverse=True) if r < here), key=lambda f: f.judgements, default=None)
    return up, down, tuple(outcomes)


def overall_flips(unit: Unit) -> tuple[OverallFlip | None, OverallFlip | None]:
    """The fewest case judgements that raise (first) or lower (second) the overall rating."""
    m = unit.m
    here = m.rank(unit.result.overall)
    observed = unit.fixed_part(unit.signature({sid: unit.rank_of(sid) or 0 for sid in unit.varying}))
    best: dict[str, tuple[int, OverallFlip]] = {}
    for (profile, points), (cost, chosen) in _states(unit):
        fixed = unit.fixed_part(profile)
        score = fixed.points + points
        rank = unit.overall_rank(score)
        if rank == here:
            continue
        direction = "up" if rank > here else "down"
        if direction in best and best[direction][0] <= cost:
            continue
        moves = tuple(StandardMove(sid, m.scale.ratings[unit.rank_of(sid) or 0], m.scale.ratings[r], f.judgements) for sid, r, f in chosen if f.judgements)
        guided = {sid: (observed.ratings[sid], rating) for sid, rating in fixed.ratings.items() if rating != observed.ratings.get(sid)}
        changes = tuple(c for _, _, f in chosen for c in f.changes)
        best[direction] = (cost, OverallFlip(cost, m.scale.ratings[rank], score, moves, changes, guided))
    return (best["up"][1] if "up" in best else None), (best["down"][1] if "down" in best else None)


def judgement_steps(unit: Unit) -> tuple[JudgementStep, ...]:
    """For each judged standard, the smallest move of the judgement up and down that changes the overall rating."""
    m = unit.m
    inspection = unit.inspection
    steps: list[JudgementStep] = []
    for s in m.standards:
        evidence = inspection.standards.get(s.id)
        if s.kind != "judged" or not isinstance(evidence, JudgedEvidence):
            continue
        here = m.rank(evidence.judgement)
        for direction in (1, -1):
            target = here + direction
            while 0 <= target < len(m.scale.ratings):
                changed = attrs.evolve(evidence, judgement=m.scale.ratings[target])
                result = rate(attrs.evolve(inspection, standards={**inspection.standards, s.id: changed}), m)
                if result.overall != unit.result.overall:
                    rating = result.standards[s.id].rating
                    steps.append(JudgementStep(s.id, evidence.judgement, m.scale.ratings[target], target - here, rating, result.overall, result.score))
                    break
                target += direction
    return tuple(steps)
