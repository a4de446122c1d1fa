"""Rate one inspection: assert its facts stage by stage and read off the rules that fired.

The stages follow the methodology's dependencies: key questions and standards (a case-based
standard is one fact, on which its key questions' bands and its rating and driver are decided;
the standards left unrated); the guidance tables, which read those ratings; the guided standards
(base rule or its exception); points (or, for a standard rated but not scored, its own rule);
the score and the overall band of the points' sum, on one fact. Each stage is one batch of facts
in the inspection's own durable-rules session. This module turns firings into results and trace
entries; what each rule decides (a rating, a driver, points, the score, a capped rating) is
fixed by the compiler's :class:`~probation_rules.engine.compiler.Decision`, and every trace
entry names the compiled rule that fired. Facts carry observed values only: percentages,
judgements, indications, strengths, ratings and the points the rules gave.

An unrated standard is asserted too, so that the methodology's ``not_rated`` rule fires and the
trace carries it; it then takes no part in guidance, and adds to the score and to the maximum
the 0 its rule gives (a rated standard's points rule gives its points and the best points on
the table); the overall fact carries both, and the compiled, rescaled band rules are guarded on
the sum of the shares of the maximum, as the score is the sum of the points.

Speed (a comparison rates hundreds of thousands): what every rating reads is worked out once per
compiled methodology (:class:`_Plan`), and what a key-question value becomes (exact and banded
percentage, millionths, margins) once per value (:class:`_Observed`); the bands themselves are
still placed by the rules that fire, every time. An inspection that rates every standard is
rated in the methodology's smaller ruleset, without the rules only an unrated standard needs
(see :class:`~probation_rules.engine.compiler.CompiledMethodology`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from probation_rules.engine.compiler import CompiledMethodology, Decision, DecisionKind, Slot, below_micro, compiled, position_fields
from probation_rules.engine.durable_host import EXACT, Session, UnmatchedFacts
from probation_rules.errors import EngineError, InspectionError, Problem, RuleConflictError
from probation_rules.inspection import Counts, Inspection, JudgedEvidence, KeyQuestionValue, NotRated, observed_key_questions
from probation_rules.margins import Standing, lowest_next_band, next_band_for_score
from probation_rules.methodology.schema import BandTable, KeyQuestion, Methodology, Rounding, Standard
from probation_rules.percent import as_fraction, banded, micro
from probation_rules.result import Departure, InspectionRef, KeyQuestionResult, MethodologyRef, NextBand, RatingResult, StandardResult
from probation_rules.trace import Trace, TraceEntry

__all__ = ["evaluate", "rate_score"]

_TABLE_OF_KIND = {
    "kq": "key_question_bands",
    "case": "key_question_bands",
    "unrated": "not_rated",
    "points": "points.rows",
    "score": "score",
    "overall": "overall_bands",
}

Fact = dict[str, Any]
_KQ: DecisionKind = "kq"
_CASE: Slot = ("case", None)
_UNRATED: tuple[Slot, ...] = (("unrated", None),)
_JUDGED: tuple[Slot, ...] = (("judged", None),)
_GUIDED: tuple[Slot, ...] = (("guided", None),)
_POINTS: tuple[Slot, ...] = (("points", None),)
_OVERALL: tuple[Slot, ...] = (("score", None), ("overall", None))
_BAND: tuple[Slot, ...] = (("overall", None),)

_OBSERVED_LIMIT = 4096
"""Distinct key-question values kept per methodology; past it the store starts afresh, so memory stays bounded."""


class _Observed:
    """A key question's observed value as the rules see it: exact and banded percentage, millionths.

    Worked out once per value and methodology: a population repeats the same few hundred counts.
    Nothing here decides a band or a driver; the rules do, on ``micro`` and ``below``.
    """

    __slots__ = ("banded", "banded_percent", "below", "counts", "exact", "inputs", "micro", "percent", "rounding", "standing")

    def __init__(self, value: KeyQuestionValue, rounding: Rounding):
        counts = value if isinstance(value, Counts) else None
        exact = value.ratio if isinstance(value, Counts) else as_fraction(value)
        scored = banded(exact, rounding)
        self.exact, self.banded, self.counts, self.rounding = exact, scored, counts, rounding
        self.percent, self.banded_percent = float(exact), float(scored)
        self.micro = micro(scored)
        if not -EXACT <= self.micro <= EXACT:  # the one number in a fact not bounded by the methodology itself
            raise EngineError(Problem("", "a percentage beyond what the engine can compare exactly (+/-2**53 millionths)", self.percent))
        self.below = below_micro(scored)  # with micro, for the rules that find the lowest key question
        self.inputs: dict[str, Any] = {"percent": self.percent, "banded_percent": self.banded_percent, "rounding": rounding}
        if counts is not None:
            self.inputs.update(yes=counts.yes, relevant=counts.relevant)
        self.standing: Standing | None = None

    def placed(self, table: BandTable) -> Standing:
        """The value against the key-question band table, for the margins."""
        if self.standing is None:
            self.standing = Standing(table, self.banded, self.counts, self.rounding)
        return self.standing


class _Plan:
    """What every rating under one methodology reads, worked out once per compiled methodology.

    It holds parts of the methodology, never the methodology itself (the compiled form must not
    keep it alive; see :class:`~probation_rules.engine.compiler.CompiledMethodology`).
    """

    def __init__(self, m: Methodology, program: CompiledMethodology):
        self.labels = m.scale.ratings
        self.rank = {rating: i for i, rating in enumerate(m.scale.ratings)}
        self.targets = {g.target for g in m.guidance}
        self.informing = {g.id: m.informing_standards(g) for g in m.guidance}
        self.target_of = {g.id: m.standard(g.target) for g in m.guidance}
        self.scored = tuple(s for s in m.standards if s.scored)
        self.max_score = m.max_score
        self.rounding = m.key_question_score.rounding
        self.kq_table = m.key_question_bands
        self.questions = {s.id: tuple((q, f"{s.id}/{q.id}", *position_fields(i)) for i, q in enumerate(s.key_questions)) for s in m.standards}
        self.case_needs: dict[str, tuple[Slot, ...]] = {s.id: (*((_KQ, i) for i in range(len(s.key_questions))), _CASE) for s in m.standards}
        self.score_fields = program.score_fields
        self.share_fields = program.share_fields
        self.keys = {kind: {s.id: f"{kind} {s.id}" for s in m.standards} for kind in ("case", "judged", "unrated", "points")}
        self.guidance_keys = {g.id: (f"guidance {g.id}", f"guided {g.id}") for g in m.guidance}
        self.observed: dict[Any, _Observed] = {}
        self.overall: dict[int, tuple[BandTable, dict[str, int]]] = {}

    def observe(self, value: KeyQuestionValue) -> _Observed:
        key: Any = (value.yes, value.relevant) if isinstance(value, Counts) else value
        found = self.observed.get(key)
        if found is None:
            found = _Observed(value, self.rounding)
            if len(self.observed) >= _OBSERVED_LIMIT:
                self.observed.clear()
            self.observed[key] = found
        return found

    def overall_table(self, m: Methodology, max_score: int) -> tuple[BandTable, dict[str, int]]:
        """The overall bands for a maximum score, and their rescaled bounds by rating (for the trace)."""
        found = self.overall.get(max_score)
        if found is None:
            table = m.overall_bands_for(max_score)
            found = self.overall[max_score] = (table, {b.rating: int(b.at_least) for b in table.ordered()})
        return found


def _plan(program: CompiledMethodology, methodology: Methodology) -> _Plan:
    plan = program.memo.get("rater")
    if plan is None:
        plan = program.memo["rater"] = _Plan(methodology, program)
    assert isinstance(plan, _Plan)
    return plan


def evaluate(inspection: Inspection, methodology: Methodology, *, margins: bool = True, selected_by: str | None = None) -> RatingResult:
    """Rate an inspection already validated against ``methodology``.

    ``margins=False`` leaves out the distances to the next band (``next_band`` is None): they
    explain a single rating, and a comparison of thousands does not read them. ``selected_by``
    is recorded in the result's methodology reference (see :class:`~probation_rules.result.MethodologyRef`).
    """
    program = compiled(methodology)
    every_standard_rated = not any(isinstance(e, NotRated) for e in inspection.standards.values())
    with (program.rated_engine if every_standard_rated else program.engine).session() as session:
        return _Evaluation(program, methodology, inspection, session, margins).run(selected_by)


class _Evaluation:
    def __init__(self, program: CompiledMethodology, methodology: Methodology, inspection: Inspection, session: Session, margins: bool):
        self.margins = margins
        self.plan = _plan(program, methodology)
        self.m = methodology
        self.inspection = inspection
        self.session = session
        self.rules = program.rules
        self.decisions = program.decisions
        self.labels = self.plan.labels
        self.entries: list[TraceEntry] = []
        self.rank: dict[str, int] = {}
        self.step_of: dict[str, int] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.observed: dict[str, list[tuple[KeyQuestion, str, _Observed]]] = {}
        """Each case-based standard's key questions as observed: (question, trace subject, value)."""
        self.adds: dict[str, int] = {}
        """What each standard adds to the score, as its points rule (or the not_rated rule) decided."""
        self.shares: dict[str, int] = {}
        """What each scored standard adds to the maximum score, as its points rule (or the not_rated rule) decided."""
        self.unrated = {sid: e.not_rated for sid, e in inspection.standards.items() if isinstance(e, NotRated)}
        self.guidance = [g for g in self.m.guidance if g.target not in self.unrated]

    def run(self, selected_by: str | None = None) -> RatingResult:
        m = self.m
        self.evidence_stage()
        if self.guidance:
            indications = self.guidance_stage()
            self.guided_stage(indications)
        points_steps = self.points_stage()
        score, max_score, overall_rating, overall_rule, overall_next = self.overall_stage(points_steps)
        standards = {s.id: StandardResult(**self.results[s.id]) for s in m.standards}
        return RatingResult(
            inspection=InspectionRef(self.inspection.id, self.inspection.unit, self.inspection.region, self.inspection.fieldwork_start, self.inspection.source),
            methodology=MethodologyRef(m.id, m.version, m.title, m.sha256, m.source, selected_by),
            standards=standards,
            score=score,
            max_score=max_score,
            overall=overall_rating,
            overall_rule=overall_rule,
            trace=Trace(tuple(self.entries)),
            overall_next_band=overall_next,
            full_max_score=self.plan.max_score,
            rated_under=m,
        )

    # -- plumbing -------------------------------------------------------------------------

    def fire(self, facts: Sequence[Fact], needs: Sequence[Sequence[Slot]]) -> dict[str, list[tuple[str, Decision]]]:
        """Assert facts; return each fact's firings (engine rule, decision) by key, refusing gaps and conflicts.

        ``needs`` gives, fact by fact, the slots some rule must decide (a case fact: each key
        question's band and the case rating); rules that decide one slot must agree.
        """
        try:
            # Whole numbers by construction: ranks, lengths, points (at most MAX_POINTS each),
            # millionths bounded in _Observed and below_micro's codes; so the host need not test each value.
            matched = self.session.matched(facts, check=False)
        except UnmatchedFacts as exc:
            raise RuleConflictError([self._gap(fact) for fact in exc.facts], file=self.m.source) from None
        decisions = self.decisions
        by_key: dict[str, list[tuple[str, Decision]]] = {}
        for fact, rules, need in zip(facts, matched, needs, strict=True):
            fired = by_key[fact["key"]] = [(rule, decisions[rule]) for rule in rules]
            _settle(fired, need, functools.partial(self._shown, fact), self.m.source)
        return by_key

    def _gap(self, fact: Mapping[str, Any]) -> Problem:
        return _gap(fact["kind"], self._shown(fact))

    def _shown(self, fact: Mapping[str, Any]) -> dict[str, Any]:
        """A fact as a problem message shows it: percentages and points, not the engine's encodings of them."""
        if fact.get("kind") == "case":
            return {"standard": fact["standard"], **{q.id: value.banded_percent for q, _, value in self.observed[fact["standard"]]}}
        if fact.get("kind") == "overall":
            scored = self.plan.score_fields
            return {"points": {sid: self.adds[sid] for sid in scored if sid not in self.unrated}, "max_score": sum(self.shares[sid] for sid in scored)}
        return {k: v for k, v in fact.items() if k != "key"}

    def record(self, engine_rule: str, rule: str, subject: str, inputs: dict[str, Any], outcome: dict[str, Any], because: Sequence[int] = ()) -> int:
        """Add a trace entry (``engine_rule``: the compiled rule that fired, or ""); ``inputs`` and ``outcome`` are the entry's own."""
        entries = self.entries
        step = len(entries) + 1
        info = self.rules[rule]
        entries.append(TraceEntry(step, rule, subject, inputs, outcome, tuple(because), info.citation, info.evidence, engine_rule))
        return step

    def base_result(self, standard: Standard, rank: int | None, rule: str, step: int, **extra: Any) -> None:
        """Record a standard's result; ``rank`` is None for a standard left unrated."""
        if rank is not None:
            self.rank[standard.id] = rank
        self.step_of[standard.id] = step
        self.results[standard.id] = {
            "id": standard.id,
            "name": standard.name,
            "domain": standard.domain,
            "kind": standard.kind,
            "rating": None if rank is None else self.labels[rank],
            "rule": rule,
            "scored": standard.scored,
            **extra,
        }

    # -- stages ---------------------------------------------------------------------------

    def evidence_stage(self) -> None:
        m, plan, unrated = self.m, self.plan, self.unrated
        keys = plan.keys
        facts: list[Fact] = []
        needs: list[Sequence[Slot]] = []
        observed = self.observed
        for s in m.standards:
            sid = s.id
            if sid in unrated:
                facts.append({"kind": "unrated", "key": keys["unrated"][sid], "standard": sid, "scored": int(s.scored)})
                needs.append(_UNRATED)
            elif s.kind == "case":
                values = observed_key_questions(self.inspection, sid)
                rows = observed[sid] = []
                case: Fact = {"kind": "case", "key": keys["case"][sid], "standard": sid, "n": len(plan.questions[sid])}
                for q, address, at, below in plan.questions[sid]:
                    value = plan.observe(values[q.id])
                    rows.append((q, address, value))
                    case[at], case[below] = value.micro, value.below
                facts.append(case)
                needs.append(plan.case_needs[sid])
            elif sid not in plan.targets:
                facts.append({"kind": "judged", "key": keys["judged"][sid], "standard": sid, "rating": plan.rank[self._judged(sid).judgement]})
                needs.append(_JUDGED)
        fired = self.fire(facts, needs)
        for s in m.standards:
            sid = s.id
            if sid in unrated:
                self._unrated_standard(s, fired[keys["unrated"][sid]][0])
            elif s.kind == "case":
                self._case_standard(s, observed[sid], fired[keys["case"][sid]])
            elif sid not in plan.targets:
                firing, decision = fired[keys["judged"][sid]][0]
                judgement = self._judged(sid).judgement
                step = self.record(firing, decision.rule, sid, {"judgement": judgement}, {"rating": judgement})
                self.base_result(s, plan.rank[judgement], decision.rule, step, judgement=judgement)

    def _unrated_standard(self, s: Standard, fired: tuple[str, Decision]) -> None:
        firing, decision = fired
        reason = self.unrated[s.id]
        assert decision.points is not None and decision.share is not None
        self.adds[s.id] = decision.points
        if s.scored:
            self.shares[s.id] = decision.share
        outcome: dict[str, Any] = {"rating": None}
        if s.scored:
            outcome["leaves_score_and_maximum"] = True
        step = self.record(firing, decision.rule, s.id, {"not_rated": reason}, outcome)
        self.base_result(s, None, decision.rule, step, not_rated=reason)

    def _judged(self, standard_id: str) -> JudgedEvidence:
        evidence = self.inspection.standards[standard_id]
        assert isinstance(evidence, JudgedEvidence)  # validate_against guarantees it
        return evidence

    def _case_standard(self, s: Standard, rows: Sequence[tuple[KeyQuestion, str, _Observed]], fired: Sequence[tuple[str, Decision]]) -> None:
        labels, table, margins = self.labels, self.plan.kq_table, self.margins
        by_slot = {d.slot: (f, d) for f, d in fired}  # fire() made sure every slot is decided, and alike
        kq_results: dict[str, KeyQuestionResult] = {}
        kq_steps = []
        for i, (q, address, value) in enumerate(rows):
            firing, decision = by_slot["kq", i]
            assert decision.rating is not None
            band = labels[decision.rating]
            nxt = value.placed(table).next_band() if margins else None
            outcome: dict[str, Any] = {"band": band}
            if nxt is not None:
                outcome["next_band"] = {"rating": nxt.rating, "short_by": nxt.short_by, "more_yes": nxt.more_yes}
            kq_steps.append(self.record(firing, decision.rule, address, dict(value.inputs), outcome))
            counts = value.counts
            kq_results[q.id] = KeyQuestionResult(
                q.id,
                q.label,
                value.percent,
                value.banded_percent,
                band,
                decision.rule,
                counts.yes if counts else None,
                counts.relevant if counts else None,
                nxt,
            )
        firing, decision = by_slot[_CASE]
        assert decision.rating is not None and decision.driver is not None
        driver = rows[decision.driver][0].id  # the rule that fired names the lowest key question's position
        rating = labels[decision.rating]
        step = self.record(
            firing,
            decision.rule,
            s.id,
            {q.id: value.banded_percent for q, _, value in rows},
            {"rating": rating, "driver": driver, "band": decision.via},
            kq_steps,
        )
        nxt = lowest_next_band([value.placed(table) for *_, value in rows]) if margins else None
        self.base_result(s, decision.rating, decision.rule, step, driver=driver, key_questions=kq_results, next_band=nxt)

    def guidance_stage(self) -> dict[str, tuple[int | None, int]]:
        plan, unrated = self.plan, self.unrated
        facts = []
        for g in self.guidance:
            ranks = [self.rank[s.id] for s in plan.informing[g.id] if s.id not in unrated]
            facts.append({"kind": "guidance", "key": plan.guidance_keys[g.id][0], "table": g.id, "ranks": ranks, "rated": len(ranks)})
        fired = self.fire(facts, [()] * len(facts))  # a table may indicate nothing
        indications: dict[str, tuple[int | None, int]] = {}
        for g in self.guidance:
            informing = plan.informing[g.id]
            inputs = {s.id: None if s.id in unrated else self.labels[self.rank[s.id]] for s in informing}
            because = [self.step_of[s.id] for s in informing]
            firings = fired[plan.guidance_keys[g.id][0]]
            rows = [(f, d) for f, d in firings if not d.informational]
            if rows:
                steps = [self.record(f, d.rule, g.target, dict(inputs), {"indicates": self.labels[d.rating or 0]}, because) for f, d in rows]
                indications[g.id] = (rows[0][1].rating, steps[-1])
            else:
                f, d = firings[0]
                indications[g.id] = (None, self.record(f, d.rule, g.target, inputs, {"indicates": None}, because))
        return indications

    def guided_stage(self, indications: Mapping[str, tuple[int | None, int]]) -> None:
        plan = self.plan
        facts = []
        for g in self.guidance:
            judged = self._judged(g.target)
            key = plan.guidance_keys[g.id][1]
            fact: Fact = {"kind": "guided", "key": key, "table": g.id, "judged": plan.rank[judged.judgement], "strengths": len(judged.strengths)}
            indicated = indications[g.id][0]
            if indicated is not None:
                fact["indicated"] = indicated
            facts.append(fact)
        fired = self.fire(facts, [_GUIDED] * len(facts))
        for g, fact in zip(self.guidance, facts, strict=True):
            standard = plan.target_of[g.id]
            judged = self._judged(g.target)
            firing, decision = fired[fact["key"]][0]
            indicated = indications[g.id][0]
            rank = self._apply(decision, fact["judged"], indicated)
            departure = None
            if decision.departure:
                departure = Departure(decision.rule, self.labels[indicated or 0], judged.judgement, self.labels[rank], judged.strengths, decision.capped)
            inputs = {"judgement": judged.judgement, "strengths": len(judged.strengths), "indicated": None if indicated is None else self.labels[indicated]}
            outcome: dict[str, Any] = {"rating": self.labels[rank]}
            if departure is not None:
                outcome.update(departure=True, capped=decision.capped)
            step = self.record(firing, decision.rule, standard.id, inputs, outcome, [indications[g.id][1]])
            self.base_result(
                standard,
                rank,
                decision.rule,
                step,
                judgement=judged.judgement,
                indicated=None if indicated is None else self.labels[indicated],
                guidance_rule=self.entries[indications[g.id][1] - 1].rule,
                departure=departure,
            )

    @staticmethod
    def _apply(decision: Decision, judged: int, indicated: int | None) -> int:
        """The rating a guided-stage decision takes: the judgement, the indication, or the capped rating the rule names."""
        if decision.take == "judged":
            return judged
        if decision.take == "indicated":
            assert indicated is not None  # the rules that take it require an indication
            return indicated
        assert decision.rating is not None
        return decision.rating

    def points_stage(self) -> list[int]:
        """Each rated standard's points (or the rule that leaves it out of the score); the steps of the points given."""
        unrated, keys = self.unrated, self.plan.keys["points"]
        rated = [s for s in self.m.standards if s.id not in unrated]
        fired = self.fire([{"kind": "points", "key": keys[s.id], "standard": s.id, "rating": self.rank[s.id]} for s in rated], [_POINTS] * len(rated))
        steps = []
        for s in rated:
            firing, decision = fired[keys[s.id]][0]
            inputs = {"rating": self.labels[self.rank[s.id]]}
            if decision.points is None:  # rated but not scored: its own rule fired, no points row did
                self.record(firing, decision.rule, s.id, inputs, {"points": None, "scored": False}, [self.step_of[s.id]])
                continue
            assert decision.share is not None
            self.results[s.id]["points"] = self.adds[s.id] = decision.points
            self.shares[s.id] = decision.share
            steps.append(self.record(firing, decision.rule, s.id, inputs, {"points": decision.points}, [self.step_of[s.id]]))
        return steps

    def overall_stage(self, points_steps: Sequence[int]) -> tuple[int, int, str, str, NextBand | None]:
        """The score, the maximum and the overall band, in one batch: rules over the sums of the points and shares the rules gave."""
        m, plan, unrated = self.m, self.plan, self.unrated
        adds, shares = self.adds, self.shares
        fact: Fact = {"kind": "overall", "key": "overall"}
        for sid, field in plan.score_fields.items():
            fact[field] = adds[sid]
        for sid, field in plan.share_fields.items():
            fact[field] = shares[sid]
        firings = self.fire([fact], [_OVERALL])["overall"]
        firing, decision = next((f, d) for f, d in firings if d.kind == "score")
        score = decision.score
        assert score is not None
        max_score = sum(shares.values())  # what the band rule that fires was guarded on
        outcome: dict[str, Any] = {"score": score, "max_score": max_score}
        unrated_steps = [self.step_of[s.id] for s in plan.scored if s.id in unrated]
        if unrated_steps:
            outcome["full_max_score"] = plan.max_score
        points = {s.id: adds[s.id] for s in plan.scored if s.id not in unrated}
        score_step = self.record(firing, decision.rule, "score", points, outcome, [*points_steps, *unrated_steps])

        firing, decision = next((f, d) for f, d in firings if d.kind == "overall" and not d.informational)
        assert decision.rating is not None
        rating = self.labels[decision.rating]
        table, rescaled = plan.overall_table(m, max_score)
        because = [score_step]
        inputs: dict[str, Any] = {"score": score, "max_score": max_score}
        for f, d in firings:
            if d.informational:
                bounds = {"max_score": max_score, "full_max_score": plan.max_score}
                because.append(self.record(f, d.rule, "overall", bounds, {"bands_from": dict(rescaled)}, [score_step]))
                inputs["full_max_score"] = plan.max_score
        nxt = next_band_for_score(table, score) if self.margins else None
        outcome = {"rating": rating}
        if nxt is not None:
            outcome["next_band"] = {"rating": nxt.rating, "short_by": nxt.short_by}
        self.record(firing, decision.rule, "overall", inputs, outcome, because)
        return score, max_score, rating, decision.rule, nxt


