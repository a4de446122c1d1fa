"""A methodology as a page policy staff can read: every rule, its condition, outcome and source.

The page is built once as a small document model (headings, paragraphs, tables) and written
out as Markdown or as self-contained HTML, so the two formats cannot drift apart. Everything on
it comes from the methodology's data; the documentation build regenerates the bundled pages and
a test fails when a committed page is stale.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator, Sequence

import attrs

from probation_rules.methodology.schema import EVIDENCE_LEVELS, BandTable, Evidence, Guidance, Methodology, PointsTable, Rule, Scale, Standard
from probation_rules.percent import counted, number

__all__ = ["Heading", "Paragraph", "Table", "evidence_tally", "key_question_provenance", "page", "to_html", "to_markdown"]


@attrs.frozen
class Heading:
    level: int
    text: str


@attrs.frozen
class Paragraph:
    text: str


@attrs.frozen
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Table


def key_question_provenance(s: Standard) -> tuple[Evidence | None, str | None]:
    """How firm a standard's key questions are, and the source: their own where given, else the standard's."""
    if not s.key_questions:
        return None, None
    return s.key_questions_evidence or s.evidence, s.key_questions_citation or s.citation


def evidence_tally(m: Methodology) -> dict[str, Counter[str]]:
    """How many rules, standards and standards' key questions stand at each evidence level.

    Standards are counted by the evidence for their names and numbering, and those with key
    questions once more by the evidence for the questions; a standard whose file states no
    evidence is counted as ``"not stated"``.
    """
    return {
        "rules": Counter(rule.evidence for rule in m.rules()),
        "standards": Counter(s.evidence or "not stated" for s in m.standards),
        "key_questions": Counter(key_question_provenance(s)[0] or "not stated" for s in m.standards if s.key_questions),
    }


def _band_conditions(table: BandTable, unit: str) -> Iterator[tuple[str, str, str]]:
    ordered = table.ordered()
    for i, band in enumerate(ordered):
        upper = ordered[i + 1].at_least if i + 1 < len(ordered) else None
        condition = f"at least {number(band.at_least)}{unit}"
        if upper is not None:
            condition += f" and below {number(upper)}{unit}"
        yield band.id, condition, band.rating


def _provenance(m: Methodology, rule_id: str) -> tuple[str, str]:
    rule = m.rule(rule_id)
    return rule.evidence, rule.citation


def _rule_table(m: Methodology, rows: Sequence[tuple[str, str, str]], parent: Rule | None = None) -> Table:
    """Rows of (rule id, condition, outcome) with each rule's evidence and citation.

    A row citing the same source as its table says so rather than repeating the citation.
    """
    out = []
    for rid, when, then in rows:
        evidence, citation = _provenance(m, rid)
        if parent is not None and citation == parent.citation:
            citation = "as above"
        out.append((f"`{rid}`", when, then, evidence, citation))
    return Table(("Rule", "When", "Then", "Evidence", "Source"), tuple(out))


def _as_rule(item: Scale | PointsTable | BandTable) -> Rule:
    return Rule(item.id, item.citation, item.evidence)


def _rule_paragraph(rule: Rule, text: str) -> Paragraph:
    return Paragraph(f"{text} (rule `{rule.id}`, evidence: **{rule.evidence}**; source: {rule.citation})")


def _guidance_blocks(m: Methodology, g: Guidance) -> Iterator[Block]:
    informing = ", ".join(f"{s.id} {s.name}" for s in m.informing_standards(g))
    target = m.standard(g.target)
    yield Heading(3, g.title or f"Guidance for {target.id} {target.name}")
    how = (
        "the indicated rating stands unless the exception below applies"
        if g.mode == "exact"
        else "the inspectors' judgement stands when it is at or below the indicated rating"
    )
    yield _rule_paragraph(
        Rule(g.id, g.citation, g.evidence),
        f"The ratings of {informing} indicate a rating for {target.id} {target.name}; {how}. "
        "Where no row applies there is no indication and the inspectors' judgement stands.",
    )
    words = {
        "all_at_most": "every informing standard is rated {} or lower",
        "all_at_least": "every informing standard is rated {} or higher",
        "any_at_most": "at least one informing standard is rated {} or lower",
        "any_at_least": "at least one informing standard is rated {} or higher",
    }
    rows = [(row.id, " and ".join(words[k].format(v) for k, v in row.conditions().items()), f"indicates {row.indicates}") for row in g.rows]
    yield _rule_table(m, rows, Rule(g.id, g.citation, g.evidence))
    o = g.override
    if o is not None:
        yield Heading(4, o.title or "Exception: departing from the guidance")
        yield _rule_paragraph(
            Rule(o.id, o.citation, o.evidence),
            f"Where the inspectors record at least {counted(o.min_strengths, 'strength')} for {target.id} and judge it higher than indicated, "
            f"their judgement applies up to {counted(o.max_bands_up, 'band')} above the indication; a judgement beyond that is capped there "
            "and the cap is reported. The departure and its reasons are published with the result.",
        )


def page(m: Methodology) -> list[Block]:
    """The whole methodology as document blocks, in the order a report presents it."""
    blocks: list[Block] = [Heading(1, f"{m.title}"), Paragraph(f"Methodology `{m.id}`, version {m.version}.")]
    if m.in_force_from or m.in_force_until:
        since = m.in_force_from.isoformat() if m.in_force_from else "?"
        until = m.in_force_until.isoformat() if m.in_force_until else "now"
        provenance = f" (evidence: **{m.in_force_evidence or 'not stated'}**; source: {m.in_force_citation or 'not stated'})"
        note = f" {m.in_force_note}" if m.in_force_note else ""
        blocks.append(Paragraph(f"In force from {since} to {until}{provenance}.{note}"))
    if m.description:
        blocks.append(Paragraph(m.description))
    tally = evidence_tally(m)
    levels = [*EVIDENCE_LEVELS, *(["not stated"] if any(c["not stated"] for c in tally.values()) else [])]
    blocks.append(Heading(2, "How firm the rules and standards are"))
    blocks.append(
        Paragraph(
            "Rules are counted one by one (a table and each of its rows); standards by the evidence for their names and numbering, "
            "and, for those with key questions, once more by the evidence for the questions."
        )
    )
    blocks.append(
        Table(
            ("Evidence level", "Rules", "Standards", "Key questions (standards)"),
            tuple((level, str(tally["rules"][level]), str(tally["standards"][level]), str(tally["key_questions"][level])) for level in levels),
        )
    )

    blocks.append(Heading(2, "Ratings and points"))
    blocks.append(_rule_paragraph(_as_rule(m.scale), "Ratings, lowest first: " + ", ".join(m.scale.ratings) + "."))
    points = _as_rule(m.points)
    blocks.append(_rule_paragraph(points, "Each rated standard scores points by its rating:"))
    blocks.append(_rule_table(m, [(row.id, f"a standard is rated {row.rating}", counted(row.points, "point")) for row in m.points.rows], points))

    blocks.append(Heading(2, "Standards"))
    for domain in m.domains:
        blocks.append(Heading(3, f"Domain {domain.id}: {domain.name}"))
        rows = []
        for s in m.standards:
            if s.domain != domain.id:
                continue
            how = "inspectors' judgement" if s.kind == "judged" else "case-based: lowest key question"
            questions = "<br>".join(f"`{q.id}`: {q.text}" for q in s.key_questions) or "-"
            evidence: str = s.evidence or "not stated"
            source = s.citation or "not stated"
            kq_evidence, kq_source = key_question_provenance(s)
            if s.key_questions and (kq_evidence, kq_source) != (s.evidence, s.citation):
                evidence += f"; key questions: {kq_evidence or 'not stated'}"
                source += f"; key questions: {kq_source or 'not stated'}"
            rows.append((s.id, s.name, how, "yes" if s.scored else "no", questions, evidence, source))
        blocks.append(Table(("Standard", "Name", "Rated by", "Scored", "Key questions", "Evidence", "Source"), tuple(rows)))
    if m.guidance:
        judged = "A judged standard takes the inspectors' judgement, unless the rating decision guidance below applies to it."
    else:
        judged = "A judged standard takes the inspectors' judgement: this methodology has no rating decision guidance, so that holds for every judged standard."
    blocks.append(_rule_paragraph(m.judged_rating, judged))

    blocks.append(Heading(2, "Case-based standards"))
    score = m.key_question_score
    rounding = {
        "exact": "the exact share of relevant cases answered yes (no rounding)",
        "nearest": "the share of relevant cases answered yes, rounded to the nearest whole percentage (halves up)",
        "down": "the share of relevant cases answered yes, truncated to a whole percentage",
    }[score.rounding]
    blocks.append(_rule_paragraph(Rule(score.id, score.citation, score.evidence), f"A key question's percentage is {rounding}."))
    blocks.append(_rule_paragraph(_as_rule(m.key_question_bands), "The key-question percentage is placed in a band:"))
    blocks.append(_rule_table(m, list(_band_conditions(m.key_question_bands, "%")), _as_rule(m.key_question_bands)))
    blocks.append(_rule_paragraph(m.case_rating, "A case-based standard is rated by the band of its lowest key question."))

    blocks.append(Heading(2, "Score and overall rating"))
    blocks.append(_rule_paragraph(m.score, f"The score is the sum of the points of the scored standards, out of {m.max_score}."))
    unscored = [s for s in m.standards if not s.scored]
    if unscored:
        blocks.append(Paragraph("A standard rated but not scored adds no points: its own rule leaves it out of the score and the maximum."))
        blocks.append(_rule_table(m, [(m.not_scored_rule(s).id, f"{s.id} {s.name} is rated", "no points") for s in unscored]))
    blocks.append(_rule_paragraph(_as_rule(m.overall_bands), "The score is placed in a band:"))
    overall_rows = [(rid, when.replace("at least", "a score of at least"), then) for rid, when, then in _band_conditions(m.overall_bands, "")]
    blocks.append(_rule_table(m, overall_rows, _as_rule(m.overall_bands)))

    blocks.append(Heading(2, "Standards left unrated"))
    if m.not_rated is None:
        blocks.append(Paragraph("This methodology states no rule for unrated standards, so every standard must be rated."))
    else:
        nr, rescale = m.not_rated, m.not_rated.rescale
        blocks.append(
            _rule_paragraph(
                Rule(nr.id, nr.citation, nr.evidence),
                "A standard the inspectors leave unrated (with a reason) has no rating and no points: it leaves the score, the maximum score "
                "and the ratings any guidance table reads (a table reads its rated informing standards, indicates nothing when none is rated, "
                "and is not consulted when its target is unrated).",
            )
        )
        how = {
            "proportional": f"the overall bands scale with it: a score s out of M is placed as s x {m.max_score} / M would be, "
            f"so each lower bound a becomes a x M / {m.max_score} points, rounded up",
            "none": "the overall bands stand as stated, in points",
        }[rescale.method]
        blocks.append(_rule_paragraph(Rule(rescale.id, rescale.citation, rescale.evidence), f"When unrated standards reduce the maximum score, {how}."))

    blocks.append(Heading(2, "Rating decision guidance"))
    if not m.guidance:
        why = " (the description at the top says why)" if m.description else ""
        blocks.append(Paragraph(f"None: no standard's rating informs another's, so the inspectors' judgement stands for every judged standard{why}."))
    for g in m.guidance:
        blocks.extend(_guidance_blocks(m, g))
    return blocks


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(m: Methodology) -> str:
    out: list[str] = [f"<!-- Generated from {m.id} {m.version} by `probation-rules render`; do not edit. -->", ""]
    for block in page(m):
        if isinstance(block, Heading):
            out += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += [block.text, ""]
        else:
            out.append("| " + " | ".join(block.header) + " |")
            out.append("|" + "---|" * len(block.header))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _inline(text: str) -> str:
    """Escape, then render the two inline marks the page uses: `code` and **bold**, and <br>."""
    escaped = html.escape(text).replace("&lt;br&gt;", "<br>")
    parts = escaped.split("`")
    escaped = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
    parts = escaped.split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))


def to_html(m: Methodology) -> str:
    body: list[str] = []
    for block in page(m):
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{_inline(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{_inline(block.text)}</p>")
        else:
            head = "".join(f"<th>{_inline(h)}</th>" for h in block.header)
            rows = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>" for row in block.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    style = (
        "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
        "table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid #bbb;padding:0.3rem 0.5rem;vertical-align:top}"
        "th{background:#eee}code{background:#f4f4f4;padding:0 0.2rem}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(m.title)}</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
