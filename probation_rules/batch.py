"""Rate many inspections: comparisons and simulations re-rate tens of thousands at a time.

durable-rules holds the interpreter lock inside its C calls, so threads give no speed-up; the
parallel path uses worker processes, each compiling the methodology once and rating a chunk.
Workers are started with ``spawn`` rather than ``fork``: a forked child could inherit an engine
lock held by another thread of the parent at the moment of the fork.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import attrs

from probation_rules.engine import evaluate
from probation_rules.errors import ProbationRulesError, Problem, UsageError
from probation_rules.inspection import Inspection, load_inspection, validate_against
from probation_rules.methodology import Methodology, load_methodology
from probation_rules.result import RatingResult

__all__ = ["rate_many", "rated"]

InspectionSource = str | os.PathLike[str] | Mapping[str, Any] | Inspection


def rated(inspections: Iterable[InspectionSource], methodology: Methodology, *, margins: bool = True, offset: int = 0) -> Iterator[RatingResult]:
    """Rate one inspection after another under a loaded methodology, yielding each result when made.

    What :func:`rate_many` does in one process, for a caller that keeps only part of each result
    (a comparison): results not held are freed at once, rather than a whole batch of traces
    staying alive for the garbage collector to rescan. A bad inspection raises, naming its
    position (counted from ``offset``).
    """
    for i, source in enumerate(inspections):
        try:
            inspection = load_inspection(source, check_values=False)
            validate_against(inspection, methodology)
            result = evaluate(inspection, methodology, margins=margins, selected_by="argument")
        except ProbationRulesError as exc:
            where = f"inspections[{offset + i}]"
            problems = [p if p.file else attrs.evolve(p, path=f"{where}.{p.path}" if p.path else where) for p in exc.problems]
            raise type(exc)(problems) from None
        yield result


def _rate_chunk(methodology: Methodology, offset: int, chunk: Sequence[InspectionSource], margins: bool = True, detach: bool = False) -> list[RatingResult]:
    """Rate a chunk; ``detach``: for a worker process, results travel back without the methodology, which the parent re-attaches."""
    results = rated(chunk, methodology, margins=margins, offset=offset)
    return [attrs.evolve(r, rated_under=None) for r in results] if detach else list(results)


def rate_many(
    inspections: Iterable[InspectionSource],
    methodology: str | os.PathLike[str] | Methodology | None = None,
    *,
    workers: int = 1,
    chunk_size: int = 500,
    margins: bool = True,
) -> list[RatingResult]:
    """Rate every inspection under one methodology, in order; ``workers > 1`` uses processes.

    Unlike :func:`probation_rules.rate`, the methodology is fixed for the whole batch (the
    inspections' own ``methodology`` fields are ignored), because a comparison must rate every
    inspection under the same rules. The first bad inspection raises, naming its position.
    """
    if workers < 1:
        raise UsageError(Problem("workers", "must be at least 1", workers))
    m = load_methodology(methodology)
    items = list(inspections)
    if workers == 1 or len(items) <= chunk_size:
        return _rate_chunk(m, 0, items, margins)
    offsets = range(0, len(items), chunk_size)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        chunks = [items[o : o + chunk_size] for o in offsets]
        parts = pool.map(_rate_chunk, [m] * len(offsets), offsets, chunks, [margins] * len(offsets), [True] * len(offsets))
        return [attrs.evolve(r, rated_under=m) for part in parts for r in part]
