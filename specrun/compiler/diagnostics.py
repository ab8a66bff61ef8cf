"""Printing spec errors the way compilers do: location, message, source line, caret, hint."""

from __future__ import annotations

import json
import unicodedata
from typing import Mapping, Sequence

from ..errors import SpecError, SpecErrors


def _source_line(files: Mapping[str, str], file: str, line: int) -> str | None:
    text = files.get(file)
    if text is None:
        from .load import read_text

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


def render_error(err: SpecError, files: Mapping[str, str]) -> str:
    """``file:line:col: error: message``, the source line, a caret and the hint."""
    loc = err.location
    head = f"{loc}: error: {err.message}" if loc else f"error: {err.message}"
    out = [head]
    if loc is not None:
        source = _source_line(files, loc.file, loc.line)
        if source is not None:
            out.append(f"    {source}")
            out.append("    " + _caret_indent(source, loc.col) + "^")
    if err.hint:
        out.append(f"  hint: {err.hint}")
    return "\n".join(out)


def errors_to_json(errors: Sequence[SpecError]) -> str:
    """``{"errors": [{file, line, col, pointer, message, hint}, ...]}``."""
    return json.dumps({"errors": [e.to_dict() for e in errors]}, indent=2)
