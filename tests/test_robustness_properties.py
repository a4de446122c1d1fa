"""Properties of the robustness analysis, checked against the engine itself.

Flip distances are checked by brute force through the public ``rate`` API: every way of turning
answers over, up to the whole box of counts for small numbers of cases, is rated by the engine,
and the cheapest change of rating must cost exactly what the analysis reports. Probabilities are
checked by exact enumeration, by their sum, and against a seeded simulation within its error.
York (as counts of 20) is pinned beside the generated cases.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import random
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from probation_rules import rate
from probation_rules.inspection import load_inspection
from probation_rules.methodology import bundled_ids, load_methodology
from probation_rules.robustness import analyse, clopper_pearson, lowest_effect, wilson
from probation_rules.robustness.flips import key_question_flips, overall_flips, standard_costs, standard_flips
from probation_rules.robustness.model import build_unit
from probation_rules.robustness.sampling import binomial_pmf, overall_distribution, simulate, standard_distribution
from probation_rules.testing.strategies import inspection_documents, key_question_counts

from .conftest import YORK
from .test_robustness import york_with_counts

M = load_methodology("hmip-pdu-2023")
CASE = [s for s in M.standards if s.kind == "case"]
YORK_RAW = json.loads(YORK.read_text())
YORK_DOC = york_with_counts(YORK_RAW)


def unit_of(doc: dict[str, Any], m: Any = M) -> Any:
    return build_unit(load_inspection(doc), m, rate(doc, m))


def with_counts(doc: dict[str, Any], sid: str, counts: dict[str, tuple[int, int]]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["standards"][sid] = {"key_questions": {q: {"yes": k, "relevant": n} for q, (k, n) in counts.items()}}
    return doc


# -- the analysis reads the band tables as the engine applies them ------------------------------


@given(st.sampled_from(bundled_ids()), st.data())
def test_the_band_tables_the_analysis_reads_agree_with_the_engine(methodology_id: str, data: st.DataObject) -> None:
    m = load_methodology(methodology_id)
    doc = data.draw(inspection_documents(m, values=key_question_counts(30)))
    result = rate(doc, m)
    unit = unit_of(doc, m)
    rated_case = [s.id for s in m.standards if s.kind == "case" and result.standards[s.id].rating is not None]
    assert list(unit.varying) == rated_case
    assert unit.overall_ok  # the tables plus the engine's per-profile answers reproduce score and overall
    for sid in unit.varying:
        for q in unit.questions[sid]:
            assert m.scale.ratings[q.rank] == result.standards[sid].key_questions[q.id].band


@settings(max_examples=30)
@example(YORK_DOC)
@given(inspection_documents(M, values=key_question_counts(25)))
def test_key_question_flips_are_the_nearest_band_changes_the_engine_makes(doc: dict[str, Any]) -> None:
    unit = unit_of(doc)
    s = CASE[len(doc["id"]) % len(CASE)]
    q = unit.questions[s.id][0]
    up, down = key_question_flips(q, M.scale.ratings)

    def band_at(yes: int) -> str:
        changed = copy.deepcopy(doc)
        changed["standards"][s.id]["key_questions"][q.id] = {"yes": yes, "relevant": q.relevant}
        return rate(changed, M).standards[s.id].key_questions[q.id].band

    here = M.scale.ratings[q.rank]
    for flip, step, limit in ((up, 1, q.relevant - q.yes), (down, -1, q.yes)):
        reach = limit if flip is None else flip.judgements
        for d in range(1, reach):
            assert band_at(q.yes + step * d) == here
        if flip is None:
            if limit:
                assert band_at(q.yes + step * limit) == here
        else:
            moved = band_at(q.yes + step * flip.judgements)
            assert moved == flip.rating and (M.rank(moved) - M.rank(here)) * step > 0


# -- standards and the overall rating: brute force over every count in a small box -------------

SMALL = st.integers(1, 3).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n)))


@settings(max_examples=12)
@given(
    st.sampled_from(CASE),
    st.tuples(SMALL, SMALL, SMALL),
    inspection_documents(M, values=st.sampled_from([0, 40, 55, 70, 90])),
)
@example(CASE[1], ((3, 1), (3, 2), (3, 3)), YORK_RAW)
def test_flip_distances_are_minimal_and_exact_by_brute_force_through_the_engine(s: Any, counts: Any, doc: dict[str, Any]) -> None:
    """Every count vector in the box is rated by the engine; the cheapest change of rating must cost what is reported.

    Beyond the flips one band up and down, the cheapest counts for *every* rating the standard can
    reach (which the overall flips build on) and the overall rating's distribution (which the
    engine gives for each vector, weighted by its binomial probability) are checked here too.
    """
    kq_ids = [q.id for q in s.key_questions]
    base = {q: (k, n) for q, (n, k) in zip(kq_ids, counts, strict=True)}
    doc = with_counts(doc, s.id, base)
    before = rate(doc, M)
    unit = unit_of(doc)
    assert unit.varying == (s.id,)  # the other standards are percentages: held fixed
    up, down = standard_flips(unit, s.id)
    o_up, o_down = overall_flips(unit)
    here, overall_here = M.rank(before.standards[s.id].rating), M.rank(before.overall)

    cheapest: dict[str, int] = {}
    to_rating: dict[int, int] = {}  # rank -> the fewest judgements that rate the standard exactly that
    distribution = [Fraction(0)] * len(M.scale.ratings)
    overall_distribution_seen = [Fraction(0)] * len(M.scale.ratings)
    pmfs = [binomial_pmf(n, Fraction(k, n)) for (n, k) in counts]
    for yes in itertools.product(*(range(n + 1) for n, _ in counts)):
        cost = sum(abs(y - k) for y, (_, k) in zip(yes, counts, strict=True))
        after = rate(with_counts(doc, s.id, {q: (y, n) for q, y, (n, _) in zip(kq_ids, yes, counts, strict=True)}), M)
        rank, overall = M.rank(after.standards[s.id].rating), M.rank(after.overall)
        probability = math.prod((pmf[y] for pmf, y in zip(pmfs, yes, strict=True)), start=Fraction(1))
        distribution[rank] += probability
        overall_distribution_seen[overall] += probability
        to_rating[rank] = min(to_rating.get(rank, cost), cost)
        for key, moved in (("up", rank > here), ("down", rank < here), ("o_up", overall > overall_here), ("o_down", overall < overall_here)):
            if moved:
                cheapest[key] = min(cheapest.get(key, cost), cost)

    assert (up.judgements if up else None) == cheapest.get("up")
    assert (down.judgements if down else None) == cheapest.get("down")
    assert (o_up.judgements if o_up else None) == cheapest.get("o_up")
    assert (o_down.judgements if o_down else None) == cheapest.get("o_down")
    assert {r: f.judgements for r, f in standard_costs(unit, s.id).items()} == to_rating
    assert tuple(distribution) == standard_distribution(unit, s.id).probabilities  # exact, by enumeration
    assert tuple(overall_distribution_seen) == overall_distribution(unit)[0].probabilities  # the engine's overall, not the analysis's mapping
    for flip in (up, down):
        if flip is not None:
            assert rate(_apply(doc, flip.changes), M).standards[s.id].rating == flip.rating


def _apply(doc: dict[str, Any], changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for c in changes:
        doc["standards"][c.standard]["key_questions"][c.key_question] = {"yes": c.to_yes, "relevant": c.relevant}
    return doc


@settings(max_examples=10)
@given(inspection_documents(M, values=key_question_counts(20)))
@example(YORK_DOC)
def test_the_overall_flip_is_the_cheapest_profile_by_brute_force_through_the_engine(doc: dict[str, Any]) -> None:
    """Every profile of case-based ratings, each at its cheapest counts, rated by the engine.

    The cheapest counts for each standard and rating are found here without the analysis's code:
    each key question's band at every yes count is read from the engine, and every count vector of
    the standard is tried, its rating the lowest of its key questions' bands ('lowest drives',
    itself checked against the engine by the small-box test above). Profiles are then tried
    cheapest first, stopping once no dearer one could beat what was found.
    """
    unit = unit_of(doc)
    here = M.rank(rate(doc, M).overall)
    possible = {"up"} if here == 0 else {"down"} if here == len(M.scale.ratings) - 1 else {"up", "down"}
    costs = {sid: _cheapest_counts_by_brute_force(doc, sid) for sid in unit.varying}
    options = [[(sid, rank, cost, yes) for rank, (cost, yes) in costs[sid].items()] for sid in unit.varying]
    profiles = sorted(itertools.product(*options), key=lambda profile: sum(cost for _, _, cost, _ in profile))
    best: dict[str, int] = {}
    for profile in profiles:
        cost = sum(c for _, _, c, _ in profile)
        if set(best) == possible and cost > max(best.values()):
            break
        changed = copy.deepcopy(doc)
        for sid, _, _, yes in profile:
            for qid, (y, n) in yes.items():
                changed["standards"][sid]["key_questions"][qid] = {"yes": y, "relevant": n}
        overall = M.rank(rate(changed, M).overall)
        if overall != here:
            key = "up" if overall > here else "down"
            best[key] = min(best.get(key, cost), cost)
    up, down = overall_flips(unit)
    assert (up.judgements if up else None) == best.get("up")
    assert (down.judgements if down else None) == best.get("down")
    for flip in (up, down):
        if flip is not None:
            after = rate(_apply(doc, flip.changes), M)
            assert (after.overall, after.score) == (flip.rating, flip.score)


def _cheapest_counts_by_brute_force(doc: dict[str, Any], sid: str) -> dict[int, tuple[int, dict[str, tuple[int, int]]]]:
    """For each rating a standard can reach: the fewest judgements that give it, and the counts that do."""
    observed = {qid: (v["yes"], v["relevant"]) for qid, v in doc["standards"][sid]["key_questions"].items()}
    bands: dict[str, list[int]] = {}
    for qid, (_, n) in observed.items():
        bands[qid] = []
        for y in range(n + 1):
            changed = copy.deepcopy(doc)
            changed["standards"][sid]["key_questions"][qid] = {"yes": y, "relevant": n}
            bands[qid].append(M.rank(rate(changed, M).standards[sid].key_questions[qid].band))
    best: dict[int, tuple[int, dict[str, tuple[int, int]]]] = {}
    ids = list(observed)
    for yes in itertools.product(*(range(observed[q][1] + 1) for q in ids)):
        rank = min(bands[q][y] for q, y in zip(ids, yes, strict=True))
        cost = sum(abs(y - observed[q][0]) for q, y in zip(ids, yes, strict=True))
        if rank not in best or cost < best[rank][0]:
            best[rank] = (cost, {q: (y, observed[q][1]) for q, y in zip(ids, yes, strict=True)})
    return best


# -- probabilities ------------------------------------------------------------------------------


@settings(max_examples=25)
@given(inspection_documents(M, values=key_question_counts(30)))
@example(YORK_DOC)
def test_probabilities_lie_in_zero_one_and_sum_to_one(doc: dict[str, Any]) -> None:
    unit = unit_of(doc)
    overall, guided = overall_distribution(unit)
    for d in [overall, *guided.values(), *(standard_distribution(unit, sid) for sid in unit.varying)]:
        assert all(0 <= p <= 1 for p in d.probabilities)
        assert sum(d.probabilities) == 1  # exactly: these are fractions
        assert 0 <= d.differs <= 1


SIM_DRAWS = 20_000
SIM_LEVEL = 1 - 1e-6
"""The simulation check's level: stricter than the report's 0.999, because one run of the suite makes
hundreds of comparisons and must not fail by chance (at this level, about once in several thousand runs)."""


def test_the_simulation_check_is_tight_enough_to_catch_an_error_of_two_points() -> None:
    """At SIM_DRAWS samples and SIM_LEVEL, every simulated figure's interval reaches at most 1.75 points either side of it.

    The interval is widest for a figure near one half, which is sampled finely; the rest coarsely.
    """
    for hits in sorted({*range(0, SIM_DRAWS + 1, 500), *range(SIM_DRAWS // 2 - 200, SIM_DRAWS // 2 + 201, 20)}):
        interval = clopper_pearson(hits, SIM_DRAWS, SIM_LEVEL)
        p = hits / SIM_DRAWS
        assert p - interval.low <= 0.0175 and interval.high - p <= 0.0175


@settings(max_examples=15)
@given(inspection_documents(M, values=key_question_counts(25)), st.integers(0, 2**32))
@example(YORK_DOC, 1)
def test_exact_and_simulated_figures_agree_within_the_stated_error(doc: dict[str, Any], seed: int) -> None:
    """Each exact probability lies within the simulated estimate's interval (Clopper-Pearson at SIM_LEVEL, SIM_DRAWS samples)."""
    unit = unit_of(doc)
    sim = simulate(unit, SIM_DRAWS, seed, level=SIM_LEVEL)
    overall, _ = overall_distribution(unit)
    assert all(e.agrees_with(p) for e, p in zip(sim.overall, overall.probabilities, strict=True))
    assert sim.overall_differs.agrees_with(overall.differs)
    for sid in unit.varying:
        exact = standard_distribution(unit, sid)
        assert all(e.agrees_with(p) for e, p in zip(sim.standards[sid], exact.probabilities, strict=True))
        assert sim.standards_differ[sid].agrees_with(exact.differs)


