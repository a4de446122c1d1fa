"""Run the library's invariants against one methodology, and keep the simplest failing inspection.

This is what ``probation-rules check --properties`` does: hypothesis generates inspections for
the methodology, each invariant is tried on them, and a failure is shrunk to the simplest
inspection that still fails, so a policy officer sees one small document their change
mistreats rather than a random one. Runs are derandomised unless a seed is given, so the same
methodology always gives the same report.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from probation_rules.methodology.schema import Methodology
from probation_rules.testing.invariants import INVARIANTS, Invariant, methodology_round_trip
from probation_rules.testing.strategies import inspections

__all__ = ["PropertyOutcome", "run_properties"]


@attrs.frozen
class PropertyOutcome:
    """One invariant's verdict; a failure carries its message and the shrunk inspection."""

    name: str
    passed: bool
    examples: int
    message: str | None = None
    counterexample: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "examples": self.examples, "message": self.message, "counterexample": self.counterexample}


def run_properties(m: Methodology, *, examples: int = 100, seed: int | None = None) -> list[PropertyOutcome]:
    """Every invariant, each over ``examples`` generated inspections of ``m``."""
    outcomes = [_round_trip(m)]
    for name, invariant in INVARIANTS.items():
        outcomes.append(_run_one(m, name, invariant, examples, seed))
    return outcomes


def _round_trip(m: Methodology) -> PropertyOutcome:
    try:
        methodology_round_trip(m)
    except AssertionError as exc:
        return PropertyOutcome("methodology_round_trip", False, 1, str(exc))
    return PropertyOutcome("methodology_round_trip", True, 1)


def _run_one(m: Methodology, name: str, invariant: Invariant, examples: int, seed: int | None) -> PropertyOutcome:
    """Percentage-only inspections first, then every kind: a fault either shows is shown by the simplest.

    Hypothesis shrinks within what it generated, and a document of case-by-case answers does not
    shrink to one of percentages; so the first half of the examples are documents whose every key
    question is a percentage (at band edges and anywhere), and only if none of those fails does
    the rest of the run add counts, cases and unrated standards.
    """
    simple = max(1, examples // 2)
    phases = [(inspections(m, counts=False, cases=False, unrated=False), simple)]
    if examples > simple:
        phases.append((inspections(m), examples - simple))
    runs = 0
    for strategy, count in phases:
        ran, failure = _search(m, invariant, strategy, count, seed)
        runs += ran
        if failure is not None:
            doc, exc = failure
            message = str(exc) if isinstance(exc, AssertionError) else f"{type(exc).__name__}: {exc}"
            return PropertyOutcome(name, False, runs, message.splitlines()[0] if message else type(exc).__name__, doc)
    return PropertyOutcome(name, True, runs)


def _search(
    m: Methodology, invariant: Invariant, strategy: st.SearchStrategy[dict[str, Any]], examples: int, seed: int | None
) -> tuple[int, tuple[dict[str, Any], BaseException] | None]:
    """How many inspections were tried, and the shrunk failing one with its exception, if any."""
    failures: list[tuple[dict[str, Any], BaseException]] = []
    runs = [0]

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=seed is None,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
    )
    @given(strategy)
    def holds(doc: dict[str, Any]) -> None:
        runs[0] += 1
        try:
            invariant(m, doc)
        except Exception as exc:
            failures.append((copy.deepcopy(doc), exc))
            raise

    test = hypothesis_seed(seed)(holds) if seed is not None else holds
    try:
        test()
    except Exception:
        if not failures:  # hypothesis itself failed, not the invariant
            raise
        return runs[0], failures[-1]  # the last failure hypothesis ran is the shrunk one
    return runs[0], None
