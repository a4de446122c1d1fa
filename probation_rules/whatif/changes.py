"""Which rules differ between two methodologies, with the old and the new values.

A comparison shows deltas beside baseline values, never a bare total: the first thing a reader
of a what-if needs is the list of what was changed, rule by rule, in the methodology's own ids.
Rules are matched by address (see :mod:`probation_rules.methodology.items`), so this reads any
two methodologies, not only a variant and its base. Where a rule now cites something else or
claims another evidence level, that is listed apart from what it does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from probation_rules._convert import converter
from probation_rules.methodology.items import Item, at, item_fields, walk
from probation_rules.methodology.schema import Methodology, Rule

__all__ = ["FieldChange", "RuleChange", "rule_changes", "show"]

_PROVENANCE = ("citation", "evidence")

ChangeKind = Literal["changed", "added", "removed"]


def show(value: Any) -> str:
    """A value as a policy officer wrote it: 70, not 70.0; lists and tables as compact JSON."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple | Mapping):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


@attrs.frozen
class FieldChange:
    field: str
    old: Any
    new: Any

    def text(self) -> str:
        return f"{self.field}: {show(self.old)} -> {show(self.new)}"


@attrs.frozen
class RuleChange:
    """One rule (or standard, or key question) that differs; ``fields`` hold what it does."""

    address: str
    kind: ChangeKind
    what: str
    fields: tuple[FieldChange, ...] = ()
    provenance: tuple[FieldChange, ...] = ()

    def text(self) -> str:
        if self.kind == "added":
            return "added: " + ", ".join(f"{f.field} = {show(f.new)}" for f in self.fields if f.new is not None)
        if self.kind == "removed":
            return "removed"
        parts = [f.text() for f in self.fields]
        # Where the change is to the source alone, the new source is the point: show it; beside other
        # changes the citation is usually the variant's own, and "changed" says enough.
        parts += [f.text() if f.field == "evidence" or not self.fields else f"{f.field} changed" for f in self.provenance]
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "kind": self.kind,
            "what": self.what,
            "fields": [{"field": f.field, "old": f.old, "new": f.new} for f in self.fields],
            "provenance": [{"field": f.field, "old": f.old, "new": f.new} for f in self.provenance],
        }


def _data(m: Methodology) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(converter.unstructure(m), default=str))
    return plain


def _indexed(data: Mapping[str, Any]) -> dict[str, Item]:
    found: dict[str, Item] = {}
    for node in walk(data):
        if isinstance(node, Item):
            found.setdefault(node.address, node)
    return found


def _effective(data: Mapping[str, Any], rule: Rule | None) -> dict[str, Any]:
    """A rule's fields with the citation and evidence it inherits from its table filled in."""
    if rule is None:
        return dict(data)
    return {**data, "citation": rule.citation, "evidence": rule.evidence}


def _what(cls: type) -> str:
    name = cls.__name__
    return "".join(f" {c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def rule_changes(baseline: Methodology, candidate: Methodology) -> tuple[RuleChange, ...]:
    """Every rule, standard and key question that differs, in baseline order, then the additions."""
    a_data, b_data = _data(baseline), _data(candidate)
    a_items, b_items = _indexed(a_data), _indexed(b_data)
    a_rules, b_rules = {r.id: r for r in baseline.rules()}, {r.id: r for r in candidate.rules()}
    out: list[RuleChange] = []
    for address, item in a_items.items():
        other = b_items.get(address)
        if other is None:
            out.append(RuleChange(address, "removed", _what(item.cls)))
            continue
        old, new = _effective(at(a_data, item.path), a_rules.get(address)), _effective(at(b_data, other.path), b_rules.get(address))
        names = item_fields(other.cls) if other.cls is item.cls else sorted(set(old) | set(new))
        fields = [FieldChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n)]
        if fields:
            out.append(
                RuleChange(
                    address,
                    "changed",
                    _what(other.cls),
                    tuple(f for f in fields if f.field not in _PROVENANCE),
                    tuple(f for f in fields if f.field in _PROVENANCE),
                )
            )
    for address, item in b_items.items():
        if address not in a_items:
            new = at(b_data, item.path)
            given = [FieldChange(n, None, new.get(n)) for n in item_fields(item.cls) if new.get(n) is not None and n not in _PROVENANCE]
            out.append(RuleChange(address, "added", _what(item.cls), tuple(given)))
    return tuple(out)