LEVELS = st.floats(0.01, 0.999, allow_nan=False)


@given(st.integers(1, 400).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), LEVELS, LEVELS)
@example((14, 20), 0.9, 0.95)
@example((0, 1), 0.5, 0.99)
def test_intervals_contain_the_observed_rate_and_nest_as_the_level_grows(counts: tuple[int, int], a: float, b: float) -> None:
    yes, n = counts
    low_level, high_level = sorted((a, b))
    for method in (wilson, clopper_pearson):
        narrow, wide = method(yes, n, low_level), method(yes, n, high_level)
        for interval in (narrow, wide):
            assert 0 <= interval.low <= yes / n <= interval.high <= 1
        assert wide.low <= narrow.low + 1e-12 and narrow.high <= wide.high + 1e-12


@given(st.integers(1, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))), LEVELS)
def test_clopper_pearson_bounds_are_where_the_binomial_tails_equal_the_level(counts: tuple[int, int], level: float) -> None:
    yes, n = counts
    interval = clopper_pearson(yes, n, level)
    tail = Fraction(1 - level) / 2

    def at_least(p: float) -> Fraction:
        exact = Fraction(p)
        return sum((math.comb(n, i) * exact**i * (1 - exact) ** (n - i) for i in range(yes, n + 1)), Fraction(0))

    def at_most(p: float) -> Fraction:
        exact = Fraction(p)
        return sum((math.comb(n, i) * exact**i * (1 - exact) ** (n - i) for i in range(0, yes + 1)), Fraction(0))

    step = 1e-7
    if yes > 0:
        assert at_least(max(0.0, interval.low - step)) <= tail <= at_least(min(1.0, interval.low + step))
    if yes < n:
        assert at_most(min(1.0, interval.high + step)) <= tail <= at_most(max(0.0, interval.high - step))


