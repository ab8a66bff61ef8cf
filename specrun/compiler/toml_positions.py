"""TOML parsing with positions: tomllib gives the data, a line scanner gives each key's
line and column (tables, arrays of tables, dotted keys, one level of inline tables)."""

from __future__ import annotations

import functools
import re
from typing import Any, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors
from .load import _LINE_SHIFT, PackedPositions

_location = functools.partial(tuple.__new__, Location)  # Location(...) without its Python-level __new__

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = re.compile(rf"\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=\s*")
_TABLE = re.compile(rf"\s*(\[\[?)\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*\]\]?")
_INLINE_KEY = re.compile(rf"({_KEY})\s*=\s*")


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _parts(dotted: str) -> list[str]:
    if _BARE.fullmatch(dotted):  # the common case: one bare key
        return [dotted]
    return [p.strip().strip('"').strip("'") for p in re.findall(_KEY, dotted)]


def _escape(part: str) -> str:
    if "~" not in part and "/" not in part:
        return part
    return part.replace("~", "~0").replace("/", "~1")


class _Scanner:
    def __init__(self, filename: str, line_map: Optional[list[int]]) -> None:
        self.filename = filename
        self.line_map = line_map
        self.positions: dict[str, int] = {}  # PackedPositions ints
        self.key_positions: dict[str, int] = {}
        self.table_pointer = ""
        self.array_counts: dict[str, int] = {}

    def loc(self, line: int, col: int) -> Location:
        if self.line_map is not None and 0 < line <= len(self.line_map):
            line = self.line_map[line - 1]
        return _location((self.filename, line, col))

    def packed(self, line: int, col: int) -> int:
        """`loc(line, col)` as a PackedPositions int."""
        if self.line_map is not None and 0 < line <= len(self.line_map):
            line = self.line_map[line - 1]
        return (line << _LINE_SHIFT) | col

    def pointer(self, parts: list[str]) -> str:
        return "".join("/" + _escape(p) for p in parts)

    def header(self, line_no: int, match: re.Match[str]) -> None:
        parts = _parts(match.group(2))
        if match.group(1) == "[[":
            base = self.pointer(parts)
            index = self.array_counts.get(base, 0)
            self.array_counts[base] = index + 1
            parts = parts + [str(index)]
        where = self.packed(line_no, match.start(2) + 1)
        pointer = self.table_pointer = self.pointer(parts)
        self.positions.setdefault(pointer, where)
        self.key_positions.setdefault(pointer, where)

    def assignment(self, line_no: int, line: str, match: re.Match[str]) -> None:
        pointer = self.table_pointer + self.pointer(_parts(match.group(1)))
        self.key_positions[pointer] = self.packed(line_no, match.start(1) + 1)
        self.positions[pointer] = self.packed(line_no, match.end() + 1)
        rest = line[match.end():]
        if rest.lstrip().startswith("{"):
            offset = match.end()
            for inner in _INLINE_KEY.finditer(rest):
                child = pointer + "/" + _escape(_parts(inner.group(1))[0])
                self.key_positions.setdefault(child, self.packed(line_no, offset + inner.start(1) + 1))
                self.positions.setdefault(child, self.packed(line_no, offset + inner.end() + 1))

    def scan(self, text: str) -> None:
        in_multiline: Optional[str] = None
        for line_no, line in enumerate(text.split("\n"), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            table = _TABLE.match(line)
            if table and stripped.startswith("["):
                self.header(line_no, table)
                continue
            match = _DOTTED.match(line)
            if match:
                self.assignment(line_no, line, match)
                for quote in ('"""', "'''"):
                    if line.count(quote) % 2 == 1:
                        in_multiline = quote


def parse_toml_with_positions(text: str, filename: str,
                              line_map: Optional[list[int]] = None) -> tuple[Any, Mapping[str, Location], Mapping[str, Location]]:
    """Data, value positions and key positions of a TOML text."""
    scanner = _Scanner(filename, line_map)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise SpecErrors([SpecError(f"TOML syntax error: {message}", scanner.loc(line, col))]) from None
    scanner.positions[""] = (1 << _LINE_SHIFT) | 1
    scanner.scan(text)
    return data, PackedPositions(filename, scanner.positions), PackedPositions(filename, scanner.key_positions)
