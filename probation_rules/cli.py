"""The ``probation-rules`` command.

Bad input is a normal event for a command line: it ends with one line on stderr naming the file,
the path inside it and the problem, and exit status 2 - never a traceback. Each subcommand lives
in its own module under :mod:`probation_rules.commands`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import probation_rules
from probation_rules.commands import Command
from probation_rules.errors import ProbationRulesError

__all__ = ["COMMAND_MODULES", "EXIT_BAD_INPUT", "build_parser", "main"]

EXIT_BAD_INPUT = 2

COMMAND_MODULES = (
    "rate",
    "explain",
    "render",
    "methodologies",
    "check",
    "robustness",
    "diff",
    "compare",
    "simulate",
)


def _commands() -> list[Command]:
    return [importlib.import_module(f"probation_rules.commands.{name}").COMMAND for name in COMMAND_MODULES]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="probation-rules",
        description="Apply HM Inspectorate of Probation rating methodologies, stated as declarative rules.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {probation_rules.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _commands():
        child = sub.add_parser(command.name, help=command.summary, description=command.summary)
        command.add_arguments(child)
        child.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except ProbationRulesError as exc:
        print(f"probation-rules: error: {exc.one_line()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
