"""The inspections a comparison rates: files, folders, JSON lines, or a simulated population.

Two methodologies may not ask the same questions (a variant can add or remove a key question),
so each side reads only what it knows of an inspection (:func:`fit`); what one side needs and
the inspection lacks is still an error, named as usual.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from probation_rules.errors import InputFileError, Problem
from probation_rules.inspection import Case, CaseEvidence, Inspection, load_inspection
from probation_rules.methodology.schema import Methodology
from probation_rules.whatif.simulate import Simulation

__all__ = ["Population", "fit", "gather", "shape", "simulated"]

Source = str | Mapping[str, Any] | Inspection


@attrs.frozen
class Population:
    """Inspections to compare, addressable by position so worker processes can share them out."""

    description: str
    sources: tuple[Source, ...] = ()
    simulation: Simulation | None = None
    labels: tuple[str | None, ...] = ()
    """Where each source came from when it is not a file of its own (a line of a JSON lines file)."""

    def __len__(self) -> int:
        return self.simulation.count if self.simulation is not None else len(self.sources)

    def slice(self, start: int, stop: int) -> list[Source]:
        if self.simulation is not None:
            return list(self.simulation.inspections(start, stop))
        return list(self.sources[start:stop])

    def label(self, i: int) -> str | None:
        """What an error about inspection ``i`` should name as its file."""
        if self.simulation is not None:
            return f"simulated inspection {i + 1} (seed {self.simulation.seed})"
        return self.labels[i] if i < len(self.labels) else None

    def assumptions(self) -> list[str]:
        return self.simulation.assumptions() if self.simulation is not None else []


def simulated(simulation: Simulation) -> Population:
    return Population(f"{simulation.count:,} simulated inspections (seed {simulation.seed}, {simulation.cases} cases each)", simulation=simulation)


def gather(paths: Sequence[str | os.PathLike[str]]) -> Population:
    """Inspection files, every ``*.json`` and ``*.jsonl`` file in a folder, and JSON lines files."""
    sources: list[Source] = []
    labels: list[str | None] = []
    files = 0
    for given in paths:
        path = Path(os.fspath(given))
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".json", ".jsonl"))
            if not found:
                raise InputFileError(Problem("", "is a folder with no .json or .jsonl inspection files"), file=str(path))
        else:
            found = [path]
        for file in found:
            files += 1
            if file.suffix == ".jsonl":
                for number, doc in _json_lines(file):
                    sources.append(doc)
                    labels.append(f"{file}, line {number}")
            else:
                sources.append(str(file))
                labels.append(None)
    n = len(sources)
    what = f"{n:,} inspection{'s' if n != 1 else ''}"
    where = ", ".join(os.fspath(p) for p in paths) if len(paths) <= 3 else f"{files} files"
    return Population(f"{what} from {where}", tuple(sources), labels=tuple(labels))


def _json_lines(file: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(Problem("", f"cannot be read: {exc}"), file=str(file)) from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise InputFileError(Problem(f"line {number}", f"is not valid JSON: {exc}"), file=str(file)) from None
        yield number, doc


def shape(m: Methodology) -> dict[str, tuple[str, ...]]:
    """Each standard's key questions: what an inspection must give to be rated under ``m``."""
    return {s.id: tuple(q.id for q in s.key_questions) for s in m.standards}


def fit(inspection: Inspection, wanted: Mapping[str, tuple[str, ...]]) -> Inspection:
    """The inspection without the standards and key questions a methodology does not have."""
    standards = {}
    for sid, evidence in inspection.standards.items():
        if sid not in wanted:
            continue
        if isinstance(evidence, CaseEvidence):
            evidence = CaseEvidence({q: v for q, v in evidence.key_questions.items() if q in wanted[sid]})
        standards[sid] = evidence
    cases = tuple(
        Case(c.id, {sid: {q: a for q, a in answers.items() if q in wanted[sid]} for sid, answers in c.answers.items() if sid in wanted})
        for c in inspection.cases
    )
    return attrs.evolve(inspection, standards=standards, cases=cases)


def loaded(source: Source) -> Inspection:
    return load_inspection(source, check_values=False)
