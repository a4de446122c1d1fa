"""``probation-rules render``: a methodology as a readable page of its rules."""

from __future__ import annotations

import argparse

from probation_rules.commands import Command
from probation_rules.methodology import load_methodology
from probation_rules.methodology_page import to_html, to_markdown


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("methodology", metavar="METHODOLOGY", help="bundled methodology id or path to a methodology TOML file")
    parser.add_argument("--format", "-f", choices=("markdown", "html"), default="markdown", help="output format (default: markdown)")


def _run(args: argparse.Namespace) -> int:
    m = load_methodology(args.methodology)
    print(to_html(m) if args.format == "html" else to_markdown(m), end="")
    return 0


COMMAND = Command("render", "print every rule of a methodology with its condition, outcome, source and evidence", _arguments, _run)
