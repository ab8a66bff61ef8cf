"""TOML parsing with positions: tomllib gives the data, a scanner gives the line and column
of every key and value (tables, arrays of tables, dotted keys, inline tables and arrays at
any depth, every kind of string).

The scanner runs only on text tomllib accepted, so it reads the grammar leniently: it never
decides what is valid, only where each key and value starts. Most lines of a spec are one
simple statement and take one regex match each; the rest are read token by token. It also
finds arrays and inline tables nested deeper than MAX_DEPTH.

Dates, times and date-times become ISO 8601 text, as YAML keeps them.
"""

from __future__ import annotations

import bisect
import datetime
import re
import sys
from typing import Any, Callable, Mapping, Optional

from ..errors import Location, SpecError, SpecErrors
from .parse import _COL_MASK, _LINE_SHIFT, MAX_DEPTH, PackedPositions, SourceMap, escape, pack

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}#\n]")
_BLANK = re.compile(r"[ \t\r]*")
_BLANK_LINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")  # blank lines and comments
_BASIC_BODY = re.compile(r'(?:[^"\\]|\\.)*', re.DOTALL)  # up to the next unescaped quote
_MULTILINE_BASIC_BODY = re.compile(r'(?:[^"\\]|\\.|"(?!""))*', re.DOTALL)  # ... of three quotes

# The fast path: most lines of a spec are one whole statement the scanner can take in one
# regex match -- `[a.b]`, `[[a.b]]`, `a.b = <simple>`, `a = { k = <simple>, ... }`, with
# bare keys, simple values (a string without escapes, a number, a boolean, a date) and an
# optional comment. Any other line goes to the general scanner, so the fast path only has
# to be right about what it matches, never complete.
_KEY = r"[A-Za-z0-9_-]+"
_DOTTED = rf"{_KEY}(?:\.{_KEY})*"
_SIMPLE = r""""[^"\\\n]*"|'[^'\n]*'|[A-Za-z0-9_+.:-]+"""
_ENTRY = rf"{_KEY}[ \t]*=[ \t]*(?:{_SIMPLE})"
_INLINE = rf"\{{[ \t]*(?:{_ENTRY}(?:[ \t]*,[ \t]*{_ENTRY})*)?[ \t]*\}}"
_SIMPLE_LINE = re.compile(
    rf"[ \t]*(?:(?P<key>{_DOTTED})[ \t]*=[ \t]*(?:(?P<value>{_SIMPLE})|(?P<inline>{_INLINE}))"
    rf"|\[(?P<array>\[)?[ \t]*(?P<table>{_DOTTED})[ \t]*\](?(array)\]))?"
    r"[ \t\r]*(?:#[^\n]*)?(?:\n|\Z)")
_INLINE_ENTRY = re.compile(rf"(?P<key>{_KEY})[ \t]*=[ \t]*(?P<value>{_SIMPLE})")


