"""Guidance tables over every profile of informing ratings, and the overrides attached to them.

Every row condition reads only the lowest and the highest informing rating: ``all_at_most X``
is "highest <= X", ``all_at_least X`` "lowest >= X", ``any_at_most X`` "lowest <= X",
``any_at_least X`` "highest >= X". So the len(scale) ** n profiles fall into classes by their
(lowest, highest) pair, every row matches a whole class or none of it, and examining each class
once examines every profile - exhaustively, however many standards inform the table. One profile
is better than another (every rating at least as good) only if its lowest and highest are at
least as good, and for any two such pairs there are profiles ordered that way; so monotonicity
over classes is monotonicity over profiles.

Monotone means the guided standard never falls as the informing ratings rise. Where both
profiles have an indication, the indication must not fall. Where a better profile has none, the
inspectors' judgement stands, which can be anything: in "exact" mode (the indication replaces a
judgement) only the lowest rating may then be indicated below it. Where a worse profile has
none, only the highest rating may be indicated above it, in either mode. The verdict assumes an
inspection may record no strengths: an override that needs none always applies and can mask a
descent, but it is an error of its own (``override-without-strengths``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Literal

import attrs

from probation_rules.check.findings import Finding
from probation_rules.methodology.schema import Guidance, GuidanceMode, GuidanceRow, Methodology

__all__ = ["Conflict", "Descent", "RowSpec", "TableAnalysis", "analyse", "guidance_findings", "profile_classes", "profiles_in", "row_spec"]

Profile = tuple[int, int]
"""A class of profiles: (lowest rank, highest rank) of the informing ratings."""

_TESTS: dict[str, Callable[[int, int, int], bool]] = {
    "all_at_most": lambda low, high, x: high <= x,
    "all_at_least": lambda low, high, x: low >= x,
    "any_at_most": lambda low, high, x: low <= x,
    "any_at_least": lambda low, high, x: high >= x,
}


@attrs.frozen
class RowSpec:
    """A guidance row with ratings as ranks (0 is the lowest rating)."""

    id: str
    conditions: Mapping[str, int]
    indicates: int

    def matches(self, profile: Profile) -> bool:
        low, high = profile
        return all(_TESTS[name](low, high, rank) for name, rank in self.conditions.items())


def profile_classes(n_ratings: int, n_informing: int) -> list[Profile]:
    """Every (lowest, highest) pair some profile has, simplest first."""
    if n_informing <= 0:
        return []
    if n_informing == 1:
        return [(r, r) for r in range(n_ratings)]
    return [(low, high) for low in range(n_ratings) for high in range(low, n_ratings)]


def profiles_in(profile: Profile, n_informing: int) -> int:
    """How many profiles of n ratings have this lowest and highest rating."""
    low, high = profile
    if low == high:
        return 1
    width = high - low + 1
    return int(width**n_informing - 2 * (width - 1) ** n_informing + (width - 2) ** n_informing)


@attrs.frozen
class Conflict:
    first: RowSpec
    second: RowSpec
    profile: Profile
    profiles: int


@attrs.frozen
class Descent:
    """A better profile whose guided standard can be rated lower than a worse one's."""

    kind: Literal["lower", "unindicated-above", "unindicated-below"]
    worse: Profile
    better: Profile
    worse_row: RowSpec | None
    better_row: RowSpec | None


@attrs.frozen
class TableAnalysis:
    conflicts: tuple[Conflict, ...]
    unreachable: tuple[RowSpec, ...]
    descents: tuple[Descent, ...]
    indication: Mapping[Profile, RowSpec | None]
    """The first row matching each conflict-free class, or None where no row matches."""

    @property
    def monotone(self) -> bool:
        return not self.descents


