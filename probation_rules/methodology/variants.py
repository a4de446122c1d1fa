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

Everything is checked before anything applies: the shape of each section (a table where a table
belongs, with an example of the right one), unknown ids (with a did-you-mean), fields the rule
does not have, values of the wrong type, what the loader refuses in the result, and every error
``check`` finds in it. All of it is reported at once, each problem at its path in the variant
file, and the variant is refused whole (:class:`VariantError`). What is valid is applied even
beside what is not, so that the loader and ``check`` see as much as they can: a change with one
unknown field still sets the others, and a row whose id is taken is tried under a stand-in id.
When the loader refuses part of the result, ``check`` runs on the result without that part, so
its findings on the rest come in the same round; only when the loader refuses something the
variant did not write is ``check`` left for the next round, and the error says so.

The result is a methodology of its own: its id is ``<base id>~<name>`` so no result rated under
it can pass for the base; it records its :class:`~probation_rules.methodology.schema.Lineage`;
its sha256 is the hash of its content; and every rule the variant touches cites the variant and
is ``inferred`` unless the change says otherwise, because a trace must not quote a published
source for a threshold the source never gave.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs

from probation_rules._convert import converter, render_path, structure
from probation_rules.errors import MethodologyError, ProbationRulesError, Problem, VariantError, did_you_mean
from probation_rules.methodology.items import Container, Item, at, containers, editable_fields, items
from probation_rules.methodology.schema import KeyQuestion, Lineage, Methodology

__all__ = ["VARIANT_MARK", "VariantError", "VariantFile", "apply_variant", "variant_from_dict"]

VARIANT_MARK = "~"
"""Joins a base id and a variant name into the variant's id: ``hmip-pdu-2023~good-from-70``."""

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_INFERRED = "inferred"
_AFTER = " (in the methodology the variant makes)"
_PROVENANCE = frozenset({"citation", "evidence"})


@attrs.frozen
class VariantFile:
    """The shape of a variant file; the changes stay plain data until the base says what they mean."""

    extends: str
    name: str
    rationale: str
    title: str | None = None
    change: dict[str, Any] = attrs.field(factory=dict)
    """Rule id -> the fields to set (a table; anything else is named as a problem when the base is known)."""
    add: dict[str, Any] = attrs.field(factory=dict)
    """Table id -> the rows to add (an array of tables; likewise)."""
    remove: list[str] = attrs.field(factory=list)


def variant_from_dict(data: Mapping[str, Any], raw: bytes, file: str) -> Methodology:
    """The methodology a parsed variant file makes; the loader calls this when it sees ``extends``."""
    from probation_rules.methodology.loader import load_methodology, reference_problems

    data, wrong = _section_shapes(dict(data))
    spec, problems = structure(data, VariantFile, file=file)
    if spec is None:
        header = _shape_problems(wrong, None, file) + problems
        raise VariantError(header + _section_problems(_salvaged(data, problems), raw, file, header), file=file)
    here = os.path.realpath(file)
    with _extending_file(here) as again:
        if again:
            cycle_problem = Problem("extends", "leads back to this file: a variant cannot extend itself, directly or through others", spec.extends)
            raise VariantError(cycle_problem, file=file)
        try:
            base = load_methodology(spec.extends, relative_to=file)
        except ProbationRulesError as exc:
            # A cycle back to this file is reported by the file itself; anything else as a problem with its extends.
            cycle = [p for p in exc.problems if p.file is not None and os.path.realpath(p.file) == here]
            others = reference_problems([p for p in exc.problems if p not in cycle], "extends", spec.extends, relative_to=file)
            raise VariantError([*_shape_problems(wrong, None, file), *cycle, *others], file=file) from None
    digest = hashlib.sha256(raw).hexdigest()
    key = (base.id, base.sha256, digest, file)
    found = _applied.get(key)
    if found is None:
        found = _Application(base, spec, file, _shape_problems(wrong, _base_data(base), file)).run(digest)
        _applied[key] = found
    return found


