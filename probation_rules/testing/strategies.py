"""Hypothesis strategies for inspections, for this library's tests and for tools built on it.

Everything is generated from a methodology's data, so the same strategies serve every framework
and every variant a policy officer writes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from probation_rules.methodology.loader import load_methodology
from probation_rules.methodology.schema import Methodology

__all__ = ["inspection_documents", "key_question_counts", "key_question_values"]


def key_question_counts(max_relevant: int = 40) -> st.SearchStrategy[dict[str, int]]:
    """``{"yes": k, "relevant": n}`` with 1 <= n <= max_relevant and 0 <= k <= n."""
    return st.integers(1, max_relevant).flatmap(lambda n: st.builds(lambda k: {"yes": k, "relevant": n}, st.integers(0, n)))


def key_question_values(max_relevant: int = 40) -> st.SearchStrategy[Any]:
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
