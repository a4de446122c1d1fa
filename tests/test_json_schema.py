"""Every document the library reads or writes validates against its published JSON Schema.

The session-wide mechanism is in ``tests/_schemas.py`` (every result, trace and accepted
inspection any test produces is validated where it is produced); this module checks that it is
on, feeds it every example, every bundled framework and generated methodologies, and checks
that the schemas refuse what they promise to refuse.
"""

from __future__ import annotations

import copy
import hashlib
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import probation_rules
import probation_rules.batch
from probation_rules import RESULT_VERSION, TRACE_VERSION, load_methodology, rate
from probation_rules.cli import main
from probation_rules.json_schema import SCHEMAS
from probation_rules.methodology import bundled_ids
from probation_rules.testing.strategies import inspection_documents, inspections, methodologies
from probation_rules.whatif import simulation

from ._schemas import COUNTS, VALIDATORS, SchemaViolation, check, check_cli_output
from .conftest import ROOT, YORK

YORK_DOC = json.loads(YORK.read_text())
EXAMPLES = sorted((ROOT / "examples").rglob("*.json"))
PUBLISHED = ROOT / "docs" / "reference" / "schemas"


def test_schemas_are_valid_json_schemas() -> None:
    for name, schema in SCHEMAS.items():
        jsonschema.Draft202012Validator.check_schema(schema())
        # The $id names the file the docs publish it as.
        assert schema()["$id"].rsplit("/", 1)[1] == f"{name}.schema.json"
        assert json.loads((PUBLISHED / f"{name}.schema.json").read_text(encoding="utf-8")) == schema()


# -- the session-wide validation is on ------------------------------------------------------


def test_every_result_and_trace_is_validated_where_it_is_produced() -> None:
    result = rate(YORK_DOC)
    before = COUNTS.copy()
    result.to_dict()
    assert COUNTS["result"] == before["result"] + 1
    with pytest.raises(SchemaViolation, match="score"):
        attrs.evolve(result, score=-5).to_dict()
    entry = attrs.evolve(result.trace.entries[0], evidence="made-up")
    with pytest.raises(SchemaViolation, match="evidence"):
        attrs.evolve(result.trace, entries=(entry, *result.trace.entries[1:])).to_dict()


def test_every_accepted_inspection_and_every_simulated_one_is_validated() -> None:
    assert probation_rules.validate_against.__wrapped__ is not None  # type: ignore[attr-defined]
    assert probation_rules.batch.validate_against is probation_rules.validate_against
    before = COUNTS.copy()
    rate(YORK_DOC)
    assert COUNTS["inspection"] == before["inspection"] + 1
    list(simulation([load_methodology("hmip-pdu-2023")], 3, seed=1).inspections())
    assert COUNTS["inspection"] == before["inspection"] + 4


def test_command_line_json_is_validated(capsys: pytest.CaptureFixture[str]) -> None:
    published = [str(p) for p in EXAMPLES if p.parent.name == "published"]
    for argv, documents in (
        (["rate", "--format", "json", str(YORK)], 1),
        (["rate", "--format", "json", *published], len(published)),
        (["explain", "--format", "json", str(YORK)], 1),
        (["simulate", "--methodology", "hmip-youth-2021", "--count", "3", "--seed", "4"], 3),
    ):
        assert main(argv) == 0
        assert check_cli_output(" ".join(["probation-rules", *argv]), capsys.readouterr().out) == documents
    broken = json.dumps(rate(YORK_DOC).to_dict() | {"score": "3"})
    with pytest.raises(SchemaViolation, match="score"):
        check_cli_output(f"probation-rules rate {YORK} --format json", broken)


# -- every example, every framework, generated methodologies ---------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(ROOT)) for p in EXAMPLES])
def test_every_example_inspection_validates_and_rates(path: Path) -> None:
    check("inspection", json.loads(path.read_text(encoding="utf-8")))
    check("result", rate(path).to_dict())


