"""Where two traces of one inspection part: the rule that made a rating move.

When a rating changes between two methodologies, the reader needs the rule where the change
began, not the long chain of consequences after it. Each trace is a graph (every entry names
the entries it used), so the origin is found by walking down from each changed rating, on both
traces at once, through the entries whose decisions differ, to the first one whose own inputs are
the same on both sides: that rule, given the same facts, decided differently. An entry whose
inputs differ only in what the methodology itself supplies (its rounding rule, say), with
nothing below it deciding differently, is an origin too.

Entries are matched by what they decide, not by their position: by subject (a standard, a key
question, ``score``, ``overall``) and by the kind of decision (the first key of the outcome, which
the engine always writes first: ``band``, ``rating``, ``indicates``, ``points``, ...), and among
several of one kind (two guidance rows that both fire) by rule id, then in order. A new guidance
row that fires beside an old one is then an entry of its own, not a shift of every step after it.
The walk follows only a decision that differs (a standard's ``rating``, not the ``driver`` a tie
in rounding can swap), so a step that decides nothing differently is never named as the origin.

:meth:`Divergence.origin` names the change the origin comes from, for the summary: the changed
rule field that set a differing input (``rounding``), an added or removed row, key question or
standard, or else whichever side's rule the methodologies changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from probation_rules.percent import number
from probation_rules.trace import Trace, TraceEntry
from probation_rules.whatif.changes import RuleChange

__all__ = ["Divergence", "divergences", "fmt"]

_MARGINS = ("next_band",)
"""Outcome keys that say how far a value is from the next band: a margin, not a decision."""
_SAME_AS = {"banded_percent": "percent"}
"""Inputs not worth repeating when they equal another (no rounding happened)."""

_RATING = "rating"
"""The decision a changed standard's or overall rating was made by: where the walk starts."""

Pair = tuple[TraceEntry | None, TraceEntry | None]


@attrs.frozen
class Divergence:
    """The rule where two traces part: each side's rule, decision and inputs on the same subject.

    A side with no such step (a key question one methodology does not ask, a guidance row only one
    has) has rule None and empty mappings.
    """

    subject: str
    step: int
    """The step in the baseline's trace, or in the candidate's when the baseline has no such step."""
    baseline_rule: str | None
    baseline: Mapping[str, Any]
    candidate_rule: str | None
    candidate: Mapping[str, Any]
    inputs: Mapping[str, Any]
    """The baseline's inputs (the candidate's when the baseline has no such step)."""
    candidate_inputs: Mapping[str, Any] = attrs.field(factory=dict)
    moved: tuple[str, ...] = ()
    """The changed ratings (standard ids, ``overall``) whose change began here, in trace order."""

    @property
    def changed_inputs(self) -> dict[str, tuple[Any, Any]]:
        """Inputs both sides read with different values: ``{name: (baseline, candidate)}``."""
        if self.baseline_rule is None or self.candidate_rule is None:
            return {}
        mine, theirs = self.inputs, self.candidate_inputs
        return {k: (mine.get(k), theirs.get(k)) for k in [*mine, *(k for k in theirs if k not in mine)] if mine.get(k) != theirs.get(k)}

    def shown_inputs(self) -> list[tuple[str, Any, Any]]:
        """(name, baseline value, candidate value) of the inputs worth showing; the values are equal unless they differ."""
        changed = self.changed_inputs
        out = []
        for k in [*self.inputs, *(k for k in changed if k not in self.inputs)]:
            old = self.inputs.get(k)
            if k in changed:
                out.append((k, old, changed[k][1]))
            elif not (k in _SAME_AS and self.inputs.get(_SAME_AS[k]) == old):
                out.append((k, old, old))
        return out

    def side(self, which: Literal["baseline", "candidate"]) -> str:
        """One side's step as the reports show it: its rule and decision, ``(no such step)`` for none."""
        rule, outcome = (self.baseline_rule, self.baseline) if which == "baseline" else (self.candidate_rule, self.candidate)
        if rule is None:
            return "(no such step)"
        shown = ", ".join(f"{k} {_fmt(v)}" for k, v in outcome.items())
        return f"{rule} ({shown})" if shown else rule

    def text(self) -> str:
        given = ", ".join(f"{k} {_fmt(old)}" + ("" if old == new else f" -> {_fmt(new)}") for k, old, new in self.shown_inputs())
        return f"{self.subject}: {self.side('baseline')} -> {self.side('candidate')}" + (f"; from {given}" if given else "")

    def origin(self, changes: Sequence[RuleChange]) -> str:
        """The change this divergence comes from, named by its address in the methodologies.

        In order: a key question or standard one side has and the other has not; a rule of either
        side that one methodology added or removed; a rule of either side the methodologies
        changed (the baseline's first); a changed field that set an input the sides read
        differently (``kq-score`` for a change of ``rounding``); the subject, if it changed; else
        the baseline's rule (or the candidate's). Where a rule and an input both changed, the rule
        is named.
        """
        by_address = {c.address: c for c in changes}
        subject = by_address.get(self.subject)
        if (self.baseline_rule is None or self.candidate_rule is None) and subject is not None and subject.kind != "changed":
            return subject.address
        rules = [r for r in (self.baseline_rule, self.candidate_rule) if r is not None and r in by_address]
        for r in rules:
            if by_address[r].kind != "changed":
                return r
        if rules:
            return rules[0]
        for name, (old, new) in self.changed_inputs.items():
            for c in changes:
                if any(f.field == name and f.old == old and f.new == new for f in c.fields):
                    return c.address
        if subject is not None:
            return subject.address
        return self.baseline_rule or self.candidate_rule or "(none)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "step": self.step,
            "baseline_rule": self.baseline_rule,
            "baseline": dict(self.baseline),
            "candidate_rule": self.candidate_rule,
            "candidate": dict(self.candidate),
            "inputs": dict(self.inputs),
            "candidate_inputs": dict(self.candidate_inputs),
            "moved": list(self.moved),
        }


