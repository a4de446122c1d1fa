"""Rate one population under two methodologies and say exactly what moved, and why.

Ratings are ordinal, so the comparison never averages them: it counts transitions (a matrix
per standard and overall, rows baseline, columns candidate), lists each inspection that
changes with the rule where its two traces part, and shows the changed rules beside their old
values. Every rating comes from the engine, through :mod:`probation_rules.batch` (``rated``, the
one-by-one form of ``rate_many``).

For large populations the work is shared out in chunks to worker processes
(:func:`probation_rules.batch.in_workers`, which stops them at once on Ctrl-C): each worker compiles both methodologies once, rates its chunk
(each inspection under both, in turn) and sends back only what the report needs. Shipping
whole results with their traces between processes would cost more than rating them, and a
simulated population is drawn in the workers, so it never crosses a process boundary at all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from typing import Any, TextIO

import attrs

from probation_rules.batch import InspectionSource, in_workers, rated, sources
from probation_rules.errors import Problem, UsageError
from probation_rules.inspection import Inspection
from probation_rules.methodology.loader import load_methodology
from probation_rules.methodology.schema import Lineage, Methodology
from probation_rules.percent import counted
from probation_rules.result import RatingResult
from probation_rules.whatif.changes import RuleChange, rule_changes
from probation_rules.whatif.divergence import Divergence, divergences
from probation_rules.whatif.population import Population, fit, gather, shape
from probation_rules.whatif.progress import Progress

__all__ = ["ABSENT", "NOT_RATED", "Comparison", "Matrix", "MethodologyInfo", "Outcome", "Side", "compare"]

NOT_RATED = "not rated"
"""A standard the inspection left unrated, in a transition matrix."""
ABSENT = "not in methodology"
"""A standard one methodology has and the other has not."""

CHUNK = 1000
"""Inspections per task: large enough that process overhead is small, small enough for a smooth progress bar."""

OVERALL = "overall"
NO_ORIGIN = "(none)"
"""Where a change began when no divergence was found (the traces decide everything alike)."""


@attrs.frozen
class MethodologyInfo:
    id: str
    version: str
    title: str
    sha256: str
    source: str | None
    lineage: Lineage | None

    @classmethod
    def of(cls, m: Methodology) -> MethodologyInfo:
        return cls(m.id, m.version, m.title, m.sha256, m.source, m.lineage)

    @property
    def name(self) -> str:
        return f"{self.id} {self.version}"

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self, value_serializer=lambda _, __, v: list(v) if isinstance(v, tuple) else v)


@attrs.frozen
class Side:
    """One inspection's ratings under one methodology."""

    overall: str
    score: int
    max_score: int
    standards: Mapping[str, str | None]


