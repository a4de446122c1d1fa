"""How a rating would fall on another sample of cases: exact binomial arithmetic, and a seeded simulation that checks it.

The model (a plug-in, 'parametric bootstrap' model, stated wherever its figures are shown):

- each key question's yes count on a new sample is Binomial(n, p), with n its number of relevant
  cases in this inspection and p its observed rate k/n;
- key questions are independent of one another, within a standard and across standards. This is
  an assumption, and its direction is known: the same case and practitioner stand behind all of a
  case's answers, so real answers are positively correlated. Positively correlated key questions
  are all in band R or above at least as often as independent ones, so the model overstates how
  often 'lowest drives' pulls a standard below a band (of independence and every positive
  correlation, the lowest-of-three effect is largest under independence, and it vanishes under
  perfect correlation, where the lowest of several key questions at one rate is just one of
  them), and understates how often all of a standard's key
  questions rise together. Across standards, positive correlation spreads the overall score more
  widely than the model does;
- judged standards, the inspectors' judgements and recorded strengths are held as inspected; guided
  standards are re-rated by the engine, applying the methodology's guidance (and any override) to
  each sampled profile of case-based ratings.

All probabilities are exact fractions (k/n is rational, so binomial probabilities are too); they
are turned into floats only for display. The overall rating's distribution is an exact convolution:
standards are independent, so a dynamic programme over (guidance profile, case points) states
carries exact probability, and the engine is asked once per distinct profile.

A rate of 0 or 1 has no sampling variation under this model: the key question is then certain on
a new sample, though its Clopper-Pearson interval shows how little 0 of n or n of n pins down.
"""

from __future__ import annotations

import bisect
import math
import random
import statistics
from collections.abc import Iterator, Mapping, Sequence
from fractions import Fraction

import attrs

from probation_rules._convert import render_path
from probation_rules.errors import Problem, UsageError
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import as_fraction, banded
from probation_rules.robustness.intervals import Interval, clopper_pearson
from probation_rules.robustness.model import EXACT_LIMIT, Profile, RobustnessError, Unit, band_rank, count_ranks

__all__ = [
    "SIMULATION_LIMIT",
    "Distribution",
    "LowestEffect",
    "Simulation",
    "binomial_pmf",
    "check_draws",
    "lowest_effect",
    "overall_distribution",
    "rating_distribution",
    "simulate",
    "standard_distribution",
]


def binomial_pmf(n: int, p: Fraction) -> tuple[Fraction, ...]:
    """P(X = k) for k = 0..n, exactly."""
    q = 1 - p
    return tuple(math.comb(n, k) * p**k * q ** (n - k) for k in range(n + 1))


def rating_distribution(ranks: Sequence[Sequence[int | None]], pmfs: Sequence[Sequence[Fraction]], scale: int, where: str = "") -> tuple[Fraction, ...]:
    """P(rating = r), r = 0..scale-1, of the lowest of independent key questions.

    ``ranks[i][k]`` is key question i's band rank at k yes; P(lowest >= r) is the product over
    key questions of P(band >= r), and each rating's probability is a difference of those.
    """
    at_least = []
    for r in range(scale + 1):
        product = Fraction(1)
        for table, pmf in zip(ranks, pmfs, strict=True):
            product *= sum((p for k, p in enumerate(pmf) if (rank := table[k]) is not None and rank >= r), Fraction(0))
        at_least.append(product)
    if at_least[0] != 1:
        raise RobustnessError(
            Problem(
                where or "key_question_bands",
                f"a new sample could give a percentage no band covers (probability {float(1 - at_least[0]):.3g}); "
                "run `probation-rules check` on the methodology",
            )
        )
    return tuple(at_least[r] - at_least[r + 1] for r in range(scale))


@attrs.frozen
class Distribution:
    """Exact probabilities of each rating, lowest first, and how likely the observed one is to change."""

    ratings: tuple[str, ...]
    probabilities: tuple[Fraction, ...]
    observed: str | None

    @property
    def differs(self) -> Fraction:
        """P(a new sample gives another rating than the observed one)."""
        if self.observed is None:
            return Fraction(0)
        return 1 - self.probabilities[self.ratings.index(self.observed)]

    def of(self, rating: str) -> Fraction:
        return self.probabilities[self.ratings.index(rating)]


def standard_distribution(unit: Unit, standard_id: str) -> Distribution:
    questions = unit.questions[standard_id]
    pmfs = [binomial_pmf(q.relevant, Fraction(q.yes, q.relevant)) for q in questions]
    ratings = unit.m.scale.ratings
    where = render_path(("standards", standard_id))
    probabilities = rating_distribution([q.ranks for q in questions], pmfs, len(ratings), where)
    return Distribution(ratings, probabilities, unit.result.standards[standard_id].rating)


