"""Every example in the README and the docs runs, and every generated page is current.

Every fenced block names its language, and the language says how the block is tested
(:data:`LANGUAGES`); a block in any other language, or in none, fails :func:`test_every_block_is_tested`.

- ``console``: each ``$ command`` runs in a scratch directory that links to the repository's
  files (so a command may write ``bad.json`` or ``report.html`` without touching the checkout);
  the lines after it are its expected output (a line ``...`` matches the rest). A command must
  exit 0 unless it ends with a comment ``# exits N``. JSON the command prints as a result, trace
  or inspection is validated against its JSON Schema.
- ``pycon``: run as doctests, a page's blocks in order in one namespace.
- ``sh``: set-up commands; each line must appear in ``.ci/run``, which runs them on a fresh machine.
- ``json``: a complete inspection document: it fits the inspection schema and rates.
- ``toml``: parses, and loads as what it is: a variant (identical to the example file of the same
  name, when there is one), a methodology, or a ``simulate --rates`` file.
- ``text``: output the page cannot run as a console block; each is generated (``docs/_generate.py``)
  or compared with what it shows by a test here (:data:`TEXT_BLOCKS`).
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import tomllib
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import settings

from probation_rules import load_methodology, rate
from probation_rules.methodology import methodology_from_dict
from probation_rules.whatif import load_rates

from ._schemas import check, check_cli_output
from .conftest import PROFILE

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
OPENING = re.compile(r"^(`{3,})(\S*)")
EXITS = re.compile(r"\s+# exits (\d+)$")

LANGUAGES = {
    "console": "commands run, output and exit status compared",
    "pycon": "doctests",
    "sh": "set-up commands, run by .ci/run",
    "json": "inspection documents, validated and rated",
    "toml": "variants, methodologies or rates files, loaded",
    "text": "generated, or compared by a test in TEXT_BLOCKS",
}


class Block(NamedTuple):
    where: str
    language: str
    text: str


def _blocks_of(page: Path) -> list[Block]:
    found: list[Block] = []
    fence: str | None = None
    language, lines, start = "", [], 0
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if fence is None:
            opening = OPENING.match(line)
            if opening:
                fence, language, lines, start = opening.group(1), opening.group(2), [], number
        elif line.strip() == fence:
            found.append(Block(f"{page.relative_to(ROOT)}:{start}", language, "".join(f"{x}\n" for x in lines)))
            fence = None
        else:
            lines.append(line)
    assert fence is None, f"{page.relative_to(ROOT)}:{start}: a fenced block is never closed"
    return found


BLOCKS = [block for page in PAGES for block in _blocks_of(page)]


def blocks(language: str) -> list[Block]:
    return [b for b in BLOCKS if b.language == language]


def _ids(found: list[Block]) -> list[str]:
    return [b.where for b in found]


def _page(where: str) -> str:
    return where.rsplit(":", 1)[0]


def test_every_block_is_tested() -> None:
    unknown = [f"{b.where}: ```{b.language or '(no language)'}" for b in BLOCKS if b.language not in LANGUAGES]
    assert not unknown, f"fenced blocks no test runs (give one of {', '.join(LANGUAGES)}): {unknown}"
    generated = {str(p.relative_to(ROOT)) for p in _generate().generated()}
    untested = [b.where for b in blocks("text") if _page(b.where) not in generated and not any(b.text.startswith(t) for t in TEXT_BLOCKS)]
    assert not untested, f"text blocks no test compares with what they show (make them console blocks, or test them here): {untested}"


# -- console ----------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ, COLUMNS="100")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _scratch(tmp_path: Path) -> Path:
    """A working directory that sees the repository's files, and keeps what commands write."""
    for entry in ROOT.iterdir():
        if not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def _matches(expected: list[str], actual: list[str]) -> bool:
    for i, line in enumerate(expected):
        if line == "...":
            return True
        if i >= len(actual) or actual[i].rstrip() != line.rstrip():
            return False
    return len(actual) == len(expected)


