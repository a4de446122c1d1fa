"""Compile a methodology into durable-rules conditions, one per rule outcome.

Each compiled rule is a single pattern on one fact (multi-pattern joins crash durable-rules'
C core), so aggregates are stated as array tests on one fact: "the lowest key question is in the
Good band" is "every key question is at least 65 and some key question is below 80". Each rule
name maps to a :class:`Decision`, the outcome the rule stands for; the evaluator applies the
decisions of the rules that fired and never decides a rating itself.

Unrated standards shrink the maximum score, and the overall bands then rescale by the
methodology's ``not_rated.rescale`` rule. durable-rules compares integers only, and a rescaled
bound such as 7 x 33 / 36 is not one; so rescaling is compiled, not computed at rating time:
for every maximum the rated standards can give, each overall band becomes its own rule with the
bound rescaled to whole points (``ceil(a * M / N)``, exact because scores are whole), guarded
by ``max_score == M``. A score is then placed by whichever rule fires, and the trace names the
band rule (whose bound moved) and the rescale rule (which fires when the maximum is reduced).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import threading
import weakref
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from probation_rules.engine.durable_host import KIND, RuleEngine
from probation_rules.methodology.schema import BandTable, Guidance, Methodology, Rule
from probation_rules.percent import micro

__all__ = ["CompiledMethodology", "Decision", "FactKind", "compiled", "release"]

FactKind = Literal["kq", "case", "judged", "unrated", "guidance", "guided", "points", "overall"]
Take = Literal["judged", "indicated", "cap"]


@attrs.frozen
class Decision:
    """What a compiled rule decides when it fires."""

    kind: FactKind
    rule: str
    rating: int | None = None
    via: str | None = None
    points: int | None = None
    take: Take | None = None
    departure: bool = False
    capped: bool = False
    informational: bool = False
    max_score: int | None = None
    """For an overall band rule compiled for one maximum: that maximum."""


@attrs.frozen
class CompiledMethodology:
    """A methodology's rules as durable-rules conditions, and the engine holding them.

    It does not hold the methodology itself: the compiled form is cached weakly by methodology,
    and a reference back would keep every methodology alive forever.
    """

    conditions: Mapping[str, Mapping[str, Any]]
    decisions: Mapping[str, Decision]
    engine: RuleEngine
    rules: Mapping[str, Rule]
    """Every rule's provenance by id, for the trace (looked up once per methodology, not per rating)."""
    memo: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    """What the evaluator works out once per methodology rather than per rating (see :mod:`probation_rules.engine.rater`)."""


def _all(*conditions: Mapping[str, Any]) -> dict[str, Any]:
    return {"$and": list(conditions)}


def _is(kind: FactKind) -> dict[str, Any]:
    return {KIND: kind}


def _cmp(op: str, field: str, value: int) -> dict[str, Any]:
    return {op: {field: value}}


def _items(quantifier: str, op: str, field: str, value: int) -> dict[str, Any]:
    return {quantifier: {field: {op: {"$i": value}}}}


