"""TOML parsing with positions: tomllib gives the data, a scanner gives the line and column
of every key and value (tables, arrays of tables, dotted keys, inline tables and arrays at
any depth, every kind of string).

The scanner runs only on text tomllib accepted, so it reads the grammar leniently: it never
decides what is valid, only where each key and value starts.
"""

from __future__ import annotations

import bisect
import re
import sys
from typing import Any, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors
from .load import _COL_MASK, _LINE_SHIFT, MAX_DEPTH, PackedPositions, escape, pack
from .template import SourceMap

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}#\n]")
_BLANK = re.compile(r"[ \t\r]*")
_BLANK_LINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")  # blank lines and comments


class _Scanner:
    def __init__(self, text: str, source_map: Optional[SourceMap]) -> None:
        self.text = text
        self.i = 0
        self.source_map = source_map
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.line_index = 0
        self.positions: dict[str, int] = {"": pack(1, 1)}  # PackedPositions ints
        self.key_positions: dict[str, int] = {}
        self.array_counts: dict[str, int] = {}  # pointer of an array of tables -> tables so far

    def packed(self, offset: int) -> int:
        starts, index = self.line_starts, self.line_index
        if offset < starts[index]:
            index = bisect.bisect_right(starts, offset) - 1
        else:  # offsets mostly grow as the scan goes: step forward from the last line
            last = len(starts) - 1
            while index < last and starts[index + 1] <= offset:
                index += 1
        self.line_index = index
        line, col = index + 1, offset - starts[index] + 1
        if self.source_map is not None:
            line, col = self.source_map.locate(line, col)
        return pack(line, col)

    def skip_blank(self, newlines: bool = False) -> None:
        self.i = (_BLANK_LINES if newlines else _BLANK).match(self.text, self.i).end()  # type: ignore[union-attr]

    def scan(self) -> None:
        text, n = self.text, len(self.text)
        table = ""
        while True:
            self.skip_blank(newlines=True)
            if self.i >= n:
                return
            if text.startswith("[[", self.i):
                self.i += 2
                table = self.header(array=True)
            elif text[self.i] == "[":
                self.i += 1
                table = self.header(array=False)
            else:
                self.key_value(table)
            end = text.find("\n", self.i)  # the rest of the line is blank or a comment
            self.i = n if end < 0 else end

    def header(self, array: bool) -> str:
        pointer = ""
        keys = self.keys()
        for index, (name, offset) in enumerate(keys):
            pointer += "/" + escape(name)
            where = self.packed(offset)
            self.key_positions.setdefault(pointer, where)
            self.positions.setdefault(pointer, where)
            last = index == len(keys) - 1
            if last and array:
                count = self.array_counts.get(pointer, 0)
                self.array_counts[pointer] = count + 1
                pointer += f"/{count}"
                self.key_positions[pointer] = self.positions[pointer] = where
            elif pointer in self.array_counts:  # [a.b] after [[a]] is inside a's last table
                pointer += f"/{self.array_counts[pointer] - 1}"
        return pointer

    def keys(self) -> list[tuple[str, int]]:
        """A dotted key's parts, each with the offset where it starts."""
        parts = []
        while True:
            self.skip_blank()
            start = self.i
            parts.append((self.key_part(), start))
            self.skip_blank()
            if self.i < len(self.text) and self.text[self.i] == ".":
                self.i += 1
                continue
            return parts

    def key_part(self) -> str:
        text, start = self.text, self.i
        if text[start] in "\"'":
            self.string()
            raw = text[start:self.i]
            return raw[1:-1] if raw[0] == "'" or "\\" not in raw else str(tomllib.loads(f"k = {raw}")["k"])
        match = _BARE.match(text, start)
        self.i = match.end() if match else start + 1
        return text[start:self.i]

    def key_value(self, table: str) -> None:
        pointer = table
        keys = self.keys()
        for name, offset in keys:
            pointer += "/" + escape(name)
            where = self.packed(offset)
            self.key_positions.setdefault(pointer, where)
            self.positions.setdefault(pointer, where)
        self.key_positions[pointer] = self.packed(keys[-1][1])
        self.skip_blank()
        self.i += 1  # "="
        self.skip_blank()
        self.value(pointer)

    def value(self, pointer: str) -> None:
        text = self.text
        self.positions[pointer] = self.packed(self.i)
        ch = text[self.i] if self.i < len(text) else ""
        if ch in "\"'":
            self.string()
        elif ch == "[":
            self.i += 1
            index = 0
            while True:
                self.skip_blank(newlines=True)
                if text[self.i] == "]":
                    self.i += 1
                    return
                self.value(f"{pointer}/{index}")
                index += 1
                self.skip_blank(newlines=True)
                if text[self.i] == ",":
                    self.i += 1
        elif ch == "{":
            self.i += 1
            while True:
                self.skip_blank()
                if text[self.i] == "}":
                    self.i += 1
                    return
                self.key_value(pointer)
                self.skip_blank()
                if text[self.i] == ",":
                    self.i += 1
        else:  # number, boolean or date-time: up to the next delimiter
            end = _SCALAR_END.search(text, self.i)
            self.i = len(text) if end is None else end.start()

    def string(self) -> None:
        """Skip a string of any of the four kinds that starts at the current offset."""
        text, quote = self.text, self.text[self.i]
        if text.startswith(quote * 3, self.i):
            end = text.index(quote * 3, self.i + 3) if quote == "'" else self._basic_end(self.i + 3, multiline=True)
            while end < len(text) and text[end] == quote:  # up to two quotes before the last three are content
                end += 1
            self.i = end
            return
        end = text.index(quote, self.i + 1) if quote == "'" else self._basic_end(self.i + 1, multiline=False)
        self.i = end + 1

    def _basic_end(self, start: int, multiline: bool) -> int:
        """Offset of the next unescaped quote (of three, when `multiline`) from `start`."""
        text, i = self.text, start
        while True:
            ch = text[i]
            if ch == "\\":
                i += 2
            elif ch == '"' and (not multiline or text.startswith('"""', i)):
                return i
            else:
                i += 1


def _too_deep(text: str) -> Optional[int]:
    """Offset of the first array or inline table nested deeper than MAX_DEPTH (which would
    exhaust tomllib's stack), else None; quoted text and comments do not count."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in re.finditer(r"\"(?:[^\"\\\n]|\\.)*\"|'[^'\n]*'|#[^\n]*|[\[{]|[\]}]", text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


def _location(filename: str, packed: int) -> Location:
    return Location(filename, packed >> _LINE_SHIFT, packed & _COL_MASK)


def parse_toml_with_positions(text: str, filename: str,
                              source_map: Optional[SourceMap] = None) -> tuple[Any, Mapping[str, Location], Mapping[str, Location]]:
    """Data, value positions and key positions of a TOML text."""
    scanner = _Scanner(text, source_map)
    deep = _too_deep(text)
    if deep is not None:
        raise SpecErrors([SpecError(f"values are nested more than {MAX_DEPTH} levels deep",
                                    _location(filename, scanner.packed(deep)))])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        if source_map is not None:
            line, col = source_map.locate(line, col)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise SpecErrors([SpecError(f"TOML syntax error: {message}", Location(filename, line, col))]) from None
    scanner.scan()
    return data, PackedPositions(filename, scanner.positions), PackedPositions(filename, scanner.key_positions)
