"""Write the published inspections the 2023 PDU framework can rate in full, as inspection documents.

    python examples/published/make.py

The source is the project's corpus of published ratings (tests/data/published-ratings.json). A
record qualifies when it publishes the rating of every standard. Published reports give a
case-based standard's rating, seldom its key questions, so where the record has no key questions
each is placed at the lower bound of its published band (which "lowest drives" turns back into
the published rating); York publishes its key questions, which are used as they are. A departure
from the guidance the record lists (or the methodology notes record) is kept as a strength, as
the override requires. tests/test_compare.py checks that these files still agree with the corpus.
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


def documents() -> dict[str, dict[str, Any]]:
    m = load_methodology(FRAMEWORK)
    floors = {b.rating: b.at_least for b in m.key_question_bands.ordered()}
    targets = {g.target for g in m.guidance}
    out = {}
    for record in json.loads(CORPUS.read_text(encoding="utf-8")):
        ratings = {s["id"]: s["rating"] for s in record["standards"] or []}
        if not record["framework"].startswith(PREFIX) or set(ratings) != {s.id for s in m.standards}:
            continue
        kqs = {sid: {KEY_QUESTIONS[label]: v for label, v in given.items()} for sid, given in (record["key_questions"] or {}).items()}
        standards: dict[str, Any] = {}
        for s in m.standards:
            if s.kind == "case":
                standards[s.id] = {"key_questions": kqs.get(s.id) or {q.id: floors[ratings[s.id]] for q in s.key_questions}}
            else:
                strengths = list(record["departures_from_guidance"]) if s.id in targets else []
                if s.id in targets and record["unit_name"] in UNQUOTED_DEPARTURES:
                    strengths.append(UNQUOTED_DEPARTURES[record["unit_name"]])
                standards[s.id] = {"judgement": ratings[s.id], "strengths": strengths}
        doc_id = slug(f"{record['unit_name']} {record['publication'][:4]}")
        out[f"{doc_id}.json"] = {"id": doc_id, "unit": record["unit_name"], "region": record["region"], "methodology": FRAMEWORK, "standards": standards}
    return out


def main() -> None:
    for name, doc in documents().items():
        (HERE / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
