"""How firm a rating is: flip distances and sampling uncertainty. Analysis, never a rating.

Ratings rest on about 20 sampled cases, and a case-based standard takes the lowest of its key
questions, so one case judged differently can move a standard and the score band with it. This
package says how far each rating stands from changing (exact, no statistics) and how likely it
would be to differ on another sample of the same size (exact binomial arithmetic under a stated
model). Every rating it reports comes from :func:`probation_rules.rate`::

    from probation_rules.robustness import analyse
    report = analyse("examples/york-pdu-2024.json", cases=20)   # York gives percentages only
    report.standard("P2.2").up.judgements                       # 3
    report.to_dict()["kind"]                                    # 'analysis'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from probation_rules import rate
from probation_rules.errors import Problem, UsageError
from probation_rules.inspection import Inspection, load_inspection
from probation_rules.methodology.schema import Methodology
from probation_rules.robustness.flips import (
    Change,
    Flip,
    JudgementStep,
    OverallFlip,
    StandardMove,
    guided_flips,
    judgement_steps,
    key_question_flips,
    overall_flips,
    standard_flips,
)
from probation_rules.robustness.intervals import Interval, clopper_pearson, wilson
from probation_rules.robustness.model import EXACT_LIMIT, GuidedOutcome, RobustnessError, Unit, build_unit
from probation_rules.robustness.report import (
    ANALYSIS_VERSION,
    NOTICE,
    KeyQuestionAnalysis,
    OverallAnalysis,
    RobustnessReport,
    StandardAnalysis,
)
from probation_rules.robustness.sampling import (
    Distribution,
    LowestEffect,
    Simulation,
    check_draws,
    lowest_effect,
    overall_distribution,
    simulate,
    standard_distribution,
)

__all__ = [
    "ANALYSIS_VERSION",
    "NOTICE",
    "Change",
    "Distribution",
    "Flip",
    "GuidedOutcome",
    "Interval",
    "JudgementStep",
    "KeyQuestionAnalysis",
    "LowestEffect",
    "OverallAnalysis",
    "OverallFlip",
    "RobustnessError",
    "RobustnessReport",
    "Simulation",
    "StandardAnalysis",
    "StandardMove",
    "analyse",
    "clopper_pearson",
    "lowest_effect",
    "wilson",
]


def analyse(
    inspection: str | os.PathLike[str] | Mapping[str, Any] | Inspection,
    methodology: str | os.PathLike[str] | Methodology | None = None,
    *,
    level: float = 0.95,
    cases: int | None = None,
    simulate_draws: int | None = None,
    seed: int = 0,
) -> RobustnessReport:
    """Analyse how firm an inspection's ratings are.

    ``cases`` assumes that many relevant cases for key questions given as percentages only (the
    report says so); ``simulate_draws`` adds a seeded simulation of the same model as a check.
    """
    if not 0 < level < 1:
        raise UsageError(Problem("level", "must be a confidence level strictly between 0 and 1, such as 0.95", level))
    if simulate_draws is not None:
        check_draws(simulate_draws)
    result = rate(inspection, methodology)
    assert result.rated_under is not None  # rate always records the methodology it used
    m = result.rated_under
    unit = build_unit(load_inspection(inspection, check_values=False), m, result, cases)
    largest = max((q.relevant for sid in unit.varying for q in unit.questions[sid]), default=0)
    exact = largest <= EXACT_LIMIT
    notes = unit.notes
    can_simulate = bool(unit.varying) and unit.overall_ok
    if not exact:
        instead = (
            "the seeded simulation below stands in for them" if simulate_draws is not None and can_simulate else "run with --simulate DRAWS to estimate them"
        )
        notes += (f"Exact sampling figures are withheld above {EXACT_LIMIT} relevant cases per key question (here {largest}): {instead}.",)
    if simulate_draws is not None and not can_simulate:
        why = "no standard's key questions have counts" if not unit.varying else "the overall rating is not reproduced by the model"
        notes += (f"--simulate: nothing simulated, because {why}.",)
    overall, guided = _overall(unit, exact)
    standards = tuple(_standard(unit, s.id, level, guided.get(s.id), exact) for s in m.standards)
    sim = simulate(unit, simulate_draws, seed) if simulate_draws is not None and can_simulate else None
    assumed = cases if any(q.assumed for qs in unit.questions.values() for q in qs) else None
    return RobustnessReport(result.inspection, result.methodology, m.scale.ratings, level, assumed, standards, overall, notes, sim)


def _standard(unit: Unit, standard_id: str, level: float, guided: Distribution | None, exact: bool) -> StandardAnalysis:
    m = unit.m
    s = m.standard(standard_id)
    rated = unit.result.standards.get(standard_id)
    rating = None if rated is None else rated.rating
    if s.kind != "case":
        tables = [g for g in m.guidance if g.target == s.id]
        if not tables:
            return StandardAnalysis(s.id, s.name, s.kind, rating, "judged", sampling=guided)
        reads = {i.id for g in tables for i in m.informing_standards(g)}
        informed_by = tuple(sid for sid in unit.informing if sid in reads)
        if rating is None or not informed_by or not unit.overall_ok:
            return StandardAnalysis(s.id, s.name, s.kind, rating, "guided", sampling=guided)
        up, down, outcomes = guided_flips(unit, s.id)
        return StandardAnalysis(s.id, s.name, s.kind, rating, "guided", (), up, down, guided, informed_by, outcomes)
    counted = {q.id: q for q in unit.questions.get(s.id, ())}
    kqs = []
    for kq in s.key_questions:
        given = rated.key_questions.get(kq.id) if rated is not None else None
        percent = given.percent if given is not None else 0.0
        band = given.band if given is not None else None
        q = counted.get(kq.id)
        if q is None:
            kqs.append(KeyQuestionAnalysis(kq.id, kq.label, percent, band))
            continue
        up, down = key_question_flips(q, m.scale.ratings)
        intervals = (wilson(q.yes, q.relevant, level), clopper_pearson(q.yes, q.relevant, level))
        kqs.append(KeyQuestionAnalysis(kq.id, kq.label, float(q.percent), band, q.yes, q.relevant, q.assumed, up, down, intervals))
    if standard_id in unit.varying:
        up, down = standard_flips(unit, standard_id)
        sampling = standard_distribution(unit, standard_id) if exact else None
        return StandardAnalysis(s.id, s.name, s.kind, rating, "counts", tuple(kqs), up, down, sampling)
    if rating is None:
        basis = "not rated"
    elif len(counted) < len(s.key_questions):
        basis = "percentages"
    else:
        basis = "withheld"
    return StandardAnalysis(s.id, s.name, s.kind, rating, basis, tuple(kqs))


def _overall(unit: Unit, exact: bool) -> tuple[OverallAnalysis, dict[str, Distribution]]:
    r = unit.result
    if not unit.overall_ok:
        return OverallAnalysis(r.overall, r.score, r.max_score, False), {}
    held = tuple(s.id for s in unit.m.standards if s.kind == "case" and s.id not in unit.varying and r.standards[s.id].rating is not None)
    steps = judgement_steps(unit)
    if not unit.varying:
        return OverallAnalysis(r.overall, r.score, r.max_score, True, (), held, judgement_steps=steps), {}
    up, down = overall_flips(unit)
    distribution, guided = overall_distribution(unit) if exact else (None, {})
    return OverallAnalysis(r.overall, r.score, r.max_score, True, unit.varying, held, up, down, steps, distribution), guided