def rate_score(methodology: Methodology, score: int, max_score: int | None = None) -> tuple[str, str]:
    """The overall rating and band rule for a score alone, by the same compiled rules as :func:`evaluate`.

    For records that publish a score but not the standards behind it. ``max_score`` is the
    maximum the score is out of (the methodology's, unless standards were left unrated).
    """
    full = methodology.max_score
    maximum = full if max_score is None else max_score
    if not 0 <= score <= maximum or (maximum != full and maximum not in methodology.possible_maxima()):
        raise InspectionError(Problem("score", f"must be a whole number from 0 to a maximum {methodology.id} can give (got {score}/{maximum})"))
    program = compiled(methodology)
    # The overall rules read the sums of the points and of the shares of the maximum on the fact:
    # a published score is given as one standard's points and its maximum as one standard's
    # share, the others' as 0 (with nothing scored, the score and the maximum can only be 0).
    fact: Fact = {"kind": "overall", "key": "overall"}
    for fields, total in ((program.score_fields, score), (program.share_fields, maximum)):
        for i, field in enumerate(fields.values()):
            fact[field] = total if i == 0 else 0

    def shown() -> dict[str, int]:
        return {"score": score, "max_score": maximum}

    with program.engine.session() as session:
        try:
            (rules,) = session.matched([fact])
        except UnmatchedFacts:
            raise RuleConflictError([_gap("overall", shown())], file=methodology.source) from None
    fired = [(rule, program.decisions[rule]) for rule in rules]
    _settle(fired, _BAND, shown, methodology.source)
    decision = next(d for _, d in fired if d.kind == "overall" and not d.informational)
    assert decision.rating is not None
    return methodology.scale.ratings[decision.rating], decision.rule


def _settle(fired: Sequence[tuple[str, Decision]], need: Sequence[Slot], shown: Callable[[], Any], source: str | None) -> None:
    """Refuse what the rules that fired on one fact leave unsettled: a slot in ``need`` no rule decided, or one two rules decided differently.

    ``shown``: the fact as the problem message shows it (worked out only for the message).
    """
    decided: dict[Slot, Decision] = {}
    for _, d in fired:
        if d.informational:
            continue
        first = decided.setdefault(d.slot, d)
        if first is not d and first.outcome() != d.outcome():
            rules_named = ", ".join(sorted({x.rule for _, x in fired if x.slot == d.slot and not x.informational}))
            raise RuleConflictError(Problem(_table(d.kind), f"rules {rules_named} give different outcomes for the same input", shown()), file=source)
    for slot in need:
        if slot not in decided:
            raise RuleConflictError([_gap(slot[0], shown())], file=source)


def _table(kind: str) -> str:
    """The methodology table a kind of decision comes from, for a problem's path."""
    return _TABLE_OF_KIND.get(kind, "guidance")


def _gap(kind: str, shown: Any) -> Problem:
    return Problem(_table(kind), "no rule covers this input (a gap in the table)", shown)
