"""The library's errors.

Callers catch :class:`ProbationRulesError` for anything this library raises on purpose; each
subclass is also a standard-library exception type, so generic handlers (``except ValueError``,
``except OSError``) keep working. Every error carries the problems it found as structured
:class:`Problem` values, because a tool that imports the library needs the path and the value,
not a sentence to parse.
"""

from __future__ import annotations

import difflib
import errno as _errno
import json
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

__all__ = [
    "DocumentSyntaxError",
    "EngineError",
    "InputFileError",
    "InspectionError",
    "MethodologyError",
    "MissingFileError",
    "ProbationRulesError",
    "Problem",
    "RobustnessError",
    "RuleConflictError",
    "UnknownMethodologyError",
    "UsageError",
    "VariantError",
    "did_you_mean",
]


class _Missing:
    """No value: a problem about something absent. One instance, the same after pickling."""

    def __repr__(self) -> str:
        return "<no value>"

    def __reduce__(self) -> str:
        return "_MISSING"


_MISSING = _Missing()


def did_you_mean(value: object, choices: Iterable[str]) -> str | None:
    """The closest known name to a misspelt one, else the only one that a word of it begins with
    (``youth`` for ``youth-justice``), or None when nothing is close."""
    if not isinstance(value, str):
        return None
    choices = list(choices)
    matches = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    start = value.strip().lower()
    if not start:
        return None
    found = [c for c in choices if any(word.startswith(start) for word in re.split(r"[\s_\-]+", c.lower()))]
    return found[0] if len(found) == 1 else None


