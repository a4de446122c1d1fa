"""``probation-rules robustness``: how firm an inspection's ratings are. Analysis, never a rating."""

from __future__ import annotations

import argparse

from probation_rules.commands import Command, add_methodology_option, as_options, one_inspection
from probation_rules.errors import Problem, UsageError
from probation_rules.methodology.loader import load_methodology
from probation_rules.result import MethodologyRef
from probation_rules.robustness import analyse, lowest_effect
from probation_rules.robustness.model import EXACT_LIMIT
from probation_rules.robustness.render import render, render_lowest_effect


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE", help="an inspection JSON document, or - for standard input (omit it with --rates)")
    add_methodology_option(parser)
    parser.add_argument("--format", "-f", choices=("text", "json", "markdown"), default="text", help="output format (default: text)")
    parser.add_argument("--level", type=float, help="confidence level of the key-question intervals (default: 0.95)")
    parser.add_argument(
        "--cases",
        type=int,
        metavar="N",
        help="assume N relevant cases for key questions given as percentages only (the report says so); with --rates, the number of cases",
    )
    parser.add_argument(
        "--simulate",
        type=int,
        metavar="DRAWS",
        help=f"also check the exact figures by a seeded simulation of DRAWS samples (it stands in for them above {EXACT_LIMIT} relevant cases)",
    )
    parser.add_argument("--seed", type=int, help="seed of the simulation (default: 0)")
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        metavar="PERCENT",
        help="instead of a FILE: the true rates of a standard's key questions; prints how 'lowest drives' rates it at --cases cases",
    )


def _run(args: argparse.Namespace) -> int:
    with as_options({"level": "--level", "cases": "--cases", "relevant": "--cases", "simulate_draws": "--simulate", "rates": "--rates"}):
        return _analyse(args)


def _analyse(args: argparse.Namespace) -> int:
    if args.rates is not None:
        if args.file is not None or args.cases is None:
            raise UsageError(Problem("--rates", "takes no FILE and needs --cases N (the number of relevant cases per key question)"))
        ignored = [name for name, value in (("--level", args.level), ("--simulate", args.simulate), ("--seed", args.seed)) if value is not None]
        if ignored:
            raise UsageError(Problem("--rates", f"takes no {' or '.join(ignored)}: its figures are exact and have no intervals"))
        m = load_methodology(args.methodology)
        effect = lowest_effect(m, args.rates, args.cases)
        print(render_lowest_effect(effect, args.format, MethodologyRef(m.id, m.version, m.title, m.sha256, m.source)))
        return 0
    if args.file is None:
        raise UsageError(Problem("FILE", "is required (an inspection JSON document), unless --rates is given"))
    if args.seed is not None and args.simulate is None:
        raise UsageError(Problem("--seed", "needs --simulate DRAWS (it seeds the simulation)", args.seed))
    level = 0.95 if args.level is None else args.level
    report = analyse(one_inspection(args.file), args.methodology, level=level, cases=args.cases, simulate_draws=args.simulate, seed=args.seed or 0)
    print(render(report, args.format))
    return 0


COMMAND = Command("robustness", "analyse how firm an inspection's ratings are (flip distances, sampling uncertainty); analysis, not a rating", _arguments, _run)
