"""``probation-rules compare``: what a methodology change does to a set of inspections.

Real case-level data is not public, so besides inspection files and folders the command can
draw a simulated population itself (``--simulate``) and print its assumptions with the report,
or read one from standard input (``simulate ... | compare ... -``), as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from probation_rules.batch import Terminated, terminate_as_interrupt
from probation_rules.commands import Command, methodology_given, refuse_below
from probation_rules.errors import InputFileError, Problem, UsageError
from probation_rules.percent import counted
from probation_rules.whatif.compare import compare
from probation_rules.whatif.population import gather, simulated
from probation_rules.whatif.simulate import load_rates, simulation

__all__ = ["COMMAND"]

FORMATS = ("text", "markdown", "json", "csv", "html")


def add_simulation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1, help="seed of the simulated population (default: 1)")
    parser.add_argument("--cases", type=int, default=20, help="cases per simulated inspection (default: 20)")
    parser.add_argument("--rates", metavar="FILE", help="TOML or JSON file of simulation rates (default: the stated defaults)")


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inspections",
        nargs="*",
        metavar="INSPECTIONS",
        help="inspection JSON files, JSON lines files (.jsonl, one inspection per line), folders of them, or - for standard input",
    )
    parser.add_argument("--baseline", "-a", required=True, metavar="ID|PATH", help="the methodology now in use: a bundled id, a TOML file or a variant file")
    parser.add_argument("--candidate", "-b", required=True, metavar="ID|PATH", help="the methodology to try")
    parser.add_argument("--simulate", type=int, metavar="N", help="compare on N simulated inspections instead of files (see simulate)")
    add_simulation_options(parser)
    parser.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format (default: text; html is one self-contained page)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here instead of to standard output")
    parser.add_argument("--workers", "-w", type=int, default=os.cpu_count() or 1, help="worker processes for large populations (default: the number of CPUs)")
    parser.add_argument("--show", type=int, default=None, metavar="N", help="changed inspections listed in text, markdown and html (default: 20, 50, 200)")


def _run(args: argparse.Namespace) -> int:
    refuse_below(("--simulate", args.simulate, 1), ("--cases", args.cases, 1), ("--workers", args.workers, 1), ("--show", args.show, 0))
    if args.simulate is not None and args.inspections:
        raise UsageError(Problem("INSPECTIONS", "give inspection files or --simulate N, not both"))
    if args.simulate is None and not args.inspections:
        raise UsageError(Problem("INSPECTIONS", "give inspection files or folders, or --simulate N"))
    baseline, candidate = methodology_given(args.baseline, "--baseline"), methodology_given(args.candidate, "--candidate")
    if args.simulate is not None:
        rates = load_rates(args.rates, baseline)
        population = simulated(simulation([baseline, candidate], args.simulate, args.seed, args.cases, rates))
    else:
        population = gather(args.inspections, sys.stdin)
    try:
        with terminate_as_interrupt():  # kill stops the worker processes too, as Ctrl-C does
            result = compare(baseline, candidate, population, workers=args.workers, progress=sys.stderr)
    except Terminated:
        return 128 + signal.SIGTERM
    limits = {"text": 20, "markdown": 50, "html": 200}
    limit = args.show if args.show is not None else limits.get(args.format)
    if args.format == "json":
        report = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "csv":
        report = result.to_csv()
    elif args.format == "html":
        report = result.to_html(limit)
    elif args.format == "markdown":
        report = result.to_markdown(limit)
    else:
        report = result.to_text(limit) + "\n"
    if args.output is None:
        sys.stdout.write(report)
        return 0
    try:
        Path(args.output).write_text(report, encoding="utf-8")
    except OSError as exc:
        raise InputFileError(Problem("", f"cannot be written: {exc.strerror}"), file=args.output) from exc
    up, down, moved = result.overall.moved()
    rated = counted(result.inspections, "inspection")
    print(f"wrote {args.output}: {rated}, {len(result.changed):,} change; overall rating {moved:,} change ({up:,} up, {down:,} down)")
    return 0


COMMAND = Command("compare", "rate inspections under two methodologies and show what moves and why", _arguments, _run)
