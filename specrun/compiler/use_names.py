"""How an instance's definitions are named in the spec, and where their positions come from.

Namespacing (instance `orders` of a template):

- assets and checks: `orders/<name>`; an asset's key gets `orders` as its first part
  (`orders/raw_orders`, or `orders/<key_prefix...>/raw_orders`); a check's name is kept (a
  check is named within its asset, whose key is already the instance's);
- ops, jobs, resources and partitions: `orders__<name>` (names that must stay identifiers);
- nested instances repeat the scheme: `orders/dedupe/<asset>`, `orders__dedupe__<op>`.

Inside a template, a reference (`ins:`, `deps:`, a check's `asset:`, `resources:`,
`io_manager:`, `partitions:`, a job's `op:` and `selection:`) to a name the template itself
defines is rewritten to the namespaced name; any other name is left to mean the spec's own
definition, or another instance's asset by its full name (`payments/raw_payments`).
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Optional

from ..errors import Location
from .parse import escape

ASSET_SEP = "/"
NAME_SEP = "__"
SECTIONS = ("assets", "checks", "ops", "jobs", "resources", "partitions")
_KEYED = ("assets", "checks")  # sections named `instance/name`; the others `instance__name`


class FramedLocation(Location):
    """A location in a template, with the instance (or chain of nested instances) it was
    rendered for: prints as `templates/ingest.yaml.j2:14:5 (in use.orders)`."""

    within: str

    def __new__(cls, file: str, line: int, col: int, within: str) -> "FramedLocation":
        self = tuple.__new__(cls, (file, line, col))
        self.within = within
        return self

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col} (in {self.within})"

    def __reduce__(self) -> Any:
        return (FramedLocation, (self.file, self.line, self.col, self.within))


def framed(loc: Optional[Location], within: str) -> Optional[Location]:
    """`loc` inside the instance `within` (outermost first: `use.orders > use.dedupe`)."""
    if loc is None:
        return None
    inner = getattr(loc, "within", None)
    return FramedLocation(loc.file, loc.line, loc.col, f"{within} > {inner}" if inner else within)


def namespaced(section: str, instance: str, name: str) -> str:
    return f"{instance}{ASSET_SEP if section in _KEYED else NAME_SEP}{name}"


class ComposedPositions(Mapping[str, Location]):
    """The spec's own positions, and for each entry an instance added, its template's
    positions (framed with the instance), found through the entry's pointer."""

    __slots__ = ("own", "owners")

    def __init__(self, own: Mapping[str, Location], owners: dict[str, tuple[Mapping[str, Location], str, str]]) -> None:
        self.own = own
        self.owners = owners  # entry pointer in the spec -> (template positions, its pointer there, within)

    def _find(self, pointer: str) -> Optional[Location]:
        parts = pointer.split("/", 3)
        if len(parts) >= 3:
            owner = self.owners.get(f"/{parts[1]}/{parts[2]}")
            if owner is not None:
                table, base, within = owner
                inner = base + ("/" + parts[3] if len(parts) == 4 else "")
                return framed(table[inner], within) if inner in table else None
        return self.own.get(pointer)

    def __getitem__(self, pointer: str) -> Location:
        found = self._find(pointer)
        if found is None:
            raise KeyError(pointer)
        return found

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and self._find(pointer) is not None

    def __iter__(self) -> Iterator[str]:
        yield from self.own
        for entry, (table, base, _) in self.owners.items():
            for pointer in table:
                if pointer == base or pointer.startswith(base + "/"):
                    yield entry + pointer[len(base):]

    def __len__(self) -> int:
        return sum(1 for _ in self)


class MappedPositions(Mapping[str, Location]):
    """Positions in a rendered template, mapped back to the template's own lines on lookup:
    mapping each of an instance's values eagerly cost a third of a 1,000-instance compile."""

    __slots__ = ("rendered", "source_map")

    def __init__(self, rendered: Mapping[str, Location], source_map: Any) -> None:
        self.rendered, self.source_map = rendered, source_map

    def __getitem__(self, pointer: str) -> Location:
        loc = self.rendered[pointer]
        line, col = self.source_map.locate(loc.line, loc.col)
        return Location(loc.file, line, col)

    def __contains__(self, pointer: object) -> bool:
        return pointer in self.rendered

    def __iter__(self) -> Iterator[str]:
        return iter(self.rendered)

    def __len__(self) -> int:
        return len(self.rendered)


