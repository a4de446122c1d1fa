"""Every addressable part of a methodology, found by walking its schema.

Variants change, add and remove parts by address, and comparisons list what changed by address,
so both need one answer to "what is ``kq-bands.good``, and where is it in the file". The walk
reads the attrs schema, not a list of sections: anything with an ``id`` is an item, a tuple of
such things is a container, and a section added to the schema later is addressable without
editing this module. An item's address is its id; a key question's is ``<standard>/<id>``
(the form trace subjects use), because key-question ids repeat from standard to standard.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from probation_rules._convert import LOADER_SET, render_path
from probation_rules.methodology.schema import KeyQuestion, Methodology

__all__ = ["Container", "Item", "at", "containers", "editable_fields", "item_fields", "items", "walk"]

Path = tuple[str | int, ...]

_SCOPED = (KeyQuestion,)
"""Classes whose ids are unique only within their parent, so their address includes it."""


@attrs.frozen
class Item:
    """One addressable part: where it sits in the methodology data and what class it is."""

    address: str
    cls: type
    path: Path
    parent: str | None
    """The address of the enclosing item, or None at the top level of the methodology."""
    in_container: bool
    """True for a row of a list (removable by deleting it); False for a single section."""
    optional: bool
    """A single section that may be absent (removable by leaving it out)."""

    @property
    def where(self) -> str:
        return render_path(self.path)


@attrs.frozen
class Container:
    """A list of items that a variant may add to: a table's rows, a standard's key questions."""

    address: str
    cls: type
    path: Path


def _id_class(tp: Any) -> type | None:
    return tp if isinstance(tp, type) and attrs.has(tp) and "id" in attrs.fields_dict(tp) else None


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return tp, False


def _element(tp: Any) -> type | None:
    """The item class of a ``tuple[X, ...]`` field, if X is an item class."""
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return _id_class(args[0])
    return None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def item_fields(cls: type) -> list[str]:
    """The fields of an item class that hold values, not other items."""
    hints = _hints(cls)
    out = []
    for a in attrs.fields(cls):
        if a.name == "id" or a.metadata.get(LOADER_SET):
            continue
        tp, _ = _strip_optional(hints[a.name])
        if _element(tp) is None and _id_class(tp) is None:
            out.append(a.name)
    return out


def editable_fields(cls: type) -> list[str]:
    """What a variant's ``change`` may set: every field but the id and the lists of items.

    A single nested item (a guidance table's override) may be replaced whole this way.
    """
    hints = _hints(cls)
    return [a.name for a in attrs.fields(cls) if a.name != "id" and not a.metadata.get(LOADER_SET) and _element(hints[a.name]) is None]


def walk(data: Mapping[str, Any], cls: type = Methodology) -> Iterator[Item | Container]:
    """Every item and container in methodology data (as unstructured dicts and lists), in file order."""
    yield from _walk(data, cls, (), None)


def _walk(data: Mapping[str, Any], cls: type, path: Path, parent: str | None) -> Iterator[Item | Container]:
    hints = _hints(cls)
    for a in attrs.fields(cls):
        if a.metadata.get(LOADER_SET) or not isinstance(data, Mapping):
            continue
        tp, optional = _strip_optional(hints[a.name])
        value = data.get(a.name)
        element = _element(tp)
        if element is not None:
            container_address = parent if parent is not None else a.name
            yield Container(container_address, element, (*path, a.name))
            for i, row in enumerate(value if isinstance(value, list | tuple) else ()):
                if isinstance(row, Mapping):
                    yield from _item(row, element, (*path, a.name, i), parent, in_container=True, optional=False)
            continue
        item_cls = _id_class(tp)
        if item_cls is not None and isinstance(value, Mapping):
            yield from _item(value, item_cls, (*path, a.name), parent, in_container=False, optional=optional)


def _item(data: Mapping[str, Any], cls: type, path: Path, parent: str | None, *, in_container: bool, optional: bool) -> Iterator[Item | Container]:
    own = str(data.get("id"))
    address = f"{parent}/{own}" if issubclass(cls, _SCOPED) and parent is not None else own
    yield Item(address, cls, path, parent, in_container, optional)
    yield from _walk(data, cls, path, address)


def items(data: Mapping[str, Any]) -> dict[str, list[Item]]:
    """Items by address; an address held by more than one item lists them all (ambiguous)."""
    found: dict[str, list[Item]] = {}
    for node in walk(data):
        if isinstance(node, Item):
            found.setdefault(node.address, []).append(node)
    return found


def containers(data: Mapping[str, Any]) -> dict[str, list[Container]]:
    """Containers by the address a variant's ``add`` names: the owning item, or a top-level field."""
    found: dict[str, list[Container]] = {}
    for node in walk(data):
        if isinstance(node, Container):
            found.setdefault(node.address, []).append(node)
    return found


def at(data: Any, path: Path) -> Any:
    """The value at a path in methodology data."""
    for part in path:
        data = data[part]
    return data
