"""Every published inspection we hold, reproduced by the bundled frameworks where it gives enough.

The corpus is ``tests/data/published-ratings.json``, a copy of the project's shared
``methodology/published-ratings.json`` (facts and source addresses kept as they are). Each record
falls in exactly one class, and a test checks that the classes cover the corpus, so no record is
silently dropped:

- **table**: every standard's published rating is known; the engine must give the published
  ratings, score and overall rating (York also gives its key questions, which must give its
  standards);
- **score**: a published score, whose overall rating the framework's band rules must give;
- **partial**: some standards (or one key question) are known; the published overall rating
  (and score, when given) must be reachable from them under the rules;
- **overall only**: nothing to reproduce but the framework and, where a fieldwork date is
  given, that the date selects that framework;
- **skipped**: records that contradict the rules, each with the reason (none at present).

A table record with a case-based standard gives its rating, not its key questions; the test
places every key question at the lower bound of that rating's band (read from the methodology),
which "lowest drives" turns back into the published rating. That is the one liberty taken, and
it cannot move a score.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from probation_rules import rate
from probation_rules.engine.rater import rate_score
from probation_rules.methodology import load_methodology
from probation_rules.methodology.loader import select_methodology
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import as_fraction, banded

CORPUS = Path(__file__).resolve().parent / "data" / "published-ratings.json"
RECORDS: list[dict[str, Any]] = json.loads(CORPUS.read_text(encoding="utf-8"))
CORPUS_SHA256 = "e1431712331e827721426e5ea00fc0096b8d50b890abc1b65531a7217d74e714"
"""The sha256 of the copy; change it only with a new copy of the shared file (and the counts below)."""
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "methodology" / "published-ratings.json"
"""The project's shared corpus, which the project's workspace keeps beside the checkout; a clean checkout (as CI may use) need not have it."""

# The corpus names frameworks in prose; the opening words of each string name a bundled id.
FRAMEWORKS = {
    "PDU 2023-25 framework": "hmip-pdu-2023",
    "PDU 2021-23 framework": "hmip-pdu-2021",
    "Youth justice (2018+ framework, revised 2021)": "hmip-youth-2021",
}

PROGRAMMES = {"PDU": "probation", "youth justice": "youth-justice", "youth justice (joint inspection)": "youth-justice"}

# Standards the corpus names by description rather than id, per framework.
ALIASES = {
    "hmip-pdu-2021": {
        "all five case quality standards": ["2.1", "2.2", "2.3", "2.4", "2.5"],
        "all five dimensions of case work": ["2.1", "2.2", "2.3", "2.4", "2.5"],
        "Advice to court / court work": ["2.1"],
        "Assessment": ["2.2"],
        "Planning": ["2.3"],
        "Implementation and delivery": ["2.4"],
        "Reviewing": ["2.5"],
    },
}

# Key questions the corpus names by label.
KQ_LABELS = {
    "engaging the person on probation": "engaging",
    "reducing reoffending and supporting desistance": "desistance",
    "keeping other people safe": "keeping_safe",
    "keeping other people safe (risk of harm assessment)": "keeping_safe",
    "effectively support the safety of other people": "keeping_safe",
}

# Published ratings that need a departure from the guidance the record does not quote. The test
# records the departure (as the override requires: a recorded reason) and, separately, shows that
# without it the guidance would give a different rating, so the liberty is visible, not silent.
DEPARTURES_NOT_QUOTED = {
    "East and West Lincolnshire PDU (2025-06-12)": (
        "Leadership published as Requires improvement with all four domain-two standards Inadequate: a departure from "
        "the guidance, listed beside York's in the methodology notes (section 4); the record does not quote its reason"
    ),
}

# Records that contradict the rules: name -> why they are not reproduced. None at present; a record
# added here must say which rule it contradicts and what the source says.
SKIPPED: dict[str, str] = {}


def name(record: dict[str, Any]) -> str:
    return f"{record['unit_name']} ({record['publication']})"


def methodology_of(record: dict[str, Any]) -> Methodology:
    found = [mid for prefix, mid in FRAMEWORKS.items() if record["framework"].startswith(prefix)]
    assert len(found) == 1, f"{name(record)}: framework {record['framework']!r} maps to {found}"
    return load_methodology(found[0])


def standard_ids(record: dict[str, Any], m: Methodology, entry: dict[str, Any]) -> list[str]:
    if entry["id"] in {s.id for s in m.standards}:
        return [entry["id"]]
    aliases = ALIASES.get(m.id, {})
    key = entry["name"] if entry["name"] in aliases else entry["id"]
    assert key in aliases, f"{name(record)}: cannot place standard {entry} in {m.id}"
    return aliases[key]


def published_ratings(record: dict[str, Any], m: Methodology) -> dict[str, str]:
    ratings: dict[str, str] = {}
    for entry in record["standards"] or []:
        for sid in standard_ids(record, m, entry):
            assert ratings.get(sid, entry["rating"]) == entry["rating"], f"{name(record)}: {sid} rated twice, differently"
            ratings[sid] = entry["rating"]
    return ratings


def published_key_questions(record: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {sid: {KQ_LABELS[label]: value for label, value in kqs.items()} for sid, kqs in (record["key_questions"] or {}).items()}


def classify(record: dict[str, Any]) -> str:
    if name(record) in SKIPPED:
        return "skipped"
    m = methodology_of(record)
    ratings = published_ratings(record, m)
    if set(ratings) == {s.id for s in m.standards}:
        return "table"
    if ratings or record["key_questions"]:
        return "partial"
    if record["score"] is not None:
        return "score"
    return "overall only"


def records(kind: str) -> list[dict[str, Any]]:
    return [r for r in RECORDS if classify(r) == kind]


def ids(kind: str) -> list[str]:
    return [name(r) for r in records(kind)]


def band_floor(m: Methodology, rating: str) -> float:
    return next(b.at_least for b in m.key_question_bands.ordered() if b.rating == rating)


def band_of(m: Methodology, percent: float) -> str:
    value = banded(as_fraction(percent), m.key_question_score.rounding)
    return [b.rating for b in m.key_question_bands.ordered() if value >= as_fraction(b.at_least)][-1]


def inspection(record: dict[str, Any], m: Methodology, *, with_unquoted_departures: bool = True) -> dict[str, Any]:
    """An inspection document holding what the record publishes, in the framework's terms."""
    ratings = published_ratings(record, m)
    kqs = published_key_questions(record)
    targets = {g.target for g in m.guidance}
    standards: dict[str, Any] = {}
    for s in m.standards:
        if s.kind == "case":
            given = kqs.get(s.id) or {q.id: band_floor(m, ratings[s.id]) for q in s.key_questions}
            standards[s.id] = {"key_questions": given}
            continue
        strengths: list[str] = []
        if s.id in targets:
            strengths = list(record["departures_from_guidance"])
            if with_unquoted_departures and name(record) in DEPARTURES_NOT_QUOTED:
                strengths.append(DEPARTURES_NOT_QUOTED[name(record)])
        standards[s.id] = {"judgement": ratings[s.id], "strengths": strengths}
    return {"id": name(record), "unit": record["unit_name"], "methodology": m.id, "standards": standards}