def run_console(block: str, cwd: Path) -> int:
    """Run a console block's commands in ``cwd``; return how many ran."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before any command: {line!r}"
            steps[-1][1].append(line)
    for command, expected in steps:
        stated = EXITS.search(command)
        status = int(stated.group(1)) if stated else 0
        run = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env=_env(), check=False)
        actual = (run.stdout + run.stderr).rstrip("\n").splitlines()
        while expected and not expected[-1].strip():
            expected.pop()
        shown = "\n--- expected\n" + "\n".join(expected) + "\n--- got\n" + "\n".join(actual)
        assert _matches(expected, actual), f"{command}{shown}"
        assert run.returncode == status, f"{command}: exit status {run.returncode}, expected {status}" + ("" if stated else " (write '# exits N' after it)")
        if status == 0:
            check_cli_output(EXITS.sub("", command), run.stdout)
    return len(steps)


@pytest.mark.parametrize("block", blocks("console"), ids=_ids(blocks("console")))
def test_console_examples(block: Block, tmp_path: Path) -> None:
    assert run_console(block.text, _scratch(tmp_path)) > 0


def test_console_blocks_check_exit_status(tmp_path: Path) -> None:
    cwd = _scratch(tmp_path)
    assert run_console("$ probation-rules check tests/fixtures/broken/gap.toml > /dev/null  # exits 1\n", cwd) == 1
    with pytest.raises(AssertionError, match="exit status 1, expected 0"):
        run_console("$ probation-rules check tests/fixtures/broken/gap.toml > /dev/null\n", cwd)
    with pytest.raises(AssertionError, match="exit status 0, expected 2"):
        run_console("$ probation-rules check hmip-pdu-2023 > /dev/null  # exits 2\n", cwd)


# -- pycon ------------------------------------------------------------------------------------

PYCON_PAGES = sorted({_page(b.where) for b in blocks("pycon")})


@pytest.mark.parametrize("page", PYCON_PAGES)
def test_pycon_examples(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's pycon blocks run in order in one namespace, like a doctest file."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    try:
        for block in blocks("pycon"):
            if _page(block.where) == page:
                test = doctest.DocTestParser().get_doctest(block.text, namespace, block.where, block.where, 0)
                assert test.examples, f"{block.where}: a pycon block with no >>> example"
                runner.run(test, clear_globs=False)
                namespace = test.globs
    finally:
        settings.load_profile(PROFILE)  # a page may show a tool loading a profile: the session keeps its own
    assert runner.tries > 0
    assert runner.failures == 0, f"{page}: {runner.failures} doctest failure(s) (see captured output)"


# -- sh ---------------------------------------------------------------------------------------


def test_setup_commands_are_run_by_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for block in blocks("sh"):
        for line in block.text.splitlines():
            if line.strip() and not line.startswith("#"):
                assert line.strip() in ci, f"{block.where}: {line!r} is not run by .ci/run"


def _quick_start() -> list[Block]:
    """The README's sh blocks between the ``## Quick start`` heading and the next heading."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("## Quick start") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("## ")) + 1
    return [b for b in blocks("sh") if _page(b.where) == "README.md" and start < int(b.where.rsplit(":", 1)[1]) < end]


