"""The robustness report for people: text and Markdown, each headed as analysis, never as a rating.

Probabilities print as percentages with one decimal, but never as a bare 0% or 100% unless exact:
a 1-in-a-million chance prints as '<0.1%', because a rounded zero would claim a certainty the
model does not give.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from probation_rules.inspection import Inspection
from probation_rules.methodology.schema import Methodology
from probation_rules.result import MethodologyRef
from probation_rules.robustness import RobustnessError, analyse
from probation_rules.robustness.flips import Change, Flip, JudgementStep, OverallFlip
from probation_rules.robustness.report import BASES, NOTICE, KeyQuestionAnalysis, RobustnessReport, StandardAnalysis, lowest_effect_dict
from probation_rules.robustness.sampling import Distribution, Estimate, LowestEffect, Simulation

__all__ = ["chance", "explain_section", "flip_lines", "render", "render_lowest_effect", "to_markdown", "to_text"]


def chance(p: Fraction | float) -> str:
    if p == 0:
        return "0%"
    if p == 1:
        return "100%"
    if p < Fraction(1, 1000):
        return "<0.1%"
    if p > Fraction(999, 1000):
        return ">99.9%"
    return f"{100 * float(p):.1f}%"


def _change(c: Change) -> str:
    return f"{c.standard} {c.key_question} {c.yes} -> {c.to_yes} of {c.relevant}"


def _why_none(direction: str, rating: str | None, scale: tuple[str, ...]) -> str:
    """Why no case judgements move a rating this way: it is already at the end of the scale, or none can."""
    if rating == (scale[-1] if direction == "up" else scale[0]):
        return f"{'top' if direction == 'up' else 'lowest'} band"
    return "no case judgements can"


def _none(direction: str, rating: str | None, scale: tuple[str, ...]) -> str:
    return f"none {direction} ({_why_none(direction, rating, scale)})"


def _flip(f: Flip | None, direction: str, rating: str | None, scale: tuple[str, ...]) -> str:
    if f is None:
        return _none(direction, rating, scale)
    changes = "; ".join(_change(c) for c in f.changes)
    if f.moves:
        moves = "; ".join(f"{m.standard} {m.rating} -> {m.to_rating}" for m in f.moves)
        return f"{f.judgements} {direction} (to {f.rating}: {moves}; by {changes})"
    return f"{f.judgements} {direction} (to {f.rating}: {changes})"


def _overall_flip(f: OverallFlip | None, direction: str, rating: str, scale: tuple[str, ...]) -> str:
    if f is None:
        return _none(direction, rating, scale)
    moves = "; ".join(f"{m.standard} {m.rating} -> {m.to_rating}" for m in f.moves)
    changes = "; ".join(_change(c) for c in f.changes)
    guided = "".join(f"; guidance re-rates {sid} {before} -> {after}" for sid, (before, after) in f.guided.items())
    return f"{f.judgements} {direction} (to {f.rating}, score {f.score}: {moves}{guided}; by {changes})"


def _flips(report: RobustnessReport, s: StandardAnalysis) -> str:
    parts = []
    for direction, flip in (("up", s.up), ("down", s.down)):
        held = s.held(direction, report.scale) if flip is None else None
        parts.append(f"none {direction} ({held})" if held else _flip(flip, direction, s.rating, report.scale))
    return "; ".join(parts)


def _has_flips(s: StandardAnalysis) -> bool:
    """Whether the analysis searched case judgements for this standard: a case-based one with counts, or a guided one."""
    return s.basis == "counts" or bool(s.informed_by)


def _guided_flips(report: RobustnessReport, s: StandardAnalysis) -> str:
    """A guided standard's flip distances, through the guidance from the standards that inform it, or why it holds."""
    return s.holds or f"fewest case judgements to change it{_through(s)}: {_flips(report, s)}"


def _through(s: StandardAnalysis) -> str:
    return f" (through the guidance from {', '.join(s.informed_by)})" if s.informed_by else ""


def _overall_flips(report: RobustnessReport) -> str:
    o = report.overall
    return f"{_overall_flip(o.up, 'up', o.rating, report.scale)}; {_overall_flip(o.down, 'down', o.rating, report.scale)}"