def test_the_corpus_is_the_shared_one_and_every_record_is_classified() -> None:
    assert len(RECORDS) == 89
    assert hashlib.sha256(CORPUS.read_bytes()).hexdigest() == CORPUS_SHA256, f"{CORPUS} is not the copy the counts below were taken from"
    kinds = {kind: ids(kind) for kind in ("table", "score", "partial", "overall only", "skipped")}
    assert sum(len(v) for v in kinds.values()) == len(RECORDS)
    assert set(SKIPPED) <= {name(r) for r in RECORDS}
    assert set(DEPARTURES_NOT_QUOTED) <= set(kinds["table"])
    # The counts the report to the lead quotes; update them with the corpus.
    assert {k: len(v) for k, v in kinds.items()} == {"table": 4, "score": 12, "partial": 15, "overall only": 58, "skipped": 0}
    for record in RECORDS:
        assert record["source"], f"{name(record)} has no source"


def test_the_copy_is_byte_for_byte_the_shared_file() -> None:
    if not SHARED.is_file():
        pytest.skip(
            f"the shared corpus is not beside this checkout ({SHARED}; a clean checkout, as CI may use, need not have it): "
            f"the committed copy ({CORPUS.name}) is checked only against its pinned sha256"
        )
    assert hashlib.sha256(SHARED.read_bytes()).hexdigest() == CORPUS_SHA256, (
        f"{SHARED} has changed: copy it to {CORPUS}, then update CORPUS_SHA256 and the counts"
    )


