"""Read a methodology from a bundled id or a TOML file, and refuse it whole if anything is wrong.

Loading checks the file's shape and its cross-references (every rating, standard and domain a
rule names must exist; every rule id must be unique) and reports all problems at once. Whether
the tables are *consistent* (no gaps, no overlaps, monotone) is ``check``'s job: a policy officer
must be able to load a broken variant in order to be told what is wrong with it.

Choosing a bundled framework by fieldwork date is here too, because it is a question about the
set of bundled files: within one inspection programme their in-force ranges must not share a
day (:func:`in_force_overlaps`), so that a date names at most one framework. Which framework
applies when nothing says is data as well: the bundle file (``bundle.toml`` beside the
methodologies) names it, and :data:`DEFAULT_METHODOLOGY` is read from there.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from importlib import resources
from typing import Any

import attrs

from probation_rules._convert import render_path, structure
from probation_rules.errors import InspectionError, MethodologyError, Problem, UnknownMethodologyError, did_you_mean
from probation_rules.methodology.history import HISTORY_FILE
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import as_fraction
from probation_rules.reading import decode, parse_toml, read_bytes

__all__ = [
    "BUNDLE_FILE",
    "DEFAULT_METHODOLOGY",
    "Fitting",
    "bundled",
    "bundled_ids",
    "bundled_programmes",
    "in_force_overlaps",
    "in_force_range",
    "load_methodology",
    "methodology_from_dict",
    "misfit_error",
    "reference_problems",
    "select_methodology",
]

MAX_POINTS = 1000
BUNDLE_FILE = "bundle.toml"
"""Facts about the set of bundled methodologies rather than any one of them: which is the default."""
_PACKAGE = "probation_rules.methodologies"
_LOADER_FIELDS = ("source", "sha256", "lineage")

Fitting = Callable[[Sequence[Methodology]], list[Methodology]]
"""Given some methodologies, those an inspection's standards fit (for saying which would have)."""


def bundled_ids() -> list[str]:
    """Ids of the methodologies shipped with the library."""
    files = (entry.name for entry in resources.files(_PACKAGE).iterdir())
    return sorted(name[: -len(".toml")] for name in files if name.endswith(".toml") and name not in (HISTORY_FILE, BUNDLE_FILE))


def _default_id(text: str | None = None) -> str:
    """The default methodology's id, from the bundle file (or ``text`` written as one)."""
    if text is None:
        text = decode(resources.files(_PACKAGE).joinpath(BUNDLE_FILE).read_bytes(), BUNDLE_FILE)
    default = parse_toml(text, BUNDLE_FILE, "a bundle file").get("default")
    ids = bundled_ids()
    known = ", ".join(ids)
    if default is None:
        raise MethodologyError(Problem("default", f"is missing: name the bundled methodology to use when nothing chooses one ({known})"), file=BUNDLE_FILE)
    if not isinstance(default, str) or default not in ids:
        raise MethodologyError(Problem("default", f"must be a bundled methodology id ({known})", default, did_you_mean(default, ids)), file=BUNDLE_FILE)
    return default


DEFAULT_METHODOLOGY = _default_id()
"""The bundled methodology used when an inspection names none and gives no fieldwork date or programme (from ``bundle.toml``)."""


def bundled_programmes() -> list[str]:
    """The inspection programmes the bundled methodologies serve."""
    return sorted({m.programme for m in bundled() if m.programme})


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


def select_methodology(fieldwork_start: datetime.date | None, programme: str | None = None, *, fitting: Fitting | None = None) -> tuple[Methodology, str]:
    """The bundled framework for an inspection that names none, and how it was chosen.

    With a fieldwork date: the framework of the programme (the inspection's, else the default
    framework's) in force on that date, ``"fieldwork_start"``. Without one: the default framework
    (``"default"``), or for another programme its most recent framework (``"programme"``).
    ``fitting``, when given, lets a refusal say which bundled frameworks the inspection would fit.
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
        known = bundled_programmes()
        raise UnknownMethodologyError(
            Problem("programme", f"must be an inspection programme of a bundled methodology ({', '.join(known)})", wanted, did_you_mean(wanted, known))
        )
    if fieldwork_start is None:
        return max(members, key=lambda m: m.in_force_from or datetime.date.min), "programme"
    found = [m for m in members if m.in_force_on(fieldwork_start)]
    if not found:
        ranges = "; ".join(f"{m.id} {in_force_range(m)}" for m in members)
        fits = fitting(everything) if fitting is not None else []
        advice = "; or ".join(_fit_advice(m, fieldwork_start, programme, wanted) for m in fits) if fits else 'name one with "methodology"'
        raise UnknownMethodologyError(
            Problem("fieldwork_start", f"falls outside every bundled {wanted} framework ({ranges}); {advice}", fieldwork_start.isoformat())
        )
    return found[0], "fieldwork_start"


def _distance(m: Methodology, day: datetime.date) -> str:
    """How ``m``'s in-force range lies from ``day``, or '' when ``day`` is inside it (or no range is stated)."""
    if m.in_force_from is not None and day < m.in_force_from:
        days = (m.in_force_from - day).days
        return f"which begins {days} day{'s' if days != 1 else ''} after this fieldwork_start"
    if m.in_force_until is not None and day > m.in_force_until:
        days = (day - m.in_force_until).days
        return f"which ended {days} day{'s' if days != 1 else ''} before this fieldwork_start"
    return ""