def fmt(value: Any) -> str:
    """A trace value as the reports print it: a number exactly (:func:`~probation_rules.percent.number`), ``none`` for no value."""
    return _fmt(value)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return number(value)
    if value is None:
        return "none"
    return str(value)


def _decision(entry: TraceEntry) -> dict[str, Any]:
    return {k: v for k, v in entry.outcome.items() if k not in _MARGINS}


def _kind(entry: TraceEntry) -> str:
    """What an entry decides: the first key of its outcome (``band``, ``rating``, ``indicates``, ...)."""
    return next(iter(entry.outcome), "")


def _primary(entry: TraceEntry) -> Any:
    """The decision itself, which is what the entries above read (a standard's rating, not its driver)."""
    return entry.outcome.get(_kind(entry))


def _groups(entries: Iterable[TraceEntry]) -> dict[tuple[str, str], list[TraceEntry]]:
    out: dict[tuple[str, str], list[TraceEntry]] = defaultdict(list)
    for entry in entries:
        out[(entry.subject, _kind(entry))].append(entry)
    return out


def _pairs(mine: Iterable[TraceEntry], theirs: Iterable[TraceEntry]) -> list[Pair]:
    """Entries matched by subject and kind of decision, then in order; what is left over has no partner."""
    left, right = _groups(mine), _groups(theirs)
    out: list[Pair] = []
    for key in [*left, *(k for k in right if k not in left)]:
        a, b = left.get(key, []), right.get(key, [])
        out += list(zip(a, b, strict=False))
        out += [(entry, None) for entry in a[len(b) :]]
        out += [(None, entry) for entry in b[len(a) :]]
    return out


def _decides_differently(pair: Pair) -> bool:
    b, c = pair
    return b is None or c is None or _primary(b) != _primary(c)


def _position(pair: Pair) -> tuple[int, bool]:
    b, c = pair
    either = b if b is not None else c
    return (either.step if either is not None else 0, b is None or c is None)


def divergences(baseline: Trace, candidate: Trace, changed: Collection[str]) -> tuple[Divergence, ...]:
    """Every rule where the traces part, on the way to the subjects in ``changed`` (``"overall"``, standard ids).

    The walk starts at the entries that rated each changed subject and goes down, on both traces
    at once, into what each entry read (its ``because``, matched by subject and kind of decision),
    as long as that decided differently. Each origin is listed once, in trace order, with the
    changed subjects whose walk reached it (:attr:`Divergence.moved`): two rules changed in one
    inspection are two origins, and a change that moved both a standard and the overall rating
    is one, leading to both.
    """
    b_step = {e.step: e for e in baseline}
    c_step = {e.step: e for e in candidate}

    def below(pair: Pair) -> list[Pair]:
        b, c = pair
        return _pairs((b_step[s] for s in (b.because if b else ())), (c_step[s] for s in (c.because if c else ())))

    def subjects(trace: Trace) -> list[TraceEntry]:
        return [e for e in trace if e.subject in changed]

    moved = [p for p in _pairs(subjects(baseline), subjects(candidate)) if _decides_differently(p)]
    starts = [p for p in moved if any(e is not None and _kind(e) == _RATING for e in p)] or moved
    origins: dict[tuple[int | None, int | None], tuple[Pair, list[str]]] = {}
    for start in starts:
        subject = _either(start).subject
        stack, seen = [start], set()
        while stack:
            pair = stack.pop()
            key = _key(pair)
            if key in seen:
                continue
            seen.add(key)
            # a step only one side takes is where the change began: what it read below is the
            # other side's absence, not a cause (a removed standard, not its key questions)
            one_sided = pair[0] is None or pair[1] is None
            differing = [] if one_sided else [p for p in below(pair) if _decides_differently(p)]
            if differing:
                stack.extend(differing)
                continue
            reached = origins.setdefault(key, (pair, []))[1]
            if subject not in reached:
                reached.append(subject)
    ordered = sorted(origins.values(), key=lambda found: _position(found[0]))
    return tuple(attrs.evolve(_divergence(pair), moved=tuple(reached)) for pair, reached in ordered)


def _either(pair: Pair) -> TraceEntry:
    b, c = pair
    either = b if b is not None else c
    assert either is not None
    return either


def _key(pair: Pair) -> tuple[int | None, int | None]:
    return (None if pair[0] is None else pair[0].step, None if pair[1] is None else pair[1].step)


def _divergence(pair: Pair) -> Divergence:
    b, c = pair
    either = b if b is not None else c
    assert either is not None
    return Divergence(
        either.subject,
        either.step,
        None if b is None else b.rule,
        {} if b is None else _decision(b),
        None if c is None else c.rule,
        {} if c is None else _decision(c),
        dict(either.inputs),
        {} if b is None or c is None else dict(c.inputs),
    )