def _salvaged(data: Mapping[str, Any], problems: Sequence[Problem]) -> VariantFile | None:
    """The variant with its faulty own keys stood in for, so its changes can be checked in the same round.

    A variant is refused whole, with every problem named: a rationale of the wrong type must not
    hide a misspelt rule id until it is fixed. None when ``extends`` itself is unusable (there is
    no base to check the changes against) or a section is the faulty part.
    """
    faulty = {p.path.split(".")[0].split("[")[0] for p in problems}
    if "extends" in faulty or not isinstance(data.get("extends"), str) or faulty & {"change", "add", "remove"}:
        return None
    name, rationale = data.get("name"), data.get("rationale")
    return VariantFile(
        extends=data["extends"],
        name=name if isinstance(name, str) and "name" not in faulty else "variant",
        rationale=rationale if isinstance(rationale, str) and "rationale" not in faulty else "",
        change=data.get("change", {}),
        add=data.get("add", {}),
        remove=data.get("remove", []),
    )


def _section_problems(spec: VariantFile | None, raw: bytes, file: str, known: Sequence[Problem]) -> list[Problem]:
    """The problems of a salvaged variant's changes, additions and removals (none when it cannot be checked)."""
    if spec is None:
        return []
    from probation_rules.methodology.loader import load_methodology

    with _extending_file(os.path.realpath(file)) as again:
        if again:
            return []  # extends itself: said when the variant's own keys are fixed
        try:
            base = load_methodology(spec.extends, relative_to=file)
            _Application(base, spec, file).run(hashlib.sha256(raw).hexdigest())
        except VariantError as exc:
            return [p for p in exc.problems if p not in known and p.path != ""]
        except ProbationRulesError:
            return []  # the base does not load: said when the variant's own keys are fixed
    return []


_TOP_LEVEL = tuple(a.name for a in attrs.fields(VariantFile) if a.name not in ("change", "add"))
"""The variant's own keys, which TOML reads as part of a section when they are written below one."""


def _misplaced(key: str) -> str:
    """Why a variant's own key may have ended up inside a section: TOML reads a key after ``[section]`` as part of it."""
    if key not in _TOP_LEVEL:
        return ""
    return f"; top-level keys ({', '.join(_TOP_LEVEL)}) must come before the first [section] in TOML"


def _toml(value: Any) -> str:
    """A value as it would be written in TOML, for an example in a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<value>"
    if isinstance(value, int | float | str):
        return json.dumps(value, ensure_ascii=False)
    return '"..."'


def _kind(value: Any) -> str:
    """What a TOML value is, to match an example field to a value: numbers are one kind."""
    return "bool" if isinstance(value, bool) else "number" if isinstance(value, int | float) else type(value).__name__


_SECTIONS = {"change": Mapping, "add": Mapping, "remove": list}


def _section_shapes(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data without a ``change``, ``add`` or ``remove`` of the wrong shape, and those sections.

    TOML makes these easy to get wrong (a string for a list, a number for a table), and left to
    the structuring they would report Python's view of the mistake, or worse, be misread: a
    string is a sequence of characters. They are named, with an example, by :func:`_shape_problems`.
    """
    wrong = {key: data.pop(key) for key, shape in _SECTIONS.items() if key in data and not isinstance(data[key], shape)}
    return data, wrong


def _shape_problems(wrong: Mapping[str, Any], data: Mapping[str, Any] | None, file: str) -> list[Problem]:
    """What a section of the wrong shape should look like, with an example from the base (``data``) when it loaded."""
    found = items(data) if data is not None else {}
    rows = list(containers(data)) if data is not None else []
    change, field, value = next(
        (
            (address, f, at(data, i.path)[f])
            for address, (i, *_) in found.items()
            if data is not None
            for f in editable_fields(i.cls)
            if _kind(at(data, i.path).get(f)) == "number"
        ),
        ("<id>", "<field>", None),
    )
    question = next((address for address, (i, *_) in found.items() if issubclass(i.cls, KeyQuestion)), "<id>")
    table = rows[-1] if rows else "<id>"
    problems = []
    if "change" in wrong:
        expected = f'must be a table for each part to change: write [change."{change}"] and below it the fields to set, such as {field} = {_toml(value)}'
        problems.append(Problem("change", expected, wrong["change"], file=file))
    if "add" in wrong:
        expected = f'must be an array of tables, one per new row: write [[add."{table}"]] (two brackets) above each new row\'s fields'
        problems.append(Problem("add", expected, wrong["add"], file=file))
    if "remove" in wrong:
        remove = wrong["remove"]
        suggestion = f"remove = [{_toml(remove)}]" if isinstance(remove, str) else None
        problems.append(Problem("remove", f'must be a list of ids, such as remove = ["{question}"]', remove, suggestion, file=file))
    return problems


