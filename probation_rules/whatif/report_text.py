"""A comparison as text for a terminal, Markdown for a page, and CSV for a spreadsheet.

Each report leads with what was changed (the rules, old and new values), then what moved (the
transition matrices, rows baseline and columns candidate, with the baseline counts in view), then
which inspections moved and the rule each change began at. The CSV holds every inspection, so
an analyst can cut it their own way.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence

from probation_rules.percent import counted
from probation_rules.whatif.compare import NOT_RATED, Comparison, Matrix, MethodologyInfo, Outcome
from probation_rules.whatif.divergence import Divergence

__all__ = ["csv_rows", "markdown", "text"]


def _lineage(info: MethodologyInfo) -> str | None:
    lineage = info.lineage
    if lineage is None:
        return None
    return f"variant {lineage.variant} of {lineage.base_id} {lineage.base_version}: {lineage.rationale}"


def _moves(m: Matrix) -> str:
    up, down, changed = m.moved()
    if not m.scale:
        return f"{changed:,} of {m.total:,} change"
    return f"{changed:,} of {m.total:,} change ({up:,} up, {down:,} down)"


def _outcome_line(o: Outcome) -> str:
    b, c = o.baseline, o.candidate
    parts = [f"overall {b.overall} -> {c.overall}" if b.overall != c.overall else f"overall {b.overall} (unchanged)"]
    if (b.score, b.max_score) != (c.score, c.max_score):
        parts.append(f"score {b.score}/{b.max_score} -> {c.score}/{c.max_score}")
    parts += [f"{sid} {old} -> {new}" for sid, (old, new) in o.moved_standards().items()]
    return "; ".join(parts)


def _band_moves(moves: Mapping[tuple[str, str], int]) -> str:
    """``A -> B: 4; B -> C: 1``: each pair of bands a key question moved between, with how many results moved."""
    return "; ".join(f"{old} -> {new}: {n:,}" for (old, new), n in moves.items())


def _origin_counts(by: Mapping[str, int]) -> str:
    return ", ".join(f"{rule} {n:,}" for rule, n in by.items())


def _several(c: Comparison) -> bool:
    """Whether some inspection's change began at more than one change (so the counts add up to more than the inspections)."""
    return any(len(set(o.origins(c.rule_changes))) > 1 for o in c.changed)


def _leads_to(o: Outcome, d: Divergence) -> str:
    """Which of the inspection's changed ratings a divergence moved, when its divergences do not all move the same."""
    return f" (moving {', '.join(d.moved)})" if o.divergences_move_differently and d.moved else ""


def _header(c: Comparison) -> Iterator[tuple[str, str]]:
    yield "baseline", c.baseline.name + (f" ({line})" if (line := _lineage(c.baseline)) else "")
    yield "candidate", c.candidate.name + (f" ({line})" if (line := _lineage(c.candidate)) else "")
    yield "population", c.population


def _matrix_lines(m: Matrix) -> list[str]:
    corner = "baseline \\ candidate"
    first = max(len(corner), *(len(r) for r in m.rows))
    widths = [max(len(col), *(len(f"{row[j]:,}") for row in m.counts)) for j, col in enumerate(m.columns)]
    lines = ["  " + corner.ljust(first) + "  " + "  ".join(col.rjust(w) for col, w in zip(m.columns, widths, strict=True))]
    for label, row in zip(m.rows, m.counts, strict=True):
        lines.append("  " + label.ljust(first) + "  " + "  ".join(f"{n:,}".rjust(w) for n, w in zip(row, widths, strict=True)))
    return lines


def text(c: Comparison, limit: int | None = 20) -> str:
    lines = [f"{key:<11}{value}" for key, value in _header(c)]
    lines += [f"{'':<11}assumes {a}" for a in c.assumptions]
    lines += [f"{'':<11}note: {note} (ignored on that side)" for note in c.ignored]
    lines += [f"{'':<11}note: {note}" for note in [c.repeated_note()] if note]
    lines += ["", "Changed rules (baseline -> candidate)"]
    if c.rule_changes:
        width = max(len(ch.address) for ch in c.rule_changes)
        lines += [f"  {ch.address:<{width}}  {ch.text()}" for ch in c.rule_changes]
    else:
        lines.append("  none: the methodologies state the same rules")
    lines += ["", f"Overall rating: {_moves(c.overall)}", *_matrix_lines(c.overall)]
    moved = [m for m in c.standards if m.moved()[2]]
    still = [m.subject for m in c.standards if not m.moved()[2]]
    for m in moved:
        lines += ["", f"{m.subject} {m.name}: {_moves(m)}", *_matrix_lines(m)]
    if still:
        lines += ["", f"Standards with no change: {', '.join(still)}"]
    lines += ["", f"Key questions placed in a different band: {c.key_questions_changed:,} of {c.key_questions_compared:,}"]
    lines += [f"  {address}: {_band_moves(moves)}" for address, moves in list(c.key_question_moves().items())[:10]]
    changed = c.changed
    lines += ["", f"Inspections that change: {len(changed):,} of {c.inspections:,}"]
    if changed:
        lines += [f"  where the change began{' (an inspection where several changes acted counts under each)' if _several(c) else ''}:"]
        lines += [f"    {rule}: {counted(n, 'inspection')}" for rule, n in c.origins().items()]
        by_rating = c.origins_by_rating()
        if len(by_rating) > 1:
            lines += ["  by the rating that changed:", *(f"    {subject}: {_origin_counts(by)}" for subject, by in by_rating.items())]
    for o in changed[:limit] if limit is not None else changed:
        lines.append(f"  {o.id} ({o.unit}): {_outcome_line(o)}")
        lines += [f"    began at {d.text()}{_leads_to(o, d)}" for d in o.divergences]
    if limit is not None and len(changed) > limit:
        lines.append(f"  ... and {len(changed) - limit:,} more (all of them are in --format json and csv)")
    return "\n".join(lines)


