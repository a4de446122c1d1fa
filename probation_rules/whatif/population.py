"""The inspections a comparison rates: files, folders, JSON lines, or a simulated population.

Two methodologies may not ask the same questions (a variant can add or remove a key question),
so each side reads only what it knows of an inspection (:func:`fit`); what one side needs and
the inspection lacks is still an error, named as usual.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from probation_rules.errors import InputFileError, InspectionError, ProbationRulesError, Problem
from probation_rules.inspection import Case, CaseEvidence, Inspection, load_inspection, parse_json
from probation_rules.methodology.schema import Methodology
from probation_rules.percent import counted
from probation_rules.reading import read_text
from probation_rules.whatif.simulate import Simulation

__all__ = ["STDIN", "Population", "Unread", "fit", "gather", "is_stream", "shape", "simulated"]

Source = str | Mapping[str, Any] | Inspection


@attrs.frozen
class Unread:
    """A document kept as text until its inspection is read (:func:`gather` with ``read=False``): a line of a JSON lines file."""

    text: str
    label: str

    def parsed(self) -> Mapping[str, Any]:
        """The document, read as an inspection file is (a key given twice is refused, naming it)."""
        doc: Mapping[str, Any]
        doc, repeated = parse_json(self.text, self.label)
        if repeated:
            raise InspectionError(repeated, file=self.label)
        return doc


@attrs.frozen
class Population:
    """Inspections to compare, addressable by position so worker processes can share them out."""

    description: str
    sources: tuple[Source | Unread, ...] = ()
    simulation: Simulation | None = None
    labels: tuple[str | None, ...] = ()
    """Where each source came from when it is not a file of its own (a line of a JSON lines file)."""

    def __len__(self) -> int:
        return self.simulation.count if self.simulation is not None else len(self.sources)

    def source(self, i: int) -> Source:
        """Inspection ``i`` as given: a path, a parsed document, an inspection, or one drawn from the simulation."""
        if self.simulation is not None:
            return self.simulation.inspection(i)
        source = self.sources[i]
        return source.parsed() if isinstance(source, Unread) else source

    def label(self, i: int) -> str | None:
        """What an error about inspection ``i`` should name as its file."""
        if self.simulation is not None:
            return f"simulated inspection {i + 1} (seed {self.simulation.seed})"
        return self.labels[i] if i < len(self.labels) else None

    def load(self, i: int) -> Inspection:
        """Inspection ``i``, read (values are checked when it is validated against a methodology).

        An error names where it came from (:meth:`label`: the line of a JSON lines file, the
        simulated inspection), and so does the inspection's ``source`` when it has none of its own.
        """
        label = self.label(i)
        try:
            inspection = load_inspection(self.source(i), check_values=False)
        except ProbationRulesError as exc:
            raise type(exc)([p.with_file(label) for p in exc.problems]) from None
        return inspection if label is None or inspection.source else attrs.evolve(inspection, source=label)

    def assumptions(self) -> list[str]:
        return self.simulation.assumptions() if self.simulation is not None else []


def simulated(simulation: Simulation) -> Population:
    return Population(f"{counted(simulation.count, 'simulated inspection')} (seed {simulation.seed}, {simulation.cases} cases each)", simulation=simulation)


STDIN = "-"
"""A path that means standard input (``simulate ... | compare ... -``)."""


def is_stream(name: str) -> bool:
    """Whether a path names a stream: ``-`` (standard input) or something neither a file nor a folder (``/dev/stdin``, a pipe)."""
    path = Path(name)
    return name == STDIN or (path.exists() and not path.is_file() and not path.is_dir())


def gather(paths: Sequence[str | os.PathLike[str]], stdin: TextIO | None = None, *, read: bool = True) -> Population:
    """Inspection files, every ``*.json`` and ``*.jsonl`` file in a folder, JSON lines files, and streams.

    A stream is ``-`` (``stdin``) or a path that is neither a file nor a folder (``/dev/stdin``,
    a pipe): it holds one JSON document, or JSON lines with one inspection per line.
    ``read=False`` keeps each line of JSON lines as text until its inspection is read
    (:meth:`Population.load`), so a large stream is never held parsed: ``rate`` reads each one
    twice, once to check every inspection before printing anything and once to rate it, and
    holds only text between (50,000 lines: 135 MB, not 1.76 GB).
    """
    sources: list[Source | Unread] = []
    labels: list[str | None] = []
    files = 0
    for given in paths:
        name = os.fspath(given)
        path = Path(name)
        if is_stream(name):
            label = "standard input" if name == STDIN else name
            for part in _parts(_read(path, label, stdin if name == STDIN else None), label, None):
                sources.append(part.parsed() if read else part)
                labels.append(part.label)
            files += 1
            continue
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in (".json", ".jsonl"))
            if not found:
                raise InputFileError(Problem("", "is a folder with no .json or .jsonl inspection files"), file=str(path))
        else:
            found = [path]
        for file in found:
            files += 1
            if file.suffix == ".jsonl":
                for part in _parts(_read(file, str(file)), str(file), True):
                    sources.append(part.parsed() if read else part)
                    labels.append(part.label)
            else:
                sources.append(str(file))
                labels.append(None)
    n = len(sources)
    what = counted(n, "inspection")
    shown = ["standard input" if os.fspath(p) == STDIN else os.fspath(p) for p in paths]
    where = ", ".join(shown) if len(paths) <= 3 else f"{files} inputs"
    return Population(f"{what} from {where}", tuple(sources), labels=tuple(labels))


def _parts(text: str, label: str, lines: bool | None) -> list[Unread]:
    """The inspection documents in a text, not yet read, each with the label an error about it names.

    ``lines=True``: JSON lines, one inspection per line. ``None``: JSON lines if the text has
    several lines and its first is a document of its own, else one document (which may be
    spread over several lines). Every document is read as an inspection file is
    (:func:`~probation_rules.inspection.parse_json`): a key given twice is refused, naming it.
    """
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not numbered:
        raise InputFileError(Problem("", "has no inspections (expected a JSON document, or JSON lines with one inspection per line)"), file=label)
    if lines is None:
        lines = len(numbered) > 1 and _is_object(numbered[0][1])
    return [Unread(line, f"{label}, line {n}") for n, line in numbered] if lines else [Unread(text, label)]


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _read(path: Path, label: str, stdin: TextIO | None = None) -> str:
    """A file's text as every reader reads one (:mod:`probation_rules.reading`); standard input as given."""
    if stdin is None:
        return read_text(path, "an inspection file")
    try:
        return stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(Problem("", f"cannot be read: {exc}"), file=label) from None


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
