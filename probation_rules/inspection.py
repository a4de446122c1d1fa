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
import os
import typing
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any, Literal

import attrs

from probation_rules._convert import LOADER_SET, ValueProblem, converter, kind_of, render_path, structure, unknown_and_missing
from probation_rules.errors import InspectionError, Problem, did_you_mean
from probation_rules.methodology.schema import Methodology
from probation_rules.reading import parse_json, read_text

__all__ = [
    "CHOOSING",
    "Answer",
    "Case",
    "CaseEvidence",
    "Counts",
    "Inspection",
    "JudgedEvidence",
    "KeyQuestionValue",
    "NotRated",
    "StandardEvidence",
    "Unread",
    "choice_in_doubt",
    "load_inspection",
    "observed_key_questions",
    "parse_json",
    "validate_against",
]

Answer = Literal["yes", "no", "n/a"]

PathParts = tuple[str | int, ...]

CHOOSING: frozenset[PathParts] = frozenset({("methodology",), ("programme",), ("fieldwork_start",)})
"""The fields of an inspection that choose its methodology when the caller names none."""


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
    """Key-question results; an empty entry ({}) takes them from the inspection's cases instead."""

    key_questions: Mapping[str, KeyQuestionValue] = attrs.field(factory=dict)


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
class Unread:
    """What could not be read from a document loaded with ``check_values=False``.

    The problems wait for :func:`validate_against`, which reports them with the problems the
    methodology reveals in the parts that could be read; ``paths`` are the parts left out.
    """

    problems: tuple[Problem, ...]
    paths: frozenset[PathParts] = frozenset()
    mixed: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict)
    """Standards given both a judgement and key questions, as written: which is the stray field
    depends on the standard's kind, which only the methodology says."""


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
    unread: Unread | None = attrs.field(default=None, eq=False, repr=False, metadata={LOADER_SET: True})


_PERCENT_OR_COUNTS = 'must be a percentage or {"yes": k, "relevant": n}'
_BOTH_KINDS = 'must give "judgement" (a judged standard) or "key_questions" (a case-based one), not both'
_FIELDS_OF: dict[str, type[JudgedEvidence | CaseEvidence]] = {"judged": JudgedEvidence, "case": CaseEvidence}
_KIND_WORDS = {"judged": "a judged standard", "case": "a case-based standard"}


def _structure_kq_value(value: Any, _: Any) -> KeyQuestionValue:
    if isinstance(value, Mapping):
        return converter.structure(value, Counts)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueProblem(_PERCENT_OR_COUNTS, value, shown=kind_of(value))
    if isinstance(value, int) and not 0 <= value <= 100:
        # Kept exact: the range check names it, and a long integer does not fit a float.
        return value
    return converter.structure(value, float)