def _fit_advice(m: Methodology, fieldwork_start: datetime.date | None, programme: str | None, chosen_programme: str | None) -> str:
    """How an inspection whose standards fit ``m`` gets rated under it."""
    facts = [] if m.programme is None or m.programme == chosen_programme else [f"programme {m.programme}"]
    facts.append(f"in force {in_force_range(m)}")
    if fieldwork_start is not None and (far := _distance(m, fieldwork_start)):
        facts.append(far)
    advice = f'name it with "methodology": "{m.id}"'
    if m.programme is not None and m.programme != programme:
        try:
            by_programme = select_methodology(fieldwork_start, m.programme)[0].id == m.id
        except MethodologyError:
            by_programme = False
        if by_programme:
            advice = f'{"set" if programme is not None else "add"} "programme": "{m.programme}"'
    return f"the standards are those of {m.id} ({', '.join(facts)}): {advice}"


def misfit_error(
    chosen: Methodology,
    selected_by: str,
    problems: Sequence[Problem],
    *,
    fieldwork_start: datetime.date | None,
    programme: str | None,
    standard_ids: Collection[str],
    fitting: Fitting,
    file: str | None = None,
) -> InspectionError:
    """The error for an inspection that does not fit the framework chosen for it, saying how it was chosen.

    For an inspection that named no methodology, 'is not a standard of X' twenty times does not
    help: the user needs to know why X was chosen and what to write instead. When some other
    bundled framework fits the inspection (or at least has every standard it names), that is
    the one problem reported, with the field that would choose it. Otherwise the problems stand
    as found, and when some of them are the framework's (its standards or cases) the way it was
    chosen follows them as the error's note: a methodology is optional, so not giving one is
    context for those problems, not a problem of its own.
    """
    if selected_by == "default":
        how = f"{chosen.id} was chosen as the default framework, since the inspection gives no methodology, fieldwork_start or programme"
    elif selected_by == "fieldwork_start" and fieldwork_start is not None:
        firm = f", dates {chosen.in_force_evidence}" if chosen.in_force_evidence else ""
        how = f"{chosen.id} was chosen as the {chosen.programme} framework in force on its fieldwork_start {fieldwork_start.isoformat()}"
        how += f" ({in_force_range(chosen)}{firm})"
        if programme is None:
            how += f", since it names no programme ({chosen.programme} is the default framework's)"
    else:
        how = f"{chosen.id} was chosen as the latest framework of its programme {programme} (it gives no fieldwork_start)"
    others = [m for m in bundled() if m.id != chosen.id]
    fits = fitting(others) or [m for m in others if standard_ids and set(standard_ids) <= {s.id for s in m.standards}]
    if fits:
        advice = "; or ".join(_fit_advice(m, fieldwork_start, programme, chosen.programme) for m in fits)
        return InspectionError(Problem("standards", f"do not fit {chosen.id}: {how}; {advice}"), file=file)
    of_the_framework = any(p.path.startswith(("standards", "cases")) for p in problems)
    note = f"{how}; no other bundled framework fits the inspection either" if of_the_framework else None
    return InspectionError(problems, file=file, note=note)


def load_methodology(which: str | os.PathLike[str] | Methodology | None = None, *, relative_to: str | os.PathLike[str] | None = None) -> Methodology:
    """A methodology by bundled id (``"hmip-pdu-2023"``) or by path to a TOML file.

    ``relative_to`` is the file that names ``which`` (an inspection's ``methodology``, a variant's
    ``extends``): a relative path is read from that file's folder, not the working directory.
    Raises :class:`UnknownMethodologyError` for a name that is neither a bundled id nor a file,
    :class:`InputFileError` for a file that cannot be read (naming the absolute path looked for),
    :class:`DocumentSyntaxError` for one that is not UTF-8 TOML and :class:`MethodologyError`
    (or :class:`VariantError`) for one that is TOML but no sound methodology.
    """
    if isinstance(which, Methodology):
        return which
    if which is None:
        which = DEFAULT_METHODOLOGY
    name = os.fspath(which)
    if name in bundled_ids():
        return _load_bundled(name)
    path = _resolve(name, relative_to)
    if _names_a_file(name) or os.path.lexists(path):
        return _load_file(path)
    raise UnknownMethodologyError(
        Problem(
            path="methodology",
            expected=f"must be a bundled methodology id ({', '.join(bundled_ids())}) or a path to a TOML file",
            value=name,
            suggestion=did_you_mean(name, bundled_ids()),
        )
    )


