"""JSON Schemas for the library's documents, derived from the attrs classes that define them.

Deriving the schemas from the classes (rather than writing them by hand) keeps the published
contract and the code from drifting apart: a field added to a result class appears in the result
schema, and the tests validate every result, trace and inspection they produce against it
(``tests/_schemas.py``).

Output documents (results, traces) mark every field required, because ``to_dict`` always writes
every field (``null`` when it does not apply); input documents (inspections, methodologies)
require what the loader requires. Ranges, enumerations and formats are stated where the classes
guarantee them; validate with format checking on (``format_checker=...FORMAT_CHECKER`` in
``jsonschema``), or a malformed date passes. What JSON Schema cannot state (a count of yes
answers not above the count of relevant cases; an inspection that fits its methodology) the
loader checks, naming the problem.
"""

from __future__ import annotations

import copy
import datetime
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

import attrs

from probation_rules._convert import LOADER_SET
from probation_rules.inspection import Inspection, KeyQuestionValue
from probation_rules.methodology.loader import MAX_POINTS
from probation_rules.methodology.schema import EVIDENCE_LEVELS, Methodology, StandardKind
from probation_rules.result import RESULT_VERSION, RatingResult
from probation_rules.trace import TRACE_VERSION, TraceEntry

__all__ = ["SCHEMAS", "SELECTED_BY", "inspection_schema", "methodology_schema", "result_schema", "trace_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_BASE = "https://probation-rules.invalid/schemas/"

SELECTED_BY = ("argument", "inspection", "fieldwork_start", "programme", "default")
"""How a result's methodology was chosen (``MethodologyRef.selected_by``)."""

_PERCENT = {"minimum": 0, "maximum": 100}
_COUNT = {"type": "integer", "minimum": 0}

# Constraints the field types cannot carry, applied to a field's non-null branch.
_FIELDS: dict[str, dict[str, Any]] = {
    # inputs
    "Counts.yes": {"minimum": 0},
    "Counts.relevant": {"minimum": 1},
    "NotRated.not_rated": {"pattern": r"\S"},
    # outputs
    "KeyQuestionResult.percent": _PERCENT,
    "KeyQuestionResult.banded_percent": _PERCENT,
    "KeyQuestionResult.yes": {"minimum": 0},
    "KeyQuestionResult.relevant": {"minimum": 1},
    "NextBand.at_least": {"minimum": 0},
    "NextBand.short_by": {"exclusiveMinimum": 0},
    "NextBand.more_yes": {"minimum": 1},
    "StandardResult.kind": {"enum": list(get_args(StandardKind))},
    "StandardResult.points": {"minimum": 0, "maximum": MAX_POINTS},
    "RatingResult.score": {"minimum": 0},
    "RatingResult.max_score": {"minimum": 0},
    "RatingResult.full_max_score": {"minimum": 0},
    "MethodologyRef.sha256": {"pattern": "^[0-9a-f]{64}$"},
    "MethodologyRef.selected_by": {"enum": list(SELECTED_BY)},
    "TraceEntry.step": {"minimum": 1},
    "TraceEntry.because": {"items": {"type": "integer", "minimum": 1}},
    "TraceEntry.evidence": {"enum": list(EVIDENCE_LEVELS)},
}

# Whole-object rules: what one field implies for another.
_CLASSES: dict[str, dict[str, Any]] = {
    "Counts": {"description": "Counts of cases for one key question. yes must not exceed relevant (JSON Schema cannot say so; the loader checks it)."},
    "StandardResult": {
        "allOf": [
            {
                "description": "An unrated standard (not_rated gives the reason) has no rating and no points; every other standard has a rating.",
                "if": {"properties": {"not_rated": {"type": "string"}}},
                "then": {"properties": {"rating": {"type": "null"}, "points": {"type": "null"}}},
                "else": {"properties": {"rating": {"type": "string"}}},
            },
            {
                "description": "A rated standard has points exactly when it is scored.",
                "if": {"properties": {"not_rated": {"type": "null"}}},
                "then": {
                    "if": {"properties": {"scored": {"const": True}}},
                    "then": {"properties": {"points": {"type": "integer"}}},
                    "else": {"properties": {"points": {"type": "null"}}},
                },
            },
        ]
    },
}

# Fields a document must give although the class has a default.
_REQUIRED_INPUTS = frozenset({"Inspection.standards"})


def _constrain(schema: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in schema:
        return {"anyOf": [branch if branch.get("type") == "null" else _constrain(branch, extra) for branch in schema["anyOf"]]}
    return {**schema, **copy.deepcopy(extra)}


class _Builder:
    def __init__(self, skip: frozenset[str] = frozenset(), *, output: bool = False):
        self.defs: dict[str, Any] = {}
        self.skip = skip
        self.output = output
        """An output document: every field is always written, so every field is required."""

    def of(self, tp: Any) -> dict[str, Any]:
        if tp is Any:
            return {}
        if tp is type(None):
            return {"type": "null"}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is float:
            return {"type": "number"}
        if tp is str:
            return {"type": "string"}
        if tp is datetime.date:
            return {"type": "string", "format": "date"}
        if tp == KeyQuestionValue:
            return {"anyOf": [{"type": "number", **_PERCENT}, self.of(get_args(KeyQuestionValue)[1])]}
        origin = get_origin(tp)
        if origin is Literal:
            return {"enum": list(get_args(tp))}
        if origin in (typing.Union, types.UnionType):
            return {"anyOf": [self.of(arg) for arg in get_args(tp)]}
        if origin is tuple:
            return {"type": "array", "items": self.of(get_args(tp)[0])}
        if origin in (dict, Mapping) or origin is typing.Mapping:
            return {"type": "object", "additionalProperties": self.of(get_args(tp)[1])}
        if attrs.has(tp):
            return self.attrs_class(tp)
        raise TypeError(f"no JSON Schema for {tp!r}")

    def attrs_class(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}
            hints = typing.get_type_hints(cls)
            fields = [f for f in attrs.fields(cls) if not f.metadata.get(LOADER_SET) and f"{name}.{f.name}" not in self.skip]
            properties = {}
            for f in fields:
                prop = self.of(hints[f.name])
                if f"{name}.{f.name}" in _FIELDS:
                    prop = _constrain(prop, _FIELDS[f"{name}.{f.name}"])
                if not self.output and isinstance(f.default, str | int | float | bool) and f"{name}.{f.name}" not in _REQUIRED_INPUTS:
                    prop = {**prop, "default": f.default}  # what the loader takes when a document leaves the field out, said, not silent
                properties[f.name] = prop
            schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
            doc = (cls.__doc__ or "").strip().split("\n\n")[0]
            if doc and not doc.startswith(f"{name}("):
                schema["description"] = " ".join(doc.split())
            required = [f.name for f in fields if self.output or f.default is attrs.NOTHING or f"{name}.{f.name}" in _REQUIRED_INPUTS]
            if required:
                schema["required"] = required
            schema.update(copy.deepcopy(_CLASSES.get(name, {})))
            self.defs[name] = schema
        return {"$ref": f"#/$defs/{name}"}


def _document(name: str, title: str, root: dict[str, Any], builder: _Builder) -> dict[str, Any]:
    return {"$schema": _DIALECT, "$id": f"{_BASE}{name}.schema.json", "title": title, **root, "$defs": builder.defs}


def trace_schema() -> dict[str, Any]:
    b = _Builder(output=True)
    entry = b.of(TraceEntry)
    root = {
        "type": "object",
        "properties": {"trace_version": {"const": TRACE_VERSION}, "entries": {"type": "array", "items": entry}},
        "required": ["trace_version", "entries"],
        "additionalProperties": False,
    }
    return _document("trace", f"probation_rules trace, version {TRACE_VERSION}", root, b)


def result_schema() -> dict[str, Any]:
    b = _Builder(skip=frozenset({"RatingResult.rated_under", "RatingResult.trace"}), output=True)
    b.of(RatingResult)
    body = b.defs.pop("RatingResult")
    trace = trace_schema()
    b.defs.update(trace["$defs"])
    trace_root = {k: v for k, v in trace.items() if k in ("type", "properties", "required", "additionalProperties")}
    body["properties"] = {"result_version": {"const": RESULT_VERSION}, **body["properties"], "trace": trace_root}
    body["required"] = ["result_version", *body.get("required", []), "trace"]
    return _document("result", f"probation_rules rating result, version {RESULT_VERSION}", body, b)


def inspection_schema() -> dict[str, Any]:
    b = _Builder()
    b.of(Inspection)
    body = b.defs.pop("Inspection")
    return _document("inspection", "probation_rules inspection document", body, b)


def methodology_schema() -> dict[str, Any]:
    """For editors that check TOML against a JSON Schema while a methodology is written."""
    b = _Builder()
    b.of(Methodology)
    body = b.defs.pop("Methodology")
    return _document("methodology", "probation_rules methodology file", body, b)


SCHEMAS = {"inspection": inspection_schema, "result": result_schema, "trace": trace_schema, "methodology": methodology_schema}