def _profiles(unit: Unit) -> Iterator[tuple[tuple[Profile, int], Fraction]]:
    """Every (guidance profile, case points) state with its exact probability."""
    states: dict[tuple[Profile, int], Fraction] = {((), 0): Fraction(1)}
    for sid in unit.varying:
        dist = standard_distribution(unit, sid)
        informs = sid in unit.informing
        grown: dict[tuple[Profile, int], Fraction] = {}
        for (profile, points), p in states.items():
            for rank, q in enumerate(dist.probabilities):
                if q == 0:
                    continue
                new_profile = (tuple(sorted((*profile, rank))) if unit.symmetric else (*profile, rank)) if informs else profile
                key = (new_profile, points + (unit.points(rank) if unit.scored(sid) else 0))
                grown[key] = grown.get(key, Fraction(0)) + p * q
        states = grown
    yield from states.items()


def overall_distribution(unit: Unit) -> tuple[Distribution, dict[str, Distribution]]:
    """The overall rating's exact distribution, and that of every guided standard (the engine re-rates it per profile)."""
    m = unit.m
    ratings = m.scale.ratings
    overall = [Fraction(0)] * len(ratings)
    guided: dict[str, list[Fraction]] = {}
    for (profile, points), p in _profiles(unit):
        fixed = unit.fixed_part(profile)
        overall[unit.overall_rank(fixed.points + points)] += p
        for sid, rating in fixed.ratings.items():
            if rating is not None:
                guided.setdefault(sid, [Fraction(0)] * len(ratings))[m.rank(rating)] += p
    targets = [g.target for g in m.guidance if g.target in guided]
    moved = {sid: Distribution(ratings, tuple(guided[sid]), unit.result.standards[sid].rating) for sid in targets}
    return Distribution(ratings, tuple(overall), unit.result.overall), moved


@attrs.frozen
class Estimate:
    """A simulated probability: ``hits`` of ``draws``, with its stated error.

    The standard error sqrt(p(1-p)/draws) is for reading; the error the simulation states, and
    the one its agreement with the exact figures is tested against, is the Clopper-Pearson
    interval at the simulation's level, which stays honest for probabilities near 0 or 1 where a
    normal approximation does not (one hit in 3000 draws of a 1-in-100,000 event is no error).
    """

    hits: int
    draws: int
    level: float

    @property
    def probability(self) -> float:
        return self.hits / self.draws

    @property
    def standard_error(self) -> float:
        p = self.probability
        return math.sqrt(p * (1 - p) / self.draws)

    @property
    def interval(self) -> Interval:
        return clopper_pearson(self.hits, self.draws, self.level)

    def agrees_with(self, exact: Fraction | float) -> bool:
        """Whether an exact probability lies within this estimate's stated interval."""
        interval = self.interval
        return interval.low <= float(exact) <= interval.high


@attrs.frozen
class Simulation:
    """Seeded simulation of the same model, to check the exact arithmetic (and as a fallback)."""

    draws: int
    seed: int
    level: float
    ratings: tuple[str, ...]
    standards: Mapping[str, tuple[Estimate, ...]]
    overall: tuple[Estimate, ...]
    overall_differs: Estimate
    standards_differ: Mapping[str, Estimate]


SIMULATION_LIMIT = 10**7
"""The most simulated samples one analysis draws."""


def check_draws(draws: int) -> None:
    """Refuse a number of simulated samples out of range (:class:`UsageError`), before any work is done."""
    if not 1 <= draws <= SIMULATION_LIMIT:
        raise UsageError(Problem("simulate_draws", f"must be from 1 to {SIMULATION_LIMIT} (the number of simulated samples)", draws))


def simulate(unit: Unit, draws: int, seed: int, level: float = 0.999) -> Simulation:
    """Draw ``draws`` new samples under the model; every figure comes with its error at ``level``.

    It checks the exact figures, and stands in for them where they are withheld (above
    :data:`~probation_rules.robustness.model.EXACT_LIMIT` relevant cases per key question).
    """
    check_draws(draws)

    def _estimate(hits: int, draws: int) -> Estimate:
        return Estimate(hits, draws, level)

    m = unit.m
    rng = random.Random(seed)
    scale = len(m.scale.ratings)
    samplers = {}
    for sid in unit.varying:
        samplers[sid] = [(_cdf(q.relevant, Fraction(q.yes, q.relevant)), q.ranks) for q in unit.questions[sid]]
    counts = {sid: [0] * scale for sid in unit.varying}
    overall = [0] * scale
    for _ in range(draws):
        ranks: dict[str, int] = {}
        for sid, questions in samplers.items():
            lowest = scale
            for cdf, table in questions:
                rank = table[bisect.bisect_right(cdf, rng.random())]
                if rank is None:
                    raise RobustnessError(Problem(render_path(("standards", sid)), "a simulated sample fell in a gap of the key-question band table"))
                lowest = min(lowest, rank)
            ranks[sid] = lowest
            counts[sid][lowest] += 1
        fixed = unit.fixed_part(unit.signature(ranks))
        score = fixed.points + sum(unit.points(r) for sid, r in ranks.items() if unit.scored(sid))
        overall[unit.overall_rank(score)] += 1
    observed_overall = m.rank(unit.result.overall)
    return Simulation(
        draws,
        seed,
        level,
        m.scale.ratings,
        {sid: tuple(_estimate(c, draws) for c in cs) for sid, cs in counts.items()},
        tuple(_estimate(c, draws) for c in overall),
        _estimate(draws - overall[observed_overall], draws),
        {sid: _estimate(draws - cs[unit.rank_of(sid) or 0], draws) for sid, cs in counts.items()},
    )


