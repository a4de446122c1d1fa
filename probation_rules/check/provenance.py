"""Every rule must say where it comes from: policy staff weigh a rule by its source.

The loader already refuses a table without a citation or an evidence level (both are required
fields); what it accepts and this module refuses is a citation that says nothing. Rows may leave
both out and inherit their table's, but a row that gives an empty citation hides its table's.
The walk is over the loaded objects, so fields added to the schema later are covered too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from probation_rules._convert import render_path
from probation_rules.check.findings import Finding
from probation_rules.methodology.schema import Methodology

__all__ = ["provenance_findings"]


def provenance_findings(m: Methodology) -> Iterator[Finding]:
    yield from _walk(m, ())


def _walk(node: Any, path: tuple[str | int, ...]) -> Iterator[Finding]:
    if isinstance(node, tuple):
        for i, item in enumerate(node):
            yield from _walk(item, (*path, i))
        return
    if not attrs.has(type(node)):
        return
    citation = getattr(node, "citation", None)
    if isinstance(citation, str) and not citation.strip():
        rule = getattr(node, "id", None) or render_path(path)
        yield Finding("missing-citation", render_path((*path, "citation")), f"{rule} has an empty citation: say where the rule comes from")
    for field in attrs.fields(type(node)):
        if field.name != "citation":
            yield from _walk(getattr(node, field.name), (*path, field.name))
