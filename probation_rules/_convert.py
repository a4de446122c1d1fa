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
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_mapping, is_sequence, list_structure_factory
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_hetero_tuple_structure_fn, mapping_structure_factory

from probation_rules.errors import Problem, did_you_mean

__all__ = ["LOADER_SET", "ValueProblem", "converter", "describe_type", "kind_of", "render_path", "structure", "unknown_and_missing"]

LOADER_SET = "probation_rules.loader_set"
"""Field metadata key: the loader fills this field; documents may not."""

T = TypeVar("T")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_LARGEST_FLOAT = 1.7976931348623157e308


class ValueProblem(ValueError):
    """Raised by hooks and validators; carries what was expected and the offending value.

    ``shown`` replaces the value in the message when the value itself says less than its kind
    (``must be an object (got a list)``); the problem still carries the value.
    """

    def __init__(self, expected: str, value: Any, suggestion: str | None = None, *, shown: str | None = None):
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.suggestion = suggestion
        self.shown = shown


def kind_of(value: Any) -> str | None:
    """How a wrong-typed container is named in a message; None for scalars, which show as they are."""
    if isinstance(value, Mapping):
        return "an empty object" if not value else "an object"
    if isinstance(value, (list, tuple)):
        return "an empty list" if not value else "a list"
    if isinstance(value, (set, frozenset)):
        return "a set"
    return None


def describe_type(tp: Any, *, plural: bool = False) -> str:
    """A type as a person who writes JSON or TOML names it: ``a list of strings``, ``an object``."""
    args = get_args(tp)
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        named = [describe_type(a, plural=plural) for a in args if a is not type(None)]
        text = " or ".join(dict.fromkeys(named))
        return text + (" or null" if type(None) in args else "")
    if origin is Literal:
        return ("values among: " if plural else "one of: ") + ", ".join(str(a) for a in args)
    simple = {
        str: ("a string", "strings"),
        int: ("a whole number", "whole numbers"),
        float: ("a number", "numbers"),
        bool: ("true or false", "true/false values"),
        datetime.date: ("a date written YYYY-MM-DD", "dates written YYYY-MM-DD"),
    }
    if tp in simple:
        return simple[tp][plural]
    if attrs.has(tp) or is_mapping(tp):
        return "objects" if plural else "an object"
    if is_sequence(tp) or origin is tuple:
        return "lists" if plural else _list_description(tp)
    return "values" if plural else "a value"