def analyse(rows: Sequence[RowSpec], n_ratings: int, n_informing: int, mode: GuidanceMode) -> TableAnalysis:
    """Conflicts, rows that never match and descents of one guidance table, over every profile."""
    classes = profile_classes(n_ratings, n_informing)
    conflicts: dict[tuple[str, str], Conflict] = {}
    indication: dict[Profile, RowSpec | None] = {}
    matched: set[str] = set()
    for profile in classes:
        hits = [row for row in rows if row.matches(profile)]
        matched.update(row.id for row in hits)
        clash = False
        for i, first in enumerate(hits):
            for second in hits[i + 1 :]:
                if first.indicates != second.indicates:
                    clash = True
                    key = (first.id, second.id)
                    count = profiles_in(profile, n_informing)
                    seen = conflicts.get(key)
                    conflicts[key] = Conflict(first, second, profile, count) if seen is None else attrs.evolve(seen, profiles=seen.profiles + count)
        if not clash:
            indication[profile] = hits[0] if hits else None
    descents = _descents(indication, n_ratings, mode)
    return TableAnalysis(tuple(conflicts.values()), tuple(r for r in rows if r.id not in matched), descents, indication)


def _descents(indication: Mapping[Profile, RowSpec | None], n_ratings: int, mode: GuidanceMode) -> tuple[Descent, ...]:
    top = n_ratings - 1
    found: dict[tuple[str, str | None, str | None], Descent] = {}
    for worse, worse_row in indication.items():
        for better, better_row in indication.items():
            if better == worse or better[0] < worse[0] or better[1] < worse[1]:
                continue
            descent: Descent | None = None
            if worse_row is not None and better_row is not None and better_row.indicates < worse_row.indicates:
                descent = Descent("lower", worse, better, worse_row, better_row)
            elif worse_row is not None and better_row is None and mode == "exact" and worse_row.indicates > 0:
                descent = Descent("unindicated-above", worse, better, worse_row, None)
            elif worse_row is None and better_row is not None and better_row.indicates < top:
                descent = Descent("unindicated-below", worse, better, None, better_row)
            if descent is not None:
                key = (descent.kind, worse_row.id if worse_row else None, better_row.id if better_row else None)
                found.setdefault(key, descent)
    return tuple(found.values())


def row_spec(m: Methodology, row: GuidanceRow) -> RowSpec:
    return RowSpec(row.id, {name: m.rank(rating) for name, rating in row.conditions().items()}, m.rank(row.indicates))


def guidance_findings(m: Methodology) -> Iterator[Finding]:
    yield from _structure_findings(m)
    for g_index, g in enumerate(m.guidance):
        yield from _table_findings(m, g_index, g)
        yield from _override_findings(m, g_index, g)


def _structure_findings(m: Methodology) -> Iterator[Finding]:
    """The engine rates every informing standard before any guidance: tables cannot feed each other."""
    decided_by: dict[str, int] = {}
    for g_index, g in enumerate(m.guidance):
        if g.target in decided_by:
            yield Finding(
                "guidance-same-target",
                f"guidance[{g_index}].target",
                f"{g.target} is already decided by guidance[{decided_by[g.target]}] ({m.guidance[decided_by[g.target]].id}); "
                "two tables for one standard would leave the last to win silently",
            )
        else:
            decided_by[g.target] = g_index
    for g_index, g in enumerate(m.guidance):
        field = "from_domain" if g.from_domain is not None else "from_standards"
        for s in m.informing_standards(g):
            if s.id in decided_by:
                yield Finding(
                    "guidance-chain",
                    f"guidance[{g_index}].{field}",
                    f"{g.id} reads {s.id}, which guidance[{decided_by[s.id]}] decides: guidance tables read ratings given before any guidance, "
                    f"so {s.id} has no rating yet when {g.id} is applied",
                )


def _example(m: Methodology, g: Guidance, profile: Profile) -> str:
    """One profile of the class, in words: the first informing standard lowest, the rest highest."""
    informing = [s.id for s in m.informing_standards(g)]
    low, high = (m.scale.ratings[r] for r in profile)
    if len(informing) == 1:
        return f"{informing[0]} {low}"
    if low == high:
        return f"all of {', '.join(informing)} {low}"
    return f"{informing[0]} {low}; {', '.join(informing[1:])} {high}"


