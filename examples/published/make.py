"""Write the published inspections the 2023 PDU framework can rate in full, as inspection documents.

    python examples/published/make.py

The source is the project's corpus of published ratings (tests/data/published-ratings.json). A
record qualifies when it publishes the rating of every standard. Published reports give a
case-based standard's rating, seldom its key questions, so where the record has no key questions
each is placed at the lower bound of its published band (which "lowest drives" turns back into
the published rating); York publishes its key questions, which are used as they are. A departure
from the guidance the record lists (or the methodology notes record) is kept as a strength, as
the override requires. tests/test_compare.py checks that these files still agree with the corpus.

Key questions set at band floors are not published values, and a comparison must not pass them
off as such: a document that has them is given an id ending in SYNTHETIC (every report names
inspections by id), and README.md in this folder lists, file by file, which values are invented.
The standards' ratings, the score and the overall rating are the published ones in every file.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from probation_rules import load_methodology  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "published-ratings.json"
HERE = Path(__file__).resolve().parent
FRAMEWORK = "hmip-pdu-2023"
PREFIX = "PDU 2023-25 framework"
SYNTHETIC = "-kq-at-band-floors"
"""Ends the id of a document whose key questions are set at band floors, not published."""
KEY_QUESTIONS = {
    "engaging the person on probation": "engaging",
    "reducing reoffending and supporting desistance": "desistance",
    "keeping other people safe": "keeping_safe",
}
UNQUOTED_DEPARTURES = {
    "East and West Lincolnshire PDU": (
        "a departure from the guidance on leadership, listed in the methodology notes (section 4); the report's reason is not quoted"
    ),
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def documents() -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """The documents by file name, and for each the standards whose key questions are invented."""
    m = load_methodology(FRAMEWORK)
    floors = {b.rating: b.at_least for b in m.key_question_bands.ordered()}
    targets = {g.target for g in m.guidance}
    out = {}
    invented: dict[str, list[str]] = {}
    for record in json.loads(CORPUS.read_text(encoding="utf-8")):
        ratings = {s["id"]: s["rating"] for s in record["standards"] or []}
        if not record["framework"].startswith(PREFIX) or set(ratings) != {s.id for s in m.standards}:
            continue
        kqs = {sid: {KEY_QUESTIONS[label]: v for label, v in given.items()} for sid, given in (record["key_questions"] or {}).items()}
        standards: dict[str, Any] = {}
        floored = []
        for s in m.standards:
            if s.kind == "case":
                if s.id not in kqs:
                    floored.append(s.id)
                standards[s.id] = {"key_questions": kqs.get(s.id) or {q.id: floors[ratings[s.id]] for q in s.key_questions}}
            else:
                strengths = list(record["departures_from_guidance"]) if s.id in targets else []
                if s.id in targets and record["unit_name"] in UNQUOTED_DEPARTURES:
                    strengths.append(UNQUOTED_DEPARTURES[record["unit_name"]])
                standards[s.id] = {"judgement": ratings[s.id], "strengths": strengths}
        name = slug(f"{record['unit_name']} {record['publication'][:4]}")
        doc_id = name + (SYNTHETIC if floored else "")
        out[f"{name}.json"] = {"id": doc_id, "unit": record["unit_name"], "region": record["region"], "methodology": FRAMEWORK, "standards": standards}
        invented[f"{name}.json"] = floored
    return out, invented


def readme(invented: dict[str, list[str]]) -> str:
    lines = [
        "# Published inspections the 2023 PDU framework can rate in full",
        "",
        "Written by `make.py` from the project's corpus of published ratings. In every file the standards'",
        "ratings, the score and the overall rating are the published ones. Reports seldom publish key-question",
        "percentages, so where a report does not, each key question is **invented**: set at the lower bound of",
        "the standard's published band, which rates back to the published rating but is not what inspectors",
        f"found. Such a file's id ends in `{SYNTHETIC}`, so every comparison that lists it says so.",
        "The real values may lie anywhere in their bands, so what a comparison says a change of key-question",
        "bands does to these inspections is not evidence; what it says a change of guidance, override, points",
        "or overall bands does rests on published ratings.",
        "",
        "| file | key questions |",
        "|---|---|",
    ]
    for name, standards in sorted(invented.items()):
        lines.append(f"| `{name}` | " + (f"invented (at band floors) for {', '.join(standards)}" if standards else "as published") + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    docs, invented = documents()
    for name, doc in docs.items():
        (HERE / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {name}")
    (HERE / "README.md").write_text(readme(invented), encoding="utf-8")
    print("wrote README.md")


if __name__ == "__main__":
    main()
