"""``probation-rules explain``: the rules that fired for one inspection.

The text form adds the flip distances under the tree, headed as analysis; the JSON form is the
rating trace alone, unchanged, because analysis is kept out of rating documents. The analysis as
JSON is ``probation-rules robustness FILE --format json``.
"""

from __future__ import annotations

import argparse
import json

from probation_rules import rate
from probation_rules.commands import Command, add_methodology_option, as_options, one_inspection
from probation_rules.errors import Problem, UsageError
from probation_rules.robustness.render import explain_section


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="an inspection JSON document, or - for standard input")
    add_methodology_option(parser)
    parser.add_argument(
        "--format",
        "-f",
        choices=("text", "json"),
        default="text",
        help="text: the tree, then the flip distances (analysis); json: the rating trace alone (default: text). "
        "The analysis as JSON: `probation-rules robustness FILE --format json`",
    )
    parser.add_argument(
        "--cases",
        type=int,
        metavar="N",
        help="for the flip distances under the text tree: assume N relevant cases where only percentages are given",
    )


def _run(args: argparse.Namespace) -> int:
    if args.format == "json" and args.cases is not None:
        advice = "for them as JSON run `probation-rules robustness FILE --cases N --format json`"
        raise UsageError(Problem("--cases", f"applies to the flip distances under the text tree; the JSON trace has none: {advice}"))
    inspection = one_inspection(args.file)
    result = rate(inspection, args.methodology)
    if args.format == "json":
        print(json.dumps(result.trace.to_dict(), indent=2, ensure_ascii=False))
        return 0
    with as_options({"cases": "--cases"}):
        section = explain_section(inspection, args.methodology, args.cases)
    m = result.methodology
    print(f"{result.inspection.unit}: {result.overall} ({result.score}/{result.max_score}) under {m.id} {m.version}")
    print("Each line: #step subject: outcome  [rule id; evidence level]  from its inputs.")
    print()
    print(result.trace.render_tree())
    print()
    print(section)
    return 0


COMMAND = Command("explain", "print the rules that fired for one inspection, as a tree", _arguments, _run)