# -- the lowest-of-three effect, and the assumption the analysis makes about guidance ------------

RATES = st.integers(0, 100)


@given(st.lists(RATES, min_size=1, max_size=4), st.integers(1, 30))
@example([70, 70, 70], 20)
def test_lowest_drives_never_rates_above_any_key_question_alone(rates: list[int], n: int) -> None:
    effect = lowest_effect(M, rates, n)
    assert sum(effect.distribution.probabilities) == 1
    for alone in effect.alone:
        for r in range(len(M.scale.ratings)):
            assert sum(effect.distribution.probabilities[r:]) <= sum(alone.probabilities[r:])
    if len(rates) == 1:
        assert effect.distribution.probabilities == effect.alone[0].probabilities
    assert 0 <= effect.below_true <= effect.below_typical <= 1


def _permutations(items: list[str]) -> Iterator[list[str]]:
    rng = random.Random(len(items))
    for _ in range(3):
        shuffled = items[:]
        rng.shuffle(shuffled)
        yield shuffled


@settings(max_examples=20)
@given(inspection_documents(M))
@example(YORK_RAW)
def test_guidance_reads_the_informing_ratings_as_a_multiset(doc: dict[str, Any]) -> None:
    """The analysis asks the engine once per multiset of informing ratings; permuting them must not matter."""
    for g in M.guidance:
        informing = [s.id for s in M.informing_standards(g) if s.kind == "case"]
        before = rate(doc, M).standards[g.target]
        for order in _permutations(informing):
            permuted = copy.deepcopy(doc)
            for src, dst in zip(informing, order, strict=True):
                permuted["standards"][dst] = doc["standards"][src]
            after = rate(permuted, M).standards[g.target]
            assert (after.rating, after.indicated) == (before.rating, before.indicated)