def _held(report: RobustnessReport) -> str:
    """Which standards the overall flip distances vary, when some case-based ones are held as inspected."""
    o = report.overall
    return f" (varying {', '.join(o.counted)} only; {', '.join(o.held_fixed)} held as inspected)" if o.held_fixed else ""


def _steps(report: RobustnessReport) -> str:
    """Each judged standard's smallest judgement moves that change the overall rating, or that none does."""
    parts: list[str] = []
    for s in report.standards:
        if s.kind != "judged" or s.rating is None:
            continue
        mine = [step for step in report.overall.judgement_steps if step.standard == s.id]
        parts.extend(_step(step) for step in mine)
        if not mine:
            parts.append(f"{s.id}: no judgement alone changes it")
    return "; ".join(parts)


def _spread(d: Distribution) -> str:
    parts = [f"{r} {chance(p)}" for r, p in zip(d.ratings, d.probabilities, strict=True) if p]
    return ", ".join(parts)


def _step(s: JudgementStep) -> str:
    rating = "" if s.rating == s.to_judgement else f", rated {s.rating}"
    return f"{s.standard} judged {s.to_judgement} ({s.bands:+d} band{'s' if abs(s.bands) != 1 else ''}{rating}) -> {s.overall}, score {s.score}"


def flip_lines(report: RobustnessReport) -> list[str]:
    """The flip distances alone, for ``explain``: one line per standard that has them, and the overall."""
    lines = []
    o = report.overall
    if o.available and o.counted:
        lines.append(f"overall {o.rating}: fewest case judgements to change it{_held(report)}: {_overall_flips(report)}")
    if o.available:
        lines.append(f"overall {o.rating}: judged standards, one at a time: {_steps(report)}")
    for s in report.standards:
        if s.basis == "counts":
            lines.append(f"{s.id} {s.rating}: {_flips(report, s)}")
        elif s.informed_by:
            lines.append(f"{s.id} {s.rating}: {_guided_flips(report, s)}")
        elif s.basis in ("percentages", "withheld") and report.overall.counted:
            lines.append(f"{s.id} {s.rating}: {BASES[s.basis]}")
    return lines


def _kq_row(q: KeyQuestionAnalysis, width: int, band_width: int) -> str:
    label = q.label.ljust(width)
    if q.yes is None:
        return f"    {label}  {'':>6}  {q.percent:5.1f}%  {(q.band or '').ljust(band_width)}  (a percentage only: no counts)"
    counts = f"{q.yes}/{q.relevant}{'*' if q.assumed else ''}".rjust(6)
    up = "-" if q.up is None else f"+{q.up.judgements}"
    down = "-" if q.down is None else f"-{q.down.judgements}"
    intervals = "".join(f"{100 * i.low:.1f}-{100 * i.high:.1f}%".ljust(20) for i in q.intervals).rstrip()
    return f"    {label}  {counts}  {q.percent:5.1f}%  {(q.band or '').ljust(band_width)}  {up.rjust(3)} {down.rjust(4)}   {intervals}"


def _standard_text(report: RobustnessReport, s: StandardAnalysis) -> list[str]:
    lines = [f"{s.id} {s.name}  {s.rating or 'not rated'}"]
    if s.basis == "counts":
        lines.append(f"  fewest case judgements to change it: {_flips(report, s)}")
    elif s.informed_by:
        lines.append(f"  {BASES[s.basis]}")
        lines.append(f"  {_guided_flips(report, s)}")
        if s.sampling is not None:
            lines.append(f"  on a new sample of the same size: differs with probability {chance(s.sampling.differs)} ({_spread(s.sampling)})")
    elif s.basis == "guided" and s.sampling is not None:
        lines.append(f"  {BASES[s.basis]}; on a new sample: {_spread(s.sampling)}")
    else:
        lines.append(f"  {BASES[s.basis]}")
    if s.basis == "counts" and s.sampling is not None:
        lines.append(f"  on a new sample of the same size: differs with probability {chance(s.sampling.differs)} ({_spread(s.sampling)})")
    if any(q.yes is not None for q in s.key_questions):
        width = max(len(q.label) for q in s.key_questions)
        band_width = max(len(r) for r in report.scale)
        pct = f"{100 * report.level:g}%"
        names = f"{pct} Wilson".ljust(20) + f"{pct} Clopper-Pearson"
        lines.append(f"    {'key question'.ljust(width)}  {'cases':>6}  {'%':>6}  {'band'.ljust(band_width)}   up down   {names}")
        lines.extend(_kq_row(q, width, band_width) for q in s.key_questions)
    return lines


