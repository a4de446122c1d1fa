"""A bundled methodology file never changes without a new version and a history entry.

Three guards, each closing a way round the others:

- the file as it is now must be its latest recorded version (version and sha256);
- versions must strictly increase (semantic versioning) and every entry must say what changed;
- every version of a bundled file that was ever committed must be recorded, found from git: so
  pasting a new file's sha256 over the entry of the version it replaces (same version, no new
  entry) fails, because the replaced file is still in the repository's history.

The git check needs the full history. It skips, saying why, outside a git checkout or in a
shallow clone that could not be deepened (``.ci/run`` runs ``git fetch --unshallow`` where the
checkout has a remote; a CI checkout may have none).
"""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import attrs
import pytest

from probation_rules.methodology import bundled_ids, load_methodology
from probation_rules.methodology.history import Change, history

HISTORY = history()
ROOT = Path(__file__).resolve().parent.parent
BUNDLED = "probation_rules/methodologies"
NOT_METHODOLOGIES = {"history.toml", "bundle.toml"}
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def test_history_toml_is_not_a_methodology() -> None:
    assert "history" not in bundled_ids()
    assert "bundle" not in bundled_ids()


@pytest.mark.parametrize("methodology_id", bundled_ids())
def test_the_current_file_is_its_latest_recorded_version(methodology_id: str) -> None:
    m = load_methodology(methodology_id)
    entries = HISTORY.get(methodology_id, ())
    assert entries, f"{methodology_id}: add a first entry to probation_rules/methodologies/history.toml (version {m.version}, sha256 {m.sha256})"
    latest = entries[-1]
    assert latest.version == m.version, (
        f"{methodology_id}.toml is version {m.version} but its latest history entry is {latest.version}: add an entry for {m.version}"
    )
    assert latest.sha256 == m.sha256, (
        f"{methodology_id}.toml changed since version {m.version} was recorded: raise its version and add a history entry with sha256 {m.sha256}"
    )


def version_problems(methodology_id: str, entries: Iterable[Change]) -> Iterator[str]:
    """What is wrong with one methodology's entries: versions not strictly increasing semver, no change said."""
    previous: tuple[int, ...] | None = None
    for e in entries:
        match = SEMVER.fullmatch(e.version)
        if match is None:
            yield f"{methodology_id} {e.version!r}: must be a version MAJOR.MINOR.PATCH"
            continue
        version = tuple(int(part) for part in match.groups())
        if previous is not None and version <= previous:
            yield f"{methodology_id} {e.version}: must be above the version before it ({'.'.join(map(str, previous))})"
        previous = version
        if not e.changes.strip():
            yield f"{methodology_id} {e.version}: must say what changed and why"


@pytest.mark.parametrize("methodology_id", sorted(HISTORY))
def test_versions_increase_and_every_entry_says_what_changed(methodology_id: str) -> None:
    assert methodology_id in bundled_ids(), f"history.toml names {methodology_id}, which is not bundled"
    entries = HISTORY[methodology_id]
    assert list(version_problems(methodology_id, entries)) == []
    assert len({e.sha256 for e in entries}) == len(entries)
    assert [e.date for e in entries] == sorted(e.date for e in entries)


def _change(version: str, sha256: str, changes: str = "something") -> Change:
    return Change(version=version, date=datetime.date(2026, 1, 1), sha256=sha256, changes=changes)


def test_the_version_rules_catch_what_they_are_for() -> None:
    assert list(version_problems("m", [_change("1.0.0", "a"), _change("1.1.0", "b"), _change("2.0.0", "c")])) == []
    assert list(version_problems("m", [_change("1.1.0", "a"), _change("1.0.0", "b")])) == ["m 1.0.0: must be above the version before it (1.1.0)"]
    assert list(version_problems("m", [_change("1.1.0", "a"), _change("1.1.0", "b")])) == ["m 1.1.0: must be above the version before it (1.1.0)"]
    assert list(version_problems("m", [_change("1.1", "a")])) == ["m '1.1': must be a version MAJOR.MINOR.PATCH"]
    assert list(version_problems("m", [_change("1.0.0", "a", "  ")])) == ["m 1.0.0: must say what changed and why"]


# -- every committed version is recorded ---------------------------------------------------------


@attrs.frozen
class Committed:
    commit: str
    path: str
    methodology_id: str
    version: str
    sha256: str


def unrecorded(recorded: Mapping[str, tuple[Change, ...]], committed: Iterable[Committed]) -> list[str]:
    """Committed versions of bundled files whose (version, sha256) no history entry records."""
    problems = []
    for c in committed:
        if c.methodology_id not in recorded:
            continue  # a methodology no longer bundled; its history went with it
        if (c.version, c.sha256) not in {(e.version, e.sha256) for e in recorded[c.methodology_id]}:
            problems.append(
                f"{c.path} at commit {c.commit[:12]} is version {c.version} with sha256 {c.sha256}, which history.toml does not record: "
                "a committed version must keep its entry (raise the version for a change, never rewrite an entry)"
            )
    return problems


def _git(*args: str) -> bytes:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=True).stdout


def _why_git_cannot_tell() -> str | None:
    if shutil.which("git") is None:
        return "git is not installed"
    try:
        if _git("rev-parse", "--is-inside-work-tree").strip() != b"true":
            return f"{ROOT} is not a git checkout"
        if _git("rev-parse", "--is-shallow-repository").strip() == b"true":
            return (
                "the git history is shallow, so the versions committed before its first commit cannot be read "
                "(.ci/run deepens it with `git fetch --unshallow` when the checkout has a remote; this one was not deepened)"
            )
        if not _git("ls-files", "--", BUNDLED).strip():
            return f"{BUNDLED} is not tracked by git here"
    except subprocess.CalledProcessError:
        return f"{ROOT} is not a git checkout"
    return None


def committed_versions() -> Iterator[Committed]:
    """Every version of a bundled methodology file that some commit added or changed."""
    log = _git("log", "--format=commit %H", "--name-only", "--diff-filter=AMR", "--", BUNDLED).decode()
    commit = ""
    for line in log.splitlines():
        if line.startswith("commit "):
            commit = line.split()[1]
            continue
        path = line.strip()
        if not path.endswith(".toml") or Path(path).name in NOT_METHODOLOGIES or Path(path).parent.as_posix() != BUNDLED:
            continue
        raw = _git("show", f"{commit}:{path}")
        data = tomllib.loads(raw.decode("utf-8"))
        yield Committed(commit, path, str(data.get("id", Path(path).stem)), str(data.get("version")), hashlib.sha256(raw).hexdigest())


def test_every_committed_version_is_recorded() -> None:
    reason = _why_git_cannot_tell()
    if reason is not None:
        pytest.skip(f"cannot check committed versions: {reason}")
    committed = list(committed_versions())
    assert committed, f"git knows no version of {BUNDLED}/*.toml"
    assert unrecorded(HISTORY, committed) == []


def test_rewriting_an_entry_in_place_is_caught() -> None:
    # The bypass: the file changes, and its new sha256 is pasted over the entry of the version it
    # replaces. The current-file test passes; the committed old file is what gives it away.
    old = Committed("a" * 40, f"{BUNDLED}/m.toml", "m", "1.0.0", "old")
    rewritten = {"m": (_change("1.0.0", "new"),)}
    (problem,) = unrecorded(rewritten, [old])
    assert "version 1.0.0 with sha256 old, which history.toml does not record" in problem
    honest = {"m": (_change("1.0.0", "old"), _change("1.1.0", "new"))}
    assert unrecorded(honest, [old, attrs.evolve(old, commit="b" * 40, version="1.1.0", sha256="new")]) == []
