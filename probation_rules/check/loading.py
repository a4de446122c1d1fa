"""Load a methodology for ``check``: a file the loader refuses becomes findings, not a crash.

A policy officer runs ``check`` precisely on the variant that may be wrong, so what the loader
refuses (unknown keys with a did-you-mean, missing fields, references to ratings or standards
that do not exist) is reported like any other finding. Only input that is no methodology at all
(a file or id that does not exist, a directory, a file that is not UTF-8 text or not TOML) is an
error of the command line: one line, exit status 2.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import attrs

from probation_rules.check.findings import Finding
from probation_rules.errors import InputFileError, MethodologyError, Problem, UnknownMethodologyError
from probation_rules.methodology.loader import bundled_ids, load_methodology
from probation_rules.methodology.schema import Methodology

__all__ = ["finding_from_problem", "load_for_check"]

_MISSING = "is required but missing"


def load_for_check(which: str | os.PathLike[str]) -> tuple[Methodology | None, str | None, list[Finding]]:
    """The methodology (or None), the file it came from, and the loader's problems as findings.

    Raises :class:`UnknownMethodologyError`, :class:`InputFileError` (no such file, or a directory)
    or :class:`MethodologyError` (not UTF-8, not TOML) when there is nothing to check.
    """
    if os.fspath(which) not in bundled_ids() and Path(which).is_dir():
        raise InputFileError(Problem("", "is a directory, not a methodology file: name a TOML file or a bundled methodology id"), file=os.fspath(which))
    try:
        m = load_methodology(which)
    except UnknownMethodologyError:
        raise
    except MethodologyError as exc:
        if any(_unreadable(p) for p in exc.problems):
            raise  # not a methodology with problems, but no methodology at all
        return None, exc.file or os.fspath(which), _findings(exc.problems)
    return m, m.source, []


def _unreadable(problem: Problem) -> bool:
    """The file is not UTF-8 text or not TOML: there are no keys to report on."""
    return problem.path == "" and (problem.expected.startswith("is not valid TOML") or problem.expected == "must be UTF-8 text")


def _split(path: str) -> tuple[str, str]:
    parent, _, leaf = path.rpartition(".")
    return parent, leaf


def _findings(problems: Sequence[Problem]) -> list[Finding]:
    """The loader's problems as findings, a misspelt key once: not also as the key it should have been, missing."""
    misspelt = {(_split(p.path)[0], p.suggestion): p for p in problems if p.expected.startswith("is not a known field") and p.suggestion}
    missing = {_split(p.path) for p in problems if p.expected == _MISSING}
    findings = []
    for p in problems:
        if p.expected == _MISSING and _split(p.path) in misspelt:
            continue
        finding = finding_from_problem(p)
        if (_split(p.path)[0], p.suggestion) in misspelt and (_split(p.path)[0], p.suggestion) in missing:
            finding = attrs.evolve(finding, message=f"{finding.message} ({p.suggestion} is required and missing)")
        findings.append(finding)
    return findings


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
