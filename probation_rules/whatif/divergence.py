"""Where two traces of one inspection part: the rule that made a rating move.

When a rating changes between two methodologies, the reader needs the rule where the change
began, not the long chain of consequences after it. Each trace is a graph (every entry names
the entries it used), so the origin is found by walking down from each changed rating through
entries that differ, to the first one whose own inputs did not differ: that rule, given the same
facts, decided differently. Entries are matched by subject and by their order within it, since
both methodologies rate the same standards and key questions in the same stages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

import attrs

from probation_rules.trace import Trace, TraceEntry

__all__ = ["Divergence", "first_divergence"]

_MARGINS = ("next_band",)
"""Outcome keys that say how far a value is from the next band: a margin, not a decision."""
_SAME_AS = {"banded_percent": "percent"}
"""Inputs not worth repeating when they equal another (no rounding happened)."""


@attrs.frozen
class Divergence:
    """The rule where two traces part: each side's rule and decision on the same subject."""

    subject: str
    step: int
    baseline_rule: str | None
    baseline: Mapping[str, Any]
    candidate_rule: str | None
    candidate: Mapping[str, Any]
    inputs: Mapping[str, Any]

    def text(self) -> str:
        def side(rule: str | None, outcome: Mapping[str, Any]) -> str:
            if rule is None:
                return "(no such step)"
            shown = ", ".join(f"{k} {_fmt(v)}" for k, v in outcome.items())
            return f"{rule} ({shown})" if shown else rule

        shown = {k: v for k, v in self.inputs.items() if not (k in _SAME_AS and self.inputs.get(_SAME_AS[k]) == v)}
        given = ", ".join(f"{k} {_fmt(v)}" for k, v in shown.items())
        return f"{self.subject}: {side(self.baseline_rule, self.baseline)} -> {side(self.candidate_rule, self.candidate)}" + (
            f"; from {given}" if given else ""
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "step": self.step,
            "baseline_rule": self.baseline_rule,
            "baseline": dict(self.baseline),
            "candidate_rule": self.candidate_rule,
            "candidate": dict(self.candidate),
            "inputs": dict(self.inputs),
        }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "none"
    return str(value)


def _decision(entry: TraceEntry) -> dict[str, Any]:
    return {k: v for k, v in entry.outcome.items() if k not in _MARGINS}


def _keyed(trace: Trace) -> dict[tuple[str, int], TraceEntry]:
    seen: Counter[str] = Counter()
    out = {}
    for entry in trace:
        out[(entry.subject, seen[entry.subject])] = entry
        seen[entry.subject] += 1
    return out


def first_divergence(baseline: Trace, candidate: Trace, changed: Collection[str]) -> Divergence | None:
    """The rule where the traces part, on the way to the subjects in ``changed`` (``"overall"``, standard ids).

    None when the traces decide everything alike.
    """
    mine, theirs = _keyed(baseline), _keyed(candidate)
    key_of = {entry.step: key for key, entry in mine.items()}
    by_step = {entry.step: entry for entry in baseline}

    def differs(entry: TraceEntry) -> bool:
        other = theirs.get(key_of[entry.step])
        return other is None or other.rule != entry.rule or _decision(other) != _decision(entry)

    diverged = {entry.step for entry in baseline if differs(entry)}
    origins: list[TraceEntry] = []
    stack = [e for e in baseline if e.step in diverged and e.subject in changed]
    seen: set[int] = set()
    while stack:
        entry = stack.pop()
        if entry.step in seen:
            continue
        seen.add(entry.step)
        below = [by_step[s] for s in entry.because if s in diverged]
        if below:
            stack.extend(below)
        else:
            origins.append(entry)
    if origins:
        first = min(origins, key=lambda e: e.step)
        return _divergence(first, theirs.get(key_of[first.step]))
    if diverged:
        first = by_step[min(diverged)]
        return _divergence(first, theirs.get(key_of[first.step]))
    extra = [entry for key, entry in theirs.items() if key not in mine]
    if extra:
        return Divergence(extra[0].subject, extra[0].step, None, {}, extra[0].rule, _decision(extra[0]), dict(extra[0].inputs))
    return None


def _divergence(entry: TraceEntry, other: TraceEntry | None) -> Divergence:
    return Divergence(
        entry.subject,
        entry.step,
        entry.rule,
        _decision(entry),
        None if other is None else other.rule,
        {} if other is None else _decision(other),
        dict(entry.inputs),
    )