class _TooDeep(Exception):
    """An array or inline table nested deeper than MAX_DEPTH starts at `offset`."""

    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class _Scanner:
    def __init__(self, text: str, source_map: Optional[SourceMap], fast: bool = True) -> None:
        self.text = text
        self.i = 0
        self.source_map = source_map
        self.fast = fast and len(text) <= _COL_MASK  # no column of the text needs clamping
        self._line_starts: Optional[list[int]] = None
        self.line_index = 0
        self.depth = 0
        self.positions: dict[str, int] = {"": pack(1, 1)}  # PackedPositions ints
        self.key_positions: dict[str, int] = {}
        self.array_counts: dict[str, int] = {}  # pointer of an array of tables -> tables so far

    @property
    def line_starts(self) -> list[int]:
        """Offset of each line's first character (made on first use: the fast path counts lines itself)."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._line_starts

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
        """Position every statement: simple lines in one match each, the rest one by one."""
        text, n = self.text, len(self.text)
        table, i, line = "", 0, 1  # `i` is the start of `line`
        simple_line = _SIMPLE_LINE.match if self.fast else None
        while i < n:
            match = simple_line(text, i) if simple_line is not None else None
            if match is not None:
                if match.group("table") is not None:
                    table = self.simple_header(match, i, line)
                elif match.group("key") is not None:
                    self.simple_key_value(table, match, i, line)
                i = match.end()
                line += 1
                continue
            self.i, self.line_index = i, line - 1
            self.skip_blank(newlines=True)
            if self.i >= n:
                return
            if text.startswith("[[", self.i):
                self.i += 2
                table = self.header(self.keys(), array=True)
            elif text[self.i] == "[":
                self.i += 1
                table = self.header(self.keys(), array=False)
            else:
                self.key_value(table)
            end = text.find("\n", self.i)  # the rest of the line is blank or a comment
            next_line = n if end < 0 else end + 1
            line += text.count("\n", i, next_line)
            i = next_line

    def _at(self, line: int, col: int) -> int:
        if self.source_map is None:
            return (line << _LINE_SHIFT) | col
        return pack(*self.source_map.locate(line, col))

    def _parts(self, match: re.Match[str], group: str) -> list[tuple[str, int]]:
        """The bare parts of a dotted key the fast path matched, each with its offset."""
        dotted, offset = match.group(group), match.start(group)
        if "." not in dotted:
            return [(dotted, offset)]
        parts = []
        for name in dotted.split("."):
            parts.append((name, offset))
            offset += len(name) + 1
        return parts

    def simple_header(self, match: re.Match[str], line_start: int, line: int) -> str:
        keys = self._parts(match, "table")
        return self.header(keys, match.group("array") is not None, lambda offset: self._at(line, offset - line_start + 1))

    def simple_key_value(self, table: str, match: re.Match[str], line_start: int, line: int) -> None:
        at, positions, key_positions = self._at, self.positions, self.key_positions
        pointer = table
        for name, offset in self._parts(match, "key"):
            pointer += "/" + name  # bare keys need no escaping
            where = at(line, offset - line_start + 1)
            key_positions.setdefault(pointer, where)
            positions.setdefault(pointer, where)
        key_positions[pointer] = where
        inline = match.start("inline")
        if inline < 0:
            positions[pointer] = at(line, match.start("value") - line_start + 1)
            return
        positions[pointer] = at(line, inline - line_start + 1)
        for entry in _INLINE_ENTRY.finditer(self.text, inline, match.end("inline")):
            child = pointer + "/" + entry.group("key")
            key_positions[child] = at(line, entry.start("key") - line_start + 1)
            positions[child] = at(line, entry.start("value") - line_start + 1)

    def header(self, keys: list[tuple[str, int]], array: bool, packed: Optional[Callable[[int], int]] = None) -> str:
        """The pointer of a `[table]` (or `[[array]]` element) header with these dotted keys."""
        packed = packed or self.packed
        pointer = ""
        for index, (name, offset) in enumerate(keys):
            pointer += "/" + escape(name)
            where = packed(offset)
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
        elif ch == "[" or ch == "{":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _TooDeep(self.i)
            self.i += 1
            if ch == "[":
                self.array_items(pointer)
            else:
                self.inline_table(pointer)
            self.depth -= 1
        else:  # number, boolean or date-time: up to the next delimiter
            end = _SCALAR_END.search(text, self.i)
            self.i = len(text) if end is None else end.start()

    def array_items(self, pointer: str) -> None:
        text, index = self.text, 0
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

    def inline_table(self, pointer: str) -> None:
        text = self.text
        while True:
            self.skip_blank()
            if text[self.i] == "}":
                self.i += 1
                return
            self.key_value(pointer)
            self.skip_blank()
            if text[self.i] == ",":
                self.i += 1

    def string(self) -> None:
        """Skip a string of any of the four kinds that starts at the current offset."""
        text, quote = self.text, self.text[self.i]
        if text.startswith(quote * 3, self.i):
            if quote == "'":
                end = text.index(quote * 3, self.i + 3)
            else:
                end = _MULTILINE_BASIC_BODY.match(text, self.i + 3).end()  # type: ignore[union-attr]
            while end < len(text) and text[end] == quote:  # up to two quotes before the last three are content
                end += 1
            self.i = end
            return
        if quote == "'":
            end = text.index(quote, self.i + 1)
        else:
            end = _BASIC_BODY.match(text, self.i + 1).end()  # type: ignore[union-attr]
        self.i = end + 1


def _too_deep(text: str) -> Optional[int]:
    """Offset of the first array or inline table nested deeper than MAX_DEPTH, else None;
    quoted text and comments do not count. Only for text tomllib could not parse: the
    scanner finds the nesting of text it did parse."""
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


def _too_deep_error(filename: str, scanner: _Scanner, offset: Optional[int]) -> SpecErrors:
    where = _location(filename, scanner.packed(offset)) if offset is not None else Location(filename, 1, 1)
    return SpecErrors([SpecError(f"values are nested more than {MAX_DEPTH} levels deep", where,
                                 hint="flatten the arrays and inline tables")])


_DATE_VALUE = re.compile(r"-\d\d-|:\d\d:")  # in every date, time and date-time (a quick filter)


def _dates_as_text(value: Any) -> Any:
    """`value` with TOML dates, times and date-times as ISO 8601 text: as in YAML, where
    they stay as written, a date is a partition bound or key, which specs give as text."""
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(item) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):  # datetime.datetime is a date
        return value.isoformat()
    return value


def _location(filename: str, packed: int) -> Location:
    return Location(filename, packed >> _LINE_SHIFT, packed & _COL_MASK)


def parse_toml_with_positions(text: str, filename: str,
                              source_map: Optional[SourceMap] = None) -> tuple[Any, Mapping[str, Location], Mapping[str, Location]]:
    """Data, value positions and key positions of a TOML text."""
    scanner = _Scanner(text, source_map)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # nested far deeper than MAX_DEPTH
        raise _too_deep_error(filename, scanner, _too_deep(text)) from None
    except tomllib.TOMLDecodeError as e:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(found.group(1)), int(found.group(2))) if found else (1, 1)
        if str(e).endswith("(at end of document)"):  # an unclosed string, array or table: where the text ends
            line, col = text.count("\n") + 1, len(text) - text.rfind("\n")
        if source_map is not None:
            line, col = source_map.locate(line, col)
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e)).replace(
            " (at end of document)", " at the end of the file")
        raise SpecErrors([SpecError(f"TOML syntax error: {message}", Location(filename, line, col))]) from None
    if _DATE_VALUE.search(text):
        data = _dates_as_text(data)
    try:
        scanner.scan()
    except _TooDeep as e:
        raise _too_deep_error(filename, scanner, e.offset) from None
    return data, PackedPositions(filename, scanner.positions), PackedPositions(filename, scanner.key_positions)
