"""``probation-rules methodologies``: the bundled frameworks, when each was in force, and how firm.

Policy staff choosing or comparing frameworks need, at a glance, which one applied on a date and
how much of it rests on published text rather than inference; so each entry counts the rules, the
standards and the standards' key questions at each evidence level, and says how firm the in-force
dates are, from the methodology's own data.
"""

from __future__ import annotations

import argparse
import datetime
import json
from collections import Counter
from typing import Any

from probation_rules.commands import Command
from probation_rules.errors import Problem, UnknownMethodologyError, did_you_mean
from probation_rules.methodology.loader import bundled, bundled_programmes, in_force_range
from probation_rules.methodology.schema import EVIDENCE_LEVELS, Methodology
from probation_rules.methodology_page import evidence_tally, key_question_provenance

__all__ = ["COMMAND", "summary"]


def summary(m: Methodology) -> dict[str, Any]:
    """A methodology's identity, dates, standards, maximum and evidence profile, as plain JSON.

    ``standards_by_evidence`` counts standards by the evidence for their names and numbering,
    ``key_questions_by_evidence`` the standards with key questions by the evidence for those;
    either may count ``"not stated"`` for a file that gives none.
    """
    tally = evidence_tally(m)
    by_level = tally["rules"]

    def levels(counts: Counter[str]) -> dict[str, int]:
        return {level: counts[level] for level in (*EVIDENCE_LEVELS, "not stated") if level in EVIDENCE_LEVELS or counts[level]}

    return {
        "id": m.id,
        "version": m.version,
        "title": m.title,
        "programme": m.programme,
        "in_force_from": m.in_force_from.isoformat() if m.in_force_from else None,
        "in_force_until": m.in_force_until.isoformat() if m.in_force_until else None,
        "in_force_note": m.in_force_note,
        "in_force_evidence": m.in_force_evidence,
        "in_force_citation": m.in_force_citation,
        "standards": [
            {
                "id": s.id,
                "name": s.name,
                "domain": s.domain,
                "kind": s.kind,
                "scored": s.scored,
                "evidence": s.evidence,
                "citation": s.citation,
                "key_questions_evidence": key_question_provenance(s)[0],
                "key_questions_citation": key_question_provenance(s)[1],
            }
            for s in m.standards
        ],
        "scored_standards": sum(1 for s in m.standards if s.scored),
        "max_score": m.max_score,
        "rules": sum(by_level.values()),
        "rules_by_evidence": {level: by_level[level] for level in EVIDENCE_LEVELS},
        "standards_by_evidence": levels(tally["standards"]),
        "key_questions_by_evidence": levels(tally["key_questions"]),
        "guidance": [g.id for g in m.guidance],
        "not_rated": None if m.not_rated is None else {"rule": m.not_rated.id, "rescale": m.not_rated.rescale.method},
        "source": m.source,
        "sha256": m.sha256,
    }


def _text(m: Methodology) -> str:
    info = summary(m)
    standards = ", ".join(f"{s.id} {s.name}" + ("" if s.scored else " (not scored)") for s in m.standards)
    levels = ", ".join(f"{level} {n}" for level, n in info["rules_by_evidence"].items())
    standard_levels = ", ".join(f"{level} {n}" for level, n in info["standards_by_evidence"].items())
    question_levels = ", ".join(f"{level} {n}" for level, n in info["key_questions_by_evidence"].items())
    programme = f" ({m.programme})" if m.programme else ""
    dates = f"; dates {m.in_force_evidence}" if m.in_force_evidence else ""
    unrated = "refused" if m.not_rated is None else f"leave the score and maximum; bands rescale: {m.not_rated.rescale.method}"
    return "\n".join(
        [
            f"{m.id} {m.version}  {m.title}",
            f"  in force     {in_force_range(m)}{programme}{dates}",
            f"  standards    {len(m.standards)} ({info['scored_standards']} scored): {standards}",
            f"  max score    {m.max_score}",
            f"  rules        {info['rules']}: {levels}",
            f"  evidence     standards: {standard_levels}; their key questions: {question_levels}",
            f"  guidance     {', '.join(info['guidance']) or 'none'}",
            f"  not rated    {unrated}",
        ]
    )


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date written YYYY-MM-DD (got {value!r})") from None


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--on", metavar="DATE", type=_date, help="only the frameworks in force on this date (YYYY-MM-DD), as a fieldwork start would choose")
    programmes = ", ".join(bundled_programmes())
    parser.add_argument("--programme", metavar="NAME", help=f"only the frameworks of this inspection programme (one of {programmes})")
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)")


def _run(args: argparse.Namespace) -> int:
    chosen = bundled()
    if args.programme is not None:
        programmes = bundled_programmes()
        if args.programme not in programmes:
            raise UnknownMethodologyError(
                Problem(
                    "--programme",
                    f"must be a programme of a bundled methodology ({', '.join(programmes)})",
                    args.programme,
                    did_you_mean(args.programme, programmes),
                )
            )
        chosen = [m for m in chosen if m.programme == args.programme]
    if args.on is not None:
        chosen = [m for m in chosen if m.in_force_on(args.on)]
    if args.format == "json":
        print(json.dumps([summary(m) for m in chosen], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(_text(m) for m in chosen) if chosen else "no bundled methodology matches")
    return 0


COMMAND = Command("methodologies", "list the bundled methodologies: dates in force, standards, maximum score, rules by evidence level", _arguments, _run)
