"""JSON Schemas for the library's documents, derived from the attrs classes that define them.

Deriving the schemas from the classes (rather than writing them by hand) keeps the published
contract and the code from drifting apart: a field added to a result class appears in the result
schema, and the tests validate every document they produce against it.
"""

from __future__ import annotations

import datetime
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, get_args, get_origin

import attrs

from probation_rules._convert import LOADER_SET
from probation_rules.inspection import Inspection, KeyQuestionValue
from probation_rules.methodology.schema import Methodology
from probation_rules.result import RESULT_VERSION, RatingResult
from probation_rules.trace import TRACE_VERSION, TraceEntry

__all__ = ["SCHEMAS", "inspection_schema", "methodology_schema", "result_schema", "trace_schema"]

_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_BASE = "https://probation-rules.invalid/schemas/"


class _Builder:
    def __init__(self, skip: frozenset[str] = frozenset()):
        self.defs: dict[str, Any] = {}
        self.skip = skip

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
            return {"anyOf": [{"type": "number", "minimum": 0, "maximum": 100}, self.of(get_args(KeyQuestionValue)[1])]}
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
            schema: dict[str, Any] = {
                "type": "object",
                "properties": {f.name: self.of(hints[f.name]) for f in fields},
                "additionalProperties": False,
            }
            doc = (cls.__doc__ or "").strip().split("\n\n")[0]
            if doc and not doc.startswith(f"{name}("):
                schema["description"] = " ".join(doc.split())
            required = [f.name for f in fields if f.default is attrs.NOTHING]
            if required:
                schema["required"] = required
            self.defs[name] = schema
        return {"$ref": f"#/$defs/{name}"}


def _document(name: str, title: str, root: dict[str, Any], builder: _Builder) -> dict[str, Any]:
    return {"$schema": _DIALECT, "$id": f"{_BASE}{name}.json", "title": title, **root, "$defs": builder.defs}


def trace_schema() -> dict[str, Any]:
    b = _Builder()
    entry = b.of(TraceEntry)
    root = {
        "type": "object",
        "properties": {"trace_version": {"const": TRACE_VERSION}, "entries": {"type": "array", "items": entry}},
        "required": ["trace_version", "entries"],
        "additionalProperties": False,
    }
    return _document("trace", f"probation_rules trace, version {TRACE_VERSION}", root, b)


def result_schema() -> dict[str, Any]:
    b = _Builder(skip=frozenset({"RatingResult.rated_under", "RatingResult.trace"}))
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
