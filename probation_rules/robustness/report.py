"""The robustness report: figures about ratings, kept apart from the ratings themselves.

Its JSON form is a versioned contract like the rating result's, but of another kind: it always
carries ``"kind": "analysis"`` so that no tool can mistake a probability or a flip distance for a
rating. ``analysis_version`` changes when a field changes meaning or disappears.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from probation_rules.percent import counted
from probation_rules.result import InspectionRef, MethodologyRef
from probation_rules.robustness.flips import Change, Flip, JudgementStep, OverallFlip
from probation_rules.robustness.intervals import Interval
from probation_rules.robustness.model import GuidedOutcome
from probation_rules.robustness.sampling import Distribution, Estimate, LowestEffect, Simulation

__all__ = [
    "ANALYSIS_VERSION",
    "NOTICE",
    "KeyQuestionAnalysis",
    "OverallAnalysis",
    "RobustnessReport",
    "StandardAnalysis",
    "lowest_effect_dict",
]

ANALYSIS_VERSION = "2"
"""2: a guided standard has flip distances (``up``, ``down``, ``fewest_judgements``; null before),
``informed_by``, ``holds`` and ``outcomes``; every flip carries ``moves``."""
NOTICE = "Analysis, not a rating"

MODEL = (
    "Flip distances are exact minima: a case judgement is one relevant case's yes/no answer to one key question, turned over among the same relevant cases.",
    "Sampling figures use a plug-in binomial model: on a new sample of the same size, each key question's yes count is "
    "Binomial(relevant cases, observed rate), independently of every other key question; the observed rate stands in for the unknown true rate.",
    "Independence is an assumption, and it is known which way it leans: answers from the same case tend to go together "
    "(positively correlated), which makes a standard's key questions fall below a band together more often and one at a "
    "time less often. So the model overstates how often 'lowest drives' pulls a standard below a band, understates how often "
    "every key question rises together; under perfect correlation the lowest of several key questions at one rate behaves like "
    "one key question alone. Correlation across standards would spread the overall score more widely than the model does.",
    "Judged standards, the inspectors' judgements and their recorded strengths are held as inspected; the engine re-applies "
    "the methodology's guidance (and any override) to each sampled profile of case-based ratings.",
    "Probabilities are computed exactly (fractions, then an exact convolution over standards); a rate of 0% or 100% "
    "has no sampling variation under this model, though its interval is wide.",
)


@attrs.frozen
class KeyQuestionAnalysis:
    id: str
    label: str
    percent: float
    band: str | None
    yes: int | None = None
    relevant: int | None = None
    assumed: bool = False
    up: Flip | None = None
    down: Flip | None = None
    intervals: tuple[Interval, ...] = ()


@attrs.frozen
class StandardAnalysis:
    """One standard. ``basis`` says what the analysis could do with it, and why not when it could not."""

    id: str
    name: str
    kind: str
    rating: str | None
    basis: str
    key_questions: tuple[KeyQuestionAnalysis, ...] = ()
    up: Flip | None = None
    down: Flip | None = None
    sampling: Distribution | None = None
    informed_by: tuple[str, ...] = ()
    """For a guided standard: the case-based standards, varied by the flip search, whose ratings its guidance reads.

    Empty when no flip distances were computed for it (none of them has counts, or the model does
    not reproduce the overall rating)."""
    outcomes: tuple[GuidedOutcome, ...] = ()
    """For a guided standard: each distinct way the engine rated it over the profiles searched."""

    @property
    def fewest(self) -> int | None:
        """The fewest case judgements that change the rating either way."""
        found = [f.judgements for f in (self.up, self.down) if f is not None]
        return min(found) if found else None

    @property
    def holds(self) -> str | None:
        """For a guided standard that no case judgements move either way: why, plainly; None otherwise."""
        if not self.informed_by or self.up is not None or self.down is not None:
            return None
        ways = "; ".join(_outcome(o) for o in self.outcomes)
        return f"no case judgements change it: whatever ratings {_join(self.informed_by)} take, the engine rates it {self.rating} ({ways})"

    def held(self, direction: str, scale: tuple[str, ...]) -> str | None:
        """For a guided standard that no case judgements move ``direction`` ('up' or 'down'), though the scale goes on: why."""
        flip = self.up if direction == "up" else self.down
        end = scale[-1] if direction == "up" else scale[0]
        if not self.informed_by or flip is not None or self.rating in (None, end):
            return None
        ways = "; ".join(_outcome(o) for o in self.outcomes if o.rating == self.rating)
        verb, bound = ("raise", "lower") if direction == "up" else ("lower", "higher")
        return f"no case judgements {verb} it: whatever ratings {_join(self.informed_by)} take, the engine rates it {self.rating} or {bound} ({ways})"


def _join(ids: tuple[str, ...]) -> str:
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def _outcome(o: GuidedOutcome) -> str:
    """One way the engine rated a guided standard, as the trace gives it: indication, departure, judgement."""
    if o.indicated is None:
        return f"where no guidance row applies, the inspectors' judgement ({o.judgement}) stands"
    where = f"where the guidance indicates {o.indicated}"
    if o.departure is not None:
        strengths = counted(o.strengths, "recorded strength")
        if o.capped:
            return f"{where}, {o.departure} departs from it on {strengths} as far as it allows, to {o.rating} (judged {o.judgement})"
        return f"{where}, {o.departure} lets the inspectors' judgement ({o.judgement}) stand on {strengths}"
    if o.rating == o.judgement:
        return f"{where}, the inspectors' judgement ({o.judgement}) stands"
    return f"{where}, it is rated {o.rating} (judged {o.judgement or 'nothing'})"


BASES = {
    "counts": "key questions with counts: flip distances and sampling figures computed",
    "percentages": "key questions given as percentages only: held fixed (figures need counts)",
    "judged": "the inspectors' judgement: not moved by case judgements",
    "guided": "guidance from case-based standards: re-rated by the engine on every profile",
    "not rated": "not rated: left out",
    "withheld": "the band tables do not reproduce the engine's rating: figures withheld",
}


@attrs.frozen
class OverallAnalysis:
    """The overall rating's figures. Case-judgement figures vary only the ``counted`` standards.

    ``available`` is False when the band tables and the engine's per-profile answers do not
    reproduce the observed overall rating; no overall figure is then given.
    """

    rating: str
    score: int
    max_score: int
    available: bool
    counted: tuple[str, ...] = ()
    held_fixed: tuple[str, ...] = ()
    """Case-based standards held as inspected because their key questions lack counts."""
    up: OverallFlip | None = None
    down: OverallFlip | None = None
    judgement_steps: tuple[JudgementStep, ...] = ()
    sampling: Distribution | None = None


@attrs.frozen
class RobustnessReport:
    inspection: InspectionRef
    methodology: MethodologyRef
    scale: tuple[str, ...]
    level: float
    assumed_cases: int | None
    """The ``--cases N`` that some counts were assumed from; None when every count was given (whatever ``--cases`` said)."""
    standards: tuple[StandardAnalysis, ...]
    overall: OverallAnalysis
    notes: tuple[str, ...]
    simulation: Simulation | None = None
    model: tuple[str, ...] = MODEL

    def standard(self, standard_id: str) -> StandardAnalysis:
        return next(s for s in self.standards if s.id == standard_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON: probabilities as floats, percentages in percent, intervals as ``low_percent``/``high_percent``."""
        return {
            "kind": "analysis",
            "analysis_version": ANALYSIS_VERSION,
            "notice": f"{NOTICE}: how firm the ratings are. The ratings come from the rating result; nothing here changes them.",
            "inspection": _plain(attrs.asdict(self.inspection)),
            "methodology": attrs.asdict(self.methodology),
            "scale": list(self.scale),
            "level": self.level,
            "assumed_cases": self.assumed_cases,
            "model": list(self.model),
            "notes": list(self.notes),
            "overall": _overall(self.overall),
            "standards": [_standard(s, self.scale) for s in self.standards],
            "simulation": None if self.simulation is None else _simulation(self.simulation),
        }


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def distribution_dict(d: Distribution) -> dict[str, Any]:
    return {
        "observed": d.observed,
        "differs": float(d.differs),
        "probabilities": {r: float(p) for r, p in zip(d.ratings, d.probabilities, strict=True)},
    }


