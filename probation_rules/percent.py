"""Exact percentages, and the integers durable-rules compares them as.

durable-rules parses numbers with its own C parser: ``1e-05`` is refused, ``1`` and ``1.0`` are
different facts, and a string compares with a number without complaint. So every percentage
reaches the engine as a whole number of millionths of a percentage point, floored, which is
exact for thresholds with up to six decimals: ``p >= t`` exactly when ``micro(p) >= micro(t)``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

__all__ = ["MICRO", "as_fraction", "banded", "micro"]

MICRO = 10**6


def as_fraction(value: float | int | Fraction) -> Fraction:
    """The number as written: 64.9 is 649/10, not the nearest binary float."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(int(value)) if value.is_integer() else Fraction(repr(value))
    return Fraction(value)


def banded(percent: Fraction, rounding: Literal["exact", "nearest", "down"]) -> Fraction:
    """The percentage the band table is applied to, after the methodology's rounding rule."""
    if rounding == "nearest":
        return Fraction(math.floor(percent + Fraction(1, 2)))
    if rounding == "down":
        return Fraction(math.floor(percent))
    return percent


def micro(value: float | int | Fraction) -> int:
    exact = as_fraction(value)
    return exact.numerator * MICRO // exact.denominator
