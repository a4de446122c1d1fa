"""Read a methodology from a bundled id or a TOML file, and refuse it whole if anything is wrong.

Loading checks the file's shape and its cross-references (every rating, standard and domain a
rule names must exist; every rule id must be unique) and reports all problems at once. Whether
the tables are *consistent* (no gaps, no overlaps, monotone) is ``check``'s job: a policy officer
must be able to load a broken variant in order to be told what is wrong with it.

Choosing a bundled framework by fieldwork date is here too, because it is a question about the
set of bundled files: within one inspection programme their in-force ranges must not share a
day (:func:`in_force_overlaps`), so that a date names at most one framework.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import os
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from probation_rules._convert import render_path, structure
from probation_rules.errors import InputFileError, MethodologyError, Problem, UnknownMethodologyError, did_you_mean
from probation_rules.methodology.history import HISTORY_FILE
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import as_fraction

__all__ = [
    "DEFAULT_METHODOLOGY",
    "bundled",
    "bundled_ids",
    "in_force_overlaps",
    "in_force_range",
    "load_methodology",
    "methodology_from_dict",
    "select_methodology",
]

DEFAULT_METHODOLOGY = "hmip-pdu-2023"
MAX_POINTS = 1000
_PACKAGE = "probation_rules.methodologies"
_LOADER_FIELDS = ("source", "sha256", "lineage")


def bundled_ids() -> list[str]:
    """Ids of the methodologies shipped with the library."""
    files = (entry.name for entry in resources.files(_PACKAGE).iterdir())
    return sorted(name[: -len(".toml")] for name in files if name.endswith(".toml") and name != HISTORY_FILE)


def bundled() -> list[Methodology]:
    """Every methodology shipped with the library, in id order."""
    return [_load_bundled(methodology_id) for methodology_id in bundled_ids()]


def in_force_range(m: Methodology) -> str:
    """'2021-06-01 to 2023-05-31', '2023-06-01 onwards', or 'not stated'."""
    if m.in_force_from is None and m.in_force_until is None:
        return "not stated"
    since = m.in_force_from.isoformat() if m.in_force_from else "the start"
    return f"{since} to {m.in_force_until.isoformat()}" if m.in_force_until else f"{since} onwards"


def in_force_overlaps(methodologies: Iterable[Methodology]) -> list[Problem]:
    """Pairs of frameworks of one programme whose in-force ranges share a day.

    Such a pair makes selection by fieldwork date ambiguous, so selection refuses to guess.
    Frameworks with no programme or no stated dates are never selected by date and never clash.
    """
    dated = [m for m in methodologies if m.programme is not None and (m.in_force_from or m.in_force_until)]
    problems = []
    for a, b in itertools.combinations(dated, 2):
        if a.programme != b.programme:
            continue
        starts_before_b_ends = b.in_force_until is None or a.in_force_from is None or a.in_force_from <= b.in_force_until
        b_starts_before_a_ends = a.in_force_until is None or b.in_force_from is None or b.in_force_from <= a.in_force_until
        if starts_before_b_ends and b_starts_before_a_ends:
            problems.append(
                Problem(
                    "in_force_from",
                    f"overlaps {b.id} ({in_force_range(b)}{', ' + b.source if b.source else ''}) in programme {a.programme!r}: "
                    "a fieldwork date would name two frameworks",
                    in_force_range(a),
                    file=a.source,
                )
            )
    return problems


def select_methodology(fieldwork_start: datetime.date | None, programme: str | None = None) -> tuple[Methodology, str]:
    """The bundled framework for an inspection that names none, and how it was chosen.

    With a fieldwork date: the framework of the programme (the inspection's, else the default
    framework's) in force on that date, ``"fieldwork_start"``. Without one: the default framework
    (``"default"``), or for another programme its most recent framework (``"programme"``).
    """
    default = _load_bundled(DEFAULT_METHODOLOGY)
    wanted = programme if programme is not None else default.programme
    if fieldwork_start is None and (programme is None or programme == default.programme):
        return default, "default"
    everything = bundled()
    overlaps = in_force_overlaps(everything)
    if overlaps:
        raise MethodologyError(overlaps)
    members = [m for m in everything if m.programme == wanted]
    if not members:
        known = sorted({m.programme for m in everything if m.programme})
        raise UnknownMethodologyError(
            Problem("programme", f"must be an inspection programme of a bundled methodology ({', '.join(known)})", wanted, did_you_mean(wanted, known))
        )
    if fieldwork_start is None:
        return max(members, key=lambda m: m.in_force_from or datetime.date.min), "programme"
    found = [m for m in members if m.in_force_on(fieldwork_start)]
    if not found:
        ranges = "; ".join(f"{m.id} {in_force_range(m)}" for m in members)
        raise UnknownMethodologyError(
            Problem(
                "fieldwork_start",
                f'falls outside every bundled {wanted} framework ({ranges}): name one with "methodology"',
                fieldwork_start.isoformat(),
            )
        )
    return found[0], "fieldwork_start"


def load_methodology(which: str | os.PathLike[str] | Methodology | None = None) -> Methodology:
    """A methodology by bundled id (``"hmip-pdu-2023"``) or by path to a TOML file."""
    if isinstance(which, Methodology):
        return which
    if which is None:
        which = DEFAULT_METHODOLOGY
    name = os.fspath(which)
    if name in bundled_ids():
        return _load_bundled(name)
    path = Path(name)
    if path.is_file():
        return _load_file(path)
    if path.suffix == ".toml" or os.sep in name:
        raise InputFileError(Problem(path="", expected="no such methodology file", value=name))
    raise UnknownMethodologyError(
        Problem(
            path="methodology",
            expected=f"must be a bundled methodology id ({', '.join(bundled_ids())}) or a path to a TOML file",
            value=name,
            suggestion=did_you_mean(name, bundled_ids()),
        )
    )


@functools.cache
def _load_bundled(methodology_id: str) -> Methodology:
    resource = resources.files(_PACKAGE).joinpath(f"{methodology_id}.toml")
    return _parse(resource.read_bytes(), f"{methodology_id}.toml")


def _load_file(path: Path) -> Methodology:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFileError(Problem(path="", expected=f"cannot be read: {exc.strerror}"), file=str(path)) from exc
    return _parse(raw, str(path))


def _parse(raw: bytes, file: str) -> Methodology:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise MethodologyError(Problem(path="", expected="must be UTF-8 text"), file=file) from exc
    except tomllib.TOMLDecodeError as exc:
        raise MethodologyError(Problem(path="", expected=f"is not valid TOML: {exc}"), file=file) from exc
    if "extends" in data:  # a variant: a small change to another methodology, applied in its own module
        from probation_rules.methodology.variants import variant_from_dict

        return variant_from_dict(data, raw, file)
    methodology = methodology_from_dict(data, file=file)
    return attrs.evolve(methodology, source=file, sha256=hashlib.sha256(raw).hexdigest())


def methodology_from_dict(data: Any, *, file: str | None = None) -> Methodology:
    """Structure and validate a methodology already parsed from TOML or JSON."""
    problems: list[Problem] = []
    if isinstance(data, dict):
        for key in _LOADER_FIELDS:
            if key in data:
                problems.append(Problem(path=key, expected="is set by the loader and cannot be written in the file", file=file))
        data = {k: v for k, v in data.items() if k not in _LOADER_FIELDS}
    methodology, shape_problems = structure(data, Methodology, file=file)
    problems.extend(shape_problems)
    if methodology is not None:
        problems.extend(p.with_file(file) for p in _reference_problems(methodology))
    if problems or methodology is None:
        raise MethodologyError(problems, file=file)
    if not methodology.sha256:
        methodology = attrs.evolve(methodology, sha256=_content_hash(data))
    return methodology


def _content_hash(data: Any) -> str:
    import json

    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _reference_problems(m: Methodology) -> Iterator[Problem]:
    ratings = m.scale.ratings

    def rating(path: tuple[str | int, ...], value: str) -> Iterator[Problem]:
        if value not in ratings:
            yield Problem(render_path(path), f"must be a rating on the scale ({', '.join(ratings)})", value, did_you_mean(value, ratings))

    if m.schema != 1:
        yield Problem("schema", "must be 1 (the only methodology schema this version reads)", m.schema)
    if len(ratings) < 2:
        yield Problem("scale.ratings", "must list at least two ratings, lowest first", list(ratings))
    for label, n in Counter(ratings).items():
        if n > 1:
            yield Problem("scale.ratings", "must not repeat a rating", label)

    if m.in_force_from is not None and m.in_force_until is not None and m.in_force_until < m.in_force_from:
        yield Problem("in_force_until", f"must not be before in_force_from ({m.in_force_from.isoformat()})", m.in_force_until.isoformat())
    if m.programme is not None and not m.programme.strip():
        yield Problem("programme", "must not be empty (leave it out for a framework not chosen by date)", m.programme)

    for dup, n in Counter(rule.id for rule in m.rules()).items():
        if n > 1:
            yield Problem("id", f"rule ids must be unique ({n} rules share this id)", dup)

    for i, points_row in enumerate(m.points.rows):
        yield from rating(("points", "rows", i, "rating"), points_row.rating)
        if points_row.points < 0:
            yield Problem(render_path(("points", "rows", i, "points")), "must not be negative", points_row.points)
        elif points_row.points > MAX_POINTS:
            # Bounded so that every score stays a number the engine compares exactly.
            yield Problem(render_path(("points", "rows", i, "points")), f"must be at most {MAX_POINTS}", points_row.points)
    given = Counter(r.rating for r in m.points.rows)
    for label in ratings:
        if given[label] != 1:
            yield Problem("points.rows", f"must give points for every rating exactly once ({label!r} appears {given[label]} times)")

    domain_ids = [d.id for d in m.domains]
    standard_ids = [s.id for s in m.standards]
    for dup, n in Counter(standard_ids).items():
        if n > 1:
            yield Problem("standards", "must not repeat a standard id", dup)
    for i, s in enumerate(m.standards):
        if s.domain not in domain_ids:
            yield Problem(
                render_path(("standards", i, "domain")), f"must be a domain id ({', '.join(domain_ids)})", s.domain, did_you_mean(s.domain, domain_ids)
            )
        if s.kind == "case" and not s.key_questions:
            yield Problem(render_path(("standards", i, "key_questions")), f"a case-based standard ({s.id}) needs at least one key question")
        if s.kind == "judged" and s.key_questions:
            yield Problem(render_path(("standards", i, "key_questions")), f"a judged standard ({s.id}) must have no key questions")
        for kq, n in Counter(q.id for q in s.key_questions).items():
            if n > 1:
                yield Problem(render_path(("standards", i, "key_questions")), "must not repeat a key question id", kq)

    for table_name, table, top in (("key_question_bands", m.key_question_bands, 100), ("overall_bands", m.overall_bands, None)):
        for i, band in enumerate(table.bands):
            yield from rating((table_name, "bands", i, "rating"), band.rating)
            where = render_path((table_name, "bands", i, "at_least"))
            if band.at_least < 0 or (top is not None and band.at_least > top):
                yield Problem(where, f"must be between 0 and {top}" if top else "must not be negative", band.at_least)
            if table_name == "key_question_bands" and (as_fraction(band.at_least) * 10**6).denominator != 1:  # as written: 64.9 * 10**6 is not whole in binary
                yield Problem(where, "must have at most six decimal places", band.at_least)
            if table_name == "overall_bands" and band.at_least != int(band.at_least):
                yield Problem(where, "must be a whole number of points", band.at_least)
            elif table_name == "overall_bands" and band.at_least > MAX_POINTS * max(1, len(m.standards)):
                yield Problem(where, f"must be at most {MAX_POINTS} points per standard", band.at_least)

    for g_i, g in enumerate(m.guidance):
        base = ("guidance", g_i)
        if g.target not in standard_ids:
            yield Problem(render_path((*base, "target")), "must be a standard id", g.target, did_you_mean(g.target, standard_ids))
        elif m.standard(g.target).kind != "judged":
            yield Problem(render_path((*base, "target")), "must be a judged standard (guidance informs an inspectors' judgement)", g.target)
        if (g.from_domain is None) == (not g.from_standards):
            yield Problem(render_path(base), "must name the informing standards with exactly one of from_domain or from_standards")
        if g.from_domain is not None and g.from_domain not in domain_ids:
            yield Problem(render_path((*base, "from_domain")), "must be a domain id", g.from_domain, did_you_mean(g.from_domain, domain_ids))
        for s_id in g.from_standards:
            if s_id not in standard_ids:
                yield Problem(render_path((*base, "from_standards")), "must list standard ids", s_id, did_you_mean(s_id, standard_ids))
        if g.from_domain is not None and g.from_domain in domain_ids and not m.informing_standards(g):
            yield Problem(render_path((*base, "from_domain")), "names a domain with no standards besides the target", g.from_domain)
        for r_i, row in enumerate(g.rows):
            yield from rating((*base, "rows", r_i, "indicates"), row.indicates)
            if not row.conditions():
                yield Problem(render_path((*base, "rows", r_i)), "needs at least one condition (all_at_most, all_at_least, any_at_most or any_at_least)")
            for cond, value in row.conditions().items():
                yield from rating((*base, "rows", r_i, cond), value)
        if g.override is not None:
            for name in ("min_strengths", "max_bands_up"):
                value = getattr(g.override, name)
                if value < 0:
                    yield Problem(render_path((*base, "override", name)), "must not be negative", value)