# Every document any test produces is validated already (tests/_schemas.py): these properties
# only add the variety of generated ones, for which twenty a framework are plenty.
GENERATED = settings(max_examples=20)


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_generated_inspections_of_every_framework_validate(methodology_id: str) -> None:
    m = load_methodology(methodology_id)

    @GENERATED
    @given(st.one_of(inspections(m), inspection_documents(m)))
    def run(doc: dict[str, Any]) -> None:
        check("inspection", doc)
        result = rate(doc).to_dict()
        check("result", result)
        check("trace", result["trace"])

    run()


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_inspections_with_unrated_standards_validate(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    assert m.not_rated is not None, "every bundled framework states a not_rated rule"
    scored = [s.id for s in m.standards if s.scored]

    @GENERATED
    @given(inspection_documents(m), st.sets(st.sampled_from([s.id for s in m.standards])))
    def run(doc: dict[str, Any], unrated: set[str]) -> None:
        if set(scored) <= unrated:
            unrated = unrated - {scored[0]}
        for sid in unrated:
            doc["standards"][sid] = {"not_rated": "no relevant cases"}
        check("inspection", doc)
        result = check("result", rate(doc).to_dict())
        for sid in unrated:
            assert (result["standards"][sid]["rating"], result["standards"][sid]["not_rated"]) == (None, "no relevant cases")

    run()


@given(methodologies().flatmap(lambda m: st.tuples(st.just(m), inspections(m))))
def test_inspections_of_generated_methodologies_validate(pair: tuple[Any, dict[str, Any]]) -> None:
    m, doc = pair
    doc = {k: v for k, v in doc.items() if k != "methodology"}
    check("inspection", doc)
    check("result", rate(doc, m).to_dict())


@GENERATED
@given(inspection_documents(load_methodology("hmip-pdu-2023")))
@example(YORK_DOC)
def test_inputs_results_and_traces_validate(doc: dict[str, Any]) -> None:
    VALIDATORS["inspection"].validate(doc)
    result = rate(doc).to_dict()
    VALIDATORS["result"].validate(result)
    VALIDATORS["trace"].validate(result["trace"])


def test_bundled_methodology_files_validate() -> None:
    for methodology_id in bundled_ids():
        data = json.loads(json.dumps(_data(methodology_id), default=str))
        VALIDATORS["methodology"].validate(data)


def _data(methodology_id: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("probation_rules.methodologies").joinpath(f"{methodology_id}.toml").read_text())


# -- what the schemas refuse ----------------------------------------------------------------


def test_the_schemas_refuse_what_the_loader_refuses() -> None:
    bad = json.loads(json.dumps(YORK_DOC))
    bad["unti"] = "x"
    assert not VALIDATORS["inspection"].is_valid(bad)
    result = rate(YORK_DOC).to_dict()
    result["result_version"] = "0"
    assert not VALIDATORS["result"].is_valid(result)


def _york_result() -> dict[str, Any]:
    return copy.deepcopy(rate(YORK_DOC).to_dict())


def _without(*path: str | int) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return edit


def _setting(value: Any, *path: str | int) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return edit


RESULT_EDITS = {
    "no points": _without("standards", "P2.1", "points"),
    "no not_rated": _without("standards", "P2.1", "not_rated"),
    "no scored": _without("standards", "P2.1", "scored"),
    "no full_max_score": _without("full_max_score"),
    "no overall_next_band": _without("overall_next_band"),
    "no next_band on a key question": _without("standards", "P2.1", "key_questions", "engaging", "next_band"),
    "no selected_by": _without("methodology", "selected_by"),
    "kind whatever": _setting("whatever", "standards", "P2.1", "kind"),
    "score -5": _setting(-5, "score"),
    "percent 250": _setting(250, "standards", "P2.1", "key_questions", "engaging", "percent"),
    "relevant 0": _setting(0, "standards", "P2.1", "key_questions", "engaging", "relevant"),
    "short_by 0": _setting(0, "standards", "P2.1", "next_band", "short_by"),
    "points -1": _setting(-1, "standards", "P2.1", "points"),
    "date 2024-13-45": _setting("2024-13-45", "inspection", "fieldwork_start"),
    "sha256 not a digest": _setting("abc", "methodology", "sha256"),
    "selected_by made up": _setting("guesswork", "methodology", "selected_by"),
    "evidence made-up": _setting("made-up", "trace", "entries", 0, "evidence"),
    "step 0": _setting(0, "trace", "entries", 0, "step"),
    "unrated but with a rating": _setting("no cases", "standards", "P2.1", "not_rated"),
    "rated without a rating": _setting(None, "standards", "P2.1", "rating"),
    "scored without points": _setting(None, "standards", "P2.1", "points"),
    "unscored with points": _setting(False, "standards", "P2.1", "scored"),
}


@pytest.mark.parametrize("edit", RESULT_EDITS.values(), ids=list(RESULT_EDITS))
def test_the_result_schema_refuses_what_to_dict_never_writes(edit: Any) -> None:
    result = _york_result()
    assert VALIDATORS["result"].is_valid(result)
    edit(result)
    assert not VALIDATORS["result"].is_valid(result)
    if edit in (RESULT_EDITS["evidence made-up"], RESULT_EDITS["step 0"]):
        assert not VALIDATORS["trace"].is_valid(result["trace"])


def test_an_unrated_result_fits_and_its_rating_must_stay_empty() -> None:
    m = load_methodology("hmip-youth-2021")
    doc: dict[str, Any] = {"id": "y", "unit": "Example YJS", "methodology": m.id, "standards": {}}
    for s in m.standards:
        doc["standards"][s.id] = {"judgement": "Good"} if s.kind == "judged" else {"key_questions": {q.id: 60 for q in s.key_questions}}
    unrated = next(s.id for s in m.standards if s.scored)
    doc["standards"][unrated] = {"not_rated": "no cases"}
    result = check("result", rate(doc).to_dict())
    for edit in (_setting("Good", "standards", unrated, "rating"), _setting(0, "standards", unrated, "points")):
        bad = copy.deepcopy(result)
        edit(bad)
        assert not VALIDATORS["result"].is_valid(bad)


INSPECTION_EDITS = {
    "no standards": _without("standards"),
    "no id": _without("id"),
    "negative yes": _setting({"yes": -1, "relevant": 20}, "standards", "P2.1", "key_questions", "engaging"),
    "relevant 0": _setting({"yes": 0, "relevant": 0}, "standards", "P2.1", "key_questions", "engaging"),
    "percent 120": _setting(120, "standards", "P2.1", "key_questions", "engaging"),
    "a string percent": _setting("70", "standards", "P2.1", "key_questions", "engaging"),
    "date 2024-13-45": _setting("2024-13-45", "fieldwork_start"),
    "an empty reason": _setting({"not_rated": " "}, "standards", "P2.1"),
    "not_rated and a judgement": _setting({"not_rated": "x", "judgement": "Good"}, "standards", "P1.1"),
    "answer maybe": _setting([{"id": "c1", "answers": {"P2.1": {"engaging": "maybe"}}}], "cases"),
}


@pytest.mark.parametrize("edit", INSPECTION_EDITS.values(), ids=list(INSPECTION_EDITS))
def test_the_inspection_schema_refuses_what_the_loader_refuses(edit: Any) -> None:
    doc = copy.deepcopy(YORK_DOC)
    assert VALIDATORS["inspection"].is_valid(doc)
    edit(doc)
    assert not VALIDATORS["inspection"].is_valid(doc)
    with pytest.raises(probation_rules.InspectionError):
        rate(doc)


def test_what_json_schema_cannot_say_the_loader_does() -> None:
    """yes above relevant fits the schema (it cannot compare two fields); the loader refuses it."""
    doc = copy.deepcopy(YORK_DOC)
    doc["standards"]["P2.1"]["key_questions"]["engaging"] = {"yes": 21, "relevant": 20}
    assert VALIDATORS["inspection"].is_valid(doc)
    with pytest.raises(probation_rules.InspectionError, match="must not exceed relevant"):
        rate(doc)


# -- one schema per version ----------------------------------------------------------------

STRUCTURES = {
    "result": {"1": "9f23f808ba7d0e18d53fd35e1a5dd89fa87814ad487b9fe4c5472bbb5751fd33"},
    "trace": {"1": "d4bb8386b077ba65aa5564d09fde1ddda53d5e8dd732f81950e07d4db73a4c22"},
}
"""sha256 of each output schema without its prose (titles, descriptions), by version: the contract
(docs/reference/json.md) is that any change to a version's fields comes with a new version."""


def _structure(node: Any, names: bool = False) -> Any:
    if isinstance(node, dict):
        return {k: _structure(v, k in ("properties", "$defs") and not names) for k, v in node.items() if names or k not in ("title", "description")}
    if isinstance(node, list):
        return [_structure(v) for v in node]
    return node


@pytest.mark.parametrize(("name", "version"), [("result", RESULT_VERSION), ("trace", TRACE_VERSION)])
def test_an_output_schema_changes_only_with_a_new_version(name: str, version: str) -> None:
    digest = hashlib.sha256(json.dumps(_structure(SCHEMAS[name]()), sort_keys=True).encode()).hexdigest()
    known = STRUCTURES[name]
    assert version in known, f"{name} version {version} is new: record its schema's digest {digest} in STRUCTURES"
    assert digest == known[version], (
        f"the {name} schema changed within version {version}: give the {name} a new version (probation_rules/{name}.py) "
        f"and record the new digest {digest} in STRUCTURES; say what changed in docs/reference/json.md"
    )


def test_prose_does_not_count_as_a_change_but_a_field_does() -> None:
    schema = SCHEMAS["result"]()
    reworded = copy.deepcopy(schema) | {"title": "reworded", "description": "reworded"}
    assert _structure(reworded) == _structure(schema)
    renamed = copy.deepcopy(schema)
    renamed["$defs"]["MethodologyRef"]["properties"]["heading"] = renamed["$defs"]["MethodologyRef"]["properties"].pop("title")
    assert _structure(renamed) != _structure(schema)
