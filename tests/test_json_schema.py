"""Every document the library reads or writes validates against its published JSON Schema."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from typing import Any

import jsonschema
from hypothesis import example, given

from probation_rules import load_methodology, rate
from probation_rules.json_schema import SCHEMAS
from probation_rules.methodology import bundled_ids
from probation_rules.testing.strategies import inspection_documents

from .conftest import YORK

VALIDATORS = {name: jsonschema.Draft202012Validator(schema()) for name, schema in SCHEMAS.items()}
YORK_DOC = json.loads(YORK.read_text())


def test_schemas_are_valid_json_schemas() -> None:
    for name, schema in SCHEMAS.items():
        jsonschema.Draft202012Validator.check_schema(schema())
        assert schema()["$id"].endswith(f"{name}.json")


@given(inspection_documents(load_methodology("hmip-pdu-2023")))
@example(YORK_DOC)
def test_inputs_results_and_traces_validate(doc: dict[str, Any]) -> None:
    VALIDATORS["inspection"].validate(doc)
    result = rate(doc).to_dict()
    VALIDATORS["result"].validate(result)
    VALIDATORS["trace"].validate(result["trace"])


def test_the_schemas_refuse_what_the_loader_refuses() -> None:
    bad = json.loads(json.dumps(YORK_DOC))
    bad["unti"] = "x"
    assert not VALIDATORS["inspection"].is_valid(bad)
    result = rate(YORK_DOC).to_dict()
    result["result_version"] = "0"
    assert not VALIDATORS["result"].is_valid(result)


def test_bundled_methodology_files_validate() -> None:
    for methodology_id in bundled_ids():
        data = json.loads(json.dumps(_data(methodology_id), default=str))
        VALIDATORS["methodology"].validate(data)


def _data(methodology_id: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("probation_rules.methodologies").joinpath(f"{methodology_id}.toml").read_text())
