"""The ``probation-rules`` command.

Bad input is a normal event for a command line: it ends with one line on stderr naming the file,
the path inside it and the problem, and exit status 2 - never a traceback. Subcommands register
themselves in :data:`COMMANDS` so later capabilities add a module, not a branch here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import probation_rules
from probation_rules import rate
from probation_rules.errors import ProbationRulesError
from probation_rules.render import render

__all__ = ["COMMANDS", "main"]

EXIT_BAD_INPUT = 2

Command = tuple[str, str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
"""(name, one-line help, add its arguments, run it and return the exit status)"""


def _methodology_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--methodology",
        "-m",
        metavar="ID|PATH",
        help=f"bundled methodology id or path to a methodology TOML file (default: the one the inspection names, else {probation_rules.DEFAULT_METHODOLOGY})",
    )


def _rate_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="inspection JSON documents")
    _methodology_option(parser)
    parser.add_argument("--format", "-f", choices=("text", "json", "markdown"), default="text", help="output format (default: text)")


def _rate(args: argparse.Namespace) -> int:
    results = [rate(path, args.methodology) for path in args.files]
    print(render(results, args.format))
    return 0


def _explain_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="an inspection JSON document")
    _methodology_option(parser)
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text", help="text tree or the JSON trace (default: text)")


def _explain(args: argparse.Namespace) -> int:
    import json

    result = rate(args.file, args.methodology)
    if args.format == "json":
        print(json.dumps(result.trace.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(f"{result.inspection.unit}: {result.overall} ({result.score}/{result.max_score}) under {result.methodology.id} {result.methodology.version}")
        print("Each line: subject: outcome  [rule id; evidence level]  from its inputs. #n is the step in the JSON trace.")
        print()
        print(result.trace.render_tree())
    return 0


COMMANDS: list[Command] = [
    ("rate", "rate inspections and print their ratings", _rate_args, _rate),
    ("explain", "print the rules that fired for one inspection, as a tree", _explain_args, _explain),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="probation-rules",
        description="Apply HM Inspectorate of Probation rating methodologies, stated as declarative rules.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {probation_rules.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary, add_arguments, run in COMMANDS:
        command = sub.add_parser(name, help=summary, description=summary)
        add_arguments(command)
        command.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
