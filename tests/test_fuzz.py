"""Hostile input: the only outcomes are a correct result or the library's own error naming the path."""

from __future__ import annotations

import copy
import json
import math
import tomllib
from importlib import resources
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probation_rules import ProbationRulesError, RatingResult, load_methodology, rate
from probation_rules.methodology import methodology_from_dict

from .conftest import YORK

YORK_DOC = json.loads(YORK.read_text())
PDU = load_methodology("hmip-pdu-2023")
PDU_DATA = tomllib.loads(resources.files("probation_rules.methodologies").joinpath("hmip-pdu-2023.toml").read_text())

# Integers of any size: a JSON number may have hundreds of digits, more than a float can hold.
long_integers = st.builds(lambda digits, sign: sign * 10**digits + 7, st.integers(min_value=300, max_value=1000), st.sampled_from([1, -1]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    long_integers,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["Good", "P2.1", "engaging", "yes", "n/a", "hmip-pdu-2023", "not_rated", "\u202e\u0000", "🙂"]),
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """A valid document with one node replaced, removed, or given an extra key."""
    doc = copy.deepcopy(document)
    path = draw(st.sampled_from(_paths(doc)))
    if not path:
        return draw(json_values)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    action = draw(st.sampled_from(["replace", "delete", "extra"]))
    if action == "replace":
        parent[path[-1]] = draw(json_values)
    elif action == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif action == "delete":
        parent.pop(path[-1])
    elif isinstance(parent[path[-1]], dict):
        parent[path[-1]][draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return doc


# Python's and cattrs' words, which must never reach a person reading a problem.
JARGON = ("NoneType", "object has no attribute", "not subscriptable", "not iterable", "<class", "typing.", "cattrs", "int too large", "Errno")


def _outcome(call: Any) -> RatingResult | ProbationRulesError:
    try:
        return call()
    except ProbationRulesError as error:
        assert error.problems, "an error must carry its problems"
        for problem in error.problems:
            assert problem.expected
            assert not [j for j in JARGON if j in str(problem)], str(problem)
            json.dumps(problem.to_dict(), allow_nan=False)  # a calling tool gets plain JSON
        assert "\n" not in error.one_line()
        return error


def _well_formed(result: RatingResult, methodology: Any) -> None:
    assert result.overall in methodology.scale.ratings
    assert 0 <= result.score <= methodology.max_score
    for standard in result.standards.values():
        assert standard.rating in methodology.scale.ratings


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_is_refused_with_a_path(value: Any) -> None:
    outcome = _outcome(lambda: rate(value))
    assert isinstance(outcome, ProbationRulesError)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(mutated(YORK_DOC))
def test_mutated_inspections_rate_or_name_the_problem(doc: Any) -> None:
    outcome = _outcome(lambda: rate(doc, PDU))
    if isinstance(outcome, RatingResult):
        _well_formed(outcome, PDU)
        # Nothing was silently defaulted: every standard the methodology needs was given.
        for standard in PDU.standards:
            assert standard.id in doc["standards"] or doc.get("cases")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(mutated(PDU_DATA))
def test_mutated_methodologies_load_and_rate_or_name_the_problem(data: Any) -> None:
    loaded = _outcome(lambda: methodology_from_dict(data))
    if isinstance(loaded, ProbationRulesError):
        return
    outcome = _outcome(lambda: rate(YORK_DOC, loaded))
    if isinstance(outcome, RatingResult):
        _well_formed(outcome, loaded)


@given(
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not math.isfinite(x) or not 0 <= x <= 100)
    | st.integers().filter(lambda x: not 0 <= x <= 100)
    | long_integers
)
def test_percentages_outside_0_to_100_or_not_finite_are_refused(value: float) -> None:
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = value
    outcome = _outcome(lambda: rate(doc))
    assert isinstance(outcome, ProbationRulesError)
    assert any(p.path == 'standards["P2.1"].key_questions.engaging' for p in outcome.problems)


def test_a_methodology_file_cannot_run_code(tmp_path: Any) -> None:
    text = resources.files("probation_rules.methodologies").joinpath("hmip-pdu-2023.toml").read_text()
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(text.replace('rounding = "exact"', "rounding = \"__import__('os').system('touch pwned')\""))
    outcome = _outcome(lambda: load_methodology(hostile))
    assert isinstance(outcome, ProbationRulesError)
    assert not (tmp_path / "pwned").exists()
