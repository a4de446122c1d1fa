"""One strict cattrs converter for every document the library reads, and its error translation.

cattrs is lenient by default: it turns ``5`` into ``"5"`` and ``"70"`` into ``70.0``. A rating
must never rest on a silently coerced value (durable-rules would then compare a string with a
number and say yes), so primitives are structured strictly here, unknown keys are refused, and
cattrs' nested exception groups become flat :class:`~probation_rules.errors.Problem` lists with
paths a person can follow.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)

from probation_rules.errors import Problem, did_you_mean

__all__ = ["LOADER_SET", "ValueProblem", "converter", "render_path", "structure"]

LOADER_SET = "probation_rules.loader_set"
"""Field metadata key: the loader fills this field; documents may not."""

T = TypeVar("T")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ValueProblem(ValueError):
    """Raised by hooks and validators; carries what was expected and the offending value."""

    def __init__(self, expected: str, value: Any, suggestion: str | None = None):
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.suggestion = suggestion


def render_path(parts: Sequence[str | int]) -> str:
    """``standards["P2.1"].key_questions.engaging``: dotted where unambiguous, bracketed where not."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def _strict_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem("must be a string", value)
    return value


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueProblem("must be a whole number", value)
    return value


def _strict_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueProblem("must be a number", value)
    if not math.isfinite(value):
        raise ValueProblem("must be a finite number", value)
    return float(value)


def _strict_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueProblem("must be true or false", value)
    return value


def _date(value: Any, _: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueProblem("must be a date written YYYY-MM-DD", value)


def _is_literal(tp: Any) -> bool:
    return get_origin(tp) is Literal


def _literal(value: Any, tp: Any) -> Any:
    choices = get_args(tp)
    if value in choices and type(value) in {type(c) for c in choices}:
        return value
    names = [str(c) for c in choices]
    raise ValueProblem(f"must be one of: {', '.join(names)}", value, did_you_mean(value, names))


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook_func(_is_literal, _literal)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(datetime.date, _date)
    conv.register_unstructure_hook(datetime.date, lambda d: d.isoformat())
    return conv


converter = _make_converter()


def structure(data: Any, cls: type[T], *, file: str | None = None) -> tuple[T | None, list[Problem]]:
    """Structure ``data`` into ``cls``; on failure return every problem found, not the first."""
    try:
        return converter.structure(data, cls), []
    except Exception as exc:  # noqa: BLE001 - cattrs raises many types; all become Problems
        return None, [p.with_file(file) for p in problems_from(exc, ())]


def problems_from(exc: BaseException, path: tuple[str | int, ...]) -> Iterator[Problem]:
    """Flatten a cattrs exception tree into problems with full paths."""
    here = path + _note_path(exc)
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [a.name for a in attrs.fields(exc.cl) if not a.metadata.get(LOADER_SET)] if attrs.has(exc.cl) else []
        for key in sorted(exc.extra_fields):
            yield Problem(
                path=render_path((*here, key)),
                expected="is not a known field" + (f" (known: {', '.join(known)})" if known else ""),
                suggestion=did_you_mean(key, known),
            )
    elif isinstance(exc, (ClassValidationError, IterableValidationError)):
        for sub in exc.exceptions:
            yield from problems_from(sub, here)
    elif isinstance(exc, ValueProblem):
        yield Problem(path=render_path(here), expected=exc.expected, value=exc.value, suggestion=exc.suggestion)
    elif isinstance(exc, KeyError):
        yield Problem(path=render_path(here), expected="is required but missing")
    elif isinstance(exc, (TypeError, ValueError, AttributeError)):
        yield Problem(path=render_path(here), expected=_describe(exc))
    else:
        raise exc


def _note_path(exc: BaseException) -> tuple[str | int, ...]:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return (note.name,)
        if isinstance(note, IterableValidationNote):
            index = note.index
            return (index if isinstance(index, (int, str)) else str(index),)
    return ()


def _describe(exc: BaseException) -> str:
    text = str(exc)
    if "NoneType" in text or "not subscriptable" in text or "object is not iterable" in text:
        return "has the wrong type (expected a table/object or list here)"
    return text or type(exc).__name__
