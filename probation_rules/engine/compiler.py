"""Compile a methodology into durable-rules conditions, one per rule outcome.

Each compiled rule is a single pattern on one fact (multi-pattern joins crash durable-rules'
C core), so what reads several values is stated over one fact's own fields: durable-rules
compares a field with another field, or with a sum or difference of fields (``$add``/``$sub``
on ``$m`` references and literals). Each rule name maps to a :class:`Decision`, the outcome the
rule stands for; the evaluator applies the decisions of the rules that fired and never decides
a rating, a score or a driver itself:

* lowest drives: one rule per (key question position, band): the key question at that position
  is the lowest (strictly below every earlier one, at most every later one: the methodology's
  order breaks ties) and its value is in that band. The rule names the band and the driver.
* key questions: each key question's band is decided on its standard's case fact, by one rule
  per (position, band), beside the lowest-drives rule.
* the score: one rule per total the points can add up to, ``p0 + ... + pn == s``, over the
  overall fact, which carries the points each scored standard's points rule gave (0 for an
  unrated one, from the ``not_rated`` rule); it decides the score.
* the maximum: the same fact carries what each scored standard adds to the maximum score, as
  its rules decided it (a points row: the best points on the table; the ``not_rated`` rule: 0),
  and the maximum is their sum, ``m0 + ... + mn``, as the score is the sum of the points.
* the overall bands are compiled over the same sums, on the same fact.
* guided standards: the override's conditions compare the judgement with the indication on the
  fact (``judged > indicated + max_bands_up``); the capped rule is compiled once per indicated
  rating, with the capped rating it gives.
* a standard rated but not scored: its own rule (``<standard id>.not-scored``) fires on its
  points fact, and no points row does.

Unrated standards shrink the maximum score, and the overall bands then rescale by the
methodology's ``not_rated.rescale`` rule. durable-rules compares integers only, and a rescaled
bound such as 7 x 33 / 36 is not one; so rescaling is compiled, not computed at rating time:
for every maximum the rated standards can give, each overall band becomes its own rule with the
bound rescaled to whole points (``ceil(a * M / N)``, exact because scores are whole), guarded
by ``m0 + ... + mn == M`` (so no input to the overall band is worked out outside the rules).
A score is then placed by whichever rule fires, and the trace names the band rule (whose bound
moved) and the rescale rule (which fires when the maximum is reduced).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import threading
import weakref
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

import attrs

from probation_rules.engine.durable_host import KIND, RuleEngine
from probation_rules.methodology.schema import BandTable, Guidance, Methodology, Rule
from probation_rules.percent import MICRO, micro

__all__ = ["CompiledMethodology", "Decision", "DecisionKind", "FactKind", "Slot", "below_micro", "compiled", "position_fields", "release"]

FactKind = Literal["case", "judged", "unrated", "guidance", "guided", "points", "overall"]
"""The kinds of fact the evaluator asserts, which every condition names."""
DecisionKind = Literal[FactKind, "kq", "score"]
"""What a rule decides: the kind of its fact, or one of two decisions made beside another on the same fact
(a key question's band, on the case fact with the case rating; the score, on the overall fact with the overall band)."""
Take = Literal["judged", "indicated", "cap"]
Slot = tuple[DecisionKind, int | None]


@attrs.frozen
class Decision:
    """What a compiled rule decides when it fires."""

    kind: DecisionKind
    rule: str
    rating: int | None = None
    """The rating (its rank on the scale) the rule gives; for the capped override, the capped rating."""
    via: str | None = None
    points: int | None = None
    """What the standard adds to the score: its points row's points; 0 for an unrated standard; None when it is not scored."""
    share: int | None = None
    """What the standard adds to the maximum score: the best points on the table for a rated one (its points row), 0 for an unrated one."""
    take: Take | None = None
    departure: bool = False
    capped: bool = False
    informational: bool = False
    driver: int | None = None
    """For a lowest-drives rule: the position, in the standard's order, of the key question that drives the rating."""
    score: int | None = None
    """For a score rule: the score."""
    position: int | None = None
    """For a key question's band rule: the key question's position in its standard."""
    slot: Slot = attrs.field(init=False, default=attrs.Factory(lambda self: (self.kind, self.position), takes_self=True))
    """What on its fact the rule decides: rules that fire on one fact must agree slot by slot."""

    def outcome(self) -> tuple[Any, ...]:
        """What the rule decides, for telling two rules that fired for one slot apart."""
        return (self.rating, self.points, self.take, self.driver, self.score)


@attrs.frozen
class CompiledMethodology:
    """A methodology's rules as durable-rules conditions, and the engine holding them.

    It does not hold the methodology itself: the compiled form is cached weakly by methodology,
    and a reference back would keep every methodology alive forever.
    """

    conditions: Mapping[str, Mapping[str, Any]]
    decisions: Mapping[str, Decision]
    engine: RuleEngine
    """Every rule; for inspections that leave a standard unrated, and for :func:`~probation_rules.engine.rater.rate_score`."""
    rules: Mapping[str, Rule]
    """Every rule's provenance by id, for the trace (looked up once per methodology, not per rating)."""
    score_fields: Mapping[str, str]
    """The field of the overall fact that carries each scored standard's points, by standard id."""
    share_fields: Mapping[str, str]
    """The field of the overall fact that carries what each scored standard adds to the maximum score, by standard id."""
    rated_engine: RuleEngine
    """The same rules without those that can fire only when a standard is unrated (the ``not_rated``
    rule, the rescale rule, the overall bands rescaled to a reduced maximum): for inspections that
    rate every standard, the usual case. durable-rules' cost per session grows with its rules."""
    unrated_only: frozenset[str]
    """The rules ``rated_engine`` leaves out."""
    memo: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    """What the evaluator works out once per methodology rather than per rating (see :mod:`probation_rules.engine.rater`)."""


def position_fields(position: int) -> tuple[str, str]:
    """The case fact's fields for the key question at ``position``: its millionths, and what lies below them.

    The band rules read the millionths (exact for bounds with up to six decimals); which key
    question is the lowest is read from both, the millionths first (see :func:`below_micro`).
    """
    return f"p{position}", f"f{position}"


_OFFSET = 800
_DIGITS = 10**13


def below_micro(value: Fraction) -> int:
    """What lies below the last whole millionth of ``value``, as a whole number that sorts as it does.

    The remainder ``r`` (``0 <= r < 1`` millionth) is written as its decimal exponent ``e`` and
    its first 13 significant digits ``d``: ``(e + 800) * 10**13 + d``, which stays below 2**53
    and sorts as ``r`` does; 0 for no remainder. With the millionths, durable-rules (which
    compares whole numbers only) then orders two key questions by their millionths and 13
    significant digits below them: from 1% up that is 20 significant digits or more, so any two
    different percentages a document writes (a float has at most 17) are told apart, as are two
    shares of relevant cases, or a share and a written percentage, with fewer than 10,000
    relevant cases. Closer than that, two key questions count as equal, and the first in order
    drives.
    """
    scaled = value * MICRO
    rest = scaled - (scaled.numerator // scaled.denominator)
    if rest <= 0:
        return 0
    exponent = len(str(rest.numerator)) - len(str(rest.denominator))  # 10**(exponent - 1) < rest < 10**(exponent + 1)
    if rest < Fraction(10) ** exponent:
        exponent -= 1
    exponent = max(exponent, 1 - _OFFSET)  # beyond 10**-799 of a millionth: still in order, with fewer digits
    digits = rest * _DIGITS / 10 / Fraction(10) ** exponent
    return (exponent + _OFFSET) * _DIGITS + digits.numerator // digits.denominator


def _all(*conditions: Mapping[str, Any]) -> dict[str, Any]:
    return {"$and": list(conditions)}


def _is(kind: FactKind) -> dict[str, Any]:
    return {KIND: kind}


def _cmp(op: str, field: str, value: Any) -> dict[str, Any]:
    return {op: {field: value}}


def _items(quantifier: str, op: str, field: str, value: int) -> dict[str, Any]:
    return {quantifier: {field: {op: {"$i": value}}}}


def _ref(field: str) -> dict[str, Any]:
    """The value of another field of the same fact."""
    return {"$m": field}


def _add(left: Any, right: Any) -> dict[str, Any]:
    return {"$add": {"$l": left, "$r": right}}


def _total(fields: Sequence[str]) -> dict[str, Any]:
    """The sum of some fields of the fact, as a balanced tree of additions (shallow however many)."""
    if len(fields) == 1:
        return _ref(fields[0])
    middle = len(fields) // 2
    return _add(_total(fields[:middle]), _total(fields[middle:]))


_HOLDS = {"$eq": lambda a, b: a == b, "$gte": lambda a, b: a >= b, "$lt": lambda a, b: a < b}


def _sum_test(op: Literal["$eq", "$gte", "$lt"], fields: Sequence[str], value: int) -> dict[str, Any] | bool:
    """``sum(fields) <op> value`` as a condition on the first field (``f0 <op> value - (f1 + ... + fn)``).

    With no fields the sum is 0, and the test is a plain truth value for the compiler to apply.
    """
    if not fields:
        return bool(_HOLDS[op](0, value))
    first, rest = fields[0], fields[1:]
    bound: Any = {"$sub": {"$l": value, "$r": _total(rest)}} if rest else value
    return {first: bound} if op == "$eq" else {op: {first: bound}}


class _Builder:
    def __init__(self, methodology: Methodology):
        self.m = methodology
        self.conditions: dict[str, Mapping[str, Any]] = {}
        self.decisions: dict[str, Decision] = {}
        self.unrated_only: set[str] = set()
        scored = [s for s in methodology.standards if s.scored]
        self.score_fields = {s.id: f"pts{i}" for i, s in enumerate(scored)}
        self.share_fields = {s.id: f"max{i}" for i, s in enumerate(scored)}

    def add(self, name: str, condition: Mapping[str, Any], decision: Decision, *, unrated_only: bool = False) -> None:
        """Add a rule; ``unrated_only``: it can fire only when some standard is unrated."""
        name = f"{len(self.conditions):03d} {name}"
        self.conditions[name] = condition
        self.decisions[name] = decision
        if unrated_only:
            self.unrated_only.add(name)

    def build(self) -> None:
        m = self.m
        self.key_question_bands()
        self.lowest_drives()
        self.add(m.judged_rating.id, _is("judged"), Decision("judged", m.judged_rating.id, take="judged"))
        if m.not_rated is not None:
            self.add(m.not_rated.id, _is("unrated"), Decision("unrated", m.not_rated.id, points=0, share=0), unrated_only=True)
        for guidance in m.guidance:
            self.guidance_rows(guidance)
            self.guided(guidance)
        self.points()
        self.score()
        self.overall()

    def points(self) -> None:
        """The points rows, for scored standards; for each standard rated but not scored, its own rule."""
        m = self.m
        unscored = [s for s in m.standards if not s.scored]
        scored_only = [{"$neq": {"standard": s.id}} for s in unscored]
        for row in m.points.rows:
            decision = Decision("points", row.id, points=row.points, share=m.best_points)
            self.add(row.id, _all(_is("points"), {"rating": m.rank(row.rating)}, *scored_only), decision)
        for s in unscored:
            rule = m.not_scored_rule(s)
            self.add(rule.id, _all(_is("points"), {"standard": s.id}), Decision("points", rule.id))

    def score(self) -> None:
        """One rule per score the points can add up to: it fires when the points on the fact add up to it."""
        m = self.m
        fields = list(self.score_fields.values())
        by_maximum = m.scores_by_maximum()
        all_rated = set(by_maximum[m.max_score])
        for total in sorted(set().union(*by_maximum.values())):
            test = _sum_test("$eq", fields, total)
            if test is False:
                continue
            condition = _all(_is("overall"), *([] if test is True else [test]))
            self.add(f"{m.score.id} {total}", condition, Decision("score", m.score.id, score=total), unrated_only=total not in all_rated)

    def overall(self) -> None:
        """The overall bands over the sum of the points: as stated, or once per possible maximum when unrated standards rescale them."""
        m = self.m
        if m.not_rated is None:
            self.overall_bands(m.overall_bands)
            return
        rescale = m.not_rated.rescale
        reduced = _sum_test("$lt", list(self.share_fields.values()), m.max_score)
        if reduced is not False:  # False: nothing is scored, so no maximum can be reduced
            self.add(
                rescale.id,
                _all(_is("overall"), *([] if reduced is True else [reduced])),
                Decision("overall", rescale.id, informational=True),
                unrated_only=True,
            )
        if rescale.method == "none":
            self.overall_bands(m.overall_bands)
            return
        for maximum in m.possible_maxima():
            self.overall_bands(m.overall_bands_for(maximum), maximum)

    def overall_bands(self, table: BandTable, maximum: int | None = None) -> None:
        """The bands of ``table`` over the sum of the points; with ``maximum``, each guarded by the sum of the shares being it."""
        fields = list(self.score_fields.values())
        ordered = table.ordered()
        for i, band in enumerate(ordered):
            tests = [_sum_test("$gte", fields, int(band.at_least))]
            if i + 1 < len(ordered):
                tests.append(_sum_test("$lt", fields, int(ordered[i + 1].at_least)))
            if maximum is not None:
                tests.insert(0, _sum_test("$eq", list(self.share_fields.values()), maximum))
            if False in tests:
                continue  # no score can fall in it (only when nothing is scored)
            name = band.id if maximum is None else f"{band.id} /{maximum}"
            condition = _all(_is("overall"), *(t for t in tests if not isinstance(t, bool)))
            decision = Decision("overall", band.id, rating=self.m.rank(band.rating))
            self.add(name, condition, decision, unrated_only=maximum is not None and maximum < self.m.max_score)

    def key_question_bands(self) -> None:
        """Each key question's band, on its standard's case fact: one rule per (position, band)."""
        m = self.m
        ordered = m.key_question_bands.ordered()
        for i in range(max((len(s.key_questions) for s in m.standards if s.kind == "case"), default=0)):
            at = position_fields(i)[0]
            for k, band in enumerate(ordered):
                parts = [_is("case"), _cmp("$gte", at, micro(band.at_least))]
                if k + 1 < len(ordered):
                    parts.append(_cmp("$lt", at, micro(ordered[k + 1].at_least)))
                self.add(f"{band.id} at {i + 1}", _all(*parts), Decision("kq", band.id, rating=m.rank(band.rating), position=i))

    def lowest_drives(self) -> None:
        """One rule per (number of key questions, position, band): the key question there is the lowest, in that band.

        The lowest is strictly below every key question before it and at most every one after
        it, so of equal lowest values the first in the standard's order drives; "below" compares
        the millionths, then what lies below them (:func:`below_micro`); the band reads the millionths.
        """
        m = self.m
        ordered = m.key_question_bands.ordered()
        for n in sorted({len(s.key_questions) for s in m.standards if s.kind == "case"} - {0}):
            for i in range(n):
                at, below = position_fields(i)
                lowest = []
                for j in range(n):
                    if j != i:
                        other, other_below = position_fields(j)
                        finer = "$lt" if j < i else "$lte"
                        lowest.append({"$or": [_cmp("$lt", at, _ref(other)), _all({at: _ref(other)}, _cmp(finer, below, _ref(other_below)))]})
                for k, band in enumerate(ordered):
                    parts = [_is("case"), {"n": n}, _cmp("$gte", at, micro(band.at_least))]
                    if k + 1 < len(ordered):
                        parts.append(_cmp("$lt", at, micro(ordered[k + 1].at_least)))
                    parts += lowest
                    decision = Decision("case", m.case_rating.id, rating=m.rank(band.rating), via=band.id, driver=i)
                    self.add(f"{m.case_rating.id} {band.id} driver {i + 1}/{n}", _all(*parts), decision)

    def guidance_rows(self, g: Guidance) -> None:
        m = self.m
        mine = {"table": g.id}
        self.add(f"{g.id} consulted", _all(_is("guidance"), mine), Decision("guidance", g.id, informational=True))
        tests = {
            "all_at_most": ("$iall", "$lte"),
            "all_at_least": ("$iall", "$gte"),
            "any_at_most": ("$iany", "$lte"),
            "any_at_least": ("$iany", "$gte"),
        }
        for row in g.rows:
            # A row reads the rated informing standards only, and needs at least one of them:
            # durable-rules' array tests on an empty list are not a documented behaviour to lean on.
            parts = [_is("guidance"), mine, _cmp("$gte", "rated", 1)]
            for name, rating in row.conditions().items():
                quantifier, op = tests[name]
                parts.append(_items(quantifier, op, "ranks", m.rank(rating)))
            self.add(row.id, _all(*parts), Decision("guidance", row.id, rating=m.rank(row.indicates)))

    def guided(self, g: Guidance) -> None:
        """The base rule (the guidance applies) and its labelled exception (the override).

        The fact carries what was observed (the judgement, the indication, the strengths); each
        condition compares them on the fact: ``judged > indicated`` is a judgement above the
        indication, ``judged > indicated + max_bands_up`` one beyond the override's limit.
        """
        target = [_is("guided"), {"table": g.id}]
        indicated = {"$ex": {"indicated": 1}}
        self.add(f"{g.id} no-indication", _all(*target, {"$nex": {"indicated": 1}}), Decision("guided", g.id, take="judged"))
        raised = _cmp("$gt", "judged", _ref("indicated"))
        not_raised = _cmp("$lte", "judged", _ref("indicated"))
        if g.mode == "ceiling":
            self.add(f"{g.id} within", _all(*target, indicated, not_raised), Decision("guided", g.id, take="judged"))
            base_when: list[Mapping[str, Any]] = [raised]
        else:
            base_when = []
        o = g.override
        if o is None:
            self.add(f"{g.id} applies", _all(*target, indicated, *base_when), Decision("guided", g.id, take="indicated"))
            return
        no_exception = {"$or": [not_raised, _cmp("$lt", "strengths", o.min_strengths)]}
        if g.mode == "ceiling":
            no_exception = _cmp("$lt", "strengths", o.min_strengths)
        self.add(f"{g.id} applies", _all(*target, indicated, *base_when, no_exception), Decision("guided", g.id, take="indicated"))
        strengths = _cmp("$gte", "strengths", o.min_strengths)
        limit = _add(_ref("indicated"), o.max_bands_up)
        self.add(
            o.id,
            _all(*target, indicated, strengths, raised, _cmp("$lte", "judged", limit)),
            Decision("guided", o.id, take="judged", departure=True),
        )
        ratings = self.m.scale.ratings
        for i, label in enumerate(ratings):
            if i + o.max_bands_up >= len(ratings) - 1:
                break  # no judgement lies beyond the limit above this indication
            self.add(
                f"{o.id} capped from {label}",
                _all(*target, {"indicated": i}, strengths, _cmp("$gt", "judged", limit)),
                Decision("guided", o.id, rating=i + o.max_bands_up, take="cap", departure=True, capped=True),
            )


_by_value: weakref.WeakKeyDictionary[Methodology, CompiledMethodology] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()
_names = itertools.count()


_by_identity: dict[int, tuple[weakref.ref[Methodology], CompiledMethodology]] = {}
"""The same cache by object, found without comparing whole methodologies (which every rating would)."""


def compiled(methodology: Methodology) -> CompiledMethodology:
    """The compiled form of a methodology, kept as long as the methodology object lives.

    Keyed weakly by value: equal methodologies share one compiled ruleset, and when the last
    equal methodology object is garbage-collected the ruleset's C memory is freed with it, so a
    tool that generates thousands of variants does not grow.
    """
    key = id(methodology)
    hit = _by_identity.get(key)
    if hit is not None and hit[0]() is methodology:
        return hit[1]
    with _cache_lock:
        found = _by_value.get(methodology)
        if found is None:
            found = _by_value[methodology] = _compile(methodology)
        _by_identity[key] = (weakref.ref(methodology, functools.partial(_forget, key)), found)
        return found


def _forget(key: int, _: object) -> None:
    # Runs when the methodology dies, before its id can be reused; no lock (it may run inside one).
    _by_identity.pop(key, None)


def release(methodology: Methodology) -> None:
    """Free a methodology's compiled ruleset now rather than when the methodology is collected.

    The next :func:`compiled` call for an equal methodology compiles it afresh.
    """
    with _cache_lock:
        found = _by_value.pop(methodology, None)
        if found is not None:
            for key, (_, program) in _by_identity.copy().items():  # a copy: _forget may run meanwhile
                if program is found:
                    _by_identity.pop(key, None)
    if found is not None:
        _close(found.engine, found.rated_engine)


def _compile(methodology: Methodology) -> CompiledMethodology:
    builder = _Builder(methodology)
    builder.build()
    digest = hashlib.sha256(json.dumps(builder.conditions, sort_keys=True).encode()).hexdigest()
    name = f"probation_rules.{methodology.id}.{digest[:16]}.{next(_names)}"
    engine = RuleEngine(name, builder.conditions)
    rated_engine = engine
    if builder.unrated_only:
        rated_engine = RuleEngine(f"{name}.rated", {k: v for k, v in builder.conditions.items() if k not in builder.unrated_only})
    rules = {rule.id: rule for rule in methodology.rules()}
    program = CompiledMethodology(
        builder.conditions, builder.decisions, engine, rules, builder.score_fields, builder.share_fields, rated_engine, frozenset(builder.unrated_only)
    )
    weakref.finalize(program, _close, engine, rated_engine)
    return program


def _close(*engines: RuleEngine) -> None:
    for engine in engines:
        engine.close()
