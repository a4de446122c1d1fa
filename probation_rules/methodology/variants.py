"""Variants: a methodology written as a small change to another, validated whole before it applies.

A policy officer testing "what if Good started at 70%" should write that one change, not copy
a 200-line file and hope nothing else moved. A variant file names its base (``extends``), says
who it is (``name``) and why (``rationale``), and changes rules by their stable ids::

    extends = "hmip-pdu-2023"
    name = "good-from-70"
    rationale = "Would a stricter Good band change outcomes?"

    [change."kq-bands.good"]          # set fields of a rule, a standard or a key question
    at_least = 70

    [[add."guidance.leadership"]]     # add a row to a table (or a key question to a standard)
    id = "guidance.leadership.mostly-inadequate"
    any_at_most = "Inadequate"
    indicates = "Requires improvement"

    remove = ["P2.1/keeping_safe"]    # remove rows, key questions, standards or optional sections

Everything is checked before anything applies: unknown ids (with a did-you-mean), fields the
rule does not have, values of the wrong type, what the loader refuses in the result, and every
error ``check`` finds in it. All of it is reported at once, each problem at its path in the
variant file, and the variant is refused whole (:class:`VariantError`).

The result is a methodology of its own: its id is ``<base id>~<name>`` so no result rated under
it can pass for the base; it records its :class:`~probation_rules.methodology.schema.Lineage`;
its sha256 is the hash of its content; and every rule the variant touches cites the variant and
is ``inferred`` unless the change says otherwise, because a trace must not quote a published
source for a threshold the source never gave.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from probation_rules._convert import converter, render_path, structure
from probation_rules.errors import MethodologyError, Problem, did_you_mean
from probation_rules.methodology.items import Container, Item, at, containers, editable_fields, items
from probation_rules.methodology.schema import KeyQuestion, Lineage, Methodology

__all__ = ["VARIANT_MARK", "VariantError", "VariantFile", "apply_variant", "variant_from_dict"]

VARIANT_MARK = "~"
"""Joins a base id and a variant name into the variant's id: ``hmip-pdu-2023~good-from-70``."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_INFERRED = "inferred"
_AFTER = " (in the methodology the variant makes)"


class VariantError(MethodologyError):
    """A variant file that cannot apply; every problem names its path in the variant file."""


@attrs.frozen
class VariantFile:
    """The shape of a variant file; the changes stay plain data until the base says what they mean."""

    extends: str
    name: str
    rationale: str
    title: str | None = None
    change: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    add: dict[str, list[dict[str, Any]]] = attrs.field(factory=dict)
    remove: list[str] = attrs.field(factory=list)


def variant_from_dict(data: Mapping[str, Any], raw: bytes, file: str) -> Methodology:
    """The methodology a parsed variant file makes; the loader calls this when it sees ``extends``."""
    from probation_rules.methodology.loader import load_methodology

    spec, problems = structure(dict(data), VariantFile, file=file)
    if spec is None:
        raise VariantError(problems, file=file)
    base_ref = spec.extends
    candidate = Path(file).parent / base_ref
    if base_ref.endswith(".toml") or "/" in base_ref:
        base_ref = str(candidate)
    here = os.path.realpath(file)
    extending = _extending.__dict__.setdefault("files", set())
    if here in extending:
        raise VariantError(Problem("extends", "leads back to this file: a variant cannot extend itself, directly or through others", spec.extends), file=file)
    extending.add(here)
    try:
        base = load_methodology(base_ref)
    except MethodologyError as exc:
        raise VariantError([Problem("extends", f"must name a methodology that loads: {p}", spec.extends) for p in exc.problems], file=file) from None
    finally:
        extending.discard(here)
    digest = hashlib.sha256(raw).hexdigest()
    key = (base.id, base.sha256, digest, file)
    found = _applied.get(key)
    if found is None:
        found = _applied[key] = apply_variant(base, spec, file=file, variant_sha256=digest)
    return found


_extending = threading.local()
"""Per thread, the variant files whose bases are being loaded: a file met again is a cycle."""

_applied: weakref.WeakValueDictionary[tuple[str, str, str, str], Methodology] = weakref.WeakValueDictionary()
"""Variants already applied, while something still uses them: ``rate FILE...`` checks a variant once, not per file.

Weak, so that a variant nobody holds frees its compiled ruleset as any methodology does.
"""


def apply_variant(base: Methodology, spec: VariantFile, *, file: str | None = None, variant_sha256: str = "") -> Methodology:
    """Apply a variant to its base, or raise :class:`VariantError` with every problem found."""
    return _Application(base, spec, file).run(variant_sha256)


