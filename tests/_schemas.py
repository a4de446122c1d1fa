"""Every result, trace and inspection the tests produce is validated against its published JSON Schema.

One mechanism, on for the whole session (``tests/conftest.py`` imports the autouse fixture):

- every ``RatingResult.to_dict()`` and ``Trace.to_dict()``, whoever calls it (a test, the CLI's
  ``--format json``, a comparison or report), is validated against the result or trace schema;
- every inspection the library accepts (each successful ``validate_against``, the check that
  precedes every rating) is written back as a document and validated against the inspection
  schema, so the schema never refuses what the library rates;
- every simulated inspection (``Simulation.inspection``, behind ``simulate`` and ``compare
  --simulate``) is validated as it is drawn.

A document that does not fit raises :class:`SchemaViolation` where it was produced, failing the
test that produced it. Output of the command line run in a subprocess (the documentation's
console examples) is checked with :func:`check_cli_output`. Validation uses format checking, so
a malformed date is refused.
"""

from __future__ import annotations

import collections
import json
import shlex
import sys
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest

from probation_rules import inspection as inspection_module
from probation_rules.dump import inspection_to_dict
from probation_rules.json_schema import SCHEMAS
from probation_rules.result import RatingResult
from probation_rules.trace import Trace
from probation_rules.whatif.simulate import Simulation

__all__ = ["COUNTS", "VALIDATORS", "SchemaViolation", "check", "check_cli_output", "every_document_validates"]

VALIDATORS = {
    name: jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER) for name, schema in SCHEMAS.items()
}

COUNTS: collections.Counter[str] = collections.Counter()
"""How many documents of each kind were validated this session."""


class SchemaViolation(AssertionError):
    """A document the library produced does not fit its published JSON Schema."""


def check(kind: str, document: Any) -> Any:
    """Validate ``document`` against the ``kind`` schema; return it unchanged."""
    error = jsonschema.exceptions.best_match(VALIDATORS[kind].iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise SchemaViolation(f"{kind} document does not fit {kind}.schema.json at {where}: {error.message}")
    COUNTS[kind] += 1
    return document


def check_cli_output(command: str, stdout: str) -> int:
    """Validate what a ``probation-rules`` command printed, when it prints a schema's document.

    ``rate --format json`` prints a result (a list of them for several files), ``explain
    --format json`` a trace, ``simulate`` (to standard output) one inspection per line. Returns
    how many documents were validated (0 for any other command or format).
    """
    words = shlex.split(command)
    if "|" in words or ">" in words or not words or words[0] != "probation-rules" or len(words) < 2:
        return 0
    name, rest = words[1], words[2:]
    fmt = next((rest[i + 1] for i, w in enumerate(rest[:-1]) if w in ("--format", "-f")), "text")
    if name == "rate" and fmt == "json":
        body = json.loads(stdout)
        results = body if isinstance(body, list) else [body]
        for result in results:
            check("result", result)
        return len(results)
    if name == "explain" and fmt == "json":
        check("trace", json.loads(stdout))
        return 1
    if name == "simulate" and not any(w in ("--output", "-o") for w in rest):
        lines = [line for line in stdout.splitlines() if line.strip() and not line.startswith("#")]
        for line in lines:
            check("inspection", json.loads(line))
        return len(lines)
    return 0


def _validating(original: Callable[..., Any], kind: str, document: Callable[[tuple[Any, ...], dict[str, Any], Any], Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value = original(*args, **kwargs)
        check(kind, document(args, kwargs, value))
        return value

    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    wrapper.__doc__ = original.__doc__
    return wrapper


def _bindings(original: object) -> Iterator[tuple[object, str]]:
    """Every module attribute, in the library and the tests, bound to ``original``."""
    for name, module in list(sys.modules.items()):
        if module is not None and (name == "probation_rules" or name.startswith(("probation_rules.", "tests."))):
            for attr, value in list(vars(module).items()):
                if value is original:
                    yield module, attr


@pytest.fixture(scope="session", autouse=True)
def every_document_validates() -> Iterator[collections.Counter[str]]:
    patch = pytest.MonkeyPatch()
    patch.setattr(RatingResult, "to_dict", _validating(RatingResult.to_dict, "result", lambda _, __, out: out))
    patch.setattr(Trace, "to_dict", _validating(Trace.to_dict, "trace", lambda _, __, out: out))
    patch.setattr(Simulation, "inspection", _validating(Simulation.inspection, "inspection", lambda _, __, out: out))
    original = inspection_module.validate_against
    accepted = _validating(original, "inspection", lambda args, kwargs, _: inspection_to_dict(args[0] if args else kwargs["inspection"]))
    # The defining module first, so that modules imported later bind the wrapper too.
    patch.setattr(inspection_module, "validate_against", accepted)
    for module, attr in _bindings(original):
        patch.setattr(module, attr, accepted)
    yield COUNTS
    patch.undo()
