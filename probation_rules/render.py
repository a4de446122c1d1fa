"""Results for people: a text layout that reads like a report's ratings table, and Markdown.

Every line of reason is built from the result and the methodology's own words (labels, band
bounds, rule ids), so the same renderer serves every framework.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from probation_rules.methodology.loader import load_methodology
from probation_rules.methodology.schema import BandTable, Methodology
from probation_rules.result import RatingResult, StandardResult

__all__ = ["band_words", "reason", "render", "to_json", "to_markdown", "to_text"]


NOT_RATED = "not rated"


def _num(value: float) -> str:
    return f"{value:g}"


def band_words(table: BandTable, rating: str, unit: str = "%") -> str:
    """'below 50%', '50% to below 65%', '80% and above' for a rating's band in a table."""
    ordered = table.ordered()
    for i, band in enumerate(ordered):
        if band.rating != rating:
            continue
        upper = ordered[i + 1].at_least if i + 1 < len(ordered) else None
        if upper is None:
            return f"{_num(band.at_least)}{unit} and above"
        if i == 0 and band.at_least == 0:
            return f"below {_num(upper)}{unit}"
        return f"{_num(band.at_least)}{unit} to below {_num(upper)}{unit}"
    return ""


def reason(result: StandardResult, m: Methodology) -> str:
    """One line saying why a standard got its rating."""
    if result.rating is None:
        return f"not rated: {result.not_rated}" + ("" if not result.scored else " (leaves the score and the maximum)")
    if result.kind == "case" and result.driver is not None:
        kq = result.key_questions[result.driver]
        where = band_words(m.key_question_bands, result.rating)
        counts = f" ({kq.yes} of {kq.relevant} relevant cases)" if kq.yes is not None else ""
        return f"lowest key question: {kq.label}, {_num(round(kq.percent, 1))}%{counts} ({result.rating} {where})"
    if result.indicated is not None:
        text = f"guidance indicated {result.indicated} [{result.guidance_rule}]"
        d = result.departure
        if d is not None:
            moved = f"raised to {d.rating}" if d.rating != d.indicated else f"kept at {d.rating}"
            text += f"; {moved} on {len(d.reasons)} recorded strength(s) [{d.rule}]"
            if d.capped:
                text += f", capped: the inspectors judged {d.judgement}"
        elif result.judgement != result.rating:
            text += f"; the inspectors' judgement ({result.judgement}) gives way to it"
        return text
    return "inspectors' judgement"


def _methodology(result: RatingResult) -> Methodology:
    return result.rated_under if result.rated_under is not None else load_methodology(result.methodology.id)


def to_text(result: RatingResult) -> str:
    m = _methodology(result)
    insp = result.inspection
    chosen = f" (in force on {insp.fieldwork_start.isoformat()})" if result.methodology.selected_by == "fieldwork_start" and insp.fieldwork_start else ""
    lines = [f"{insp.unit} ({insp.id}): rated under {m.id} {m.version}{chosen}"]
    if insp.fieldwork_start:
        lines.append(f"Fieldwork started {insp.fieldwork_start.isoformat()}")
    nxt = result.overall_next_band
    margin = f"; {_num(nxt.short_by)} point(s) short of {nxt.rating}" if nxt else ""
    unrated = sum(1 for s in result.standards.values() if s.rating is None and s.scored)
    reduced = f", {unrated} scored standard(s) not rated, of {result.full_max_score}" if unrated else ""
    lines.append(f"Overall rating  {result.overall}  (score {result.score}/{result.max_score}{reduced}{margin})")
    width = max(len(f"{s.id} {s.name}") for s in result.standards.values())
    rating_width = max(len(r) for r in m.scale.ratings)
    for domain in m.domains:
        members = [s for s in result.standards.values() if s.domain == domain.id]
        if not members:
            continue
        lines.append("")
        lines.append(f"{domain.id}. {domain.name}")
        for s in members:
            name = f"{s.id} {s.name}".ljust(width)
            lines.append(f"  {name}  {(s.rating or NOT_RATED).ljust(rating_width)}  {reason(s, m)}")
    return "\n".join(lines)


def to_markdown(result: RatingResult) -> str:
    m = _methodology(result)
    insp = result.inspection
    out = [
        f"## {insp.unit}: {result.overall}",
        "",
        f"Score **{result.score}/{result.max_score}** under `{m.id}` {m.version}.",
        "",
        "| Standard | Rating | Points | Why |",
        "|---|---|---|---|",
    ]
    for s in result.standards.values():
        points = "" if s.points is None else str(s.points)
        out.append(f"| {s.id} {s.name} | {s.rating or NOT_RATED} | {points} | {reason(s, m).replace('|', '/')} |")
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
