"""One way to read the files the library takes, and to say in plain words why one cannot be read.

Every reader (inspections, methodologies and variants, simulation rates, streams of inspections)
goes through :func:`read_bytes` and :func:`decode` (or :func:`read_text`, which is both), then
:func:`parse_json` or :func:`parse_toml`, so the same fault reads the same whatever the file was
meant to hold:

- a file that cannot be read (missing, a directory, permission denied) is an
  :class:`~probation_rules.errors.InputFileError` naming the file; a missing one is its subclass
  :class:`~probation_rules.errors.MissingFileError` (also a ``FileNotFoundError``), names the
  absolute path looked for and sets ``errno`` to ``ENOENT``;
- a file that was read but is not UTF-8 text, JSON or TOML, or is nested too deeply to read, is
  a :class:`~probation_rules.errors.DocumentSyntaxError` (also a ``ValueError``);
- a UTF-8 byte-order mark, as some editors write, is no content and is dropped;
- JSON has no NaN or Infinity and no repeated keys, whatever Python's :mod:`json` accepts.
"""

from __future__ import annotations

import errno
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from probation_rules._convert import render_path
from probation_rules.errors import DocumentSyntaxError, InputFileError, MissingFileError, Problem

__all__ = ["decode", "parse_json", "parse_toml", "read_bytes", "read_text"]

_BOM = b"\xef\xbb\xbf"


def read_bytes(path: str | os.PathLike[str], what: str) -> bytes:
    """A file's bytes, or an :class:`InputFileError` that says why not; ``what`` is what it should hold ("a methodology file")."""
    name = os.fspath(path)
    try:
        return Path(name).read_bytes()
    except FileNotFoundError as exc:
        where = "" if os.path.isabs(name) else f" (looked for {os.path.abspath(name)})"
        raise MissingFileError(Problem("", f"no such file{where}"), file=name, errno=errno.ENOENT) from exc
    except IsADirectoryError as exc:
        raise InputFileError(Problem("", f"is a directory, not {what}"), file=name) from exc
    except PermissionError as exc:
        raise InputFileError(Problem("", "cannot be read: permission denied"), file=name) from exc
    except OSError as exc:
        raise InputFileError(Problem("", f"cannot be read: {exc.strerror or 'the system refused'}"), file=name) from exc
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise InputFileError(Problem("", f"is not a usable file path: {exc}"), file=repr(name)) from exc


def decode(raw: bytes, file: str) -> str:
    """UTF-8 bytes as text, without a byte-order mark; :class:`DocumentSyntaxError` naming the first byte that is not UTF-8."""
    body = raw.removeprefix(_BOM)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(raw) - len(body)
        expected = f"is not UTF-8 text: byte {body[exc.start]:#04x} at offset {offset} cannot be decoded (save the file as UTF-8)"
        raise DocumentSyntaxError(Problem("", expected), file=file) from None


def read_text(path: str | os.PathLike[str], what: str) -> str:
    """A file's text: :func:`read_bytes`, then :func:`decode`."""
    return decode(read_bytes(path, what), os.fspath(path))


def parse_toml(text: str, file: str, what: str, *, hint: str | None = None) -> dict[str, Any]:
    """TOML text as data; :class:`DocumentSyntaxError` for text that is not TOML or is nested too deeply to read.

    ``hint`` ends the message of a refusal, for a file that looks like something else.
    """
    after = f"; {hint}" if hint else ""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocumentSyntaxError(Problem("", f"is not valid TOML: {exc}{after}"), file=file) from None
    except RecursionError:
        raise DocumentSyntaxError(Problem("", f"is nested too deeply to be {what}"), file=file) from None


def parse_json(text: str, file: str, what: str = "an inspection document", *, hint: str | None = None) -> tuple[Any, list[Problem]]:
    """JSON text as data, with a problem for every key an object repeats (refused later, with the rest).

    Raises :class:`DocumentSyntaxError` for text that is not JSON: as :func:`json.loads` would,
    and also for NaN and Infinity, which JSON does not have. ``file`` names where the text came from
    (a file, or a line of one); ``hint`` ends the message of a refusal, for a file that looks like
    something else.
    """
    after = f"; {hint}" if hint else ""
    if not text.strip():
        raise DocumentSyntaxError(Problem("", "is empty, not a JSON document"), file=file)
    repeated: list[_Object] = []
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=lambda pairs: _object(pairs, repeated))
    except json.JSONDecodeError as exc:
        raise DocumentSyntaxError(Problem("", f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}{after}"), file=file) from None
    except _NotANumber as exc:
        raise DocumentSyntaxError(Problem("", f"is not valid JSON: {exc} is not a JSON number"), file=file) from None
    except ValueError:  # Python's limit on the digits of an integer it reads
        raise DocumentSyntaxError(Problem("", "has a number too long to read (more than 4300 digits)"), file=file) from None
    except RecursionError:
        raise DocumentSyntaxError(Problem("", f"is nested too deeply to be {what}"), file=file) from None
    return data, _duplicate_problems(data, file) if repeated else []


class _NotANumber(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotANumber(name)


class _Object(dict[str, Any]):
    """A JSON object that gave some key more than once (the last value stands until refused)."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]], repeated: list[_Object]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    flagged = _Object(obj)
    flagged.repeated = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))  # type: ignore[func-returns-value]
    repeated.append(flagged)
    return flagged


def _duplicate_problems(data: Any, file: str) -> list[Problem]:
    problems: list[Problem] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, _Object):
            problems += [Problem(render_path((*where, key)), "is given more than once in its object: give each key once", file=file) for key in node.repeated]
        if isinstance(node, dict):
            stack += [((*where, k), v) for k, v in reversed(node.items())]
        elif isinstance(node, list):
            stack += [((*where, i), v) for i, v in reversed(list(enumerate(node)))]
    return problems