def _structure_evidence(value: Any, _: Any) -> StandardEvidence:
    if not isinstance(value, Mapping):
        raise ValueProblem('must be an object with "judgement", "key_questions" or "not_rated"', value, shown=kind_of(value))
    if not value:
        return CaseEvidence()
    if "not_rated" in value:
        if len(value) > 1:
            raise ValueProblem('must give "not_rated" alone: an unrated standard has no judgement or key questions', dict(value))
        return converter.structure(value, NotRated)
    if "judgement" in value and "key_questions" in value:
        raise ValueProblem(_BOTH_KINDS, dict(value))
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

    Raises :class:`InspectionError` listing every problem found, :class:`DocumentSyntaxError`
    for a file that is not JSON, :class:`InputFileError` for one that cannot be read.

    ``check_values=False`` leaves every problem in the document's content to
    :func:`validate_against`, which then reports them together with the problems only a
    methodology can reveal: the inspection returned holds what could be read (its ``unread``
    says what could not), and is fit only for :func:`validate_against` until it has passed.
    """
    if isinstance(source, Inspection):
        return source
    if not isinstance(source, (str, os.PathLike)):
        return inspection_from_dict(source, check_values=check_values)
    file = os.fspath(source)
    hint = "this looks like a methodology: give it as the methodology (--methodology)" if file.endswith(".toml") else None
    data, duplicates = parse_json(read_text(file, "an inspection document"), file, hint=hint)
    return inspection_from_dict(data, file=file, check_values=check_values, problems=duplicates)


def inspection_from_dict(data: Any, *, file: str | None = None, check_values: bool = True, problems: list[Problem] | None = None) -> Inspection:
    """Structure a parsed document; ``problems`` are any found already (in reading the file)."""
    if not isinstance(data, Mapping):
        raise InspectionError(Problem("", "must be a JSON object (an inspection document)", data, shown=kind_of(data)), file=file)
    found = list(problems or ())
    loader_set = [a.name for a in attrs.fields(Inspection) if a.metadata.get(LOADER_SET) and a.name in data]
    if loader_set:
        found += [Problem(name, "is set by the loader and cannot be written in the document") for name in loader_set]
        data = {k: v for k, v in data.items() if k not in loader_set}
    inspection, structure_problems = structure(data, Inspection)
    unreadable: frozenset[PathParts] = frozenset()
    if inspection is None:
        inspection, unreadable = _salvage(data)
    found += structure_problems
    if check_values:
        found += _shape_problems(inspection, unreadable)
        if found:
            raise InspectionError(found, file=file)
    elif found:
        raw = data.get("standards")
        mixed = {
            std_id: entry
            for std_id, entry in (raw.items() if isinstance(raw, Mapping) else ())
            if isinstance(std_id, str) and isinstance(entry, Mapping) and {"judgement", "key_questions"} <= entry.keys() and "not_rated" not in entry
        }
        inspection = attrs.evolve(inspection, unread=Unread(tuple(p.with_file(file) for p in found), unreadable, mixed))
    return attrs.evolve(inspection, source=file)


# -- what can be read from a document with problems -----------------------------------------


def _salvage(data: Mapping[str, Any]) -> tuple[Inspection, frozenset[PathParts]]:
    """The parts of a document that structure on their own, so the fit checks can still run on them.

    Only what structures is kept; what does not is named in the returned paths (its problems
    were reported by the whole document's structuring) and the fit checks pass over it.
    """
    hints = typing.get_type_hints(Inspection)
    unreadable: set[PathParts] = set()
    values: dict[str, Any] = {}
    for field in attrs.fields(Inspection):
        if field.metadata.get(LOADER_SET):
            continue
        if field.name not in data:
            if field.default is attrs.NOTHING:
                values[field.name] = ""
                unreadable.add((field.name,))
            continue
        raw = data[field.name]
        if field.name == "standards":
            values[field.name] = _salvage_standards(raw, unreadable)
        elif field.name == "cases":
            values[field.name] = _salvage_cases(raw, unreadable)
        else:
            value, problems = structure(raw, hints[field.name])
            if problems:
                unreadable.add((field.name,))
                values[field.name] = "" if field.default is attrs.NOTHING else field.default
            else:
                values[field.name] = value
    return Inspection(**values), frozenset(unreadable)


def _salvage_standards(raw: Any, unreadable: set[PathParts]) -> dict[str, StandardEvidence]:
    if not isinstance(raw, Mapping):
        unreadable.add(("standards",))
        return {}
    out: dict[str, StandardEvidence] = {}
    for std_id, entry in raw.items():
        evidence, problems = structure(entry, StandardEvidence)  # type: ignore[arg-type]
        if not problems and isinstance(std_id, str):
            out[std_id] = evidence  # type: ignore[assignment]
            continue
        kqs = entry.get("key_questions") if isinstance(entry, Mapping) and set(entry) == {"key_questions"} else None
        if not isinstance(std_id, str) or not isinstance(kqs, Mapping):
            unreadable.add(("standards", std_id))
            continue
        readable: dict[str, KeyQuestionValue] = {}
        for kq_id, value in kqs.items():
            kq_value, kq_problems = structure(value, KeyQuestionValue)  # type: ignore[arg-type]
            if kq_problems or not isinstance(kq_id, str):
                unreadable.add(("standards", std_id, "key_questions", kq_id))
            else:
                readable[kq_id] = kq_value  # type: ignore[assignment]
        out[std_id] = CaseEvidence(readable)
    return out


def _salvage_cases(raw: Any, unreadable: set[PathParts]) -> tuple[Case, ...]:
    if not isinstance(raw, (list, tuple)):
        unreadable.add(("cases",))
        return ()
    out = []
    for i, entry in enumerate(raw):
        case, problems = structure(entry, Case)
        if problems or case is None:
            unreadable.add(("cases", i))
            case = Case("", {})  # keeps the positions of the cases after it
        out.append(case)
    return tuple(out)


# -- checks ------------------------------------------------------------------------------------


def _shape_problems(inspection: Inspection, unreadable: frozenset[PathParts] = frozenset()) -> Iterator[Problem]:
    for std_id, evidence in inspection.standards.items():
        where: PathParts = ("standards", std_id)
        if isinstance(evidence, NotRated) and not evidence.not_rated.strip():
            yield Problem(render_path((*where, "not_rated")), "must give the reason the standard was not rated", evidence.not_rated)
        elif isinstance(evidence, JudgedEvidence):
            yield from _strength_problems((*where, "strengths"), evidence.strengths)
        elif isinstance(evidence, CaseEvidence):
            for kq_id, value in evidence.key_questions.items():
                at = (*where, "key_questions", kq_id)
                if isinstance(value, Counts):
                    if value.relevant <= 0:
                        yield Problem(render_path((*at, "relevant")), "must be at least 1 (a key question needs relevant cases)", value.relevant)
                    if value.yes < 0:
                        yield Problem(render_path((*at, "yes")), "must not be negative", value.yes)
                    elif value.yes > value.relevant:
                        yield Problem(render_path((*at, "yes")), f"must not exceed relevant ({value.relevant})", value.yes)
                elif not 0 <= value <= 100:
                    yield Problem(render_path(at), "must be a percentage between 0 and 100", value)
    first_of: dict[str, int] = {}
    for i, case in enumerate(inspection.cases):
        if ("cases", i) in unreadable:
            continue
        if not case.id.strip():
            yield Problem(render_path(("cases", i, "id")), "must name the case (it must not be blank)", case.id)
        elif case.id in first_of:
            yield Problem(render_path(("cases", i, "id")), f"repeats the id of cases[{first_of[case.id]}]: each case is counted once", case.id)
        else:
            first_of[case.id] = i


def _strength_problems(where: PathParts, strengths: tuple[str, ...]) -> Iterator[Problem]:
    for i, strength in enumerate(strengths):
        if not strength.strip():
            yield Problem(render_path((*where, i)), "must describe a strength (it must not be blank)", strength)


def validate_against(inspection: Inspection, methodology: Methodology) -> None:
    """Raise :class:`InspectionError` listing every way the inspection does not fit the methodology.

    That includes what could not be read, for an inspection loaded with ``check_values=False``.
    """
    problems = list(inspection.unread.problems) if inspection.unread else []
    if inspection.unread and inspection.unread.mixed and not choice_in_doubt(inspection):
        inspection, problems = _sorted_by_kind(inspection, inspection.unread, methodology)
    problems += _fit_problems(inspection, methodology)
    if problems:
        raise InspectionError(problems, file=inspection.source)


def _sorted_by_kind(inspection: Inspection, unread: Unread, m: Methodology) -> tuple[Inspection, list[Problem]]:
    """Standards given both a judgement and key questions, read as the kind the methodology says they are.

    The fields of the other kind are the stray ones, each named at its path; what is left is read
    as the standard's kind, so the fit checks see it. A standard the methodology does not have
    is named as unknown, whatever it gives.
    """
    known = {s.id: s for s in m.standards}
    problems = list(unread.problems)
    standards = dict(inspection.standards)
    paths = set(unread.paths)
    file = inspection.source
    for std_id, entry in unread.mixed.items():
        where: PathParts = ("standards", std_id)
        both = Problem(render_path(where), _BOTH_KINDS, dict(entry), file=file)
        problems = [p for p in problems if p != both]
        standard = known.get(std_id)
        if standard is None:
            standards[std_id] = CaseEvidence()  # named as not a standard of the methodology
            paths.discard(where)
            continue
        own = _FIELDS_OF[standard.kind]
        own_fields = [a.name for a in attrs.fields(own)]
        other = {a.name for cls in _FIELDS_OF.values() if cls is not own for a in attrs.fields(cls)}
        stray = [key for key in entry if key in other and key not in own_fields]
        listed = ", ".join(own_fields)
        for key in stray:
            problems.append(Problem(render_path((*where, key)), f"is not a field of {_KIND_WORDS[standard.kind]} (known: {listed})", file=file))
        evidence, evidence_problems = structure({k: v for k, v in entry.items() if k not in stray}, own)
        if evidence is None:
            problems += [attrs.evolve(p, path=_under(where, p.path)).with_file(file) for p in evidence_problems]
            continue
        standards[std_id] = evidence
        paths.discard(where)
    return attrs.evolve(inspection, standards=standards, unread=attrs.evolve(unread, paths=frozenset(paths))), problems


def _under(where: PathParts, path: str) -> str:
    """A path found in a part of the document, as a path in the whole document."""
    head = render_path(where)
    return f"{head}{'' if not path or path.startswith('[') else '.'}{path}"


def choice_in_doubt(inspection: Inspection) -> bool:
    """Whether a field that chooses the inspection's methodology could not be read (:data:`CHOOSING`).

    Its fieldwork date does not choose when the inspection names its methodology.
    """
    unreadable = inspection.unread.paths & CHOOSING if inspection.unread else frozenset()
    return bool(unreadable - {("fieldwork_start",)} if inspection.methodology is not None else unreadable)


def _fit_problems(inspection: Inspection, m: Methodology) -> Iterator[Problem]:
    unreadable = inspection.unread.paths if inspection.unread else frozenset()
    yield from _shape_problems(inspection, unreadable)
    if choice_in_doubt(inspection):
        return  # which methodology the document is rated under is itself in doubt
    known = [s.id for s in m.standards]
    from_cases = _case_counts(inspection)
    cases_unreadable = any(p[0] == "cases" for p in unreadable)
    for std_id, evidence in inspection.standards.items():
        where: PathParts = ("standards", std_id)
        if std_id not in known:
            continue  # named with the missing standards, below
        standard = m.standard(std_id)
        if isinstance(evidence, NotRated):
            if m.not_rated is None:
                yield Problem(
                    render_path((*where, "not_rated")),
                    f"cannot be left unrated: {m.id} states no rule for unrated standards (give a rating, or use a methodology that does)",
                )
            if std_id in from_cases:
                yield Problem(render_path(where), "is not rated but has answers in cases: give one or the other")
        elif isinstance(evidence, JudgedEvidence):
            if standard.kind != "judged":
                yield Problem(render_path(where), "is a case-based standard: give key_questions (or cases), not a judgement")
            elif evidence.judgement not in m.scale.ratings:
                ratings = m.scale.ratings
                hint = did_you_mean(evidence.judgement, ratings)
                yield Problem(render_path((*where, "judgement")), f"must be a rating ({', '.join(ratings)})", evidence.judgement, hint)
        else:
            unread_kqs = [p[3] for p in unreadable if p[:3] == ("standards", std_id, "key_questions") and isinstance(p[3], str)]
            given = [*evidence.key_questions, *unread_kqs]
            if standard.kind != "case":
                if given:
                    yield Problem(render_path(where), "is a judged standard: give a judgement, not key_questions")
                else:
                    yield Problem(render_path(where), f"gives nothing: {standard.name} is a judged standard and needs a judgement")
            elif not given:
                if std_id not in from_cases and not cases_unreadable:
                    yield Problem(render_path(where), f"has no key questions, and no case answers it: {standard.name} needs key_questions or case answers")
            else:
                if std_id in from_cases:
                    yield Problem(render_path(where), "has key_questions and also answers in cases: give one or the other")
                ids = [q.id for q in standard.key_questions]
                yield from unknown_and_missing(
                    (*where, "key_questions"),
                    given,
                    ids,
                    unknown="is not a key question here",
                    listed=f" ({', '.join(ids)})",
                    missing="is missing",
                    name_key=True,
                )
    for i, case in enumerate(inspection.cases):
        for std_id, answers in case.answers.items():
            where = ("cases", i, "answers", std_id)
            if std_id not in known:
                yield Problem(render_path(where), f"is not a standard of {m.id}", std_id, did_you_mean(std_id, known))
            elif m.standard(std_id).kind != "case":
                yield Problem(render_path(where), "is a judged standard: cases answer key questions of case-based standards only")
            else:
                kq_ids = [q.id for q in m.standard(std_id).key_questions]
                for kq_id in answers:
                    if kq_id not in kq_ids:
                        hint = did_you_mean(kq_id, kq_ids)
                        yield Problem(render_path((*where, kq_id)), f"is not a key question of {std_id} ({', '.join(kq_ids)})", kq_id, hint)
    if not cases_unreadable:
        for std_id, counts in from_cases.items():
            if std_id in known and m.standard(std_id).kind == "case" and not _given_in_standards(inspection, std_id, unreadable):
                kqs = [q.id for q in m.standard(std_id).key_questions]
                where = ("cases", "*", "answers", std_id)
                for kq_id in kqs:
                    if kq_id in counts and counts[kq_id].relevant == 0:
                        hint = f' (if {std_id} had no relevant cases, mark it {{"not_rated": "no relevant cases"}})' if m.not_rated is not None else ""
                        yield Problem(render_path((*where, kq_id)), f"has no relevant cases (every answer is n/a){hint}")
                # Each case's unknown key questions are named at the case, above; here only what no case answers.
                answered = [k for k in counts if k in kqs]
                yield from unknown_and_missing(where, answered, kqs, missing="is missing", elsewhere=[k for k in counts if k not in kqs])

    def missing_standard(std_id: str) -> str | None:
        standard = m.standard(std_id)
        if std_id in from_cases or ("standards", std_id) in unreadable or (standard.kind == "case" and cases_unreadable):
            return None  # answered by the cases, unreadable, or perhaps answered by an unreadable case
        need = "a judgement" if standard.kind == "judged" else "key_questions or case answers"
        return f"is missing: {standard.name} needs {need}"

    if ("standards",) not in unreadable:
        yield from unknown_and_missing(
            ("standards",),
            inspection.standards,
            known,
            unknown=f"is not a standard of {m.id}",
            listed=f" ({', '.join(known)})",
            missing=missing_standard,
            elsewhere=[s for case in inspection.cases for s in case.answers],
            name_key=True,
        )
    scored = [s.id for s in m.standards if s.scored]
    if scored and all(isinstance(inspection.standards.get(s), NotRated) for s in scored):
        yield Problem("standards", f"leaves every scored standard unrated: there is no score to rate ({', '.join(scored)})")
    if inspection.programme is not None and m.programme is not None and inspection.programme != m.programme:
        yield Problem("programme", f"does not match the methodology it is rated under ({m.id} serves {m.programme!r})", inspection.programme)


def _given_in_standards(inspection: Inspection, std_id: str, unreadable: frozenset[PathParts]) -> bool:
    """Whether ``standards`` gives this standard's evidence (an empty entry leaves it to the cases)."""
    if ("standards", std_id) in unreadable:
        return True
    evidence = inspection.standards.get(std_id)
    if evidence is None:
        return False
    if isinstance(evidence, CaseEvidence):
        return bool(evidence.key_questions) or any(p[:3] == ("standards", std_id, "key_questions") for p in unreadable)
    return True


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
    if isinstance(evidence, CaseEvidence) and evidence.key_questions:
        return evidence.key_questions
    return _case_counts(inspection).get(standard_id, {})