class _Builder:
    def __init__(self, methodology: Methodology):
        self.m = methodology
        self.conditions: dict[str, Mapping[str, Any]] = {}
        self.decisions: dict[str, Decision] = {}

    def add(self, name: str, condition: Mapping[str, Any], decision: Decision) -> None:
        name = f"{len(self.conditions):03d} {name}"
        self.conditions[name] = condition
        self.decisions[name] = decision

    def build(self) -> None:
        m = self.m
        self.bands(m.key_question_bands, "kq", "p", scale=micro)
        self.lowest_drives()
        self.add(m.judged_rating.id, _is("judged"), Decision("judged", m.judged_rating.id, take="judged"))
        if m.not_rated is not None:
            self.add(m.not_rated.id, _is("unrated"), Decision("unrated", m.not_rated.id))
        for guidance in m.guidance:
            self.guidance_rows(guidance)
            self.guided(guidance)
        for row in m.points.rows:
            self.add(row.id, _all(_is("points"), {"rating": m.rank(row.rating)}), Decision("points", row.id, points=row.points))
        self.overall()

    def overall(self) -> None:
        """The overall bands: as stated, or once per possible maximum when unrated standards rescale them."""
        m = self.m
        if m.not_rated is None:
            self.bands(m.overall_bands, "overall", "score", scale=int)
            return
        rescale = m.not_rated.rescale
        reduced = _all(_is("overall"), _cmp("$lt", "max_score", m.max_score))
        self.add(rescale.id, reduced, Decision("overall", rescale.id, informational=True))
        if rescale.method == "none":
            self.bands(m.overall_bands, "overall", "score", scale=int)
            return
        for maximum in m.possible_maxima():
            table = m.overall_bands_for(maximum)
            self.bands(table, "overall", "score", scale=int, guard={"max_score": maximum}, max_score=maximum)

    def bands(self, table: BandTable, kind: FactKind, field: str, scale: Any, guard: Mapping[str, Any] | None = None, max_score: int | None = None) -> None:
        ordered = table.ordered()
        for i, band in enumerate(ordered):
            parts = [_is(kind), *([guard] if guard else []), _cmp("$gte", field, scale(band.at_least))]
            if i + 1 < len(ordered):
                parts.append(_cmp("$lt", field, scale(ordered[i + 1].at_least)))
            name = band.id if max_score is None else f"{band.id} /{max_score}"
            self.add(name, _all(*parts), Decision(kind, band.id, rating=self.m.rank(band.rating), max_score=max_score))

    def lowest_drives(self) -> None:
        m = self.m
        ordered = m.key_question_bands.ordered()
        for i, band in enumerate(ordered):
            parts = [_is("case"), _items("$iall", "$gte", "p", micro(band.at_least))]
            if i + 1 < len(ordered):
                parts.append(_items("$iany", "$lt", "p", micro(ordered[i + 1].at_least)))
            decision = Decision("case", m.case_rating.id, rating=m.rank(band.rating), via=band.id)
            self.add(f"{m.case_rating.id} {band.id}", _all(*parts), decision)

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
        """The base rule (the guidance applies) and its labelled exception (the override)."""
        target = [_is("guided"), {"table": g.id}]
        indicated = {"$ex": {"indicated": 1}}
        self.add(f"{g.id} no-indication", _all(*target, {"$nex": {"indicated": 1}}), Decision("guided", g.id, take="judged"))
        raised = _cmp("$gte", "lift", 1)
        if g.mode == "ceiling":
            self.add(f"{g.id} within", _all(*target, indicated, _cmp("$lte", "lift", 0)), Decision("guided", g.id, take="judged"))
            base_when: list[Mapping[str, Any]] = [raised]
        else:
            base_when = []
        o = g.override
        if o is None:
            self.add(f"{g.id} applies", _all(*target, indicated, *base_when), Decision("guided", g.id, take="indicated"))
            return
        no_exception = {"$or": [_cmp("$lte", "lift", 0), _cmp("$lt", "strengths", o.min_strengths)]}
        if g.mode == "ceiling":
            no_exception = _cmp("$lt", "strengths", o.min_strengths)
        self.add(f"{g.id} applies", _all(*target, indicated, *base_when, no_exception), Decision("guided", g.id, take="indicated"))
        strengths = _cmp("$gte", "strengths", o.min_strengths)
        self.add(
            o.id,
            _all(*target, indicated, strengths, raised, _cmp("$lte", "lift", o.max_bands_up)),
            Decision("guided", o.id, take="judged", departure=True),
        )
        self.add(
            f"{o.id} capped",
            _all(*target, indicated, strengths, _cmp("$gt", "lift", o.max_bands_up)),
            Decision("guided", o.id, take="cap", departure=True, capped=True),
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
        found.engine.close()


def _compile(methodology: Methodology) -> CompiledMethodology:
    builder = _Builder(methodology)
    builder.build()
    digest = hashlib.sha256(json.dumps(builder.conditions, sort_keys=True).encode()).hexdigest()
    engine = RuleEngine(f"probation_rules.{methodology.id}.{digest[:16]}.{next(_names)}", builder.conditions)
    program = CompiledMethodology(builder.conditions, builder.decisions, engine, {rule.id: rule for rule in methodology.rules()})
    weakref.finalize(program, engine.close)
    return program
