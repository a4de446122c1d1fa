"""Exact percentages, the integers durable-rules compares them as, and how reports print numbers.

durable-rules parses numbers with its own C parser: ``1e-05`` is refused, ``1`` and ``1.0`` are
different facts, and a string compares with a number without complaint. So every percentage
reaches the engine as a whole number of millionths of a percentage point, floored, which is
exact for thresholds with up to six decimals: ``p >= t`` exactly when ``micro(p) >= micro(t)``.

Every report prints a number through :func:`number` and a count of things through :func:`counted`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

__all__ = ["MICRO", "as_fraction", "banded", "counted", "micro", "number"]

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


_MAX_DECIMALS = 20
_SHOWN = round(math.log10(MICRO))
"""Significant digits shown of a number with no short decimal: six, as ``:g`` shows, but cut rather than rounded."""
_WRITTEN = 15
"""A float whose shortest spelling needs more significant digits than this is no number anyone wrote: a share such as 11/17."""


def number(value: float | int | Fraction) -> str:
    """A number as every report prints it: never rounded, so it cannot read as lying across a band bound.

    A float is read as written (:func:`as_fraction`): 64.999999 stays 64.999999 (``:g`` would
    print 65), 1e-06 is 0.000001, 65.0 is 65; and a fraction with a short decimal is written in
    full (1/8 is 0.125). A value with no short decimal (a fraction such as 59/60 of 100, or a
    float that needs 16 or 17 digits, which is the nearest float to such a share) shows its first
    six significant digits, cut rather than rounded and marked as cut: 98.3333..., 64.7058...
    for 11/17 of 100 (``:g`` gives 64.7059, which is above it).
    """
    exact = as_fraction(value)
    if not (isinstance(value, float) and _digits(value) > _WRITTEN):
        for decimals in range(_MAX_DECIMALS + 1):
            if (exact * 10**decimals).denominator == 1:
                return _decimal(exact, decimals)
        if isinstance(value, float):
            return repr(value)  # as written, with more than 20 decimals: 1e-300
    size = abs(exact)
    exponent = len(str(size.numerator // size.denominator)) - 1 if size >= 1 else -1
    while 0 < size < Fraction(10) ** exponent and exponent > -400:
        exponent -= 1
    cut = _decimal(exact, max(0, _SHOWN - 1 - exponent))
    return cut if Fraction(cut) == exact else cut + "..."


def _digits(value: float) -> int:
    """The significant digits of a float's shortest spelling: 4 for 64.75, 16 for 64.70588235294117."""
    mantissa = repr(abs(value)).split("e")[0].replace(".", "")
    return len(mantissa.strip("0")) or 1


def _decimal(value: Fraction, decimals: int) -> str:
    """``value`` cut (towards zero) to ``decimals`` decimals, trailing zeros dropped."""
    scaled = abs(value) * 10**decimals
    digits = str(scaled.numerator // scaled.denominator).rjust(decimals + 1, "0")
    whole, fraction = digits[: len(digits) - decimals], digits[len(digits) - decimals :].rstrip("0")
    negative = value < 0 and bool(whole.strip("0") or fraction)
    return ("-" if negative else "") + whole + (f".{fraction}" if fraction else "")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` things, with thousands separated: ``1 inspection``, ``2 inspections``, ``1,000 strengths``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
