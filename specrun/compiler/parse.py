"""Parsing a spec's text: YAML or TOML -> plain data, the position of every value and key,
and the `Document` that carries them. No templates, no includes: those are `load`'s.

YAML is composed (never constructed) with the C loader when present, and turned into
data here so that every node keeps its line and column; only standard YAML tags are
accepted, duplicate keys are errors, and alias expansion is bounded. TOML is parsed with
tomllib and positioned by a line scanner (`toml_positions`). A rendered template's text is
parsed with its `source_map` (anything with `locate(line, col)`), so positions point at
the template's own lines.
"""

from __future__ import annotations

import functools
from dataclasses import field
from typing import Any, Iterator, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors
from ..runtime.definitions.values import value_class
from .pyyaml import YamlLoader, yaml
from .yaml_core import CORE_FIXES, NOT_CORE

SourceMap = Any  # template.SourceMap: maps rendered (line, col) to the template's own


MIN_NODE_BUDGET = 10_000
MAX_DEPTH = 100  # lists and mappings within each other; far deeper than a spec needs, far below the stack's limit
NODES_PER_CHAR = 4  # plain text cannot hold more values than characters; only aliases multiply them
_STD = "tag:yaml.org,2002:"
_STR = f"{_STD}str"
_MERGE = f"{_STD}merge"
_MAP = f"{_STD}map"
_SAFE_SCALARS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")}


_location = functools.partial(tuple.__new__, Location)  # Location(...) without its Python-level __new__
_LINE_SHIFT = 32
_COL_MASK = (1 << _LINE_SHIFT) - 1


def pack(line: int, col: int) -> int:
    """One PackedPositions int: the line above 32 bits of column (a longer line keeps its last column)."""
    return (line << _LINE_SHIFT) | min(col, _COL_MASK)


class PackedPositions(Mapping[str, Location]):
    """JSON pointer -> Location in one file, each stored as one int (line and column).

    A Location per value would be a tuple the garbage collector tracks: a quarter of all
    the objects a 10,000-asset compile leaves behind, each scanned when collection resumes."""

    __slots__ = ("file", "packed")

    def __init__(self, file: str, packed: dict[str, int]) -> None:
        self.file = file
        self.packed = packed

    def __getitem__(self, pointer: str) -> Location:
        n = self.packed[pointer]
        return _location((self.file, n >> _LINE_SHIFT, n & _COL_MASK))

    def __contains__(self, pointer: object) -> bool:
        return pointer in self.packed

    def __iter__(self) -> Iterator[str]:
        return iter(self.packed)

    def __len__(self) -> int:
        return len(self.packed)