def _row_path(g_index: int, g: Guidance, row: RowSpec) -> str:
    return f"guidance[{g_index}].rows[{next(i for i, r in enumerate(g.rows) if r.id == row.id)}]"


def _table_findings(m: Methodology, g_index: int, g: Guidance) -> Iterator[Finding]:
    label = m.scale.ratings
    n = len(m.informing_standards(g))
    analysis = analyse([row_spec(m, row) for row in g.rows], len(label), n, g.mode)
    for c in analysis.conflicts:
        yield Finding(
            "guidance-conflict",
            _row_path(g_index, g, c.second),
            f"{c.first.id} indicates {label[c.first.indicates]} and {c.second.id} indicates {label[c.second.indicates]} "
            f"for the same profiles ({c.profiles} of {len(label) ** n}), for example {_example(m, g, c.profile)}",
        )
    for row in analysis.unreachable:
        yield Finding("unreachable-row", _row_path(g_index, g, row), f"{row.id}: no profile of {n} informing rating(s) satisfies all its conditions")
    for d in analysis.descents:
        worse, better = _example(m, g, d.worse), _example(m, g, d.better)
        if d.kind == "lower" and d.worse_row is not None and d.better_row is not None:
            yield Finding(
                "not-monotone",
                _row_path(g_index, g, d.better_row),
                f"{d.better_row.id} indicates {label[d.better_row.indicates]} for {better}, lower than {label[d.worse_row.indicates]} "
                f"({d.worse_row.id}) for the worse profile {worse}: better informing ratings must not indicate a lower {g.target}",
            )
        elif d.kind == "unindicated-above" and d.worse_row is not None:
            yield Finding(
                "not-monotone",
                _row_path(g_index, g, d.worse_row),
                f"{d.worse_row.id} indicates {label[d.worse_row.indicates]} for {worse}, but no row matches the better profile {better}, "
                f"so a judgement of {label[0]} stands there: {g.target} would fall as the profile improves "
                f'(in "exact" mode, an indication with unindicated profiles above it must be {label[0]})',
            )
        elif d.better_row is not None:
            yield Finding(
                "not-monotone",
                _row_path(g_index, g, d.better_row),
                f"{d.better_row.id} indicates {label[d.better_row.indicates]} for {better}, but no row matches the worse profile {worse}, "
                f"so a judgement of {label[-1]} stands there: {g.target} would fall as the profile improves "
                f"(an indication with unindicated profiles below it must be {label[-1]})",
            )


def _override_findings(m: Methodology, g_index: int, g: Guidance) -> Iterator[Finding]:
    o = g.override
    if o is None:
        return
    where = f"guidance[{g_index}].override"
    top = len(m.scale.ratings) - 1
    if not g.rows:
        yield Finding("override-no-target", where, f"{o.id} departs from {g.id}, which has no rows: there is no indication to depart from")
    if o.min_strengths == 0:
        yield Finding(
            "override-without-strengths",
            f"{where}.min_strengths",
            f"{o.id} needs no recorded strengths (min_strengths = 0): a departure from {g.id} would have no stated reason",
        )
    if o.max_bands_up == 0:
        yield Finding("override-never-applies", f"{where}.max_bands_up", f"{o.id} may depart by 0 bands: every departure is capped back to the indication")
    elif o.max_bands_up >= top:
        yield Finding(
            "override-unlimited",
            f"{where}.max_bands_up",
            f"{o.id} may depart by {o.max_bands_up} bands on a scale of {top + 1} ratings: the limit never binds",
        )
    if g.rows and all(m.rank(row.indicates) == top for row in g.rows):
        yield Finding(
            "override-never-applies", where, f"every row of {g.id} indicates {m.scale.ratings[-1]}, the highest rating: there is nothing to depart upwards from"
        )
