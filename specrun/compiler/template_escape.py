"""Contextual escaping for typed templates (those with front matter): each `{{ }}` writes its
value as YAML needs it where it stands, so an argument cannot change the rendered structure.

Where a `{{ }}` stands is decided once, from the text before and after it on its line (as Go's
html/template decides from the markup around an action):

- inside `"..."`: the value's characters, escaped for a double-quoted scalar (`"`, `\\`, line
  breaks and control characters as escapes);
- inside `'...'`: `'` doubled; a line break is an error;
- a whole value (`rows: {{ rows }}`, `- {{ x }}`, `[{{ a }}, {{ b }}]`): a one-line YAML flow
  node — a string plain when it reads back as the same string, else double-quoted; numbers,
  `true`/`false`/`null`; lists and mappings as flow collections;
- part of a plain scalar (`raw_{{ table }}`, a key): letters, digits, `_`, `.`, `-` only, else an
  error asking to quote the scalar.

An expression already ending in `| tojson` or `| yaml` is the author's deliberate fragment and is
left alone (`| yaml` writes a flow node; `| tojson` escapes non-ASCII characters as JSON does,
which YAML cannot read for characters beyond U+FFFF). Spec templates without front matter keep Jinja's plain output.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import SpecError

_EXPRESSION = re.compile(r"\{\{-?(.*?)-?\}\}")
_DELIBERATE = re.compile(r"\|\s*(tojson|yaml)\s*$")
_VALUE_BEFORE = re.compile(r"(^|[\s:\[{,]|^\s*-)$")
_VALUE_AFTER = re.compile(r"^\s*($|[,\]}]|#)")
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_.\-]*$")
_PLAIN_STRING = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_RESERVED_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x85": "\\N", "\u2028": "\\L",
            "\u2029": "\\P"}


def _quote_context(before: str) -> str:
    """`dq` / `sq` when the text before a tag on its line leaves a quoted scalar open."""
    quote = None
    i = 0
    while i < len(before):
        ch = before[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if quote is None and ch in "\"'":
            quote = ch
        elif ch == quote:
            if quote == "'" and before[i + 1:i + 2] == "'":
                i += 2
                continue
            quote = None
        i += 1
    return "dq" if quote == '"' else "sq" if quote == "'" else ""


def add_context_filters(text: str) -> str:
    """`text` with each `{{ expr }}` written `{{ (expr) | _yaml_<context> }}`."""
    out = []
    for line in text.split("\n"):
        parts, last = [], 0
        for match in _EXPRESSION.finditer(line):
            expr = match.group(1)
            if _DELIBERATE.search(expr.strip()):
                continue
            before, after = _strip_tags(line[:match.start()]), line[match.end():]
            context = _quote_context(before) or (
                "value" if _VALUE_BEFORE.search(before) and _VALUE_AFTER.match(_strip_tags(after)) else "plain")
            parts.append(line[last:match.start()])
            parts.append(f"{{{{ ({expr.strip()}) | _yaml_{context} }}}}")
            last = match.end()
        parts.append(line[last:])
        out.append("".join(parts))
    return "\n".join(out)


def _strip_tags(text: str) -> str:
    return _EXPRESSION.sub("x", text)


def _is_markup(value: Any) -> bool:
    return hasattr(value, "__html__")  # what `| tojson` returns: already written by the author


def _scalar_text(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def yaml_dq(value: Any) -> str:
    return value if _is_markup(value) else _double_quoted(_scalar_text(value))


def yaml_sq(value: Any) -> str:
    if _is_markup(value):
        return str(value)
    text = _scalar_text(value)
    if any(ch in _ESCAPES and ch not in "\\\"" or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in text):
        raise SpecError(f"{json.dumps(text)} has a line break or control character and cannot stand inside '...'",
                        hint='use a double-quoted scalar: "{{ ... }}"')
    return text.replace("'", "''")


def yaml_value(value: Any) -> str:
    if _is_markup(value):
        return str(value)
    if isinstance(value, bool) or value is None:
        return _scalar_text(value)
    if isinstance(value, (int, float)):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else \
            {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}[repr(value)]
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_value(str(k))}: {yaml_value(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if _PLAIN_STRING.match(text) and text.lower() not in _RESERVED_WORDS:
        return text
    return '"' + _double_quoted(text) + '"'


def yaml_plain(value: Any) -> str:
    if _is_markup(value):
        return str(value)
    text = _scalar_text(value)
    if not _PLAIN_SAFE.match(text):
        raise SpecError(f"{json.dumps(text)} cannot stand unquoted inside a plain scalar: it would change "
                        "what the YAML means", hint='quote the whole scalar: "raw_{{ x }}"')
    return text


def yaml_node(value: Any) -> Any:
    """`{{ x | yaml }}`: `x` as a one-line YAML flow node, written as is wherever it stands."""
    from markupsafe import Markup

    return Markup(yaml_value(value))


FILTERS = {"_yaml_dq": yaml_dq, "_yaml_sq": yaml_sq, "_yaml_value": yaml_value, "_yaml_plain": yaml_plain,
           "yaml": yaml_node}
