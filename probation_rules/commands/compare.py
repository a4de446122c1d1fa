"""``probation-rules compare``: what a methodology change does to a set of inspections.

Real case-level data is not public, so besides inspection files and folders the command can
draw a simulated population itself (``--simulate``) and print its assumptions with the report,
or read one from standard input (``simulate ... | compare ... -``), as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from probation_rules.commands import Command
from probation_rules.errors import InputFileError, Problem, UsageError
from probation_rules.methodology import load_methodology
from probation_rules.whatif.compare import compare
from probation_rules.whatif.population import Population, gather, simulated
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


STDIN = "-"
"""Read inspections from standard input (``simulate ... | compare ... -``)."""


def _is_stream(name: str) -> bool:
    """``-``, or a path that is neither a file nor a folder: ``/dev/stdin``, a pipe, ``<(command)``."""
    if name == STDIN:
        return True
    path = Path(name)
    return path.exists() and not path.is_file() and not path.is_dir()


def read_documents(text: str, label: str) -> list[tuple[Mapping[str, Any], str]]:
    """The inspection documents in a stream: one JSON document, or JSON lines (one per line), each with its label.

    A document spread over several lines is read whole; a stream whose first line is a document
    of its own is read as JSON lines, and a line that is not valid JSON is named by its number.
    """
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise InputFileError(Problem("", "has no inspections (expected a JSON document, or JSON lines with one inspection per line)"), file=label)
    try:
        first = json.loads(lines[0][1])
    except ValueError:
        first = None
    if len(lines) > 1 and isinstance(first, dict):
        docs = []
        for number, line in lines:
            try:
                doc = json.loads(line)
            except (ValueError, RecursionError) as exc:
                raise InputFileError(Problem(f"line {number}", f"is not valid JSON (one inspection per line): {exc}"), file=label) from None
            docs.append((doc, f"{label}, line {number}"))
        return docs
    try:
        return [(json.loads(text), label)]
    except json.JSONDecodeError as exc:
        raise InputFileError(Problem("", f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"), file=label) from None
    except (ValueError, RecursionError) as exc:
        raise InputFileError(Problem("", f"is not valid JSON: {exc}"), file=label) from None


def inspections(names: Sequence[str], stdin: TextIO) -> Population:
    """Files, folders and JSON lines files (see :func:`~probation_rules.whatif.population.gather`), and streams: ``-`` or a pipe."""
    if not any(_is_stream(n) for n in names):
        return gather(names)
    sources: list[Any] = []
    labels: list[str | None] = []
    for name in names:
        if _is_stream(name):
            label = "standard input" if name == STDIN else name
            try:
                text = stdin.read() if name == STDIN else Path(name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputFileError(Problem("", f"cannot be read: {exc}"), file=label) from None
            for doc, where in read_documents(text, label):
                sources.append(doc)
                labels.append(where)
        else:
            files = gather([name])
            sources += files.sources
            labels += [files.label(i) for i in range(len(files))]
    n = len(sources)
    where = ", ".join("standard input" if x == STDIN else x for x in names) if len(names) <= 3 else f"{len(names)} inputs"
    return Population(f"{n:,} inspection{'s' if n != 1 else ''} from {where}", tuple(sources), labels=tuple(labels))


def _run(args: argparse.Namespace) -> int:
    if args.simulate is not None and args.inspections:
        raise UsageError(Problem("INSPECTIONS", "give inspection files or --simulate N, not both"))
    if args.simulate is None and not args.inspections:
        raise UsageError(Problem("INSPECTIONS", "give inspection files or folders, or --simulate N"))
    baseline, candidate = load_methodology(args.baseline), load_methodology(args.candidate)
    if args.simulate is not None:
        rates = load_rates(args.rates, baseline)
        population = simulated(simulation([baseline, candidate], args.simulate, args.seed, args.cases, rates))
    else:
        population = inspections(args.inspections, sys.stdin)
    result = compare(baseline, candidate, population, workers=args.workers, progress=sys.stderr)
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
    print(
        f"wrote {args.output}: {result.inspections:,} inspections, {len(result.changed):,} change; overall rating {moved:,} change ({up:,} up, {down:,} down)"
    )
    return 0


COMMAND = Command("compare", "rate inspections under two methodologies and show what moves and why", _arguments, _run)
