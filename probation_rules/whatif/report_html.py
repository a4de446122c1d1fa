"""A comparison as one self-contained HTML page: what changed, what moved, and why.

The page is sent by e-mail and opened from disk on locked-down machines, so it must need
nothing from a network: styles are inline, the transition matrices are inline SVG heatmaps,
and a Content-Security-Policy meta tag forbids every fetch (a page that tried one would show an
error in the browser's console, which the tests look for). Colour is never the only signal: each
cell prints its count, and moves up and down are also told apart by position (above or below
the diagonal) and named in the caption.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

import probation_rules
from probation_rules.percent import counted
from probation_rules.whatif.changes import RuleChange, show
from probation_rules.whatif.compare import Comparison, Matrix, MethodologyInfo, Outcome
from probation_rules.whatif.divergence import Divergence, fmt

__all__ = ["CSP", "html"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""Nothing may load: no scripts, fonts, images or requests; only the page's own inline styles."""

_CELL_W, _CELL_H, _LABEL_W, _HEAD_H = 86, 36, 156, 54

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; margin: 0; background: #f7f8fa; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 1.5em; margin: 0 0 4px; } h2 { font-size: 1.2em; margin: 32px 0 8px; border-bottom: 1px solid #e4e7eb; padding-bottom: 4px; }
h3 { font-size: 1em; margin: 0 0 4px; }
.muted { color: #616e7c; } code { font-size: 0.92em; background: #f0f2f5; padding: 1px 4px; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.93em; }
#changed-inspections td:nth-child(1) { width: 18%; } #changed-inspections td:nth-child(2) { width: 34%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e4e7eb; vertical-align: top; }
th { background: #f0f2f5; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { flex: 1 1 180px; border: 1px solid #e4e7eb; border-radius: 6px; padding: 10px 14px; }
.stat b { display: block; font-size: 1.5em; }
.grid { display: flex; flex-wrap: wrap; gap: 22px; }
figure { margin: 8px 0; } figcaption { font-size: 0.9em; color: #3e4c59; margin-bottom: 4px; }
.old { color: #7b8794; text-decoration: line-through; } .new { font-weight: 600; }
.down { color: #b91c1c; } .up { color: #1d4ed8; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; } dt { font-weight: 600; } dd { margin: 0; }
footer { margin-top: 36px; font-size: 0.85em; color: #7b8794; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _shade(kind: str, strength: float) -> tuple[str, str]:
    """(fill, text colour) for a cell: grey on the diagonal, blue for up, red for down."""
    base = {"same": (243, 244, 246), "up": (219, 234, 254), "down": (254, 226, 226), "other": (254, 243, 199)}[kind]
    deep = {"same": (107, 114, 128), "up": (29, 78, 216), "down": (185, 28, 28), "other": (180, 83, 9)}[kind]
    mix = tuple(round(b + (d - b) * strength) for b, d in zip(base, deep, strict=True))
    return f"rgb({mix[0]},{mix[1]},{mix[2]})", "#ffffff" if strength > 0.55 else "#1f2933"


def heatmap(m: Matrix) -> str:
    """A transition matrix as an SVG heatmap: rows baseline, columns candidate, counts printed."""
    width = _LABEL_W + _CELL_W * len(m.columns) + 2
    height = _HEAD_H + _CELL_H * len(m.rows) + 4
    peak = max((n for row in m.counts for n in row), default=0)
    parts = [
        f'<svg class="heatmap" role="img" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{_e(m.name)}: rows baseline rating, columns candidate rating">',
        f'<text x="{_LABEL_W + _CELL_W * len(m.columns) / 2}" y="12" text-anchor="middle" font-size="12" fill="#616e7c">candidate \u2192</text>',
        f'<text x="4" y="{_HEAD_H - 8}" font-size="12" fill="#616e7c">baseline \u2193</text>',
    ]
    for j, column in enumerate(m.columns):
        x = _LABEL_W + _CELL_W * j + _CELL_W / 2
        lines = _wrap(column, 12)
        spans = "".join(f'<tspan x="{x}" dy="{0 if k == 0 else 13}">{_e(line)}</tspan>' for k, line in enumerate(lines))
        parts.append(f'<text x="{x}" y="{_HEAD_H - 8 - 13 * (len(lines) - 1)}" text-anchor="middle" font-size="11.5" font-weight="600">{spans}</text>')
    for i, row in enumerate(m.rows):
        y = _HEAD_H + _CELL_H * i
        parts.append(f'<text x="4" y="{y + _CELL_H / 2 + 4}" font-size="11.5" font-weight="600">{_e(_short(row, 22))}</text>')
        for j, column in enumerate(m.columns):
            n = m.counts[i][j]
            kind = _kind(m, row, column)
            strength = 0.0 if not n or not peak else 0.12 + 0.88 * math.log1p(n) / math.log1p(peak)
            fill, ink = _shade(kind, strength) if n else ("#ffffff", "#9aa5b1")
            x = _LABEL_W + _CELL_W * j
            title = f"{n:,} rated {row} by the baseline and {column} by the candidate"
            parts.append(
                f'<g class="cell" data-row="{_e(row)}" data-column="{_e(column)}" data-count="{n}"><title>{_e(title)}</title>'
                f'<rect x="{x + 1}" y="{y + 1}" width="{_CELL_W - 2}" height="{_CELL_H - 2}" rx="3" fill="{fill}" stroke="#d2d6dc"/>'
                f'<text x="{x + _CELL_W / 2}" y="{y + _CELL_H / 2 + 5}" text-anchor="middle" font-size="14" fill="{ink}">{n:,}</text></g>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _wrap(label: str, width: int) -> list[str]:
    """A column label on at most two lines, broken between words."""
    words, lines = label.split(), [""]
    for word in words:
        if lines[-1] and len(lines[-1]) + 1 + len(word) > width and len(lines) < 2:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    return [_short(line, width + 2) for line in lines]


def _short(label: str, limit: int = 16) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "\u2026"


def _kind(m: Matrix, row: str, column: str) -> str:
    if row == column:
        return "same"
    if row in m.scale and column in m.scale:
        return "up" if m.scale.index(column) > m.scale.index(row) else "down"
    return "other"


def _moves(m: Matrix) -> str:
    up, down, changed = m.moved()
    text = f"{changed:,} of {m.total:,} change"
    if m.scale and changed:
        text += f' (<span class="up">{up:,} up</span>, <span class="down">{down:,} down</span>)'
    return text


def _figure(m: Matrix, heading: str) -> str:
    caption = f"<figcaption><h3>{heading}</h3>{_moves(m)}</figcaption>"
    return f'<figure class="matrix" id="matrix-{_e(m.subject)}" data-subject="{_e(m.subject)}">{caption}{heatmap(m)}</figure>'


def _methodology(role: str, info: MethodologyInfo) -> str:
    rows = [
        ("id and version", f"<code>{_e(info.id)}</code> {_e(info.version)}"),
        ("title", _e(info.title)),
        ("sha256", f"<code>{_e(info.sha256[:16])}\u2026</code>"),
    ]
    if info.source:
        rows.append(("file", f"<code>{_e(info.source)}</code>"))
    if info.lineage is not None:
        lin = info.lineage
        rows.append(("variant", f"<b>{_e(lin.variant)}</b> of <code>{_e(lin.base_id)}</code> {_e(lin.base_version)}"))
        rows.append(("rationale", _e(lin.rationale)))
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<div class="card"><h3>{role}</h3><dl>{body}</dl></div>'


def _rule_rows(changes: Sequence[RuleChange]) -> Iterable[str]:
    for ch in changes:
        if ch.kind == "changed":
            cells = [f'{_e(f.field)}: <span class="old">{_e(show(f.old))}</span> \u2192 <span class="new">{_e(show(f.new))}</span>' for f in ch.fields]
            detail = "<br>".join(cells)
            if ch.provenance:
                cited = "".join(f'<div>{_e(f.field)}: <span class="old">{_e(show(f.old))}</span> \u2192 {_e(show(f.new))}</div>' for f in ch.provenance)
                opened = "" if ch.fields else " open"  # a change of source alone is shown, not folded away
                detail += f"<details{opened}><summary>{_e(' and '.join(f.field for f in ch.provenance))} changed</summary>{cited}</details>"
        else:
            detail = _e(ch.text())
        yield f"<tr><td><code>{_e(ch.address)}</code></td><td>{_e(ch.what)}</td><td>{_e(ch.kind)}</td><td>{detail}</td></tr>"


def _began(d: Divergence, changes: Sequence[RuleChange], several: bool = False) -> str:
    """The change an inspection's move began at, each side's decision, and the inputs, the differing ones old and new."""
    inputs = [
        f"{_e(k)} {_e(fmt(old))}" if old == new else f'{_e(k)} <span class="old">{_e(fmt(old))}</span> \u2192 <span class="new">{_e(fmt(new))}</span>'
        for k, old, new in d.shown_inputs()
    ]
    moving = f' <span class="muted">(moving {_e(", ".join(d.moved))})</span>' if several and d.moved else ""
    return (
        f'<div class="began"><code>{_e(d.origin(changes))}</code>{moving}<br><span class="muted">{_e(d.subject)}:</span> '
        f'<span class="old">{_e(d.side("baseline"))}</span> \u2192 <span class="new">{_e(d.side("candidate"))}</span>'
        + (f'<br><span class="muted">from</span> {", ".join(inputs)}' if inputs else "")
        + "</div>"
    )


def _outcome_row(o: Outcome, changes: Sequence[RuleChange]) -> str:
    b, c = o.baseline, o.candidate
    moved = [
        f'overall <span class="old">{_e(b.overall)}</span> \u2192 <span class="new">{_e(c.overall)}</span>'
        if b.overall != c.overall
        else f"overall {_e(b.overall)} (unchanged)"
    ]
    if (b.score, b.max_score) != (c.score, c.max_score):
        moved.append(f"score {b.score}/{b.max_score} \u2192 {c.score}/{c.max_score}")
    moved += [f'{_e(sid)} <span class="old">{_e(old)}</span> \u2192 <span class="new">{_e(new)}</span>' for sid, (old, new) in o.moved_standards().items()]
    several = o.divergences_move_differently
    began = "".join(_began(d, changes, several) for d in o.divergences)
    return f'<tr class="changed-inspection"><td>{_e(o.id)}<br><span class="muted">{_e(o.unit)}</span></td><td>{"<br>".join(moved)}</td><td>{began}</td></tr>'


def html(c: Comparison, limit: int | None = 200) -> str:
    changed = c.changed
    up, down, moved = c.overall.moved()
    cards = [
        ("inspections", f"{c.inspections:,}"),
        (
            "overall rating changes",
            f"{moved:,}" + (f' <small>(<span class="up">{up:,} up</span>, <span class="down">{down:,} down</span>)</small>' if c.overall.scale else ""),
        ),
        ("inspections with any change", f"{len(changed):,}"),
        ("key questions in another band", f"{c.key_questions_changed:,} <small>of {c.key_questions_compared:,}</small>"),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(c.candidate.name)} compared with {_e(c.baseline.name)}</title>",
        f"<style>{_STYLE}</style></head><body><main>",
        f"<h1>{_e(c.candidate.id)} compared with {_e(c.baseline.id)}</h1>",
        f'<p class="muted">{_e(c.population)}. Every rating comes from the rules engine; ratings are counted, never averaged.</p>',
        '<div class="cards">' + "".join(f'<div class="card stat">{label}<b>{value}</b></div>' for label, value in cards) + "</div>",
        '<div class="cards">' + _methodology("Baseline", c.baseline) + _methodology("Candidate", c.candidate) + "</div>",
    ]
    repeated = c.repeated_note()
    if c.assumptions or c.ignored or repeated:
        items = [f"<li>{_e(a)}</li>" for a in c.assumptions] + [f"<li>{_e(n)} (ignored on that side)</li>" for n in c.ignored]
        items += [f"<li>{_e(repeated)}</li>"] if repeated else []
        out.append(f'<h2>Assumptions</h2><ul id="assumptions">{"".join(items)}</ul>')
    out.append(
        '<h2>Changed rules</h2><table id="changed-rules"><thead>'
        "<tr><th>rule</th><th>what</th><th>how</th><th>baseline \u2192 candidate</th></tr></thead><tbody>"
    )
    out += list(_rule_rows(c.rule_changes)) or ['<tr><td colspan="4">None: the methodologies state the same rules.</td></tr>']
    out.append("</tbody></table>")
    out.append(
        "<h2>Overall rating</h2><p class=\"muted\">Rows: the baseline's rating; columns: the candidate's. Grey, on the diagonal: unchanged; "
        '<span class="up">blue, above it: rated higher</span>; <span class="down">red, below it: rated lower</span>; darker: more inspections.</p>'
    )
    out.append(_figure(c.overall, "Overall rating"))
    verb = "changes" if len(changed) == 1 else "change"
    out.append(f"<h2>Why: where the changes began</h2><p>{len(changed):,} of {counted(c.inspections, 'inspection')} {verb} a standard's or the overall rating.")
    if changed:
        out.append(
            " Each change is traced to the first rule at which the two methodologies decided differently;"
            " an inspection counts under each change that acted on it.</p>"
        )
        out.append('<table id="origins"><thead><tr><th>rule where the change began</th><th>inspections</th></tr></thead><tbody>')
        out += [f'<tr><td><code>{_e(rule)}</code></td><td class="num">{n:,}</td></tr>' for rule, n in c.origins().items()]
        out.append("</tbody></table>")
        out.append(
            '<table id="origins-by-rating"><thead><tr><th>rating that changed</th><th>rule where its change began</th><th>inspections</th></tr></thead><tbody>'
        )
        out += [
            f'<tr><td>{_e(subject)}</td><td><code>{_e(rule)}</code></td><td class="num">{n:,}</td></tr>'
            for subject, by in c.origins_by_rating().items()
            for rule, n in by.items()
        ]
        out.append("</tbody></table>")
    else:
        out.append("</p>")
    out.append('<h2>Standards</h2><div class="grid">')
    out += [_figure(m, f"{_e(m.subject)} {_e(m.name)}") for m in c.standards]
    out.append("</div>")
    moves = c.key_question_moves()
    out.append(f"<h2>Key questions</h2><p>{c.key_questions_changed:,} of {c.key_questions_compared:,} key-question results placed in a different band.</p>")
    if moves:
        out.append('<table id="key-questions"><thead><tr><th>key question</th><th>baseline \u2192 candidate</th><th>results</th></tr></thead><tbody>')
        out += [
            f'<tr><td>{_e(a)}</td><td><span class="old">{_e(old)}</span> \u2192 <span class="new">{_e(new)}</span></td><td class="num">{n:,}</td></tr>'
            for a, by in moves.items()
            for (old, new), n in by.items()
        ]
        out.append("</tbody></table>")
    out.append(f"<h2>Inspections that change</h2><p>{len(changed):,} of {c.inspections:,}.</p>")
    if changed:
        shown = changed[:limit] if limit is not None else changed
        out.append('<table id="changed-inspections"><thead><tr><th>inspection</th><th>what moved</th><th>where it began</th></tr></thead><tbody>')
        out += [_outcome_row(o, c.rule_changes) for o in shown]
        out.append("</tbody></table>")
        if len(shown) < len(changed):
            out.append(f'<p class="muted">Showing {len(shown):,} of {len(changed):,}; every one is in the JSON and CSV formats.</p>')
    out.append(f"<footer>probation_rules {probation_rules.__version__}</footer></main></body></html>")
    return "\n".join(out) + "\n"