def _change(c: Change) -> dict[str, Any]:
    return {"standard": c.standard, "key_question": c.key_question, "yes": c.yes, "to_yes": c.to_yes, "relevant": c.relevant}


def _flip(f: Flip | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"judgements": f.judgements, "rating": f.rating, "changes": [_change(c) for c in f.changes], "moves": [attrs.asdict(m) for m in f.moves]}


def _interval(i: Interval) -> dict[str, Any]:
    return {"method": i.method, "level": i.level, "low_percent": 100 * i.low, "high_percent": 100 * i.high}


def _standard(s: StandardAnalysis, scale: tuple[str, ...]) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "kind": s.kind,
        "rating": s.rating,
        "basis": s.basis,
        "fewest_judgements": s.fewest,
        "up": _flip(s.up),
        "down": _flip(s.down),
        "sampling": None if s.sampling is None else distribution_dict(s.sampling),
        "informed_by": list(s.informed_by),
        "holds": s.holds,
        "held": {d: s.held(d, scale) for d in ("up", "down")} if s.informed_by else None,
        "outcomes": [attrs.asdict(o) for o in s.outcomes],
        "key_questions": [
            {
                "id": q.id,
                "label": q.label,
                "percent": q.percent,
                "band": q.band,
                "yes": q.yes,
                "relevant": q.relevant,
                "assumed": q.assumed,
                "up": _flip(q.up),
                "down": _flip(q.down),
                "intervals": [_interval(i) for i in q.intervals],
            }
            for q in s.key_questions
        ],
    }


