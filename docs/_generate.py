"""Write the documentation pages that come from code and data, or check they are current.

    python docs/_generate.py          # rewrite the generated pages
    python docs/_generate.py --check  # exit 1 and name each stale page

The MkDocs build runs this before every build (docs/_hooks.py); a test runs the check, so a
methodology, CLI or result-format change that is not reflected in the committed docs fails CI.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def generated() -> dict[Path, str]:
    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal; pages must not depend on it
    from probation_rules.cli import build_parser
    from probation_rules.json_schema import SCHEMAS
    from probation_rules.methodology import bundled_ids, load_methodology
    from probation_rules.methodology.history import history
    from probation_rules.methodology_page import to_markdown

    pages: dict[Path, str] = {}
    index = [
        "# Bundled methodologies",
        "",
        "Each page is generated from the methodology's TOML file by `probation-rules render`.",
        "",
        "| Id | Version | Title |",
        "|---|---|---|",
    ]
    for methodology_id in bundled_ids():
        m = load_methodology(methodology_id)
        changes = ["", "## Change history", "", "| Version | Date | Changes |", "|---|---|---|"]
        changes += [f"| {c.version} | {c.date.isoformat()} | {c.changes} |" for c in reversed(history().get(methodology_id, ()))]
        pages[DOCS / "methodologies" / f"{methodology_id}.md"] = to_markdown(m) + "\n".join(changes) + "\n"
        index.append(f"| [`{m.id}`]({m.id}.md) | {m.version} | {m.title} |")
    pages[DOCS / "methodologies" / "index.md"] = "\n".join(index) + "\n"

    parser = build_parser()
    cli = [
        "# Command line",
        "",
        "<!-- Generated from the argument parser by docs/_generate.py; do not edit. -->",
        "",
        "Every command exits 0 on success and 2 on bad input, printing one line on stderr that names the file, "
        "the path inside it and the problem. `check` also exits 1 when it finds an error in a methodology.",
        "",
        "```text",
        parser.format_help().rstrip(),
        "```",
    ]
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in subparsers.choices.items():  # type: ignore[attr-defined]
        cli += ["", f"## `probation-rules {name}`", "", "```text", sub.format_help().rstrip(), "```"]
    pages[DOCS / "reference" / "cli.md"] = "\n".join(cli) + "\n"

    for name, schema in SCHEMAS.items():
        pages[DOCS / "reference" / "schemas" / f"{name}.schema.json"] = json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
    return pages


def stale() -> list[Path]:
    return [path for path, text in generated().items() if not path.exists() or path.read_text(encoding="utf-8") != text]


def write() -> list[Path]:
    changed = stale()
    pages = generated()
    for path in changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pages[path], encoding="utf-8")
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale pages")
    args = parser.parse_args()
    if args.check:
        old = stale()
        for path in old:
            print(f"stale: {path.relative_to(DOCS.parent)} (run: python docs/_generate.py)", file=sys.stderr)
        return 1 if old else 0
    for path in write():
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
