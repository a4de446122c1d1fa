"""Every example in the README and the docs runs, and every generated page is current.

- ``console`` blocks: each ``$ command`` runs in the repository root; the lines after it are its
  expected output (a line ``...`` matches the rest).
- ``pycon`` blocks run as doctests, a page's blocks in one namespace (write Python examples that way).
- ``sh`` blocks are set-up commands; each line must appear in ``.ci/run``, which runs them on a
  fresh machine.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```", re.S | re.M)


def blocks(kind: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for i, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8"))):
            if match.group(1) == kind:
                found.append((f"{page.relative_to(ROOT)}#{i}", match.group(2)))
    return found


def _env() -> dict[str, str]:
    env = dict(os.environ, COLUMNS="100")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _matches(expected: list[str], actual: list[str]) -> bool:
    for i, line in enumerate(expected):
        if line == "...":
            return True
        if i >= len(actual) or actual[i].rstrip() != line.rstrip():
            return False
    return len(actual) == len(expected)


@pytest.mark.parametrize(("where", "block"), blocks("console"), ids=[w for w, _ in blocks("console")])
def test_console_examples(where: str, block: str) -> None:
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    for command, expected in steps:
        run = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, env=_env(), check=False)
        actual = (run.stdout + run.stderr).rstrip("\n").splitlines()
        while expected and not expected[-1].strip():
            expected.pop()
        assert _matches(expected, actual), f"{where}: {command}\n--- expected\n" + "\n".join(expected) + "\n--- got\n" + "\n".join(actual)


PYCON_PAGES = sorted({where.split("#")[0] for where, _ in blocks("pycon")})


@pytest.mark.parametrize("page", PYCON_PAGES)
def test_pycon_examples(page: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's pycon blocks run in order in one namespace, like a doctest file."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for where, block in blocks("pycon"):
        if where.startswith(page + "#"):
            test = doctest.DocTestParser().get_doctest(block, namespace, where, where, 0)
            runner.run(test, clear_globs=False)
            namespace = test.globs
    assert runner.failures == 0, f"{page}: {runner.failures} doctest failure(s) (see captured output)"


def test_setup_commands_are_run_by_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for where, block in blocks("sh"):
        for line in block.splitlines():
            if line.strip() and not line.startswith("#"):
                assert line.strip() in ci, f"{where}: {line!r} is not run by .ci/run"


def test_generated_pages_are_current() -> None:
    spec = importlib.util.spec_from_file_location("_generate", ROOT / "docs" / "_generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stale = [str(p.relative_to(ROOT)) for p in module.stale()]
    assert not stale, f"stale generated docs: {stale}; run: python docs/_generate.py"
