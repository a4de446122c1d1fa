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
    @given(inspections(m))
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
        doc, exc = failures[-1]  # the last failure hypothesis ran is the shrunk one
        message = str(exc) if isinstance(exc, AssertionError) else f"{type(exc).__name__}: {exc}"
        return PropertyOutcome(name, False, runs[0], message.splitlines()[0] if message else type(exc).__name__, doc)
    return PropertyOutcome(name, True, runs[0])
