"""`include:` — merging other spec files into a document, each keeping its own positions."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Mapping, Optional

from ..errors import SpecError, SpecErrors

MERGED_SECTIONS = ("assets", "ops", "checks", "resources", "partitions", "jobs")


def merge_includes(doc: Any, vars: Optional[Mapping[str, Any]], seen: tuple[str, ...]) -> Any:
    """`doc` with the sections of every included file merged in; a name defined twice is an
    error at the second definition that names the first."""
    from .load import load_document
    from .parse import escape

    data = dict(doc.data)
    positions, keys, files = dict(doc.positions), dict(doc.key_positions), dict(doc.files)
    errors: list[SpecError] = []
    variables = doc.variables
    instances = list(doc.instances)
    folder = os.path.dirname(os.path.abspath(doc.path))
    included = data.get("include") or []
    if not isinstance(included, list):
        raise SpecErrors([SpecError("include: expected a list of file paths", doc.locate("/include"), "/include",
                                    f"write include: [{included}]" if isinstance(included, str) else None)])
    for index, rel in enumerate(included):
        where = doc.locate(f"/include/{index}")
        if not isinstance(rel, str):
            errors.append(SpecError("include: expected a file path", where, f"/include/{index}"))
            continue
        path = os.path.normpath(os.path.join(folder, rel))
        if os.path.abspath(path) in seen:
            chain = " -> ".join(os.path.basename(p) for p in seen + (path,))
            errors.append(SpecError(f"include cycle: {chain}", where, f"/include/{index}"))
            continue
        if not os.path.isfile(path):
            errors.append(SpecError(f"included file not found: {rel}" if not os.path.isdir(path)
                                    else f"included path is a directory: {rel}", where, f"/include/{index}"))
            continue
        try:
            other = load_document(os.path.relpath(path), vars, seen)
        except SpecErrors as e:
            errors.extend(e.errors)
            continue
        files.update(other.files)
        instances.extend(other.instances)  # `use:` instances expanded in the included file
        if other.variables is not None:
            variables = (variables or frozenset()) | other.variables
        if not isinstance(other.data, dict):
            errors.append(SpecError("an included file must hold a mapping (of assets, ops, ...)",
                                    other.locate(""), ""))
            continue
        for section in MERGED_SECTIONS:
            entries = other.data.get(section) or {}
            if not isinstance(entries, dict):
                errors.append(SpecError(f"expected a mapping in {section}", other.locate(f"/{section}"), f"/{section}"))
                continue
            for name, value in entries.items():
                pointer = f"/{section}/{escape(name)}"
                if name in (data.get(section) or {}):
                    first = keys.get(pointer) or positions.get(pointer)
                    errors.append(SpecError(
                        f"{section[:-1]} {name!r} is defined twice (first at {first})",
                        other.key_positions.get(pointer), pointer, "rename one of them"))
                    continue
                data.setdefault(section, {})
                data[section] = {**data[section], name: value}
                _copy_positions(other, pointer, positions, keys)
    if errors:
        raise SpecErrors(errors)
    return replace(doc, data=data, positions=positions, key_positions=keys, files=files, variables=variables,
                   instances=tuple(instances))


def _copy_positions(other: Any, pointer: str, positions: dict[str, Any], keys: dict[str, Any]) -> None:
    for table, target in ((other.positions, positions), (other.key_positions, keys)):
        for p, loc in table.items():
            if p == pointer or p.startswith(pointer + "/"):
                target[p] = loc
