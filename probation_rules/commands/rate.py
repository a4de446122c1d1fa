"""``probation-rules rate``: ratings for one or more inspections.

Files are read as ``compare`` reads them (:func:`probation_rules.whatif.population.gather`): an
inspection JSON file, every ``*.json`` and ``*.jsonl`` file in a folder (sorted by name), a
JSON lines file of inspections, or standard input (``-``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from probation_rules import _prepared, rate
from probation_rules.commands import Command, add_methodology_option
from probation_rules.errors import InputFileError, Problem
from probation_rules.render import stream
from probation_rules.result import RatingResult
from probation_rules.whatif.population import Population, gather

__all__ = ["COMMAND", "check_all", "rate_all"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="inspection JSON files, JSON lines files (.jsonl), folders of them, or - for standard input")
    add_methodology_option(parser)
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "markdown"),
        default="text",
        help="output format (default: text); json gives one object for one JSON document (a .json file, or - holding one), else a list (folders, JSON lines)",
    )
    parser.epilog = (
        "Every inspection is read and checked against its methodology first, one at a time: a bad one stops the run with one line "
        "on stderr and exit status 2, and nothing printed. Then each is rated and printed in turn, so the first rating appears "
        "before the last is made and the results are never all held at once."
    )


def rate_all(population: Population, methodology: str | None) -> Iterator[RatingResult]:
    """Every inspection of ``population`` rated, one at a time; an error names the file (and line) it came from."""
    for i in range(len(population)):
        yield rate(population.load(i), methodology)


def check_all(population: Population, methodology: str | None) -> None:
    """Read each inspection of ``population`` and check it against its methodology, as :func:`rate_all` would, without rating it."""
    for i in range(len(population)):
        _prepared(population.load(i), methodology)


def _run(args: argparse.Namespace) -> int:
    population = gather(args.files, sys.stdin, read=False)  # JSON lines are kept as text, and read one at a time
    if not population.sources:
        raise InputFileError(Problem("", "has no inspections"), file=", ".join(args.files))
    first = Path(args.files[0])
    one_file = len(args.files) == 1 and len(population) == 1 and not first.is_dir() and first.suffix != ".jsonl"
    check_all(population, args.methodology)  # bad input is refused before anything is printed
    stream(rate_all(population, args.methodology), args.format, sys.stdout, listed=not one_file)
    return 0


COMMAND = Command("rate", "rate inspections and print their ratings", _arguments, _run)
