"""The command line as a script sees it: exit status, stdout, and exactly one line on stderr.

Argument errors are read from the parser itself, so a new subcommand or option is covered
without editing this file.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator

import pytest
from _pytest.capture import CaptureResult

from probation_rules.cli import COMMAND_MODULES, build_parser, main

from .conftest import ROOT, YORK

PARSER = build_parser()
COMMANDS: dict[str, argparse.ArgumentParser] = next(a for a in PARSER._actions if isinstance(a, argparse._SubParsersAction)).choices
PUBLISHED = ROOT / "examples" / "published"


def one_error_line(captured: CaptureResult[str]) -> str:
    """The single stderr line of a refused command; nothing on stdout, no usage, no traceback."""
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert captured.err.endswith("\n")
    assert "Traceback" not in captured.err and "usage:" not in captured.err
    line: str = lines[0]
    assert line.startswith("probation-rules: error: ")
    return line


# --- argument errors, for every registered subcommand ------------------------------------------


def _bad_values() -> Iterator[tuple[str, str, str]]:
    """(command, option, value) for every option with choices or a type, with a value it refuses."""
    for name, parser in COMMANDS.items():
        for action in parser._actions:
            if not action.option_strings or action.nargs == 0:
                continue
            if action.choices is not None:
                yield name, action.option_strings[0], "no-such-choice"
            elif callable(action.type):
                try:
                    action.type("not-a-value")
                except (TypeError, ValueError, argparse.ArgumentTypeError):
                    yield name, action.option_strings[0], "not-a-value"


BAD_VALUES = list(_bad_values())
REQUIRED = [
    name
    for name, parser in COMMANDS.items()
    if any(a.required or (not a.option_strings and a.nargs not in ("?", "*")) for a in parser._actions if not isinstance(a, argparse._HelpAction))
]


def test_every_subcommand_is_covered() -> None:
    assert set(COMMANDS) == set(COMMAND_MODULES)
    assert {name for name, _, _ in BAD_VALUES} >= {"rate", "methodologies", "robustness"}
    assert "rate" in REQUIRED


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_an_unknown_option_is_one_line_naming_the_command(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--no-such-option"]) == 2
    line = one_error_line(capsys.readouterr())
    assert line.startswith(f"probation-rules: error: {name}: ")
    # argparse reports a missing required argument before an unknown one
    assert ("the following arguments are required" if name in REQUIRED else "unrecognized arguments: --no-such-option") in line


@pytest.mark.parametrize(("name", "option", "value"), BAD_VALUES, ids=[f"{n} {o}" for n, o, _ in BAD_VALUES])
def test_a_refused_option_value_is_one_line_naming_command_and_option(name: str, option: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, option, value]) == 2
    line = one_error_line(capsys.readouterr())
    assert line.startswith(f"probation-rules: error: {name}: argument {option}")
    assert repr(value) in line


@pytest.mark.parametrize("name", REQUIRED)
def test_a_missing_required_argument_is_one_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name]) == 2
    assert "required" in one_error_line(capsys.readouterr())


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["rate", "x.json", "--format", "yaml"], "rate: argument --format/-f: invalid choice: 'yaml' (choose from 'text', 'json', 'markdown')"),
        (["rate", "x.json", "--format", "jsn"], "did you mean 'json'?"),
        (["rate", "x.json", "--frmat", "json"], "rate: unrecognized arguments: --frmat json; did you mean '--format'?"),
        (["rate"], "rate: the following arguments are required: FILE"),
        (["methodologies", "--on", "2024-09"], "methodologies: argument --on: must be a date written YYYY-MM-DD (got '2024-09')"),
        (["robustness", "--level", "abc"], "robustness: argument --level: invalid float value: 'abc'"),
        (["rat", "x.json"], "argument COMMAND: invalid choice: 'rat'"),
        (["rat", "x.json"], "did you mean 'rate'?"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_the_reviewed_argument_errors(argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert expected in one_error_line(capsys.readouterr())


def test_a_value_with_a_newline_stays_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rate", "x.json", "--x=1\n2"]) == 2
    assert "--x=1\\n2" in one_error_line(capsys.readouterr())


@pytest.mark.parametrize("name", [None, *sorted(COMMANDS)])
def test_help_is_still_printed_in_full(name: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name, "--help"] if name else ["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: probation-rules")
    assert "options:" in out and len(out.splitlines()) > 4


def test_the_installed_command_prints_one_line_for_a_bad_argument() -> None:
    run = subprocess.run([sys.executable, "-m", "probation_rules.cli", "rate", str(YORK), "--format", "yaml"], capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.startswith("probation-rules: error: rate: argument --format/-f: invalid choice: 'yaml'")
    assert run.stderr.count("\n") == 1