_extending = threading.local()
"""Per thread, the variant files whose bases are being loaded: a file met again is a cycle."""


@contextlib.contextmanager
def _extending_file(here: str) -> Iterator[bool]:
    """While a variant file's base is loaded: whether the file is already being extended (a cycle), else marked as it is."""
    extending = _extending.__dict__.setdefault("files", set())
    if here in extending:
        yield True
        return
    extending.add(here)
    try:
        yield False
    finally:
        extending.discard(here)


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


@attrs.frozen
class _Op:
    """One valid part of a variant, ready to apply: a removal, a change or an added row."""

    where: str
    """Its path in the variant file: ``remove[0]``, ``change["kq-bands.good"]``, ``add["kq-bands"][0]``."""
    item: Item | None = None
    """What it removes or changes."""
    container: Container | None = None
    """Where it adds."""
    new: dict[str, Any] = attrs.field(factory=dict)
    """The changed fields in full, or the added row."""


Touched = dict[int, str]
"""id() of an item's dict in built data -> its path in the variant file."""


class _Application:
    def __init__(self, base: Methodology, spec: VariantFile, file: str | None, problems: Iterable[Problem] = ()):
        self.base = base
        self.spec = spec
        self.file = file
        self.data = _base_data(base)
        self.items = items(self.data)
        self.containers = containers(self.data)
        self.problems: list[Problem] = list(problems)
        self.citation = f"Variant {spec.name} of {base.id} {base.version}: {spec.rationale}"
        self.removed_at: dict[str, str] = {}
        """Address -> the path of the removal in the variant file."""
        self.written: dict[str, tuple[str, ...]] = {}
        """The path of a change in the variant file -> the fields it sets (the rest are the base's)."""

    def problem(self, path: Iterable[str | int], expected: str, value: Any, suggestion: str | None = None) -> None:
        self.problems.append(Problem(render_path(tuple(path)), expected, value, suggestion, self.file))

    def run(self, variant_sha256: str) -> Methodology:
        if not _NAME.match(self.spec.name):
            self.problem(("name",), "must be letters, digits, '.', '_' or '-', starting with a letter or digit (it becomes part of the id)", self.spec.name)
        removals = self.validate_removals()
        changes = self.validate_changes(set(removals))
        additions, added = self.validate_additions(set(removals))
        self.removed_at = {address: op.where for address, op in removals.items()}
        ops = [*removals.values(), *changes.values(), *additions]
        # What is valid is applied even when something else is not, so that the loader and
        # ``check`` can name their problems too: the variant is refused whole, all at once.
        data, touched = self.build(ops)
        spec, base = self.spec, self.base
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
        m, refused = self.load(data, touched)
        if m is None:
            # Check what loads without the parts the loader refused, so its findings on the rest come now, not next round.
            retry = None
            if refused:
                kept, kept_touched = self.build([op for op in ops if op.where not in refused])
                retry, _ = self.load(kept, kept_touched, report=False)
            if retry is not None:
                self.problems.extend(self.check_problems(retry, kept, kept_touched))
            else:
                self.problems.append(
                    Problem("", "has not been checked: the methodology it makes does not load, so check runs once the problems above are fixed", file=self.file)
                )
            raise VariantError(self.problems, file=self.file)
        content = json.dumps({"methodology": data, "lineage": converter.unstructure(lineage), "variant": variant_sha256}, sort_keys=True, default=str)
        m = attrs.evolve(m, sha256=hashlib.sha256(content.encode()).hexdigest(), lineage=lineage)
        self.problems.extend(self.check_problems(m, data, touched))
        if self.problems:
            raise VariantError(self.problems, file=self.file)
        return m

    def build(self, ops: Iterable[_Op]) -> tuple[dict[str, Any], Touched]:
        """The base's data with ``ops`` applied: removals first, then changes, then additions."""
        data = copy.deepcopy(self.data)
        touched: Touched = {}
        ops = list(ops)
        # Resolve every target before anything moves: a removal shifts the indices after it.
        doomed = [(at(data, op.item.path[:-1]), at(data, op.item.path), op.item) for op in ops if op.item is not None and not op.new]
        targets = [(at(data, op.item.path), op) for op in ops if op.item is not None and op.new]
        for parent, target, item in doomed:
            if item.in_container:
                del parent[next(i for i, row in enumerate(parent) if row is target)]
            else:
                parent[item.path[-1]] = None
        for target, op in targets:
            target.clear()
            target.update(op.new)
            touched[id(target)] = op.where
        for op in ops:
            if op.container is not None:
                row = copy.deepcopy(op.new)
                _container_list(data, op.container).append(row)
                touched[id(row)] = op.where
        spec, base = self.spec, self.base
        data["id"] = f"{base.id}{VARIANT_MARK}{spec.name}"
        data["title"] = spec.title or f"{base.title} (variant {spec.name})"
        data["description"] = spec.rationale
        return data, touched

    def load(self, data: dict[str, Any], touched: Touched, *, report: bool = True) -> tuple[Methodology | None, set[str]]:
        """The methodology ``data`` makes, or None and the variant paths the loader refused (its problems reported)."""
        from probation_rules.methodology.loader import methodology_from_dict

        try:
            m = methodology_from_dict(data, file=self.file)
        except MethodologyError as exc:
            placed = [self.relocate(p, data, touched) for p in exc.problems]
            if report:
                self.problems.extend(p for p, _ in placed)
            return None, {where for _, where in placed if where is not None}
        return attrs.evolve(m, source=self.file), set()

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

    def validate_removals(self) -> dict[str, _Op]:
        out: dict[str, _Op] = {}
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
                out[address] = _Op(render_path(("remove", i)), item)
        return out

    def validate_changes(self, removed: set[str]) -> dict[str, _Op]:
        out: dict[str, _Op] = {}
        for address, fields in self.spec.change.items():
            where = ("change", address)
            item = self.lookup(where, address)
            allowed = editable_fields(item.cls) if item is not None else []
            if not isinstance(fields, Mapping):
                base = at(self.data, item.path) if item is not None else {}
                like = next((f for f in allowed if _kind(base.get(f)) == _kind(fields)), allowed[0] if allowed else "<field>")
                listed = f" ({', '.join(allowed)})" if allowed else ""
                self.problem(
                    where,
                    f'must be a table of the fields to set{listed}: write [change."{address}"] and below it a line such as {like} = {_toml(fields)}',
                    fields,
                )
                continue
            if item is None:
                continue
            if address in removed or item.parent in removed:
                self.problem(where, "is also removed: change it or remove it, not both", address)
                continue
            given: dict[str, Any] = {}
            for key, value in fields.items():
                if key == "id":
                    self.problem((*where, key), "cannot change a rule's id: remove it and add one with the new id", value)
                elif key not in allowed:
                    why = " (a list of rules: use add and remove)" if key in {a.name for a in attrs.fields(item.cls)} else ""
                    self.problem(
                        (*where, key),
                        f"is not a field a variant can change here{why} ({', '.join(allowed)}){_misplaced(key)}",
                        value,
                        did_you_mean(key, allowed),
                    )
                else:
                    given[key] = value
            if not given:
                continue
            # The fields that can be set are set, beside any that cannot: the loader and check then judge them too.
            new = {**at(self.data, item.path), **self.provenance(item.cls, given), **given}
            _, problems = structure(new, item.cls)
            if problems:
                self.problems.extend(attrs.evolve(p, path=_join(render_path(where), p.path), file=self.file) for p in problems)
                continue
            out[address] = _Op(render_path(where), item, new=new)
            self.written[render_path(where)] = tuple(given)
        return out

    def validate_additions(self, removed: set[str]) -> tuple[list[_Op], list[str]]:
        out: list[_Op] = []
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
                found = None
            elif address in removed:
                self.problem(("add", address), "is removed by this variant: nothing can be added to it", address)
                found = None
            rows: list[tuple[tuple[str | int, ...], Any]]
            if isinstance(entries, Mapping):
                self.problem(
                    ("add", address),
                    f'must be an array of tables, one per new row: write [[add."{address}"]] with two brackets ([add."{address}"] with one is a single table)',
                    dict(entries),
                )
                rows = [(("add", address), entries)]  # still read as the one row it was meant to be
            elif isinstance(entries, list):
                rows = [(("add", address, i), entry) for i, entry in enumerate(entries)]
            else:
                self.problem(("add", address), f'must be an array of tables, one per new row: write [[add."{address}"]] above each row\'s fields', entries)
                continue
            if found is None:
                continue
            container = found[0]
            for where, entry in rows:
                if not isinstance(entry, Mapping):
                    self.problem(where, f'must be a table of fields: write [[add."{address}"]] above each row\'s fields', entry)
                    continue
                fields = {a.name for a in attrs.fields(container.cls)}
                for key in [k for k in entry if k in _TOP_LEVEL and k not in fields]:
                    self.problem((*where, key), f"is not a field of the row added here{_misplaced(key)}", entry[key])
                entry = {k: v for k, v in entry.items() if k in fields or k not in _TOP_LEVEL}
                new = {**self.provenance(container.cls, entry), **entry}
                _, problems = structure(new, container.cls)
                if problems:
                    self.problems.extend(attrs.evolve(p, path=_join(render_path(where), p.path), file=self.file) for p in problems)
                    continue
                own = str(entry["id"])
                full = f"{address}/{own}" if issubclass(container.cls, KeyQuestion) else own
                if full in taken:
                    self.problem((*where, "id"), f"is taken by another part of {self.base.id} or of this variant", own)
                    # Tried under a stand-in id, so that what else is wrong with the row is named now too.
                    out.append(_Op(render_path(where), container=container, new={**new, "id": render_path(where)}))
                    continue
                taken.add(full)
                added.append(full)
                out.append(_Op(render_path(where), container=container, new=new))
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

    # -- what the result says ----------------------------------------------------------------

    def relocate(self, problem: Problem, data: Mapping[str, Any], touched: Touched) -> tuple[Problem, str | None]:
        """The problem at its path in the variant file, and the part of the variant it is in (None: not one the variant wrote)."""
        pairs = []
        for found in items(data).values():
            for item in found:
                variant_path = touched.get(id(at(data, item.path)))
                if variant_path is not None:
                    pairs.append((item.where, variant_path))
        for result_path, variant_path in sorted(pairs, key=lambda p: -len(p[0])):
            if problem.path == result_path or problem.path.startswith((result_path + ".", result_path + "[")):
                return attrs.evolve(problem, path=self.written_path(variant_path, problem.path[len(result_path) :]), file=self.file), variant_path
        removal = self.removed_at.get(problem.value) if problem.has_value and isinstance(problem.value, str) else None
        if removal is not None:
            return attrs.evolve(problem, expected=f"{problem.expected}{_AFTER}, which {removal} removes", file=self.file), removal
        return attrs.evolve(problem, expected=problem.expected + _AFTER, file=self.file), None

    def written_path(self, variant_path: str, rest: str) -> str:
        """Where in the variant file a problem at ``rest`` inside a part it wrote is.

        A change writes some fields and keeps the base's others: a problem found at a field it
        kept (a band's rating, when the change moved its threshold) is caused by what it wrote,
        so it is named at the field written, or at the change when it writes more than one.
        """
        written = self.written.get(variant_path)
        field = re.match(r"\.([A-Za-z_][A-Za-z0-9_]*)", rest)
        if written is None or field is None or field.group(1) in written:
            return variant_path + rest
        ruling = [f for f in written if f not in _PROVENANCE] or list(written)  # a source decides no value
        return _join(variant_path, ruling[0]) if len(ruling) == 1 else variant_path

    def check_problems(self, m: Methodology, data: Mapping[str, Any], touched: Touched) -> list[Problem]:
        from probation_rules.check import check_methodology

        return [self.relocate(Problem(f.path, f"{f.message} [{f.code}]", suggestion=f.suggestion), data, touched)[0] for f in check_methodology(m).errors]


def _container_list(data: dict[str, Any], container: Container) -> list[Any]:
    *head, name = container.path
    parent = at(data, tuple(head))
    rows = parent.get(name)
    if rows is None:
        rows = parent[name] = []
    assert isinstance(rows, list)
    return rows