def _cdf(n: int, p: Fraction) -> list[float]:
    """Cumulative probabilities P(X <= k), k < n, for inverse-transform sampling (P(X <= n) = 1 is implied).

    Summed exactly up to :data:`EXACT_LIMIT` relevant cases; above it, where exact fractions grow
    too long, from floating-point terms (each relative error about 1e-15, far below any simulation's).
    """
    if n <= EXACT_LIMIT:
        running = Fraction(0)
        out = []
        for prob in binomial_pmf(n, p)[:-1]:
            running += prob
            out.append(float(running))
        return out
    if p == 0 or p == 1:
        return [float(1 - p)] * n  # X is 0, or n, for certain
    x = float(p)
    log_p, log_q = math.log(x), math.log1p(-x)
    head = math.lgamma(n + 1)
    total = 0.0
    floats = []
    for k in range(n):
        total += math.exp(head - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q)
        floats.append(min(total, 1.0))
    return floats


@attrs.frozen
class LowestEffect:
    """What 'lowest drives' does at n cases, for key questions whose true rates are known.

    ``at_true_rates`` is the rating the methodology would give if the rates were measured
    without error; ``typical`` is the band of the median key question's true rate. A standard is
    rated below ``at_true_rates`` on a sample only because the lowest of several noisy estimates
    tends to fall below the lowest true rate; below ``typical`` both for that reason and because
    the methodology takes the lowest key question by design.
    """

    rates: tuple[float, ...]
    relevant: tuple[int, ...]
    distribution: Distribution
    at_true_rates: str
    typical: str
    alone: tuple[Distribution, ...]
    """Each key question's own band distribution, as if it alone rated the standard."""

    @property
    def below_true(self) -> Fraction:
        return sum(self.distribution.probabilities[: self.distribution.ratings.index(self.at_true_rates)], Fraction(0))

    @property
    def below_typical(self) -> Fraction:
        return sum(self.distribution.probabilities[: self.distribution.ratings.index(self.typical)], Fraction(0))


def lowest_effect(m: Methodology, rates: Sequence[float | Fraction], relevant: int | Sequence[int]) -> LowestEffect:
    """The exact distribution of a case-based standard's rating at these true rates (percentages) and numbers of cases."""
    if not rates:
        raise UsageError(Problem("rates", "must give at least one key question's true rate"))
    sizes = [relevant] * len(rates) if isinstance(relevant, int) else list(relevant)
    if len(sizes) != len(rates):
        raise UsageError(Problem("relevant", f"must give one number of cases, or one per rate ({len(rates)})", list(sizes)))
    problems = [Problem("rates", "must be percentages between 0 and 100", float(r)) for r in rates if not (math.isfinite(r) and 0 <= as_fraction(r) <= 100)]
    problems += [
        Problem("relevant", f"must be from 1 to {EXACT_LIMIT} (the arithmetic is exact)", n) for n in dict.fromkeys(sizes) if not 1 <= n <= EXACT_LIMIT
    ]
    if problems:
        raise UsageError(problems)
    ratings = m.scale.ratings
    exact = [as_fraction(r) for r in rates]
    tables = [count_ranks(m, n) for n in sizes]
    pmfs = [binomial_pmf(n, p / 100) for n, p in zip(sizes, exact, strict=True)]
    alone = tuple(Distribution(ratings, rating_distribution([t], [pmf], len(ratings)), _band(m, p)) for t, pmf, p in zip(tables, pmfs, exact, strict=True))
    return LowestEffect(
        tuple(float(r) for r in exact),
        tuple(sizes),
        Distribution(ratings, rating_distribution(tables, pmfs, len(ratings)), _band(m, min(exact))),
        _band(m, min(exact)),
        _band(m, statistics.median_low(exact)),
        alone,
    )


def _band(m: Methodology, percent: Fraction) -> str:
    rank = band_rank(m, m.key_question_bands, banded(percent, m.key_question_score.rounding))
    if rank is None:
        raise RobustnessError(Problem("key_question_bands", f"no band covers {float(percent):g}%"))
    return m.scale.ratings[rank]