@attrs.frozen
class Problem:
    """One thing wrong with an input: where it is, what was found and what was expected."""

    path: str
    expected: str
    value: Any = attrs.field(default=_MISSING, repr=False)
    suggestion: str | None = None
    file: str | None = None
    shown: str | None = attrs.field(default=None, repr=False, eq=False)
    """How the message names the value when its kind says more than its text (``a list``)."""

    @property
    def has_value(self) -> bool:
        return self.value is not _MISSING

    def with_file(self, file: str | None) -> Problem:
        return self if file is None or self.file else attrs.evolve(self, file=file)

    def __str__(self) -> str:
        where = ": ".join(part for part in (_show_file(self.file), self.path) if part)
        text = f"{where}: {self.expected}" if where else self.expected
        if self.has_value:
            text += f" (got {self.shown or _show(self.value)})"
        if self.suggestion:
            text += f"; did you mean {self.suggestion!r}?"
        return text

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON: ``value`` is the value as the document gave it (a string for a
        value JSON cannot hold, such as ``inf``: its text as the message shows it)."""
        out: dict[str, Any] = {"file": self.file, "path": self.path, "expected": self.expected}
        if self.has_value:
            out["value"] = _as_json(self.value)
        out["suggestion"] = self.suggestion
        return out


def _show_file(file: str | None) -> str | None:
    """File names print as they are, unless they hold characters that would break the line."""
    return file if file is None or file.isprintable() else repr(file)


_SCALARS = {None: "null", True: "true", False: "false"}


def _show(value: Any) -> str:
    """A value as a message shows it: scalars as written (null, true), containers as JSON."""
    if value is None or isinstance(value, bool):
        return _SCALARS[value]
    try:
        text = _container_json(value) if isinstance(value, (dict, list, tuple)) else repr(value)
    except RecursionError:
        return "<a value nested too deeply to show>"
    except ValueError:  # an integer too long for Python to print
        return "<a number too long to show>"
    return text if len(text) <= 80 else text[:77] + "..."


def _container_json(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)
    return text if text.isprintable() else json.dumps(value, allow_nan=False)


def _as_json(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return _show(value)


class ProbationRulesError(Exception):
    """Base of every error the library raises on purpose."""

    def __init__(self, problems: Problem | Sequence[Problem] | str, *, file: str | None = None, note: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(path="", expected=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(p.with_file(file) for p in problems)
        self.file = file
        self.note = note
        """Context for the problems that is no problem itself (how the methodology was chosen), said once after them."""
        super().__init__(self.one_line())

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with its problems (a worker process sends errors back this way), not as its text.
        return (_rebuild, (type(self), self.problems, self.file, self.note), self._state())

    def _state(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def __str__(self) -> str:
        return self.one_line()

    def one_line(self) -> str:
        """All problems on one line, as the command line prints them, then the note if there is one."""
        text = self._joined() + (f" (note: {self.note})" if self.note else "")
        return text.replace("\r", "\\r").replace("\n", "\\n")

    def _joined(self) -> str:
        if not self.problems:
            return type(self).__name__
        if len(self.problems) == 1:
            return str(self.problems[0])
        files = {p.file for p in self.problems}
        if len(files) == 1 and None not in files:
            texts = [str(attrs.evolve(p, file=None)) for p in self.problems]
            return f"{_show_file(files.pop())}: {len(texts)} problems: " + "; ".join(texts)
        return f"{len(self.problems)} problems: " + "; ".join(str(p) for p in self.problems)


def _rebuild(cls: type[ProbationRulesError], problems: tuple[Problem, ...], file: str | None, note: str | None = None) -> ProbationRulesError:
    error = cls.__new__(cls)  # not cls(...): a subclass may take other arguments; its state follows
    ProbationRulesError.__init__(error, problems, file=file, note=note)
    return error


class InspectionError(ProbationRulesError, ValueError):
    """An inspection document does not fit the methodology or the input format."""


class MethodologyError(ProbationRulesError, ValueError):
    """A methodology file is malformed or inconsistent."""


class UnknownMethodologyError(MethodologyError, LookupError):
    """No bundled methodology has the requested id, and no file has that path."""


class InputFileError(ProbationRulesError, OSError):
    """A file could not be read: it does not exist, is a directory, or the system refused to read it.

    Whatever the file was meant to hold (an inspection, a methodology, a variant, simulation
    rates), a file that cannot be read is this error, and one that was read but is not UTF-8
    text, JSON or TOML is its subclass :class:`DocumentSyntaxError`. For a file that does not
    exist it is the subclass :class:`MissingFileError`, also a :class:`FileNotFoundError`, with
    ``errno`` :data:`errno.ENOENT` and ``filename`` its path.
    """

    def __init__(self, problems: Problem | Sequence[Problem] | str, *, file: str | None = None, errno: int | None = None):
        super().__init__(problems, file=file)
        if errno is not None:
            self.errno, self.strerror, self.filename = errno, os.strerror(errno), file

    def _state(self) -> dict[str, Any]:
        return {**self.__dict__, "errno": self.errno, "strerror": self.strerror, "filename": self.filename}


class MissingFileError(InputFileError, FileNotFoundError):
    """A file that does not exist: an :class:`InputFileError` that is also the :class:`FileNotFoundError` reading it raised.

    ``except FileNotFoundError`` catches it, as it would the standard library's own;
    ``errno`` is :data:`errno.ENOENT` and ``filename`` the path given.
    """

    def __init__(self, problems: Problem | Sequence[Problem] | str, *, file: str | None = None, errno: int | None = _errno.ENOENT):
        super().__init__(problems, file=file, errno=errno)


class UsageError(ProbationRulesError, ValueError):
    """A function or command was called with an option out of range, or with options that conflict."""


class DocumentSyntaxError(InputFileError, ValueError):
    """A file was read but is not UTF-8 text, or not valid JSON or TOML (or is nested too deeply to read).

    An :class:`InputFileError` that is also a ``ValueError``, as :func:`json.loads` and
    :func:`tomllib.loads` raise for the same text. It is raised for every kind of file alike:
    a methodology file that is not TOML is this error, not a :class:`MethodologyError`, which
    means a file that was read as TOML and is not a sound methodology.
    """


class VariantError(MethodologyError):
    """A variant file that cannot apply; every problem names its path in the variant file."""


class RobustnessError(ProbationRulesError, ValueError):
    """The robustness analysis cannot answer honestly for this inspection (options out of range are :class:`UsageError`)."""


class EngineError(ProbationRulesError, RuntimeError):
    """durable-rules failed in a way it would otherwise have kept quiet about."""


class RuleConflictError(EngineError):
    """No rule, or more than one rule with different outcomes, decided a value.

    A consistent methodology never raises this; ``check`` finds the gap or overlap statically.
    """
