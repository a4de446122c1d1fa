"""The explanation of a result: every rule that fired, why, and on what.

The trace is a versioned format other tools may store for audit. Each entry names the
methodology rule (not an engine internal), the inputs it saw, the outcome it gave, the entries it
depended on (``because``), and the rule's citation and evidence level, so a reader can walk from
the overall rating down to the key-question percentages and see how firm each step is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from probation_rules.percent import number

__all__ = ["TRACE_VERSION", "Trace", "TraceEntry"]

TRACE_VERSION = "1"


@attrs.frozen
class TraceEntry:
    step: int
    rule: str
    subject: str
    inputs: Mapping[str, Any]
    outcome: Mapping[str, Any]
    because: tuple[int, ...]
    citation: str
    evidence: str
    engine_rule: str

    def summary(self) -> str:
        outcome = ", ".join(f"{k}={_fmt(v)}" for k, v in self.outcome.items())
        inputs = ", ".join(f"{k}={_fmt(v)}" for k, v in self.inputs.items())
        return f"{self.subject}: {outcome}  [{self.rule}; {self.evidence}]  from {inputs}"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return number(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


@attrs.frozen
class Trace:
    entries: tuple[TraceEntry, ...]
    version: str = TRACE_VERSION

    def fired(self, rule: str) -> list[TraceEntry]:
        return [e for e in self.entries if e.rule == rule]

    def for_subject(self, subject: str) -> list[TraceEntry]:
        return [e for e in self.entries if e.subject == subject]

    def roots(self) -> list[TraceEntry]:
        """Entries nothing else depends on: normally the overall rating alone."""
        used = {step for e in self.entries for step in e.because}
        return [e for e in self.entries if e.step not in used]

    def render_tree(self) -> str:
        """The trace as an indented tree from the overall rating down; shared steps print once."""
        by_step = {e.step: e for e in self.entries}
        lines: list[str] = []
        shown: set[int] = set()

        def walk(entry: TraceEntry, prefix: str, last: bool, top: bool) -> None:
            branch = "" if top else ("└─ " if last else "├─ ")
            if entry.step in shown:
                lines.append(f"{prefix}{branch}#{entry.step} {entry.subject} (shown above)")
                return
            shown.add(entry.step)
            lines.append(f"{prefix}{branch}#{entry.step} {entry.summary()}")
            child_prefix = prefix + ("" if top else ("   " if last else "│  "))
            children = [by_step[s] for s in entry.because]
            for i, child in enumerate(children):
                walk(child, child_prefix, i == len(children) - 1, False)

        for root in reversed(self.roots()):
            walk(root, "", True, True)
        return "\n".join(lines)

    def __iter__(self) -> Iterator[TraceEntry]:
        return iter(self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {"trace_version": self.version, "entries": [attrs.asdict(e, recurse=True, value_serializer=_plain) for e in self.entries]}


def _plain(_: Any, __: Any, value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value
