"""One module per ``probation-rules`` subcommand; each exports ``COMMAND``.

A new capability adds a module here and its name to :data:`probation_rules.cli.COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import attrs

from probation_rules.errors import Problem, UsageError
from probation_rules.methodology import DEFAULT_METHODOLOGY

__all__ = ["Command", "add_methodology_option", "refuse_below"]


@attrs.frozen
class Command:
    name: str
    summary: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    """Runs the command and returns its exit status; raises ProbationRulesError on bad input."""


def add_methodology_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--methodology",
        "-m",
        metavar="ID|PATH",
        help="bundled methodology id or path to a methodology TOML file (default: the one the inspection names, else the bundled framework "
        f"of its programme in force on its fieldwork_start, else {DEFAULT_METHODOLOGY})",
    )


def refuse_below(*limits: tuple[str, int | None, int]) -> None:
    """Refuse every number given below its least value, naming the option: ``("--workers", args.workers, 1)``.

    Checked before anything is read, so a slip in an option costs nothing and is named as the
    option the user typed, not as the library's argument.
    """
    problems = [Problem(option, f"must be at least {least}", value) for option, value, least in limits if value is not None and value < least]
    if problems:
        raise UsageError(problems)