def _estimate(e: Estimate) -> str:
    interval = e.interval
    return f"{100 * e.probability:.2f}% ± {100 * e.standard_error:.2f}% ({100 * interval.low:.2f}-{100 * interval.high:.2f}%)"


def _simulation(sim: Simulation, report: RobustnessReport) -> tuple[str, str, list[str]]:
    """The simulation's title, its stated error and its figures: beside the exact ones it checks, or alone where those are withheld."""
    level = f"{100 * sim.level:g}%"
    error = f"{sim.draws} samples, seed {sim.seed}; ± one standard error, and the {level} Clopper-Pearson interval"
    exact = report.overall.sampling
    if exact is None:
        title = "Seeded simulation, standing in for the withheld exact figures"
        rows = [f"overall differs: simulated {_estimate(sim.overall_differs)}", f"overall on a new sample: {_simulated_spread(sim.ratings, sim.overall)}"]
    else:
        title = "Check by seeded simulation"
        rows = [f"overall differs: simulated {_estimate(sim.overall_differs)}, exact {chance(exact.differs)}"]
    for sid, estimate in sim.standards_differ.items():
        s = report.standard(sid)
        if s.sampling is not None:
            rows.append(f"{sid} differs: simulated {_estimate(estimate)}, exact {chance(s.sampling.differs)}")
        else:
            rows.append(f"{sid} differs: simulated {_estimate(estimate)} ({_simulated_spread(sim.ratings, sim.standards[sid])})")
    return title, error, rows


def _simulated_spread(ratings: tuple[str, ...], estimates: tuple[Estimate, ...]) -> str:
    return ", ".join(f"{r} {100 * e.probability:.2f}%" for r, e in zip(ratings, estimates, strict=True) if e.hits)


def to_text(report: RobustnessReport) -> str:
    insp = report.inspection
    m = report.methodology
    lines = [
        f"{NOTICE}: how firm the ratings of {insp.unit} ({insp.id}) are, under {m.id} {m.version}",
        "The ratings come from `probation-rules rate`; nothing here changes them.",
    ]
    lines.extend(report.notes)
    o = report.overall
    lines += ["", f"Overall  {o.rating}  (score {o.score}/{o.max_score})"]
    if not o.available:
        lines.append("  overall figures withheld: the band tables and the engine's guidance do not reproduce this overall rating")
    else:
        if not o.counted:
            lines.append("  fewest case judgements to change it: needs counts (see the note above)")
        else:
            lines.append(f"  fewest case judgements to change it{_held(report)}: {_overall_flips(report)}")
        lines.append(f"  judged standards, one at a time: {_steps(report)}")
        if o.sampling is not None:
            lines.append(f"  on a new sample of the same size: differs with probability {chance(o.sampling.differs)} ({_spread(o.sampling)})")
    for s in report.standards:
        lines.append("")
        lines.extend(_standard_text(report, s))
    if any(q.assumed for s in report.standards for q in s.key_questions):
        lines += ["", "* counts assumed from a percentage (see above)."]
    if report.simulation is not None:
        title, error, rows = _simulation(report.simulation, report)
        lines += ["", f"{title} ({error}):", *(f"  {row}" for row in rows)]
    lines += ["", "Model:", *(f"- {line}" for line in report.model)]
    return "\n".join(lines)


def _cell(f: Flip | OverallFlip | None, direction: str, rating: str | None, scale: tuple[str, ...]) -> str:
    return f"none ({_why_none(direction, rating, scale)})" if f is None else f"{f.judgements} (to {f.rating})"


_ASSUMED = "\\*"
"""The Markdown mark of an assumed count (escaped: a bare ``*`` starts emphasis)."""


