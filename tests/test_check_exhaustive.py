"""``check``'s shortcuts against brute force: what it proves over classes holds profile by profile.

``check`` examines guidance tables by (lowest, highest) classes rather than by every profile, and
decides monotonicity by three conditions rather than by trying judgements. Here both are compared
with plain enumeration over every profile, every judgement and strengths, with the guided rating
computed as the methodology's meaning states it.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from probation_rules.check.domains import cases_needed, percent_domain
from probation_rules.check.guidance import RowSpec, analyse, profile_classes, profiles_in

from .reference import rounded

CONDITIONS = ("all_at_most", "all_at_least", "any_at_most", "any_at_least")


def holds(row: RowSpec, profile: tuple[int, ...]) -> bool:
    tests = {
        "all_at_most": lambda x: all(r <= x for r in profile),
        "all_at_least": lambda x: all(r >= x for r in profile),
        "any_at_most": lambda x: any(r <= x for r in profile),
        "any_at_least": lambda x: any(r >= x for r in profile),
    }
    return all(tests[name](bound) for name, bound in row.conditions.items())


def guided(indicated: int | None, judged: int, strengths: int, mode: str, override: tuple[int, int] | None) -> int:
    if indicated is None:
        return judged
    if override is not None and judged > indicated and strengths >= override[0]:
        return min(judged, indicated + override[1])
    return indicated if mode == "exact" or judged > indicated else judged


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, int, str, list[RowSpec], tuple[int, int] | None]:
    n = draw(st.integers(2, 4))
    k = draw(st.integers(1, 3))
    rows = draw(
        st.lists(
            st.builds(
                lambda c, i: (c, i),
                st.dictionaries(st.sampled_from(CONDITIONS), st.integers(0, n - 1), min_size=1, max_size=2),
                st.integers(0, n - 1),
            ),
            max_size=4,
        )
    )
    override = draw(st.none() | st.tuples(st.integers(0, 2), st.integers(0, n)))
    return n, k, draw(st.sampled_from(["exact", "ceiling"])), [RowSpec(f"r{i}", c, x) for i, (c, x) in enumerate(rows)], override


@given(tables())
@example((3, 2, "exact", [RowSpec("r0", {"all_at_least": 1}, 1)], None))  # Middle when all are Middle+: a High judgement falls
@example((3, 2, "exact", [RowSpec("r0", {"any_at_least": 1}, 1), RowSpec("r1", {"all_at_most": 0}, 0)], None))  # complete: monotone
@example((3, 2, "ceiling", [RowSpec("r0", {"all_at_most": 1}, 1)], (1, 1)))  # ceiling lets better profiles fall back to the judgement
@example((2, 1, "exact", [RowSpec("r0", {"all_at_least": 1}, 0)], (0, 1)))  # check is conservative here, and says so
def test_guidance_analysis_matches_every_profile_judgement_and_strength(table: tuple[int, int, str, list[RowSpec], tuple[int, int] | None]) -> None:
    n, k, mode, rows, override = table
    analysis = analyse(rows, n, k, "exact" if mode == "exact" else "ceiling")
    profiles = list(itertools.product(range(n), repeat=k))
    indications = {p: {r.indicates for r in rows if holds(r, p)} for p in profiles}

    conflicting_pairs = {
        (a.id, b.id) for p in profiles for i, a in enumerate(rows) for b in rows[i + 1 :] if holds(a, p) and holds(b, p) and a.indicates != b.indicates
    }
    assert {(c.first.id, c.second.id) for c in analysis.conflicts} == conflicting_pairs
    for c in analysis.conflicts:  # the counts add up over the profiles the classes stand for
        assert c.profiles == sum(1 for p in profiles if holds(c.first, p) and holds(c.second, p))
    assert {r.id for r in analysis.unreachable} == {r.id for r in rows if not any(holds(r, p) for p in profiles)}

    clean = [p for p in profiles if len(indications[p]) <= 1]
    falls = any(
        guided(next(iter(indications[q]), None), j, s, mode, override) < guided(next(iter(indications[p]), None), j, s, mode, override)
        for p in clean
        for q in clean
        if all(a <= b for a, b in zip(p, q, strict=True))
        for j in range(n)
        for s in (0, 3)
    )
    if analysis.monotone:
        assert not falls
    if override is None or override[0] >= 1:  # an override needing no strengths always applies, which can mask a descent
        assert analysis.monotone == (not falls)


@given(st.integers(2, 6), st.integers(1, 5))
def test_the_classes_cover_every_profile_once(n: int, k: int) -> None:
    profiles = list(itertools.product(range(n), repeat=k))
    classes = profile_classes(n, k)
    assert sorted({(min(p), max(p)) for p in profiles}) == sorted(classes)
    assert sum(profiles_in(c, k) for c in classes) == n**k


@given(st.sampled_from(["exact", "nearest", "down"]), st.fractions(0, 100, max_denominator=40), st.fractions(Fraction(1, 40), 10, max_denominator=40))
@example("exact", Fraction(99), Fraction(1))
@example("nearest", Fraction(1), Fraction(1, 2))
def test_shares_of_cases_are_listed_exhaustively(rounding: str, low: Fraction, width: Fraction) -> None:
    high = low + width if low + width <= 100 else None
    domain = percent_domain(rounding, 30)  # type: ignore[arg-type]
    brute = any(
        low <= rounded(Fraction(100 * y, n), rounding) and (high is None or rounded(Fraction(100 * y, n), rounding) < high)
        for n in range(1, 31)
        for y in range(n + 1)
    )
    assert domain.practically_reaches(low, high) == brute
    if not brute:
        needed = cases_needed(low, high, rounding, 31)  # type: ignore[arg-type]
        if needed is not None and needed[1] <= 200:
            yes, relevant = needed
            share = rounded(Fraction(100 * yes, relevant), rounding)
            assert low <= share and (high is None or share < high)
            assert not any(
                low <= rounded(Fraction(100 * y, m), rounding) and (high is None or rounded(Fraction(100 * y, m), rounding) < high)
                for m in range(31, relevant)
                for y in range(m + 1)
            )