def _overall_flip(f: OverallFlip | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {
        "judgements": f.judgements,
        "rating": f.rating,
        "score": f.score,
        "moves": [attrs.asdict(m) for m in f.moves],
        "changes": [_change(c) for c in f.changes],
        "guided": {sid: {"rating": before, "to_rating": after} for sid, (before, after) in f.guided.items()},
    }


def _overall(o: OverallAnalysis) -> dict[str, Any]:
    return {
        "rating": o.rating,
        "score": o.score,
        "max_score": o.max_score,
        "available": o.available,
        "counted": list(o.counted),
        "held_fixed": list(o.held_fixed),
        "up": _overall_flip(o.up),
        "down": _overall_flip(o.down),
        "judgement_steps": [attrs.asdict(step) for step in o.judgement_steps],
        "sampling": None if o.sampling is None else distribution_dict(o.sampling),
    }


def _estimate(e: Estimate) -> dict[str, Any]:
    interval = e.interval
    return {"probability": e.probability, "hits": e.hits, "standard_error": e.standard_error, "low": interval.low, "high": interval.high}


def _simulation(sim: Simulation) -> dict[str, Any]:
    return {
        "draws": sim.draws,
        "seed": sim.seed,
        "level": sim.level,
        "error": "each probability is hits/draws, with its standard error sqrt(p(1-p)/draws) and a Clopper-Pearson interval [low, high] at level",
        "overall_differs": _estimate(sim.overall_differs),
        "overall": {r: _estimate(e) for r, e in zip(sim.ratings, sim.overall, strict=True)},
        "standards": {
            sid: {"differs": _estimate(sim.standards_differ[sid]), "probabilities": {r: _estimate(e) for r, e in zip(sim.ratings, es, strict=True)}}
            for sid, es in sim.standards.items()
        },
    }


def lowest_effect_dict(effect: LowestEffect, methodology: MethodologyRef) -> dict[str, Any]:
    return {
        "kind": "analysis",
        "analysis_version": ANALYSIS_VERSION,
        "notice": f"{NOTICE}: the distribution of a case-based standard's rating at given true rates, under 'lowest drives'.",
        "methodology": attrs.asdict(methodology),
        "rates_percent": list(effect.rates),
        "relevant": list(effect.relevant),
        "at_true_rates": effect.at_true_rates,
        "typical": effect.typical,
        "below_true": float(effect.below_true),
        "below_typical": float(effect.below_typical),
        "distribution": distribution_dict(effect.distribution),
        "alone": [distribution_dict(d) for d in effect.alone],
    }