@pytest.mark.parametrize("record", records("table"), ids=ids("table"))
def test_a_full_table_reproduces_ratings_score_and_overall(record: dict[str, Any]) -> None:
    m = methodology_of(record)
    result = rate(inspection(record, m))
    assert {sid: s.rating for sid, s in result.standards.items()} == published_ratings(record, m)
    if record["score"] is not None:
        assert (result.score, result.max_score) == (record["score"], record["score_max"])
    assert result.overall == record["overall_rating"]


def test_york_key_questions_reproduce_its_standards() -> None:
    (york,) = [r for r in records("table") if r["key_questions"]]
    m = methodology_of(york)
    result = rate(inspection(york, m))
    for sid, kqs in published_key_questions(york).items():
        assert {q: kq.band for q, kq in result.standards[sid].key_questions.items()} == {q: band_of(m, v) for q, v in kqs.items()}
        assert result.standards[sid].rating == published_ratings(york, m)[sid]
    assert result.standards[m.guidance[0].target].departure is not None


@pytest.mark.parametrize("unit", sorted(DEPARTURES_NOT_QUOTED))
def test_an_unquoted_departure_is_load_bearing(unit: str) -> None:
    (record,) = [r for r in RECORDS if name(r) == unit]
    m = methodology_of(record)
    target = m.guidance[0].target
    without = rate(inspection(record, m, with_unquoted_departures=False))
    assert without.standards[target].rating != published_ratings(record, m)[target]
    assert without.standards[target].rating == without.standards[target].indicated


@pytest.mark.parametrize("record", [r for r in RECORDS if r["score"] is not None], ids=[name(r) for r in RECORDS if r["score"] is not None])
def test_a_published_score_gives_the_published_overall_rating(record: dict[str, Any]) -> None:
    m = methodology_of(record)
    assert record["score_max"] == m.max_score
    rating, rule = rate_score(m, record["score"])
    assert rating == record["overall_rating"]
    assert rule == next(b.id for b in m.overall_bands.bands if b.rating == rating)


def _points_range(record: dict[str, Any], m: Methodology) -> tuple[int, int]:
    """The least and most score the published part of a record allows (guidance not applied: a looser bound)."""
    ratings = published_ratings(record, m)
    kqs = published_key_questions(record)
    low = high = 0
    for s in m.standards:
        if not s.scored:
            continue
        if s.id in ratings:
            low += m.points_for(ratings[s.id])
            high += m.points_for(ratings[s.id])
        elif s.id in kqs:  # the lowest key question is at most the lowest we know
            high += m.points_for(band_of(m, min(kqs[s.id].values())))
        else:
            high += m.best_points
    return low, high


@pytest.mark.parametrize("record", records("partial"), ids=ids("partial"))
def test_a_partial_record_is_consistent_with_the_rules(record: dict[str, Any]) -> None:
    m = methodology_of(record)
    low, high = _points_range(record, m)
    if record["score"] is not None:
        assert low <= record["score"] <= high
        low = high = record["score"]
    reachable = {rate_score(m, score)[0] for score in range(low, high + 1)}
    assert record["overall_rating"] in reachable


def _dated() -> Iterator[tuple[dict[str, Any], datetime.date, datetime.date]]:
    for record in RECORDS:
        start = record["fieldwork_start"]
        if start is None:
            continue
        if len(start) == len("2024-09"):
            first = datetime.date.fromisoformat(f"{start}-01")
            last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
        else:
            first = last = datetime.date.fromisoformat(start)
        yield record, first, last


@pytest.mark.parametrize(("record", "first", "last"), list(_dated()), ids=[name(r) for r, _, _ in _dated()])
def test_a_fieldwork_date_selects_the_records_framework(record: dict[str, Any], first: datetime.date, last: datetime.date) -> None:
    programme = PROGRAMMES[record["inspection_type"]]
    for day in (first, last):  # a month-precision date must not straddle a change of framework
        chosen, how = select_methodology(day, programme)
        assert (chosen.id, how) == (methodology_of(record).id, "fieldwork_start")
