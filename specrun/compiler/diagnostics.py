"""Printing spec errors the way compilers do: location, message, source line, caret, hint."""

from __future__ import annotations

import json
from typing import Mapping, Sequence

from ..errors import SpecError


def _source_line(files: Mapping[str, str], file: str, line: int) -> str | None:
    text = files.get(file)
    if text is None:
        try:
            with open(file, encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            return None
    lines = text.split("\n")
    return lines[line - 1] if 0 < line <= len(lines) else None


def render_error(err: SpecError, files: Mapping[str, str]) -> str:
    """``file:line:col: error: message``, the source line, a caret and the hint."""
    loc = err.location
    head = f"{loc}: error: {err.message}" if loc else f"error: {err.message}"
    out = [head]
    if loc is not None:
        source = _source_line(files, loc.file, loc.line)
        if source is not None:
            out.append(f"    {source}")
            out.append("    " + " " * (max(loc.col, 1) - 1) + "^")
    if err.hint:
        out.append(f"  hint: {err.hint}")
    return "\n".join(out)


def errors_to_json(errors: Sequence[SpecError]) -> str:
    """``{"errors": [{file, line, col, pointer, message, hint}, ...]}``."""
    return json.dumps({"errors": [e.to_dict() for e in errors]}, indent=2)
