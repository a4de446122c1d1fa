"""One module per ``probation-rules`` subcommand; each exports ``COMMAND``.

A new capability adds a module here and its name to :data:`probation_rules.cli.COMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import attrs

from probation_rules.errors import Problem, UnknownMethodologyError, UsageError
from probation_rules.inspection import Inspection
from probation_rules.methodology import DEFAULT_METHODOLOGY, Methodology, load_methodology

__all__ = ["Command", "add_methodology_option", "as_options", "methodology_given", "one_inspection", "refuse_below"]


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


def one_inspection(given: str) -> str | Inspection:
    """The one inspection a command about a single inspection reads: a JSON file as it is, or
    standard input (``-``), a pipe or a JSON lines file holding exactly one.

    A plain file is passed on as its path, so the errors that name it are those ``rate`` gives.
    """
    from probation_rules.whatif.population import STDIN, gather, is_stream  # the what-if package is heavy and only streams need it

    path = Path(given)
    if not is_stream(given) and not (path.suffix == ".jsonl" and path.is_file()):
        return given
    population = gather([given], sys.stdin)
    if len(population) != 1:
        where = "standard input" if given == STDIN else given
        raise UsageError(Problem("FILE", f"must hold one inspection, and {where} holds {len(population):,} (rate takes many)", given))
    return population.load(0)


def methodology_given(value: str, option: str) -> Methodology:
    """The methodology an option or argument names; one that names no methodology is refused as that option.

    With two methodologies on one line (``diff A B``, ``compare -a -b``), "methodology: must be a
    bundled methodology id" would not say which of them is wrong.
    """
    try:
        return load_methodology(value)
    except UnknownMethodologyError as exc:
        raise UnknownMethodologyError([attrs.evolve(p, path=option) for p in exc.problems]) from None


@contextmanager
def as_options(options: Mapping[str, str]) -> Iterator[None]:
    """A usage error of the library, named by the options the user typed.

    The Python API names its arguments (``cases``), the command line its options (``--cases``).
    """
    try:
        yield
    except UsageError as exc:
        raise UsageError([attrs.evolve(p, path=options.get(p.path, p.path)) for p in exc.problems]) from None
