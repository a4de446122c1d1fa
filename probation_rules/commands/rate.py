"""``probation-rules rate``: ratings for one or more inspections."""

from __future__ import annotations

import argparse

from probation_rules import rate
from probation_rules.commands import Command, add_methodology_option
from probation_rules.render import render


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="inspection JSON documents")
    add_methodology_option(parser)
    parser.add_argument("--format", "-f", choices=("text", "json", "markdown"), default="text", help="output format (default: text)")


def _run(args: argparse.Namespace) -> int:
    results = [rate(path, args.methodology) for path in args.files]
    print(render(results, args.format))
    return 0


COMMAND = Command("rate", "rate inspections and print their ratings", _arguments, _run)
