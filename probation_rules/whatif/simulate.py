"""A reproducible synthetic population of inspections, with its assumptions stated.

Case-level inspection data is not public, so a policy change can only be tried on real
inspections at the level of their published ratings. A simulated population fills the gap
honestly: every assumption is a number in a small rates file (or a stated default), printed
with the population, and the same seed gives the same inspections on any machine and in any
number of worker processes, because inspection ``i`` is drawn from its own generator seeded
by ``(seed, i)``.

The model, per inspection: every case-based key question gets a rate of "yes" drawn uniformly
from its stated range; each of ``cases`` cases is relevant to it with a stated chance and, if
relevant, answered yes at that rate (a key question with no relevant case gets one, so every
standard is rated). Every judged standard gets a rating drawn from a stated distribution and,
with a stated chance, one recorded strength. Key questions are independent of each other and of
the judgements. These are assumptions for exploring a rule change, not estimates of the real
distribution of inspection findings.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from probation_rules._convert import render_path, structure
from probation_rules.errors import InspectionError, Problem, UsageError, did_you_mean
from probation_rules.methodology.loader import bundled_ids, load_methodology
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import counted
from probation_rules.reading import parse_json, parse_toml, read_text

__all__ = ["DEFAULT", "Rates", "Simulation", "Template", "load_rates", "simulation"]

DEFAULT = "default"
"""The key in each section of a rates file that applies wherever nothing more specific is given."""


@attrs.frozen
class Rates:
    """The assumptions of a simulation; every field has a stated default.

    ``yes``: by ``default``, standard id or ``<standard>/<key question>``, the range a key
    question's rate of yes is drawn from (uniformly). ``relevant``: the chance a case is relevant
    to a key question. ``judgements``: by ``default`` or standard id, relative weights of the
    ratings a judged standard gets (empty: every rating equally likely). ``strengths``: by
    ``default`` or standard id, the chance inspectors record a strength.
    """

    yes: Mapping[str, tuple[float, float]] = attrs.field(factory=lambda: {DEFAULT: (0.35, 0.95)})
    relevant: float = 0.9
    judgements: Mapping[str, Mapping[str, float]] = attrs.field(factory=dict)
    strengths: Mapping[str, float] = attrs.field(factory=lambda: {DEFAULT: 0.5})


@attrs.frozen
class RatesFile:
    """A rates file as written: any section left out keeps its default."""

    yes: dict[str, tuple[float, float]] | None = None
    relevant: float | None = None
    judgements: dict[str, dict[str, float]] | None = None
    strengths: dict[str, float] | None = None


@attrs.frozen
class Template:
    """What each simulated inspection holds: standards, their kind, and their key questions.

    Built from every methodology a comparison rates under, so an inspection carries each key
    question either side asks about; each side then reads the part it knows.
    """

    standards: tuple[tuple[str, str, tuple[str, ...]], ...]
    ratings: tuple[str, ...]
    methodology: str | None

    @classmethod
    def of(cls, methodologies: Sequence[Methodology]) -> Template:
        order: list[str] = []
        kinds: dict[str, str] = {}
        questions: dict[str, list[str]] = {}
        for m in methodologies:
            for s in m.standards:
                if s.id not in kinds:
                    order.append(s.id)
                    kinds[s.id] = s.kind
                    questions[s.id] = []
                questions[s.id] += [q.id for q in s.key_questions if q.id not in questions[s.id]]
        first = methodologies[0]
        named = first.id if first.id in bundled_ids() else None
        return cls(tuple((sid, kinds[sid], tuple(questions[sid])) for sid in order), first.scale.ratings, named)


def load_rates(path: str | os.PathLike[str] | None, m: Methodology) -> Rates:
    """Rates from a TOML or JSON file, checked against the methodology; the defaults without one."""
    if path is None:
        return Rates()
    file = os.fspath(path)
    text = read_text(file, "a rates file")
    repeated: list[Problem] = []
    if file.endswith(".json"):
        data, repeated = parse_json(text, file, "a rates file")
    else:
        data = parse_toml(text, file, "a rates file")
    given, problems = structure(data, RatesFile, file=file)
    if given is None or repeated:
        raise InspectionError([*repeated, *problems], file=file)
    defaults = Rates()
    rates = Rates(
        yes={**defaults.yes, **(given.yes or {})},
        relevant=defaults.relevant if given.relevant is None else given.relevant,
        judgements=given.judgements or {},
        strengths={**defaults.strengths, **(given.strengths or {})},
    )
    problems = [p.with_file(file) for p in _rates_problems(rates, m)]
    if problems:
        raise InspectionError(problems, file=file)
    return rates


def _rates_problems(rates: Rates, m: Methodology) -> Iterator[Problem]:
    case_ids = [s.id for s in m.standards if s.kind == "case"]
    judged_ids = [s.id for s in m.standards if s.kind == "judged"]
    questions = [f"{s.id}/{q.id}" for s in m.standards for q in s.key_questions]

    def chance(path: tuple[str | int, ...], value: float) -> Iterator[Problem]:
        if not 0 <= value <= 1:
            yield Problem(render_path(path), "must be a chance between 0 and 1", value)

    yield from chance(("relevant",), rates.relevant)
    for key, (low, high) in rates.yes.items():
        known = [DEFAULT, *case_ids, *questions]
        if key not in known:
            yield Problem(
                render_path(("yes", key)), f"must be {DEFAULT!r}, a case-based standard or <standard>/<key question> of {m.id}", key, did_you_mean(key, known)
            )
        yield from chance(("yes", key, 0), low)
        yield from chance(("yes", key, 1), high)
        if low > high:
            yield Problem(render_path(("yes", key)), "must be [low, high] with low at most high", [low, high])
    for key, weights in rates.judgements.items():
        if key not in (DEFAULT, *judged_ids):
            yield Problem(
                render_path(("judgements", key)), f"must be {DEFAULT!r} or a judged standard of {m.id}", key, did_you_mean(key, [DEFAULT, *judged_ids])
            )
        for rating, weight in weights.items():
            if rating not in m.scale.ratings:
                yield Problem(
                    render_path(("judgements", key, rating)), f"must be a rating ({', '.join(m.scale.ratings)})", rating, did_you_mean(rating, m.scale.ratings)
                )
            if weight < 0:
                yield Problem(render_path(("judgements", key, rating)), "must not be negative", weight)
        if not any(w > 0 for w in weights.values()):
            yield Problem(render_path(("judgements", key)), "must give some rating a positive weight", dict(weights))
    for key, value in rates.strengths.items():
        if key not in (DEFAULT, *judged_ids):
            yield Problem(
                render_path(("strengths", key)), f"must be {DEFAULT!r} or a judged standard of {m.id}", key, did_you_mean(key, [DEFAULT, *judged_ids])
            )
        yield from chance(("strengths", key), value)


@attrs.frozen
class Simulation:
    """A population: ``count`` inspections of ``cases`` cases each, drawn from ``rates`` with ``seed``.

    Picklable and cheap to send to a worker process, which draws its own share of the population.
    """

    template: Template
    count: int
    seed: int
    cases: int = 20
    rates: Rates = attrs.field(factory=Rates)

    def inspection(self, i: int) -> dict[str, Any]:
        """Inspection ``i`` of the population, the same whoever draws it."""
        rng = random.Random(f"{self.seed}:{i}")
        standards: dict[str, Any] = {}
        for sid, kind, questions in self.template.standards:
            if kind == "case":
                standards[sid] = {"key_questions": {q: self._key_question(rng, sid, q) for q in questions}}
            else:
                weights = self._weights(sid)
                judgement = rng.choices(self.template.ratings, weights=weights)[0]
                strengths = ["simulated strength"] if rng.random() < self.rates.strengths.get(sid, self.rates.strengths.get(DEFAULT, 0.0)) else []
                standards[sid] = {"judgement": judgement, "strengths": strengths}
        doc: dict[str, Any] = {"id": f"sim-{self.seed}-{i + 1:0{len(str(self.count))}d}", "unit": f"Simulated unit {i + 1}"}
        if self.template.methodology is not None:
            doc["methodology"] = self.template.methodology
        doc["standards"] = standards
        return doc

    def inspections(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        for i in range(start, self.count if stop is None else stop):
            yield self.inspection(i)

    def _key_question(self, rng: random.Random, sid: str, q: str) -> dict[str, int]:
        yes_rates = self.rates.yes
        low, high = yes_rates.get(f"{sid}/{q}") or yes_rates.get(sid) or yes_rates[DEFAULT]
        rate = rng.uniform(low, high)
        relevant = yes = 0
        for _ in range(self.cases):
            if rng.random() < self.rates.relevant:
                relevant += 1
                yes += rng.random() < rate
        if relevant == 0:
            relevant, yes = 1, int(rng.random() < rate)
        return {"yes": yes, "relevant": relevant}

    def _weights(self, sid: str) -> list[float]:
        given = self.rates.judgements.get(sid) or self.rates.judgements.get(DEFAULT)
        if not given:
            return [1.0] * len(self.template.ratings)
        return [given.get(r, 0.0) for r in self.template.ratings]

    def assumptions(self) -> list[str]:
        """The population's assumptions, in words, to print with it."""
        r = self.rates
        lines = [
            f"{counted(self.count, 'simulated inspection')}, seed {self.seed}, {counted(self.cases, 'case')} each;"
            " inspection i is drawn by its own generator, seeded (seed, i)",
            f"each case is relevant to a key question with chance {r.relevant:g}; a key question with no relevant case gets one",
        ]

        def every(section: Mapping[str, Any], what: str) -> str:
            return f"every {what}" if len(section) == 1 else f"every {what} not named on a line of its own"

        for key, (low, high) in r.yes.items():
            where = every(r.yes, "key question") if key == DEFAULT else key
            lines.append(f"{where}: rate of yes drawn uniformly from {low:g} to {high:g} per inspection")
        if r.judgements:
            for key, weights in r.judgements.items():
                total = sum(weights.values())
                shares = ", ".join(f"{rating} {w / total:.0%}" for rating, w in weights.items() if w)
                lines.append(f"judged ratings ({every(r.judgements, 'judged standard') if key == DEFAULT else key}): {shares}")
        else:
            lines.append(f"judged ratings: each of the {len(self.template.ratings)} ratings equally likely")
        for key, value in r.strengths.items():
            lines.append(f"{every(r.strengths, 'judged standard') if key == DEFAULT else key}: one strength recorded with chance {value:g}")
        lines.append("key questions are independent of each other and of the judgements; an assumption for exploring rules, not an estimate")
        return lines


def simulation(
    methodologies: Sequence[Methodology | str | os.PathLike[str]] | Methodology | str | os.PathLike[str],
    count: int,
    seed: int,
    cases: int = 20,
    rates: Rates | None = None,
) -> Simulation:
    """A population over every standard and key question of the methodologies, checked first.

    ``methodologies`` may be loaded methodologies, bundled ids or files, or one of them alone.
    Options out of range are a :class:`~probation_rules.errors.UsageError`, as on the command line.
    """
    if isinstance(methodologies, Methodology | str | os.PathLike):
        methodologies = [methodologies]
    problems = []
    for name, value, least in (("count", count, 0), ("seed", seed, None), ("cases", cases, 1)):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(Problem(name, "must be a whole number", value))
        elif least is not None and value < least:
            problems.append(Problem(name, "must not be negative" if least == 0 else f"must be at least {least}", value))
    if not methodologies:
        problems.append(Problem("methodologies", "must name at least one methodology"))
    if problems:
        raise UsageError(problems)
    loaded = [load_methodology(m) for m in methodologies]
    return Simulation(Template.of(loaded), count, seed, cases, rates or Rates())
