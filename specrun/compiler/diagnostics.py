"""Printing spec errors the way compilers do: location, message, source line, caret, hint."""

from __future__ import annotations

import json
import unicodedata
from typing import Mapping, Sequence

from ..errors import SpecError, SpecErrors


_SHOWN = (".yaml", ".yml", ".toml", ".j2", ".py")


def _source_line(files: Mapping[str, str], file: str, line: int) -> str | None:
    text = files.get(file)
    if text is None:
        if not file.endswith(_SHOWN):  # not a spec or a module: its content is never echoed
            return None
        from .parse import read_text

        try:
            text = read_text(file)
        except SpecErrors:  # unreadable or not text: the message says so, without the line
            return None
    lines = text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else None


def _caret_indent(source: str, col: int) -> str:
    """Blank space as wide as `source` up to column `col` on a terminal: tabs kept as tabs,
    East Asian wide characters as two columns, so that the caret sits under its character."""
    out = []
    for ch in source[:max(col, 1) - 1]:
        if ch == "\t":
            out.append("\t")
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            out.append("  ")
        elif not unicodedata.combining(ch):
            out.append(" ")
    return "".join(out)


_WIDTH = 120  # characters of a source line shown around the caret


def _visible(source: str, col: int) -> tuple[str, int]:
    """The part of `source` worth printing and the column in it: a long line is cut to a
    window around `col` (marked with …), control and invisible format characters are drawn
    (␀, �) so that the terminal neither hides nor obeys them and the caret stays aligned."""
    if len(source) > _WIDTH:
        start = max(0, min(col - 1 - _WIDTH // 2, len(source) - _WIDTH))
        end = start + _WIDTH
        col = col - start + (1 if start else 0)
        source = ("…" if start else "") + source[start:end] + ("…" if end < len(source) else "")
    drawn = []
    for ch in source:
        if ch != "\t" and (ch < " " or ch == "\x7f"):
            drawn.append(chr(0x2400 + ord(ch)) if ch < " " else "\u2421")
        elif unicodedata.category(ch) == "Cf":
            drawn.append("\ufffd")
        else:
            drawn.append(ch)
    return "".join(drawn), col


def render_error(err: SpecError, files: Mapping[str, str]) -> str:
    """``file:line:col: error: message``, the source line, a caret and the hint."""
    loc = err.location
    head = f"{loc}: error: {err.message}" if loc else f"error: {err.message}"
    out = [head]
    if loc is not None:
        source = _source_line(files, loc.file, loc.line)
        if source is not None:
            source, col = _visible(source, loc.col)
            out.append(f"    {source}")
            out.append("    " + _caret_indent(source, col) + "^")
    if err.hint:
        out.append(f"  hint: {err.hint}")
    return "\n".join(out)


def errors_to_json(errors: Sequence[SpecError]) -> str:
    """``{"errors": [{file, line, col, pointer, message, hint}, ...]}``."""
    return json.dumps({"errors": [e.to_dict() for e in errors]}, indent=2)