@attrs.frozen
class Outcome:
    """One inspection under both methodologies."""

    id: str
    unit: str
    source: str | None
    baseline: Side
    candidate: Side
    band_moves: tuple[tuple[str, str, str], ...]
    """Each key question placed in a different band, with its band under each side: ``(address, baseline band, candidate band)``."""
    key_questions: int
    """Key questions both methodologies placed in a band."""
    divergences: tuple[Divergence, ...] = ()
    """Every rule where the two traces part on the way to a changed rating, in trace order (:func:`~probation_rules.whatif.divergence.divergences`)."""

    @property
    def divergences_move_differently(self) -> bool:
        """Whether the divergences moved different ratings, so the reports say which each moved."""
        return len({d.moved for d in self.divergences}) > 1

    @property
    def bands_changed(self) -> tuple[str, ...]:
        """Key questions (``<standard>/<key question>``) placed in a different band."""
        return tuple(address for address, _, _ in self.band_moves)

    @property
    def divergence(self) -> Divergence | None:
        """The first of :attr:`divergences` (None when the traces decide everything alike)."""
        return self.divergences[0] if self.divergences else None

    def moved_standards(self) -> dict[str, tuple[str | None, str | None]]:
        ids = list(self.baseline.standards) + [s for s in self.candidate.standards if s not in self.baseline.standards]
        out = {}
        for sid in ids:
            old, new = self.baseline.standards.get(sid, ABSENT), self.candidate.standards.get(sid, ABSENT)
            if old != new:
                out[sid] = (old, new)
        return out

    @property
    def changed(self) -> bool:
        return self.baseline.overall != self.candidate.overall or bool(self.moved_standards())

    def origins(self, changes: Sequence[RuleChange]) -> list[str]:
        """The change each divergence comes from (:meth:`Divergence.origin`), in trace order; ``(none)`` when none was found."""
        return ([d.origin(changes) for d in self.divergences] or [NO_ORIGIN]) if self.changed else []

    def origins_by_rating(self, changes: Sequence[RuleChange]) -> dict[str, list[str]]:
        """For each rating that changed (``overall``, standard ids), the distinct changes its move began at."""
        moved = ([OVERALL] if self.baseline.overall != self.candidate.overall else []) + list(self.moved_standards())
        out: dict[str, list[str]] = {subject: [] for subject in moved}
        for d in self.divergences:
            rule = d.origin(changes)
            for subject in d.moved:
                if subject in out and rule not in out[subject]:
                    out[subject].append(rule)
        return {subject: rules or [NO_ORIGIN] for subject, rules in out.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "unit": self.unit,
            "source": self.source,
            "overall": {"baseline": self.baseline.overall, "candidate": self.candidate.overall},
            "score": {"baseline": self.baseline.score, "candidate": self.candidate.score},
            "max_score": {"baseline": self.baseline.max_score, "candidate": self.candidate.max_score},
            "standards": {sid: {"baseline": old, "candidate": new} for sid, (old, new) in self.moved_standards().items()},
            "key_questions_changed_band": list(self.bands_changed),
            "key_question_bands": [{"key_question": a, "baseline": old, "candidate": new} for a, old, new in self.band_moves],
            "first_divergence": None if self.divergence is None else self.divergence.to_dict(),
            "divergences": [d.to_dict() for d in self.divergences],
        }


@attrs.frozen
class Matrix:
    """Counts of inspections by (baseline rating, candidate rating): ``counts[row][column]``."""

    subject: str
    name: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    scale: tuple[str, ...] = ()
    """The scale both sides share, lowest first, so a move is up or down; empty when they differ."""

    @property
    def total(self) -> int:
        return sum(map(sum, self.counts))

    def moved(self) -> tuple[int, int, int]:
        """(up, down, changed): inspections rated higher, lower, or differently by the candidate."""
        up = down = changed = 0
        for i, row in enumerate(self.rows):
            for j, column in enumerate(self.columns):
                n = self.counts[i][j]
                if row == column or not n:
                    continue
                changed += n
                if row in self.scale and column in self.scale:
                    up += n if self.scale.index(column) > self.scale.index(row) else 0
                    down += n if self.scale.index(column) < self.scale.index(row) else 0
        return up, down, changed

    def to_dict(self) -> dict[str, Any]:
        up, down, changed = self.moved()
        return {
            "subject": self.subject,
            "name": self.name,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "counts": [list(r) for r in self.counts],
            "changed": changed,
            "up": up if self.scale else None,
            "down": down if self.scale else None,
        }


