"""Inspection documents: what inspectors found, before any rule is applied.

An inspection gives, per standard, either the inspectors' judgement (with any strengths they
recorded) or key-question results: a percentage, ``{"yes": k, "relevant": n}`` counts, or
case-by-case answers from which the counts follow; or ``{"not_rated": "<reason>"}`` when the
inspectors left it unrated (what follows is the methodology's ``not_rated`` rule). Reading
checks the document's shape; :func:`validate_against` then checks it against a methodology and
reports every problem at once.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import attrs

from probation_rules._convert import LOADER_SET, ValueProblem, converter, render_path, structure
from probation_rules.errors import InputFileError, InspectionError, Problem, did_you_mean
from probation_rules.methodology.schema import Methodology

__all__ = [
    "Answer",
    "Case",
    "CaseEvidence",
    "Counts",
    "Inspection",
    "JudgedEvidence",
    "KeyQuestionValue",
    "NotRated",
    "StandardEvidence",
    "load_inspection",
    "observed_key_questions",
    "validate_against",
]

Answer = Literal["yes", "no", "n/a"]


@attrs.frozen
class Counts:
    """How many relevant cases were answered yes for one key question."""

    yes: int
    relevant: int

    @property
    def ratio(self) -> Fraction:
        return Fraction(100 * self.yes, self.relevant)


KeyQuestionValue = float | Counts


@attrs.frozen
class JudgedEvidence:
    judgement: str
    strengths: tuple[str, ...] = ()


@attrs.frozen
class CaseEvidence:
    key_questions: Mapping[str, KeyQuestionValue]


@attrs.frozen
class NotRated:
    """The inspectors left the standard unrated; the reason is kept for the result and the trace."""

    not_rated: str


StandardEvidence = JudgedEvidence | CaseEvidence | NotRated


@attrs.frozen
class Case:
    id: str
    answers: Mapping[str, Mapping[str, Answer]]


@attrs.frozen
class Inspection:
    id: str
    unit: str
    standards: Mapping[str, StandardEvidence] = attrs.field(factory=dict)
    region: str | None = None
    fieldwork_start: datetime.date | None = None
    published: str | None = None
    methodology: str | None = None
    programme: str | None = None
    cases: tuple[Case, ...] = ()
    source: str | None = attrs.field(default=None, eq=False, metadata={LOADER_SET: True})


def _structure_kq_value(value: Any, _: Any) -> KeyQuestionValue:
    if isinstance(value, Mapping):
        return converter.structure(value, Counts)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueProblem('must be a percentage or {"yes": k, "relevant": n}', value)
    return converter.structure(value, float)


def _structure_evidence(value: Any, _: Any) -> StandardEvidence:
    if not isinstance(value, Mapping):
        raise ValueProblem('must be an object with "judgement", "key_questions" or "not_rated"', value)
    if "not_rated" in value:
        if len(value) > 1:
            raise ValueProblem('must give "not_rated" alone: an unrated standard has no judgement or key questions', dict(value))
        return converter.structure(value, NotRated)
    if "judgement" in value:
        return converter.structure(value, JudgedEvidence)
    if "key_questions" in value:
        return converter.structure(value, CaseEvidence)
    keys = [k for k in value if isinstance(k, str)]
    hint = next((s for k in keys if (s := did_you_mean(k, ["judgement", "key_questions", "not_rated"]))), None)
    raise ValueProblem('must have "judgement" (a judged standard), "key_questions" (a case-based one) or "not_rated" (a reason)', dict(value), hint)


converter.register_structure_hook(KeyQuestionValue, _structure_kq_value)
converter.register_structure_hook(StandardEvidence, _structure_evidence)


def load_inspection(source: str | os.PathLike[str] | Mapping[str, Any] | Inspection, *, check_values: bool = True) -> Inspection:
    """An inspection from a JSON file path or an already-parsed mapping.

    ``check_values=False`` leaves range checks (percentages, counts) to :func:`validate_against`,
    which then reports them together with the problems only a methodology can reveal.
    """
    if isinstance(source, Inspection):
        return source
    if not isinstance(source, (str, os.PathLike)):
        return inspection_from_dict(source, check_values=check_values)
    path = Path(os.fspath(source))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputFileError(Problem("", "no such file"), file=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(Problem("", f"cannot be read as UTF-8 text: {exc}"), file=str(path)) from exc
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise InputFileError(Problem("", f"is not a usable file path: {exc}"), file=repr(os.fspath(source))) from exc
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(Problem("", f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"), file=str(path)) from exc
    except ValueError as exc:
        raise InputFileError(Problem("", f"is not valid JSON: {exc}"), file=str(path)) from exc
    except RecursionError:
        raise InputFileError(Problem("", "is nested too deeply to be an inspection document"), file=str(path)) from None
    return inspection_from_dict(data, file=str(path), check_values=check_values)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def inspection_from_dict(data: Any, *, file: str | None = None, check_values: bool = True) -> Inspection:
    if not isinstance(data, Mapping):
        raise InspectionError(Problem("", "must be a JSON object (an inspection document)", _type_name(data)), file=file)
    if "source" in data:
        raise InspectionError(Problem("source", "is set by the loader and cannot be written in the document"), file=file)
    inspection, problems = structure(data, Inspection, file=file)
    if problems or inspection is None:
        raise InspectionError(problems, file=file)
    problems = list(_shape_problems(inspection)) if check_values else []
    if problems:
        raise InspectionError(problems, file=file)
    return attrs.evolve(inspection, source=file)


def _type_name(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number", bool: "a boolean", type(None): "null"}.get(type(value), type(value).__name__)


def _shape_problems(inspection: Inspection) -> Iterator[Problem]:
    for std_id, evidence in inspection.standards.items():
        if isinstance(evidence, NotRated) and not evidence.not_rated.strip():
            yield Problem(render_path(("standards", std_id, "not_rated")), "must give the reason the standard was not rated", evidence.not_rated)
        if isinstance(evidence, CaseEvidence):
            for kq_id, value in evidence.key_questions.items():
                if isinstance(value, Counts) and 0 <= value.yes <= value.relevant and value.relevant > 0:
                    continue  # the usual case, passed without rendering its path
                where = render_path(("standards", std_id, "key_questions", kq_id))
                if isinstance(value, Counts):
                    if value.relevant <= 0:
                        yield Problem(f"{where}.relevant", "must be at least 1 (a key question needs relevant cases)", value.relevant)
                    if value.yes < 0:
                        yield Problem(f"{where}.yes", "must not be negative", value.yes)
                    elif value.yes > value.relevant:
                        yield Problem(f"{where}.yes", f"must not exceed relevant ({value.relevant})", value.yes)
                elif not 0 <= value <= 100:
                    yield Problem(where, "must be a percentage between 0 and 100", value)


def validate_against(inspection: Inspection, methodology: Methodology) -> None:
    """Raise :class:`InspectionError` listing every way the inspection does not fit the methodology."""
    problems = list(_fit_problems(inspection, methodology))
    if problems:
        raise InspectionError(problems, file=inspection.source)


def _fit_problems(inspection: Inspection, m: Methodology) -> Iterator[Problem]:
    yield from _shape_problems(inspection)
    known = [s.id for s in m.standards]
    from_cases = _case_counts(inspection)
    for std_id, evidence in inspection.standards.items():
        at = ("standards", std_id)  # rendered only for a problem: validation passes far more often than it fails
        if std_id not in known:
            yield Problem(render_path(at), f"is not a standard of {m.id} ({', '.join(known)})", std_id, did_you_mean(std_id, known))
            continue
        standard = m.standard(std_id)
        if isinstance(evidence, NotRated):
            if m.not_rated is None:
                yield Problem(
                    f"{render_path(at)}.not_rated",
                    f"cannot be left unrated: {m.id} states no rule for unrated standards (give a rating, or use a methodology that does)",
                )
            if std_id in from_cases:
                yield Problem(render_path(at), "is not rated but has answers in cases: give one or the other")
        elif isinstance(evidence, JudgedEvidence):
            if standard.kind != "judged":
                yield Problem(render_path(at), "is a case-based standard: give key_questions (or cases), not a judgement")
            elif evidence.judgement not in m.scale.ratings:
                ratings = m.scale.ratings
                yield Problem(
                    f"{render_path(at)}.judgement", f"must be a rating ({', '.join(ratings)})", evidence.judgement, did_you_mean(evidence.judgement, ratings)
                )
        else:
            if standard.kind != "case":
                yield Problem(render_path(at), "is a judged standard: give a judgement, not key_questions")
                continue
            if std_id in from_cases:
                yield Problem(render_path(at), "has key_questions and also answers in cases: give one or the other")
            yield from _key_question_problems((*at, "key_questions"), standard.key_questions, evidence.key_questions)
    for i, case in enumerate(inspection.cases):
        for std_id, answers in case.answers.items():
            where = render_path(("cases", i, "answers", std_id))
            if std_id not in known:
                yield Problem(where, f"is not a standard of {m.id}", std_id, did_you_mean(std_id, known))
            elif m.standard(std_id).kind != "case":
                yield Problem(where, "is a judged standard: cases answer key questions of case-based standards only")
            else:
                kq_ids = [q.id for q in m.standard(std_id).key_questions]
                for kq_id in answers:
                    if kq_id not in kq_ids:
                        yield Problem(f"{where}.{kq_id}", f"is not a key question of {std_id} ({', '.join(kq_ids)})", kq_id, did_you_mean(kq_id, kq_ids))
    for std_id, counts in from_cases.items():
        if std_id in known and m.standard(std_id).kind == "case" and std_id not in inspection.standards:
            kqs = m.standard(std_id).key_questions
            for q in kqs:
                if q.id in counts and counts[q.id].relevant == 0:
                    hint = f' (if {std_id} had no relevant cases, mark it {{"not_rated": "no relevant cases"}})' if m.not_rated is not None else ""
                    yield Problem(render_path(("cases", "*", "answers", std_id, q.id)), f"has no relevant cases (every answer is n/a){hint}")
            yield from _key_question_problems(("cases", "*", "answers", std_id), kqs, {k: v for k, v in counts.items() if v.relevant})
    for standard in m.standards:
        if standard.id not in inspection.standards and standard.id not in from_cases:
            need = "a judgement" if standard.kind == "judged" else "key_questions or case answers"
            yield Problem(render_path(("standards", standard.id)), f"is missing: {standard.name} needs {need}")
    scored = [s.id for s in m.standards if s.scored]
    if scored and all(isinstance(inspection.standards.get(s), NotRated) for s in scored):
        yield Problem("standards", f"leaves every scored standard unrated: there is no score to rate ({', '.join(scored)})")
    if inspection.programme is not None and m.programme is not None and inspection.programme != m.programme:
        yield Problem("programme", f"does not match the methodology it is rated under ({m.id} serves {m.programme!r})", inspection.programme)


def _key_question_problems(at: tuple[str, ...], expected: Any, given: Mapping[str, Any]) -> Iterator[Problem]:
    """Unknown and missing key questions; the path ``at`` is rendered only if there is a problem to name."""
    ids = [q.id for q in expected]
    for kq_id in given:
        if kq_id not in ids:
            yield Problem(f"{render_path(at)}.{kq_id}", f"is not a key question here ({', '.join(ids)})", kq_id, did_you_mean(kq_id, ids))
    for kq_id in ids:
        if kq_id not in given:
            yield Problem(f"{render_path(at)}.{kq_id}", "is missing")


def _case_counts(inspection: Inspection) -> dict[str, dict[str, Counts]]:
    tally: dict[str, dict[str, list[int]]] = {}
    for case in inspection.cases:
        for std_id, answers in case.answers.items():
            for kq_id, answer in answers.items():
                yes_relevant = tally.setdefault(std_id, {}).setdefault(kq_id, [0, 0])
                if answer != "n/a":
                    yes_relevant[1] += 1
                    yes_relevant[0] += answer == "yes"
    return {s: {k: Counts(yes=v[0], relevant=v[1]) for k, v in kqs.items()} for s, kqs in tally.items()}


def observed_key_questions(inspection: Inspection, standard_id: str) -> Mapping[str, KeyQuestionValue]:
    """A case-based standard's key-question results, from the standard itself or from its cases."""
    evidence = inspection.standards.get(standard_id)
    if isinstance(evidence, CaseEvidence):
        return evidence.key_questions
    return _case_counts(inspection).get(standard_id, {})
