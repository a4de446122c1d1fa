"""What ``check`` reports: findings, the codes they carry, and how firm each code is.

A finding is an **error** when the methodology, as written, would rate some inspection wrongly
or not at all: an input with no rating (a gap), one input with two intended ratings (an overlap
or a guidance conflict), a better input with a worse rating (not monotone), a rating or band no
input can reach, an exception without a limit, a rule without a source. It is a **warning** when
the methodology is consistent but probably not what its author meant: a band that only a
percentage typed in by hand can reach (no share of the relevant cases checked, 1 to 60 unless
``--max-relevant`` says otherwise, falls in it), a rating case-based standards cannot get while
judged standards can, a row that never applies, a limit that never binds. Every code, its severity and its meaning are listed
once, in :data:`CODES`, so the command line, the JSON and the documentation cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs

__all__ = ["CODES", "Code", "Finding", "Report", "Severity", "sort_findings"]

Severity = Literal["error", "warning"]
Breaks = Literal["loading", "rating", "monotonicity"]


@attrs.frozen
class Code:
    """A kind of finding. ``breaks`` says what an error of this kind breaks, if anything but intent.

    ``loading``: the file is refused; ``rating``: some inspection cannot be rated, or is rated by a
    silent choice between two tables; ``monotonicity``: a better inspection can be rated lower.
    """

    name: str
    severity: Severity
    meaning: str
    breaks: Breaks | None = None


_CODES = (
    Code("unknown-key", "error", "a key the methodology schema does not know (misspelt?); the file is refused", "loading"),
    Code("missing-field", "error", "a required key is missing; the file is refused", "loading"),
    Code("invalid", "error", "a value of the wrong type, or naming a rating, standard or domain that does not exist", "loading"),
    Code("missing-citation", "error", "a rule has no citation, so nobody can see where it comes from"),
    Code("missing-evidence", "error", "a rule has no evidence level, so nobody can see how firm it is", "loading"),
    Code("gap", "error", "some percentages or scores fall below every band and get no rating", "rating"),
    Code("overlap", "error", "two bands start at the same value with different ratings: one of them can never apply"),
    Code("not-monotone", "error", "a better input (percentage, score, rating profile or rating) gets a worse outcome", "monotonicity"),
    Code("unreachable-band", "error", "a band no percentage or score can fall in (after rounding, or beyond the maximum score)"),
    Code("unreachable-overall-rating", "error", "a rating on the scale that no score the points can add up to gives as the overall rating"),
    Code("unreachable-standard-rating", "error", "a rating on the scale no standard can be given: no key-question band gives it, and no standard is judged"),
    Code("guidance-conflict", "error", "one profile of informing ratings matches guidance rows with different indications", "rating"),
    Code("guidance-chain", "error", "a guidance table reads a standard that a guidance table decides, which the engine cannot order", "rating"),
    Code("guidance-same-target", "error", "two guidance tables decide the same standard, and the last would silently win", "rating"),
    Code("override-no-limit", "error", "an override without max_bands_up: a departure could go any distance"),
    Code("override-no-target", "error", "an override on a guidance table without rows: there is no indication to depart from"),
    Code("override-without-strengths", "error", "an override that needs no recorded strengths: a departure would have no stated reason"),
    Code("duplicate-band", "warning", "two bands start at the same value with the same rating: one is redundant"),
    Code("split-band", "warning", "two adjacent bands give the same rating: one band split in two"),
    Code(
        "unreachable-with-cases",
        "warning",
        "a band only a percentage typed in can reach: no share of the relevant cases checked (1 to 60, or --max-relevant) falls in it",
    ),
    Code("unreachable-score", "warning", "an overall band no score the points table can add up to falls in"),
    Code("unreachable-case-rating", "warning", "a rating no key-question band gives, so no case-based standard can get it (judged standards still can)"),
    Code("unreachable-row", "warning", "a guidance row whose conditions no profile of ratings satisfies"),
    Code("override-unlimited", "warning", "an override limit that never binds: it lets a departure span the whole scale"),
    Code("override-never-applies", "warning", "an override that can never raise a rating"),
    Code("rescaled-overlap", "warning", "with standards unrated, two overall bands rescale to the same bound and one rating cannot be reached"),
)

CODES: dict[str, Code] = {code.name: code for code in _CODES}
"""Every finding code, by name."""


@attrs.frozen
class Finding:
    """One thing ``check`` found, at a path in the methodology file (``key_question_bands.bands[2].at_least``)."""

    code: str = attrs.field(validator=attrs.validators.in_(CODES))
    path: str
    message: str
    suggestion: str | None = None

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def breaks(self) -> Breaks | None:
        return CODES[self.code].breaks

    def line(self, file: str | None) -> str:
        where = ": ".join(part for part in (file, self.path) if part)
        text = f"{where}: {self.severity} [{self.code}] {self.message}" if where else f"{self.severity} [{self.code}] {self.message}"
        if self.suggestion and "did you mean" not in self.message:
            text += f"; did you mean {self.suggestion!r}?"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "path": self.path, "message": self.message, "suggestion": self.suggestion}


@attrs.frozen
class Report:
    """Everything ``check`` found in one methodology, and what it examined to find it.

    ``methodology`` is None when the file could not be loaded; the findings then say why, and
    nothing else was examined.
    """

    file: str | None
    methodology: tuple[str, str] | None
    findings: tuple[Finding, ...]
    examined: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def breaks(self, what: Breaks) -> tuple[Finding, ...]:
        return tuple(f for f in self.errors if f.breaks == what)

    def render_text(self) -> str:
        name = f"{self.methodology[0]} {self.methodology[1]}" if self.methodology else "methodology not loaded"
        head = f"{self.file}: {name}" if self.file else name
        lines = [f.line(self.file) for f in self.findings]
        if self.findings:
            lines.append(f"{head}: {_count(len(self.errors), 'error')}, {_count(len(self.warnings), 'warning')}")
        else:
            lines.append(f"{head}: no findings")
        lines.extend(f"  checked {item}" for item in self.examined)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_version": "1",
            "file": self.file,
            "methodology": None if self.methodology is None else {"id": self.methodology[0], "version": self.methodology[1]},
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
            "examined": list(self.examined),
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Errors first, then in the order found (which follows the file)."""
    return tuple(sorted(findings, key=lambda f: f.severity != "error"))
