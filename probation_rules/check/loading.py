"""Load a methodology for ``check``: a file the loader refuses becomes findings, not a crash.

A policy officer runs ``check`` precisely on the variant that may be wrong, so what the loader
refuses (unknown keys with a did-you-mean, missing fields, references to ratings or standards
that do not exist) is reported like any other finding. Only input that is no methodology at all
(an id or file that does not exist, a directory, a file that is not UTF-8 text or not TOML: an
:class:`~probation_rules.errors.InputFileError` or an
:class:`~probation_rules.errors.UnknownMethodologyError`) is an error of the command line: one
line, exit status 2.
"""

from __future__ import annotations

import os

import attrs

from probation_rules.check.findings import Finding
from probation_rules.errors import MethodologyError, Problem, UnknownMethodologyError
from probation_rules.methodology.loader import load_methodology
from probation_rules.methodology.schema import Methodology

__all__ = ["finding_from_problem", "load_for_check"]

_MISSING = "is required but missing"


def load_for_check(which: str | os.PathLike[str]) -> tuple[Methodology | None, str | None, list[Finding]]:
    """The methodology (or None), the file it came from, and the loader's problems as findings.

    Raises :class:`UnknownMethodologyError` or :class:`InputFileError` (no such file, a directory,
    not UTF-8 text, not TOML) when there is nothing to check.
    """
    try:
        m = load_methodology(which)
    except UnknownMethodologyError:
        raise
    except MethodologyError as exc:
        return None, exc.file or os.fspath(which), [finding_from_problem(p) for p in exc.problems]
    return m, m.source, []


def finding_from_problem(problem: Problem) -> Finding:
    path, expected = problem.path, problem.expected
    leaf = path.rsplit(".", 1)[-1]
    code = "invalid"
    if expected.startswith("is not a known field"):
        code = "unknown-key"
    elif expected == _MISSING:
        if leaf == "max_bands_up" and ".override." in f".{path}":
            code = "override-no-limit"
        elif leaf in ("citation", "evidence"):
            code = f"missing-{leaf}"
        else:
            code = "missing-field"
    message = str(attrs.evolve(problem, path="", file=None))
    return Finding(code, path, message, problem.suggestion)
