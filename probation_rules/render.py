"""Results for people: a text layout that reads like a report's ratings table, and Markdown.

Every line of reason is built from the result and the methodology's own words (labels, band
bounds, rule ids), so the same renderer serves every framework.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TextIO

from probation_rules.methodology.loader import load_methodology
from probation_rules.methodology.schema import BandTable, Methodology
from probation_rules.percent import as_fraction, banded, counted, number
from probation_rules.result import KeyQuestionResult, RatingResult, StandardResult

__all__ = ["band_words", "chosen_by", "rating_cell", "reason", "render", "shown_percent", "stream", "to_json", "to_markdown", "to_text"]


NOT_RATED = "-"
"""The rating column of a standard left unrated; its reason says so in words."""


def band_words(table: BandTable, rating: str, unit: str = "%") -> str:
    """'below 50%', '50% to below 65%', '80% and above' for a rating's band in a table."""
    ordered = table.ordered()
    for i, band in enumerate(ordered):
        if band.rating != rating:
            continue
        upper = ordered[i + 1].at_least if i + 1 < len(ordered) else None
        if upper is None:
            return f"{number(band.at_least)}{unit} and above"
        if i == 0 and band.at_least == 0:
            return f"below {number(upper)}{unit}"
        return f"{number(band.at_least)}{unit} to below {number(upper)}{unit}"
    return ""


def shown_percent(kq: KeyQuestionResult, m: Methodology) -> str:
    """A key question's percentage as printed: one decimal, or as many more as keep it in its band.

    Rounded to one decimal, 64.99999% would print as 65%, next to a band that stops below 65%; so
    the printed number takes the fewest decimals whose value, put through the methodology's
    rounding rule, falls in the same band as the exact value (and, under a rounding rule, rounds
    to the same banded percentage without already being it, unless within 12 decimals of it:
    64.99999% is not shown as 65%, banded as 65%).
    """
    exact = _exact(kq)
    rounding = m.key_question_score.rounding
    bounds = [as_fraction(b.at_least) for b in m.key_question_bands.ordered()]
    target = banded(exact, rounding)

    def interval(value: Fraction) -> int:
        return sum(1 for bound in bounds if value >= bound)

    for strict in (True, False):
        for decimals in range(1, 13 if strict else 40):
            shown = round(exact, decimals)
            on_band = banded(shown, rounding)
            # under a rounding rule, strictly: not printed as if already rounded, unless it nearly is
            rounded_away = strict and shown != exact and shown == target
            if interval(on_band) == interval(target) and (rounding == "exact" or (on_band == target and not rounded_away)):
                return number(shown)
    return number(kq.percent)


def _exact(kq: KeyQuestionResult) -> Fraction:
    """The share as the engine banded it: yes/relevant exactly when counts are known."""
    return Fraction(100 * kq.yes, kq.relevant) if kq.yes is not None and kq.relevant else as_fraction(kq.percent)


def reason(result: StandardResult, m: Methodology) -> str:
    """One line saying why a standard got its rating."""
    if result.rating is None:
        effect = "; counts in neither the score nor the maximum" if result.scored else "; not scored"
        return f"not rated: {result.not_rated}{effect}"
    if result.kind == "case" and result.driver is not None:
        kq = result.key_questions[result.driver]
        details = []
        if kq.yes is not None:
            details.append(f"{kq.yes} of {kq.relevant} relevant cases")
        rounding = m.key_question_score.rounding
        if rounding != "exact" and as_fraction(kq.banded_percent) != _exact(kq):
            details.append(f'banded as {number(kq.banded_percent)}% by rounding "{rounding}"')
        details.append(f"{kq.band} {band_words(m.key_question_bands, kq.band)}")
        return f"lowest key question: {kq.label}, {shown_percent(kq, m)}% ({'; '.join(details)})"
    if result.indicated is not None:
        text = f"guidance indicated {result.indicated} [{result.guidance_rule}]"
        d = result.departure
        if d is not None:
            moved = f"raised to {d.rating}" if d.rating != d.indicated else f"kept at {d.rating}"
            text += f"; {moved} on {counted(len(d.reasons), 'recorded strength')} [{d.rule}]"
            if d.capped:
                text += f", capped: the inspectors judged {d.judgement}"
        elif result.judgement != result.rating:
            text += f"; the inspectors' judgement ({result.judgement}) gives way to it"
        return text
    return "inspectors' judgement"


def rating_cell(result: StandardResult) -> str:
    """The rating column: the label, marked when the standard does not count in the score."""
    if result.rating is None:
        return NOT_RATED
    return result.rating if result.scored else f"{result.rating} (not scored)"


