"""Hypothesis strategies for methodologies and inspections, for this library's tests and for tools built on it.

Everything is generated from data, so the same strategies serve every framework and every
variant a policy officer writes: :func:`methodologies` makes whole rating frameworks (random
scales, standards, band tables, guidance, overrides and rules for unrated standards),
:func:`inspections` makes documents that fit a given methodology, with percentages at band
edges, case counts and case-by-case answers, and standards left unrated where the methodology
allows it, because rating bugs live at the edges and in the counting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from probation_rules.check.guidance import RowSpec, analyse
from probation_rules.methodology.loader import load_methodology, methodology_from_dict
from probation_rules.methodology.schema import EVIDENCE_LEVELS, Methodology, point_totals

__all__ = [
    "NOT_RATED_REASONS",
    "RATING_NAMES",
    "inspection_documents",
    "inspections",
    "key_question_counts",
    "key_question_values",
    "methodologies",
    "methodology_documents",
]

RATING_NAMES = ("Weak", "Needs work", "Sound", "Strong", "Exemplary", "Not yet", "Fair")
"""Labels generated scales draw from: generic, some with spaces, none a real framework's scale."""

_CONDITIONS = ("all_at_most", "all_at_least", "any_at_most", "any_at_least")


def key_question_counts(max_relevant: int = 60) -> st.SearchStrategy[dict[str, int]]:
    """``{"yes": k, "relevant": n}`` with 1 <= n <= max_relevant and 0 <= k <= n.

    The default of 60 relevant cases is the one ``check`` proves every share for, and the one
    :func:`inspections` uses.
    """
    return st.integers(1, max_relevant).flatmap(lambda n: st.builds(lambda k: {"yes": k, "relevant": n}, st.integers(0, n)))


def key_question_values(max_relevant: int = 60) -> st.SearchStrategy[Any]:
    """A key question result as an inspection document may give it: a percentage or counts."""
    return st.one_of(
        st.integers(0, 100),
        st.floats(0, 100, allow_nan=False, allow_infinity=False),
        key_question_counts(max_relevant),
    )


@st.composite
def inspection_documents(
    draw: st.DrawFn,
    methodology: Methodology | str | None = None,
    values: st.SearchStrategy[Any] | None = None,
    strengths: st.SearchStrategy[list[str]] | None = None,
) -> dict[str, Any]:
    """A valid inspection document (a JSON-ready dict) for ``methodology``."""
    m = load_methodology(methodology)
    values = values if values is not None else key_question_values()
    strengths = strengths if strengths is not None else st.lists(st.sampled_from(["strength A", "strength B", "strength C"]), max_size=3)
    standards: dict[str, Any] = {}
    for s in m.standards:
        if s.kind == "case":
            standards[s.id] = {"key_questions": {q.id: draw(values) for q in s.key_questions}}
        else:
            standards[s.id] = {"judgement": draw(st.sampled_from(m.scale.ratings)), "strengths": draw(strengths)}
    return {"id": "generated", "unit": "Generated unit", "methodology": m.id, "standards": standards}


# -- inspections with edges, counts and cases ---------------------------------------------


def _edge_percentages(m: Methodology) -> list[float]:
    """Each band's lower bound, and just below it, as written and as rounding sees it."""
    edges = {0.0, 100.0}
    for band in m.key_question_bands.bands:
        t = band.at_least
        edges.update(v for v in (t, round(t - 0.000001, 6), t - 0.5, round(t - 0.500001, 6), t + 0.5) if 0 <= v <= 100)
    return sorted(edges)


def _edge_counts(thresholds: Sequence[float], max_relevant: int) -> st.SearchStrategy[dict[str, int]]:
    """Counts whose share is the first at or the last below a band's lower bound."""

    def around(n: int, t: float) -> st.SearchStrategy[dict[str, int]]:
        first = math.ceil(t * n / 100)
        ks = sorted({k for k in (first - 1, first) if 0 <= k <= n})
        return st.sampled_from(ks).map(lambda k: {"yes": k, "relevant": n})

    return st.tuples(st.integers(1, max_relevant), st.sampled_from(list(thresholds))).flatmap(lambda nt: around(*nt))