@value_class(frozen=True)
class Document:
    """A parsed spec: its data and the location of every value and key in it."""

    data: Any
    path: str
    source: str
    positions: Mapping[str, Location] = field(default_factory=dict)
    key_positions: Mapping[str, Location] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    variables: Optional[frozenset[str]] = None  # those its templates declare or read; None: no template
    instances: tuple[Any, ...] = ()  # the `use:` instances expanded into it (compiler.use.Instance)

    def locate(self, pointer: str, key: bool = False) -> Optional[Location]:
        """Location of `pointer` (of its key when `key`), else of its nearest parent."""
        table = self.key_positions if key else self.positions
        while True:
            if pointer in table:
                return table[pointer]
            if pointer in self.positions:
                return self.positions[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def escape(part: Any) -> str:
    """One JSON-pointer reference token (RFC 6901)."""
    text = str(part)
    if "~" not in text and "/" not in text:
        return text
    return text.replace("~", "~0").replace("/", "~1")


class _YamlBuilder:
    """Turns a composed YAML node graph into data plus positions."""

    def __init__(self, filename: str, source_map: Optional[SourceMap], budget: int = MIN_NODE_BUDGET) -> None:
        self.filename = filename
        self.budget = budget
        self.source_map = source_map
        self.positions: dict[str, int] = {}
        self.key_positions: dict[str, int] = {}
        self.errors: list[SpecError] = []
        self.count = 0
        self.depth = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def loc(self, mark: Any) -> Location:
        n = self.packed(mark)
        return _location((self.filename, n >> _LINE_SHIFT, n & _COL_MASK))

    def packed(self, mark: Any) -> int:
        """`loc(mark)` as a PackedPositions int."""
        line: int = mark.line + 1
        column: int = mark.column + 1
        if self.source_map is not None:
            line, column = self.source_map.locate(line, column)
        if column > _COL_MASK:  # inline pack(): this runs for every key and value
            column = _COL_MASK
        return (line << _LINE_SHIFT) | column

    def build(self, node: Any, pointer: str) -> Any:
        self.count += 1
        if self.count > self.budget:
            raise SpecError(f"the document expands to more than {self.budget} values "
                            "(aliases that multiply, like a 'billion laughs' bomb?)",
                            self.loc(node.start_mark), pointer, "remove the repeated aliases")
        self.positions[pointer] = self.packed(node.start_mark)
        kind = type(node)
        if kind is yaml.ScalarNode:
            return node.value if node.tag == _STR else self._scalar(node, pointer)
        if kind is not yaml.MappingNode and kind is not yaml.SequenceNode:
            return self._scalar(node, pointer)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SpecError(f"values are nested more than {MAX_DEPTH} levels deep", self.loc(node.start_mark),
                            pointer, "flatten it; an alias used inside the list or mapping it names nests without end")
        try:
            if kind is yaml.MappingNode:
                return self._mapping(node, pointer)
            self._check_tag(node, f"{_STD}seq", pointer)
            return [self.build(item, f"{pointer}/{i}") for i, item in enumerate(node.value)]
        finally:
            self.depth -= 1

    def _check_tag(self, node: Any, expected: str, pointer: str) -> bool:
        if node.tag in (expected, f"{_STD}omap", f"{_STD}set") or node.tag == expected:
            return True
        shown = node.tag.replace(_STD, "!!")
        self.errors.append(SpecError(
            f"tag {shown!r} is not allowed: spec files use plain YAML only (no Python objects)",
            self.loc(node.start_mark), pointer, "remove the tag"))
        return False

    def _scalar(self, node: Any, pointer: str) -> Any:
        if node.tag == _STR:
            return node.value
        if node.tag not in _SAFE_SCALARS:
            self._check_tag(node, f"{_STD}str", pointer)
            return node.value
        if node.tag == f"{_STD}timestamp":
            return node.value  # dates stay strings: they are partition keys and bounds
        if not node.style and node.tag in CORE_FIXES:  # a plain scalar ("" from libyaml)
            core = CORE_FIXES[node.tag](node.value)
            if core is not NOT_CORE:
                return core
        try:
            return self._scalars.construct_object(node)
        except (yaml.YAMLError, ValueError, KeyError) as e:  # an explicit tag on text it cannot read: !!int abc
            shown = node.tag.replace(_STD, "!!")
            self.errors.append(SpecError(f"{node.value!r} is not a valid {shown}", self.loc(node.start_mark), pointer,
                                         f"remove the {shown} tag, or write a value it can read"
                                         + (f" ({getattr(e, 'problem', None) or e})" if isinstance(e, yaml.YAMLError)
                                            else "")))
            return node.value

    def _mapping(self, node: Any, pointer: str) -> dict[str, Any]:
        if node.tag != _MAP:
            self._check_tag(node, _MAP, pointer)
        result: dict[str, Any] = {}
        key_positions = self.key_positions
        for key_node, value_node in self._merged(node, pointer):
            if type(key_node) is yaml.ScalarNode and key_node.tag == _STR:
                key = key_node.value
            else:
                key = self._scalar(key_node, pointer) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                    shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                    reads = "null" if key is None else "true" if key is True else "false" if key is False else None
                    self.errors.append(SpecError(
                        "mapping keys must be plain strings" + (f": {shown!r} reads as {reads}" if shown and reads else ""),
                        self.loc(key_node.start_mark), pointer,
                        f"quote it: '{shown}'" if shown else "use a plain name as the key"))
                    continue
                key = str(key)
            # escape(key), without the call for a key that needs no escaping (nearly every key)
            child = f"{pointer}/{key}" if "~" not in key and "/" not in key else f"{pointer}/{escape(key)}"
            if key in result:  # merged keys never repeat own ones: _merged left them out
                self.errors.append(SpecError(
                    f"duplicate key {key!r} (first defined at line {key_positions[child] >> _LINE_SHIFT})",
                    self.loc(key_node.start_mark), child, "remove one of the two"))
                continue
            key_positions[child] = self.packed(key_node.start_mark)
            result[key] = self.build(value_node, child)
        return result

    def _merged(self, node: Any, pointer: str, within: frozenset[int] = frozenset()) -> list[Any]:
        """Pairs of the mapping with YAML merge keys (``<<: *anchor``) applied: own keys win,
        then earlier merged mappings over later ones; merged mappings may merge in turn."""
        for key_node, _ in node.value:  # a loop, not any(<generator>): this runs for every mapping
            if key_node.tag == _MERGE:
                break
        else:
            return node.value  # type: ignore[no-any-return]
        within = within | {id(node)}
        own, merged = [], []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                own.append((key_node, value_node))
                continue
            sources = value_node.value if type(value_node) is yaml.SequenceNode else [value_node]
            for src in sources:
                if type(src) is not yaml.MappingNode or id(src) in within:
                    self.errors.append(SpecError(
                        "a merge key (<<) takes a mapping or a list of mappings"
                        + (" that does not merge itself" if id(src) in within else ""),
                        self.loc(src.start_mark), pointer, "write `<<: *name` where `&name` marks a mapping"))
                    continue
                merged.extend(self._merged(src, pointer, within))
        seen = {k.value for k, _ in own if type(k) is yaml.ScalarNode}
        for key_node, value_node in merged:
            name = key_node.value if type(key_node) is yaml.ScalarNode else None
            if name not in seen:
                own.append((key_node, value_node))
                if name is not None:
                    seen.add(name)
        return own


def parse_yaml(text: str, filename: str, source_map: Optional[SourceMap] = None) -> tuple[Any, Mapping[str, Location], Mapping[str, Location]]:
    """Data, value positions and key positions of a YAML text."""
    builder = _YamlBuilder(filename, source_map, max(MIN_NODE_BUDGET, NODES_PER_CHAR * len(text)))
    try:
        root = yaml.compose(text, Loader=YamlLoader)
    except RecursionError:
        raise SpecErrors([SpecError(f"values are nested more than {MAX_DEPTH} levels deep",
                                    Location(filename, 1, 1))]) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context == "while scanning a quoted scalar" and e.context_mark is not None:
            mark = e.context_mark  # the opening quote, not the end of the file
        tab = _tab_at(text, mark)
        if tab is not None:  # YAML's own words ("cannot start any token") do not say what to do
            raise SpecErrors([SpecError("YAML does not allow tabs for indentation", builder.loc(tab),
                                        hint="indent with spaces")]) from None
        loc = builder.loc(mark) if mark is not None else Location(filename, 1, 1)
        raise SpecErrors([SpecError(f"YAML syntax error: {_yaml_problem(e)}", loc)]) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow, at its offset
        position = min(max(int(e.position), 0), len(text))
        line_start = text.rfind("\n", 0, position) + 1
        line, col = text.count("\n", 0, position) + 1, position - line_start + 1
        if source_map is not None:
            line, col = source_map.locate(line, col)
        raise SpecErrors([SpecError(f"character U+{int(e.character):04X} is not allowed in YAML ({e.reason})",
                                    Location(filename, line, col), "", "remove it, or write it as an escape"
                                    " in a double-quoted string")]) from None
    except yaml.YAMLError as e:
        raise SpecErrors([SpecError(f"YAML error: {e}", Location(filename, 1, 1))]) from None
    if root is None:  # an empty document: errors about it point at its first line
        return {}, {"": Location(filename, 1, 1)}, {}
    try:
        data = builder.build(root, "")
    except SpecError as e:
        raise SpecErrors([e]) from None
    if builder.errors:
        raise SpecErrors(builder.errors)
    return data, PackedPositions(filename, builder.positions), PackedPositions(filename, builder.key_positions)


class _Mark:
    """A position as the parser's marks give it (0-based)."""

    def __init__(self, line: int, column: int) -> None:
        self.line, self.column = line, column


def _tab_at(text: str, mark: Any) -> Optional[_Mark]:
    """The tab that caused a syntax error: the one at the error, or one in the indentation of
    its line or of the line above it."""
    if mark is None:
        return None
    lines = text.split("\n")
    for number in (mark.line, mark.line - 1):
        if 0 <= number < len(lines):
            line = lines[number]
            indent = line[:len(line) - len(line.lstrip(" \t"))]
            at = line[mark.column:mark.column + 1] if number == mark.line else ""
            if at == "\t" or "\t" in indent:
                return _Mark(number, mark.column if at == "\t" else indent.index("\t"))
    return None


def _yaml_problem(e: Any, lines: bool = True) -> str:
    """The parser's problem, with its context where the problem alone does not read as a
    sentence or the construct it is about started on an earlier line."""
    problem = str(e.problem or e.context)
    context, start = e.context, e.context_mark
    if context and e.problem and problem.startswith("but "):  # "expected X, but found Y"
        return f"{context}, {problem}"
    if context == "found duplicate anchor; first occurrence" and start is not None:
        return f"an anchor is defined twice (first at line {start.line + 1})"
    if context == "while scanning a quoted scalar" and "end of stream" in problem:
        return "a quoted string is not closed"
    if lines and context and context.startswith("while ") and start is not None and e.problem_mark is not None \
            and start.line != e.problem_mark.line:
        return f"{problem} ({context[len('while '):]} that starts at line {start.line + 1})"
    return problem


def parse_toml(text: str, filename: str, source_map: Optional[SourceMap] = None) -> tuple[Any, Mapping[str, Location], Mapping[str, Location]]:
    """Data, value positions and key positions of a TOML text."""
    from .toml_positions import parse_toml_with_positions

    return parse_toml_with_positions(text, filename, source_map)


def parser_for(path: str) -> Any:
    base = path[:-3] if path.endswith(".j2") else path
    if base.endswith((".yaml", ".yml")):
        return parse_yaml
    if base.endswith(".toml"):
        return parse_toml
    raise SpecErrors([SpecError(
        f"cannot tell the format of {path!r}: name it .yaml, .yml or .toml (or .yaml.j2 / .toml.j2)",
        Location(path, 1, 1))])


def read_text(path: str) -> str:
    """The text of the file at `path` (UTF-8, a byte order mark dropped); SpecErrors when it
    cannot be read, at the first byte that is not UTF-8 when it is not text."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise SpecErrors([SpecError(f"no such file: {path}", Location(path, 1, 1))]) from None
    except IsADirectoryError:
        raise SpecErrors([SpecError(f"{path} is a directory, not a spec file", Location(path, 1, 1))]) from None
    except OSError as e:
        raise SpecErrors([SpecError(f"cannot read {path}: {e.strerror or e}", Location(path, 1, 1))]) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # a UTF-16 byte order mark
        raise SpecErrors([SpecError("the file is UTF-16 text, not UTF-8", Location(path, 1, 1),
                                    hint="save the file as UTF-8")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line_start = raw.rfind(b"\n", 0, e.start) + 1
        col = len(raw[line_start:e.start].decode("utf-8-sig", errors="replace")) + 1
        where = Location(path, raw.count(b"\n", 0, e.start) + 1, col)
        raise SpecErrors([SpecError(f"not UTF-8 text: byte 0x{raw[e.start]:02x} ({e.reason})", where,
                                    hint="save the file as UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
