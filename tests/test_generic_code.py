"""No code outside the methodology files names a framework's standards, ratings, rules or thresholds.

Adding a framework must be new data, not new code; the proof is that the library's Python never
spells anything a bundled framework defines. The forbidden names are read from the bundled TOML
files themselves, so a new framework extends the check without editing it.

What is checked, and why it is not flaky:

- **string literals** in the AST (docstrings excluded: they may quote examples), compared
  *exactly* with every standard id and name, rating label, key-question id and label, and rule
  id (band rows, points rows, guidance tables, rows and overrides, and the ids of the sections);
  and searched, with word boundaries, for the distinctive ones (ids with a digit, a dot, a dash
  or an underscore, and rating labels), so that ``f"... {x} Good"`` is caught too. Short
  standard ids such as ``1.1`` are only matched as whole tokens (not inside ``1.1.0``);
- **numbers compared with something** (``x >= 65``) equal to a band threshold, a maximum score,
  or a threshold written as a fraction (``0.65``); arithmetic constants (sizes, pixels) are
  left alone, since 20 or 50 mean many things. 0, 1 and 100 are the ends of the scales, not
  thresholds;
- schema field names are exempt (a rule may be called ``score``, and the code must name the
  ``score`` section of the schema).

Exemptions are listed below, each with its reason.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from probation_rules.methodology import bundled_ids, load_methodology
from probation_rules.methodology import schema as schema_module
from probation_rules.methodology.schema import Methodology

PACKAGE = Path(__file__).resolve().parent.parent / "probation_rules"
METHODOLOGIES = [load_methodology(i) for i in bundled_ids()]

SCHEMA_FIELDS = {a.name for cls in vars(schema_module).values() if isinstance(cls, type) and attrs.has(cls) for a in attrs.fields(cls)}


def section_ids(m: Methodology) -> set[str]:
    """The ids of the methodology's sections (tables and single rules), as opposed to their rows."""
    ids = {m.scale.id, m.points.id, m.judged_rating.id, m.key_question_score.id, m.key_question_bands.id, m.case_rating.id, m.score.id, m.overall_bands.id}
    if m.not_rated is not None:
        ids |= {m.not_rated.id, m.not_rated.rescale.id}
    return ids


# path relative to the package -> (names it may use, why)
EXEMPT_NAMES = {
    "testing/strategies.py": (
        set().union(*(section_ids(m) for m in METHODOLOGIES)),
        "generates methodologies of its own and gives their sections the conventional ids",
    ),
}
# (path, the comparison as ast.unparse writes it) -> why
EXEMPT_COMPARISONS = {
    ("errors.py", "len(text) <= 80"): "the width of a value quoted in a message",
}


def forbidden_names() -> tuple[set[str], set[str]]:
    """(names matched exactly, names also searched for inside strings)."""
    exact: set[str] = set()
    for m in METHODOLOGIES:
        exact |= set(m.scale.ratings) | {r.id for r in m.rules()}
        for s in m.standards:
            exact |= {s.id, s.name} | {q.id for q in s.key_questions} | {q.label for q in s.key_questions}
    exact -= SCHEMA_FIELDS
    distinctive = {n for n in exact if re.search(r"[\d.\-_]", n)} | set().union(*(set(m.scale.ratings) for m in METHODOLOGIES))
    return exact, distinctive


def forbidden_numbers() -> set[float]:
    numbers: set[float] = set()
    for m in METHODOLOGIES:
        for band in m.key_question_bands.bands:
            numbers |= {band.at_least, band.at_least / 100}
        numbers |= {band.at_least for band in m.overall_bands.bands} | {float(m.max_score)}
    return numbers - {0, 1, 100}


def python_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "methodologies" not in p.relative_to(PACKAGE).parts)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    # attribute docstrings: a string statement right after an assignment
    for node in ast.walk(tree):
        for field in ("body", "orelse"):
            statements = getattr(node, field, None)
            for stmt in statements if isinstance(statements, list) else []:
                if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                    found.add(id(stmt.value))
    return found


def _token(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.\-])" + re.escape(name) + r"(?![\w\-]|\.\w)")


def violations(relative: str, source: str) -> Iterator[str]:
    """What in ``source`` (the file at ``relative`` inside the package) names framework data."""
    exact, distinctive = forbidden_names()
    allowed = EXEMPT_NAMES.get(relative, (set(), ""))[0]
    patterns = {n: _token(n) for n in distinctive - allowed}
    numbers = forbidden_numbers()
    tree = ast.parse(source)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if node.value in exact - allowed:
                yield f"{relative}:{node.lineno}: names {node.value!r}"
                continue
            for n, pattern in patterns.items():
                if pattern.search(node.value):
                    yield f"{relative}:{node.lineno}: {node.value!r} contains {n!r}"
        elif isinstance(node, ast.Compare):
            if (relative, ast.unparse(node)) in EXEMPT_COMPARISONS:
                continue
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.Constant) and isinstance(side.value, int | float) and not isinstance(side.value, bool) and side.value in numbers:
                    yield f"{relative}:{node.lineno}: compares with {side.value!r}, a threshold of a bundled framework: {ast.unparse(node)}"


@pytest.mark.parametrize("path", python_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_framework_name_or_threshold_in_code(path: Path) -> None:
    found = list(violations(path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")))
    assert not found, "framework data in code (move it to the methodology TOML):\n" + "\n".join(found)


def test_the_check_would_catch_what_it_is_for() -> None:
    # Planted offences, one per kind, as if in a module of the package.
    planted = (
        '"""P2.1 in a docstring is fine."""\n'
        'A = "P2.1"\n'
        'B = f"{1} rated Requires improvement"\n'
        'C = "kq-bands.good"\n'
        "D = 1 if x >= 65 else 2\n"
        "E = y < 0.8\n"
        'F = "version 1.1.0"\n'
    )
    found = list(violations("engine/planted.py", planted))
    assert any("names 'P2.1'" in f for f in found)
    assert any("contains 'Requires improvement'" in f for f in found)
    assert any("names 'kq-bands.good'" in f for f in found)
    assert any("compares with 65" in f for f in found)
    assert any("compares with 0.8" in f for f in found)
    assert not any(":1:" in f or "1.1.0" in f for f in found)
    assert len(found) == 5


def test_the_exemptions_are_still_needed() -> None:
    for relative in EXEMPT_NAMES:
        assert (PACKAGE / relative).exists(), f"exemption for a file that no longer exists: {relative}"
    for relative, comparison in EXEMPT_COMPARISONS:
        assert comparison in {ast.unparse(n) for n in ast.walk(ast.parse((PACKAGE / relative).read_text())) if isinstance(n, ast.Compare)}