def _base_data(m: Methodology) -> dict[str, Any]:
    plain = converter.unstructure(m)
    for key in ("source", "sha256", "lineage"):
        plain.pop(key, None)
    loaded: dict[str, Any] = json.loads(json.dumps(plain, default=str))
    return loaded


def _join(prefix: str, sub: str) -> str:
    if not sub:
        return prefix
    return prefix + sub if sub.startswith("[") else f"{prefix}.{sub}"


class _Application:
    def __init__(self, base: Methodology, spec: VariantFile, file: str | None):
        self.base = base
        self.spec = spec
        self.file = file
        self.data = _base_data(base)
        self.items = items(self.data)
        self.containers = containers(self.data)
        self.problems: list[Problem] = []
        self.touched: dict[int, str] = {}
        """id() of an item's dict in the new data -> its path in the variant file."""
        self.citation = f"Variant {spec.name} of {base.id} {base.version}: {spec.rationale}"

    def problem(self, path: Iterable[str | int], expected: str, value: Any, suggestion: str | None = None) -> None:
        self.problems.append(Problem(render_path(tuple(path)), expected, value, suggestion, self.file))

    def run(self, variant_sha256: str) -> Methodology:
        if not _NAME.match(self.spec.name):
            self.problem(("name",), "must be letters, digits, '.', '_' or '-', starting with a letter or digit (it becomes part of the id)", self.spec.name)
        removals = self.validate_removals()
        changes = self.validate_changes(set(removals))
        additions, added = self.validate_additions(set(removals))
        # What is valid is applied even when something else is not, so that the loader and
        # ``check`` can name their problems too: the variant is refused whole, all at once.
        # Resolve every target before anything moves: a removal shifts the indices after it.
        doomed = [(self._parent(item), at(self.data, item.path), item) for item in removals.values()]
        targets = [(address, at(self.data, item.path), new) for address, (item, new) in changes.items()]
        lists = [(address, self._container_list(self.containers[address][0]), entries) for address, entries in additions.items()]
        for parent, target, item in doomed:
            if item.in_container:
                del parent[next(i for i, row in enumerate(parent) if row is target)]
            else:
                parent[item.path[-1]] = None
        for address, target, new in targets:
            target.clear()
            target.update(new)
            self.touched[id(target)] = render_path(("change", address))
        for address, rows, entries in lists:
            for i, entry in enumerate(entries):
                rows.append(entry)
                self.touched[id(entry)] = render_path(("add", address, i))
        spec, base = self.spec, self.base
        self.data["id"] = f"{base.id}{VARIANT_MARK}{spec.name}"
        self.data["title"] = spec.title or f"{base.title} (variant {spec.name})"
        self.data["description"] = spec.rationale
        lineage = Lineage(
            base_id=base.id,
            base_version=base.version,
            base_sha256=base.sha256,
            variant=spec.name,
            rationale=spec.rationale,
            changed=tuple(changes),
            added=tuple(added),
            removed=tuple(removals),
        )
        from probation_rules.methodology.loader import methodology_from_dict

        try:
            m = methodology_from_dict(self.data, file=self.file)
        except MethodologyError as exc:
            raise VariantError([*self.problems, *(self.relocate(p) for p in exc.problems)], file=self.file) from None
        content = json.dumps({"methodology": self.data, "lineage": converter.unstructure(lineage), "variant": variant_sha256}, sort_keys=True, default=str)
        m = attrs.evolve(m, source=self.file, sha256=hashlib.sha256(content.encode()).hexdigest(), lineage=lineage)
        self.problems.extend(self.check_problems(m))
        if self.problems:
            raise VariantError(self.problems, file=self.file)
        return m

    # -- validation ------------------------------------------------------------------------

    def lookup(self, where: tuple[str | int, ...], address: str) -> Item | None:
        found = self.items.get(address)
        if not found:
            self.problem(
                where,
                f"is not a rule, standard or key question of {self.base.id} (key questions are written <standard>/<key question>)",
                address,
                did_you_mean(address, self.items),
            )
            return None
        if len(found) > 1:
            places = ", ".join(i.where for i in found)
            self.problem(where, f"names more than one part of {self.base.id} ({places})", address)
            return None
        return found[0]

    def validate_removals(self) -> dict[str, Item]:
        out: dict[str, Item] = {}
        for i, address in enumerate(self.spec.remove):
            item = self.lookup(("remove", i), address)
            if item is None:
                continue
            if not (item.in_container or item.optional):
                self.problem(("remove", i), f"is a required section of the methodology ({item.where}): change it instead", address)
            elif address in out:
                self.problem(("remove", i), "is removed twice", address)
            elif item.parent in out or any(address.startswith(f"{r}/") for r in out):
                self.problem(("remove", i), f"is inside {item.parent}, which is removed already", address)
            else:
                out[address] = item
        return out

    def validate_changes(self, removed: set[str]) -> dict[str, tuple[Item, dict[str, Any]]]:
        out: dict[str, tuple[Item, dict[str, Any]]] = {}
        for address, fields in self.spec.change.items():
            item = self.lookup(("change", address), address)
            if item is None:
                continue
            if address in removed or item.parent in removed:
                self.problem(("change", address), "is also removed: change it or remove it, not both", address)
                continue
            allowed = editable_fields(item.cls)
            bad = False
            for key, value in fields.items():
                if key == "id":
                    self.problem(("change", address, key), "cannot change a rule's id: remove it and add one with the new id", value)
                    bad = True
                elif key not in allowed:
                    why = " (a list of rules: use add and remove)" if key in {a.name for a in attrs.fields(item.cls)} else ""
                    self.problem(
                        ("change", address, key),
                        f"is not a field a variant can change here{why} ({', '.join(allowed)})",
                        value,
                        did_you_mean(key, allowed),
                    )
                    bad = True
            if bad:
                continue
            new = {**at(self.data, item.path), **self.provenance(item.cls, fields), **fields}
            _, problems = structure(new, item.cls)
            if problems:
                self.problems.extend(attrs.evolve(p, path=_join(render_path(("change", address)), p.path), file=self.file) for p in problems)
                continue
            out[address] = (item, new)
        return out

    def validate_additions(self, removed: set[str]) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        out: dict[str, list[dict[str, Any]]] = {}
        added: list[str] = []
        taken = {a for a in self.items if a not in removed}
        for address, entries in self.spec.add.items():
            found = self.containers.get(address)
            if not found or len(found) > 1:
                choices = sorted(self.containers)
                expected = (
                    f"names more than one list in {self.base.id}" if found else f"is not a table, standard or list of {self.base.id} that rows can be added to"
                )
                self.problem(("add", address), expected, address, None if found else did_you_mean(address, choices))
                continue
            if address in removed:
                self.problem(("add", address), "is removed by this variant: nothing can be added to it", address)
                continue
            container = found[0]
            accepted = []
            for i, entry in enumerate(entries):
                where = render_path(("add", address, i))
                if not isinstance(entry, Mapping):
                    self.problem(("add", address, i), "must be a table of fields", entry)
                    continue
                new = {**self.provenance(container.cls, entry), **entry}
                _, problems = structure(new, container.cls)
                if problems:
                    self.problems.extend(attrs.evolve(p, path=_join(where, p.path), file=self.file) for p in problems)
                    continue
                own = str(entry["id"])
                full = f"{address}/{own}" if issubclass(container.cls, KeyQuestion) else own
                if full in taken:
                    self.problem(("add", address, i, "id"), f"is taken by another part of {self.base.id} or of this variant", own)
                    continue
                taken.add(full)
                added.append(full)
                accepted.append(new)
            out[address] = accepted
        return out, added

    def provenance(self, cls: type, given: Mapping[str, Any]) -> dict[str, Any]:
        """Cite the variant on what it touches, unless the change gives its own source."""
        names = {a.name for a in attrs.fields(cls)}
        out: dict[str, Any] = {}
        if "citation" in names and "citation" not in given:
            out["citation"] = self.citation
        if "evidence" in names and "evidence" not in given:
            out["evidence"] = _INFERRED
        return out

    # -- application -----------------------------------------------------------------------

    def _container_list(self, container: Container) -> list[Any]:
        *head, name = container.path
        parent = at(self.data, tuple(head))
        rows = parent.get(name)
        if rows is None:
            rows = parent[name] = []
        assert isinstance(rows, list)
        return rows

    def _parent(self, item: Item) -> Any:
        return at(self.data, item.path[:-1])

    # -- what the result says ----------------------------------------------------------------

    def relocations(self) -> list[tuple[str, str]]:
        """(path in the result, path in the variant file) for every item the variant wrote."""
        pairs = []
        for found in items(self.data).values():
            for item in found:
                variant_path = self.touched.get(id(at(self.data, item.path)))
                if variant_path is not None:
                    pairs.append((item.where, variant_path))
        return sorted(pairs, key=lambda p: -len(p[0]))

    def relocate(self, problem: Problem) -> Problem:
        for result_path, variant_path in self.relocations():
            if problem.path == result_path or problem.path.startswith((result_path + ".", result_path + "[")):
                return attrs.evolve(problem, path=variant_path + problem.path[len(result_path) :], file=self.file)
        return attrs.evolve(problem, expected=problem.expected + _AFTER, file=self.file)

    def check_problems(self, m: Methodology) -> list[Problem]:
        from probation_rules.check import check_methodology

        return [self.relocate(Problem(f.path, f"{f.message} [{f.code}]", suggestion=f.suggestion)) for f in check_methodology(m).errors]
