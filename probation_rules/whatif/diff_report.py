"""A semantic diff as text and Markdown: warnings first, then what rates differently.

Shares of relevant cases are listed compactly, one line per sample size, because 31 sample
sizes with a few shares each is what a reader scans for "does this touch 20 cases?".
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from probation_rules.percent import number
from probation_rules.whatif.diff import MethodologyDiff, ShareChange, band_text, indication_text, summarise_shares

__all__ = ["markdown", "text"]


def _shares(n: int, shares: Sequence[ShareChange]) -> str:
    return "; ".join(f"{s.yes}/{n} ({number(Fraction(100 * s.yes, n))}%) {band_text(s.baseline)} -> {band_text(s.candidate)}" for s in shares)


def _share_line(n: int, shares: Sequence[ShareChange]) -> str:
    return f"n = {n}: {_shares(n, shares)}"


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def _capped(lines: list[str], limit: int | None, what: str) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... and {len(lines) - limit:,} more {what} (all of them are in --format json)"]


def text(d: MethodologyDiff, limit: int | None = 40) -> str:
    lines = [f"{d.baseline} -> {d.candidate}"]
    lines += [f"warning: {w}" for w in d.warnings]
    lines += [f"note: {n}" for n in d.notes]
    lines += ["", "Changed rules (baseline -> candidate)"]
    if d.rule_changes:
        width = max(len(c.address) for c in d.rule_changes)
        lines += _capped([f"  {c.address:<{width}}  {c.text()}" for c in d.rule_changes], limit, "rules")
    else:
        lines.append("  none")
    lines += ["", "Key-question bands: percentages whose band changes"]
    lines += [f"  {r.text()}" for r in d.percent_regions] or ["  none"]
    by_size = summarise_shares(d.shares)
    typical = by_size.get(d.typical, [])
    lines += ["", f"Key-question bands: at {d.typical} relevant cases, {_shares(d.typical, typical) if typical else 'no share changes band'}"]
    lines += ["", "Key-question bands: shares of 10 to 40 relevant cases whose band changes"]
    lines += _capped([f"  {_share_line(n, s)}" for n, s in by_size.items()], limit, "sample sizes") or ["  none"]
    lines += ["", "Overall bands: scores whose rating changes"]
    lines += _capped([f"  {s.score}/{s.max_score}: {band_text(s.baseline)} -> {band_text(s.candidate)}" for s in d.scores], limit, "scores") or ["  none"]
    lines += ["", "Guidance: profiles of informing ratings whose indication changes"]
    lines += _capped([f"  {p.table}: {p.text()}" for p in d.profiles], limit, "profiles") or ["  none"]
    lines += ["", "Guidance and its exception: guided ratings that change"]
    lines += _capped([f"  {g.table}: {g.text()}" for g in d.guided], limit, "cases") or ["  none"]
    return "\n".join(lines)


def markdown(d: MethodologyDiff, limit: int | None = 200) -> str:
    lines = [f"# {d.candidate} compared with {d.baseline}", ""]
    lines += [f"> **Warning:** {w}\n" for w in d.warnings]
    lines += [f"- note: {n}" for n in d.notes]
    lines += ["## Changed rules", ""]
    if d.rule_changes:
        lines += ["| rule | what | change (baseline -> candidate) |", "|---|---|---|"]
        lines += [f"| `{c.address}` | {c.what} ({c.kind}) | {_cell(c.text())} |" for c in d.rule_changes]
    else:
        lines.append("None.")
    lines += ["", "## Key-question bands", "", "| percentages | baseline | candidate |", "|---|---|---|"]
    lines += [f"| {r.text().split(':')[0]} | {band_text(r.baseline)} | {band_text(r.candidate)} |" for r in d.percent_regions]
    lines += ["", "Shares of relevant cases whose band changes:", ""]
    lines += [f"- {_share_line(n, s)}" for n, s in summarise_shares(d.shares).items()] or ["- none"]
    lines += ["", "## Overall bands", "", "| score | baseline | candidate |", "|---|---|---|"]
    lines += [f"| {s.score}/{s.max_score} | {band_text(s.baseline)} | {band_text(s.candidate)} |" for s in d.scores]
    lines += ["", "## Guidance", "", "| table | profile | baseline | candidate |", "|---|---|---|---|"]
    shown = d.profiles if limit is None else d.profiles[:limit]
    lines += [
        f"| `{p.table}` | {', '.join(f'{s} {r}' for s, r in p.profile)} | {indication_text(p.baseline)} | {indication_text(p.candidate)} |" for p in shown
    ]
    lines += ["", "## Guided ratings", "", "| table | indicated | judged | strengths | baseline | candidate |", "|---|---|---|---:|---|---|"]
    lines += [f"| `{g.table}` | {g.indicated} | {g.judgement} | {g.strengths_text()} | {g.baseline} | {g.candidate} |" for g in d.guided]
    return "\n".join(lines) + "\n"