def _list_description(tp: Any) -> str:
    args = get_args(tp)
    if get_origin(tp) is tuple and args and args[-1] is not Ellipsis:
        kinds = [describe_type(a) for a in args]
        if len(set(kinds)) == 1:
            return f"a list of {len(args)} {describe_type(args[0], plural=True)}"
        return f"a list of {len(args)} values ({', '.join(kinds)})"
    if not args or args[0] is Any:
        return "a list"
    return f"a list of {describe_type(args[0], plural=True)}"


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
        raise ValueProblem("must be a string", value, shown=kind_of(value))
    return value


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        raise ValueProblem("must be a whole number written without a decimal point", value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueProblem("must be a whole number", value, shown=kind_of(value))
    return value


def _strict_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueProblem("must be a number", value, shown=kind_of(value))
    if isinstance(value, int):
        # A long integer does not fit a float; compare before converting, as float() would raise.
        if not -_LARGEST_FLOAT <= value <= _LARGEST_FLOAT:
            raise ValueProblem("must be a number of at most 308 digits", value)
        return float(value)
    if not math.isfinite(value):
        raise ValueProblem("must be a finite number", value)
    return value


def _strict_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueProblem("must be true or false", value, shown=kind_of(value))
    return value


def _date(value: Any, _: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise ValueProblem("must be a real date written YYYY-MM-DD", value) from None
    raise ValueProblem("must be a date written YYYY-MM-DD", value, shown=kind_of(value))


def _is_literal(tp: Any) -> bool:
    return get_origin(tp) is Literal


def _literal(value: Any, tp: Any) -> Any:
    choices = get_args(tp)
    try:
        if value in choices and type(value) in {type(c) for c in choices}:
            return value
    except TypeError:  # an unhashable value, such as a list, is no choice either
        pass
    names = [str(c) for c in choices]
    raise ValueProblem(f"must be one of: {', '.join(names)}", value, did_you_mean(value, names), shown=kind_of(value))


# Containers and classes: cattrs would iterate any iterable (a string becomes a list of its
# characters, an object a list of its keys) and index any value. These factories check the
# container's kind first, then hand over to cattrs' own structuring of its contents.

Hook = Callable[[Any, Any], Any]


def _wrong_kind(tp: Any, value: Any) -> ValueProblem:
    return ValueProblem(f"must be {describe_type(tp)}", value, shown=kind_of(value))


def _sequence_factory(tp: Any, conv: cattrs.Converter) -> Hook:
    inner = list_structure_factory(tp, conv) if get_origin(tp) is list or tp is list else homogenous_tuple_structure_factory(tp, conv)

    def structure_sequence(value: Any, cl: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _wrong_kind(tp, value)
        return inner(value, cl)

    return structure_sequence


def _fixed_tuple_factory(tp: Any, conv: cattrs.Converter) -> Hook:
    inner = make_hetero_tuple_structure_fn(tp, conv, detailed_validation=True)
    size = len(get_args(tp))

    def structure_fixed_tuple(value: Any, cl: Any) -> Any:
        if not isinstance(value, (list, tuple)) or len(value) != size:
            raise _wrong_kind(tp, value)
        return inner(value, cl)

    return structure_fixed_tuple


def _mapping_factory(tp: Any, conv: cattrs.Converter) -> Hook:
    inner = mapping_structure_factory(tp, conv, dict, detailed_validation=True)

    def structure_mapping(value: Any, cl: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _wrong_kind(tp, value)
        return inner(value, cl)

    return structure_mapping


def _attrs_factory(tp: Any, conv: cattrs.Converter) -> Hook:
    inner = conv.gen_structure_attrs_fromdict(tp)

    def structure_object(value: Any, cl: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _wrong_kind(tp, value)
        return inner(value, cl)

    return structure_object


def _is_fixed_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and bool(args) and args[-1] is not Ellipsis


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook_func(_is_literal, _literal)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(datetime.date, _date)
    conv.register_unstructure_hook(datetime.date, lambda d: d.isoformat())
    conv.register_structure_hook_factory(lambda t: attrs.has(t) and not isinstance(t, typing.TypeVar), lambda t: _attrs_factory(t, conv))
    conv.register_structure_hook_factory(is_mapping, lambda t: _mapping_factory(t, conv))
    conv.register_structure_hook_factory(is_sequence, lambda t: _sequence_factory(t, conv))
    conv.register_structure_hook_factory(_is_fixed_tuple, lambda t: _fixed_tuple_factory(t, conv))
    return conv


converter = _make_converter()


def structure(data: Any, cls: type[T], *, file: str | None = None) -> tuple[T | None, list[Problem]]:
    """Structure ``data`` into ``cls``; on failure return every problem found, not the first.

    A required field given under a misspelt key is reported once, as the unknown key with its
    did-you-mean (:func:`unknown_and_missing`), not also as missing.
    """
    try:
        return converter.structure(data, cls), []
    except Exception as exc:  # noqa: BLE001 - cattrs raises many types; all become Problems
        return None, [p.with_file(file) for p in problems_from(exc, (), data)]


PathParts = tuple[str | int, ...]


def unknown_and_missing(
    where: PathParts,
    given: Iterable[str],
    expected: Sequence[str],
    *,
    unknown: str = "is not a known field",
    listed: str = "",
    missing: str | Callable[[str], str | None] = "is required but missing",
    required: Iterable[str] | None = None,
    elsewhere: Iterable[str] = (),
    name_key: bool = False,
) -> Iterator[Problem]:
    """A problem for each key ``given`` at ``where`` that is not ``expected``, and for each ``required`` one not given.

    The one rule for misspellings, wherever keys are read: a key that is not expected gets the
    did-you-mean of the expected key it resembles; when that key is required and missing, it is
    not reported again as missing, and the unknown key's problem says it is missing instead of
    ending with ``listed`` (the expected keys, as the context lists them).

    ``required`` defaults to every expected key; ``missing`` says how a missing key reads, or is a
    function of the key that says so (None: the key is not missing after all, being given some
    other way). ``elsewhere``: keys whose problems are reported at other paths, but whose
    misspellings count here too. ``name_key``: an unknown key's problem shows it as its value.
    """
    expected = list(expected)
    given = list(given)
    present = set(given)
    wanted = expected if required is None else list(required)

    def missing_text(key: str) -> str | None:
        return missing if isinstance(missing, str) else missing(key)

    absent = {key for key in wanted if key not in present and missing_text(key) is not None}
    named: set[str] = set()
    for key in given:
        if key in expected:
            continue
        hint = did_you_mean(key, expected)
        text = unknown + listed
        if hint in absent:
            named.add(hint)
            text = f"{unknown} ({hint} is required and missing)"
        at = render_path((*where, key))
        yield Problem(at, text, key, hint) if name_key else Problem(at, text, suggestion=hint)
    named.update(hint for key in elsewhere if key not in expected and (hint := did_you_mean(key, expected)) is not None)
    for key in wanted:
        reads = missing_text(key) if key in absent and key not in named else None
        if reads is not None:
            yield Problem(render_path((*where, key)), reads)


def problems_from(exc: BaseException, path: PathParts, data: Any = None) -> Iterator[Problem]:
    """Flatten a cattrs exception tree into problems with full paths.

    ``data`` is the document being structured: an exception that is not the library's own
    (cattrs' or Python's) is described from the value at its path, never by its own text.
    """
    here = path + _note_path(exc)
    if isinstance(exc, ForbiddenExtraKeysError):  # unknown keys alone, every field given
        yield from _keys_problems(exc.cl, here, exc.extra_fields, set())
    elif isinstance(exc, ClassValidationError):
        extra = {key for sub in exc.exceptions if isinstance(sub, ForbiddenExtraKeysError) for key in sub.extra_fields}
        absent = {name for sub in exc.exceptions if isinstance(sub, KeyError) for name in _note_path(sub) if isinstance(name, str)}
        for sub in exc.exceptions:
            if not isinstance(sub, (ForbiddenExtraKeysError, KeyError)):
                yield from problems_from(sub, here, data)
        if extra or absent:
            yield from _keys_problems(exc.cl, here, extra, absent)
    elif isinstance(exc, IterableValidationError):
        for sub in exc.exceptions:
            yield from problems_from(sub, here, data)
    elif isinstance(exc, ValueProblem):
        yield Problem(path=render_path(here), expected=exc.expected, value=exc.value, suggestion=exc.suggestion, shown=exc.shown)
    elif isinstance(exc, KeyError):
        yield Problem(path=render_path(here), expected="is required but missing")
    elif isinstance(exc, (TypeError, ValueError, AttributeError, OverflowError, RecursionError)):
        yield _unexpected(exc, here, data)
    else:
        raise exc


def _keys_problems(cl: Any, here: PathParts, extra: Iterable[str], absent: set[str]) -> Iterator[Problem]:
    """The unknown and missing keys of one object of class ``cl``."""
    known = [a.name for a in attrs.fields(cl) if not a.metadata.get(LOADER_SET)] if attrs.has(cl) else []
    listed = " (known: " + ", ".join(known) + ")" if known else ""
    given = [*sorted(extra), *(name for name in known if name not in absent)]
    yield from unknown_and_missing(here, given, known, listed=listed, required=sorted(absent, key=_order(known)))


def _order(known: Sequence[str]) -> Callable[[str], tuple[int, str]]:
    return lambda name: (known.index(name) if name in known else len(known), name)


def _unexpected(exc: BaseException, here: tuple[str | int, ...], data: Any) -> Problem:
    """A failure no hook anticipated, said in terms of the document rather than of Python."""
    tp = _note_type(exc)
    expected = f"must be {describe_type(tp)}" if tp is not None else "has a value of the wrong kind here"
    found, value = _lookup(data, here)
    if not found:
        return Problem(path=render_path(here), expected=expected)
    return Problem(path=render_path(here), expected=expected, value=value, shown=kind_of(value))


def _note_type(exc: BaseException) -> Any:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return note.type
        if isinstance(note, IterableValidationNote):
            return note.type
    return None


def _lookup(data: Any, path: tuple[str | int, ...]) -> tuple[bool, Any]:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, data


def _note_path(exc: BaseException) -> tuple[str | int, ...]:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, AttributeValidationNote):
            return (note.name,)
        if isinstance(note, IterableValidationNote):
            index = note.index
            return (index if isinstance(index, (int, str)) else str(index),)
    return ()