def rename_entries(data: dict[str, Any], instance: str) -> dict[str, dict[str, str]]:
    """Namespace every section of an instance's rendered document in place, rewriting its
    references to its own names; returns section -> {local name: namespaced name}."""
    names = {section: {n: namespaced(section, instance, n) for n in (data.get(section) or {})
                       if isinstance(n, str) and not n.startswith("x-")}
             for section in SECTIONS if isinstance(data.get(section), dict)}
    assets, resources, parts = names.get("assets", {}), names.get("resources", {}), names.get("partitions", {})
    for entry in _values(data, "assets"):
        _rewrite_ins(entry, assets, resources)
        _rewrite_list(entry, "deps", assets)
        _rewrite_list(entry, "resources", resources)
        _rewrite_one(entry, "io_manager", resources)
        _rewrite_one(entry, "partitions", parts)
    for entry in _values(data, "checks"):
        _rewrite_one(entry, "asset", assets)
        _rewrite_list(entry, "resources", resources)
    for entry in _values(data, "ops"):
        _rewrite_list(entry, "resources", resources)
    for entry in _values(data, "jobs"):
        _rewrite_one(entry, "partitions", parts)
        for key in ("selection", "exclude"):
            _rewrite_selection(entry, key, assets)
        for node in (entry.get("ops") or {}).values() if isinstance(entry.get("ops"), dict) else ():
            if isinstance(node, dict):
                _rewrite_one(node, "op", names.get("ops", {}))
    for section, renames in names.items():
        data[section] = {renames.get(n, n): v for n, v in data[section].items()}
    return names


def _values(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    entries = data.get(section)
    return [v for v in entries.values() if isinstance(v, dict)] if isinstance(entries, dict) else []


def _rewrite_one(entry: dict[str, Any], key: str, renames: Mapping[str, str]) -> None:
    value = entry.get(key)
    if isinstance(value, str) and value in renames:
        entry[key] = renames[value]


def _rewrite_list(entry: dict[str, Any], key: str, renames: Mapping[str, str]) -> None:
    value = entry.get(key)
    if isinstance(value, list):
        entry[key] = [renames.get(v, v) if isinstance(v, str) else v for v in value]


def _rewrite_ins(entry: dict[str, Any], assets: Mapping[str, str], resources: Mapping[str, str]) -> None:
    ins = entry.get("ins")
    if not isinstance(ins, dict):
        return
    for param, source in list(ins.items()):
        if isinstance(source, str):
            ins[param] = assets.get(source, source)
        elif isinstance(source, dict):
            _rewrite_one(source, "asset", assets)
            _rewrite_one(source, "input_manager", resources)


_TOKEN = re.compile(r"^(\d*\+|\*)?([^+*,]+?)(\+\d*|\*)?$")


def _rewrite_selection(entry: dict[str, Any], key: str, assets: Mapping[str, str]) -> None:
    """`+clean raw*` in a template's job means the instance's own `clean` and `raw`."""
    value = entry.get(key)
    if value is None:
        return
    items = value.split() if isinstance(value, str) else value if isinstance(value, list) else None
    if items is None:
        return
    out = []
    for item in items:
        if not isinstance(item, str):
            out.append(item)
            continue
        terms = []
        for term in item.split(","):
            m = _TOKEN.match(term)
            if m and m.group(2) in assets:
                term = (m.group(1) or "") + assets[m.group(2)] + (m.group(3) or "")
            terms.append(term)
        out.append(",".join(terms))
    entry[key] = " ".join(out) if isinstance(value, str) else out


def entry_pointers(section: str, renames: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(pointer in the spec, pointer in the template) of each renamed entry."""
    for local, full in renames.items():
        yield f"/{section}/{escape(full)}", f"/{section}/{escape(local)}"
