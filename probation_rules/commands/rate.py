"""``probation-rules rate``: ratings for one or more inspections.

Files are read as ``compare`` reads them (:func:`probation_rules.whatif.population.gather`): an
inspection JSON file, every ``*.json`` and ``*.jsonl`` file in a folder (sorted by name), a
JSON lines file of inspections, or standard input (``-``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from probation_rules import rate
from probation_rules.commands import Command, add_methodology_option
from probation_rules.errors import InputFileError, Problem
from probation_rules.render import render
from probation_rules.result import RatingResult
from probation_rules.whatif.population import Population, gather

__all__ = ["COMMAND", "rate_all"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="inspection JSON files, JSON lines files (.jsonl), folders of them, or - for standard input")
    add_methodology_option(parser)
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "markdown"),
        default="text",
        help="output format (default: text); json gives one object for one inspection file, else a list",
    )


def rate_all(population: Population, methodology: str | None) -> list[RatingResult]:
    """Every inspection of ``population`` rated; an error names the file (and line) it came from."""
    return [rate(population.load(i), methodology) for i in range(len(population))]


def _run(args: argparse.Namespace) -> int:
    population = gather(args.files, sys.stdin)
    if not population.sources:
        raise InputFileError(Problem("", "has no inspections"), file=", ".join(args.files))
    results = rate_all(population, args.methodology)
    first = Path(args.files[0])
    one_file = len(args.files) == 1 and len(results) == 1 and not first.is_dir() and first.suffix != ".jsonl"
    print(render(results, args.format, listed=not one_file))
    return 0


COMMAND = Command("rate", "rate inspections and print their ratings", _arguments, _run)
