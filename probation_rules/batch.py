"""Rate many inspections: comparisons and simulations re-rate tens of thousands at a time.

durable-rules holds the interpreter lock inside its C calls, so threads give no speed-up; the
parallel path uses worker processes, each compiling the methodology once and rating a chunk.
Workers are started with ``spawn`` rather than ``fork``: a forked child could inherit an engine
lock held by another thread of the parent at the moment of the fork.

Worker processes (:func:`in_workers`, which ``compare`` uses too) leave Ctrl-C to the process
that started them: they ignore SIGINT, and when it interrupts the parent, or anything else goes
wrong there, the work not yet started is cancelled and the workers are stopped at once, rather
than the whole batch being finished first.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager
from typing import Any, TypeVar

import attrs

from probation_rules.engine import evaluate
from probation_rules.errors import EngineError, ProbationRulesError, Problem, UsageError
from probation_rules.inspection import Inspection, load_inspection, validate_against
from probation_rules.methodology import Methodology, load_methodology
from probation_rules.result import RatingResult

__all__ = ["rate_many", "rated"]
"""The public API; :func:`in_workers`, :class:`Terminated` and :func:`terminate_as_interrupt` serve compare and the command line."""

InspectionSource = str | os.PathLike[str] | Mapping[str, Any] | Inspection
T = TypeVar("T")

BROKEN_POOL = (
    "a worker process stopped before finishing its work. Workers are started with 'spawn', which runs the calling "
    "script again in each of them: a script that rates with workers > 1 (rate_many, compare) must do so under "
    "'if __name__ == \"__main__\":' (or use workers=1)"
)
"""What a broken process pool means, nearly always: the calling script started the work again in each worker."""


def sources(inspections: Iterable[InspectionSource] | InspectionSource) -> list[InspectionSource]:
    """The inspections as a list; one path or document on its own is a list of that one (a string is not read as its characters)."""
    return [inspections] if isinstance(inspections, str | os.PathLike | Mapping | Inspection) else list(inspections)


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


_WORKER: list[tuple[Methodology, bool]] = []
"""In a worker process of :func:`rate_many`: the methodology (sent once, compiled once) and ``margins``."""


def _start_rating(methodology: Methodology, margins: bool) -> None:
    _WORKER[:] = [(methodology, margins)]


def _rate_chunk(offset: int, chunk: Sequence[InspectionSource]) -> list[RatingResult]:
    """Rate a chunk in a worker; results travel back without the methodology, which the parent attaches again."""
    methodology, margins = _WORKER[0]
    return [attrs.evolve(r, rated_under=None) for r in rated(chunk, methodology, margins=margins, offset=offset)]


def rate_many(
    inspections: Iterable[InspectionSource] | InspectionSource,
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

    ``workers > 1`` starts that many processes with ``spawn``, which runs the calling script
    again in each: a script must call ``rate_many`` under ``if __name__ == "__main__":``, or
    the workers fail (an :class:`~probation_rules.errors.EngineError` says so). It pays off only
    with cores to spare: every result comes back to this process whole, with its trace, and
    reading each back here costs about 40% of rating it, one after another. On two cores it is
    no faster than ``workers=1`` (12,000 inspections: 4.4 s either way). To compare
    methodologies over a large population use :func:`probation_rules.whatif.compare`, whose
    workers send back only what its report needs; to keep only part of each result, :func:`rated`.
    """
    if workers < 1:
        raise UsageError(Problem("workers", "must be at least 1", workers))
    m = load_methodology(methodology)
    items = sources(inspections)
    collecting = gc.isenabled()
    # The results held are millions of small objects, none in a cycle: the collector would rescan
    # the growing heap again and again, at a cost above a third of rating them.
    gc.disable()
    try:
        if workers == 1 or len(items) <= chunk_size:
            return list(rated(items, m, margins=margins))
        tasks = [(o, items[o : o + chunk_size]) for o in range(0, len(items), chunk_size)]
        with closing(in_workers(workers, _rate_chunk, tasks, _start_rating, (m, margins))) as parts:
            return [attrs.evolve(r, rated_under=m) for part in parts for r in part]
    finally:
        if collecting:
            gc.enable()


def in_workers(
    workers: int,
    function: Callable[..., T],
    tasks: Sequence[tuple[Any, ...]],
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Generator[T, None, None]:
    """``function(*task)`` for each task, in order, worked out in ``workers`` processes (``spawn``).

    ``initializer(*initargs)`` runs once in each worker as it starts (to send what every task
    needs once). The workers ignore SIGINT. If the caller stops early, or an exception reaches
    it (a task's own error, a KeyboardInterrupt, a :class:`Terminated`), the tasks not yet
    started are cancelled and the workers stopped, without waiting for them. A worker that dies
    (the calling script ran the work again in it: see :func:`rate_many`) is an
    :class:`~probation_rules.errors.EngineError`.
    """
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=max(1, min(workers, len(tasks))), mp_context=context, initializer=_start_worker, initargs=(initializer, initargs))
    finished = False
    try:
        with _interrupts_held():  # workers start on submit, with this thread's signal mask
            futures = [pool.submit(function, *task) for task in tasks]
        for future in futures:
            yield future.result()
        finished = True
    except BrokenProcessPool:
        raise EngineError(Problem("workers", BROKEN_POOL, workers)) from None
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches every process of the terminal's group: the parent handles it
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """SIGINT blocked in this thread while workers are started, so none is interrupted before it can ignore it.

    A child starts with its parent's signal mask, and Python only installs its Ctrl-C handler
    when SIGINT is not blocked; a Ctrl-C meanwhile is not lost, but delivered here when unblocked.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers now (``shutdown(wait=True)`` would let them finish)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # the executor offers no public way to reach them
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt while :func:`terminate_as_interrupt` is in force, so the same clean-up runs."""


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While in force (in the main thread), SIGTERM raises :class:`Terminated`, as Ctrl-C raises KeyboardInterrupt.

    A command that starts worker processes uses it so that ``kill`` stops them too, rather than
    leaving them to finish the work of a process that is gone.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