def test_analyse_is_deterministic_and_json_ready() -> None:
    first, second = analyse(YORK_DOC), analyse(YORK_DOC)
    assert first.to_dict() == second.to_dict()


# -- a guided standard: brute force over every count of the standards that inform it ----------

GUIDANCE = M.guidance[0]
GUIDED = GUIDANCE.target
INFORMING = [s for s in M.informing_standards(GUIDANCE) if s.kind == "case"]
BOX_LIMIT = 2000
"""The most count vectors one example rates through the engine (each rating takes well under a millisecond)."""


def _informing_counts() -> st.SearchStrategy[dict[str, tuple[tuple[int, int], ...]]]:
    """Counts (relevant, yes) for each key question of one to three informing standards; the rest stay percentages."""
    return st.lists(st.sampled_from(INFORMING), min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({s.id: st.tuples(*(SMALL for _ in s.key_questions)) for s in chosen})
    )


@settings(max_examples=15, deadline=None)
@given(_informing_counts(), inspection_documents(M, values=st.sampled_from([0, 40, 40, 55, 70, 90])))
@example({"P2.2": ((3, 1), (3, 2), (3, 1))}, {**YORK_RAW, "standards": {**YORK_RAW["standards"], "P1.1": {"judgement": "Good", "strengths": []}}})
@example({"P2.2": ((3, 1), (3, 2), (3, 1)), "P2.4": ((2, 1), (2, 1), (2, 0))}, YORK_RAW)
@example({"P2.1": ((3, 1), (2, 1), (1, 0))}, {**YORK_RAW, "standards": {**YORK_RAW["standards"], "P1.1": {"judgement": "Outstanding", "strengths": ["s"]}}})
def test_a_guided_standards_flip_distances_are_minimal_and_exact_by_brute_force_through_the_engine(
    counted: dict[str, tuple[tuple[int, int], ...]], doc: dict[str, Any]
) -> None:
    """Every count vector of the informing standards with counts is rated by the engine (guidance, override and all).

    The guided standard's cheapest change of rating, up and down, must cost what the analysis
    reports; where the analysis says no judgements move it, no vector does, and its sampling
    figures agree; the reported changes, applied, give the reported rating.
    """
    ids = [(sid, q.id) for sid in counted for q in M.standard(sid).key_questions]
    base = [kq for sid in counted for kq in counted[sid]]
    assume(math.prod(n + 1 for n, _ in base) <= BOX_LIMIT)
    for sid, values in counted.items():
        doc = with_counts(doc, sid, {q.id: (k, n) for q, (n, k) in zip(M.standard(sid).key_questions, values, strict=True)})
    before = rate(doc, M).standards[GUIDED].rating
    assume(before is not None)
    report = analyse(doc)
    s = report.standard(GUIDED)
    assert s.informed_by == tuple(sid for sid in (x.id for x in INFORMING) if sid in counted)
    here = M.rank(before)
    cheapest: dict[str, int] = {}
    for yes in itertools.product(*(range(n + 1) for n, _ in base)):
        changed = copy.deepcopy(doc)
        for (sid, qid), y, (n, _) in zip(ids, yes, base, strict=True):
            changed["standards"][sid]["key_questions"][qid] = {"yes": y, "relevant": n}
        rank = M.rank(rate(changed, M).standards[GUIDED].rating)
        cost = sum(abs(y - k) for y, (_, k) in zip(yes, base, strict=True))
        for key, moved in (("up", rank > here), ("down", rank < here)):
            if moved:
                cheapest[key] = min(cheapest.get(key, cost), cost)
    assert (s.up.judgements if s.up else None) == cheapest.get("up")
    assert (s.down.judgements if s.down else None) == cheapest.get("down")
    assert s.fewest == (min(cheapest.values()) if cheapest else None)
    for flip in (s.up, s.down):
        if flip is not None:
            assert rate(_apply(doc, flip.changes), M).standards[GUIDED].rating == flip.rating
            assert {m.standard for m in flip.moves} <= set(counted) and sum(m.judgements for m in flip.moves) == flip.judgements
    if not cheapest:  # what no judgements move, no new sample moves either (the converse fails at a 0% or 100% rate)
        assert s.holds is not None and s.holds.startswith("no case judgements change it")
        assert s.sampling is not None and s.sampling.differs == 0
    else:
        assert s.holds is None
