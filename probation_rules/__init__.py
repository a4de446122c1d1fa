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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from probation_rules.batch import rate_many
from probation_rules.engine import evaluate
from probation_rules.errors import (
    DocumentSyntaxError,
    EngineError,
    InputFileError,
    InspectionError,
    MethodologyError,
    MissingFileError,
    ProbationRulesError,
    Problem,
    RobustnessError,
    RuleConflictError,
    UnknownMethodologyError,
    UsageError,
    VariantError,
)
from probation_rules.inspection import Inspection, choice_in_doubt, load_inspection, validate_against
from probation_rules.methodology import DEFAULT_METHODOLOGY, Methodology, bundled_ids, load_methodology
from probation_rules.methodology.loader import misfit_error, reference_problems, select_methodology
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
    "MissingFileError",
    "ProbationRulesError",
    "Problem",
    "RatingResult",
    "RobustnessError",
    "RuleConflictError",
    "StandardResult",
    "Trace",
    "TraceEntry",
    "UnknownMethodologyError",
    "UsageError",
    "VariantError",
    "bundled_ids",
    "compare",
    "load_inspection",
    "load_methodology",
    "rate",
    "rate_many",
]

__version__ = "0.1.0"


def rate(
    inspection: str | os.PathLike[str] | Mapping[str, Any] | Inspection,
    methodology: str | os.PathLike[str] | Methodology | None = None,
) -> RatingResult:
    """Rate an inspection (a path, a parsed JSON mapping or an :class:`Inspection`).

    The methodology is, in order: the one given here, the one the inspection names, the bundled
    framework of the inspection's programme in force on its ``fieldwork_start``, the default.
    The result's ``methodology.selected_by`` says which. When a framework the inspection did not
    name does not fit it, the error says how that framework was chosen and which bundled one the
    inspection's standards fit, with the field that would choose it.
    """
    loaded, chosen, selected_by = _prepared(inspection, methodology)
    return evaluate(loaded, chosen, selected_by=selected_by)


def _prepared(
    inspection: str | os.PathLike[str] | Mapping[str, Any] | Inspection,
    methodology: str | os.PathLike[str] | Methodology | None = None,
) -> tuple[Inspection, Methodology, str]:
    """What :func:`rate` does before rating: the inspection read, and the methodology chosen and validated against, and how it was chosen.

    Raises as :func:`rate` does for bad input (``rate`` on the command line checks every
    inspection this way before it prints the first rating).
    """
    loaded = load_inspection(inspection, check_values=False)
    if methodology is None and loaded.unread is not None and choice_in_doubt(loaded):
        # What would choose the methodology could not be read: any framework tried now is a guess,
        # and its complaints would bury the real problem.
        raise InspectionError(loaded.unread.problems, file=loaded.source)
    if methodology is not None:
        chosen, selected_by = load_methodology(methodology), "argument"
    elif loaded.methodology is not None:
        try:
            chosen, selected_by = load_methodology(loaded.methodology, relative_to=loaded.source), "inspection"
        except (MethodologyError, InputFileError) as exc:
            problems = reference_problems(exc.problems, "methodology", loaded.methodology, relative_to=loaded.source)
            raise type(exc)(problems, file=loaded.source) from None
    else:
        try:
            chosen, selected_by = select_methodology(loaded.fieldwork_start, loaded.programme, fitting=_fitting(loaded))
        except MethodologyError as exc:
            raise type(exc)(exc.problems, file=loaded.source) from None
    try:
        validate_against(loaded, chosen)
    except InspectionError as exc:
        if selected_by in ("argument", "inspection"):
            raise
        raise misfit_error(
            chosen,
            selected_by,
            exc.problems,
            fieldwork_start=loaded.fieldwork_start,
            programme=loaded.programme,
            standard_ids={*loaded.standards, *(s for case in loaded.cases for s in case.answers)},
            fitting=_fitting(loaded),
            file=loaded.source,
        ) from None
    return loaded, chosen, selected_by


def _fitting(inspection: Inspection) -> Callable[[Sequence[Methodology]], list[Methodology]]:
    """Which of some methodologies the inspection fits, whatever programme it names (for advice in errors)."""
    anywhere = attrs.evolve(inspection, programme=None)

    def fits(m: Methodology) -> bool:
        try:
            validate_against(anywhere, m)
        except InspectionError:
            return False
        return True

    return lambda methodologies: [m for m in methodologies if fits(m)]
