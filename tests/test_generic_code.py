"""No code outside the methodology files names a framework's standards, ratings, rules or thresholds.

Adding a framework must be new data, not new code; the proof is that the library's Python never
spells anything a bundled framework defines. Everything forbidden is read from the bundled TOML
files themselves, so a new framework extends the check without editing it.

What is forbidden, and where it is looked for (docstrings are excluded everywhere: they may quote
examples):

- **names in strings** (string and bytes literals, the literal parts of f-strings, and literals
  joined with ``+``): every rating label, standard id and name, domain name, key-question id,
  label and wording, band words, rule id, methodology id and title, and inspection programme.
  They are searched for case-insensitively on word boundaries, so ``"requires improvement"``,
  ``f"{x} Leadership guidance"`` and ``"see P2.1"`` are all caught; a standard id such as ``1.1``
  is matched only as a whole token (not inside ``1.1.0``). Rule ids that are also schema field
  names (``score``, ``points``) are generic words: they are matched only as a whole string, and
  not at all where the schema's own field names are meant (see ``SCHEMA_FIELDS``);
- **names in identifiers** (variables, attributes, functions, classes, arguments, keywords,
  imports, match captures): the same names, compared as runs of words (``GOOD_FROM``,
  ``goodFrom``, ``P2_1`` and ``class R: Inadequate = 0`` are caught);
- **numbers in strings**: a string that is a threshold (``Fraction("65")``), a key-question
  threshold followed by ``%`` (``"65%"``), or a maximum score after ``/`` (``"3/21"``);
- **threshold numbers anywhere in code**: every key-question band bound (also as a fraction:
  ``0.65``), every overall band bound, every maximum score, and the terms of the formula the
  overall bands follow (the smallest denominator ``d`` with every bound at a whole number of
  ``d``-ths of the maximum, and those numerators), so that ``GOOD_FROM = 65``,
  ``BANDS = (50, 65, 80)``, ``range(65, 80)``, ``score <= max_score / 6``, ``-x <= -65`` and
  ``case 65:`` are caught.

What is exempt, with the reason:

- ``STRUCTURAL_NUMBERS``: 0, 1, 2, 100 and 0.5 mean "none, one, a pair or a half, the whole
  percentage scale"; every program needs them and the schema itself fixes the 0-100 scale;
- numbers in places that count characters or orders of magnitude rather than scores
  (``CHARACTER_CONTEXTS``): exponents (``10**6``), subscripts and slices (``digest[:16]``), the
  digits of ``round``, text widths (``.rjust(6)``) and format specifications (``{x:6}``);
- outside comparisons and match cases, a number a file uses for layout or sizes, listed in
  ``EXEMPT_NUMBERS`` by file with its reason. Comparisons and match cases are never exempt by
  number: only an exact comparison listed in ``EXEMPT_COMPARISONS``, and, in the hypothesis
  strategies of ``testing/``, a comparison of a random draw (``draw(st.integers(0, 4)) == 4``):
  it sets how often generated data takes a form, and compares no inspection's value with
  anything (``DRAW_ODDS``);
- names a file may use (``EXEMPT_NAMES``), and the package's own name, which contains the word
  of a programme (``PACKAGE_NAMES``).

The points a rating scores (0-3) are not forbidden: 3 is no threshold of any framework, and the
others are structural.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import attrs
import pytest

from probation_rules.methodology import bundled_ids, load_methodology
from probation_rules.methodology import schema as schema_module
from probation_rules.methodology.schema import Methodology

PACKAGE = Path(__file__).resolve().parent.parent / "probation_rules"
METHODOLOGIES = [load_methodology(i) for i in bundled_ids()]

SCHEMA_FIELDS = {a.name for cls in vars(schema_module).values() if isinstance(cls, type) and attrs.has(cls) for a in attrs.fields(cls)}

STRUCTURAL_NUMBERS = {0, 1, 2, 100, 0.5}
PACKAGE_NAMES = ("probation_rules", "probation-rules", "ProbationRules", "Inspectorate of Probation")
CHARACTER_CONTEXTS = ("exponent", "subscript", "round digits", "text width", "format spec")
_TEXT_WIDTH_METHODS = {"rjust", "ljust", "center", "zfill"}


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
# Where a comparison with a hypothesis draw is odds, not a threshold: the package's hypothesis strategies.
DRAW_ODDS = ("testing/",)
# (path, number) -> why; never applies inside a comparison or a match case
EXEMPT_NUMBERS = {
    ("commands/compare.py", 50): "how many changed inspections a markdown comparison lists",
    ("whatif/compare.py", 50): "how many changed inspections a markdown comparison lists",
    ("whatif/report_text.py", 50): "how many changed inspections a markdown comparison lists",
    ("whatif/progress.py", 30): "the width of the progress bar in characters",
    ("batch.py", 5): "seconds a stopped worker is given to exit before it is killed",
    ("methodology_page.py", 4): "a heading level",
    ("robustness/intervals.py", 4): "the Wilson score interval's formula (z^2 / 4n^2)",
    ("robustness/plot.py", 80): "axis ticks every 20% of the percentage scale (band edges are read from the methodology)",
    ("robustness/plot.py", 50): "axis ticks at 0, 50 and 100% of a probability",
    ("robustness/plot.py", 4): "pixel offsets of the plot's labels",
    ("robustness/plot.py", 6): "pixel offsets of the plot's labels",
    ("robustness/plot.py", 16): "pixel offsets of the plot's labels",
    ("whatif/report_html.py", 4): "pixel offsets in the heatmap",
    ("whatif/report_html.py", 5): "pixel offsets in the heatmap",
    ("whatif/report_html.py", 16): "how many characters of a label or hash the heatmap shows",
    ("whatif/report_html.py", 36): "the heatmap's cell height in pixels",
    ("testing/strategies.py", 4): "sizes of generated methodologies (arbitrary draws, not a framework's)",
    ("testing/strategies.py", 5): "sizes of generated methodologies (arbitrary draws, not a framework's)",
    ("testing/strategies.py", 6): "sizes of generated methodologies (arbitrary draws, not a framework's)",
}


@attrs.frozen
class Forbidden:
    exact: frozenset[str]
    """Generic words (rule ids that are plain words): forbidden only as a whole string."""
    phrases: dict[str, re.Pattern[str]]
    """Searched for in strings, case-insensitively on word boundaries."""
    identifier_words: dict[str, tuple[str, ...]]
    """Forbidden as a run of words of an identifier."""
    numbers: frozenset[float]
    kq_thresholds: frozenset[float]
    max_scores: frozenset[int]


def _words(text: str) -> tuple[str, ...]:
    """'GOOD_FROM', 'goodFrom', 'P2_1' and 'P2.1' as lower-case words: ('good', 'from'), ('p', '2', '1')."""
    return tuple(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", text))


def _token(name: str) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in name.split())
    return re.compile(r"(?<![\w.\-])" + body + r"(?![\w\-]|\.\w)", re.IGNORECASE)


def formula_terms(m: Methodology) -> set[int]:
    """The terms of the fractions of the maximum at which the overall bands start, in lowest terms.

    The smallest d such that every bound is at a whole number k of d-ths of the maximum; for
    the bundled frameworks, 1/6, 3/6 and 5/6: the terms 1, 6, 2 and 5.

    A bound ``a`` is at ``k`` d-ths of the maximum ``N`` when it is the first whole score above
    ``k N / d`` or the first at or above it (both conventions are in use).
    """
    n = m.max_score
    bounds = [int(b.at_least) for b in m.overall_bands.bands if b.at_least > 0]
    for d in range(2, n + 1):
        numerators = []
        for a in bounds:
            k = next((k for k in range(1, d) if a in (math.floor(Fraction(k * n, d)) + 1, math.ceil(Fraction(k * n, d)))), None)
            if k is None:
                break
            numerators.append(k)
        else:
            return {t for k in numerators for t in (Fraction(k, d).numerator, Fraction(k, d).denominator)}
    return set()


def forbidden() -> Forbidden:
    names: set[str] = set()
    rule_ids: set[str] = set()
    generic: set[str] = set()
    numbers: set[float] = set()
    kq: set[float] = set()
    for m in METHODOLOGIES:
        names |= set(m.scale.ratings) | {m.id, m.title} | {d.name for d in m.domains}
        if m.programme:
            names.add(m.programme)
        for s in m.standards:
            names |= {s.id, s.name}
            for q in s.key_questions:
                names |= {q.id, q.label, q.text}
        for rule in m.rules():
            (rule_ids if re.search(r"[\d.\-_]", rule.id) else generic).add(rule.id)
        names |= {b.words for b in m.key_question_bands.bands if b.words}
        for band in m.key_question_bands.bands:
            kq |= {band.at_least, band.at_least / 100}
        numbers |= {band.at_least for band in m.overall_bands.bands} | {float(m.max_score)} | set(map(float, formula_terms(m)))
    names -= SCHEMA_FIELDS
    generic -= SCHEMA_FIELDS
    # Rule ids are not looked for in identifiers: a section's id names the schema's own concept
    # (``overall_bands``, ``not_rated``), and a row's id holds a rating label, which is.
    identifier_words = {n: w for n in names if (w := _words(n)) and any(c.isalpha() for c in n)}
    return Forbidden(
        exact=frozenset(generic),
        phrases={n: _token(n) for n in names | rule_ids},
        identifier_words=identifier_words,
        numbers=frozenset((numbers | kq) - STRUCTURAL_NUMBERS),
        kq_thresholds=frozenset(kq - STRUCTURAL_NUMBERS),
        max_scores=frozenset(m.max_score for m in METHODOLOGIES),
    )


FORBIDDEN = forbidden()


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


def _identifiers(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Attribute):
        yield node.attr
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.arg) or (isinstance(node, ast.keyword) and node.arg):
        yield node.arg
    elif isinstance(node, ast.alias):
        yield from (n for n in (node.name, node.asname) if n)
    elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
        yield node.name
    elif isinstance(node, ast.ImportFrom) and node.module:
        yield node.module


def _has_run(words: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def _without_package_name(text: str) -> str:
    for name in PACKAGE_NAMES:
        text = text.replace(name, " ")
    return text


def _folded(node: ast.AST) -> str | None:
    """The value of string literals joined with ``+``, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _compares_a_draw(comparison: ast.Compare) -> bool:
    """Whether an operand of the comparison is itself a hypothesis draw, ``draw(...)``."""
    operands = [comparison.left, *comparison.comparators]
    return any(isinstance(o, ast.Call) and isinstance(o.func, ast.Name) and o.func.id == "draw" for o in operands)


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class _Scan:
    def __init__(self, relative: str, source: str) -> None:
        self.relative = relative
        self.tree = ast.parse(source)
        self.skip = _docstrings(self.tree)
        self.parents: dict[int, ast.AST] = {}
        for parent in ast.walk(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent
        self.format_specs = {id(c) for n in ast.walk(self.tree) if isinstance(n, ast.FormattedValue) and n.format_spec for c in ast.walk(n.format_spec)}
        allowed = EXEMPT_NAMES.get(relative, (set(), ""))[0]
        self.phrases = {n: p for n, p in FORBIDDEN.phrases.items() if n not in allowed}
        self.identifier_words = {n: w for n, w in FORBIDDEN.identifier_words.items() if n not in allowed}
        self.exact = FORBIDDEN.exact - allowed

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while id(node) in self.parents:
            node = self.parents[id(node)]
            yield node

    def in_comparison(self, node: ast.AST) -> ast.AST | None:
        """The comparison or match case the number is an operand of (through arithmetic), if any."""
        for a in self.ancestors(node):
            if isinstance(a, ast.Compare | ast.match_case):
                return a
            if not isinstance(a, ast.UnaryOp | ast.BinOp | ast.MatchValue | ast.MatchOr | ast.MatchSingleton):
                return None
        return None

    def character_context(self, node: ast.AST) -> str | None:
        child = node
        for a in self.ancestors(node):
            if isinstance(a, ast.BinOp) and isinstance(a.op, ast.Pow):
                return "exponent"
            if isinstance(a, ast.Subscript) and child is a.slice:
                return "subscript"
            if isinstance(a, ast.Call):
                func = a.func
                if isinstance(func, ast.Name) and func.id == "round" and child in a.args[1:]:
                    return "round digits"
                if isinstance(func, ast.Attribute) and func.attr in _TEXT_WIDTH_METHODS and child in a.args:
                    return "text width"
                return None
            if isinstance(a, ast.stmt | ast.Compare):
                return None
            child = a
        return None

    def text(self, lineno: int, text: str) -> Iterator[str]:
        if text in self.exact:
            yield f"{self.relative}:{lineno}: names {text!r}"
            return
        searched = _without_package_name(text)
        for name, pattern in self.phrases.items():
            if pattern.search(searched):
                yield f"{self.relative}:{lineno}: {text!r} contains {name!r}"
        value = _number(text.strip().rstrip("%"))
        if value is not None and value in FORBIDDEN.numbers:
            yield f"{self.relative}:{lineno}: {text!r} is {value:g}, a threshold of a bundled framework"
        for match in re.finditer(r"(?<![\w.])(\d+(?:\.\d+)?)\s*%", text):
            if float(match.group(1)) in FORBIDDEN.kq_thresholds:
                yield f"{self.relative}:{lineno}: {text!r} writes {match.group(0)!r}, a key-question threshold"
        for match in re.finditer(r"/\s*(\d+)(?![\w.])", text):
            if int(match.group(1)) in FORBIDDEN.max_scores:
                yield f"{self.relative}:{lineno}: {text!r} writes {match.group(0)!r}, a maximum score"

    def identifier(self, lineno: int, name: str) -> Iterator[str]:
        words = _words(_without_package_name(name.replace(".", " ")))
        for forbidden_name, run in self.identifier_words.items():
            if _has_run(words, run):
                yield f"{self.relative}:{lineno}: identifier {name!r} spells {forbidden_name!r}"

    def number(self, node: ast.Constant) -> Iterator[str]:
        value = node.value
        if value not in FORBIDDEN.numbers or id(node) in self.format_specs:
            return
        if self.character_context(node) is not None:
            return
        comparison = self.in_comparison(node)
        if comparison is not None:
            if isinstance(comparison, ast.Compare) and (self.relative, ast.unparse(comparison)) in EXEMPT_COMPARISONS:
                return
            if isinstance(comparison, ast.Compare) and self.relative.startswith(DRAW_ODDS) and _compares_a_draw(comparison):
                return
            shown = ast.unparse(comparison) if isinstance(comparison, ast.Compare) else f"case {ast.unparse(comparison.pattern)}"  # type: ignore[attr-defined]
            yield f"{self.relative}:{node.lineno}: compares with {value!r}, a threshold of a bundled framework: {shown}"
            return
        if (self.relative, value) in EXEMPT_NUMBERS:
            return
        statement = next((a for a in self.ancestors(node) if isinstance(a, ast.stmt)), node)
        yield f"{self.relative}:{node.lineno}: uses {value!r}, a threshold of a bundled framework: {ast.unparse(statement).splitlines()[0][:100]}"

    def violations(self) -> Iterator[str]:
        for node in ast.walk(self.tree):
            lineno = getattr(node, "lineno", None) or getattr(self.parents.get(id(node)), "lineno", 0)
            if isinstance(node, ast.Constant) and id(node) not in self.skip and id(node) not in self.format_specs:
                if isinstance(node.value, str):
                    yield from self.text(lineno, node.value)
                elif isinstance(node.value, bytes):
                    yield from self.text(lineno, node.value.decode("latin-1"))
                elif isinstance(node.value, int | float) and not isinstance(node.value, bool):
                    yield from self.number(node)
            elif isinstance(node, ast.BinOp) and not isinstance(self.parents.get(id(node)), ast.BinOp) and (folded := _folded(node)) is not None:
                yield from self.text(lineno, folded)
            for name in _identifiers(node):
                yield from self.identifier(lineno, name)


def violations(relative: str, source: str) -> Iterator[str]:
    """What in ``source`` (the file at ``relative`` inside the package) names framework data."""
    return _Scan(relative, source).violations()


@pytest.mark.parametrize("path", python_files(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_framework_name_or_threshold_in_code(path: Path) -> None:
    found = list(violations(path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8")))
    assert not found, "framework data in code (move it to the methodology TOML):\n" + "\n".join(found)


# Each planted offence, as one line (or a few) of a module of the package, and what must catch it.
PLANTED = {
    "string id": ('A = "P2.1"', "contains 'P2.1'"),
    "comparison": ("D = 1 if x >= 65 else 2", "compares with 65"),
    "fraction": ("E = y < 0.8", "compares with 0.8"),
    "label": ('B = "Requires improvement"', "contains 'Requires improvement'"),
    "label in f-string": ('B = f"{1} rated Requires improvement"', "contains 'Requires improvement'"),
    "row rule id": ('C = "kq-bands.good"', "contains 'kq-bands.good'"),
    "named threshold": ("GOOD_FROM = 65\nok = x >= GOOD_FROM", "uses 65"),
    "threshold tuple": ("BANDS = (50, 65, 80)\nr = bisect(BANDS, x)", "uses 80"),
    "threshold list": ("BANDS = [50, 65, 80]", "uses 65"),
    "threshold set": ("BANDS = {50, 65, 80}", "uses 50"),
    "range": ("ok = x in range(65, 80)", "uses 65"),
    "call argument": ("band = place(x, at_least=65)", "uses 65"),
    "formula N/6": ("inadequate = score <= max_score / 6", "compares with 6"),
    "formula 5N/6": ("good = score <= 5 * max_score // 6", "compares with 5"),
    "formula outside a comparison": ("edge = max_score // 6", "uses 6"),
    "lower-case label": ('if r.lower() == "requires improvement": pass', "contains 'Requires improvement'"),
    "standard name": ('if s.name.lower() == "leadership": pass', "contains 'Leadership'"),
    "name in f-string": ('msg = f"{x} Leadership guidance"', "contains 'Leadership'"),
    "programme": ('if m.programme == "youth-justice": pass', "contains 'youth-justice'"),
    "methodology id": ('if m.id == "hmip-youth-2021": pass', "contains 'hmip-youth-2021'"),
    "enum of labels": ("class R:\n    Inadequate = 0\n    Outstanding = 3", "identifier 'Inadequate' spells 'Inadequate'"),
    "maximum as a constant": ("YOUTH_MAX = 36", "uses 36"),
    "maximum compared": ("if m.max_score == 36: pass", "compares with 36"),
    "match case": ("match x:\n    case 65: pass", "compares with 65, a threshold of a bundled framework: case 65"),
    "identifier id": ("if s.id == P2_1: pass", "identifier 'P2_1' spells 'P2.1'"),
    "identifier label": ("good_from = 3", "identifier 'good_from' spells 'Good'"),
    "identifier programme": ("def rate_youth_justice(): pass", "spells 'youth-justice'"),
    "key question": ('if q.id == "desistance": pass', "contains 'desistance'"),
    "joined literals": ('x = "Requires " + "improvement"', "'Requires improvement' contains 'Requires improvement'"),
    "fraction times 100": ("ok = pct >= 0.65 * 100", "compares with 0.65"),
    "negated": ("ok = -x <= -65", "compares with 65"),
    "number in a string": ('ok = Fraction("65")', "'65' is 65"),
    "percentage in a string": ('x = "65%"', "writes '65%'"),
    "score in a string": ('x = f"score {s}/21"', "writes '/21'"),
    "bytes": ('x = b"P2.1"', "contains 'P2.1'"),
    "dict key": ('POINTS = {"Good": 2}', "contains 'Good'"),
    "token id": ('x = "standard 1.1 is judged"', "contains '1.1'"),
    "unscored id": ('if s.id != "4.1": total += p', "contains '4.1'"),
    "band words": ('x = "a reasonable majority of cases"', "contains 'reasonable majority'"),
}


@pytest.mark.parametrize("case", sorted(PLANTED))
def test_the_check_would_catch_what_it_is_for(case: str) -> None:
    source, expected = PLANTED[case]
    found = list(violations("engine/planted.py", source))
    assert any(expected in f for f in found), f"{case}: {source!r} gave {found}"


def test_what_the_check_leaves_alone() -> None:
    innocent = (
        '"""P2.1, Requires improvement and 65 in a docstring are fine."""\n'
        'F = "version 1.1.0"\n'
        "G = x[:16] + str(10**6) + f'{z:6}' + s.rjust(6) + str(round(w, 6))\n"
        "H = [0, 1, 2, 100, 0.5]\n"
        'import probation_rules.methodology\nI = "probation-rules rate"\n'
        "J = bands[0].at_least >= score\n"
    )
    assert list(violations("engine/planted.py", innocent)) == []


def test_odds_of_a_draw_are_exempt_only_in_the_strategies() -> None:
    odds = "unrated = draw(st.integers(0, 4)) == 4"
    assert not list(violations("testing/strategies.py", odds))  # (4 is a size there, outside comparisons)
    assert any("compares with 4" in f for f in violations("engine/planted.py", odds))
    # Only the draw itself: a threshold in the strategies, or a drawn value put through anything, is still caught.
    for source in ("ok = x >= 65", "ok = len(draw(s)) >= 65", "ok = draw(s) + 1 >= 65 or x >= 65"):
        assert any("compares with 65" in f for f in violations("testing/planted.py", source)), source


def test_exempt_numbers_never_excuse_a_comparison() -> None:
    assert list(violations("robustness/plot.py", "ok = x >= 80"))
    assert not list(violations("robustness/plot.py", "TICKS = (0, 20, 40, 60, 80, 100)"))


def test_the_forbidden_sets_come_from_the_methodology_files() -> None:
    # One fact from each kind of source, so an empty set cannot pass silently.
    every = [load_methodology(i) for i in bundled_ids()]
    assert {float(m.max_score) for m in every} <= FORBIDDEN.numbers
    assert {b.at_least for m in every for b in m.key_question_bands.bands} - STRUCTURAL_NUMBERS <= FORBIDDEN.kq_thresholds
    assert {m.id for m in every} <= set(FORBIDDEN.phrases)
    assert {m.programme for m in every if m.programme} <= set(FORBIDDEN.phrases)
    assert {s.name for m in every for s in m.standards} <= set(FORBIDDEN.phrases)
    for m in every:
        terms = formula_terms(m)
        assert terms, f"{m.id}: its overall bands follow no fraction of the maximum"
        assert terms - STRUCTURAL_NUMBERS <= FORBIDDEN.numbers
        d, n = max(terms), m.max_score
        for band in m.overall_bands.bands:
            if band.at_least:
                assert any(band.at_least in (k * n // d + 1, -(-k * n // d)) for k in range(1, d)), f"{m.id}: {band.id} is at no {d}-th of {n}"


def _compares(relative: str) -> Iterable[str]:
    return {ast.unparse(n) for n in ast.walk(ast.parse((PACKAGE / relative).read_text())) if isinstance(n, ast.Compare)}


def test_the_exemptions_are_still_needed() -> None:
    for relative in EXEMPT_NAMES:
        assert (PACKAGE / relative).exists(), f"exemption for a file that no longer exists: {relative}"
    for relative, comparison in EXEMPT_COMPARISONS:
        assert comparison in _compares(relative)
    for relative, number in EXEMPT_NUMBERS:
        tree = ast.parse((PACKAGE / relative).read_text())
        used = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, int | float) and not isinstance(n.value, bool)}
        assert number in used, f"{relative} no longer uses {number}: drop its exemption"
        assert number in FORBIDDEN.numbers, f"{number} is no threshold of a bundled framework: drop the exemption for {relative}"