def _kq_markdown(report: RobustnessReport, s: StandardAnalysis) -> list[str]:
    pct = f"{100 * report.level:g}%"
    out = [
        f"| Key question | Cases | % | Band | Up | Down | {pct} Wilson | {pct} Clopper-Pearson |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for q in s.key_questions:
        if q.yes is None:
            out.append(f"| {q.label} | | {q.percent:.1f}% | {q.band or ''} | a percentage only: no counts | | | |")
            continue
        counts = f"{q.yes}/{q.relevant}{_ASSUMED if q.assumed else ''}"
        up = "-" if q.up is None else f"+{q.up.judgements}"
        down = "-" if q.down is None else f"-{q.down.judgements}"
        intervals = " | ".join(f"{100 * i.low:.1f}-{100 * i.high:.1f}%" for i in q.intervals)
        out.append(f"| {q.label} | {counts} | {q.percent:.1f}% | {q.band or ''} | {up} | {down} | {intervals} |")
    return out


def to_markdown(report: RobustnessReport) -> str:
    """The same figures as :func:`to_text`: a summary table, then the overall rating and each standard in full."""
    insp = report.inspection
    m = report.methodology
    o = report.overall
    scale = report.scale
    out = [
        f"## {NOTICE}: how firm {insp.unit}'s ratings are",
        "",
        f"Inspection {insp.id}, under {m.id} {m.version}. The ratings come from `probation-rules rate`; nothing here changes them.",
        "",
    ]
    out += [f"> {note}" for note in report.notes]
    if report.notes:
        out.append("")
    out += [
        "| | Rating | Fewest judgements up | Fewest judgements down | P(differs on a new sample) |",
        "|---|---|---|---|---|",
    ]
    if o.available and o.counted:
        differs = "" if o.sampling is None else chance(o.sampling.differs)
        up, down = _cell(o.up, "up", o.rating, scale), _cell(o.down, "down", o.rating, scale)
        held = f"; {', '.join(o.held_fixed)} held as inspected" if o.held_fixed else ""
        out.append(f"| **Overall** (score {o.score}/{o.max_score}{held}) | {o.rating} | {up} | {down} | {differs} |")
    elif o.available:
        out.append(f"| **Overall** (score {o.score}/{o.max_score}) | {o.rating} | needs counts | needs counts | needs counts |")
    else:
        out.append(f"| **Overall** (score {o.score}/{o.max_score}) | {o.rating} | withheld | withheld | withheld |")
    for s in report.standards:
        differs = "" if s.sampling is None else chance(s.sampling.differs)
        if _has_flips(s):
            up, down = _cell(s.up, "up", s.rating, scale), _cell(s.down, "down", s.rating, scale)
            out.append(f"| {s.id} {s.name} | {s.rating} | {up} | {down} | {differs} |")
        else:
            out.append(f"| {s.id} {s.name} | {s.rating or 'not rated'} | {BASES[s.basis]} | | {differs} |")

    out += ["", f"### Overall: {o.rating} (score {o.score}/{o.max_score})", ""]
    if not o.available:
        out.append("- Overall figures withheld: the band tables and the engine's guidance do not reproduce this overall rating.")
    else:
        if o.counted:
            out.append(f"- Fewest case judgements to change it{_held(report)}: {_overall_flips(report)}.")
        else:
            out.append("- Fewest case judgements to change it: needs counts (see the note above).")
        out.append(f"- Judged standards, one at a time: {_steps(report)}.")
        if o.sampling is not None:
            out.append(f"- On a new sample of the same size: differs with probability {chance(o.sampling.differs)} ({_spread(o.sampling)}).")
    for s in report.standards:
        counted = any(q.yes is not None for q in s.key_questions)
        if not counted and s.sampling is None and not s.informed_by:
            continue
        out += ["", f"### {s.id} {s.name}: {s.rating or 'not rated'}", ""]
        if s.basis == "counts":
            out.append(f"- Fewest case judgements to change it: {_flips(report, s)}.")
        elif s.informed_by:
            out.append(f"- {BASES[s.basis].capitalize()}.")
            line = _guided_flips(report, s)
            out.append(f"- {line[0].upper()}{line[1:]}.")
        else:
            out.append(f"- {BASES[s.basis].capitalize()}.")
        if s.sampling is not None:
            out.append(f"- On a new sample of the same size: differs with probability {chance(s.sampling.differs)} ({_spread(s.sampling)}).")
        if counted:
            out += ["", *_kq_markdown(report, s)]
    if any(q.assumed for s in report.standards for q in s.key_questions):
        out += ["", f"{_ASSUMED} counts assumed from a percentage (see above)."]
    if report.simulation is not None:
        title, error, rows = _simulation(report.simulation, report)
        out += ["", f"### {title}", "", f"{error[0].upper()}{error[1:]}.", "", *(f"- {row}" for row in rows)]
    out += ["", "### Model", "", *(f"- {line}" for line in report.model)]
    return "\n".join(out)


def render(report: RobustnessReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    return to_markdown(report) if fmt == "markdown" else to_text(report)


def render_lowest_effect(effect: LowestEffect, fmt: str, methodology: MethodologyRef) -> str:
    """The lowest-of-several effect for given true rates, as analysis."""
    if fmt == "json":
        return json.dumps(lowest_effect_dict(effect, methodology), indent=2, ensure_ascii=False)
    d = effect.distribution
    rates = ", ".join(f"{r:g}%" for r in effect.rates)
    sizes = sorted(set(effect.relevant))
    one = sizes[0]
    cases = f"{one} relevant case{'' if one == 1 else 's'} each" if len(sizes) == 1 else "relevant cases " + ", ".join(str(n) for n in effect.relevant)
    lines = [
        f"{NOTICE}: how 'lowest drives' rates a standard whose key questions' true rates are {rates}, at {cases} ({methodology.id} {methodology.version})",
        f"Measured without error it would be rated {effect.at_true_rates}; its typical (median) key question is in the {effect.typical} band.",
        f"On a sample: rated below {effect.at_true_rates} with probability {chance(effect.below_true)}, "
        f"below the typical key question's band ({effect.typical}) with probability {chance(effect.below_typical)}.",
    ]
    alone = list(zip(effect.rates, effect.alone, strict=True))
    if fmt == "markdown":
        return "\n".join(
            [
                f"## {lines[0]}",
                "",
                lines[1],
                lines[2],
                "",
                "| Rating | Probability |",
                "|---|---|",
                *(f"| {r} | {chance(p)} |" for r, p in zip(d.ratings, d.probabilities, strict=True)),
                "",
                "Each key question alone:",
                "",
                *(f"- {rate:g}%: {_spread(one)}" for rate, one in alone),
            ]
        )
    lines += [
        "",
        "rating distribution:",
        *(f"  {r.ljust(max(len(x) for x in d.ratings))}  {chance(p).rjust(6)}" for r, p in zip(d.ratings, d.probabilities, strict=True)),
        "",
        "each key question alone:",
        *(f"  {rate:g}%: {_spread(one)}" for rate, one in alone),
    ]
    return "\n".join(lines)


def explain_section(
    inspection: str | os.PathLike[str] | Mapping[str, Any] | Inspection, methodology: str | os.PathLike[str] | Methodology | None, cases: int | None
) -> str:
    """The flip distances under ``explain``'s tree, headed as analysis.

    ``explain`` must still explain when the analysis cannot be made (say, a methodology whose band
    table has a gap a new count could fall in), with or without ``--cases``, so such a failure
    becomes a line here (``--cases`` not fitting the document's percentages among them: the tree
    above it stands); a ``--cases`` out of range is a :class:`~probation_rules.errors.UsageError`,
    raised as usual.
    """
    head = f"{NOTICE}: fewest case judgements that would change each rating (the full report: `probation-rules robustness`)."
    try:
        report = analyse(inspection, methodology, cases=cases)
    except RobustnessError as exc:
        return f"{head}\nunavailable: {exc.one_line()}"
    lines = flip_lines(report)
    if not report.overall.counted:
        lines.append('flip distances need counts: give key questions as {"yes": k, "relevant": n}, or add --cases N to assume N relevant cases')
    elif report.assumed_cases is not None:
        lines.append(f"counts assumed: percentages read as whole numbers of {report.assumed_cases} relevant cases (--cases {report.assumed_cases})")
    return "\n".join([head, *lines])