def test_quick_start_is_two_commands() -> None:
    commands = [line for block in _quick_start() for line in block.text.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    assert all(c.startswith("python3 -m venv .venv && ") for c in commands), "each works on a fresh machine, from nothing"


# -- json and toml ----------------------------------------------------------------------------


@pytest.mark.parametrize("block", blocks("json"), ids=_ids(blocks("json")))
def test_json_examples_are_inspections_that_rate(block: Block) -> None:
    document = json.loads(block.text)
    check("inspection", document)
    check("result", rate(document).to_dict())


@pytest.mark.parametrize("block", blocks("toml"), ids=_ids(blocks("toml")))
def test_toml_examples_load(block: Block, tmp_path: Path) -> None:
    data = tomllib.loads(block.text)
    path = tmp_path / "example.toml"
    path.write_text(block.text, encoding="utf-8")
    if "extends" in data:
        assert load_methodology(path).lineage is not None
        same = [p for p in (ROOT / "examples").rglob("*.toml") if tomllib.loads(p.read_text(encoding="utf-8")).get("name") == data["name"]]
        for example in same:
            assert example.read_text(encoding="utf-8") == block.text, f"{block.where} differs from {example.relative_to(ROOT)}"
    elif "schema" in data:
        methodology_from_dict(data)
    else:
        rates = load_rates(path, load_methodology("hmip-pdu-2023"))
        assert rates.relevant == data.get("relevant", rates.relevant)


def test_the_variant_page_shows_the_example_variant() -> None:
    shown = [b.text for b in blocks("toml") if b.where.startswith("docs/how-to/variant.md:")]
    assert (ROOT / "examples" / "variants" / "good-from-70.toml").read_text(encoding="utf-8") in shown


# -- text -------------------------------------------------------------------------------------


def _text_block(prefix: str) -> Block:
    found = [b for b in blocks("text") if b.text.startswith(prefix)]
    assert found, f"no text block starts {prefix!r} any more: update the prefix, or the sample it checks"
    return found[0]


def _readme_sample(tmp_path: Path) -> None:
    """README: what the first Quick start command prints."""
    block = _text_block(TEXT_BLOCK_README)
    first = _quick_start()[0].text.strip()
    command = first.rsplit(" && ", 1)[1].removeprefix(".venv/bin/")
    assert command == "probation-rules rate examples/york-pdu-2024.json"
    run_console(f"$ {command}\n{block.text}", _scratch(tmp_path))


def _check_finding(tmp_path: Path) -> None:
    """reference/check.md: the form of a finding, for a file named variant.toml with a gap."""
    block = _text_block("variant.toml: ")
    cwd = _scratch(tmp_path)
    (cwd / "variant.toml").write_text((ROOT / "tests" / "fixtures" / "broken" / "gap.toml").read_text(encoding="utf-8"), encoding="utf-8")
    run_console(f"$ probation-rules check variant.toml  # exits 1\n{block.text}...\n", cwd)


def _robustness_plot(tmp_path: Path) -> None:
    """robustness.md: the command that writes the plot writes the committed file."""
    block = _text_block("python -m probation_rules.robustness.plot ")
    command, target = block.text.strip().rsplit(" ", 1)
    run_console(f"$ {command} {tmp_path / 'plot.svg'}\n...\n", _scratch(tmp_path))
    assert (tmp_path / "plot.svg").read_text(encoding="utf-8") == (ROOT / target).read_text(encoding="utf-8")


TEXT_BLOCK_README = "York PDU (york-pdu-2024): rated under "
TEXT_BLOCKS: dict[str, Callable[[Path], None]] = {
    TEXT_BLOCK_README: _readme_sample,
    "variant.toml: ": _check_finding,
    "python -m probation_rules.robustness.plot ": _robustness_plot,
}


@pytest.mark.parametrize("prefix", list(TEXT_BLOCKS))
def test_text_blocks_show_what_runs(prefix: str, tmp_path: Path) -> None:
    TEXT_BLOCKS[prefix](tmp_path)


# -- the API reference ------------------------------------------------------------------------

PUBLIC_MODULES = (
    "probation_rules",
    "probation_rules.batch",
    "probation_rules.errors",
    "probation_rules.result",
    "probation_rules.trace",
    "probation_rules.methodology.schema",
    "probation_rules.methodology.variants",
    "probation_rules.dump",
    "probation_rules.check",
    "probation_rules.whatif",
    "probation_rules.robustness",
    "probation_rules.testing.strategies",
    "probation_rules.testing.invariants",
)


def _resolve(path: str) -> Any:
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        parent, name = path.rsplit(".", 1)
        return getattr(_resolve(parent), name)


def _documented() -> list[Any]:
    """The objects docs/reference/api.md renders: each ``:::`` target, and a module's members."""
    text = (ROOT / "docs" / "reference" / "api.md").read_text(encoding="utf-8")
    found: list[Any] = []
    for match in re.finditer(r"^::: (\S+)\n((?:    .*\n)*)", text, re.M):
        target, options = _resolve(match.group(1)), match.group(2)
        if not isinstance(target, types.ModuleType):
            found.append(target)
        elif "members: false" in options:
            continue
        elif "members:" in options:
            found += [getattr(target, m) for m in re.findall(r"^ +- (\w+)$", options, re.M)]
        else:
            found += [getattr(target, name) for name in target.__all__]
    return found


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_the_api_reference_documents_every_public_class_and_function(module: str) -> None:
    documented = _documented()
    exported = importlib.import_module(module)
    public = [name for name in exported.__all__ if inspect.isclass(getattr(exported, name)) or inspect.isfunction(getattr(exported, name))]
    missing = [name for name in public if not any(getattr(exported, name) is d for d in documented)]
    assert not missing, f"docs/reference/api.md does not document {module}: {missing}"


# -- generated pages --------------------------------------------------------------------------


def _generate() -> Any:
    spec = importlib.util.spec_from_file_location("_generate", ROOT / "docs" / "_generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_pages_are_current() -> None:
    stale = [str(p.relative_to(ROOT)) for p in _generate().stale()]
    assert not stale, f"stale generated docs: {stale}; run: python docs/_generate.py"


def test_generate_rewrites_stale_pages_and_deletes_left_over_ones(tmp_path: Path) -> None:
    module = _generate()
    module.DOCS = tmp_path
    written = module.write()
    assert {p.relative_to(tmp_path).as_posix() for p in written} >= {"methodologies/index.md", "reference/cli.md", "reference/schemas/result.schema.json"}
    assert module.stale() == []
    old_page = tmp_path / "methodologies" / "hmip-pdu-1999.md"
    old_page.write_text(module.GENERATED_MARK + "hmip-pdu-1999 1.0.0 -->\n", encoding="utf-8")
    old_schema = tmp_path / "reference" / "schemas" / "report.schema.json"
    old_schema.write_text("{}\n", encoding="utf-8")
    hand_written = tmp_path / "methodologies" / "about.md"
    hand_written.write_text("# About these pages\n", encoding="utf-8")
    (tmp_path / "reference" / "cli.md").write_text("out of date\n", encoding="utf-8")
    assert sorted(module.stale()) == sorted([tmp_path / "reference" / "cli.md", old_page, old_schema])
    module.write()
    assert module.stale() == [] and not old_page.exists() and not old_schema.exists() and hand_written.exists()
