"""``probation-rules diff``: every input whose rating changes between two methodologies."""

from __future__ import annotations

import argparse
import json

from probation_rules.commands import Command, methodology_given, refuse_below
from probation_rules.whatif.diff import TYPICAL_CASES, diff

__all__ = ["COMMAND"]


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("baseline", metavar="A", help="the methodology now in use: a bundled id, a TOML file or a variant file")
    parser.add_argument("candidate", metavar="B", help="the methodology to try")
    parser.add_argument("--format", "-f", choices=("text", "markdown", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--cases", type=int, default=TYPICAL_CASES, help=f"the typical number of relevant cases, for warnings (default: {TYPICAL_CASES})")
    parser.add_argument("--show", type=int, default=None, metavar="N", help="lines listed per section in text (default: 40) and markdown (default: 200)")


def _run(args: argparse.Namespace) -> int:
    refuse_below(("--cases", args.cases, 1), ("--show", args.show, 0))
    baseline, candidate = methodology_given(args.baseline, "A"), methodology_given(args.candidate, "B")
    result = diff(baseline, candidate, typical=args.cases)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(result.to_markdown(args.show if args.show is not None else 200), end="")
    else:
        print(result.to_text(args.show if args.show is not None else 40))
    return 0


COMMAND = Command("diff", "list every input whose rating changes between two methodologies, with no inspections needed", _arguments, _run)
