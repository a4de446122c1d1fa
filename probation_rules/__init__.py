"""State HM Inspectorate of Probation's rating methodology as declarative rules, and apply it.

The public API is small and stable::

    from probation_rules import rate
    result = rate("york-pdu-2024.json")
    result.overall, result.score, result.to_dict()

Methodologies are data (TOML files under ``probation_rules/methodologies``); ratings come
from durable-rules rules compiled from them; every result carries a trace of the rules that fired.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs

from probation_rules.engine import evaluate
from probation_rules.errors import (
    DocumentSyntaxError,
    EngineError,
    InputFileError,
    InspectionError,
    MethodologyError,
    ProbationRulesError,
    Problem,
    RuleConflictError,
    UnknownMethodologyError,
)
from probation_rules.inspection import Inspection, load_inspection, validate_against
from probation_rules.methodology import DEFAULT_METHODOLOGY, Methodology, bundled_ids, load_methodology
from probation_rules.methodology.loader import select_methodology
from probation_rules.result import RESULT_VERSION, RatingResult, StandardResult
from probation_rules.trace import TRACE_VERSION, Trace, TraceEntry
from probation_rules.whatif.compare import compare

__all__ = [
    "DEFAULT_METHODOLOGY",
    "RESULT_VERSION",
    "TRACE_VERSION",
    "DocumentSyntaxError",
    "EngineError",
    "InputFileError",
    "Inspection",
    "InspectionError",
    "Methodology",
    "MethodologyError",
    "ProbationRulesError",
    "Problem",
    "RatingResult",
    "RuleConflictError",
    "StandardResult",
    "Trace",
    "TraceEntry",
    "UnknownMethodologyError",
    "bundled_ids",
    "compare",
    "load_inspection",
    "load_methodology",
    "rate",
]

__version__ = "0.1.0"


def rate(
    inspection: str | os.PathLike[str] | Mapping[str, Any] | Inspection,
    methodology: str | os.PathLike[str] | Methodology | None = None,
) -> RatingResult:
    """Rate an inspection (a path, a parsed JSON mapping or an :class:`Inspection`).

    The methodology is, in order: the one given here, the one the inspection names, the bundled
    framework of the inspection's programme in force on its ``fieldwork_start``, the default.
    The result's ``methodology.selected_by`` says which.
    """
    loaded = load_inspection(inspection, check_values=False)
    if methodology is not None:
        chosen, selected_by = load_methodology(methodology), "argument"
    else:
        try:
            if loaded.methodology is not None:
                chosen, selected_by = load_methodology(loaded.methodology), "inspection"
            else:
                chosen, selected_by = select_methodology(loaded.fieldwork_start, loaded.programme)
        except MethodologyError as exc:
            raise type(exc)(exc.problems, file=loaded.source) from None
    validate_against(loaded, chosen)
    result = evaluate(loaded, chosen)
    return attrs.evolve(result, methodology=attrs.evolve(result.methodology, selected_by=selected_by))
