"""The documentation's plot of the lowest-of-three effect, as a small dependency-free SVG.

Written by code rather than drawn by hand so that it follows the methodology's own bands, and
checked by a test so that it cannot go stale::

    python -m probation_rules.robustness.plot docs/robustness-lowest-of-three.svg          # rewrite
    python -m probation_rules.robustness.plot docs/robustness-lowest-of-three.svg --check  # exit 1 if stale

Each panel stacks the exact probabilities of the four ratings against a common true rate of the
key questions: on the left one key question alone, on the right the lowest of three (the
methodology's rule). The dashed lines are the key-question band edges. The right panel assumes
independent key questions, the extreme case: correlated answers (as answers from one case are)
pull it towards the left panel, which it becomes under perfect correlation.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from pathlib import Path
from xml.sax.saxutils import escape

from probation_rules.methodology.loader import load_methodology
from probation_rules.methodology.schema import Methodology
from probation_rules.robustness.sampling import lowest_effect

__all__ = ["CAPTION", "lowest_of_three_svg", "main"]

CAPTION = (
    "The right panel assumes independent key questions, which is the extreme: answers from the same case go together",
    "(positive correlation), which shrinks the effect; under perfect correlation the right panel becomes the left one.",
)
"""Under the plot: which way the independence assumption pushes."""

_COLOURS = ("#D55E00", "#E69F00", "#56B4E9", "#0072B2", "#009E73", "#CC79A7")
"""Okabe and Ito's colour-blind-safe palette, warm (lowest rating) to cool (highest)."""
_W, _H = 820, 430
_PANEL_W, _PANEL_H = 330, 230
_TOP = 70


def _f(x: float) -> str:
    return f"{x:.2f}"


def _panel(m: Methodology, questions: int, cases: int, left: float, title: str) -> list[str]:
    """One stacked-area panel: P(rating) for true rates 0..100% at ``questions`` key questions."""
    ratings = m.scale.ratings
    rates = list(range(0, 101))
    stacks = []
    for rate in rates:
        effect = lowest_effect(m, [Fraction(rate)] * questions, cases)
        running = Fraction(0)
        tops = []
        for p in effect.distribution.probabilities:
            running += p
            tops.append(running)
        stacks.append(tops)

    def x(rate: float) -> float:
        return left + _PANEL_W * rate / 100

    def y(p: Fraction | float) -> float:
        return _TOP + _PANEL_H * (1 - float(p))

    out = [f'<text x="{_f(left + _PANEL_W / 2)}" y="{_TOP - 10}" text-anchor="middle" font-weight="bold">{escape(title)}</text>']
    for i in range(len(ratings)):
        upper = [(x(r), y(stacks[j][i])) for j, r in enumerate(rates)]
        lower = [(x(r), y(stacks[j][i - 1] if i else 0)) for j, r in enumerate(rates)]
        points = " ".join(f"{_f(px)},{_f(py)}" for px, py in [*upper, *reversed(lower)])
        out.append(f'<polygon points="{points}" fill="{_COLOURS[i % len(_COLOURS)]}" fill-opacity="0.85" stroke="none"/>')
    for band in m.key_question_bands.ordered():
        if 0 < band.at_least < 100:
            bx = _f(x(band.at_least))
            out.append(f'<line x1="{bx}" y1="{_TOP}" x2="{bx}" y2="{_TOP + _PANEL_H}" stroke="#222" stroke-dasharray="4 3" stroke-width="1"/>')
    out.append(f'<rect x="{left}" y="{_TOP}" width="{_PANEL_W}" height="{_PANEL_H}" fill="none" stroke="#222"/>')
    for tick in (0, 20, 40, 60, 80, 100):
        out.append(f'<text x="{_f(x(tick))}" y="{_TOP + _PANEL_H + 16}" text-anchor="middle">{tick}%</text>')
    for tick in (0, 50, 100):
        out.append(f'<text x="{left - 6}" y="{_f(y(tick / 100) + 4)}" text-anchor="end">{tick}%</text>')
    middle = _f(_TOP + _PANEL_H / 2)
    out.append(f'<text x="{left - 40}" y="{middle}" text-anchor="middle" transform="rotate(-90 {left - 40} {middle})">chance of each rating</text>')
    axis = "true rate of each key question" if questions > 1 else "true rate of the key question"
    out.append(f'<text x="{_f(left + _PANEL_W / 2)}" y="{_TOP + _PANEL_H + 34}" text-anchor="middle">{axis}</text>')
    return out


def lowest_of_three_svg(methodology: Methodology | str | None = None, cases: int = 20, questions: int = 3) -> str:
    """The SVG text: rating probabilities for one key question and for the lowest of ``questions``."""
    m = load_methodology(methodology)
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}" font-family="sans-serif" font-size="12">',
        f"<title>Analysis, not a rating: probability of each rating at {cases} relevant cases, one key question against the lowest of {questions}</title>",
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{_W / 2:.0f}" y="22" text-anchor="middle" font-size="14" font-weight="bold">'
        f"Analysis, not a rating: chance of each rating at {cases} relevant cases ({escape(m.id)})</text>",
        *_panel(m, 1, cases, 60, "one key question"),
        *_panel(m, questions, cases, 460, f"lowest of {questions} key questions, all at the same rate"),
    ]
    x = 60.0
    legend = _TOP + _PANEL_H + 52
    for i, rating in enumerate(m.scale.ratings):
        body.append(f'<rect x="{_f(x)}" y="{legend}" width="12" height="12" fill="{_COLOURS[i % len(_COLOURS)]}"/>')
        body.append(f'<text x="{_f(x + 16)}" y="{legend + 10}">{escape(rating)}</text>')
        x += 24 + 7.5 * len(rating)
    body.append(f'<text x="{_W - 20}" y="{legend + 10}" text-anchor="end">dashed: band edges</text>')
    for i, line in enumerate(CAPTION):
        body.append(f'<text x="60" y="{legend + 38 + 16 * i}" font-style="italic">{escape(line)}</text>')
    body.append("</svg>")
    return "\n".join(body) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write (or check) the lowest-of-three plot for the documentation.")
    parser.add_argument("path", type=Path)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what would be written")
    args = parser.parse_args(argv)
    text = lowest_of_three_svg()
    if args.check:
        current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
        if current != text:
            print(f"stale: {args.path} (run: python -m probation_rules.robustness.plot {args.path})", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