@attrs.frozen
class Comparison:
    """What a methodology change does to a population; see the module docstring."""

    baseline: MethodologyInfo
    candidate: MethodologyInfo
    population: str
    assumptions: tuple[str, ...]
    rule_changes: tuple[RuleChange, ...]
    overall: Matrix
    standards: tuple[Matrix, ...]
    outcomes: tuple[Outcome, ...]
    ignored: tuple[str, ...] = ()
    """What one side reads from the inspections and the other does not."""

    @property
    def inspections(self) -> int:
        return len(self.outcomes)

    @property
    def changed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.changed)

    @property
    def key_questions_compared(self) -> int:
        return sum(o.key_questions for o in self.outcomes)

    @property
    def key_questions_changed(self) -> int:
        return sum(len(o.bands_changed) for o in self.outcomes)

    def key_questions_by_address(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            for address in o.bands_changed:
                counts[address] = counts.get(address, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def key_question_moves(self) -> dict[str, dict[tuple[str, str], int]]:
        """For each key question placed in a different band, how many results moved from which band to which."""
        moves: dict[str, dict[tuple[str, str], int]] = {}
        for o in self.outcomes:
            for address, old, new in o.band_moves:
                by = moves.setdefault(address, {})
                by[old, new] = by.get((old, new), 0) + 1
        order = self.key_questions_by_address()
        return {a: dict(sorted(moves[a].items(), key=lambda kv: (-kv[1], kv[0]))) for a in order}

    def repeated_ids(self) -> dict[str, int]:
        """Inspection ids given more than once (a file and a folder holding it), with how often: each is counted every time."""
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.id] = counts.get(o.id, 0) + 1
        return {i: n for i, n in counts.items() if n > 1}

    def repeated_note(self) -> str | None:
        """The repeated ids in words, for the reports' header; None when every id is given once."""
        repeated = self.repeated_ids()
        if not repeated:
            return None
        shown = ", ".join(f"{i} ({n} times)" for i, n in list(repeated.items())[:3]) + (f" and {len(repeated) - 3:,} more" if len(repeated) > 3 else "")
        return f"inspection ids given more than once, each counted every time: {shown}"

    def origins(self) -> dict[str, int]:
        """How many changed inspections each change acted on (see :meth:`Divergence.origin`).

        An inspection where two changes acted (two rules, each moving a rating) counts under
        both, so the counts can add up to more than the changed inspections.
        """
        counts: dict[str, int] = {}
        for o in self.changed:
            for rule in dict.fromkeys(o.origins(self.rule_changes)):
                counts[rule] = counts.get(rule, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    def origins_by_rating(self) -> dict[str, dict[str, int]]:
        """For each rating that changed (a standard id, ``overall``), how many inspections' change of it began at each change."""
        counts: dict[str, dict[str, int]] = {}
        for o in self.changed:
            for subject, rules in o.origins_by_rating(self.rule_changes).items():
                by = counts.setdefault(subject, {})
                for rule in rules:
                    by[rule] = by.get(rule, 0) + 1
        order = {sid: i for i, sid in enumerate([OVERALL, *(m.subject for m in self.standards)])}
        return {
            subject: dict(sorted(by.items(), key=lambda kv: (-kv[1], kv[0])))
            for subject, by in sorted(counts.items(), key=lambda kv: order.get(kv[0], len(order)))
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "comparison_version": "2",
            "baseline": self.baseline.to_dict(),
            "candidate": self.candidate.to_dict(),
            "population": self.population,
            "assumptions": list(self.assumptions),
            "ignored": list(self.ignored),
            "repeated_ids": self.repeated_ids(),
            "rule_changes": [c.to_dict() for c in self.rule_changes],
            "inspections": self.inspections,
            "changed_inspections": len(self.changed),
            "overall": self.overall.to_dict(),
            "standards": [m.to_dict() for m in self.standards],
            "key_questions": {
                "compared": self.key_questions_compared,
                "changed_band": self.key_questions_changed,
                "by_key_question": self.key_questions_by_address(),
                "moves_by_key_question": {
                    a: [{"baseline": old, "candidate": new, "results": n} for (old, new), n in moves.items()] for a, moves in self.key_question_moves().items()
                },
            },
            "origins": self.origins(),
            "origins_by_rating": self.origins_by_rating(),
            "changed": [
                o.to_dict()
                | {
                    "change_began_at": None if o.divergence is None else o.divergence.origin(self.rule_changes),
                    "changes_began_at": [d.origin(self.rule_changes) for d in o.divergences],
                }
                for o in self.changed
            ],
        }

    def to_text(self, limit: int | None = 20) -> str:
        from probation_rules.whatif.report_text import text

        return text(self, limit)

    def to_markdown(self, limit: int | None = 50) -> str:
        from probation_rules.whatif.report_text import markdown

        return markdown(self, limit)

    def to_csv(self) -> str:
        from probation_rules.whatif.report_text import csv_rows

        return csv_rows(self)

    def to_html(self, limit: int | None = 200) -> str:
        from probation_rules.whatif.report_html import html

        return html(self, limit)


# -- rating ------------------------------------------------------------------------------------


@attrs.frozen
class _Job:
    """What every worker needs, sent once when it starts."""

    baseline: Methodology
    candidate: Methodology
    population: Population
    fit_baseline: Mapping[str, tuple[str, ...]] | None
    fit_candidate: Mapping[str, tuple[str, ...]] | None


_JOB: list[_Job] = []


def _start_worker(job: _Job) -> None:
    _JOB[:] = [job]


def _run_chunk(start: int, stop: int) -> list[Outcome]:
    return _outcomes(_JOB[0], start, stop)


def _outcomes(job: _Job, start: int, stop: int) -> list[Outcome]:
    """Inspections ``start`` to ``stop``, one at a time: read, rated under both, compared; a bad one raises, named by its position.

    Each inspection's two results are dropped once compared: holding a chunk of whole results
    (every trace) alive makes the garbage collector rescan them, about a quarter of the time of a
    comparison. Under the baseline first, so of two problems the baseline's is reported.
    """
    out = []
    for i in range(start, stop):
        inspection = job.population.load(i)
        a = _rated(fit(inspection, job.fit_baseline) if job.fit_baseline else inspection, job.baseline, i)
        b = _rated(fit(inspection, job.fit_candidate) if job.fit_candidate else inspection, job.candidate, i)
        out.append(_outcome(a, b))
    return out


def _rated(inspection: Inspection, m: Methodology, position: int) -> RatingResult:
    return next(rated([inspection], m, margins=False, offset=position))


def _side(r: RatingResult) -> Side:
    return Side(r.overall, r.score, r.max_score, {sid: s.rating for sid, s in r.standards.items()})


def _outcome(a: RatingResult, b: RatingResult) -> Outcome:
    old, new = _side(a), _side(b)
    band_moves = []
    compared = 0
    for sid, sa in a.standards.items():
        sb = b.standards.get(sid)
        if sb is None:
            continue
        for q, ka in sa.key_questions.items():
            kb = sb.key_questions.get(q)
            if kb is not None:
                compared += 1
                if ka.band != kb.band:
                    band_moves.append((f"{sid}/{q}", ka.band, kb.band))
    outcome = Outcome(a.inspection.id, a.inspection.unit, a.inspection.source, old, new, tuple(band_moves), compared)
    if outcome.changed:
        moved = set(outcome.moved_standards()) | ({OVERALL} if old.overall != new.overall else set())
        outcome = attrs.evolve(outcome, divergences=divergences(a.trace, b.trace, moved))
    return outcome


def compare(
    baseline: str | os.PathLike[str] | Methodology,
    candidate: str | os.PathLike[str] | Methodology,
    inspections: Population | Iterable[InspectionSource] | InspectionSource,
    *,
    workers: int = 1,
    progress: TextIO | None = None,
) -> Comparison:
    """Rate ``inspections`` under both methodologies and compare.

    ``inspections`` are paths (files, folders of ``*.json``, ``*.jsonl`` files), parsed
    documents, :class:`~probation_rules.inspection.Inspection` objects, or a
    :class:`~probation_rules.whatif.population.Population` (for example a simulated one).
    ``workers > 1`` rates in that many processes. ``progress``: a stream to draw a progress bar
    on when it is a terminal (the command line passes stderr). One path or one document on its
    own is a population of that one (a string is not read as the paths of its characters).
    """
    if workers < 1:
        raise UsageError(Problem("workers", "must be at least 1", workers))
    old, new = load_methodology(baseline), load_methodology(candidate)
    population = inspections if isinstance(inspections, Population) else _population(sources(inspections))
    a_shape, b_shape = shape(old), shape(new)
    job = _Job(old, new, population, None if a_shape == b_shape else a_shape, None if a_shape == b_shape else b_shape)
    outcomes = list(_rate_all(job, workers, Progress(len(population), "comparing", progress)))
    return _summarise(old, new, population, outcomes, _ignored(a_shape, b_shape))


def _population(items: Iterable[Any]) -> Population:
    items = list(items)
    paths = [i for i in items if isinstance(i, str | os.PathLike)]
    if len(paths) == len(items):
        return gather(paths)
    if paths:
        raise UsageError(Problem("inspections", "must be all paths or all documents, not a mixture"))
    return Population(counted(len(items), "inspection"), tuple(items))


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(start + size, total)


def _rate_all(job: _Job, workers: int, bar: Progress) -> Iterator[Outcome]:
    total = len(job.population)
    chunks = list(_chunks(total, CHUNK))
    with bar:
        if workers == 1 or len(chunks) <= 1:
            for start, stop in chunks:
                yield from _outcomes(job, start, stop)
                bar.advance(stop - start)
            return
        with closing(in_workers(workers, _run_chunk, chunks, _start_worker, (job,))) as parts:
            for part, (start, stop) in zip(parts, chunks, strict=True):
                yield from part
                bar.advance(stop - start)


def _ignored(a: Mapping[str, tuple[str, ...]], b: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    notes = []
    for side, mine, theirs in (("baseline", a, b), ("candidate", b, a)):
        for sid, questions in theirs.items():
            if sid not in mine:
                notes.append(f"the {side} has no standard {sid}")
                continue
            notes += [f"the {side} has no key question {sid}/{q}" for q in questions if q not in mine[sid]]
    return tuple(notes)


def _summarise(old: Methodology, new: Methodology, population: Population, outcomes: Sequence[Outcome], ignored: tuple[str, ...]) -> Comparison:
    shared = old.scale.ratings if old.scale.ratings == new.scale.ratings else ()
    names = {s.id: s.name for s in new.standards} | {s.id: s.name for s in old.standards}
    order = [s.id for s in old.standards] + [s.id for s in new.standards if s.id not in {t.id for t in old.standards}]

    def labels(m: Methodology, seen: set[str]) -> tuple[str, ...]:
        return (*m.scale.ratings, *(extra for extra in (NOT_RATED, ABSENT) if extra in seen))

    def matrix(sid: str | None) -> Matrix:
        pairs = [
            (o.baseline.overall, o.candidate.overall) if sid is None else (_label(o.baseline.standards, sid), _label(o.candidate.standards, sid))
            for o in outcomes
        ]
        rows, columns = labels(old, {a for a, _ in pairs}), labels(new, {b for _, b in pairs})
        counts = [[0] * len(columns) for _ in rows]
        for a, b in pairs:
            counts[rows.index(a)][columns.index(b)] += 1
        if sid is None:
            return Matrix(OVERALL, "Overall rating", rows, columns, tuple(map(tuple, counts)), shared)
        return Matrix(sid, names[sid], rows, columns, tuple(map(tuple, counts)), shared)

    return Comparison(
        MethodologyInfo.of(old),
        MethodologyInfo.of(new),
        population.description,
        tuple(population.assumptions()),
        rule_changes(old, new),
        matrix(None),
        tuple(matrix(sid) for sid in order),
        tuple(outcomes),
        ignored,
    )


def _label(standards: Mapping[str, str | None], sid: str) -> str:
    if sid not in standards:
        return ABSENT
    rating = standards[sid]
    return NOT_RATED if rating is None else rating
