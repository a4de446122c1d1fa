"""``probation-rules check``: is a methodology consistent, and does it keep the library's promises?

Exit status 0 when nothing is wrong (warnings allowed), 1 when ``check`` finds an error or a
property fails, 2 when there is no methodology to check (no such id or file, a directory, a file
that is not UTF-8 text or not TOML). With ``--properties`` the invariants run over generated
inspections; each failure prints the simplest inspection that shows it.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from probation_rules.check import check_methodology
from probation_rules.check.domains import MAX_RELEVANT
from probation_rules.commands import Command, refuse_below
from probation_rules.errors import Problem, UsageError
from probation_rules.methodology import load_methodology

if TYPE_CHECKING:
    from probation_rules.testing.properties import PropertyOutcome

EXIT_FINDINGS = 1


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("methodology", metavar="METHODOLOGY", help="a bundled methodology id or a path to a methodology TOML file")
    parser.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)")
    parser.add_argument("--properties", action="store_true", help="also run the library's invariants over generated inspections (needs hypothesis)")
    parser.add_argument("--examples", type=int, default=100, metavar="N", help="inspections per invariant with --properties (default: 100)")
    parser.add_argument("--seed", type=int, default=None, metavar="N", help="random seed for --properties (default: the same fixed run every time)")
    parser.add_argument(
        "--max-relevant", type=int, default=MAX_RELEVANT, metavar="N", help=f"check every share of 1 to N relevant cases (default: {MAX_RELEVANT})"
    )


def _run(args: argparse.Namespace) -> int:
    refuse_below(("--examples", args.examples, 1), ("--max-relevant", args.max_relevant, 1))
    report = check_methodology(args.methodology, max_relevant=args.max_relevant)
    properties: list[PropertyOutcome] = []
    if args.properties and report.methodology is not None:
        properties = _properties(args)
    failed = any(not p.passed for p in properties)
    if args.format == "json":
        body = report.to_dict()
        if args.properties:
            body["properties"] = [p.to_dict() for p in properties]
            body["ok"] = report.ok and not failed
        print(json.dumps(body, indent=2, ensure_ascii=False))
    else:
        print(report.render_text())
        for p in properties:
            print(_property_text(p))
    return EXIT_FINDINGS if failed or not report.ok else 0


def _properties(args: argparse.Namespace) -> list[PropertyOutcome]:
    try:
        from probation_rules.testing.properties import run_properties
    except ImportError as exc:
        raise UsageError(Problem("--properties", f"needs hypothesis: pip install 'probation-rules[test]' ({exc})")) from None
    return run_properties(load_methodology(args.methodology), examples=args.examples, seed=args.seed)


def _property_text(p: PropertyOutcome) -> str:
    if p.passed:
        return f"property {p.name}: holds ({p.examples} example(s))"
    lines = [f"property {p.name}: FAILS: {p.message}"]
    if p.counterexample is not None:
        lines.append("  simplest inspection that shows it:")
        lines.extend(f"    {line}" for line in json.dumps(p.counterexample, indent=2, ensure_ascii=False).splitlines())
    return "\n".join(lines)


COMMAND = Command("check", "find gaps, overlaps and other inconsistencies in a methodology; --properties also tests it", _arguments, _run)