def chosen_by(result: RatingResult, m: Methodology, *, fieldwork_line: bool = False) -> str:
    """How the methodology was chosen, when neither the caller nor the inspection named it.

    ``fieldwork_line``: the output says on a line of its own when fieldwork started.
    """
    how = result.methodology.selected_by
    start = result.inspection.fieldwork_start
    programme = f"{m.programme} " if m.programme else ""
    if how == "fieldwork_start" and start is not None:
        return f" (in force on {start.isoformat()}{'' if fieldwork_line else ', when fieldwork started'})"
    if how == "programme":
        return f" (the most recent {programme}framework; the inspection gives no fieldwork_start)"
    if how == "default":
        return " (the default; the inspection names no methodology and gives no fieldwork_start)"
    return ""


def _methodology(result: RatingResult) -> Methodology:
    return result.rated_under if result.rated_under is not None else load_methodology(result.methodology.id)


def to_text(result: RatingResult) -> str:
    m = _methodology(result)
    insp = result.inspection
    lines = [f"{insp.unit} ({insp.id}): rated under {m.id} {m.version}{chosen_by(result, m, fieldwork_line=True)}"]
    if insp.fieldwork_start:
        lines.append(f"Fieldwork started {insp.fieldwork_start.isoformat()}")
    nxt = result.overall_next_band
    margin = f"; {number(nxt.short_by)} {'point' if nxt.short_by == 1 else 'points'} short of {nxt.rating}" if nxt else ""
    unrated = sum(1 for s in result.standards.values() if s.rating is None and s.scored)
    reduced = f", {counted(unrated, 'scored standard')} not rated, of {result.full_max_score}" if unrated else ""
    lines.append(f"Overall rating  {result.overall}  (score {result.score}/{result.max_score}{reduced}{margin})")
    width = max(len(f"{s.id} {s.name}") for s in result.standards.values())
    rating_width = max(len(r) for r in [*m.scale.ratings, *(rating_cell(s) for s in result.standards.values())])
    for domain in m.domains:
        members = [s for s in result.standards.values() if s.domain == domain.id]
        if not members:
            continue
        lines.append("")
        lines.append(f"{domain.id}. {domain.name}")
        for s in members:
            name = f"{s.id} {s.name}".ljust(width)
            lines.append(f"  {name}  {rating_cell(s).ljust(rating_width)}  {reason(s, m)}")
    return "\n".join(lines)


def to_markdown(result: RatingResult) -> str:
    m = _methodology(result)
    insp = result.inspection
    out = [
        f"## {insp.unit}: {result.overall}",
        "",
        f"Score **{result.score}/{result.max_score}** under `{m.id}` {m.version}{chosen_by(result, m)}.",
        "",
        "| Standard | Rating | Points | Why |",
        "|---|---|---|---|",
    ]
    for s in result.standards.values():
        points = "" if s.points is None else str(s.points)
        out.append(f"| {s.id} {s.name} | {rating_cell(s)} | {points} | {reason(s, m).replace('|', '/')} |")
    return "\n".join(out)


def to_json(results: Sequence[RatingResult], *, listed: bool | None = None) -> str:
    """One result as one JSON object; several (or ``listed=True``, even for one or none) as a list."""
    if listed is None:
        listed = len(results) != 1
    body = [r.to_dict() for r in results] if listed else results[0].to_dict()
    return json.dumps(body, indent=2, ensure_ascii=False)


def render(results: Sequence[RatingResult], fmt: str, *, listed: bool | None = None) -> str:
    """``fmt`` is text, markdown or json; ``listed`` as for :func:`to_json`."""
    if fmt == "json":
        return to_json(results, listed=listed)
    render_one = to_markdown if fmt == "markdown" else to_text
    return "\n\n".join(render_one(r) for r in results)


def stream(results: Iterable[RatingResult], fmt: str, out: TextIO, *, listed: bool = True) -> int:
    """Write each result to ``out`` as it comes, as ``print(render(results, fmt, listed=listed))`` would in one go.

    Nothing is held but the result being written, so the first is out before the second is
    rated. A list of JSON results is opened before the first and closed after the last; an
    error raised while ``results`` are made leaves what was written so far (a JSON list then
    unclosed, so no reader takes it for the whole). ``listed=False``: one JSON object, for one
    result. Returns how many results were written.
    """
    count = 0
    for result in results:
        if fmt == "json":
            body = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
            if listed:  # as json.dumps lays out a list: each item indented once more (no raw newline is inside a JSON string)
                body = ("[\n" if count == 0 else ",\n") + "\n".join(f"  {line}" for line in body.split("\n"))
        else:
            body = ("" if count == 0 else "\n\n") + (to_markdown(result) if fmt == "markdown" else to_text(result))
        out.write(body)
        out.flush()
        count += 1
        del result, body  # not held while the next is made
    if fmt == "json" and listed:
        out.write("\n]" if count else "[]")
    out.write("\n")
    out.flush()
    return count
