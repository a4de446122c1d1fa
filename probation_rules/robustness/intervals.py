"""Confidence intervals for a key question's true rate from k yes of n relevant cases.

Two standard intervals, because they answer slightly different needs: Wilson's score interval
is the usual good default at small n; Clopper-Pearson's is 'exact' (it inverts two one-sided
binomial tests, so its coverage is never below the level) and is wider. No statistics package is
needed: the normal quantile is the standard library's, and the Clopper-Pearson bounds (beta
quantiles) are found by bisection on the binomial distribution function, summed outwards from
its mode so that it stays accurate and quick for n up to many thousands. Bisection on a monotone
function with a fixed bracket and step count also makes the bounds move monotonically with the
level, so the intervals nest exactly as the level grows.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import attrs

__all__ = ["Interval", "clopper_pearson", "wilson"]

_STEPS = 64


@attrs.frozen
class Interval:
    """Bounds on a rate, as fractions of one (0 to 1); ``method`` is 'wilson' or 'clopper-pearson'."""

    method: str
    level: float
    low: float
    high: float


def _z(level: float) -> float:
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def wilson(yes: int, relevant: int, level: float) -> Interval:
    """Wilson's score interval: every rate the score test at this level does not reject."""
    n = relevant
    p = yes / n
    z = _z(level)
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if yes == 0 else min(p, max(0.0, centre - half))
    high = 1.0 if yes == n else max(p, min(1.0, centre + half))
    return Interval("wilson", level, low, high)


def _log_pmf(n: int, k: int, p: float) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * math.log(p) + (n - k) * math.log1p(-p)


def _between(n: int, first: int, last: int, p: float) -> float:
    """P(first <= X <= last) for X ~ Binomial(n, p), 0 < p < 1, summed directly (no 1 - x cancellation).

    The sum starts at the term nearest the mode and walks outwards by the ratio of successive
    terms, stopping once the rest cannot matter: terms fall geometrically away from the mode,
    so this costs a few dozen terms where n is large, not n.
    """
    odds = p / (1 - p)
    start = min(max(math.floor((n + 1) * p), first), last)
    total = 1.0  # in units of the start term
    term = 1.0
    for i in range(start, last):
        ratio = (n - i) / (i + 1) * odds
        term *= ratio
        total += term
        if ratio < 1 and term / (1 - ratio) < 1e-17 * total:
            break
    term = 1.0
    for i in range(start, first, -1):
        ratio = i / ((n - i + 1) * odds)
        term *= ratio
        total += term
        if ratio < 1 and term / (1 - ratio) < 1e-17 * total:
            break
    return min(1.0, math.exp(_log_pmf(n, start, p)) * total)


def clopper_pearson(yes: int, relevant: int, level: float) -> Interval:
    """The Clopper-Pearson interval: rates p with P(X >= k) and P(X <= k) both above (1 - level)/2."""
    n, k = relevant, yes
    tail = (1 - level) / 2
    p_hat = k / n
    low = 0.0
    if k > 0:
        # P(X >= k) rises with p; the bound is where it equals the tail.
        a, b = 0.0, p_hat
        for _ in range(_STEPS):
            mid = (a + b) / 2
            if not a < mid < b:  # the bracket is down to adjacent floats
                break
            if _between(n, k, n, mid) >= tail:
                b = mid
            else:
                a = mid
        low = a
    high = 1.0
    if k < n:
        # P(X <= k) falls as p rises.
        a, b = p_hat, 1.0
        for _ in range(_STEPS):
            mid = (a + b) / 2
            if not a < mid < b:  # the bracket is down to adjacent floats
                break
            if _between(n, 0, k, mid) >= tail:
                a = mid
            else:
                b = mid
        high = b
    return Interval("clopper-pearson", level, low, high)