NOT_RATED_REASONS = ("no relevant cases", "no cases of this kind in the sample")
"""Reasons generated inspections give for leaving a standard unrated."""


def _override_evidence(ratings: Sequence[str], needed: int, strengths: st.SearchStrategy[list[str]], names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A guidance target's judgement and strengths, where its override is decided.

    Often the top rating, so often above what the guidance indicates; and often none, one too
    few, just enough or one more strength than the override needs.
    """
    judgement = st.one_of(st.sampled_from(ratings), st.just(ratings[-1]))
    around = sorted({max(k, 0) for k in (0, needed - 1, needed, needed + 1)})
    count = st.sampled_from(around).map(lambda k: names[:k])
    return st.fixed_dictionaries({"judgement": judgement, "strengths": st.one_of(strengths, count)})


@st.composite
def inspections(
    draw: st.DrawFn,
    methodology: Methodology | str | None = None,
    *,
    max_relevant: int = 60,
    counts: bool = True,
    cases: bool = True,
    unrated: bool = True,
) -> dict[str, Any]:
    """A valid inspection document for ``methodology``, as varied as documents can be.

    Each case-based standard gives its key questions as percentages (often at a band edge),
    as counts of up to ``max_relevant`` relevant cases (often either side of an edge), or leaves
    them to case-by-case answers (1 to 8 cases, answered yes, no or n/a); each judged standard
    gets a judgement and up to one more strength than any override needs. When the methodology
    has a ``not_rated`` rule, any standard may be left unrated, but never every scored one.
    ``counts=False``, ``cases=False`` or ``unrated=False`` leaves that form out: with all three,
    every key question is a percentage, the simplest document there is.
    """
    m = load_methodology(methodology)
    thresholds = [b.at_least for b in m.key_question_bands.bands] or [0.0]
    forms: list[st.SearchStrategy[Any]] = [st.sampled_from(_edge_percentages(m)), st.integers(0, 100), st.floats(0, 100, allow_nan=False, allow_infinity=False)]
    if counts:
        forms += [key_question_counts(max_relevant), _edge_counts(thresholds, max_relevant)]
    values = st.one_of(forms)
    most = max((g.override.min_strengths for g in m.guidance if g.override is not None), default=1)
    names = [f"strength {i + 1}" for i in range(most + 1)]
    strengths = st.lists(st.sampled_from(names), max_size=most + 1, unique=True)
    needs = {g.target: g.override.min_strengths for g in m.guidance if g.override is not None}
    left_unrated = set()
    if unrated and m.not_rated is not None:
        left_unrated = {s.id for s in m.standards if draw(st.integers(0, 4)) == 4}  # one in five; shrinks towards every standard rated
        scored = [s.id for s in m.standards if s.scored]
        if scored and left_unrated.issuperset(scored):
            left_unrated.discard(scored[0])
    standards: dict[str, Any] = {}
    from_cases = []
    for s in m.standards:
        if s.id in left_unrated:
            standards[s.id] = {"not_rated": draw(st.sampled_from(NOT_RATED_REASONS))}
        elif s.id in needs:
            standards[s.id] = draw(_override_evidence(m.scale.ratings, needs[s.id], strengths, names))
        elif s.kind == "judged":
            standards[s.id] = {"judgement": draw(st.sampled_from(m.scale.ratings)), "strengths": draw(strengths)}
        elif cases and draw(st.integers(0, 3)) == 3:  # shrinks towards percentages, the simpler document
            from_cases.append(s)
        else:
            standards[s.id] = {"key_questions": {q.id: draw(values) for q in s.key_questions}}
    doc: dict[str, Any] = {"id": "generated", "unit": "Generated unit", "methodology": m.id, "standards": standards}
    if from_cases:
        answer = st.sampled_from(["yes", "no", "n/a"])
        count = draw(st.integers(1, 8))
        answers = [{s.id: {q.id: draw(answer) for q in s.key_questions} for s in from_cases} for _ in range(count)]
        for s in from_cases:
            for q in s.key_questions:
                if all(a[s.id][q.id] == "n/a" for a in answers):
                    answers[0][s.id][q.id] = draw(st.sampled_from(["yes", "no"]))
        doc["cases"] = [{"id": f"case {i + 1}", "answers": a} for i, a in enumerate(answers)]
    return doc


# -- methodologies -----------------------------------------------------------------------


@st.composite
def _guidance_rows(draw: st.DrawFn, n_ratings: int, n_informing: int, mode: str, strict: bool) -> list[RowSpec]:
    """Rows no profile matches with two indications; with ``strict``, monotone too."""
    if strict and draw(st.booleans()):
        return _ladder(draw, n_ratings)
    candidate = st.builds(
        lambda conditions, indicates: (conditions, indicates),
        st.dictionaries(st.sampled_from(_CONDITIONS), st.integers(0, n_ratings - 1), min_size=1, max_size=2),
        st.integers(0, n_ratings - 1),
    )
    rows: list[RowSpec] = []
    for conditions, indicates in draw(st.lists(candidate, min_size=1, max_size=5)):
        trial = [*rows, RowSpec(f"row{len(rows) + 1}", conditions, indicates)]
        found = analyse(trial, n_ratings, n_informing, "exact" if mode == "exact" else "ceiling")
        if not found.conflicts and not found.unreachable and (found.monotone or not strict):
            rows = trial
    return rows or [RowSpec("row1", {"all_at_most": 0}, 0)]


def _ladder(draw: st.DrawFn, n_ratings: int) -> list[RowSpec]:
    """A complete, monotone table: the lowest (or highest) informing rating, cut into steps."""
    low_side = draw(st.booleans())
    cuts = sorted(draw(st.sets(st.integers(1, n_ratings - 1), max_size=n_ratings - 1)))
    starts, ends = [0, *cuts], [c - 1 for c in cuts] + [n_ratings - 1]
    indications = sorted(draw(st.lists(st.integers(0, n_ratings - 1), min_size=len(starts), max_size=len(starts))))
    rows = []
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        conditions: dict[str, int] = {}
        if a > 0:
            conditions["all_at_least" if low_side else "any_at_least"] = a
        if b < n_ratings - 1:
            conditions["any_at_most" if low_side else "all_at_most"] = b
        rows.append(RowSpec(f"row{i + 1}", conditions or {"all_at_least": 0}, indications[i]))
    return rows


def _make_judged(standard: dict[str, Any]) -> None:
    standard["kind"] = "judged"
    standard.pop("key_questions", None)


def _reachable_scores(standards: list[dict[str, Any]], points: list[int], case_ranks: set[int]) -> list[int]:
    """Every score the points add up to with every scored standard rated; case-based ones get only ``case_ranks``."""
    options = ([p for rank, p in enumerate(points) if s["kind"] != "case" or rank in case_ranks] for s in standards if s.get("scored", True))
    return sorted(point_totals((group, 1) for group in options))


def _overall_thresholds(draw: st.DrawFn, scores: list[int], n: int) -> list[float]:
    """0 and ``n - 1`` lower bounds such that every band holds a score the points add up to.

    Each band above the lowest is anchored on a reachable score and starts anywhere above the
    anchor below it, up to its own anchor; the lowest band holds the lowest reachable score.
    """
    anchors = sorted(draw(st.lists(st.sampled_from(scores[1:]), min_size=n - 1, max_size=n - 1, unique=True)))
    bounds, below = [0.0], scores[0]
    for anchor in anchors:
        bounds.append(float(draw(st.integers(below + 1, anchor))))
        below = anchor
    return bounds


def _thresholds(draw: st.DrawFn, count: int, top: int, decimals: bool) -> list[float]:
    """0 and ``count - 1`` distinct lower bounds above it, up to ``top``."""
    scale = 100 if decimals else 1
    raised = draw(st.lists(st.integers(1, top * scale), min_size=count - 1, max_size=count - 1, unique=True))
    return [0.0, *sorted(v / scale for v in raised)]


@st.composite
def methodology_documents(draw: st.DrawFn, *, strict: bool = True) -> dict[str, Any]:
    """A methodology as the dict a TOML file parses to, for :func:`methodologies`.

    With ``strict`` (the default), ``check`` finds no error in it: band tables and points are
    monotone, every band reachable, every rating reachable overall by a score the points can
    add up to, guidance monotone. Otherwise it is only rateable: every inspection gets a rating
    (no gap, no guidance conflict or chain), but tables may be non-monotone, bands and ratings
    unreachable and overrides need no strengths. Either way, half of them have a ``not_rated``
    section, rescaling the overall bands in proportion to a reduced maximum or leaving them as
    stated.
    """
    n = draw(st.integers(2, 5))
    ratings = draw(st.lists(st.sampled_from(RATING_NAMES), min_size=n, max_size=n, unique=True))
    evidence = st.sampled_from(EVIDENCE_LEVELS)

    def rule(rule_id: str) -> dict[str, Any]:
        return {"id": rule_id, "citation": f"generated: {rule_id}", "evidence": draw(evidence)}

    domains = [{"id": f"d{i + 1}", "name": f"Domain {i + 1}"} for i in range(draw(st.integers(1, 3)))]
    standards: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["judged", "case"]))
        standard: dict[str, Any] = {"id": f"S{i + 1}", "name": f"Standard {i + 1}", "domain": draw(st.sampled_from(domains))["id"], "kind": kind}
        if kind == "case":
            standard["key_questions"] = [
                {"id": f"q{j + 1}", "label": f"question {j + 1}", "text": f"Question {j + 1}?"} for j in range(draw(st.integers(1, 3)))
            ]
        if draw(st.integers(0, 4)) == 0:
            standard["scored"] = False
        standards.append(standard)
    scored = sum(1 for s in standards if s.get("scored", True))
    if strict and scored == 0:
        del standards[0]["scored"]
        scored = 1

    if strict:
        points = [draw(st.integers(0, 1))]
        for _ in range(n - 1):
            points.append(points[-1] + draw(st.integers(0, 2)))
    else:
        points = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))

    rounding = draw(st.sampled_from(["exact", "nearest", "down"]))
    kq_count = draw(st.integers(1, n + 1))
    kq_at = _thresholds(draw, kq_count, 100, decimals=(rounding == "exact" or not strict) and draw(st.booleans()))
    if strict:
        kq_ranks = sorted(draw(st.lists(st.integers(0, n - 1), min_size=kq_count, max_size=kq_count)))
        if set(kq_ranks) != set(range(n)) and all(s["kind"] == "case" for s in standards):
            _make_judged(standards[0])  # else some rating no standard can be given
        scores = _reachable_scores(standards, points, set(kq_ranks))
        if len(scores) < n:  # too few scores for every rating to be reachable overall: points one apart
            for i in range(1, n):
                points[i] = max(points[i], points[i - 1] + 1)
            scores = _reachable_scores(standards, points, set(kq_ranks))
        if len(scores) < n:  # and a judged standard, which earns every rating's points
            _make_judged(next(s for s in standards if s.get("scored", True)))
            scores = _reachable_scores(standards, points, set(kq_ranks))
        overall_at = _overall_thresholds(draw, scores, n)
        overall_ranks = list(range(n))
    else:
        max_score = max(points) * scored
        kq_ranks = draw(st.lists(st.integers(0, n - 1), min_size=kq_count, max_size=kq_count))
        overall_count = draw(st.integers(1, min(n + 1, max_score + 3)))
        overall_at = _thresholds(draw, overall_count, max_score + 2, decimals=False)
        overall_ranks = draw(st.lists(st.integers(0, n - 1), min_size=overall_count, max_size=overall_count))

    doc: dict[str, Any] = {
        "schema": 1,
        "id": "generated",
        "version": "0.0.1",
        "title": "A generated methodology",
        "scale": {**rule("scale"), "ratings": ratings},
        "points": {**rule("points"), "rows": [{"id": f"points.{i}", "rating": r, "points": p} for i, (r, p) in enumerate(zip(ratings, points, strict=True))]},
        "domains": domains,
        "judged_rating": rule("judgement"),
        "standards": standards,
        "key_question_score": {**rule("kq-score"), "rounding": rounding},
        "key_question_bands": {
            **rule("kq-bands"),
            "bands": [{"id": f"kq-bands.{i}", "rating": ratings[r], "at_least": a} for i, (a, r) in enumerate(zip(kq_at, kq_ranks, strict=True))],
        },
        "case_rating": rule("lowest-drives"),
        "score": rule("score"),
        "overall_bands": {
            **rule("overall-bands"),
            "bands": [
                {"id": f"overall-bands.{i}", "rating": ratings[r], "at_least": a} for i, (a, r) in enumerate(zip(overall_at, overall_ranks, strict=True))
            ],
        },
    }
    for table in ("key_question_bands", "overall_bands"):
        if draw(st.booleans()):  # files need not list bands in order
            doc[table]["bands"] = draw(st.permutations(doc[table]["bands"]))
    doc["guidance"] = _guidance(draw, doc, ratings, strict, rule)
    if draw(st.booleans()):  # inspectors may leave standards unrated; the overall bands rescale, or stand
        doc["not_rated"] = {**rule("not-rated"), "rescale": {**rule("not-rated.rescale"), "method": draw(st.sampled_from(["proportional", "none"]))}}
    return doc


def _guidance(draw: st.DrawFn, doc: dict[str, Any], ratings: list[str], strict: bool, rule: Any) -> list[dict[str, Any]]:
    """Up to two guidance tables; none reads a standard another decides (the engine cannot order that)."""
    standards = doc["standards"]
    judged = [s["id"] for s in standards if s["kind"] == "judged"]
    if not judged:
        return []
    # Mostly one table or two, and mostly with an override: where the engine decides the most.
    targets = draw(st.lists(st.sampled_from(judged), min_size=min(draw(st.integers(0, 3)), 1), max_size=min(2, len(judged)), unique=True))
    tables = []
    for t, target in enumerate(targets):
        free = [s for s in standards if s["id"] not in targets]
        domains = sorted({s["domain"] for s in free if all(o["id"] == target or o["id"] not in targets for o in standards if o["domain"] == s["domain"])})
        if not free:
            continue
        table: dict[str, Any] = {**rule(f"g{t + 1}"), "target": target, "mode": draw(st.sampled_from(["exact", "ceiling"]))}
        by_domain = draw(st.booleans())
        if domains and by_domain:
            table["from_domain"] = draw(st.sampled_from(domains))
            n_informing = sum(1 for s in standards if s["domain"] == table["from_domain"] and s["id"] != target)
        else:
            table["from_standards"] = draw(st.lists(st.sampled_from([s["id"] for s in free]), min_size=1, max_size=len(free), unique=True))
            n_informing = len(table["from_standards"])
        rows = draw(_guidance_rows(len(ratings), n_informing, table["mode"], strict))
        table["rows"] = [
            {"id": f"g{t + 1}.{row.id}", "indicates": ratings[row.indicates], **{c: ratings[r] for c, r in row.conditions.items()}} for row in rows
        ]
        if draw(st.integers(0, 3)):
            table["override"] = {
                **rule(f"g{t + 1}.override"),
                "min_strengths": draw(st.integers(1 if strict else 0, 2)),
                "max_bands_up": draw(st.integers(0, len(ratings))),
            }
        tables.append(table)
    return tables


def methodologies(*, strict: bool = True) -> st.SearchStrategy[Methodology]:
    """Whole methodologies: 2-5 ratings, 1-6 standards, band tables, rounding, guidance, overrides, unrated standards.

    ``strict`` as for :func:`methodology_documents`: by default every one checks without error.
    """
    return methodology_documents(strict=strict).map(methodology_from_dict)
