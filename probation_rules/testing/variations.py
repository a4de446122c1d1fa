"""Variations of an inspection document that must not change its result, or only for the better.

Each variation is derived deterministically from the document, so an invariant stays a plain
function of (methodology, document) and hypothesis can shrink the document behind a failure.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Mapping
from typing import Any

from probation_rules.methodology.schema import Methodology
from probation_rules.percent import as_fraction

__all__ = ["better_judgements", "better_key_questions", "order_of", "reordered", "shuffled"]

Doc = dict[str, Any]


def reordered(doc: Mapping[str, Any]) -> Doc:
    """The same inspection with standards, key questions, cases and answers in reverse order.

    Strengths keep their order: they are the departure's stated reasons, in the inspectors' order.
    """
    out: Doc = {}
    for key, value in reversed(list(copy.deepcopy(dict(doc)).items())):
        if key == "standards":
            value = {s: _reversed_key_questions(e) for s, e in reversed(list(value.items()))}
        elif key == "cases":
            value = [{**case, "answers": _reversed_answers(case.get("answers", {}))} for case in reversed(value)]
        out[key] = value
    return out


def shuffled(doc: Mapping[str, Any], rng: random.Random) -> Doc:
    """The same inspection with its keys, standards, key questions, cases and answers in an order ``rng`` draws.

    Strengths keep their order, as in :func:`reordered`.
    """

    def mixed(items: Mapping[str, Any]) -> dict[str, Any]:
        keys = list(items)
        rng.shuffle(keys)
        return {k: items[k] for k in keys}

    out = mixed(copy.deepcopy(dict(doc)))
    if isinstance(out.get("standards"), dict):
        out["standards"] = mixed(out["standards"])
        for sid, evidence in out["standards"].items():
            if isinstance(evidence, dict) and isinstance(evidence.get("key_questions"), dict):
                out["standards"][sid] = {**evidence, "key_questions": mixed(evidence["key_questions"])}
    if isinstance(out.get("cases"), list):
        cases = list(out["cases"])
        rng.shuffle(cases)
        out["cases"] = [{**case, "answers": {s: mixed(a) for s, a in mixed(case.get("answers", {})).items()}} for case in cases]
    return out


def order_of(doc: Mapping[str, Any]) -> str:
    """The order a document lists its standards, key questions and cases in, for a failure message."""
    parts = []
    for sid, evidence in doc.get("standards", {}).items():
        questions = evidence.get("key_questions") if isinstance(evidence, Mapping) else None
        parts.append(f"{sid} ({', '.join(questions)})" if isinstance(questions, Mapping) else sid)
    order = f"standards {'; '.join(parts)}"
    if doc.get("cases"):
        order += f"; cases {', '.join(str(case.get('id')) for case in doc['cases'])}"
    return order


def _reversed_key_questions(evidence: Any) -> Any:
    if isinstance(evidence, dict) and isinstance(evidence.get("key_questions"), dict):
        return {**evidence, "key_questions": dict(reversed(list(evidence["key_questions"].items())))}
    return evidence


def _reversed_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    return {s: dict(reversed(list(a.items()))) for s, a in reversed(list(answers.items()))}


def better_key_questions(m: Methodology, doc: Mapping[str, Any]) -> Iterator[tuple[str, Doc]]:
    """For each key question, the document with that one key question a little better.

    A percentage rises to the next band's lower bound above it (or to 100), counts gain one yes
    answer, and case answers turn their first "no" into "yes".
    """
    thresholds = sorted({as_fraction(b.at_least) for b in m.key_question_bands.bands})
    standards = doc.get("standards", {})
    for s in m.standards:
        if s.kind != "case":
            continue
        for q in s.key_questions:
            raised = copy.deepcopy(dict(doc))
            evidence = standards.get(s.id)
            if isinstance(evidence, Mapping) and "key_questions" in evidence:
                value = evidence["key_questions"][q.id]
                if isinstance(value, Mapping):
                    if value["yes"] >= value["relevant"]:
                        continue
                    new: Any = {"yes": value["yes"] + 1, "relevant": value["relevant"]}
                else:
                    above = [t for t in thresholds if t > as_fraction(value)]
                    if not above and as_fraction(value) >= 100:
                        continue
                    new = float(above[0]) if above else 100.0
                raised["standards"][s.id]["key_questions"][q.id] = new
                yield f"{s.id}/{q.id} from {_show(value)} to {_show(new)}", raised
            elif _flip_first_no(raised, s.id, q.id):
                yield f"{s.id}/{q.id} with one more case answered yes", raised


def _flip_first_no(doc: Doc, standard: str, question: str) -> bool:
    for case in doc.get("cases", []):
        answers = case.get("answers", {}).get(standard, {})
        if answers.get(question) == "no":
            answers[question] = "yes"
            return True
    return False


def better_judgements(m: Methodology, doc: Mapping[str, Any]) -> Iterator[tuple[str, Doc]]:
    """For each judged standard, the document with its judgement one band higher, or one more strength."""
    ratings = m.scale.ratings
    targets = {g.target for g in m.guidance}
    for s in m.standards:
        evidence = doc.get("standards", {}).get(s.id)
        if s.kind != "judged" or not isinstance(evidence, Mapping) or "judgement" not in evidence:
            continue
        rank = ratings.index(evidence["judgement"])
        if rank + 1 < len(ratings):
            raised = copy.deepcopy(dict(doc))
            raised["standards"][s.id]["judgement"] = ratings[rank + 1]
            yield f"{s.id} judged {ratings[rank + 1]} instead of {evidence['judgement']}", raised
        if s.id in targets:
            more = copy.deepcopy(dict(doc))
            more["standards"][s.id]["strengths"] = [*evidence.get("strengths", []), "one more recorded strength"]
            yield f"{s.id} with one more recorded strength", more


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{value['yes']}/{value['relevant']}"
    return f"{value:g}%" if isinstance(value, float) else f"{value}%"
