"""The ``probation-rules`` command.

Bad input is a normal event for a command line: it ends with one line on stderr naming the file,
the path inside it and the problem, and exit status 2 - never a traceback. A bad argument is bad
input too: one line naming the command and the argument (``--help`` still prints in full). Each
subcommand lives in its own module under :mod:`probation_rules.commands`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import probation_rules
from probation_rules.commands import Command
from probation_rules.errors import ProbationRulesError, Problem, did_you_mean

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


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other bad input.

    argparse prints the usage and then the error; a script reading stderr wants one line, and
    the usage is one ``--help`` away. Subparsers are made with the parent's class, so every
    subcommand parses with this one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command: str | None = None
        """The subcommand this parser reads, named in its errors; None for the top-level parser."""
        self.children: dict[str, _Parser] = {}
        """The top-level parser's subcommand parsers, by name."""
        self.given: list[str] = []
        """The arguments this parser was last given, to name the unknown ones in its errors."""

    def parse_args(self, args: Sequence[str] | None = None, namespace: None = None) -> argparse.Namespace:  # type: ignore[override]
        """As argparse's, but an unknown option is reported by the subcommand that was given it."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            child = self.children.get(getattr(parsed, "command", None) or "", self)
            child.error(child.unrecognised(extras))
        return parsed

    def parse_known_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> tuple[argparse.Namespace, list[str]]:  # type: ignore[override]
        self.given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def unrecognised(self, extras: Sequence[str]) -> str:
        """The error for arguments this parser does not know, with the option the first misspelt one resembles."""
        options = [o for action in self._actions for o in action.option_strings]
        closest = next((c for e in extras if e.startswith("-") and (c := did_you_mean(e.split("=", 1)[0], options))), None)
        return str(Problem("", f"unrecognized arguments: {' '.join(extras)}", suggestion=closest))

    def _unknown_options(self) -> list[str]:
        """The options among the arguments given that this parser has none of (not counting values, or anything after ``--``)."""
        longs = [o for action in self._actions for o in action.option_strings if o.startswith("--")]
        shorts = {o for action in self._actions for o in action.option_strings if not o.startswith("--")}
        unknown = []
        for arg in self.given:
            if arg == "--":
                break
            if not arg.startswith("-") or arg == "-" or self._negative_number_matcher.match(arg):
                continue
            name = arg.split("=", 1)[0]
            known = any(o.startswith(name) for o in longs) if name.startswith("--") else name[:2] in shorts
            if not known:
                unknown.append(arg)
        return unknown

    def error(self, message: str) -> NoReturn:
        # argparse names a missing required argument before an unknown option, though the
        # unknown option is often the required one misspelt (--candiate): name that instead.
        if message.startswith("the following arguments are required") and (unknown := self._unknown_options()):
            message = self.unrecognised(unknown)
        where = f"{self.command}: " if self.command else ""
        self.exit(EXIT_BAD_INPUT, f"probation-rules: error: {where}{message}".replace("\r", "\\r").replace("\n", "\\n") + "\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """A choice not among the choices, with the closest one when there is one."""
        if action.choices is not None and value not in action.choices:
            choices = [str(c) for c in action.choices]
            problem = Problem("", f"invalid choice: {value!r} (choose from {', '.join(map(repr, choices))})", suggestion=did_you_mean(value, choices))
            raise argparse.ArgumentError(action, str(problem))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="probation-rules",
        description="Apply HM Inspectorate of Probation rating methodologies, stated as declarative rules.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {probation_rules.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _commands():
        child = sub.add_parser(command.name, help=command.summary, description=command.summary)
        assert isinstance(child, _Parser)
        child.command = command.name
        parser.children[command.name] = child
        command.add_arguments(child)
        child.set_defaults(run=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad argument (already reported on stderr)
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else EXIT_BAD_INPUT
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
