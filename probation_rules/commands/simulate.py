"""``probation-rules simulate``: a reproducible synthetic population of inspection documents.

The documents go to standard output as JSON lines (or to a ``.jsonl`` file, or one file each in
a folder); the assumptions go with them, to standard error when the documents fill standard
output, so a pipe into another command stays clean.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from probation_rules.commands import Command, refuse_below
from probation_rules.commands.compare import add_simulation_options
from probation_rules.errors import InputFileError, Problem
from probation_rules.methodology import bundled_ids, load_methodology
from probation_rules.whatif.progress import Progress
from probation_rules.whatif.simulate import load_rates, simulation

__all__ = ["COMMAND"]

ASSUMPTIONS_FILE = "ASSUMPTIONS.txt"


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--methodology", "-m", required=True, metavar="ID|PATH", help="the methodology whose standards and key questions the inspections answer"
    )
    parser.add_argument("--count", "-n", type=int, required=True, help="how many inspections")
    add_simulation_options(parser)
    parser.add_argument(
        "--output",
        "-o",
        metavar="FILE.jsonl|FOLDER",
        help="a JSON lines file, or a folder for one JSON file per inspection (default: JSON lines on standard output)",
    )


def _run(args: argparse.Namespace) -> int:
    refuse_below(("--count", args.count, 0), ("--cases", args.cases, 1))
    m = load_methodology(args.methodology)
    population = simulation([m], args.count, args.seed, args.cases, load_rates(args.rates, m))
    notes = [f"# {line}" for line in population.assumptions()]
    if m.id not in bundled_ids():  # a document can name only a bundled methodology
        notes.append(f"# the inspections name no methodology ({m.id} is not bundled): rate them with --methodology {args.methodology}")
    if args.output is None:
        print("\n".join(notes), file=sys.stderr)
        for doc in population.inspections():
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return 0
    out = Path(args.output)
    try:
        with Progress(args.count, "simulating", sys.stderr) as bar:
            if out.suffix == ".jsonl":
                with out.open("w", encoding="utf-8") as stream:
                    for doc in population.inspections():
                        stream.write(json.dumps(doc, ensure_ascii=False) + "\n")
                        bar.advance(1)
            else:
                out.mkdir(parents=True, exist_ok=True)
                for doc in population.inspections():
                    (out / f"{doc['id']}.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
                    bar.advance(1)
                (out / ASSUMPTIONS_FILE).write_text("\n".join(population.assumptions()) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputFileError(Problem("", f"cannot be written: {exc.strerror}"), file=str(out)) from exc
    print(f"wrote {args.count:,} inspections to {out}")
    print("\n".join(notes))
    return 0


COMMAND = Command("simulate", "write a reproducible synthetic population of inspections, with its assumptions", _arguments, _run)
