"""A bundled methodology file never changes without a new version and a history entry."""

from __future__ import annotations

import pytest

from probation_rules.methodology import bundled_ids, load_methodology
from probation_rules.methodology.history import history

HISTORY = history()


def test_history_toml_is_not_a_methodology() -> None:
    assert "history" not in bundled_ids()


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


@pytest.mark.parametrize("methodology_id", sorted(HISTORY))
def test_versions_are_unique_and_dated_in_order(methodology_id: str) -> None:
    assert methodology_id in bundled_ids(), f"history.toml names {methodology_id}, which is not bundled"
    entries = HISTORY[methodology_id]
    assert len({e.version for e in entries}) == len(entries)
    assert len({e.sha256 for e in entries}) == len(entries)
    assert [e.date for e in entries] == sorted(e.date for e in entries)
