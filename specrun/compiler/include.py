"""`include:` — merging other spec files into a document, each keeping its own positions."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Mapping, Optional

from ..errors import SpecError, SpecErrors

MERGED_SECTIONS = ("assets", "ops", "checks", "resources", "partitions", "jobs")


class _Merged:
    """The including document's tables, with each included file's sections added in turn."""

    def __init__(self, doc: Any) -> None:
        self.data = dict(doc.data)
        self.positions, self.keys, self.files = dict(doc.positions), dict(doc.key_positions), dict(doc.files)
        self.variables = doc.variables
        self.instances = list(doc.instances)
        self.errors: list[SpecError] = []

    def add(self, other: Any) -> None:
        """Merge in the document of one included file."""
        self.files.update(other.files)
        self.instances.extend(other.instances)  # `use:` instances expanded in the included file
        if other.variables is not None:
            self.variables = (self.variables or frozenset()) | other.variables
        if not isinstance(other.data, dict):
            self.errors.append(SpecError("an included file must hold a mapping (of assets, ops, ...)",
                                         other.locate(""), ""))
            return
        for section in MERGED_SECTIONS:
            entries = other.data.get(section) or {}
            if not isinstance(entries, dict):
                self.errors.append(SpecError(f"expected a mapping in {section}", other.locate(f"/{section}"),
                                             f"/{section}"))
                continue
            for name, value in entries.items():
                self._add_entry(other, section, name, value)

    def _add_entry(self, other: Any, section: str, name: str, value: Any) -> None:
        from .parse import escape

        pointer = f"/{section}/{escape(name)}"
        if name in (self.data.get(section) or {}):
            first = self.keys.get(pointer) or self.positions.get(pointer)
            self.errors.append(SpecError(f"{section[:-1]} {name!r} is defined twice (first at {first})",
                                         other.key_positions.get(pointer), pointer, "rename one of them"))
            return
        self.data.setdefault(section, {})
        self.data[section] = {**self.data[section], name: value}
        _copy_positions(other, pointer, self.positions, self.keys)


def merge_includes(doc: Any, vars: Optional[Mapping[str, Any]], seen: tuple[str, ...]) -> Any:
    """`doc` with the sections of every included file merged in; a name defined twice is an
    error at the second definition that names the first."""
    merged = _Merged(doc)
    folder = os.path.dirname(os.path.abspath(doc.path))
    included = merged.data.get("include") or []
    if not isinstance(included, list):
        raise SpecErrors([SpecError("include: expected a list of file paths", doc.locate("/include"), "/include",
                                    f"write include: [{included}]" if isinstance(included, str) else None)])
    for index, rel in enumerate(included):
        other = _load_included(doc, index, rel, folder, vars, seen, merged.errors)
        if other is not None:
            merged.add(other)
    if merged.errors:
        raise SpecErrors(merged.errors)
    return replace(doc, data=merged.data, positions=merged.positions, key_positions=merged.keys,
                   files=merged.files, variables=merged.variables, instances=tuple(merged.instances))


def _load_included(doc: Any, index: int, rel: Any, folder: str, vars: Optional[Mapping[str, Any]],
                   seen: tuple[str, ...], errors: list[SpecError]) -> Any:
    """The document of `include[index]`, or None after adding to `errors` why it cannot be read."""
    from .load import load_document

    where = doc.locate(f"/include/{index}")
    if not isinstance(rel, str):
        errors.append(SpecError("include: expected a file path", where, f"/include/{index}"))
        return None
    path = os.path.normpath(os.path.join(folder, rel))
    if os.path.abspath(path) in seen:
        chain = " -> ".join(os.path.basename(p) for p in seen + (path,))
        errors.append(SpecError(f"include cycle: {chain}", where, f"/include/{index}"))
        return None
    if not os.path.isfile(path):
        errors.append(SpecError(f"included file not found: {rel}" if not os.path.isdir(path)
                                else f"included path is a directory: {rel}", where, f"/include/{index}"))
        return None
    try:
        return load_document(os.path.relpath(path), vars, seen)
    except SpecErrors as e:
        errors.extend(e.errors)
        return None


def _copy_positions(other: Any, pointer: str, positions: dict[str, Any], keys: dict[str, Any]) -> None:
    for table, target in ((other.positions, positions), (other.key_positions, keys)):
        for p, loc in table.items():
            if p == pointer or p.startswith(pointer + "/"):
                target[p] = loc