def _md_matrix(m: Matrix) -> list[str]:
    head = "| baseline \\ candidate | " + " | ".join(m.columns) + " |"
    rule = "|---|" + "---:|" * len(m.columns)
    body = []
    for label, row in zip(m.rows, m.counts, strict=True):
        cells = [f"**{n:,}**" if label == col else f"{n:,}" for n, col in zip(row, m.columns, strict=True)]
        body.append(f"| {label} | " + " | ".join(cells) + " |")
    return [head, rule, *body]


def _md_escape(value: str) -> str:
    return value.replace("|", "\\|")


def markdown(c: Comparison, limit: int | None = 50) -> str:
    lines = [f"# {c.candidate.name} compared with {c.baseline.name}", ""]
    lines += [f"- **{key}**: {_md_escape(value)}" for key, value in _header(c)]
    lines += [f"- assumes {_md_escape(a)}" for a in c.assumptions]
    lines += [f"- note: {note} (ignored on that side)" for note in c.ignored]
    lines += [f"- note: {_md_escape(note)}" for note in [c.repeated_note()] if note]
    lines += ["", "## Changed rules", ""]
    if c.rule_changes:
        lines += ["| rule | what | change (baseline -> candidate) |", "|---|---|---|"]
        lines += [f"| `{ch.address}` | {ch.what} ({ch.kind}) | {_md_escape(ch.text())} |" for ch in c.rule_changes]
    else:
        lines.append("None: the methodologies state the same rules.")
    lines += ["", "## Overall rating", "", _moves(c.overall) + ". Rows: baseline; columns: candidate.", "", *_md_matrix(c.overall)]
    lines += ["", "## Standards"]
    for m in c.standards:
        lines += ["", f"### {m.subject} {m.name}", "", _moves(m) + ".", "", *_md_matrix(m)]
    lines += ["", "## Key questions", "", f"{c.key_questions_changed:,} of {c.key_questions_compared:,} key-question results placed in a different band."]
    moves = c.key_question_moves()
    if moves:
        lines += ["", "| key question | baseline -> candidate | results |", "|---|---|---:|"]
        lines += [f"| {a} | {old} -> {new} | {n:,} |" for a, by in moves.items() for (old, new), n in by.items()]
    changed = c.changed
    lines += ["", "## Inspections that change", "", f"{len(changed):,} of {c.inspections:,}."]
    if changed:
        lines += ["", "An inspection where several changes acted counts under each.", ""] if _several(c) else [""]
        lines += ["| rule where the change began | inspections |", "|---|---:|", *(f"| `{r}` | {n:,} |" for r, n in c.origins().items())]
        lines += ["", "| rating that changed | rule where its change began | inspections |", "|---|---|---:|"]
        lines += [f"| {subject} | `{r}` | {n:,} |" for subject, by in c.origins_by_rating().items() for r, n in by.items()]
        lines += ["", "| inspection | what moved | where it began |", "|---|---|---|"]
        for o in changed[:limit] if limit is not None else changed:
            began = "<br>".join(_md_escape(d.text() + _leads_to(o, d)) for d in o.divergences)
            lines.append(f"| {_md_escape(o.id)} ({_md_escape(o.unit)}) | {_md_escape(_outcome_line(o))} | {began} |")
        if limit is not None and len(changed) > limit:
            lines += ["", f"... and {len(changed) - limit:,} more (all of them are in the JSON and CSV formats)."]
    return "\n".join(lines) + "\n"


def csv_rows(c: Comparison) -> str:
    """Every inspection, one row each, with both sides' ratings and where any change began."""
    standards: Sequence[str] = [m.subject for m in c.standards]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    head = [
        "id",
        "unit",
        "source",
        "changed",
        "overall_baseline",
        "overall_candidate",
        "score_baseline",
        "score_candidate",
        "max_score_baseline",
        "max_score_candidate",
    ]
    for sid in standards:
        head += [f"{sid}_baseline", f"{sid}_candidate"]
    writer.writerow([*head, "key_questions_changed_band", "change_began_at_rule", "change_began_at", "changes_began_at_rules"])
    for o in c.outcomes:
        b, n = o.baseline, o.candidate
        row: list[object] = [o.id, o.unit, o.source or "", "yes" if o.changed else "no", b.overall, n.overall, b.score, n.score, b.max_score, n.max_score]
        for sid in standards:
            row += [_cell(b.standards, sid), _cell(n.standards, sid)]
        d = o.divergence
        every = " ".join(dict.fromkeys(x.origin(c.rule_changes) for x in o.divergences))
        row += [" ".join(o.bands_changed), "" if d is None else d.origin(c.rule_changes), "" if d is None else d.text(), every]
        writer.writerow(row)
    return out.getvalue()


def _cell(standards: Mapping[str, str | None], sid: str) -> str:
    if sid not in standards:
        return ""
    rating = standards[sid]
    return NOT_RATED if rating is None else rating