def _names_a_file(name: str) -> bool:
    """Whether a methodology name is written as a path rather than an id: a ``.toml`` name, or one with a folder."""
    return name.endswith(".toml") or "/" in name or os.sep in name


def _resolve(name: str, relative_to: str | os.PathLike[str] | None) -> str:
    if relative_to is None or not _names_a_file(name) or os.path.isabs(name):
        return name
    return os.path.join(os.path.dirname(os.fspath(relative_to)), name)


def reference_problems(problems: Iterable[Problem], field: str, name: str, *, relative_to: str | os.PathLike[str] | None = None) -> list[Problem]:
    """Why the methodology a document names in ``field`` (as ``name``) did not load, as problems with that field.

    The loader's own message stands, with the path it tried; this says which field led there.
    """
    loads = "must name a methodology that loads"
    resolved = " (a relative path is read from the folder of the file that names it)" if _resolve(name, relative_to) != name else ""
    out = []
    for problem in problems:
        if problem.file is None:
            out.append(Problem(field, f"{loads}: {problem.expected}", problem.value if problem.has_value else name, problem.suggestion))
        elif not problem.path:  # the file itself: missing, unreadable, not TOML
            out.append(Problem(field, f"{loads}: {problem}{resolved}", name))
        else:
            out.append(Problem(field, f"{loads}: {problem}"))
    return out


@functools.cache
def _load_bundled(methodology_id: str) -> Methodology:
    file = f"{methodology_id}.toml"
    return _parse(resources.files(_PACKAGE).joinpath(file).read_bytes(), file)


def _load_file(path: str) -> Methodology:
    return _parse(read_bytes(path, "a methodology file"), path)


_LOOKS_LIKE_AN_INSPECTION = "this looks like an inspection document, not a methodology (a TOML file)"


def _parse(raw: bytes, file: str) -> Methodology:
    hint = _LOOKS_LIKE_AN_INSPECTION if file.endswith(".json") else None
    data = parse_toml(decode(raw, file), file, "a methodology", hint=hint)
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


def _as_written(value: float) -> float | int:
    """A threshold as the file most likely wrote it: ``-5``, not the ``-5.0`` it was read as."""
    return int(value) if value.is_integer() else value


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
    if (m.in_force_citation is None) != (m.in_force_evidence is None):
        stated, absent = ("in_force_citation", "in_force_evidence") if m.in_force_evidence is None else ("in_force_evidence", "in_force_citation")
        yield Problem(absent, f"must be given with {stated} (how firm the in-force dates are, and where they come from)")
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
        for name in ("key_questions_citation", "key_questions_evidence"):
            if getattr(s, name) is not None and not s.key_questions:
                yield Problem(render_path(("standards", i, name)), f"states the provenance of key questions {s.id} does not have")
        for kq, n in Counter(q.id for q in s.key_questions).items():
            if n > 1:
                yield Problem(render_path(("standards", i, "key_questions")), "must not repeat a key question id", kq)

    for table_name, table, top in (("key_question_bands", m.key_question_bands, 100), ("overall_bands", m.overall_bands, None)):
        for i, band in enumerate(table.bands):
            yield from rating((table_name, "bands", i, "rating"), band.rating)
            where = render_path((table_name, "bands", i, "at_least"))
            if band.at_least < 0 or (top is not None and band.at_least > top):
                yield Problem(where, f"must be between 0 and {top}" if top else "must not be negative", _as_written(band.at_least))
            if table_name == "key_question_bands" and (as_fraction(band.at_least) * 10**6).denominator != 1:  # as written: 64.9 * 10**6 is not whole in binary
                yield Problem(where, "must have at most six decimal places", band.at_least)
            if table_name == "overall_bands" and band.at_least != int(band.at_least):
                yield Problem(where, "must be a whole number of points", band.at_least)
            elif table_name == "overall_bands" and band.at_least > MAX_POINTS * max(1, len(m.standards)):
                yield Problem(where, f"must be at most {MAX_POINTS} points per standard", _as_written(band.at_least))

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
